//! Units, a realistic list, and small tools for building and checking workbooks.

use std::collections::BTreeSet;

use quanze_core::{
    Accountability, BaseCode, Cooperation, CreditCode, DutyKind, ExerciseLevel, ImplCode,
    ItemContent, LegalRef, LimitUnit, Material, PowerCategory, PowerSource, RegionCode,
    Responsibility, ServiceInfo, TimeLimit, Unit, UnitId, UnitKind,
};
use quanze_exchange::{ExchangeItem, Imported, Problem, UnitDirectory};

/// The units of 某某县 used in the tests: (name, kind).
pub const UNITS: [(&str, UnitKind); 8] = [
    ("某某县市场监督管理局", UnitKind::Department),
    ("某某县公安局", UnitKind::Department),
    ("某某县交通运输局", UnitKind::Department),
    ("某某县应急管理局", UnitKind::Department),
    ("某某县自然资源和规划局", UnitKind::Department),
    ("某某县农业农村局", UnitKind::Department),
    ("某某县卫生健康局（中医药局）", UnitKind::Department),
    ("某某镇人民政府", UnitKind::Township),
];

pub fn units() -> Vec<Unit> {
    UNITS
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| Unit {
            id: UnitId::from_uuid(uuid::Uuid::from_u128(i as u128 + 1)),
            name: (*name).to_owned(),
            kind: *kind,
            region: RegionCode::parse("320281").expect("valid region code"),
            credit_code: (i == 0).then(|| CreditCode::parse("11321281014422781F").expect("valid")),
            parent: None,
            tags: BTreeSet::new(),
        })
        .collect()
}

pub fn directory() -> UnitDirectory {
    UnitDirectory::new(&units())
}

/// The id of a test unit by name.
pub fn id(name: &str) -> UnitId {
    let idx = UNITS.iter().position(|(n, _)| *n == name).expect("a test unit");
    UnitId::from_uuid(uuid::Uuid::from_u128(idx as u128 + 1))
}

pub fn law(law: &str, article: u32, quote: &str) -> LegalRef {
    LegalRef { quote: Some(quote.to_owned()), ..LegalRef::article(law, article) }
}

pub fn resp(stage: &str, content: &str, basis: Vec<LegalRef>) -> Responsibility {
    Responsibility { stage: stage.to_owned(), content: content.to_owned(), basis }
}

pub fn licensing_accountability() -> Vec<Accountability> {
    let basis = vec![law(
        "中华人民共和国行政许可法",
        72,
        "行政机关及其工作人员违反本法的规定，由其上级行政机关或者监察机关责令改正",
    )];
    let parties = vec!["法定代表人".to_owned(), "分管负责人".to_owned(), "具体承办人".to_owned()];
    ["对符合法定条件的行政许可申请不予受理的", "不依法说明不予受理或者不予行政许可的理由的"]
        .iter()
        .map(|s| Accountability {
            situation: (*s).to_owned(),
            basis: basis.clone(),
            parties: parties.clone(),
        })
        .collect()
}

fn content(name: &str, sub: Option<&str>, category: PowerCategory, holder: &str) -> ItemContent {
    ItemContent {
        name: name.to_owned(),
        sub_item: sub.map(str::to_owned),
        category,
        category_label: None,
        base_code: None,
        impl_code: None,
        local_code: None,
        legal_basis: Vec::new(),
        holder: id(holder),
        handling_office: None,
        cooperation: Vec::new(),
        source: PowerSource::Statutory,
        grant: None,
        level: ExerciseLevel::County,
        responsibilities: Vec::new(),
        accountability: Vec::new(),
        service: None,
        remarks: None,
    }
}

/// A realistic township and department list: a licence with three sub-items and service
/// fields, a penalty with a cooperating unit, an inspection under a local label, and the three
/// township duty kinds.
pub fn sample_list() -> Vec<ExchangeItem> {
    let market = "某某县市场监督管理局";
    let town = "某某镇人民政府";
    let food_law = "中华人民共和国食品安全法";
    let mut items = Vec::new();
    for (k, sub) in ["新办", "变更", "延续"].iter().enumerate() {
        let mut c = content("食品经营许可", Some(sub), PowerCategory::Licensing, market);
        c.category_label = Some("行政许可(国办)".to_owned());
        c.base_code = Some(BaseCode::parse(&format!("000117025{:03}", k + 1)).expect("valid"));
        c.impl_code = Some(
            ImplCode::parse(&format!("11321281014422781F3000117025{:03}", k + 1)).expect("valid"),
        );
        c.legal_basis = vec![
            LegalRef {
                edition: Some("2021年修正".to_owned()),
                quote: Some("从事食品生产、食品销售、餐饮服务，应当依法取得许可。".to_owned()),
                ..LegalRef::article(food_law, 35)
            },
            LegalRef {
                paragraph: Some(1), ..LegalRef::article("食品经营许可和备案管理办法", 10)
            },
        ];
        c.handling_office = Some("行政审批股".to_owned());
        c.responsibilities = vec![
            resp(
                "受理",
                "公示应当提交的材料，一次性告知补正材料，依法受理或不予受理（不予受理应当告知理由）。",
                vec![
                    LegalRef::article("中华人民共和国行政许可法", 30),
                    LegalRef::article("中华人民共和国行政许可法", 32),
                ],
            ),
            resp(
                "审查",
                "对申请材料进行审查，必要时进行现场核查。\n提出审查意见。",
                vec![LegalRef::article("中华人民共和国行政许可法", 34)],
            ),
            resp(
                "决定",
                "作出准予或不予许可的决定，不予许可的应当书面说明理由。",
                vec![LegalRef::article("中华人民共和国行政许可法", 38)],
            ),
            resp("送达", "准予许可的，制发许可证件并送达。", Vec::new()),
            resp(
                "事后监管",
                "开展定期和不定期检查，依法采取相关处置措施。",
                vec![LegalRef::article("中华人民共和国行政许可法", 61)],
            ),
        ];
        c.accountability = licensing_accountability();
        c.service = Some(ServiceInfo {
            conditions: Some("具有与经营的食品品种、数量相适应的经营场所".to_owned()),
            materials: vec![
                Material {
                    name: "食品经营许可申请书".to_owned(),
                    form: Some("纸质".to_owned()),
                    copies: Some(1),
                    required: true,
                    shared: false,
                },
                Material {
                    name: "营业执照".to_owned(),
                    form: None,
                    copies: None,
                    required: true,
                    shared: true,
                },
            ],
            statutory_limit: Some(TimeLimit { amount: 20, unit: LimitUnit::WorkingDays }),
            committed_limit: Some(TimeLimit { amount: 5, unit: LimitUnit::WorkingDays }),
            fee: None,
            channels: vec!["窗口办理".to_owned(), "网上办理".to_owned()],
            place: Some("某某县政务服务中心二楼".to_owned()),
            phone: Some("0510-12345678".to_owned()),
            trips: Some(0),
            sessions: None,
        });
        items.push(ExchangeItem { duty: DutyKind::Own, content: c, variant: None, guide: None });
    }
    let mut penalty =
        content("对未取得食品经营许可从事食品经营活动的处罚", None, PowerCategory::Penalty, market);
    penalty.local_code = Some("2-1".to_owned());
    penalty.legal_basis = vec![law(
        food_law,
        122,
        "违反本法规定，未取得食品生产经营许可从事食品生产经营活动……由县级以上人民政府食品安全监督管理部门没收违法所得",
    )];
    penalty.cooperation = vec![Cooperation {
        unit: id("某某县公安局"),
        duty: "负责涉嫌犯罪案件的接收和侦办".to_owned(),
    }];
    penalty.responsibilities = vec![
        resp(
            "立案",
            "对发现的违法行为予以审查，决定是否立案。",
            vec![LegalRef::article("中华人民共和国行政处罚法", 54)],
        ),
        resp(
            "调查取证",
            "全面、客观、公正地调查，收集证据。",
            vec![LegalRef::article("中华人民共和国行政处罚法", 55)],
        ),
        resp(
            "告知",
            "作出决定前告知当事人拟作出的处罚内容及事实、理由、依据。",
            vec![LegalRef::article("中华人民共和国行政处罚法", 44)],
        ),
    ];
    penalty.accountability = vec![Accountability {
        situation: "没有法定的行政处罚依据的".to_owned(),
        basis: vec![LegalRef::article("中华人民共和国行政处罚法", 76)],
        parties: vec!["具体承办人".to_owned()],
    }];
    items.push(ExchangeItem { duty: DutyKind::Own, content: penalty, variant: None, guide: None });

    let mut inspection = content("对食品经营者的监督检查", None, PowerCategory::Inspection, market);
    inspection.category_label = Some("行政监督".to_owned());
    inspection.legal_basis = vec![LegalRef::article(food_law, 110)];
    inspection.responsibilities = vec![resp("检查", "制定年度检查计划并组织实施。", Vec::new())];
    inspection.accountability = vec![Accountability {
        situation: "未按计划实施检查的".to_owned(),
        basis: Vec::new(),
        parties: Vec::new(),
    }];
    inspection.remarks = Some("双随机、一公开".to_owned());
    items.push(ExchangeItem {
        duty: DutyKind::Own,
        content: inspection,
        variant: None,
        guide: None,
    });

    let mut own =
        content("对农村村民未经批准占用土地建住宅的处罚", None, PowerCategory::Penalty, town);
    own.level = ExerciseLevel::Township;
    own.source = PowerSource::Devolved;
    own.legal_basis = vec![LegalRef::article("中华人民共和国土地管理法", 78)];
    own.responsibilities = vec![resp("立案", "发现违法占地行为的，依法立案。", Vec::new())];
    own.accountability = vec![Accountability {
        situation: "发现违法行为不予制止的".to_owned(),
        basis: Vec::new(),
        parties: vec!["分管负责人".to_owned()],
    }];
    items.push(ExchangeItem { duty: DutyKind::Own, content: own, variant: None, guide: None });

    let mut coop = content("道路交通安全隐患排查", None, PowerCategory::Other, town);
    coop.category_label = Some("其他类".to_owned());
    coop.level = ExerciseLevel::Township;
    coop.legal_basis = vec![LegalRef::article("中华人民共和国道路交通安全法", 29)];
    coop.cooperation = vec![Cooperation {
        unit: id("某某县交通运输局"),
        duty: "负责隐患路段的治理".to_owned(),
    }];
    coop.responsibilities = vec![resp("其他", "发现隐患及时报告牵头部门。", Vec::new())];
    coop.accountability = vec![Accountability {
        situation: "发现隐患不报告的".to_owned(),
        basis: Vec::new(),
        parties: Vec::new(),
    }];
    items.push(ExchangeItem {
        duty: DutyKind::Cooperate { lead: id("某某县公安局") },
        content: coop,
        variant: None,
        guide: None,
    });

    let mut back = content("危险化学品经营许可", None, PowerCategory::Licensing, town);
    back.level = ExerciseLevel::Township;
    back.legal_basis = vec![LegalRef::article("危险化学品安全管理条例", 33)];
    back.responsibilities = vec![resp("受理", "受理申请。", Vec::new())];
    back.accountability = licensing_accountability();
    items.push(ExchangeItem {
        duty: DutyKind::Reclaimed { receiver: id("某某县应急管理局") },
        content: back,
        variant: None,
        guide: None,
    });
    items
}

/// The problems with a code, as (sheet, row, column).
pub fn located(imported: &Imported, code: &str) -> Vec<(String, Option<u32>, Option<String>)> {
    imported
        .problems
        .iter()
        .filter(|p| p.code == code)
        .map(|p| (p.sheet.clone(), p.row, p.column.clone()))
        .collect()
}

/// The problem at a cell, failing with the full list when there is none.
#[track_caller]
pub fn problem_at<'a>(imported: &'a Imported, sheet: &str, row: u32, code: &str) -> &'a Problem {
    imported
        .problems
        .iter()
        .find(|p| p.sheet == sheet && p.row == Some(row) && p.code == code)
        .unwrap_or_else(|| panic!("no {code} at {sheet}!{row}; problems: {:#?}", imported.problems))
}

/// Sorts items by their JSON form, to compare lists whose sheets reorder them.
pub fn sorted(items: Vec<ExchangeItem>) -> Vec<ExchangeItem> {
    let mut keyed: Vec<(String, ExchangeItem)> =
        items.into_iter().map(|i| (serde_json::to_string(&i).expect("serialisable"), i)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, i)| i).collect()
}
