//! A deterministic county-sized list for the benchmark and the memory example: realistic
//! Chinese names, law titles with article texts, multi-line 责任事项 and 追责情形, sub-items
//! under merged names, and the units that hold them.

use std::collections::BTreeSet;

use quanze_core::{
    Accountability, BaseCode, Cooperation, DutyKind, ExerciseLevel, ItemContent, LegalRef,
    PowerCategory, PowerSource, RegionCode, Responsibility, Unit, UnitId, UnitKind,
};
use quanze_exchange::ExchangeItem;

const DEPARTMENTS: [&str; 12] = [
    "市场监督管理局",
    "公安局",
    "交通运输局",
    "应急管理局",
    "自然资源和规划局",
    "农业农村局",
    "卫生健康局",
    "生态环境分局",
    "住房和城乡建设局",
    "水利局",
    "文化和旅游局",
    "教育局",
];

const LAWS: [(&str, &str); 16] = [
    ("中华人民共和国行政许可法", "行政机关应当对申请人提交的申请材料进行审查"),
    (
        "中华人民共和国行政处罚法",
        "公民、法人或者其他组织违反行政管理秩序的行为，应当给予行政处罚的",
    ),
    (
        "中华人民共和国行政强制法",
        "行政机关履行行政管理职责，依照法律、法规的规定，实施行政强制措施",
    ),
    (
        "中华人民共和国食品安全法",
        "县级以上地方人民政府食品安全监督管理部门对食品生产经营者进行监督检查",
    ),
    ("中华人民共和国土地管理法", "农村村民未经批准或者采取欺骗手段骗取批准，非法占用土地建住宅的"),
    (
        "中华人民共和国道路交通安全法",
        "道路出现坍塌、坑槽、水毁、隆起等损毁的，道路管理部门应当及时设置警示标志",
    ),
    ("中华人民共和国安全生产法", "生产经营单位应当具备本法和有关法律、行政法规规定的安全生产条件"),
    (
        "中华人民共和国森林法",
        "县级以上人民政府林业主管部门应当依法对森林资源的保护、修复、利用实施监督检查",
    ),
    (
        "中华人民共和国水法",
        "在河道管理范围内建设桥梁、码头和其他拦河、跨河、临河建筑物的，应当符合规划",
    ),
    ("中华人民共和国城乡规划法", "在乡、村庄规划区内进行乡镇企业、乡村公共设施和公益事业建设的"),
    (
        "中华人民共和国动物防疫法",
        "县级以上地方人民政府农业农村主管部门依照本法规定，对动物饲养、屠宰进行监督管理",
    ),
    (
        "中华人民共和国消防法",
        "地方各级人民政府应当加强对农村消防工作的领导，采取措施加强公共消防设施建设",
    ),
    ("危险化学品安全管理条例", "从事危险化学品经营的企业应当具备下列条件"),
    (
        "农药管理条例",
        "农药经营者应当具备下列条件，并按照国务院农业主管部门的规定向县级以上地方人民政府农业主管部门申请农药经营许可证",
    ),
    (
        "城镇排水与污水处理条例",
        "排水户向城镇排水设施排放污水，应当按照国家有关规定申请领取污水排入排水管网许可证",
    ),
    (
        "中华人民共和国环境保护法",
        "企业事业单位和其他生产经营者违法排放污染物，受到罚款处罚，被责令改正，拒不改正的",
    ),
];

const OBJECTS: [&str; 20] = [
    "食品经营者",
    "农村村民住宅建设",
    "道路运输经营",
    "危险化学品经营单位",
    "农药经营者",
    "建设工程",
    "河道采砂",
    "生猪屠宰",
    "林木采伐",
    "排水户",
    "旅游经营者",
    "民办学校",
    "燃气经营",
    "公共场所卫生",
    "医疗机构",
    "建筑施工企业",
    "矿山企业",
    "畜禽养殖场",
    "网吧经营者",
    "校外培训机构",
];

const ACTIONS: [(&str, PowerCategory); 8] = [
    ("许可", PowerCategory::Licensing),
    ("违法行为的处罚", PowerCategory::Penalty),
    ("查封、扣押", PowerCategory::CoerciveMeasure),
    ("监督检查", PowerCategory::Inspection),
    ("资格确认", PowerCategory::Confirmation),
    ("奖励", PowerCategory::Reward),
    ("补助发放", PowerCategory::Benefit),
    ("备案", PowerCategory::Other),
];

const STAGES: [(&str, &str); 5] = [
    (
        "受理",
        "公示依法应当提交的材料；一次性告知补正材料；依法受理或不予受理（不予受理的应当告知理由）",
    ),
    ("审查", "对申请材料进行审查，提出审查意见；需要现场核查的，组织现场核查"),
    (
        "决定",
        "作出准予或不予的决定，不予的应当书面告知理由并告知申请人享有依法申请行政复议或者提起行政诉讼的权利",
    ),
    ("送达", "准予的，在法定期限内制发证件并送达；信息公开"),
    (
        "事后监管",
        "建立实施监督检查的运行机制和管理制度，开展定期和不定期检查，依法采取相关处置措施",
    ),
];

/// A tiny xorshift generator: the same list on every machine, with no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

pub fn units() -> Vec<Unit> {
    let mut names: Vec<(String, UnitKind)> =
        DEPARTMENTS.iter().map(|d| (format!("某某县{d}"), UnitKind::Department)).collect();
    names.extend((1..=20).map(|i| (format!("某某县第{i}镇人民政府"), UnitKind::Township)));
    names
        .into_iter()
        .enumerate()
        .map(|(i, (name, kind))| Unit {
            id: UnitId::from_uuid(uuid::Uuid::from_u128(i as u128 + 1)),
            name,
            kind,
            region: RegionCode::parse("320281").expect("valid region code"),
            credit_code: None,
            parent: None,
            tags: BTreeSet::new(),
        })
        .collect()
}

/// `rows` items, a third of them sub-items of a main item.
pub fn list(rows: usize) -> Vec<ExchangeItem> {
    let unit_ids: Vec<UnitId> = units().iter().map(|u| u.id).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut items = Vec::with_capacity(rows);
    let mut main_no = 0u32;
    while items.len() < rows {
        main_no += 1;
        let object = rng.pick(&OBJECTS);
        let (action, category) = rng.pick(&ACTIONS);
        let name = format!("对{object}的{action}（第{main_no}项）");
        let holder = rng.pick(&unit_ids);
        let subs = if rng.next().is_multiple_of(3) { 2 + (rng.next() % 3) as usize } else { 1 };
        for k in 0..subs {
            if items.len() == rows {
                break;
            }
            let (law, text) = rng.pick(&LAWS);
            let article = 10 + (rng.next() % 120) as u32;
            let legal_basis = vec![
                LegalRef {
                    quote: Some(format!("{text}，{object}应当依照本条规定办理。")),
                    ..LegalRef::article(law, article)
                },
                LegalRef::article(rng.pick(&LAWS).0, 1 + (rng.next() % 90) as u32),
            ];
            let n_stages = 3 + (rng.next() % 3) as usize;
            let responsibilities = STAGES[..n_stages]
                .iter()
                .map(|(stage, content)| Responsibility {
                    stage: (*stage).to_owned(),
                    content: format!("{content}。"),
                    basis: vec![LegalRef::article(law, article + 1)],
                })
                .collect();
            let accountability = vec![
                Accountability {
                    situation: format!("对符合法定条件的{object}申请不予受理的"),
                    basis: vec![LegalRef::article("中华人民共和国行政许可法", 72)],
                    parties: vec!["分管负责人".to_owned(), "具体承办人".to_owned()],
                },
                Accountability {
                    situation: "玩忽职守、滥用职权、徇私舞弊的".to_owned(),
                    basis: vec![LegalRef::article("中华人民共和国行政许可法", 72)],
                    parties: vec!["分管负责人".to_owned(), "具体承办人".to_owned()],
                },
            ];
            let cooperation = if rng.next().is_multiple_of(4) {
                vec![Cooperation {
                    unit: rng.pick(&unit_ids),
                    duty: format!("负责{object}相关信息共享和协助调查"),
                }]
            } else {
                Vec::new()
            };
            let content = ItemContent {
                name: name.clone(),
                sub_item: (subs > 1).then(|| format!("{object}{action}子项{}", k + 1)),
                category,
                category_label: None,
                base_code: BaseCode::parse(&format!("{:06}001{:03}", 100_000 + main_no, k)).ok(),
                impl_code: None,
                local_code: None,
                legal_basis,
                holder,
                handling_office: Some("综合执法股".to_owned()),
                cooperation,
                source: PowerSource::Statutory,
                grant: None,
                level: ExerciseLevel::County,
                responsibilities,
                accountability,
                service: None,
                remarks: None,
            };
            items.push(ExchangeItem { duty: DutyKind::Own, content, variant: None, guide: None });
        }
    }
    items
}
