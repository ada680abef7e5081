//! The item editor on the staff's pages: a new item with its whole guide drafted into a new
//! change set, each field that cannot be read named beside itself with everything typed kept;
//! an item of the list amended in full inside that draft; the addition edited again (its id
//! kept); a change taken out.

use quanze_core::{Change, ListScope, UnitKind, VersionStatus};
use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::helpers::staff::{get, post, sign_in};

/// A published department list of the demo, with its first item.
fn department_list(app: &crate::helpers::TestApp) -> (quanze_core::ListId, quanze_core::ItemId) {
    let catalog = app.service.catalog();
    catalog
        .lists
        .iter()
        .find_map(|l| {
            let ListScope::Unit { unit } = l.scope else { return None };
            (catalog.unit(unit)?.kind == UnitKind::Department).then_some(())?;
            let v =
                catalog.latest_version(l.id).filter(|v| v.status == VersionStatus::Published)?;
            Some((l.id, v.entries.first()?.item))
        })
        .expect("a published department list")
}

#[tokio::test]
async fn a_new_item_and_a_full_amendment_are_drafted_from_the_item_editor() {
    let app = spawn_app(true).await;
    let editor = sign_in(&app, "editor").await;
    let (list, first) = department_list(&app);

    let path = format!("/staff/change-sets/new/item?list={list}");
    let (status, page) = get(&app, &path, &editor).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for field in ["col:设定依据", "col:责任事项", "col:申请材料", "col:法定办结时限"]
    {
        assert!(page.contains(&format!("name=\"{field}\"")), "{field}");
    }
    assert!(!page.contains("name=\"col:履职类型\""), "a department's list has no duty kind");

    let mut form = vec![
        ("title", "关于新增临时占用绿地审批的方案"),
        ("effective_on", "2027-07-01"),
        ("reason", "落实城市绿化条例"),
        ("basis", "县委编委会议纪要"),
        ("col:事项类型", "行政许可"),
        ("col:事项名称", "临时占用城市绿化用地审批<script>alert(1)</script>"),
        ("col:实施主体", "清源县不存在局"),
        ("col:设定依据", "《城市绿化条例》第十九条"),
        ("col:责任事项", "1.受理责任：公示依法应当提交的材料\n2.审查责任：对申请材料进行审查"),
        ("col:追责情形", "1.对符合法定条件的申请不予受理的"),
        ("col:申请材料", "申请书【纸质，1份】\n占用绿地示意图【纸质，2份，非必要】"),
        ("col:法定办结时限", "很快"),
        ("col:承诺办结时限", "5个工作日"),
    ];
    let before = app.service.change_sets().await.unwrap().len();
    // An unknown holder and a period that is no period: each named beside its field, the
    // rest kept as typed and shown as text.
    let (status, _, refused) = post(&app, &path, &editor, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let beside = |page: &str, label: &str| {
        let at = page.find(&format!("name=\"col:{label}\"")).expect(label);
        let rest = &page[at..];
        let end = rest.find("</div>").unwrap();
        rest[..end].contains("class=\"field-error\"")
    };
    assert!(beside(&refused, "实施主体"), "the holder's error is beside it");
    assert!(beside(&refused, "法定办结时限"), "the period's error is beside it");
    assert!(!beside(&refused, "设定依据"), "the basis reads");
    assert!(refused.contains("清源县不存在局"), "the holder is kept");
    assert!(refused.contains("占用绿地示意图【纸质，2份，非必要】"), "the materials are kept");
    assert!(!refused.contains("<script>alert(1)"), "the name is shown as text");
    assert_eq!(app.service.change_sets().await.unwrap().len(), before, "nothing drafted");

    // Corrected (an empty holder is the list's unit): drafted, back to the change set.
    form[4 + 2] = ("col:实施主体", "");
    form[4 + 7] = ("col:法定办结时限", "20个工作日");
    form[4 + 1] = ("col:事项名称", "临时占用城市绿化用地审批");
    let (status, to, body) = post(&app, &path, &editor, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(to.ends_with("?done=item"), "{to}");
    let set_path = to.split('?').next().unwrap().to_owned();
    let id: quanze_core::ChangeSetId = set_path.rsplit('/').next().unwrap().parse().unwrap();
    let set = app.service.change_set(id).await.unwrap().set;
    assert_eq!(set.changes.len(), 1);
    let Change::Add { item: added, content, .. } = &set.changes[0].change else {
        panic!("an addition: {:?}", set.changes[0].change)
    };
    let added = *added;
    assert_eq!(content.legal_basis[0].article, Some(19));
    assert_eq!(content.responsibilities.len(), 2);
    let service = content.service.as_ref().expect("the guide");
    assert_eq!(service.materials.len(), 2);
    assert!(!service.materials[1].required);
    assert_eq!(service.statutory_limit.map(|l| l.to_string()).as_deref(), Some("20个工作日"));
    let (_, page) = get(&app, &to, &editor).await;
    assert!(page.contains("事项已写入调整方案") && page.contains("临时占用城市绿化用地审批"));

    // The draft's editor offers the list's items; one is amended in full.
    let (_, page) = get(&app, &format!("{set_path}/item?list={list}"), &editor).await;
    assert!(page.contains("id=\"pick-item\""), "{page}");
    let amend = format!("{set_path}/item?list={list}&item={first}");
    let (status, page) = get(&app, &amend, &editor).await;
    assert_eq!(status, StatusCode::OK);
    let now = app.service.catalog();
    let name = {
        let v = now.latest_version(list).unwrap();
        let e = v.entries.iter().find(|e| e.item == first).unwrap();
        now.content(e).unwrap().name.clone()
    };
    assert!(page.contains(&name), "the item's content is filled in");
    let mut fields = form_fields(&page);
    set_field(&mut fields, "col:承办机构", "政务服务中心综合窗口");
    fields.push(("reason".into(), "一窗受理".into()));
    fields.push(("basis".into(), "县委编委会议纪要".into()));
    let borrowed: Vec<(&str, &str)> =
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, body) = post(&app, &amend, &editor, &borrowed).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let set = app.service.change_set(id).await.unwrap().set;
    assert_eq!(set.changes.len(), 2);
    let Change::Amend { item, content, .. } = &set.changes[1].change else { panic!("amend") };
    assert_eq!(*item, first);
    assert_eq!(content.handling_office.as_deref(), Some("政务服务中心综合窗口"));
    assert_eq!(content.name, name, "the rest of the content is as it was");

    // The addition edited again keeps its id; then the amendment is taken out.
    let again = format!("{set_path}/item?list={list}&item={added}");
    let (_, page) = get(&app, &again, &editor).await;
    assert!(page.contains(">落实城市绿化条例</textarea>"), "the change's reason is filled in");
    let mut fields = form_fields(&page);
    fields.push(("reason".into(), "落实城市绿化条例".into()));
    fields.push(("basis".into(), "县委编委会议纪要".into()));
    set_field(&mut fields, "col:收费标准", "不收费");
    set_field(&mut fields, "col:咨询电话", "0000-1234567");
    let borrowed: Vec<(&str, &str)> =
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, body) = post(&app, &again, &editor, &borrowed).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let set = app.service.change_set(set.id).await.unwrap().set;
    assert_eq!(set.changes.len(), 2);
    assert_eq!(set.changes[0].item(), added, "the addition keeps its id");
    let phone = set.changes[0].content().unwrap().service.as_ref().unwrap().phone.clone();
    assert_eq!(phone.as_deref(), Some("0000-1234567"));
    let (status, to, _) =
        post(&app, &format!("{set_path}/withdraw-change"), &editor, &[("index", "2")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.ends_with("done=withdrawn_change"));
    let set = app.service.change_set(set.id).await.unwrap().set;
    assert_eq!(set.changes.len(), 1);
    assert_eq!(set.changes[0].item(), added);

    // A clerk may not draft.
    let clerk = sign_in(&app, "clerk").await;
    let (status, _, _) = post(&app, &again, &clerk, &borrowed).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The editor's fields as its page fills them (`col:…` inputs and textareas, unescaped).
fn form_fields(page: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&#60;", "<")
            .replace("&#62;", ">")
            .replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&#38;", "&")
    };
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find("name=\"col:") {
        let tag_start = rest[..at].rfind('<').unwrap();
        let tag = &rest[tag_start..];
        let name_end = rest[at + 6..].find('"').unwrap();
        let name = rest[at + 6..at + 6 + name_end].to_owned();
        let close = tag.find('>').unwrap();
        let value = if tag.starts_with("<textarea") {
            let body = &tag[close + 1..];
            body[..body.find("</textarea>").unwrap()].to_owned()
        } else {
            let head = &tag[..close];
            head.find("value=\"").map_or(String::new(), |v| {
                let v = &head[v + 7..];
                v[..v.find('"').unwrap()].to_owned()
            })
        };
        out.push((name, unescape(&value)));
        rest = &rest[at + 6..];
    }
    out
}

fn set_field(fields: &mut [(String, String)], name: &str, value: &str) {
    let f = fields.iter_mut().find(|(k, _)| k == name).unwrap_or_else(|| panic!("{name}"));
    f.1 = value.to_owned();
}
