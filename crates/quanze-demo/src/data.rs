//! Data tables of the demo county: places, departments, laws and item templates.
//!
//! Law titles are real; article numbers follow the current editions named in [`LAWS`] as far as
//! they could be recalled without the texts at hand, so treat them as plausible demo data, not
//! as a legal reference.

use quanze_core::{LawLevel, PowerCategory};

/// The demo county: name and 12-digit statistical code. 安徽省滁州市 has no county with code
/// 341128, so the demo cannot be mistaken for a real county's published list.
pub const COUNTY: (&str, &str) = ("清源县", "341128000000");
/// The province above the county.
pub const PROVINCE: (&str, &str) = ("安徽省", "340000000000");
/// The city above the county.
pub const CITY: (&str, &str) = ("滁州市", "341100000000");
/// The short name used in document numbers (清编〔2024〕34号).
pub const DOC_PREFIX: &str = "清编";
/// The telephone area code of 滁州.
pub const AREA_CODE: &str = "0550";

/// Towns (镇, codes 101..), in code order, with their tags.
pub const TOWNS: [(&str, &[&str]); 12] = [
    ("古河镇", &[TAG_DEVELOPED]),
    ("白沙镇", &[]),
    ("三河镇", &[TAG_FLOOD]),
    ("柳林镇", &[]),
    ("石塘镇", &[]),
    ("桥头镇", &[TAG_DEVELOPED]),
    ("新集镇", &[TAG_DEVELOPED]),
    ("永安镇", &[]),
    ("大营镇", &[]),
    ("双庙镇", &[]),
    ("黄泥岗镇", &[]),
    ("河口镇", &[TAG_FLOOD]),
];

/// Subdistricts (街道, codes 001..).
pub const SUBDISTRICTS: [&str; 3] = ["城东街道", "城西街道", "城南街道"];

/// The tag of towns inside a flood storage area.
pub const TAG_FLOOD: &str = "蓄滞洪区";
/// The tag of economically developed towns (经济发达镇行政管理体制改革).
pub const TAG_DEVELOPED: &str = "经济发达镇";
/// The tag of vertically managed units (垂直管理: 税务, 消防救援, 气象), which the county lists
/// but does not lead ([`quanze_core::unit::TAG_VERTICAL`]).
pub const VERTICAL_DEPARTMENTS: [&str; 3] = ["税务局", "消防救援大队", "气象局"];
/// The department that receives complaints and oversees 督办 in the demo county (its 督查室),
/// tagged [`quanze_core::unit::TAG_SUPERVISING`].
pub const SUPERVISING_DEPARTMENT: &str = "人民政府办公室";
/// The department that takes complaints about the supervising department (行政执法协调监督),
/// tagged [`quanze_core::unit::TAG_OVERSIGHT`].
pub const OVERSIGHT_DEPARTMENT: &str = "司法局";
/// Items decided on set days (定期审批: a weekly joint review meeting), with their days.
pub const SESSION_ITEMS: &[(&str, &str)] =
    &[("乡村建设规划许可证核发", "每周二、周五"), ("临时用地审批", "每周四")];
/// The batch the township template's devolved penalty items were granted in.
pub const TEMPLATE_BATCH: &str = "第一批";

/// Accountable parties (追责对象) named in every accountability case.
pub const PARTIES: [&str; 4] = ["法定代表人", "分管负责人", "承办机构负责人", "具体承办人"];

// Law titles, without book-title marks.
/// 行政许可法.
pub const LICENSING_LAW: &str = "中华人民共和国行政许可法";
/// 行政处罚法.
pub const PENALTY_LAW: &str = "中华人民共和国行政处罚法";
/// 行政强制法.
pub const COERCION_LAW: &str = "中华人民共和国行政强制法";
/// 公职人员政务处分法.
pub const SANCTION_LAW: &str = "中华人民共和国公职人员政务处分法";
const FOOD: &str = "中华人民共和国食品安全法";
const DRUG: &str = "中华人民共和国药品管理法";
const PRODUCT: &str = "中华人民共和国产品质量法";
const SPECIAL_EQUIP: &str = "中华人民共和国特种设备安全法";
const ADVERT: &str = "中华人民共和国广告法";
const PRICE: &str = "中华人民共和国价格法";
const COMPETITION: &str = "中华人民共和国反不正当竞争法";
const CONSUMER: &str = "中华人民共和国消费者权益保护法";
const ROAD_TRAFFIC: &str = "中华人民共和国道路交通安全法";
const FIRE: &str = "中华人民共和国消防法";
const LAND: &str = "中华人民共和国土地管理法";
const PLANNING: &str = "中华人民共和国城乡规划法";
const ENVIRONMENT: &str = "中华人民共和国环境保护法";
const AIR: &str = "中华人民共和国大气污染防治法";
const WATER_POLLUTION: &str = "中华人民共和国水污染防治法";
const SOLID_WASTE: &str = "中华人民共和国固体废物污染环境防治法";
const EIA: &str = "中华人民共和国环境影响评价法";
const FOREST: &str = "中华人民共和国森林法";
const WATER: &str = "中华人民共和国水法";
const FLOOD: &str = "中华人民共和国防洪法";
const SOIL_WATER: &str = "中华人民共和国水土保持法";
const SAFETY: &str = "中华人民共和国安全生产法";
const BUILDING: &str = "中华人民共和国建筑法";
const QUALITY_REG: &str = "建设工程质量管理条例";
const GAS_REG: &str = "城镇燃气管理条例";
const ANIMAL: &str = "中华人民共和国动物防疫法";
const AGRI_PRODUCT: &str = "中华人民共和国农产品质量安全法";
const SEED: &str = "中华人民共和国种子法";
const PESTICIDE_REG: &str = "农药管理条例";
const PIG_REG: &str = "生猪屠宰管理条例";
const HIGHWAY: &str = "中华人民共和国公路法";
const ROAD_TRANSPORT_REG: &str = "中华人民共和国道路运输条例";
const PUBLIC_SECURITY: &str = "中华人民共和国治安管理处罚法";
const EXPLOSIVES_REG: &str = "民用爆炸物品安全管理条例";
const LABOR_INSPECTION_REG: &str = "劳动保障监察条例";
const LABOR_CONTRACT: &str = "中华人民共和国劳动合同法";
const SOCIAL_INSURANCE: &str = "中华人民共和国社会保险法";
const WORK_INJURY_REG: &str = "工伤保险条例";
const PRIVATE_EDU: &str = "中华人民共和国民办教育促进法";
const TEACHER: &str = "中华人民共和国教师法";
const MEDICAL_INST_REG: &str = "医疗机构管理条例";
const PHYSICIAN: &str = "中华人民共和国医师法";
const PUBLIC_PLACE_REG: &str = "公共场所卫生管理条例";
const OCCUPATIONAL: &str = "中华人民共和国职业病防治法";
const HAZCHEM_REG: &str = "危险化学品安全管理条例";
const FIREWORKS_REG: &str = "烟花爆竹安全管理条例";
const ENTERTAINMENT_REG: &str = "娱乐场所管理条例";
const INTERNET_CAFE_REG: &str = "互联网上网服务营业场所管理条例";
const TRAVEL_AGENCY_REG: &str = "旅行社条例";
const PERFORMANCE_REG: &str = "营业性演出管理条例";
const CITY_CLEAN_REG: &str = "城市市容和环境卫生管理条例";
const DRAINAGE_REG: &str = "城镇排水与污水处理条例";
const CITY_ROAD_REG: &str = "城市道路管理条例";
const CITY_GREEN_REG: &str = "城市绿化条例";
const STATISTICS: &str = "中华人民共和国统计法";
const AUDIT: &str = "中华人民共和国审计法";
const MEDICAL_FUND_REG: &str = "医疗保障基金使用监督管理条例";
const TAX_ADMIN: &str = "中华人民共和国税收征收管理法";
const INVOICE_RULE: &str = "中华人民共和国发票管理办法";
const METEOROLOGY: &str = "中华人民共和国气象法";
const WEATHER_DISASTER_REG: &str = "气象灾害防御条例";
const PROCUREMENT: &str = "中华人民共和国政府采购法";
const ACCOUNTING: &str = "中华人民共和国会计法";
const TENDERING: &str = "中华人民共和国招标投标法";
const ENERGY: &str = "中华人民共和国节约能源法";
const INVEST_REG: &str = "企业投资项目核准和备案管理条例";
const GRAIN_REG: &str = "粮食流通管理条例";
const SOCIAL_ORG_REG: &str = "社会团体登记管理条例";
const ELDERLY_CARE_RULE: &str = "养老机构管理办法";
const FUNERAL_REG: &str = "殡葬管理条例";
const MARRIAGE_REG: &str = "婚姻登记条例";
const RELIEF_REG: &str = "社会救助暂行办法";
const LAWYER: &str = "中华人民共和国律师法";
const LEGAL_AID: &str = "中华人民共和国法律援助法";
const MEDIATION: &str = "中华人民共和国人民调解法";
const PREPAID_CARD_RULE: &str = "单用途商业预付卡管理办法（试行）";
const SCRAP_VEHICLE_REG: &str = "报废机动车回收管理办法";
const VETERAN: &str = "中华人民共和国退役军人保障法";
const PENSION_REG: &str = "军人抚恤优待条例";
const MINING: &str = "中华人民共和国矿产资源法";
const REAL_ESTATE_REG: &str = "不动产登记暂行条例";
const WILDLIFE: &str = "中华人民共和国野生动物保护法";
const FOREST_FIRE_REG: &str = "森林防火条例";
const HOUSING_ADMIN: &str = "中华人民共和国城市房地产管理法";
const PROPERTY_MGMT_REG: &str = "物业管理条例";
const CONSTRUCTION_SAFETY_REG: &str = "建设工程安全生产管理条例";
const RIVER_REG: &str = "中华人民共和国河道管理条例";
const GOV_INFO_REG: &str = "中华人民共和国政府信息公开条例";
const RECONSIDERATION: &str = "中华人民共和国行政复议法";
const VILLAGE_COMMITTEE: &str = "中华人民共和国村民委员会组织法";
const EMERGENCY: &str = "中华人民共和国突发事件应对法";
const MILITARY_SERVICE: &str = "中华人民共和国兵役法";
const MARKET_ENTITY_REG: &str = "中华人民共和国市场主体登记管理条例";
const INDIVIDUAL_BIZ_REG: &str = "促进个体工商户发展条例";
const ID_CARD: &str = "中华人民共和国居民身份证法";
const HUKOU_REG: &str = "中华人民共和国户口登记条例";

/// Every law or regulation cited, with the edition note shown after its title.
pub const LAWS: &[(&str, &str)] = &[
    (LICENSING_LAW, "2019年修正"),
    (PENALTY_LAW, "2021年修订"),
    (COERCION_LAW, "2011年"),
    (SANCTION_LAW, "2020年"),
    (FOOD, "2021年修正"),
    (DRUG, "2019年修订"),
    (PRODUCT, "2018年修正"),
    (SPECIAL_EQUIP, "2013年"),
    (ADVERT, "2021年修正"),
    (PRICE, "1997年"),
    (COMPETITION, "2019年修正"),
    (CONSUMER, "2013年修正"),
    (ROAD_TRAFFIC, "2021年修正"),
    (FIRE, "2021年修正"),
    (LAND, "2019年修正"),
    (PLANNING, "2019年修正"),
    (ENVIRONMENT, "2014年修订"),
    (AIR, "2018年修正"),
    (WATER_POLLUTION, "2017年修正"),
    (SOLID_WASTE, "2020年修订"),
    (EIA, "2018年修正"),
    (FOREST, "2019年修订"),
    (WATER, "2016年修正"),
    (FLOOD, "2016年修正"),
    (SOIL_WATER, "2010年修订"),
    (SAFETY, "2021年修正"),
    (BUILDING, "2019年修正"),
    (QUALITY_REG, "2019年修订"),
    (GAS_REG, "2016年修订"),
    (ANIMAL, "2021年修订"),
    (AGRI_PRODUCT, "2022年修订"),
    (SEED, "2021年修正"),
    (PESTICIDE_REG, "2022年修订"),
    (PIG_REG, "2021年修订"),
    (HIGHWAY, "2017年修正"),
    (ROAD_TRANSPORT_REG, "2023年修订"),
    (PUBLIC_SECURITY, "2012年修正"),
    (EXPLOSIVES_REG, "2014年修订"),
    (LABOR_INSPECTION_REG, "2004年"),
    (LABOR_CONTRACT, "2012年修正"),
    (SOCIAL_INSURANCE, "2018年修正"),
    (WORK_INJURY_REG, "2010年修订"),
    (PRIVATE_EDU, "2018年修正"),
    (TEACHER, "2009年修正"),
    (MEDICAL_INST_REG, "2022年修订"),
    (PHYSICIAN, "2021年"),
    (PUBLIC_PLACE_REG, "2019年修订"),
    (OCCUPATIONAL, "2018年修正"),
    (HAZCHEM_REG, "2013年修订"),
    (FIREWORKS_REG, "2016年修订"),
    (ENTERTAINMENT_REG, "2020年修订"),
    (INTERNET_CAFE_REG, "2022年修订"),
    (TRAVEL_AGENCY_REG, "2020年修订"),
    (PERFORMANCE_REG, "2020年修订"),
    (CITY_CLEAN_REG, "2017年修订"),
    (DRAINAGE_REG, "2013年"),
    (CITY_ROAD_REG, "2019年修订"),
    (CITY_GREEN_REG, "2017年修订"),
    (STATISTICS, "2024年修正"),
    (AUDIT, "2021年修正"),
    (MEDICAL_FUND_REG, "2021年"),
    (TAX_ADMIN, "2015年修正"),
    (INVOICE_RULE, "2023年修订"),
    (METEOROLOGY, "2016年修正"),
    (WEATHER_DISASTER_REG, "2017年修订"),
    (PROCUREMENT, "2014年修正"),
    (ACCOUNTING, "2024年修正"),
    (TENDERING, "2017年修正"),
    (ENERGY, "2018年修正"),
    (INVEST_REG, "2016年"),
    (GRAIN_REG, "2021年修订"),
    (SOCIAL_ORG_REG, "2016年修订"),
    (ELDERLY_CARE_RULE, "2020年"),
    (FUNERAL_REG, "2012年修订"),
    (MARRIAGE_REG, "2025年修订"),
    (RELIEF_REG, "2019年修订"),
    (LAWYER, "2017年修正"),
    (LEGAL_AID, "2021年"),
    (MEDIATION, "2010年"),
    (PREPAID_CARD_RULE, "2016年修订"),
    (SCRAP_VEHICLE_REG, "2019年"),
    (VETERAN, "2020年"),
    (PENSION_REG, "2024年修订"),
    (MINING, "2009年修正"),
    (REAL_ESTATE_REG, "2024年修订"),
    (WILDLIFE, "2022年修订"),
    (FOREST_FIRE_REG, "2008年修订"),
    (HOUSING_ADMIN, "2019年修正"),
    (PROPERTY_MGMT_REG, "2018年修订"),
    (CONSTRUCTION_SAFETY_REG, "2003年"),
    (RIVER_REG, "2018年修订"),
    (GOV_INFO_REG, "2019年修订"),
    (RECONSIDERATION, "2023年修订"),
    (VILLAGE_COMMITTEE, "2018年修正"),
    (EMERGENCY, "2024年修订"),
    (MILITARY_SERVICE, "2021年修订"),
    (MARKET_ENTITY_REG, "2021年"),
    (INDIVIDUAL_BIZ_REG, "2022年"),
    (ID_CARD, "2011年修正"),
    (HUKOU_REG, "1958年"),
];

/// The rank and issuer of a cited law (设定权 depends on the rank): a title ending in 条例 is a
/// 行政法规 of the 国务院 except the 户口登记条例 (adopted by the NPC Standing Committee, a
/// 法律); the 办法 the 国务院 issued by 国务院令 are 行政法规; the two ministry orders are
/// 部门规章; the rest are 法律.
pub fn law_rank(title: &str) -> (LawLevel, &'static str) {
    const NPC: &str = "全国人民代表大会常务委员会";
    match title {
        HUKOU_REG => (LawLevel::Law, NPC),
        ELDERLY_CARE_RULE => (LawLevel::DepartmentalRule, "民政部"),
        PREPAID_CARD_RULE => (LawLevel::DepartmentalRule, "商务部"),
        INVOICE_RULE | RELIEF_REG | SCRAP_VEHICLE_REG => {
            (LawLevel::AdministrativeRegulation, "国务院")
        }
        t if t.ends_with("条例") => (LawLevel::AdministrativeRegulation, "国务院"),
        _ => (LawLevel::Law, NPC),
    }
}

/// Items resting on more than one law: the item's name and the further law and article cited
/// after its main basis.
pub const FURTHER_BASIS: &[(&str, &str, u32)] = &[("个体工商户登记", INDIVIDUAL_BIZ_REG, 2)];

/// Which subjects of a penalty family a violation can concern: a violation not listed here
/// concerns every subject of its family; one listed concerns only the subjects named (none: no
/// item), so that crossing subjects with violations makes no impossible item (a patient who
/// 分解住院, a 医师 punished for 非医师行医).
pub const ONLY_FOR: &[(&str, &[&str])] = &[
    ("必须进行招标的项目而不招标", &["招标人"]),
    ("以不合理的条件限制或者排斥潜在投标人", &["招标人", "招标代理机构"]),
    ("泄露应当保密的与招标投标活动有关的情况和资料", &["招标人", "招标代理机构", "评标委员会成员"]),
    ("相互串通投标或者与招标人串通投标", &["投标人"]),
    ("以他人名义投标或者以其他方式弄虚作假骗取中标", &["投标人"]),
    ("在确定中标人前与投标人就投标价格等实质性内容进行谈判", &["招标人"]),
    ("将中标项目转让给他人", &["中标人"]),
    ("旅馆业工作人员对住宿的旅客不按规定登记", &["违反治安管理的旅馆业经营者"]),
    ("房屋出租人将房屋出租给无身份证件的人居住", &["违反治安管理的出租房屋出租人"]),
    ("散布谣言，谎报险情、疫情、警情", &["违反治安管理的个人"]),
    ("结伙斗殴或者寻衅滋事", &["违反治安管理的个人"]),
    ("非法携带枪支、弹药或者弩、匕首等国家规定的管制器具", &["违反治安管理的个人"]),
    ("殴打他人或者故意伤害他人身体", &["违反治安管理的个人"]),
    ("盗窃、诈骗、哄抢、抢夺、敲诈勒索", &["违反治安管理的个人"]),
    ("冒充国家机关工作人员招摇撞骗", &["违反治安管理的个人"]),
    ("卖淫、嫖娼", &["违反治安管理的个人"]),
    ("参与赌博赌资较大", &["违反治安管理的个人"]),
    ("非法种植罂粟不满五百株", &["违反治安管理的个人"]),
    ("非法侵入他人住宅或者非法搜查他人身体、住宅", &["违反治安管理的个人"]),
    ("偷开他人机动车", &["违反治安管理的个人"]),
    ("饲养动物干扰他人正常生活", &["违反治安管理的个人"]),
    (
        "饮酒后驾驶机动车",
        &["机动车驾驶人", "营运客车驾驶人", "校车驾驶人", "危险物品运输车辆驾驶人"],
    ),
    ("公路客运车辆载客超过额定乘员", &["营运客车驾驶人"]),
    ("违反规定停放、临时停车妨碍其他车辆和行人通行", &["机动车驾驶人", "非机动车驾驶人"]),
    ("未按照国家规定投保机动车第三者责任强制保险", &["机动车所有人、管理人"]),
    ("未取得机动车驾驶证或者机动车驾驶证被吊销、暂扣期间驾驶机动车", &["机动车驾驶人"]),
    ("不办理社会保险登记", &["用人单位"]),
    ("以欺诈、伪造证明材料或者其他手段骗取社会保险待遇", &["参保人员"]),
    ("骗取社会保险基金支出", &["医疗机构", "药品经营单位"]),
    ("分解住院、挂床住院", &["定点医药机构", "定点医疗机构"]),
    ("违反诊疗规范过度诊疗、过度检查", &["定点医药机构", "定点医疗机构", "医保医师"]),
    ("重复收费、超标准收费、分解项目收费", &["定点医药机构", "定点零售药店", "定点医疗机构"]),
    ("串换药品、医用耗材、诊疗项目和服务设施", &["定点医药机构", "定点零售药店", "定点医疗机构"]),
    (
        "诱导、协助他人冒名或者虚假就医、购药",
        &["定点医药机构", "定点零售药店", "定点医疗机构", "医保医师"],
    ),
    (
        "伪造、变造、隐匿、涂改、销毁医学文书、医学证明",
        &["定点医药机构", "定点医疗机构", "医保医师"],
    ),
    ("将本人的医疗保障凭证交由他人冒名使用", &["参保人员"]),
    (
        "未按照规定保管财务账目、会计凭证、处方、病历",
        &["定点医药机构", "定点零售药店", "定点医疗机构"],
    ),
    ("同时在两个以上律师事务所执业", &["律师"]),
    ("违反规定会见法官、检察官、仲裁员", &["律师"]),
    ("在同一案件中为双方当事人担任代理人", &["律师", "基层法律服务工作者"]),
    ("私自接受委托、收取费用", &["律师", "基层法律服务工作者"]),
    ("非医师行医", &[]),
    (
        "未履行安全生产管理职责导致发生生产安全事故",
        &["生产经营单位的主要负责人", "生产经营单位的其他负责人和安全生产管理人员"],
    ),
    ("公众聚集场所未经消防安全检查擅自投入使用、营业", &["公众聚集场所", "商场市场", "宾馆饭店"]),
    ("生产经营未按规定注册的保健食品、特殊医学用途配方食品", &["食品生产者", "食品经营者"]),
    (
        "经营病死、毒死或者死因不明的禽、畜、兽、水产动物肉类",
        &["食品经营者", "餐饮服务提供者", "食品小作坊", "食品摊贩"],
    ),
];

/// Whether a violation of a penalty family can concern `subject` (see [`ONLY_FOR`]).
pub fn concerns(subject: &str, violation: &str) -> bool {
    match ONLY_FOR.iter().find(|(v, _)| *v == violation) {
        Some((_, subjects)) => subjects.contains(&subject),
        None => true,
    }
}

/// Subjects of a family that are persons in office, not the regulated unit: the unit's
/// violations other than those [`ONLY_FOR`] names for them do not concern them.
const PERSONS: [&str; 2] =
    ["生产经营单位的主要负责人", "生产经营单位的其他负责人和安全生产管理人员"];

/// Whether a penalty item for `subject` and `violation` can exist: the violation concerns the
/// subject, and a person in office is punished only for what names them.
pub fn possible(subject: &str, violation: &str) -> bool {
    let listed = ONLY_FOR.iter().any(|(v, _)| *v == violation);
    concerns(subject, violation) && (listed || !PERSONS.contains(&subject))
}

/// One power named in full: category, name, optional sub-items, and its legal basis.
/// `limits` are the statutory and committed limits in working days for service items
/// (`(0, 0)` takes the category's default).
#[derive(Debug, Clone, Copy)]
pub struct Power {
    /// 事项类型.
    pub category: PowerCategory,
    /// 事项名称.
    pub name: &'static str,
    /// 子项; each becomes an item of its own.
    pub subs: &'static [&'static str],
    /// The law it rests on.
    pub law: &'static str,
    /// The article.
    pub article: u32,
    /// Statutory and committed limits in working days (service items only).
    pub limits: (u32, u32),
}

const fn pw(category: PowerCategory, name: &'static str, law: &'static str, article: u32) -> Power {
    Power { category, name, subs: &[], law, article, limits: (0, 0) }
}

const fn lic(name: &'static str, law: &'static str, article: u32, limits: (u32, u32)) -> Power {
    Power { category: PowerCategory::Licensing, name, subs: &[], law, article, limits }
}

const fn subs(mut power: Power, subs: &'static [&'static str]) -> Power {
    power.subs = subs;
    power
}

/// A family of penalties under one law: every subject crossed with every violation, plus an
/// inspection item per subject and an optional coercive measure.
#[derive(Debug, Clone, Copy)]
pub struct PenaltyGroup {
    /// The law.
    pub law: &'static str,
    /// Who is regulated (食品经营者, 建设单位 …).
    pub subjects: &'static [&'static str],
    /// Violations with the article that punishes them.
    pub violations: &'static [(&'static str, u32)],
    /// The article granting inspection powers (0: no inspection item).
    pub inspect: u32,
    /// A coercive measure under the law (name, article).
    pub coerce: Option<(&'static str, u32)>,
    /// Whether the penalties are published as sub-items of one main item per subject.
    pub sub_items: bool,
}

/// A county department: its name (without the county), main handling office, whether
/// townships take over some of its penalties, its powers and its penalty families.
#[derive(Debug, Clone, Copy)]
pub struct DeptSpec {
    /// Name after the county name, e.g. 市场监督管理局.
    pub name: &'static str,
    /// The main handling office (承办机构).
    pub office: &'static str,
    /// Whether its penalties are candidates for devolution to townships.
    pub devolvable: bool,
    /// Powers listed one by one.
    pub powers: &'static [Power],
    /// Penalty families.
    pub groups: &'static [PenaltyGroup],
}

use PowerCategory as C;

/// The county departments, in listing order.
pub const DEPARTMENTS: &[DeptSpec] = &[
    DeptSpec {
        name: "人民政府办公室",
        office: "政务公开办公室",
        devolvable: false,
        powers: &[
            pw(C::Other, "政府信息公开申请答复", GOV_INFO_REG, 33),
            pw(C::Other, "对行政机关政府信息公开工作的监督检查", GOV_INFO_REG, 47),
            pw(C::PublicService, "政务服务“好差评”差评核实整改", GOV_INFO_REG, 51),
            pw(C::Other, "突发事件应急预案的制定与组织实施", EMERGENCY, 26),
            pw(C::Other, "对村民委员会选举工作的指导", VILLAGE_COMMITTEE, 4),
        ],
        groups: &[],
    },
    DeptSpec {
        name: "发展和改革局",
        office: "投资科",
        devolvable: false,
        powers: &[
            lic("企业投资项目核准", INVEST_REG, 3, (20, 10)),
            lic("固定资产投资项目节能审查", ENERGY, 15, (20, 10)),
            pw(C::Other, "企业投资项目备案", INVEST_REG, 13),
            pw(C::Other, "政府投资项目审批", INVEST_REG, 3),
            pw(C::Reward, "对节能工作成绩显著的单位和个人的表彰奖励", ENERGY, 67),
            pw(C::Confirmation, "粮食收购企业备案", GRAIN_REG, 9),
        ],
        groups: &[
            PenaltyGroup {
                law: TENDERING,
                subjects: &["招标人", "投标人", "招标代理机构", "评标委员会成员", "中标人"],
                violations: &[
                    ("必须进行招标的项目而不招标", 49),
                    ("以不合理的条件限制或者排斥潜在投标人", 51),
                    ("泄露应当保密的与招标投标活动有关的情况和资料", 52),
                    ("相互串通投标或者与招标人串通投标", 53),
                    ("以他人名义投标或者以其他方式弄虚作假骗取中标", 54),
                    ("在确定中标人前与投标人就投标价格等实质性内容进行谈判", 55),
                    ("将中标项目转让给他人", 58),
                ],
                inspect: 7,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: ENERGY,
                subjects: &["用能单位", "重点用能单位", "固定资产投资项目建设单位"],
                violations: &[
                    ("开工建设不符合强制性节能标准的项目", 68),
                    ("使用国家明令淘汰的用能设备或者生产工艺", 71),
                    ("未按照规定报送能源利用状况报告", 82),
                    ("无正当理由拒不落实整改要求或者整改没有达到要求", 83),
                    ("未按照规定设立能源管理岗位聘任能源管理负责人", 84),
                ],
                inspect: 12,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: GRAIN_REG,
                subjects: &["粮食收购企业", "粮食储存企业", "粮食加工企业", "粮食销售企业"],
                violations: &[
                    ("未按照规定备案或者提供虚假备案信息", 40),
                    ("未执行国家粮食质量标准", 41),
                    ("未按照规定建立粮食经营台账", 43),
                    ("拒不执行或者违反粮食应急处置措施", 45),
                ],
                inspect: 31,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "教育局",
        office: "政策法规股",
        devolvable: false,
        powers: &[
            lic(
                "实施中等及中等以下学历教育、学前教育、自学考试助学及其他文化教育的民办学校设立、变更、终止审批",
                PRIVATE_EDU,
                12,
                (90, 60),
            ),
            lic("教师资格认定", TEACHER, 13, (60, 30)),
            pw(C::Benefit, "中等职业学校国家助学金发放", PRIVATE_EDU, 46),
            pw(C::Benefit, "普通高中国家助学金发放", PRIVATE_EDU, 46),
            pw(C::Benefit, "学前教育幼儿资助", PRIVATE_EDU, 46),
            pw(C::Reward, "对教师和教育工作者的表彰奖励", TEACHER, 33),
            pw(C::PublicService, "适龄儿童少年入学服务", TEACHER, 7),
            pw(C::Other, "教师资格定期注册", TEACHER, 13),
        ],
        groups: &[
            PenaltyGroup {
                law: PRIVATE_EDU,
                subjects: &[
                    "民办学校",
                    "民办幼儿园",
                    "民办培训机构",
                    "民办职业培训机构",
                    "中外合作办学机构",
                ],
                violations: &[
                    ("擅自分立、合并民办学校", 62),
                    ("擅自改变民办学校名称、层次、类别和举办者", 62),
                    ("发布虚假招生简章或者广告骗取钱财", 62),
                    ("非法颁发或者伪造学历证书、结业证书、培训证书、职业资格证书", 62),
                    ("管理混乱严重影响教育教学产生恶劣社会影响", 62),
                    ("提交虚假证明文件或者采取其他欺诈手段隐瞒重要事实骗取办学许可证", 62),
                    ("伪造、变造、买卖、出租、出借办学许可证", 62),
                    ("恶意终止办学、抽逃资金或者挪用办学经费", 62),
                ],
                inspect: 40,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: TEACHER,
                subjects: &["教师"],
                violations: &[
                    ("弄虚作假、骗取教师资格", 35),
                    ("品行不良、侮辱学生影响恶劣", 37),
                    ("体罚学生经教育不改", 37),
                ],
                inspect: 0,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "公安局",
        office: "法制大队",
        devolvable: false,
        powers: &[
            lic("民用爆炸物品购买许可", EXPLOSIVES_REG, 21, (5, 3)),
            lic("民用爆炸物品运输许可", EXPLOSIVES_REG, 26, (3, 2)),
            lic("爆破作业单位许可证（非营业性）核发", EXPLOSIVES_REG, 31, (20, 10)),
            lic("烟花爆竹道路运输许可", FIREWORKS_REG, 22, (3, 1)),
            lic("焰火晚会烟花爆竹燃放许可", FIREWORKS_REG, 31, (20, 10)),
            lic("大型群众性活动安全许可", PUBLIC_SECURITY, 39, (7, 5)),
            lic("剧毒化学品购买许可", HAZCHEM_REG, 39, (3, 2)),
            lic("剧毒化学品道路运输通行许可", HAZCHEM_REG, 50, (7, 5)),
            lic("机动车驾驶证核发、审验", ROAD_TRAFFIC, 19, (5, 1)),
            subs(
                pw(C::Confirmation, "户口登记", HUKOU_REG, 3),
                &["出生登记", "死亡注销", "户口迁移", "户口项目变更更正", "立户分户"],
            ),
            pw(C::Confirmation, "居民身份证申领、换领、补领", ID_CARD, 8),
            subs(
                pw(C::Confirmation, "机动车登记", ROAD_TRAFFIC, 8),
                &["注册登记", "变更登记", "转让登记", "抵押登记", "注销登记"],
            ),
            pw(C::CoerciveMeasure, "对违法机动车的扣留", ROAD_TRAFFIC, 96),
            pw(C::CoerciveMeasure, "对饮酒后驾驶机动车的驾驶人的约束至酒醒", ROAD_TRAFFIC, 91),
            pw(C::CoerciveMeasure, "强制拖移违法停放的机动车", ROAD_TRAFFIC, 93),
            pw(C::Adjudication, "交通事故损害赔偿争议调解", ROAD_TRAFFIC, 74),
            pw(C::Reward, "对见义勇为人员的表彰奖励", PUBLIC_SECURITY, 9),
        ],
        groups: &[
            PenaltyGroup {
                law: PUBLIC_SECURITY,
                subjects: &[
                    "违反治安管理的个人",
                    "违反治安管理的单位",
                    "违反治安管理的旅馆业经营者",
                    "违反治安管理的娱乐场所经营者",
                    "违反治安管理的出租房屋出租人",
                    "违反治安管理的公共场所经营管理者",
                ],
                violations: &[
                    ("扰乱机关、团体、企业、事业单位秩序", 23),
                    ("扰乱车站、港口、码头、机场、商场等公共场所秩序", 23),
                    ("扰乱文化、体育等大型群众性活动秩序", 24),
                    ("散布谣言，谎报险情、疫情、警情", 25),
                    ("结伙斗殴或者寻衅滋事", 26),
                    ("非法携带枪支、弹药或者弩、匕首等国家规定的管制器具", 32),
                    ("盗窃、损毁公共设施", 33),
                    ("殴打他人或者故意伤害他人身体", 43),
                    ("盗窃、诈骗、哄抢、抢夺、敲诈勒索", 49),
                    ("拒不执行人民政府在紧急状态情况下依法发布的决定、命令", 50),
                    ("冒充国家机关工作人员招摇撞骗", 51),
                    ("伪造、变造或者买卖国家机关公文、证件、证明文件、印章", 52),
                    ("旅馆业工作人员对住宿的旅客不按规定登记", 56),
                    ("房屋出租人将房屋出租给无身份证件的人居住", 57),
                    ("制造噪声干扰他人正常生活", 58),
                    ("卖淫、嫖娼", 66),
                    ("参与赌博赌资较大", 70),
                    ("非法种植罂粟不满五百株", 71),
                    ("违反国家规定故意干扰无线电业务正常进行", 28),
                    ("非法侵入他人住宅或者非法搜查他人身体、住宅", 40),
                    ("偷开他人机动车", 64),
                    ("饲养动物干扰他人正常生活", 75),
                ],
                inspect: 0,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: ROAD_TRAFFIC,
                subjects: &[
                    "机动车驾驶人",
                    "机动车所有人、管理人",
                    "非机动车驾驶人",
                    "营运客车驾驶人",
                    "校车驾驶人",
                    "危险物品运输车辆驾驶人",
                ],
                violations: &[
                    ("违反道路通行规定", 90),
                    ("饮酒后驾驶机动车", 91),
                    ("公路客运车辆载客超过额定乘员", 92),
                    ("违反规定停放、临时停车妨碍其他车辆和行人通行", 93),
                    ("上道路行驶的机动车未悬挂机动车号牌或者未放置检验合格标志、保险标志", 95),
                    ("伪造、变造或者使用伪造、变造的机动车登记证书、号牌、行驶证、驾驶证", 96),
                    ("未按照国家规定投保机动车第三者责任强制保险", 98),
                    ("未取得机动车驾驶证或者机动车驾驶证被吊销、暂扣期间驾驶机动车", 99),
                ],
                inspect: 0,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: EXPLOSIVES_REG,
                subjects: &["民用爆炸物品使用单位", "民用爆炸物品储存单位", "爆破作业单位"],
                violations: &[
                    ("未经许可购买、运输民用爆炸物品", 44),
                    ("违反储存规定储存民用爆炸物品", 49),
                    ("未按照规定建立民用爆炸物品登记制度", 46),
                    ("丢失、被盗、被抢民用爆炸物品未按照规定报告", 50),
                    ("非法转让、出借、转借、抵押、赠送民用爆炸物品", 51),
                ],
                inspect: 42,
                coerce: Some(("扣押非法民用爆炸物品及违法生产、储存、运输的工具设备", 42)),
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "民政局",
        office: "社会救助股",
        devolvable: false,
        powers: &[
            subs(
                lic("社会团体登记", SOCIAL_ORG_REG, 9, (60, 30)),
                &["成立登记", "变更登记", "注销登记"],
            ),
            subs(
                lic("民办非企业单位登记", SOCIAL_ORG_REG, 9, (30, 20)),
                &["成立登记", "变更登记", "注销登记"],
            ),
            subs(
                pw(C::Confirmation, "婚姻登记", MARRIAGE_REG, 2),
                &["内地居民结婚登记", "内地居民离婚登记", "补领婚姻登记证"],
            ),
            pw(C::Benefit, "最低生活保障金给付", RELIEF_REG, 9),
            pw(C::Benefit, "特困人员救助供养", RELIEF_REG, 14),
            pw(C::Benefit, "临时救助金给付", RELIEF_REG, 47),
            pw(C::Benefit, "孤儿基本生活保障金给付", RELIEF_REG, 2),
            pw(C::Benefit, "困难残疾人生活补贴和重度残疾人护理补贴发放", RELIEF_REG, 2),
            pw(C::Benefit, "高龄津贴发放", ELDERLY_CARE_RULE, 3),
            pw(C::Confirmation, "养老机构备案", ELDERLY_CARE_RULE, 9),
            pw(C::Confirmation, "最低生活保障对象认定", RELIEF_REG, 11),
        ],
        groups: &[
            PenaltyGroup {
                law: SOCIAL_ORG_REG,
                subjects: &["社会团体", "民办非企业单位", "基金会", "社会服务机构"],
                violations: &[
                    ("在申请登记时弄虚作假骗取登记", 29),
                    ("涂改、出租、出借登记证书或者出租、出借印章", 30),
                    ("超出章程规定的宗旨和业务范围进行活动", 30),
                    ("拒不接受或者不按照规定接受监督检查", 30),
                    ("不按照规定办理变更登记", 30),
                    ("违反规定设立分支机构、代表机构", 30),
                    ("从事营利性的经营活动", 30),
                    ("侵占、私分、挪用资产或者所接受的捐赠、资助", 30),
                ],
                inspect: 24,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: ELDERLY_CARE_RULE,
                subjects: &["养老机构", "医养结合机构", "农村敬老院", "社区养老服务机构"],
                violations: &[
                    ("未建立入院评估制度或者未按照规定开展评估活动", 46),
                    ("未与老年人或者其代理人签订服务协议", 46),
                    ("未按照有关强制性国家标准提供服务", 46),
                    ("工作人员的资格不符合规定", 46),
                    ("利用养老机构的房屋、场地、设施开展与养老服务宗旨无关的活动", 46),
                    ("歧视、侮辱、虐待老年人以及其他侵害老年人人身和财产权益", 46),
                ],
                inspect: 39,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: FUNERAL_REG,
                subjects: &["殡仪服务单位", "墓地经营者", "殡葬用品经营者"],
                violations: &[
                    ("未经批准擅自兴建殡葬设施", 18),
                    ("墓穴占地面积超过省级人民政府规定的标准", 19),
                    ("制造、销售不符合国家技术标准的殡葬设备", 22),
                    ("制造、销售封建迷信殡葬用品", 22),
                ],
                inspect: 4,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "司法局",
        office: "公共法律服务管理股",
        devolvable: false,
        powers: &[
            pw(C::Benefit, "法律援助", LEGAL_AID, 41),
            pw(C::Confirmation, "基层法律服务工作者执业核准", LAWYER, 4),
            pw(C::Other, "人民调解员的选聘与培训", MEDIATION, 14),
            pw(C::Other, "行政复议", RECONSIDERATION, 4),
            pw(C::Other, "行政规范性文件合法性审核", RECONSIDERATION, 13),
            pw(C::PublicService, "公共法律服务咨询", LEGAL_AID, 20),
            pw(C::Reward, "对人民调解委员会和人民调解员的表彰奖励", MEDIATION, 6),
        ],
        groups: &[
            PenaltyGroup {
                law: LAWYER,
                subjects: &["律师", "律师事务所", "基层法律服务工作者"],
                violations: &[
                    ("同时在两个以上律师事务所执业", 47),
                    ("以不正当手段承揽业务", 47),
                    ("在同一案件中为双方当事人担任代理人", 47),
                    ("私自接受委托、收取费用", 48),
                    ("违反规定会见法官、检察官、仲裁员", 49),
                    ("泄露商业秘密或者个人隐私", 48),
                ],
                inspect: 4,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: LEGAL_AID,
                subjects: &["法律援助人员"],
                violations: &[
                    ("无正当理由拒绝履行法律援助义务或者怠于履行法律援助义务", 63),
                    ("擅自终止提供法律援助", 63),
                    ("收取受援人财物", 63),
                ],
                inspect: 59,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "财政局",
        office: "政府采购监督管理股",
        devolvable: false,
        powers: &[
            pw(C::Adjudication, "政府采购投诉处理", PROCUREMENT, 55),
            pw(C::Other, "政府采购方式变更审批", PROCUREMENT, 27),
            pw(C::Other, "代理记账机构审批", ACCOUNTING, 36),
            pw(C::Reward, "对会计工作先进个人的表彰奖励", ACCOUNTING, 6),
        ],
        groups: &[
            PenaltyGroup {
                law: PROCUREMENT,
                subjects: &["采购人", "采购代理机构", "供应商", "评审专家"],
                violations: &[
                    ("应当采用公开招标方式而擅自采用其他方式采购", 71),
                    ("擅自提高采购标准", 71),
                    ("以不合理的条件对供应商实行差别待遇或者歧视待遇", 71),
                    ("与供应商或者采购代理机构恶意串通", 72),
                    ("提供虚假材料谋取中标、成交", 77),
                    ("向采购人、采购代理机构行贿或者提供其他不正当利益", 77),
                    ("隐匿、销毁应当保存的采购文件", 76),
                ],
                inspect: 59,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: ACCOUNTING,
                subjects: &["单位", "会计人员", "代理记账机构"],
                violations: &[
                    ("不依法设置会计账簿", 41),
                    ("私设会计账簿", 41),
                    ("未按照规定填制、取得原始凭证", 41),
                    ("伪造、变造会计凭证、会计账簿，编制虚假财务会计报告", 42),
                    ("隐匿或者故意销毁依法应当保存的会计资料", 42),
                ],
                inspect: 34,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "人力资源和社会保障局",
        office: "劳动保障监察大队",
        devolvable: true,
        powers: &[
            lic("劳务派遣经营许可", LABOR_CONTRACT, 57, (20, 10)),
            lic("人力资源服务许可", LABOR_CONTRACT, 57, (20, 10)),
            lic("企业实行不定时工作制和综合计算工时工作制审批", LABOR_CONTRACT, 4, (20, 10)),
            pw(C::Confirmation, "工伤认定", WORK_INJURY_REG, 17),
            pw(C::Confirmation, "劳动能力鉴定", WORK_INJURY_REG, 23),
            pw(C::Benefit, "失业保险金给付", SOCIAL_INSURANCE, 45),
            pw(C::Benefit, "城乡居民基本养老保险待遇给付", SOCIAL_INSURANCE, 21),
            pw(C::Benefit, "工伤保险待遇给付", SOCIAL_INSURANCE, 38),
            pw(C::Levy, "社会保险费征收", SOCIAL_INSURANCE, 59),
            pw(C::Adjudication, "劳动人事争议仲裁", LABOR_CONTRACT, 77),
            pw(C::PublicService, "就业失业登记", SOCIAL_INSURANCE, 50),
            pw(C::PublicService, "职业技能培训补贴申领", SOCIAL_INSURANCE, 52),
        ],
        groups: &[
            PenaltyGroup {
                law: LABOR_INSPECTION_REG,
                subjects: &[
                    "用人单位",
                    "职业介绍机构",
                    "职业技能培训机构",
                    "人力资源服务机构",
                    "建设工程施工总承包单位",
                    "劳务派遣单位",
                    "个体经济组织",
                    "民办非企业单位",
                ],
                violations: &[
                    ("安排女职工从事矿山井下劳动、国家规定的第四级体力劳动强度的劳动", 23),
                    ("安排未成年工从事国家规定的第四级体力劳动强度的劳动", 23),
                    ("未对未成年工定期进行健康检查", 23),
                    ("克扣或者无故拖欠劳动者工资报酬", 26),
                    ("支付劳动者的工资低于当地最低工资标准", 26),
                    ("解除劳动合同未依法给予劳动者经济补偿", 26),
                    ("向社会保险经办机构申报应缴纳的社会保险费数额时瞒报工资总额或者职工人数", 27),
                    ("无理抗拒、阻挠劳动保障行政部门实施劳动保障监察", 30),
                    ("不按照劳动保障行政部门的要求报送书面材料隐瞒事实真相", 30),
                    ("经劳动保障行政部门责令改正拒不改正或者拒不履行行政处理决定", 30),
                ],
                inspect: 15,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: LABOR_CONTRACT,
                subjects: &[
                    "用人单位",
                    "劳务派遣单位",
                    "用工单位",
                    "个体经济组织",
                    "民办非企业单位",
                ],
                violations: &[
                    ("提供的劳动合同文本未载明劳动合同必备条款", 81),
                    ("违反规定不与劳动者订立无固定期限劳动合同", 82),
                    ("违反规定与劳动者约定试用期", 83),
                    ("扣押劳动者居民身份证等证件", 84),
                    ("以担保或者其他名义向劳动者收取财物", 84),
                    ("未经许可擅自经营劳务派遣业务", 92),
                ],
                inspect: 74,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: SOCIAL_INSURANCE,
                subjects: &["用人单位", "参保人员", "医疗机构", "药品经营单位"],
                violations: &[
                    ("不办理社会保险登记", 84),
                    ("以欺诈、伪造证明材料或者其他手段骗取社会保险待遇", 88),
                    ("骗取社会保险基金支出", 87),
                ],
                inspect: 79,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "自然资源和规划局",
        office: "执法监察大队",
        devolvable: true,
        powers: &[
            lic("建设用地规划许可证核发", PLANNING, 37, (20, 10)),
            lic("建设工程规划许可证核发", PLANNING, 40, (20, 10)),
            lic("乡村建设规划许可证核发", PLANNING, 41, (20, 10)),
            lic("临时用地审批", LAND, 57, (20, 10)),
            lic("建设项目用地预审与选址意见书核发", PLANNING, 36, (20, 10)),
            lic("采矿权新立、延续、变更登记", MINING, 3, (40, 20)),
            subs(
                pw(C::Confirmation, "国有建设用地使用权登记", REAL_ESTATE_REG, 5),
                &["首次登记", "变更登记", "转移登记", "注销登记", "更正登记", "异议登记"],
            ),
            subs(
                pw(C::Confirmation, "国有建设用地使用权及房屋所有权登记", REAL_ESTATE_REG, 5),
                &[
                    "首次登记",
                    "变更登记",
                    "转移登记",
                    "注销登记",
                    "更正登记",
                    "异议登记",
                    "预告登记",
                    "查封登记",
                ],
            ),
            subs(
                pw(C::Confirmation, "宅基地使用权及房屋所有权登记", REAL_ESTATE_REG, 5),
                &["首次登记", "变更登记", "转移登记", "注销登记", "更正登记"],
            ),
            subs(
                pw(
                    C::Confirmation,
                    "集体建设用地使用权及建筑物、构筑物所有权登记",
                    REAL_ESTATE_REG,
                    5,
                ),
                &["首次登记", "变更登记", "转移登记", "注销登记"],
            ),
            subs(
                pw(C::Confirmation, "土地承包经营权登记", REAL_ESTATE_REG, 5),
                &["首次登记", "变更登记", "转移登记", "注销登记"],
            ),
            subs(
                pw(C::Confirmation, "抵押权登记", REAL_ESTATE_REG, 5),
                &["首次登记", "变更登记", "转移登记", "注销登记"],
            ),
            pw(C::Levy, "土地复垦费征收", LAND, 43),
            pw(C::Levy, "闲置土地费征收", LAND, 38),
            pw(C::CoerciveMeasure, "查封、扣押与违法占地有关的施工设备和建筑材料", LAND, 68),
            pw(C::Adjudication, "土地权属争议调处", LAND, 14),
        ],
        groups: &[
            PenaltyGroup {
                law: LAND,
                subjects: &[
                    "单位",
                    "个人",
                    "农村集体经济组织",
                    "房地产开发企业",
                    "村民委员会",
                    "采矿企业",
                ],
                violations: &[
                    ("买卖或者以其他形式非法转让土地", 74),
                    ("占用耕地建窑、建坟或者擅自在耕地上建房、挖砂、采石、采矿、取土", 75),
                    ("占用永久基本农田发展林果业或者挖塘养鱼", 75),
                    ("拒不履行土地复垦义务", 76),
                    ("未经批准或者采取欺骗手段骗取批准非法占用土地", 77),
                    ("超过批准的数量占用土地", 77),
                    ("临时使用土地期满拒不归还", 81),
                    (
                        "擅自将农民集体所有的土地通过出让、转让使用权或者出租等方式用于非农业建设",
                        82,
                    ),
                    ("依法收回国有土地使用权当事人拒不交出土地", 81),
                ],
                inspect: 67,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: PLANNING,
                subjects: &["建设单位", "个人", "房地产开发企业", "施工单位"],
                violations: &[
                    ("未取得建设工程规划许可证进行建设", 64),
                    ("未按照建设工程规划许可证的规定进行建设", 64),
                    ("未经批准进行临时建设", 66),
                    ("未按照批准内容进行临时建设", 66),
                    ("临时建筑物、构筑物超过批准期限不拆除", 66),
                    ("未在建设工程竣工验收后六个月内报送有关竣工验收资料", 67),
                ],
                inspect: 53,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: MINING,
                subjects: &["采矿权人", "探矿权人", "砂石土矿开采企业"],
                violations: &[
                    ("未取得采矿许可证擅自采矿", 39),
                    ("超越批准的矿区范围采矿", 40),
                    ("买卖、出租或者以其他形式转让矿产资源", 42),
                    ("采取破坏性的开采方法开采矿产资源", 44),
                ],
                inspect: 11,
                coerce: Some(("查封、扣押违法开采的矿产品和采矿设备", 11)),
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "生态环境分局",
        office: "生态环境保护综合行政执法大队",
        devolvable: false,
        powers: &[
            lic("建设项目环境影响评价文件审批", EIA, 22, (60, 20)),
            pw(C::Confirmation, "建设项目环境影响登记表备案", EIA, 22),
            pw(C::CoerciveMeasure, "查封、扣押造成污染物排放的设施、设备", ENVIRONMENT, 25),
            pw(C::Other, "突发环境事件应急预案备案", ENVIRONMENT, 47),
            pw(C::Reward, "对举报环境违法行为的奖励", ENVIRONMENT, 11),
        ],
        groups: &[
            PenaltyGroup {
                law: AIR,
                subjects: &[
                    "企业事业单位和其他生产经营者",
                    "施工单位",
                    "餐饮服务业经营者",
                    "工业涂装企业",
                    "砖瓦窑企业",
                    "混凝土搅拌站",
                    "加油站",
                    "机动车维修企业",
                ],
                violations: &[
                    ("未依法取得排污许可证排放大气污染物", 99),
                    (
                        "超过大气污染物排放标准或者超过重点大气污染物排放总量控制指标排放大气污染物",
                        99,
                    ),
                    ("通过逃避监管的方式排放大气污染物", 99),
                    ("侵占、损毁或者擅自移动、改变大气环境质量监测设施", 100),
                    (
                        "未按照规定对所排放的工业废气和有毒有害大气污染物进行监测并保存原始监测记录",
                        100,
                    ),
                    ("施工工地未设置硬质围挡或者未采取覆盖、分段作业等有效防尘降尘措施", 115),
                    ("排放油烟的餐饮服务业经营者未安装油烟净化设施", 118),
                    ("在人口集中地区露天焚烧沥青、油毡、橡胶、塑料、皮革、垃圾", 119),
                ],
                inspect: 29,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: WATER_POLLUTION,
                subjects: &[
                    "排污单位",
                    "企业事业单位",
                    "畜禽养殖场",
                    "工业集聚区污水集中处理设施运营单位",
                    "医疗机构",
                    "洗车场",
                ],
                violations: &[
                    ("未按照规定对所排放的水污染物自行监测", 82),
                    ("未按照规定安装水污染物排放自动监测设备", 82),
                    ("超过水污染物排放标准排放水污染物", 83),
                    ("利用渗井、渗坑、裂隙、溶洞，私设暗管排放水污染物", 83),
                    ("未依法取得排污许可证排放水污染物", 83),
                    ("在饮用水水源保护区内设置排污口", 84),
                    ("向水体排放油类、酸液、碱液", 85),
                ],
                inspect: 30,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: SOLID_WASTE,
                subjects: &[
                    "产生工业固体废物的单位",
                    "危险废物产生者",
                    "危险废物经营单位",
                    "医疗废物产生单位",
                    "危险废物运输单位",
                ],
                violations: &[
                    ("未依法报批建设项目环境影响评价文件擅自开工建设", 102),
                    ("将危险废物提供或者委托给无许可证的单位从事收集、贮存、利用、处置活动", 112),
                    ("未按照国家有关规定制定危险废物管理计划", 112),
                    ("擅自倾倒、堆放、丢弃、遗撒工业固体废物", 102),
                    ("未按照规定设置危险废物识别标志", 112),
                ],
                inspect: 27,
                coerce: Some((
                    "查封、扣押涉嫌违法收集、贮存、利用、处置的固体废物及有关设施、设备",
                    27,
                )),
                sub_items: false,
            },
            PenaltyGroup {
                law: EIA,
                subjects: &["建设单位", "技术单位"],
                violations: &[
                    ("未依法报批建设项目环境影响报告书、报告表擅自开工建设", 31),
                    ("环境影响报告书、报告表未经批准擅自开工建设", 31),
                    ("未依法备案建设项目环境影响登记表", 31),
                ],
                inspect: 0,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "住房和城乡建设局",
        office: "建设工程质量安全监督站",
        devolvable: true,
        powers: &[
            lic("建筑工程施工许可证核发", BUILDING, 7, (7, 3)),
            lic("燃气经营许可证核发", GAS_REG, 15, (20, 10)),
            lic("商品房预售许可", HOUSING_ADMIN, 45, (20, 10)),
            lic("城镇污水排入排水管网许可", DRAINAGE_REG, 21, (20, 10)),
            pw(C::Other, "房屋建筑和市政基础设施工程竣工验收备案", QUALITY_REG, 49),
            pw(C::Confirmation, "商品房买卖合同网签备案", HOUSING_ADMIN, 45),
            pw(C::Benefit, "公共租赁住房保障资格确认与租赁补贴发放", HOUSING_ADMIN, 4),
            pw(C::Benefit, "农村危房改造补助", HOUSING_ADMIN, 4),
            pw(C::Levy, "城市基础设施配套费征收", HOUSING_ADMIN, 4),
        ],
        groups: &[
            PenaltyGroup {
                law: QUALITY_REG,
                subjects: &[
                    "建设单位",
                    "施工单位",
                    "工程监理单位",
                    "勘察、设计单位",
                    "工程质量检测机构",
                    "预拌混凝土生产企业",
                ],
                violations: &[
                    ("迫使承包方以低于成本的价格竞标", 56),
                    ("任意压缩合理工期", 56),
                    ("未按照国家规定办理工程质量监督手续", 56),
                    ("未组织竣工验收擅自交付使用", 58),
                    ("超越本单位资质等级承揽工程", 60),
                    ("在施工中偷工减料", 64),
                    ("未对建筑材料、建筑构配件、设备和商品混凝土进行检验", 65),
                    ("与建设单位或者施工单位串通弄虚作假、降低工程质量", 67),
                ],
                inspect: 47,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: CONSTRUCTION_SAFETY_REG,
                subjects: &["施工单位", "建设单位", "出租机械设备和施工机具的单位"],
                violations: &[
                    ("未设立安全生产管理机构、配备专职安全生产管理人员", 62),
                    ("主要负责人、项目负责人、专职安全生产管理人员未经安全考核合格", 62),
                    ("未在施工现场的危险部位设置明显的安全警示标志", 62),
                    ("未向作业人员提供安全防护用具和安全防护服装", 62),
                    ("挪用列入建设工程概算的安全生产作业环境及安全施工措施所需费用", 63),
                    ("施工前未对有关安全施工的技术要求作出详细说明", 64),
                ],
                inspect: 40,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: GAS_REG,
                subjects: &[
                    "燃气经营者",
                    "燃气用户",
                    "瓶装燃气供应站",
                    "餐饮场所燃气用户",
                    "燃气燃烧器具安装维修企业",
                ],
                violations: &[
                    ("未取得燃气经营许可证从事燃气经营活动", 45),
                    ("拒绝向市政燃气管网覆盖范围内符合用气条件的单位或者个人供气", 46),
                    ("倒卖、抵押、出租、出借、转让、涂改燃气经营许可证", 46),
                    ("向未取得燃气经营许可证的单位或者个人提供用于经营的燃气", 46),
                    ("擅自操作公用燃气阀门", 49),
                    ("在不具备安全条件的场所使用、储存燃气", 49),
                ],
                inspect: 5,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: PROPERTY_MGMT_REG,
                subjects: &["物业服务企业", "建设单位", "业主委员会"],
                violations: &[
                    ("擅自处分属于业主的物业共用部位、共用设施设备的所有权或者使用权", 57),
                    ("不移交有关资料", 58),
                    ("将一个物业管理区域内的全部物业管理一并委托给他人", 59),
                    ("挪用专项维修资金", 60),
                ],
                inspect: 5,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "交通运输局",
        office: "交通运输综合行政执法大队",
        devolvable: false,
        powers: &[
            lic("道路旅客运输经营许可", ROAD_TRANSPORT_REG, 10, (20, 10)),
            lic(
                "道路货物运输经营许可（除使用4500千克及以下普通货运车辆从事普通货运经营外）",
                ROAD_TRANSPORT_REG,
                24,
                (20, 10),
            ),
            lic("公路超限运输许可", HIGHWAY, 50, (5, 2)),
            lic("涉路施工许可", HIGHWAY, 44, (20, 10)),
            lic("出租汽车经营许可", ROAD_TRANSPORT_REG, 10, (20, 10)),
            lic("更新采伐护路林审批", HIGHWAY, 42, (20, 10)),
            pw(C::Confirmation, "机动车维修经营备案", ROAD_TRANSPORT_REG, 40),
            pw(
                C::CoerciveMeasure,
                "扣押无道路运输证从事道路运输经营的车辆",
                ROAD_TRANSPORT_REG,
                64,
            ),
            pw(C::Levy, "公路赔（补）偿费征收", HIGHWAY, 85),
        ],
        groups: &[
            PenaltyGroup {
                law: ROAD_TRANSPORT_REG,
                subjects: &[
                    "道路客运经营者",
                    "道路货运经营者",
                    "机动车维修经营者",
                    "机动车驾驶员培训机构",
                    "道路运输站（场）经营者",
                    "危险货物道路运输经营者",
                    "网络预约出租汽车经营者",
                    "巡游出租汽车经营者",
                ],
                violations: &[
                    ("未取得道路运输经营许可擅自从事道路运输经营", 63),
                    ("使用失效、伪造、变造、被注销等无效的道路运输许可证件从事道路运输经营", 63),
                    ("非法转让、出租道路运输许可证件", 66),
                    ("不按照规定携带车辆营运证", 68),
                    ("不按批准的客运站点停靠或者不按规定的线路、公布的班次行驶", 69),
                    ("强行招揽旅客、货物", 69),
                    ("没有采取必要措施防止货物脱落、扬撒", 69),
                    ("不按照规定的条件使用车辆技术档案", 70),
                ],
                inspect: 58,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: HIGHWAY,
                subjects: &["单位", "个人", "道路货运经营者", "工程施工单位", "公路养护单位"],
                violations: &[
                    ("擅自占用、挖掘公路", 76),
                    (
                        "未经同意或者未按照公路工程技术标准的要求修建桥梁、渡槽或者架设、埋设管线",
                        76,
                    ),
                    ("从事危及公路安全的作业", 76),
                    ("铁轮车、履带车和其他可能损害路面的机具擅自在公路上行驶", 76),
                    ("车辆超限使用汽车渡船或者在公路上擅自超限行驶", 76),
                    ("在公路上及公路用地范围内摆摊设点、堆放物品、倾倒垃圾", 77),
                    ("在公路用地范围内设置公路标志以外的其他标志", 79),
                    ("在公路建筑控制区内修建建筑物、地面构筑物", 81),
                ],
                inspect: 69,
                coerce: Some(("扣留车辆、工具", 72)),
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "水利局",
        office: "水政监察大队",
        devolvable: true,
        powers: &[
            lic("取水许可", WATER, 48, (45, 20)),
            lic("河道管理范围内建设项目工程建设方案审批", FLOOD, 27, (20, 10)),
            lic("生产建设项目水土保持方案审批", SOIL_WATER, 25, (20, 10)),
            lic("洪水影响评价类审批", FLOOD, 33, (20, 10)),
            lic("河道采砂许可", WATER, 39, (20, 10)),
            pw(C::Levy, "水土保持补偿费征收", SOIL_WATER, 32),
            pw(C::Adjudication, "水事纠纷调处", WATER, 56),
            pw(C::CoerciveEnforcement, "强制拆除河道管理范围内的违法建筑物、构筑物", WATER, 65),
            pw(C::Benefit, "蓄滞洪区运用补偿", FLOOD, 32),
        ],
        groups: &[
            PenaltyGroup {
                law: WATER,
                subjects: &["单位", "个人", "河道采砂单位", "水工程管理单位", "取水单位"],
                violations: &[
                    ("在河道管理范围内建设妨碍行洪的建筑物、构筑物", 65),
                    ("未经批准擅自取水", 69),
                    ("未依照批准的取水许可规定条件取水", 69),
                    ("在饮用水水源保护区内设置排污口", 67),
                    ("围湖造地或者未经批准围垦河道", 66),
                    ("侵占、毁坏水工程及堤防、护岸等有关设施", 72),
                ],
                inspect: 60,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: FLOOD,
                subjects: &["单位", "个人", "蓄滞洪区内的生产经营者"],
                violations: &[
                    ("未经批准在河道管理范围内修建跨河、穿河、穿堤、临河工程设施", 57),
                    ("在河道、湖泊管理范围内倾倒垃圾、渣土", 55),
                    ("在蓄滞洪区内建设非防洪建设项目未编制洪水影响评价报告", 58),
                    ("破坏、侵占、毁损堤防、水闸、护岸等防洪工程设施", 60),
                    ("阻碍、威胁防汛指挥机构、水行政主管部门执行职务", 63),
                ],
                inspect: 0,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: SOIL_WATER,
                subjects: &["生产建设单位", "个人", "采矿企业", "公路铁路建设单位"],
                violations: &[
                    ("在崩塌、滑坡危险区或者泥石流易发区从事取土、挖砂、采石", 48),
                    ("在禁止开垦坡度以上陡坡地开垦种植农作物", 49),
                    ("依法应当编制水土保持方案的生产建设项目未编制水土保持方案", 53),
                    ("水土保持设施未经验收或者验收不合格将生产建设项目投产使用", 54),
                    ("在水土保持方案确定的专门存放地以外的区域倾倒砂、石、土", 55),
                ],
                inspect: 43,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "农业农村局",
        office: "农业综合行政执法大队",
        devolvable: true,
        powers: &[
            lic("农药经营许可", PESTICIDE_REG, 24, (20, 10)),
            lic("兽药经营许可证核发", ANIMAL, 67, (30, 15)),
            lic("动物防疫条件合格证核发", ANIMAL, 24, (20, 10)),
            lic("种子生产经营许可证核发", SEED, 31, (20, 10)),
            lic("拖拉机和联合收割机驾驶证核发", ROAD_TRAFFIC, 121, (5, 3)),
            pw(C::Other, "农村宅基地分配、使用的监督指导", LAND, 62),
            lic("生猪定点屠宰厂（场）设置审查", PIG_REG, 8, (20, 10)),
            subs(
                pw(C::Benefit, "耕地地力保护补贴发放", SEED, 4),
                &["小麦种植补贴", "水稻种植补贴", "玉米种植补贴"],
            ),
            pw(C::Benefit, "农机购置与应用补贴", SEED, 4),
            pw(C::Confirmation, "农民专业合作社示范社认定", AGRI_PRODUCT, 4),
            pw(C::CoerciveMeasure, "查封、扣押违法生产经营的农产品", AGRI_PRODUCT, 64),
            pw(C::Adjudication, "农村土地承包经营纠纷调解", LAND, 14),
        ],
        groups: &[
            PenaltyGroup {
                law: ANIMAL,
                subjects: &[
                    "动物饲养场",
                    "动物屠宰加工场所",
                    "经营动物的单位和个人",
                    "动物诊疗机构",
                    "动物产品经营者",
                    "种畜禽场",
                    "病死畜禽无害化处理场",
                ],
                violations: &[
                    ("对饲养的动物未按照动物疫病强制免疫计划或者免疫技术规范实施免疫接种", 92),
                    (
                        "对饲养的种用、乳用动物未按照国务院农业农村主管部门的要求定期开展疫病检测",
                        92,
                    ),
                    ("动物、动物产品的运载工具在装载前和卸载后未按照规定及时清洗、消毒", 94),
                    ("未取得动物防疫条件合格证从事动物饲养、屠宰加工", 98),
                    ("屠宰、经营、运输的动物未附有检疫证明", 100),
                    ("经营、运输的动物产品未附有检疫证明、检疫标志", 100),
                    ("未经检疫收购、运输、经营动物、动物产品", 97),
                    ("藏匿、转移、盗掘已被依法隔离、封存、处理的动物和动物产品", 101),
                ],
                inspect: 76,
                coerce: Some(("查封、扣押染疫或者疑似染疫的动物、动物产品", 76)),
                sub_items: true,
            },
            PenaltyGroup {
                law: AGRI_PRODUCT,
                subjects: &[
                    "农产品生产企业",
                    "农民专业合作社",
                    "农产品销售企业",
                    "家庭农场",
                    "农产品批发市场",
                ],
                violations: &[
                    ("未按照规定建立、保存农产品生产记录", 72),
                    ("在农产品生产经营过程中使用国家禁止使用的农业投入品", 71),
                    ("销售的农产品农药、兽药等化学物质残留不符合农产品质量安全标准", 71),
                    ("冒用农产品质量标志", 74),
                    ("未按照规定开具承诺达标合格证", 73),
                ],
                inspect: 60,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: SEED,
                subjects: &["种子生产经营者", "农作物种子经营者", "林木种子经营者", "种子代销者"],
                violations: &[
                    ("生产经营假种子", 74),
                    ("生产经营劣种子", 75),
                    ("未取得种子生产经营许可证生产经营种子", 76),
                    ("以欺骗、贿赂等不正当手段取得种子生产经营许可证", 76),
                    ("未按照种子生产经营许可证的规定生产经营种子", 76),
                    ("销售的种子应当包装而没有包装", 80),
                    ("销售的种子没有使用说明或者标签内容不符合规定", 80),
                    ("未按照规定建立、保存种子生产经营档案", 80),
                ],
                inspect: 50,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: PESTICIDE_REG,
                subjects: &[
                    "农药经营者",
                    "农药使用者",
                    "农产品生产企业",
                    "农药生产企业",
                    "专业化病虫害防治服务组织",
                ],
                violations: &[
                    ("违反农药经营许可证的规定经营农药", 56),
                    ("经营劣质农药", 56),
                    ("设立分支机构未依法申请变更农药经营许可证", 57),
                    ("未按照规定建立采购台账、销售台账", 58),
                    ("不执行农药采购台账、销售台账制度", 58),
                    ("使用禁用的农药", 60),
                    ("将剧毒、高毒农药用于防治卫生害虫", 60),
                    ("在饮用水水源保护区内使用农药", 60),
                ],
                inspect: 41,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: PIG_REG,
                subjects: &[
                    "生猪定点屠宰厂（场）",
                    "从事生猪收购、贩运的单位和个人",
                    "小型生猪屠宰场点",
                ],
                violations: &[
                    ("未按照规定建立并遵守生猪进厂（场）查验登记制度", 30),
                    ("未按照规定建立并遵守肉品品质检验制度", 30),
                    ("出厂（场）未经肉品品质检验或者经肉品品质检验不合格的生猪产品", 31),
                    ("对生猪、生猪产品注水或者注入其他物质", 33),
                    ("为未经定点违法从事生猪屠宰活动的单位和个人提供生猪屠宰场所", 35),
                ],
                inspect: 26,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: LAND,
                subjects: &["农村村民"],
                violations: &[("未经批准或者采取欺骗手段骗取批准非法占用土地建住宅", 78)],
                inspect: 67,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "商务局",
        office: "市场秩序股",
        devolvable: false,
        powers: &[
            pw(C::Confirmation, "对外贸易经营者备案登记", PREPAID_CARD_RULE, 4),
            pw(C::Confirmation, "单用途商业预付卡发卡企业备案", PREPAID_CARD_RULE, 7),
            pw(C::Other, "报废机动车回收企业资质认定初审", SCRAP_VEHICLE_REG, 7),
        ],
        groups: &[
            PenaltyGroup {
                law: PREPAID_CARD_RULE,
                subjects: &["集团发卡企业", "品牌发卡企业", "规模发卡企业", "其他发卡企业"],
                violations: &[
                    ("未按规定办理备案", 36),
                    ("超过规定限额发行单用途卡", 37),
                    ("未按规定存管预收资金", 38),
                    ("未按规定报送业务情况", 39),
                    ("未实行实名购卡", 37),
                ],
                inspect: 31,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: SCRAP_VEHICLE_REG,
                subjects: &["报废机动车回收企业"],
                violations: &[
                    ("未取得资质认定擅自从事报废机动车回收活动", 19),
                    ("出售不具备再制造条件的报废机动车发动机、方向机", 21),
                    ("未如实记录报废机动车车辆识别代号等信息", 22),
                    ("未按照规定向公安机关交通管理部门办理报废机动车登记证书注销", 24),
                ],
                inspect: 15,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "文化和旅游局",
        office: "文化市场综合行政执法大队",
        devolvable: false,
        powers: &[
            lic("娱乐场所经营活动审批", ENTERTAINMENT_REG, 9, (20, 10)),
            lic("互联网上网服务营业场所经营单位设立审批", INTERNET_CAFE_REG, 10, (20, 10)),
            lic("营业性演出审批", PERFORMANCE_REG, 14, (3, 2)),
            lic("旅行社设立许可", TRAVEL_AGENCY_REG, 6, (20, 10)),
            lic("卫星电视广播地面接收设施安装许可", PERFORMANCE_REG, 5, (20, 10)),
            pw(C::PublicService, "公共图书馆、文化馆（站）免费开放", PERFORMANCE_REG, 48),
            pw(C::Reward, "对文物保护工作先进单位和个人的奖励", PERFORMANCE_REG, 46),
        ],
        groups: &[
            PenaltyGroup {
                law: ENTERTAINMENT_REG,
                subjects: &["歌舞娱乐场所", "游艺娱乐场所", "娱乐场所从业人员", "电子游戏经营场所"],
                violations: &[
                    ("未经许可擅自从事娱乐场所经营活动", 41),
                    ("娱乐场所内设置未经文化主管部门内容核查的游戏游艺设备", 48),
                    ("歌舞娱乐场所的歌曲点播系统与境外的曲库联接", 48),
                    ("以现金或者有价证券作为奖品或者回购奖品", 48),
                    ("未按照规定悬挂娱乐场所警示标志、未成年人禁入或者限入标志", 50),
                    ("变更名称、法定代表人、投资人员未按照规定申请重新核发娱乐经营许可证", 47),
                    ("接纳未成年人", 48),
                ],
                inspect: 34,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: INTERNET_CAFE_REG,
                subjects: &[
                    "互联网上网服务营业场所经营单位",
                    "网吧连锁企业",
                    "上网服务营业场所分店",
                ],
                violations: &[
                    ("擅自从事互联网上网服务经营活动", 27),
                    ("涂改、出租、出借或者以其他方式转让网络文化经营许可证", 29),
                    ("在规定的营业时间以外营业", 31),
                    ("接纳未成年人进入营业场所", 31),
                    ("未悬挂网络文化经营许可证或者未成年人禁入标志", 31),
                    ("擅自停止实施经营管理技术措施", 31),
                ],
                inspect: 4,
                coerce: Some(("查封、扣押违法从事互联网上网服务经营活动的专用工具、设备", 27)),
                sub_items: false,
            },
            PenaltyGroup {
                law: TRAVEL_AGENCY_REG,
                subjects: &["旅行社", "导游人员", "旅行社分社", "旅行社服务网点"],
                violations: &[
                    ("未取得相应的旅行社业务经营许可经营国内旅游业务", 46),
                    ("转让、出租、出借旅行社业务经营许可证", 47),
                    ("未在规定期限内向其质量保证金账户存入、增存、补足质量保证金", 48),
                    ("安排的旅游活动含有违法内容", 51),
                    ("要求导游人员和领队人员接待不支付接待和服务费用的旅游团队", 59),
                    ("拒不履行旅游合同约定的义务", 55),
                ],
                inspect: 41,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: PERFORMANCE_REG,
                subjects: &["演出经营主体", "演出场所经营单位"],
                violations: &[
                    ("未经批准举办营业性演出", 44),
                    ("变更演出举办单位、参加演出的文艺表演团体、演员或者节目未重新报批", 45),
                    ("以假唱欺骗观众", 47),
                    ("为演员假唱提供条件", 47),
                ],
                inspect: 37,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "卫生健康委员会",
        office: "卫生健康综合监督执法局",
        devolvable: true,
        powers: &[
            lic("医疗机构设置审批", MEDICAL_INST_REG, 9, (30, 15)),
            lic("医疗机构执业登记", MEDICAL_INST_REG, 15, (45, 20)),
            lic("公共场所卫生许可", PUBLIC_PLACE_REG, 8, (20, 5)),
            lic("医师执业注册", PHYSICIAN, 13, (20, 5)),
            lic("饮用水供水单位卫生许可", PUBLIC_PLACE_REG, 8, (20, 10)),
            lic("放射诊疗许可", OCCUPATIONAL, 18, (20, 10)),
            pw(C::Benefit, "计划生育家庭特别扶助金给付", PHYSICIAN, 4),
            pw(C::Benefit, "农村部分计划生育家庭奖励扶助金给付", PHYSICIAN, 4),
            pw(C::Confirmation, "出生医学证明签发", PHYSICIAN, 4),
            pw(C::CoerciveMeasure, "对职业病危害事故现场的临时控制措施", OCCUPATIONAL, 64),
            pw(C::PublicService, "基本公共卫生服务", PHYSICIAN, 4),
        ],
        groups: &[
            PenaltyGroup {
                law: MEDICAL_INST_REG,
                subjects: &[
                    "医疗机构",
                    "诊所",
                    "村卫生室",
                    "门诊部",
                    "医疗美容机构",
                    "社区卫生服务中心",
                    "乡镇卫生院",
                    "中医诊所",
                ],
                violations: &[
                    ("未取得医疗机构执业许可证擅自执业", 43),
                    ("逾期不校验医疗机构执业许可证仍从事诊疗活动", 44),
                    ("出卖、转让、出借医疗机构执业许可证", 45),
                    ("诊疗活动超出登记或者备案范围", 46),
                    ("使用非卫生技术人员从事医疗卫生技术工作", 47),
                    ("出具虚假证明文件", 48),
                ],
                inspect: 39,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: PHYSICIAN,
                subjects: &["医师", "乡村医生", "执业助理医师"],
                violations: &[
                    (
                        "在提供医疗卫生服务或者开展医学临床研究中未按照规定履行告知义务或者取得知情同意",
                        55,
                    ),
                    ("泄露患者隐私或者个人信息", 56),
                    ("出具虚假医学证明文件", 56),
                    ("隐匿、伪造、篡改或者擅自销毁病历等医学文书及有关资料", 56),
                    ("违反法律、法规、规章或者执业规范造成医疗事故", 55),
                    ("非医师行医", 59),
                ],
                inspect: 0,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: PUBLIC_PLACE_REG,
                subjects: &[
                    "住宿场所经营者",
                    "沐浴场所经营者",
                    "美容美发场所经营者",
                    "游泳场所经营者",
                    "商场（店）经营者",
                    "候车室经营者",
                    "影剧院经营者",
                ],
                violations: &[
                    ("卫生质量不符合国家卫生标准和要求而继续营业", 14),
                    ("未获得健康合格证而从事直接为顾客服务的工作", 14),
                    ("拒绝卫生监督", 14),
                    ("未取得卫生许可证擅自营业", 14),
                    (
                        "未按照规定对公共场所的空气、微小气候、水质、采光、照明、噪声进行卫生检测",
                        14,
                    ),
                    ("未按照规定对顾客用品用具进行清洗、消毒、保洁", 14),
                ],
                inspect: 10,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: OCCUPATIONAL,
                subjects: &[
                    "用人单位",
                    "职业卫生技术服务机构",
                    "建设单位",
                    "劳务派遣用工单位",
                    "职业病诊断机构",
                ],
                violations: &[
                    ("工作场所职业病危害因素检测、评价结果没有存档、上报、公布", 71),
                    ("未按照规定组织劳动者进行职业卫生培训", 71),
                    ("未按照规定组织职业健康检查、建立职业健康监护档案", 72),
                    ("未提供职业病防护设施和个人使用的职业病防护用品", 72),
                    ("订立或者变更劳动合同时未告知劳动者职业病危害真实情况", 72),
                    ("隐瞒技术、工艺、设备、材料所产生的职业病危害而采用", 75),
                    ("使用国家明令禁止使用的可能产生职业病危害的设备或者材料", 75),
                ],
                inspect: 62,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "应急管理局",
        office: "应急管理综合行政执法大队",
        devolvable: true,
        powers: &[
            lic("危险化学品经营许可", HAZCHEM_REG, 35, (30, 15)),
            lic("烟花爆竹经营（零售）许可", FIREWORKS_REG, 19, (20, 10)),
            pw(C::Other, "生产安全事故调查处理", SAFETY, 86),
            pw(C::Other, "生产经营单位生产安全事故应急预案备案", SAFETY, 81),
            pw(
                C::CoerciveMeasure,
                "查封、扣押不符合保障安全生产的国家标准或者行业标准的设施、设备、器材",
                SAFETY,
                65,
            ),
            pw(C::Benefit, "受灾人员冬春生活救助", EMERGENCY, 4),
            pw(
                C::Reward,
                "对报告重大事故隐患或者举报安全生产违法行为的有功人员给予奖励",
                SAFETY,
                76,
            ),
        ],
        groups: &[
            PenaltyGroup {
                law: SAFETY,
                subjects: &[
                    "生产经营单位",
                    "生产经营单位的主要负责人",
                    "生产经营单位的其他负责人和安全生产管理人员",
                    "工贸企业",
                    "非煤矿山企业",
                    "危险化学品企业",
                    "烟花爆竹生产经营单位",
                    "粉尘涉爆企业",
                    "建筑施工企业",
                    "道路运输企业",
                    "有限空间作业单位",
                    "冶金企业",
                ],
                violations: &[
                    ("未按照规定设置安全生产管理机构或者配备安全生产管理人员", 97),
                    ("未如实记录安全生产教育和培训情况", 97),
                    ("未将事故隐患排查治理情况如实记录或者未向从业人员通报", 97),
                    ("特种作业人员未按照规定经专门的安全作业培训并取得相应资格上岗作业", 97),
                    (
                        "未在有较大危险因素的生产经营场所和有关设施、设备上设置明显的安全警示标志",
                        99,
                    ),
                    ("未为从业人员提供符合国家标准或者行业标准的劳动防护用品", 99),
                    ("未建立事故隐患排查治理制度", 101),
                    ("未采取措施消除事故隐患", 102),
                    ("未履行安全生产管理职责导致发生生产安全事故", 95),
                    ("拒绝、阻碍负有安全生产监督管理职责的部门依法实施监督检查", 108),
                    ("未按照规定对从业人员进行安全生产教育和培训", 97),
                    ("未按照规定制定生产安全事故应急救援预案或者未定期组织演练", 97),
                    ("使用应当淘汰的危及生产安全的工艺、设备", 99),
                    (
                        "与从业人员订立协议免除或者减轻其对从业人员因生产安全事故伤亡依法应承担的责任",
                        106,
                    ),
                ],
                inspect: 65,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: HAZCHEM_REG,
                subjects: &[
                    "危险化学品经营企业",
                    "危险化学品使用单位",
                    "危险化学品储存单位",
                    "加油站",
                    "危险化学品运输单位",
                ],
                violations: &[
                    ("未取得危险化学品经营许可证经营危险化学品", 77),
                    ("未根据其储存的危险化学品的种类和危险特性设置相应的安全设施、设备", 78),
                    ("未对其安全生产条件定期进行安全评价", 79),
                    ("危险化学品未储存在专用仓库内", 80),
                    ("未按照规定建立剧毒化学品购买、销售登记制度", 81),
                ],
                inspect: 7,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: FIREWORKS_REG,
                subjects: &["烟花爆竹批发企业", "烟花爆竹零售经营者", "烟花爆竹燃放作业单位"],
                violations: &[
                    ("未经许可经营烟花爆竹制品", 36),
                    ("向未取得烟花爆竹安全生产许可的单位或者个人销售黑火药、烟火药、引火线", 37),
                    ("销售非法生产、经营的烟花爆竹", 37),
                    ("销售按照国家标准规定应由专业燃放人员燃放的烟花爆竹", 37),
                ],
                inspect: 34,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "审计局",
        office: "法规审理股",
        devolvable: false,
        powers: &[
            pw(C::Inspection, "对本级预算执行情况和其他财政收支情况的审计监督", AUDIT, 18),
            pw(C::Inspection, "对国有企业财务收支的审计监督", AUDIT, 22),
            pw(C::Inspection, "对领导干部经济责任履行情况的审计", AUDIT, 25),
            pw(C::CoerciveMeasure, "封存被审计单位违法取得的资料和资产", AUDIT, 38),
        ],
        groups: &[PenaltyGroup {
            law: AUDIT,
            subjects: &["被审计单位"],
            violations: &[
                ("拒绝、拖延提供与审计事项有关的资料", 47),
                ("提供的资料不真实、不完整", 47),
                ("拒绝、阻碍检查、调查、核实有关情况", 47),
                ("违反国家规定的财务收支行为", 49),
            ],
            inspect: 0,
            coerce: None,
            sub_items: false,
        }],
    },
    DeptSpec {
        name: "市场监督管理局",
        office: "市场监管综合行政执法大队",
        devolvable: true,
        powers: &[
            lic("食品经营许可", FOOD, 35, (20, 10)),
            lic("食品生产许可", FOOD, 35, (20, 10)),
            lic("食品小作坊登记", FOOD, 36, (15, 5)),
            lic("药品零售企业许可", DRUG, 52, (30, 15)),
            lic("特种设备使用登记", SPECIAL_EQUIP, 33, (15, 5)),
            lic("计量标准器具核准", PRODUCT, 18, (20, 10)),
            subs(
                pw(C::Confirmation, "经营主体登记", MARKET_ENTITY_REG, 3),
                &["设立登记", "变更登记", "注销登记", "备案"],
            ),
            pw(C::Confirmation, "个体工商户登记", MARKET_ENTITY_REG, 3),
            pw(C::Confirmation, "农民专业合作社登记", MARKET_ENTITY_REG, 3),
            pw(C::Adjudication, "消费者投诉调解", CONSUMER, 39),
            pw(C::Reward, "对举报食品安全违法行为的奖励", FOOD, 115),
            pw(C::PublicService, "企业信用信息公示", CONSUMER, 31),
        ],
        groups: &[
            PenaltyGroup {
                law: FOOD,
                subjects: &[
                    "食品生产者",
                    "食品经营者",
                    "餐饮服务提供者",
                    "食品小作坊",
                    "食品摊贩",
                    "集中用餐单位食堂",
                    "网络餐饮服务提供者",
                    "食品贮存服务提供者",
                    "学校食堂",
                    "养老机构食堂",
                    "中央厨房",
                    "食品添加剂生产者",
                ],
                violations: &[
                    ("未取得食品生产经营许可从事食品生产经营活动", 122),
                    ("用非食品原料生产食品或者在食品中添加食品添加剂以外的化学物质", 123),
                    ("经营病死、毒死或者死因不明的禽、畜、兽、水产动物肉类", 123),
                    ("生产经营致病性微生物、农药残留等超过食品安全标准限量的食品", 124),
                    ("生产经营超过保质期的食品、食品添加剂", 124),
                    ("生产经营无标签的预包装食品、食品添加剂", 125),
                    ("生产经营被包装材料、容器、运输工具等污染的食品", 125),
                    ("未按规定建立并遵守进货查验记录、出厂检验记录和销售记录制度", 126),
                    ("安排未取得健康证明的人员从事接触直接入口食品的工作", 126),
                    ("未按要求进行食品贮存、运输和装卸", 132),
                    ("拒绝、阻挠、干涉有关部门依法开展食品安全监督检查", 133),
                    ("未按规定制定食品安全事故处置方案", 126),
                    ("餐具、饮具和盛放直接入口食品的容器使用前未经洗净、消毒", 126),
                    ("食品生产经营者未按规定配备食品安全管理人员", 126),
                    ("生产经营国家为防病等特殊需要明令禁止生产经营的食品", 123),
                    ("生产经营未按规定注册的保健食品、特殊医学用途配方食品", 124),
                    ("未按规定建立食品安全自查制度", 126),
                    ("未按规定对变质、超过保质期或者回收的食品进行显著标示或者单独存放", 132),
                ],
                inspect: 110,
                coerce: Some((
                    "查封、扣押不符合食品安全标准的食品及用于违法生产经营的工具、设备",
                    110,
                )),
                sub_items: true,
            },
            PenaltyGroup {
                law: DRUG,
                subjects: &[
                    "药品零售企业",
                    "药品批发企业",
                    "医疗机构",
                    "药品零售连锁门店",
                    "药品使用单位",
                ],
                violations: &[
                    ("未取得药品经营许可证销售药品", 115),
                    ("销售假药", 116),
                    ("销售劣药", 117),
                    ("从不具有药品生产、经营资格的企业购进药品", 129),
                    ("未遵守药品经营质量管理规范", 126),
                    ("药品经营企业购销药品未按照规定进行记录", 130),
                    ("零售药品未正确说明用法、用量等事项或者未按照规定调配处方", 130),
                    ("伪造、变造、出租、出借、非法买卖许可证或者药品批准证明文件", 122),
                ],
                inspect: 99,
                coerce: Some(("查封、扣押有证据证明可能危害人体健康的药品及其有关材料", 100)),
                sub_items: true,
            },
            PenaltyGroup {
                law: PRODUCT,
                subjects: &[
                    "生产者",
                    "销售者",
                    "电子商务经营者",
                    "农资经营者",
                    "建材经营者",
                    "儿童用品经营者",
                    "电器产品销售者",
                ],
                violations: &[
                    ("生产、销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品", 49),
                    ("在产品中掺杂、掺假，以假充真，以次充好", 50),
                    ("生产国家明令淘汰的产品、销售国家明令淘汰并停止销售的产品", 51),
                    ("销售失效、变质的产品", 52),
                    ("伪造产品产地，伪造或者冒用他人厂名、厂址", 53),
                    ("产品标识不符合规定", 54),
                    ("拒绝接受依法进行的产品质量监督检查", 56),
                ],
                inspect: 18,
                coerce: Some((
                    "查封、扣押不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品",
                    18,
                )),
                sub_items: false,
            },
            PenaltyGroup {
                law: SPECIAL_EQUIP,
                subjects: &[
                    "特种设备使用单位",
                    "特种设备生产单位",
                    "特种设备经营单位",
                    "电梯维护保养单位",
                    "气瓶充装单位",
                    "大型游乐设施运营使用单位",
                    "锅炉使用单位",
                ],
                violations: &[
                    ("使用特种设备未按照规定办理使用登记", 83),
                    ("未建立特种设备安全技术档案或者安全技术档案不符合规定要求", 83),
                    ("未对其使用的特种设备进行经常性维护保养和定期自行检查", 83),
                    ("使用未取得许可生产、未经检验或者检验不合格的特种设备", 84),
                    (
                        "特种设备出现故障或者发生异常情况未对其进行全面检查、消除事故隐患继续使用",
                        84,
                    ),
                    ("未配备具有相应资格的特种设备安全管理人员、检测人员和作业人员", 86),
                    ("未对特种设备安全管理人员、检测人员和作业人员进行安全教育和技能培训", 86),
                ],
                inspect: 57,
                coerce: Some((
                    "查封、扣押不符合安全技术规范要求或者存在严重事故隐患的特种设备",
                    61,
                )),
                sub_items: true,
            },
            PenaltyGroup {
                law: ADVERT,
                subjects: &[
                    "广告主",
                    "广告经营者",
                    "广告发布者",
                    "广告代言人",
                    "互联网信息服务提供者",
                    "医疗机构",
                ],
                violations: &[
                    ("发布虚假广告", 55),
                    ("发布含有国家机关、国家机关工作人员的名义或者形象的广告", 57),
                    ("发布医疗、药品、医疗器械广告含有表示功效、安全性的断言或者保证", 58),
                    ("未经审查发布广告", 58),
                    ("在针对未成年人的大众传播媒介上发布不适宜的广告", 58),
                    ("广告内容违反其他禁止性规定", 57),
                ],
                inspect: 49,
                coerce: Some(("查封、扣押与涉嫌违法广告直接相关的广告物品、经营工具、设备", 49)),
                sub_items: false,
            },
            PenaltyGroup {
                law: PRICE,
                subjects: &[
                    "经营者",
                    "行业协会",
                    "电子商务经营者",
                    "医疗服务提供者",
                    "旅游景区经营者",
                ],
                violations: &[
                    ("相互串通，操纵市场价格", 40),
                    ("捏造、散布涨价信息，哄抬价格", 40),
                    ("利用虚假的或者使人误解的价格手段诱骗消费者", 40),
                    ("不执行政府指导价、政府定价", 39),
                    ("违反明码标价规定", 42),
                    ("拒绝提供价格监督检查所需资料或者提供虚假资料", 44),
                ],
                inspect: 34,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: COMPETITION,
                subjects: &["经营者", "电子商务经营者", "直销企业", "网络平台经营者"],
                violations: &[
                    ("实施混淆行为", 18),
                    ("采用财物或者其他手段贿赂单位或者个人", 19),
                    ("对其商品作虚假或者引人误解的商业宣传", 20),
                    ("侵犯商业秘密", 21),
                    ("违法进行有奖销售", 22),
                    ("编造、传播虚假信息或者误导性信息损害竞争对手的商业信誉、商品声誉", 23),
                ],
                inspect: 13,
                coerce: Some(("查封、扣押与涉嫌不正当竞争行为有关的财物", 13)),
                sub_items: false,
            },
            PenaltyGroup {
                law: CONSUMER,
                subjects: &[
                    "经营者",
                    "电子商务经营者",
                    "网络交易平台经营者",
                    "家政服务经营者",
                    "美容美发经营者",
                    "汽车销售经营者",
                    "预付式消费经营者",
                ],
                violations: &[
                    ("提供的商品或者服务不符合保障人身、财产安全要求", 56),
                    ("在商品中掺杂、掺假，以假充真，以次充好", 56),
                    ("伪造商品的产地，伪造或者冒用他人的厂名、厂址", 56),
                    ("对商品或者服务作虚假或者引人误解的宣传", 56),
                    (
                        "拒绝或者拖延有关行政部门责令对缺陷商品或者服务采取停止销售、警示、召回等措施",
                        56,
                    ),
                    (
                        "侵害消费者人格尊严、侵犯消费者人身自由或者侵害消费者个人信息依法得到保护的权利",
                        56,
                    ),
                ],
                inspect: 32,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "统计局",
        office: "统计执法监督股",
        devolvable: false,
        powers: &[
            pw(C::Other, "统计调查项目审批", STATISTICS, 12),
            pw(C::PublicService, "统计资料公布与查询", STATISTICS, 23),
        ],
        groups: &[PenaltyGroup {
            law: STATISTICS,
            subjects: &[
                "作为统计调查对象的企业事业单位",
                "作为统计调查对象的个体工商户",
                "作为统计调查对象的国家机关、社会团体",
            ],
            violations: &[
                ("拒绝提供统计资料或者经催报后仍未按时提供统计资料", 41),
                ("提供不真实或者不完整的统计资料", 41),
                ("拒绝答复或者不如实答复统计检查查询书", 41),
                ("拒绝、阻碍统计调查、统计检查", 41),
                ("转移、隐匿、篡改、毁弃或者拒绝提供原始记录和凭证、统计台账", 41),
                ("迟报统计资料或者未按照国家有关规定设置原始记录、统计台账", 42),
            ],
            inspect: 33,
            coerce: None,
            sub_items: false,
        }],
    },
    DeptSpec {
        name: "医疗保障局",
        office: "基金监管股",
        devolvable: false,
        powers: &[
            pw(C::Benefit, "城乡居民基本医疗保险待遇支付", SOCIAL_INSURANCE, 25),
            pw(C::Benefit, "医疗救助", MEDICAL_FUND_REG, 4),
            pw(C::Benefit, "门诊慢特病待遇", SOCIAL_INSURANCE, 28),
            pw(C::PublicService, "异地就医备案", SOCIAL_INSURANCE, 29),
            pw(C::PublicService, "基本医疗保险参保登记", SOCIAL_INSURANCE, 23),
            pw(
                C::CoerciveMeasure,
                "封存可能被转移、隐匿或者灭失的医疗保障基金相关资料",
                MEDICAL_FUND_REG,
                27,
            ),
        ],
        groups: &[PenaltyGroup {
            law: MEDICAL_FUND_REG,
            subjects: &[
                "定点医药机构",
                "参保人员",
                "医疗保障经办机构",
                "定点零售药店",
                "定点医疗机构",
                "医保医师",
            ],
            violations: &[
                ("分解住院、挂床住院", 38),
                ("违反诊疗规范过度诊疗、过度检查", 38),
                ("重复收费、超标准收费、分解项目收费", 38),
                ("串换药品、医用耗材、诊疗项目和服务设施", 38),
                ("诱导、协助他人冒名或者虚假就医、购药", 40),
                ("伪造、变造、隐匿、涂改、销毁医学文书、医学证明", 40),
                ("将本人的医疗保障凭证交由他人冒名使用", 41),
                ("未按照规定保管财务账目、会计凭证、处方、病历", 39),
            ],
            inspect: 27,
            coerce: None,
            sub_items: true,
        }],
    },
    DeptSpec {
        name: "林业局",
        office: "林业综合行政执法大队",
        devolvable: true,
        powers: &[
            lic("林木采伐许可证核发", FOREST, 56, (20, 5)),
            lic("使用林地审核", FOREST, 37, (20, 10)),
            lic("植物检疫证书核发", FOREST, 35, (20, 5)),
            lic("野生动物人工繁育许可证核发", WILDLIFE, 25, (20, 10)),
            lic("森林防火期内野外用火审批", FOREST_FIRE_REG, 25, (5, 2)),
            pw(C::Benefit, "生态公益林补偿", FOREST, 29),
            pw(C::Levy, "森林植被恢复费征收", FOREST, 37),
            pw(C::Adjudication, "林木林地权属争议调处", FOREST, 22),
        ],
        groups: &[
            PenaltyGroup {
                law: FOREST,
                subjects: &["单位", "个人", "林业经营主体", "木材经营加工企业", "村集体经济组织"],
                violations: &[
                    ("未经审核同意擅自改变林地用途", 73),
                    ("临时使用林地期满后一年内未恢复植被或者林业生产条件", 73),
                    ("进行开垦、采石、采砂、采土或者其他活动造成林木毁坏", 74),
                    ("在幼林地砍柴、毁苗、放牧造成林木毁坏", 74),
                    ("盗伐林木", 76),
                    ("滥伐林木", 76),
                    ("伪造、变造、买卖、租借采伐许可证", 77),
                    ("收购、加工、运输明知是盗伐、滥伐等非法来源的林木", 78),
                ],
                inspect: 67,
                coerce: Some((
                    "查封、扣押有证据证明来源非法的林木以及从事破坏森林资源活动的工具、设备或者财物",
                    67,
                )),
                sub_items: false,
            },
            PenaltyGroup {
                law: WILDLIFE,
                subjects: &["单位", "个人"],
                violations: &[
                    ("在自然保护地和禁猎区、禁猎期猎捕野生动物", 48),
                    ("未取得狩猎证或者未按照狩猎证规定猎捕非国家重点保护野生动物", 49),
                    ("以食用为目的猎捕、交易、运输在野外环境自然生长繁殖的陆生野生动物", 52),
                    ("未持有合法来源证明出售、利用、运输非国家重点保护野生动物", 53),
                ],
                inspect: 34,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: FOREST_FIRE_REG,
                subjects: &["森林、林木、林地的经营单位", "个人"],
                violations: &[
                    ("未履行森林防火责任", 48),
                    (
                        "森林防火区内的有关单位拒绝接受森林防火检查或者接到森林火灾隐患整改通知书逾期不消除火灾隐患",
                        49,
                    ),
                    ("森林防火期内未经批准擅自在森林防火区内野外用火", 50),
                    ("森林防火期内未经批准在森林防火区内进行实弹演习、爆破等活动", 51),
                    ("森林高火险期内未经批准擅自进入森林高火险区活动", 52),
                ],
                inspect: 24,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "城市管理和综合执法局",
        office: "城市管理综合执法大队",
        devolvable: true,
        powers: &[
            lic("城市建筑垃圾处置核准", CITY_CLEAN_REG, 17, (20, 5)),
            lic(
                "设置大型户外广告及在城市建筑物、设施上悬挂、张贴宣传品审批",
                CITY_CLEAN_REG,
                11,
                (20, 5),
            ),
            lic("城市道路占用、挖掘审批", CITY_ROAD_REG, 30, (20, 5)),
            lic("砍伐城市树木、迁移古树名木审批", CITY_GREEN_REG, 24, (20, 5)),
            lic("临时占用城市绿化用地审批", CITY_GREEN_REG, 19, (20, 5)),
            pw(C::CoerciveEnforcement, "对违法建筑的强制拆除", PLANNING, 68),
            pw(C::CoerciveMeasure, "暂扣擅自占道经营的物品和工具", CITY_CLEAN_REG, 36),
            pw(C::Levy, "城市道路挖掘修复费征收", CITY_ROAD_REG, 33),
        ],
        groups: &[
            PenaltyGroup {
                law: CITY_CLEAN_REG,
                subjects: &[
                    "单位",
                    "个人",
                    "临街商户",
                    "建筑施工单位",
                    "运输单位",
                    "物业服务企业",
                    "集贸市场经营管理者",
                    "广告设置单位",
                ],
                violations: &[
                    ("随地吐痰、便溺，乱扔果皮、纸屑和烟头等废弃物", 34),
                    ("在城市建筑物、设施以及树木上涂写、刻画", 34),
                    ("未经批准在城市建筑物、设施以及树木上张挂、张贴宣传品", 34),
                    (
                        "在城市人民政府规定的街道的临街建筑物的阳台和窗外堆放、吊挂有碍市容的物品",
                        34,
                    ),
                    ("在露天场所和垃圾收集容器内焚烧树叶、垃圾或者其他废弃物", 34),
                    ("不按规定的时间、地点、方式倾倒垃圾、粪便", 34),
                    ("未经城市人民政府市容环境卫生行政主管部门同意擅自设置大型户外广告", 36),
                    (
                        "未经批准擅自在街道两侧和公共场地堆放物料、搭建建筑物、构筑物或者其他设施",
                        36,
                    ),
                    ("运输液体、散装货物不作密封、包扎、覆盖造成泄漏、遗撒", 34),
                ],
                inspect: 4,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: DRAINAGE_REG,
                subjects: &["排水户", "城镇排水与污水处理设施维护运营单位", "餐饮排水户", "洗车场"],
                violations: &[
                    ("未取得污水排入排水管网许可证向城镇排水设施排放污水", 50),
                    ("不按照污水排入排水管网许可证的要求排放污水", 50),
                    ("向城镇排水设施排放、倾倒剧毒、易燃易爆、腐蚀性废液和废渣", 48),
                    ("擅自拆除、改动城镇排水与污水处理设施", 56),
                    ("未按照国家有关规定履行日常巡查、维修和养护责任", 52),
                ],
                inspect: 39,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: CITY_ROAD_REG,
                subjects: &["单位", "个人", "管线单位", "施工单位", "市政设施养护单位"],
                violations: &[
                    (
                        "未对设在城市道路上的各种管线的检查井、箱盖或者城市道路附属设施的缺损及时补缺或者修复",
                        42,
                    ),
                    ("未在城市道路施工现场设置明显标志和安全防围设施", 42),
                    ("占用城市道路期满或者挖掘城市道路后不及时清理现场", 42),
                    ("擅自占用或者挖掘城市道路", 42),
                    ("履带车、铁轮车或者超重、超高、超长车辆擅自在城市道路上行驶", 42),
                    ("在城市道路范围内从事损害城市道路及其附属设施的行为", 42),
                ],
                inspect: 6,
                coerce: None,
                sub_items: false,
            },
            PenaltyGroup {
                law: CITY_GREEN_REG,
                subjects: &["单位", "个人", "绿化养护单位"],
                violations: &[
                    ("损坏城市树木花草", 26),
                    ("擅自砍伐城市树木", 26),
                    ("砍伐、擅自迁移古树名木或者因养护不善致使古树名木受到损伤或者死亡", 26),
                    ("擅自占用城市绿化用地", 27),
                    ("在城市绿地范围内进行拦河截溪、取土采石、设置垃圾堆场", 27),
                ],
                inspect: 5,
                coerce: None,
                sub_items: false,
            },
        ],
    },
    DeptSpec {
        name: "退役军人事务局",
        office: "优抚安置股",
        devolvable: false,
        powers: &[
            pw(C::Benefit, "伤残抚恤金给付", PENSION_REG, 30),
            pw(C::Benefit, "定期抚恤金给付", PENSION_REG, 19),
            pw(C::Benefit, "在乡复员军人定期定量补助", PENSION_REG, 33),
            pw(C::Benefit, "带病回乡退伍军人生活补助", PENSION_REG, 33),
            pw(C::Benefit, "部分农村籍退役士兵老年生活补助", PENSION_REG, 33),
            pw(C::Benefit, "义务兵家庭优待金给付", MILITARY_SERVICE, 51),
            pw(C::Confirmation, "残疾等级评定", PENSION_REG, 26),
            pw(C::Confirmation, "退役军人优待证申领", VETERAN, 62),
            pw(C::PublicService, "退役军人就业创业服务", VETERAN, 37),
            pw(C::Other, "退役士兵安置", VETERAN, 21),
        ],
        groups: &[PenaltyGroup {
            law: PENSION_REG,
            subjects: &["抚恤优待对象", "义务兵和初级军士家庭"],
            violations: &[
                ("冒领抚恤金、优待金、补助金", 66),
                ("虚报病情骗取医药费", 66),
                ("出具假证明，伪造证件、印章骗取抚恤金、优待金、补助金", 66),
            ],
            inspect: 0,
            coerce: None,
            sub_items: false,
        }],
    },
    DeptSpec {
        name: "消防救援大队",
        office: "防火监督科",
        devolvable: false,
        powers: &[
            lic("公众聚集场所投入使用、营业前消防安全检查", FIRE, 15, (10, 5)),
            pw(C::CoerciveMeasure, "临时查封危险部位或者场所", FIRE, 54),
            pw(C::CoerciveEnforcement, "强制执行责令停止施工、停止使用、停产停业决定", FIRE, 70),
            pw(C::Other, "火灾事故调查", FIRE, 51),
            pw(C::Confirmation, "建设工程消防验收备案抽查", FIRE, 13),
        ],
        groups: &[PenaltyGroup {
            law: FIRE,
            subjects: &[
                "机关、团体、企业、事业等单位",
                "公众聚集场所",
                "个人",
                "人员密集场所",
                "易燃易爆危险品场所",
                "物业服务企业",
                "建设工程施工单位",
                "商场市场",
                "宾馆饭店",
                "学校",
                "医院",
                "养老机构",
            ],
            violations: &[
                ("消防设施、器材或者消防安全标志的配置、设置不符合国家标准、行业标准", 60),
                ("损坏、挪用或者擅自拆除、停用消防设施、器材", 60),
                ("占用、堵塞、封闭疏散通道、安全出口", 60),
                ("埋压、圈占、遮挡消火栓或者占用防火间距", 60),
                ("占用、堵塞、封闭消防车通道妨碍消防车通行", 60),
                ("人员密集场所在门窗上设置影响逃生和灭火救援的障碍物", 60),
                ("对火灾隐患经消防救援机构通知后不及时采取措施消除", 60),
                ("生产、储存、经营易燃易爆危险品的场所与居住场所设置在同一建筑物内", 61),
                ("违反规定使用明火作业或者在具有火灾、爆炸危险的场所吸烟、使用明火", 63),
                ("公众聚集场所未经消防安全检查擅自投入使用、营业", 58),
                ("建设工程未依法进行消防设计审查或者审查不合格擅自施工", 58),
                (
                    "电器产品、燃气用具的安装、使用及其线路、管路的设计、敷设、维护保养、检测不符合消防技术标准",
                    66,
                ),
            ],
            inspect: 53,
            coerce: None,
            sub_items: true,
        }],
    },
    DeptSpec {
        name: "气象局",
        office: "法规科",
        devolvable: false,
        powers: &[
            lic("雷电防护装置设计审核", WEATHER_DISASTER_REG, 23, (20, 5)),
            lic("雷电防护装置竣工验收", WEATHER_DISASTER_REG, 23, (20, 5)),
            lic("升放无人驾驶自由气球或者系留气球活动审批", METEOROLOGY, 34, (5, 3)),
            pw(C::PublicService, "气象灾害预警信息发布", METEOROLOGY, 22),
        ],
        groups: &[PenaltyGroup {
            law: METEOROLOGY,
            subjects: &["单位", "个人"],
            violations: &[
                ("侵占、损毁或者未经批准擅自移动气象设施", 35),
                ("在气象探测环境保护范围内从事危害气象探测环境活动", 35),
                ("非法向社会发布公众气象预报、灾害性天气警报", 38),
                ("不具备防雷装置检测资质从事雷电防护装置检测", 37),
                ("违法升放无人驾驶自由气球或者系留气球", 37),
            ],
            inspect: 0,
            coerce: None,
            sub_items: false,
        }],
    },
    DeptSpec {
        name: "税务局",
        office: "法制股",
        devolvable: false,
        powers: &[
            lic("增值税专用发票（增值税税控系统）最高开票限额审批", INVOICE_RULE, 15, (10, 1)),
            subs(
                pw(C::Levy, "税款征收", TAX_ADMIN, 28),
                &[
                    "增值税",
                    "消费税",
                    "企业所得税",
                    "个人所得税",
                    "资源税",
                    "城市维护建设税",
                    "房产税",
                    "城镇土地使用税",
                    "土地增值税",
                    "车船税",
                    "印花税",
                    "契税",
                    "耕地占用税",
                    "环境保护税",
                    "车辆购置税",
                ],
            ),
            subs(
                pw(C::Levy, "非税收入征收", TAX_ADMIN, 5),
                &["教育费附加", "地方教育附加", "文化事业建设费", "残疾人就业保障金"],
            ),
            pw(C::CoerciveMeasure, "税收保全措施", TAX_ADMIN, 38),
            pw(C::CoerciveEnforcement, "税收强制执行措施", TAX_ADMIN, 40),
            pw(C::Confirmation, "纳税信用评价", TAX_ADMIN, 15),
            pw(C::PublicService, "纳税申报", TAX_ADMIN, 25),
            pw(C::PublicService, "发票领用", INVOICE_RULE, 15),
        ],
        groups: &[
            PenaltyGroup {
                law: TAX_ADMIN,
                subjects: &["纳税人", "扣缴义务人", "个体工商户", "从事生产经营的纳税人", "代征人"],
                violations: &[
                    ("未按照规定的期限申报办理税务登记、变更或者注销登记", 60),
                    ("未按照规定设置、保管账簿或者保管记账凭证和有关资料", 60),
                    ("未按照规定的期限办理纳税申报和报送纳税资料", 62),
                    ("偷税", 63),
                    ("编造虚假计税依据", 64),
                    ("以假报出口或者其他欺骗手段骗取国家出口退税款", 66),
                    ("逃避、拒绝或者以其他方式阻挠税务机关检查", 70),
                ],
                inspect: 54,
                coerce: None,
                sub_items: true,
            },
            PenaltyGroup {
                law: INVOICE_RULE,
                subjects: &["单位", "个人", "个体工商户"],
                violations: &[
                    ("应当开具而未开具发票", 35),
                    ("使用税控装置开具发票未按期向主管税务机关报送开具发票的数据", 35),
                    ("拆本使用发票", 35),
                    ("跨规定区域开具发票", 35),
                    ("虚开发票", 37),
                    ("私自印制、伪造、变造发票", 38),
                ],
                inspect: 30,
                coerce: None,
                sub_items: false,
            },
        ],
    },
];

/// Basic duties of every township (基本履职), not devolved from a department: name, category,
/// law, article, and the county department that guides the work.
pub const TOWNSHIP_DUTIES: &[(PowerCategory, &str, &str, u32, &str)] = &[
    (C::Other, "组织开展辖区安全生产检查", SAFETY, 9, "应急管理局"),
    (C::Other, "组织实施辖区森林防火工作", FOREST_FIRE_REG, 6, "林业局"),
    (C::Other, "组织辖区防汛抗旱和防台风工作", FLOOD, 38, "水利局"),
    (C::Other, "落实河长制湖长制日常巡河工作", WATER, 12, "水利局"),
    (C::Other, "负责辖区村（居）民委员会选举组织工作", VILLAGE_COMMITTEE, 4, "民政局"),
    (C::Benefit, "受理最低生活保障申请并调查核实", RELIEF_REG, 11, "民政局"),
    (C::Benefit, "受理特困人员救助供养申请", RELIEF_REG, 15, "民政局"),
    (C::Benefit, "临时救助（小额）审批发放", RELIEF_REG, 48, "民政局"),
    (C::Licensing, "农村村民住宅用地审批", LAND, 62, "自然资源和规划局"),
    (C::Licensing, "乡村建设规划许可证核发", PLANNING, 41, "自然资源和规划局"),
    (C::Other, "组织开展辖区兵役登记和征兵工作", MILITARY_SERVICE, 13, "退役军人事务局"),
    (C::PublicService, "退役军人服务站接待服务", VETERAN, 37, "退役军人事务局"),
    (C::Other, "组织实施辖区人民调解工作", MEDIATION, 8, "司法局"),
    (C::Other, "突发事件先期处置和信息报告", EMERGENCY, 61, "人民政府办公室"),
    (C::Other, "组织实施辖区统计调查", STATISTICS, 6, "统计局"),
    (
        C::PublicService,
        "城乡居民基本养老保险参保登记",
        SOCIAL_INSURANCE,
        20,
        "人力资源和社会保障局",
    ),
    (C::PublicService, "城乡居民基本医疗保险参保登记", SOCIAL_INSURANCE, 23, "医疗保障局"),
    (C::Other, "辖区动物防疫工作的组织实施", ANIMAL, 8, "农业农村局"),
    (C::Other, "组织开展农村人居环境整治", CITY_CLEAN_REG, 4, "住房和城乡建设局"),
    (C::Other, "辖区秸秆禁烧巡查", AIR, 77, "生态环境分局"),
    (C::Other, "辖区耕地保护巡查和违法占地制止报告", LAND, 67, "自然资源和规划局"),
    (C::Other, "政府信息主动公开", GOV_INFO_REG, 19, "人民政府办公室"),
    (C::Other, "组织实施农村危房改造对象认定初审", HOUSING_ADMIN, 4, "住房和城乡建设局"),
    (C::Other, "对辖区生产经营单位安全生产状况的监督检查", SAFETY, 9, "应急管理局"),
];

/// Extra items every 蓄滞洪区 town holds: name, category, law, article.
pub const FLOOD_ITEMS: [(PowerCategory, &str, &str, u32); 2] = [
    (C::Other, "组织蓄滞洪区内居民撤离转移和安置", FLOOD, 32),
    (C::Benefit, "蓄滞洪区运用补偿申请受理和初审", FLOOD, 32),
];

/// Extra powers every 经济发达镇 holds (devolved from departments): name, category, law,
/// article, the department that hands them down.
pub const DEVELOPED_ITEMS: [(PowerCategory, &str, &str, u32, &str); 4] = [
    (C::Licensing, "建筑工程施工许可证核发（限额以下）", BUILDING, 7, "住房和城乡建设局"),
    (C::Licensing, "食品经营许可（仅销售预包装食品备案除外）", FOOD, 35, "市场监督管理局"),
    (C::Licensing, "城市道路占用、挖掘审批", CITY_ROAD_REG, 30, "城市管理和综合执法局"),
    (C::Confirmation, "个体工商户登记", MARKET_ENTITY_REG, 3, "市场监督管理局"),
];

/// Materials handed in for service items: name, and whether the government gets it by data
/// sharing (国务院令第716号 第7条).
pub const MATERIALS: [(&str, bool); 8] = [
    ("申请书（表）", false),
    ("营业执照或者事业单位法人证书", true),
    ("法定代表人身份证明", true),
    ("经办人身份证明及授权委托书", false),
    ("场所使用权证明（产权证明或者租赁合同）", false),
    ("主要设施、设备清单", false),
    ("相关管理制度文本", false),
    ("专业技术人员资格证明", false),
];

/// Materials for citizens' benefits and confirmations.
pub const PERSONAL_MATERIALS: [(&str, bool); 5] = [
    ("申请书（表）", false),
    ("居民身份证", true),
    ("户口簿", true),
    ("家庭收入和财产状况申报材料", false),
    ("相关证明材料", false),
];

/// Township list handling offices.
pub const TOWN_OFFICES: [&str; 5] =
    ["党政办公室", "综合行政执法队", "社会事务办公室", "经济发展办公室", "便民服务中心"];

/// What a township does for a 配合履职 item (shown in the item's remarks).
pub const COOPERATE_DUTIES: [&str; 6] = [
    "负责日常巡查，发现问题及时劝阻并向主管部门报告",
    "协助主管部门收集、初审申请材料并及时转报",
    "配合开展调查取证和联合执法",
    "配合做好政策宣传和信息采集工作",
    "配合主管部门做好现场核查和结果送达",
    "配合做好矛盾纠纷排查化解和维护稳定工作",
];

/// Departments with a second published list version (2025 revision).
pub const REVISED_DEPARTMENTS: [&str; 2] = ["市场监督管理局", "自然资源和规划局"];
/// Departments with an open draft version.
pub const DRAFT_DEPARTMENTS: [&str; 2] = ["交通运输局", "城市管理和综合执法局"];
