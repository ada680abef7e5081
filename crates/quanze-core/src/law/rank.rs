//! 设定权 — which rank of law may create which kind of power: 行政许可法第十四条至第十七条,
//! 行政处罚法第十条至第十六条, 行政强制法第十条、第十一条 (measures) and 第十三条
//! (enforcement). The table is domain.md §10; every rule names the article that sets it.
//!
//! What an item's data cannot tell (whether a higher law already set the licence, the penalty's
//! kind when its name does not say, the ceiling of a fine) is not guessed: the answer is
//! [`Creation::Confirm`], and the finding says what the reviewer must confirm.

use chrono::NaiveDate;

use crate::item::{ItemContent, PowerCategory};
use crate::law::{Law, LawLevel, LawRegistry, Standing};

/// What a law of a given rank may do for one item: create its power, not create it, or create it
/// under a condition the reviewer must confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Creation {
    /// The rank may create this kind of power (or the category has no 设定权 rule).
    Allowed,
    /// The rank may not create it: the article that forbids it and why.
    Forbidden {
        /// The article, e.g. 行政处罚法第十六条.
        article: &'static str,
        /// The rule in Chinese.
        rule_zh: String,
    },
    /// The rank may create it only under a condition the item's data does not show.
    Confirm {
        /// The article that sets the condition.
        article: &'static str,
        /// What the reviewer must confirm, in Chinese.
        confirm_zh: String,
    },
}

/// Whether `law` may create the power of an item of `category` named `name` (the name is read
/// only for what it says of the measure: 拘留, 吊销营业执照, 冻结, 查封, 扣押 …).
pub fn may_create(law: &Law, category: PowerCategory, name: &str) -> Creation {
    match category {
        PowerCategory::Licensing => licence(law),
        PowerCategory::Penalty => penalty(law.level, name),
        PowerCategory::CoerciveMeasure => measure(law.level, name),
        PowerCategory::CoerciveEnforcement => enforcement(law.level),
        _ => Creation::Allowed,
    }
}

/// What an item's whole 设定依据 may create, with the law the answer rests on.
///
/// The power is created when any cited law may create it: the first registered citation that
/// may ([`Creation::Allowed`]) settles it; else the first that may under a condition
/// ([`Creation::Confirm`]); else, when every citation is registered and none may create it, the
/// first citation's [`Creation::Forbidden`] (a 规范性文件 alone never creates a licence, a
/// penalty or a coercive act). A citation the registry does not know leaves the question open
/// (the review warns of it as `law_unknown`): the answer is then `Allowed` with no law. An item
/// with no legal basis is answered `Allowed` too (`no_legal_basis` is its own finding).
/// Citations are looked up in the edition in force on `on`, else the one closest before it.
pub fn basis_creates<'a>(
    content: &ItemContent,
    laws: &'a LawRegistry,
    on: NaiveDate,
) -> (Creation, Option<&'a Law>) {
    let mut confirmed: Option<(Creation, &'a Law)> = None;
    let mut forbidden_first: Option<(Creation, &'a Law)> = None;
    let mut unknown = false;
    // Only penalties and measures are judged by what their name says (and the rule applies
    // to no other category): no name is built for the rest.
    let named = matches!(content.category, PowerCategory::Penalty | PowerCategory::CoerciveMeasure);
    let name = if named { content.display_name() } else { String::new() };
    for cite in &content.legal_basis {
        let law = match laws.standing(&cite.law, on) {
            Standing::InForce(law) | Standing::NotInForce(law) => law,
            Standing::Unknown => {
                unknown = true;
                continue;
            }
        };
        match may_create(law, content.category, &name) {
            Creation::Allowed => return (Creation::Allowed, Some(law)),
            c @ Creation::Confirm { .. } => {
                confirmed.get_or_insert((c, law));
            }
            c @ Creation::Forbidden { .. } => {
                forbidden_first.get_or_insert((c, law));
            }
        }
    }
    if let Some((c, law)) = confirmed {
        return (c, Some(law));
    }
    match forbidden_first {
        Some((c, law)) if !unknown => (c, Some(law)),
        _ => (Creation::Allowed, None),
    }
}

/// Whether a 地方政府规章's issuer is a provincial government (省、自治区、直辖市人民政府): the
/// only ones that may set a temporary licence (行政许可法第十五条第一款).
pub fn provincial_issuer(issuer: &str) -> bool {
    const MUNICIPALITIES: [&str; 4] = ["北京市", "天津市", "上海市", "重庆市"];
    issuer.contains('省')
        || issuer.contains("自治区")
        || MUNICIPALITIES.iter().any(|m| issuer.starts_with(m))
}

fn forbidden(article: &'static str, rule_zh: impl Into<String>) -> Creation {
    Creation::Forbidden { article, rule_zh: rule_zh.into() }
}

fn confirm(article: &'static str, confirm_zh: impl Into<String>) -> Creation {
    Creation::Confirm { article, confirm_zh: confirm_zh.into() }
}

fn licence(law: &Law) -> Creation {
    match law.level {
        LawLevel::Law | LawLevel::AdministrativeRegulation | LawLevel::StateCouncilDecision => {
            Creation::Allowed
        }
        LawLevel::LocalRegulation | LawLevel::AutonomousRegulation => confirm(
            "行政许可法第十五条",
            "地方性法规只能在尚未制定法律、行政法规时设定行政许可，且不得设定应由国家统一确定的资格、资质许可和企业设立登记前置许可，请确认",
        ),
        LawLevel::LocalGovernmentRule if provincial_issuer(&law.issuer) => confirm(
            "行政许可法第十五条",
            "省级人民政府规章只能设定临时性的行政许可，实施满一年需要继续实施的应当提请制定地方性法规，请确认其期限",
        ),
        LawLevel::LocalGovernmentRule => forbidden(
            "行政许可法第十五条、第十七条",
            "只有省、自治区、直辖市人民政府规章可以设定临时性行政许可，其他地方政府规章不得设定行政许可",
        ),
        LawLevel::DepartmentalRule => forbidden(
            "行政许可法第十六条、第十七条",
            "部门规章只能在上位法设定的行政许可事项范围内作出具体规定，不得设定行政许可",
        ),
        LawLevel::NormativeDocument => {
            forbidden("行政许可法第十七条", "规范性文件一律不得设定行政许可")
        }
    }
}

/// Words naming a penalty that restricts personal liberty (行政处罚法第十条第二款).
const LIBERTY: [&str; 2] = ["拘留", "限制人身自由"];
/// Words naming penalties beyond 警告、通报批评 and fines (行政处罚法第九条).
const BEYOND_FINES: [&str; 9] = [
    "没收",
    "暂扣",
    "吊销",
    "降低资质等级",
    "责令停产停业",
    "责令关闭",
    "限制开展生产经营活动",
    "限制从业",
    "拘留",
];

fn penalty(level: LawLevel, name: &str) -> Creation {
    let says = |words: &[&str]| words.iter().any(|w| name.contains(w));
    match level {
        LawLevel::Law => Creation::Allowed,
        _ if says(&LIBERTY) => {
            forbidden("行政处罚法第十条第二款", "限制人身自由的行政处罚只能由法律设定")
        }
        LawLevel::AdministrativeRegulation => Creation::Allowed,
        LawLevel::LocalRegulation | LawLevel::AutonomousRegulation
            if name.contains("吊销营业执照") =>
        {
            forbidden("行政处罚法第十二条", "地方性法规不得设定吊销营业执照的行政处罚")
        }
        LawLevel::LocalRegulation | LawLevel::AutonomousRegulation => Creation::Allowed,
        LawLevel::DepartmentalRule | LawLevel::LocalGovernmentRule => {
            let (article, rank) = if level == LawLevel::DepartmentalRule {
                ("行政处罚法第十三条", "部门规章")
            } else {
                ("行政处罚法第十四条", "地方政府规章")
            };
            if says(&BEYOND_FINES) {
                forbidden(article, format!("{rank}只能设定警告、通报批评或者一定数额罚款"))
            } else {
                confirm(
                    article,
                    format!(
                        "{rank}只能设定警告、通报批评或者一定数额罚款（罚款不得超过规定限额），请确认处罚种类和罚款数额"
                    ),
                )
            }
        }
        LawLevel::StateCouncilDecision | LawLevel::NormativeDocument => {
            forbidden("行政处罚法第十六条", "法律、法规、规章以外的其他规范性文件不得设定行政处罚")
        }
    }
}

/// Words naming measures only a 法律 may set (行政强制法第九条第一项、第四项; 第十条第二款).
const LAW_ONLY_MEASURES: [&str; 6] =
    ["限制人身自由", "约束", "留置", "强制隔离", "冻结", "扣留人员"];
/// Words naming the two measures a 地方性法规 may set (行政强制法第十条第三款).
const LOCAL_MEASURES: [&str; 3] = ["查封", "扣押", "暂扣"];

fn measure(level: LawLevel, name: &str) -> Creation {
    let says = |words: &[&str]| words.iter().any(|w| name.contains(w));
    match level {
        LawLevel::Law => Creation::Allowed,
        LawLevel::AdministrativeRegulation if says(&LAW_ONLY_MEASURES) => forbidden(
            "行政强制法第十条第二款",
            "限制公民人身自由、冻结存款汇款和应当由法律规定的行政强制措施，行政法规不得设定",
        ),
        LawLevel::AdministrativeRegulation => Creation::Allowed,
        LawLevel::LocalRegulation | LawLevel::AutonomousRegulation if says(&LAW_ONLY_MEASURES) => {
            forbidden(
                "行政强制法第十条第三款",
                "地方性法规只能设定查封场所、设施或者财物和扣押财物的行政强制措施",
            )
        }
        LawLevel::LocalRegulation | LawLevel::AutonomousRegulation if says(&LOCAL_MEASURES) => {
            Creation::Allowed
        }
        LawLevel::LocalRegulation | LawLevel::AutonomousRegulation => confirm(
            "行政强制法第十条第三款",
            "地方性法规只能设定查封场所、设施或者财物和扣押财物的行政强制措施，请确认本事项属于其中之一",
        ),
        LawLevel::StateCouncilDecision
        | LawLevel::DepartmentalRule
        | LawLevel::LocalGovernmentRule
        | LawLevel::NormativeDocument => forbidden(
            "行政强制法第十条第四款",
            "法律、法规以外的其他规范性文件不得设定行政强制措施",
        ),
    }
}

fn enforcement(level: LawLevel) -> Creation {
    match level {
        LawLevel::Law => Creation::Allowed,
        _ => forbidden(
            "行政强制法第十三条",
            "行政强制执行由法律设定；法律没有规定行政机关强制执行的，应当申请人民法院强制执行",
        ),
    }
}

#[cfg(test)]
mod tests;
