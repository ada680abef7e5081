use super::*;

#[test]
fn numbering_styles() {
    assert_eq!(split_numbering("1.受理"), Some((1, "受理")));
    assert_eq!(split_numbering("12、审查"), Some((12, "审查")));
    assert_eq!(split_numbering("（三）决定"), Some((3, "决定")));
    assert_eq!(split_numbering("(2) 送达"), Some((2, "送达")));
    assert_eq!(split_numbering("一、行政许可"), Some((1, "行政许可")));
    assert_eq!(split_numbering("②其他"), Some((2, "其他")));
    assert_eq!(split_numbering("1.5倍罚款"), None);
    assert_eq!(split_numbering("3个工作日内"), None);
    assert_eq!(split_numbering("一次性告知"), None);
    assert_eq!(split_numbering("《行政许可法》"), None);
    assert_eq!(split_numbering("1."), Some((1, "")));
}

#[test]
fn responsibilities_by_stage() {
    let text = "1.受理责任：公示应当提交的材料，一次性告知补正材料。\n依法受理或不予受理。\n\
                2、审查责任：对申请材料进行审查。\n（三）决定责任：作出决定\n4.送达：制发证书";
    let got = parse_responsibilities(text);
    let stages: Vec<_> = got.iter().map(|r| r.stage.as_str()).collect();
    assert_eq!(stages, ["受理", "审查", "决定", "送达"]);
    assert_eq!(got[0].content, "公示应当提交的材料，一次性告知补正材料。\n依法受理或不予受理。");
    assert_eq!(parse_responsibilities(&format_responsibilities(&got)), got);
}

#[test]
fn unlabelled_responsibility_text() {
    let got = parse_responsibilities("负责本行政区域内的安全检查");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].stage, "");
    assert_eq!(parse_responsibilities(&format_responsibilities(&got)), got);
}

#[test]
fn situations_and_parties() {
    let got =
        parse_situations("1.对符合法定条件的申请不予受理的；\n2.不在办公场所公示的；\n（续）");
    assert_eq!(got, ["对符合法定条件的申请不予受理的；", "不在办公场所公示的；\n（续）"]);
    assert_eq!(parse_situations("甲\n乙"), ["甲", "乙"]);
    assert_eq!(
        parse_parties("法定代表人、分管负责人，承办机构负责人等。"),
        ["法定代表人", "分管负责人", "承办机构负责人"]
    );
}

#[test]
fn sections_and_blobs() {
    assert_eq!(
        sections("《甲法》第一条\n《乙法》"),
        Sections::Blob("《甲法》第一条\n《乙法》".into())
    );
    let Sections::Numbered(parts) =
        sections("1.受理责任：《甲法》\n2.审查责任：\n《乙法》第二条\n续")
    else {
        panic!("expected sections");
    };
    assert_eq!(
        parts,
        [
            (Some(1), "受理", "《甲法》".to_owned()),
            (Some(2), "审查", "《乙法》第二条\n续".to_owned())
        ]
    );
    // Numbered references are not sections.
    assert!(matches!(sections("1.《甲法》第一条\n2.《乙法》"), Sections::Blob(_)));
}

#[test]
fn materials_round_trip() {
    let got =
        parse_materials("1.申请书【纸质，1份】\n2.营业执照【电子，非必要，共享获取】\n3.身份证");
    assert_eq!(got[0].copies, Some(1));
    assert_eq!(got[0].form.as_deref(), Some("纸质"));
    assert!(!got[1].required && got[1].shared);
    assert_eq!(got[2].name, "身份证");
    assert_eq!(parse_materials(&format_materials(&got)), got);
}

/// Real lists write `N.XX责任。` without a colon; the stage is XX all the same.
#[test]
fn responsibilities_without_a_colon() {
    let text = "1.受理责任。公示应当提交的材料：申请书、营业执照。\n依法受理或不予受理。\n\
                2.审查责任。对申请材料进行审查。\n3.决定责任\n作出准予或不予许可决定。\n\
                4.送达责任 制发证书。\n5.落实主体责任，加强监管";
    let got = parse_responsibilities(text);
    let stages: Vec<_> = got.iter().map(|r| r.stage.as_str()).collect();
    // 落实主体责任，… is not a stage label: 责任 is followed by a comma, so the line is content.
    assert_eq!(stages, ["受理", "审查", "决定", "送达", ""]);
    assert_eq!(got[0].content, "公示应当提交的材料：申请书、营业执照。\n依法受理或不予受理。");
    assert_eq!(got[1].content, "对申请材料进行审查。");
    assert_eq!(got[2].content, "作出准予或不予许可决定。");
    assert_eq!(got[3].content, "制发证书。");
    assert_eq!(got[4].content, "落实主体责任，加强监管");
}

/// The sentence that introduces a numbered accountability list is not a situation.
#[test]
fn the_lead_in_of_an_accountability_list_is_not_a_situation() {
    let text = "因不履行或不正确履行行政职责，有下列情形的，行政机关及相关工作人员应承担相应责任：\n\
                1.对符合法定条件的行政许可申请不予受理的；\n2.不在办公场所公示依法应当公示的材料的；";
    assert_eq!(
        parse_situations(text),
        ["对符合法定条件的行政许可申请不予受理的；", "不在办公场所公示依法应当公示的材料的；"]
    );
    // The same without numbering: one situation per line, the lead-in dropped.
    let text = "有下列情形之一的，应承担相应责任:\n不依法受理的\n不依法说明理由的";
    assert_eq!(parse_situations(text), ["不依法受理的", "不依法说明理由的"]);
    // A cell that is only a sentence ending in a colon keeps it: there is nothing it leads.
    assert_eq!(parse_situations("未依法履行职责的："), ["未依法履行职责的："]);
    // A colon inside the list belongs to its situation.
    assert_eq!(
        parse_situations("1.有下列行为之一的：\n擅自变更的"),
        ["有下列行为之一的：\n擅自变更的"]
    );
}
