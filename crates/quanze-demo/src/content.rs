//! Item specs (what the data tables expand to) and the content built from them: legal basis,
//! responsibilities by stage (domain.md §3 skeletons), accountability and service fields.

use quanze_core::item::SessionDays;
use quanze_core::{
    Accountability, BaseCode, ExerciseLevel, ItemContent, LegalRef, LimitUnit, Material,
    PowerCategory, PowerSource, Responsibility, ServiceInfo, TimeLimit, UnitId,
};

use crate::data::{
    self, COERCION_LAW, DeptSpec, LICENSING_LAW, MATERIALS, PARTIES, PENALTY_LAW,
    PERSONAL_MATERIALS, SANCTION_LAW,
};
use crate::seeded::{Gen, segment3};

/// One item as the data tables describe it, before it gets a holder.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub name: String,
    pub sub_item: Option<String>,
    pub category: PowerCategory,
    pub law: &'static str,
    pub article: u32,
    /// Statutory and committed limits in working days; `(0, 0)` takes the default.
    pub limits: (u32, u32),
    pub base_code: BaseCode,
}

/// The 6-character owner segment of the base codes of department `dept_idx`.
pub(crate) fn owner_segment(dept_idx: usize) -> String {
    format!("0001{:02}", dept_idx + 1)
}

fn base_code(owner: &str, main: u32, sub: u32) -> BaseCode {
    BaseCode::parse(&format!("{owner}{}{}", segment3(main), segment3(sub)))
        .expect("owner segment and two 3-character segments make 12 code characters")
}

/// Every item a department's tables describe, in a fixed order: listed powers, then each
/// penalty family (penalties, inspections, coercive measure).
pub(crate) fn dept_specs(dept_idx: usize, dept: &DeptSpec) -> Vec<Spec> {
    let owner = owner_segment(dept_idx);
    let code = |main: u32, sub: u32| base_code(&owner, main, sub);
    let mut specs = Vec::new();
    let mut main = 0u32;
    for power in dept.powers {
        main += 1;
        let subs: Vec<Option<&str>> = if power.subs.is_empty() {
            vec![None]
        } else {
            power.subs.iter().map(|s| Some(*s)).collect()
        };
        for (k, sub) in subs.into_iter().enumerate() {
            specs.push(Spec {
                name: power.name.to_owned(),
                sub_item: sub.map(str::to_owned),
                category: power.category,
                law: power.law,
                article: power.article,
                limits: power.limits,
                base_code: code(main, if sub.is_some() { k as u32 + 1 } else { 0 }),
            });
        }
    }
    for group in dept.groups {
        let penalty = |name: String, sub_item: Option<String>, article: u32, base_code| Spec {
            name,
            sub_item,
            category: PowerCategory::Penalty,
            law: group.law,
            article,
            limits: (0, 0),
            base_code,
        };
        for subject in group.subjects {
            if group.sub_items {
                main += 1;
                let name = format!("对{subject}违反《{}》行为的行政处罚", group.law);
                for (k, (violation, article)) in group.violations.iter().enumerate() {
                    // Codes stay as they were: an impossible pair keeps its number unused.
                    if !data::possible(subject, violation) {
                        continue;
                    }
                    let sub_item = Some(format!("对{violation}的处罚"));
                    specs.push(penalty(name.clone(), sub_item, *article, code(main, k as u32 + 1)));
                }
            } else {
                for (violation, article) in group.violations {
                    main += 1;
                    if !data::possible(subject, violation) {
                        continue;
                    }
                    let name = format!("对{subject}{violation}的行政处罚");
                    specs.push(penalty(name, None, *article, code(main, 0)));
                }
            }
        }
        if group.inspect != 0 {
            for subject in group.subjects {
                main += 1;
                specs.push(Spec {
                    name: format!("对{subject}遵守《{}》情况的行政检查", group.law),
                    sub_item: None,
                    category: PowerCategory::Inspection,
                    law: group.law,
                    article: group.inspect,
                    limits: (0, 0),
                    base_code: code(main, 0),
                });
            }
        }
        if let Some((name, article)) = group.coerce {
            main += 1;
            specs.push(Spec {
                name: name.to_owned(),
                sub_item: None,
                category: PowerCategory::CoerciveMeasure,
                law: group.law,
                article,
                limits: (0, 0),
                base_code: code(main, 0),
            });
        }
    }
    specs
}

/// A spec for an item described by name only (township duties, tag extras).
pub(crate) fn plain_spec(
    owner: &str,
    main: u32,
    category: PowerCategory,
    name: &str,
    law: &'static str,
    article: u32,
) -> Spec {
    Spec {
        name: name.to_owned(),
        sub_item: None,
        category,
        law,
        article,
        limits: (0, 0),
        base_code: base_code(owner, main, 0),
    }
}

/// Who holds an item and where it is served.
pub(crate) struct HolderCtx<'a> {
    pub holder: UnitId,
    pub office: &'a str,
    pub place: &'a str,
    pub phone: &'a str,
    pub source: PowerSource,
    pub level: ExerciseLevel,
}

/// The legal reference of a law and article, with the edition the data tables name.
pub(crate) fn legal_ref(law: &str, article: u32) -> LegalRef {
    let mut r = LegalRef::article(law, article);
    r.edition = data::LAWS.iter().find(|(title, _)| *title == law).map(|(_, ed)| (*ed).to_owned());
    r
}

fn refs(law: &str, articles: &[u32]) -> Vec<LegalRef> {
    articles.iter().map(|a| legal_ref(law, *a)).collect()
}

fn resp(stage: &str, content: &str, basis: Vec<LegalRef>) -> Responsibility {
    Responsibility { stage: stage.to_owned(), content: content.to_owned(), basis }
}

/// Responsibilities by stage: the default skeletons of domain.md §3, each stage with its own
/// basis, ending with the item's own law.
pub(crate) fn responsibilities(category: PowerCategory, basis: &LegalRef) -> Vec<Responsibility> {
    let own = || vec![basis.clone()];
    let other = "法律法规规章文件规定应履行的其他责任。";
    match category {
        PowerCategory::Licensing => vec![
            resp(
                "受理",
                "公示依法应当提交的材料；一次性告知补正材料；依法受理或者不予受理（不予受理的应当告知理由）。",
                refs(LICENSING_LAW, &[30, 32]),
            ),
            resp(
                "审查",
                "对申请人提交的申请材料进行审查，需要对申请材料的实质内容进行核实的，指派两名以上工作人员进行核查；提出审查意见。",
                refs(LICENSING_LAW, &[34]),
            ),
            resp(
                "决定",
                "作出准予或者不予行政许可的决定；不予许可的，说明理由并告知申请人享有依法申请行政复议或者提起行政诉讼的权利。",
                refs(LICENSING_LAW, &[37, 38, 42]),
            ),
            resp(
                "送达",
                "准予许可的，自作出决定之日起十日内向申请人颁发、送达行政许可证件，并依法公开。",
                refs(LICENSING_LAW, &[39, 40, 44]),
            ),
            resp(
                "事后监管",
                "对被许可人从事行政许可事项的活动进行监督检查。",
                {
                    let mut b = refs(LICENSING_LAW, &[61]);
                    b.extend(own());
                    b
                },
            ),
            resp("其他", other, own()),
        ],
        PowerCategory::Penalty => vec![
            resp(
                "立案",
                "对发现的涉嫌违法行为，符合立案标准的，及时立案。",
                refs(PENALTY_LAW, &[54]),
            ),
            resp(
                "调查取证",
                "执法人员不少于两人，出示执法证件，全面、客观、公正地调查，收集证据；必要时依法先行登记保存证据。",
                refs(PENALTY_LAW, &[42, 55, 56]),
            ),
            resp(
                "审理",
                "对调查结果进行审查，对情节复杂或者重大违法行为给予行政处罚的，集体讨论决定；进行法制审核。",
                refs(PENALTY_LAW, &[57, 58]),
            ),
            resp(
                "告知",
                "作出行政处罚决定前，告知当事人拟作出的处罚内容及事实、理由、依据，并告知其陈述、申辩和要求听证的权利。",
                refs(PENALTY_LAW, &[44, 45, 63]),
            ),
            resp(
                "决定",
                "制作行政处罚决定书，载明违法事实、证据、处罚依据和内容、履行方式和期限、救济途径等。",
                refs(PENALTY_LAW, &[57, 59]),
            ),
            resp(
                "送达",
                "行政处罚决定书在宣告后当场交付当事人；当事人不在场的，在七日内依照民事诉讼法的有关规定送达。",
                refs(PENALTY_LAW, &[61]),
            ),
            resp(
                "执行",
                "监督当事人在决定的期限内履行；当事人逾期不履行的，依法加处罚款或者申请人民法院强制执行。",
                refs(PENALTY_LAW, &[66, 67, 72]),
            ),
            resp("其他", other, own()),
        ],
        // 行政强制措施 (行政强制法第十八条至第二十八条): 报批 → 实施 → 决定书 → 解除.
        PowerCategory::CoerciveMeasure => vec![
            resp(
                "报批",
                "实施前向行政机关负责人报告并经批准；情况紧急需要当场实施的，在二十四小时内向负责人报告并补办批准手续。",
                refs(COERCION_LAW, &[18, 19]),
            ),
            resp(
                "实施",
                "由两名以上行政执法人员实施，出示执法身份证件，通知当事人到场，告知理由、依据和救济途径，听取陈述和申辩，制作现场笔录。",
                refs(COERCION_LAW, &[18]),
            ),
            resp(
                "决定书",
                "查封、扣押的，制作并当场交付查封、扣押决定书和清单。",
                refs(COERCION_LAW, &[24]),
            ),
            resp(
                "解除",
                "查封、扣押期限不超过三十日，情况复杂的经负责人批准可以延长不超过三十日；违法行为已查清或者不再需要查封、扣押的，及时解除。",
                refs(COERCION_LAW, &[25, 28]),
            ),
            resp("其他", other, own()),
        ],
        // 行政强制执行 (行政强制法第三十五条至第四十四条): 催告 → 陈述申辩 → 决定 → 执行.
        PowerCategory::CoerciveEnforcement => vec![
            resp(
                "催告",
                "作出强制执行决定前，事先以书面形式催告当事人履行义务。",
                refs(COERCION_LAW, &[35]),
            ),
            resp(
                "陈述申辩",
                "充分听取当事人的意见，对当事人提出的事实、理由和证据进行记录、复核。",
                refs(COERCION_LAW, &[36]),
            ),
            resp(
                "决定",
                "经催告当事人逾期仍不履行的，作出书面强制执行决定，载明强制执行的理由、依据、方式和时间。",
                refs(COERCION_LAW, &[37]),
            ),
            resp(
                "执行",
                "依法送达并实施；不得在夜间或者法定节假日实施行政强制执行（情况紧急的除外）。",
                refs(COERCION_LAW, &[38, 43]),
            ),
            resp("其他", other, own()),
        ],
        PowerCategory::Confirmation => vec![
            resp(
                "受理",
                "公示应当提交的材料，一次性告知补正材料，依法受理或者不予受理（不予受理的应当告知理由）。",
                own(),
            ),
            resp(
                "审查和决定",
                "对申请材料进行审查，必要时实地核查；符合条件的予以确认，不符合的书面告知理由。",
                own(),
            ),
            resp("送达", "在规定期限内将确认结果送达申请人。", own()),
            resp("事后监管", "对确认事项进行监督检查，发现问题依法纠正。", own()),
            resp("其他", other, own()),
        ],
        PowerCategory::Inspection => vec![
            resp(
                "检查",
                "制定并公布检查计划，按照“双随机、一公开”要求实施检查；检查人员不少于两人并出示执法证件。",
                own(),
            ),
            resp(
                "处置",
                "对检查中发现的违法行为，责令改正；依法应当给予行政处罚的，依法立案查处。",
                {
                    let mut b = own();
                    b.push(legal_ref(PENALTY_LAW, 28));
                    b
                },
            ),
            resp("公开", "依法公开检查结果。", own()),
            resp("其他", other, own()),
        ],
        _ => vec![
            resp(
                "受理",
                "公示办理条件和所需材料，一次性告知补正材料，依法受理或者不予受理。",
                own(),
            ),
            resp("审查", "对申请材料进行审查，提出审查意见。", own()),
            resp("决定", "在规定期限内作出决定；不予办理的，书面说明理由。", own()),
            resp("送达", "将办理结果送达申请人并依法公开。", own()),
            resp("其他", other, own()),
        ],
    }
}

/// Accountability situations per category: (situation, law, article).
fn situations(category: PowerCategory) -> &'static [(&'static str, &'static str, u32)] {
    match category {
        PowerCategory::Licensing => &[
            ("对符合法定条件的行政许可申请不予受理的", LICENSING_LAW, 72),
            ("不在办公场所公示依法应当公示的材料的", LICENSING_LAW, 72),
            (
                "申请人提交的申请材料不齐全、不符合法定形式，不一次告知申请人必须补正的全部内容的",
                LICENSING_LAW,
                72,
            ),
            ("不依法说明不受理行政许可申请或者不予行政许可的理由的", LICENSING_LAW, 72),
            ("依法应当举行听证而不举行听证的", LICENSING_LAW, 72),
            (
                "办理行政许可、实施监督检查，索取或者收受他人财物或者谋取其他利益的",
                LICENSING_LAW,
                73,
            ),
            (
                "对不符合法定条件的申请人准予行政许可或者超越法定职权作出准予行政许可决定的",
                LICENSING_LAW,
                74,
            ),
            (
                "对符合法定条件的申请人不予行政许可或者不在法定期限内作出准予行政许可决定的",
                LICENSING_LAW,
                74,
            ),
        ],
        PowerCategory::Penalty => &[
            ("没有法定的行政处罚依据的", PENALTY_LAW, 76),
            ("擅自改变行政处罚种类、幅度的", PENALTY_LAW, 76),
            ("违反法定的行政处罚程序的", PENALTY_LAW, 76),
            ("执法人员未取得执法证件的", PENALTY_LAW, 76),
            ("对当事人进行罚款、没收财物等不使用法定单据的", PENALTY_LAW, 77),
            ("截留、私分或者变相私分罚款、没收的违法所得或者财物的", PENALTY_LAW, 79),
            ("使用或者损毁查封、扣押的财物，对当事人造成损失的", PENALTY_LAW, 80),
            ("违法实行检查措施或者执行措施，给公民人身或者财产造成损害的", PENALTY_LAW, 81),
            ("应当依法移交司法机关追究刑事责任而不移交，以行政处罚代替刑事处罚的", PENALTY_LAW, 82),
            (
                "对应当予以制止和处罚的违法行为不予制止、处罚，致使合法权益、公共利益和社会秩序遭受损害的",
                PENALTY_LAW,
                83,
            ),
        ],
        PowerCategory::CoerciveMeasure => &[
            ("没有法律、法规依据实施行政强制措施的", COERCION_LAW, 61),
            ("改变行政强制对象、条件、方式的", COERCION_LAW, 61),
            ("违反法定程序实施行政强制措施的", COERCION_LAW, 61),
            ("扩大查封、扣押、冻结范围的", COERCION_LAW, 62),
            ("使用或者损毁查封、扣押场所、设施或者财物的", COERCION_LAW, 62),
            ("截留、私分或者变相私分查封、扣押的财物的", COERCION_LAW, 63),
        ],
        PowerCategory::CoerciveEnforcement => &[
            ("没有法律依据实施行政强制执行的", COERCION_LAW, 61),
            ("违反法定程序实施行政强制执行的", COERCION_LAW, 61),
            ("在夜间或者法定节假日实施行政强制执行的", COERCION_LAW, 61),
            (
                "对居民生活采取停止供水、供电、供热、供燃气等方式迫使当事人履行相关行政决定的",
                COERCION_LAW,
                61,
            ),
            ("截留、私分或者变相私分行政强制执行的款项的", COERCION_LAW, 63),
        ],
        PowerCategory::Inspection => &[
            ("违法实行检查措施，给公民人身或者财产造成损害的", PENALTY_LAW, 81),
            ("对检查中发现的违法行为不依法处置的", PENALTY_LAW, 83),
            (
                "滥用职权，危害国家利益、社会公共利益或者侵害公民、法人、其他组织合法权益的",
                SANCTION_LAW,
                39,
            ),
            ("利用职权或者职务上的影响，为本人或者他人谋取私利的", SANCTION_LAW, 33),
        ],
        _ => &[
            ("不履行或者不正确履行职责，玩忽职守，贻误工作的", SANCTION_LAW, 39),
            (
                "滥用职权，危害国家利益、社会公共利益或者侵害公民、法人、其他组织合法权益的",
                SANCTION_LAW,
                39,
            ),
            ("利用职权或者职务上的影响，为本人或者他人谋取私利的", SANCTION_LAW, 33),
            ("在办理过程中索取或者收受他人财物的", SANCTION_LAW, 33),
        ],
    }
}

/// Three to five accountability cases for the category, with the four usual parties.
pub(crate) fn accountability(rng: &mut Gen, category: PowerCategory) -> Vec<Accountability> {
    let all = situations(category);
    let n = (rng.range(3, 5) as usize).min(all.len());
    // A random start keeps items varied while staying in the table's order.
    let start = rng.below(all.len());
    (0..n)
        .map(|k| {
            let (situation, law, article) = all[(start + k) % all.len()];
            Accountability {
                situation: situation.to_owned(),
                basis: vec![legal_ref(law, article)],
                parties: PARTIES.iter().map(|p| (*p).to_owned()).collect(),
            }
        })
        .collect()
}

/// Whether citizens and firms apply for items of this category (政务服务事项).
pub(crate) fn is_service(category: PowerCategory) -> bool {
    matches!(
        category,
        PowerCategory::Licensing
            | PowerCategory::Confirmation
            | PowerCategory::Benefit
            | PowerCategory::PublicService
    )
}

fn service(rng: &mut Gen, spec: &Spec, ctx: &HolderCtx<'_>) -> ServiceInfo {
    let (default_statutory, conditions) = match spec.category {
        PowerCategory::Licensing => {
            (20, "申请人具备法律、法规规定的条件，申请材料齐全、符合法定形式")
        }
        PowerCategory::Confirmation => (20, "申请人符合确认条件，申请材料齐全、真实"),
        PowerCategory::Benefit => (30, "申请人符合给付对象条件，家庭收入和财产状况符合规定标准"),
        _ => (15, "申请人提交的材料齐全、真实"),
    };
    let (statutory, committed) = match spec.limits {
        (0, _) => {
            let committed = (default_statutory / 2).max(1) - rng.range(0, 3);
            (default_statutory, committed)
        }
        limits => limits,
    };
    let table: &[(&str, bool)] =
        if spec.category == PowerCategory::Benefit { &PERSONAL_MATERIALS } else { &MATERIALS };
    let n_materials = rng.range(3, table.len() as u32) as usize;
    let materials = table[..n_materials]
        .iter()
        .enumerate()
        .map(|(k, (name, shared))| Material {
            name: (*name).to_owned(),
            form: Some(if *shared { "电子" } else { "纸质或电子" }.to_owned()),
            copies: Some(1),
            // The application form and the identity documents are always required.
            required: k < 3 || rng.chance(0.7),
            shared: *shared,
        })
        .collect();
    let fee = (spec.category == PowerCategory::Confirmation && spec.law.contains("不动产"))
        .then(|| "按照国家发展改革委、财政部规定的不动产登记收费标准收取".to_owned());
    let mut channels = vec!["窗口办理".to_owned(), "网上办理".to_owned()];
    if rng.chance(0.3) {
        channels.push("快递申请".to_owned());
    }
    ServiceInfo {
        conditions: Some(conditions.to_owned()),
        materials,
        statutory_limit: Some(TimeLimit { amount: statutory, unit: LimitUnit::WorkingDays }),
        committed_limit: Some(TimeLimit { amount: committed, unit: LimitUnit::WorkingDays }),
        fee,
        channels,
        place: Some(ctx.place.to_owned()),
        phone: Some(ctx.phone.to_owned()),
        trips: Some(if rng.chance(0.6) { 0 } else { 1 }),
        // 定期审批 for a few items (decided at a weekly joint meeting); no draw from the
        // generator, so the rest of the county stays as it was.
        sessions: data::SESSION_ITEMS
            .iter()
            .find(|(name, _)| *name == spec.name)
            .map(|(_, days)| SessionDays::parse(days).expect("session days in data.rs are valid")),
    }
}

/// The full content of an item: everything a published item needs to pass
/// [`ItemContent::issues`] without findings.
pub(crate) fn build(rng: &mut Gen, spec: &Spec, ctx: &HolderCtx<'_>) -> ItemContent {
    let basis = legal_ref(spec.law, spec.article);
    let handling_office = if spec.category == PowerCategory::Licensing {
        // Counties moved licensing to one approval office (行政审批股) at the service centre.
        "行政审批股"
    } else {
        ctx.office
    };
    ItemContent {
        name: spec.name.clone(),
        sub_item: spec.sub_item.clone(),
        category: spec.category,
        category_label: None,
        base_code: Some(spec.base_code.clone()),
        impl_code: None,
        local_code: None,
        legal_basis: std::iter::once(basis.clone())
            .chain(
                data::FURTHER_BASIS
                    .iter()
                    .filter(|(name, _, _)| *name == spec.name)
                    .map(|(_, law, article)| legal_ref(law, *article)),
            )
            .collect(),
        holder: ctx.holder,
        handling_office: Some(handling_office.to_owned()),
        cooperation: Vec::new(),
        source: ctx.source,
        grant: None,
        level: ctx.level,
        responsibilities: responsibilities(spec.category, &basis),
        accountability: accountability(rng, spec.category),
        service: is_service(spec.category).then(|| service(rng, spec, ctx)),
        remarks: None,
    }
}
