//! Why a grant, a readiness record or a reclaim was refused.

use chrono::NaiveDate;

use super::ReadinessItem;
use crate::ids::{GrantId, ItemId, UnitId};

/// Why a grant or reclaim was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// The window ends before it starts.
    #[error("the grant ends ({until}) before it starts ({from})")]
    EmptyWindow {
        /// Start.
        from: NaiveDate,
        /// End.
        until: NaiveDate,
    },
    /// The target selects no town.
    #[error("the grant names no town")]
    NoTowns,
    /// A named unit is not a town or subdistrict.
    #[error("unit {0} is not a town or subdistrict")]
    NotATown(UnitId),
    /// The department does not hold the power on the date.
    #[error("department {unit} does not hold item {item} on {date}")]
    DepartmentDoesNotHold {
        /// The department.
        unit: UnitId,
        /// The item.
        item: ItemId,
        /// The date.
        date: NaiveDate,
    },
    /// The town already holds the power through another grant on the start date.
    #[error("town {town} already holds this power through grant {other}")]
    GrantedTwice {
        /// The town.
        town: UnitId,
        /// The existing grant.
        other: GrantId,
    },
    /// The windows of two grants of the power to a town overlap.
    #[error("the window overlaps grant {other} in town {town}")]
    OverlappingWindow {
        /// The town.
        town: UnitId,
        /// The existing grant.
        other: GrantId,
    },
    /// A penalty power without a provincial decision (行政处罚法 第24条).
    #[error("a penalty power may go to towns only by a provincial decision")]
    PenaltyWithoutProvincialDecision,
    /// Entrusting a coercive measure (行政强制法 第17条).
    #[error("administrative coercive measures cannot be entrusted")]
    CoercionEntrusted,
    /// A reclaim names an unknown grant.
    #[error("no grant {0}")]
    UnknownGrant(GrantId),
    /// The grant is not active in the town on the reclaim date.
    #[error("grant {grant} is not active in town {town} on {date}")]
    NoActiveGrant {
        /// The grant.
        grant: GrantId,
        /// The town.
        town: UnitId,
        /// The date.
        date: NaiveDate,
    },
    /// A reclaim or override without a reason.
    #[error("a reason is required")]
    MissingReason,
    /// The decision's issuer is not a provincial body (行政处罚法 第24条).
    #[error("the decision's issuer {issuer} is not a provincial body")]
    DecisionNotProvincial {
        /// The issuer's name and region.
        issuer: String,
    },
    /// The decision is published after the grant would take effect (行政处罚法 第24条).
    #[error("the decision is published on {published_on}, after the grant starts on {from}")]
    DecisionNotPublished {
        /// Its publication date.
        published_on: NaiveDate,
        /// The grant's start.
        from: NaiveDate,
    },
    /// The decision's next periodic evaluation is not after its publication.
    #[error("the decision's next evaluation ({next}) is not after its publication")]
    EvaluationNotScheduled {
        /// The evaluation date given.
        next: NaiveDate,
    },
    /// An entrustment without its 委托书 (行政处罚法 第20条, 行政许可法 第24条).
    #[error("an entrustment needs its written entrustment (matters, scope, term)")]
    EntrustmentWithoutLetter,
    /// A 委托书 without matters, scope or a term.
    #[error("the written entrustment must name the matters, the scope and a term")]
    EntrustmentIncomplete,
    /// The grant starts outside the 委托书's term.
    #[error("the grant starts on {from}, outside the entrustment's term {term_from}..{term_until}")]
    OutsideEntrustmentTerm {
        /// The grant's start.
        from: NaiveDate,
        /// The term's first day.
        term_from: NaiveDate,
        /// The term's end (exclusive).
        term_until: NaiveDate,
    },
    /// The 委托书 is published after the grant would take effect.
    #[error("the entrustment is published on {published_on}, after the grant starts on {from}")]
    EntrustmentNotPublished {
        /// Its publication date.
        published_on: NaiveDate,
        /// The grant's start.
        from: NaiveDate,
    },
    /// The department holds the power by entrustment and would pass it on (再委托).
    #[error("a power held by entrustment cannot be entrusted or handed down again")]
    ReEntrustment,
    /// A licence handed down directly without a basis for the town's own name.
    #[error(
        "a licence handed to a town in its own name needs a law, a regulation or a concentrated-licensing decision"
    )]
    LicenceWithoutOwnNameBasis,
    /// A coercive measure handed down directly without a basis for the town's own name.
    #[error(
        "a coercive measure handed to a town in its own name needs a law, a regulation or concentrated enforcement"
    )]
    CoercionWithoutOwnNameBasis,
    /// A waiver of conditions that cannot be waived.
    #[error("these readiness conditions cannot be waived: {0:?}")]
    NotWaivable(Vec<ReadinessItem>),
}

impl GrantError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            GrantError::EmptyWindow { from, until } => {
                format!("赋权截止日期{until}早于或等于生效日期{from}")
            }
            GrantError::NoTowns => "赋权对象中没有乡镇（街道）".into(),
            GrantError::NotATown(unit) => format!("单位{unit}不是乡镇或街道，不能作为赋权对象"),
            GrantError::DepartmentDoesNotHold { unit, item, date } => {
                format!("部门{unit}在{date}不享有事项{item}的权力，不能下放（法无授权不可为）")
            }
            GrantError::GrantedTwice { town, other } => {
                format!("乡镇{town}已通过赋权{other}承接该事项，不能重复赋权")
            }
            GrantError::OverlappingWindow { town, other } => {
                format!("对乡镇{town}的赋权期间与赋权{other}重叠")
            }
            GrantError::PenaltyWithoutProvincialDecision => {
                "行政处罚法第二十四条：赋予乡镇行政处罚权须有省级决定，请登记决定机关、文号、公布日期和下次评估日期"
                    .into()
            }
            GrantError::CoercionEntrusted => "行政强制措施权不得委托（行政强制法第十七条）".into(),
            GrantError::UnknownGrant(id) => format!("赋权{id}不存在"),
            GrantError::NoActiveGrant { grant, town, date } => {
                format!("赋权{grant}在{date}未在乡镇{town}生效，无可收回")
            }
            GrantError::MissingReason => "须说明理由".into(),
            GrantError::DecisionNotProvincial { issuer } => format!(
                "行政处罚法第二十四条：赋予乡镇行政处罚权须有省、自治区、直辖市的决定，“{issuer}”不是省级机关"
            ),
            GrantError::DecisionNotPublished { published_on, from } => format!(
                "行政处罚法第二十四条：省级决定应当公布，其公布日期{published_on}晚于赋权生效日期{from}"
            ),
            GrantError::EvaluationNotScheduled { next } => format!(
                "行政处罚法第二十四条：省级决定须定期组织评估，下次评估日期{next}应晚于公布日期"
            ),
            GrantError::EntrustmentWithoutLetter => {
                "行政处罚法第二十条、行政许可法第二十四条：委托须有书面委托书，载明委托事项、权限和期限"
                    .into()
            }
            GrantError::EntrustmentIncomplete => {
                "行政处罚法第二十条：委托书应当载明委托的具体事项、权限、期限等内容".into()
            }
            GrantError::OutsideEntrustmentTerm { from, term_from, term_until } => format!(
                "行政处罚法第二十条：赋权生效日期{from}不在委托期限（{term_from}至{term_until}前）之内"
            ),
            GrantError::EntrustmentNotPublished { published_on, from } => format!(
                "行政处罚法第二十条、行政许可法第二十四条：委托书应当公布，其公布日期{published_on}晚于赋权生效日期{from}"
            ),
            GrantError::ReEntrustment => {
                "行政处罚法第二十条、行政许可法第二十四条：受委托行使的权力不得再委托或下放".into()
            }
            GrantError::LicenceWithoutOwnNameBasis => {
                "行政许可法第二十三条、第二十五条：乡镇以自己名义实施行政许可须有法律、法规授权或相对集中行政许可权的决定"
                    .into()
            }
            GrantError::CoercionWithoutOwnNameBasis => {
                "行政强制法第十七条：乡镇以自己名义实施行政强制措施须有法律、法规规定或相对集中行政处罚权（第十七条第二款）"
                    .into()
            }
            GrantError::NotWaivable(items) => format!(
                "行政处罚法第四十二条：{}不能以特批承接代替",
                items.iter().map(|i| i.zh()).collect::<Vec<_>>().join("、")
            ),
        }
    }
}
