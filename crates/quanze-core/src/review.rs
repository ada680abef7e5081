//! Legality review (合法性审查): automatic checks over the items a change set would publish,
//! then the reviewer's verdict per item and the overall outcome.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::devolution::{Grant, GrantMode};
use crate::error::{Issue, Severity};
use crate::ids::{ItemId, ListId, UnitId, UserId};
use crate::item::{ItemContent, PowerCategory, PowerSource};
use crate::law::{LawRegistry, Standing};
use crate::list::DutyKind;

/// One item as it would stand after the change set: its list, duty kind and content.
#[derive(Debug, Clone, Copy)]
pub struct ReviewItem<'a> {
    /// The item.
    pub item: ItemId,
    /// The list it is in.
    pub list: ListId,
    /// Its duty kind there.
    pub duty: DutyKind,
    /// Its content.
    pub content: &'a ItemContent,
}

/// What the checks look things up in.
#[derive(Debug, Clone, Copy)]
pub struct ReviewContext<'a> {
    /// The law registry.
    pub laws: &'a LawRegistry,
    /// Units that exist (holders, cooperating, lead and receiving units must be among them).
    pub known_units: &'a HashSet<UnitId>,
    /// The day the new versions take effect.
    pub effective_on: NaiveDate,
    /// Grants recorded or proposed for these items.
    pub grants: &'a [Grant],
}

/// 审查发现 — the automatic findings about one item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemFindings {
    /// The item.
    pub item: ItemId,
    /// Its display name.
    pub name: String,
    /// The findings (empty when clean). Every finding blocks publication.
    pub issues: Vec<Issue>,
}

/// Runs every automatic check over `items` and returns one entry per item, in input order.
///
/// Checks: the item's own findings (权责一致, codes, name; see [`ItemContent::issues`]); every
/// cited law is registered and in force on the effective date; holder, cooperating, lead and
/// receiving units exist; no item twice in one list (by id or by name and codes); 行政强制措施
/// not entrusted (行政强制法 17); a township item whose source is 上级下放/上级委托 is linked to
/// a recorded grant of the matching mode (issue 14 §1), which for a penalty power handed down
/// has a provincial decision (行政处罚法 24) and for an entrustment a 委托书 (行政处罚法 20);
/// the rank of the cited law may create the item's kind of power (设定权, see [`creation`]).
pub fn check_items(items: &[ReviewItem<'_>], ctx: &ReviewContext<'_>) -> Vec<ItemFindings> {
    let mut seen_ids: HashMap<(ListId, ItemId), usize> = HashMap::new();
    let mut seen_keys: HashMap<(ListId, String), usize> = HashMap::new();
    let mut grants_by_item: HashMap<ItemId, Vec<&Grant>> = HashMap::new();
    for g in ctx.grants {
        grants_by_item.entry(g.item).or_default().push(g);
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        let c = it.content;
        let name = c.display_name();
        let mut issues = c.issues();
        check_laws(c, ctx, &name, &mut issues);
        issues.extend(creation::creation_issue(c, ctx, &name));
        issues.extend(articles::unconfirmed_articles(c, &name));
        check_units(it, ctx, &name, &mut issues);
        if let Some(first) = seen_ids.insert((it.list, it.item), i) {
            issues.push(duplicate(&name, &items[first]));
        } else if let Some(first) = seen_keys.insert((it.list, c.list_key()), i) {
            issues.push(duplicate(&name, &items[first]));
        }
        let grants = grants_by_item.get(&it.item).map(Vec::as_slice).unwrap_or_default();
        check_devolution(c, grants, ctx, &name, &mut issues);
        out.push(ItemFindings { item: it.item, name, issues });
    }
    out
}

fn check_laws(c: &ItemContent, ctx: &ReviewContext<'_>, name: &str, issues: &mut Vec<Issue>) {
    let cites = c
        .legal_basis
        .iter()
        .chain(c.responsibilities.iter().flat_map(|r| &r.basis))
        .chain(c.accountability.iter().flat_map(|a| &a.basis));
    let mut done = HashSet::new();
    for cite in cites {
        if !done.insert(cite.law.as_str()) {
            continue;
        }
        let on = ctx.effective_on;
        match ctx.laws.standing(&cite.law, on) {
            Standing::InForce(_) => {}
            Standing::NotInForce(law) => issues.push(Issue::new(
                "law_not_in_force",
                Severity::Error,
                "legal_basis",
                format!("“{name}”引用的《{}》在{on}不在施行期内", law.title),
                format!("{name} cites {} which is not in force on {on}", law.title),
            )),
            Standing::Unknown => issues.push(Issue::new(
                "law_unknown",
                Severity::Warning,
                "legal_basis",
                format!("“{name}”引用的《{}》不在法规库中，无法确认其效力", cite.law),
                format!("{name} cites {} which is not in the law registry", cite.law),
            )),
        }
    }
}

fn check_units(it: &ReviewItem<'_>, ctx: &ReviewContext<'_>, name: &str, issues: &mut Vec<Issue>) {
    let c = it.content;
    let mut check = |unit: UnitId, field: &str, code: &str, zh: &str| {
        if !ctx.known_units.contains(&unit) {
            issues.push(Issue::new(
                code,
                Severity::Error,
                field,
                format!("“{name}”的{zh}{unit}不存在"),
                format!("{name}: {field} {unit} does not exist"),
            ));
        }
    };
    check(c.holder, "holder", "unknown_holder", "实施主体");
    for coop in &c.cooperation {
        check(coop.unit, "cooperation", "unknown_cooperating_unit", "配合部门");
    }
    match it.duty {
        DutyKind::Own => {}
        DutyKind::Cooperate { lead } => check(lead, "duty", "unknown_lead_unit", "牵头部门"),
        DutyKind::Reclaimed { receiver } => {
            check(receiver, "duty", "unknown_receiving_unit", "承接部门")
        }
    }
}

fn duplicate(name: &str, first: &ReviewItem<'_>) -> Issue {
    Issue::new(
        "duplicate_item",
        Severity::Error,
        "name",
        format!("“{name}”在同一清单中重复（与事项{}重复）", first.item),
        format!("{name} appears twice in one list (see item {})", first.item),
    )
}

fn check_devolution(
    c: &ItemContent,
    own_grants: &[&Grant],
    ctx: &ReviewContext<'_>,
    name: &str,
    issues: &mut Vec<Issue>,
) {
    let linked: Option<&Grant> =
        c.grant.as_ref().and_then(|l| ctx.grants.iter().find(|g| l.matches(g)));
    let entrusted_grant =
        own_grants.iter().chain(linked.as_ref()).any(|g| g.mode == GrantMode::Entrusted);
    if c.category == PowerCategory::CoerciveMeasure
        && (c.source == PowerSource::Entrusted || entrusted_grant)
    {
        issues.push(Issue::new(
            "coercion_entrusted",
            Severity::Error,
            "source",
            format!("“{name}”为行政强制措施，不得委托（行政强制法第十七条）"),
            format!("{name} is a coercive measure and cannot be entrusted"),
        ));
    }
    // A township item said to come from above is linked to the grant that gives it (one
    // model of devolution), and that grant meets its mode's conditions.
    let from_above = matches!(c.source, PowerSource::Devolved | PowerSource::Entrusted);
    if from_above && c.level == crate::item::ExerciseLevel::Township {
        check_link(c, linked, ctx.effective_on, name, issues);
    }
    // A department item's own grants: a penalty power handed down needs the decision.
    let undecided_grant = own_grants
        .iter()
        .any(|g| matches!(g.mode, GrantMode::Direct | GrantMode::ReviewPower) && !g.has_decision());
    if c.category == PowerCategory::Penalty && undecided_grant {
        issues.push(penalty_without_decision(name));
    }
}

fn penalty_without_decision(name: &str) -> Issue {
    Issue::new(
        "penalty_without_provincial_decision",
        Severity::Error,
        "source",
        format!("“{name}”为行政处罚权，交由乡镇行使须有省级决定（行政处罚法第二十四条）"),
        format!("{name}: penalty power at township level without a provincial decision"),
    )
}

fn check_link(
    c: &ItemContent,
    linked: Option<&Grant>,
    on: NaiveDate,
    name: &str,
    issues: &mut Vec<Issue>,
) {
    let source = c.source.zh();
    let Some(link) = &c.grant else {
        issues.push(Issue::new(
            "devolved_without_grant",
            Severity::Error,
            "grant",
            format!(
                "“{name}”的权力来源为{source}，须关联赋予该权力的赋权（部门事项、赋权方式、批次、文件）；法无授权不可为"
            ),
            format!("{name} says {source} but names no grant that gives it"),
        ));
        return;
    };
    let Some(g) = linked else {
        issues.push(Issue::new(
            "grant_not_found",
            Severity::Error,
            "grant",
            format!("“{name}”关联的赋权（{}，{}）未登记", link.batch, link.mode.zh()),
            format!("{name} names a grant ({}, {}) that is not recorded", link.batch, link.mode),
        ));
        return;
    };
    let mode_fits = match c.source {
        PowerSource::Entrusted => g.mode == GrantMode::Entrusted,
        _ => g.mode != GrantMode::Entrusted,
    };
    if !mode_fits {
        issues.push(Issue::new(
            "grant_mode_mismatch",
            Severity::Error,
            "grant",
            format!("“{name}”的权力来源为{source}，而关联的赋权方式为{}", g.mode.zh()),
            format!("{name} says {source} but its grant is {}", g.mode),
        ));
    }
    if c.category == PowerCategory::Penalty
        && matches!(g.mode, GrantMode::Direct | GrantMode::ReviewPower)
        && !g.has_decision()
    {
        issues.push(penalty_without_decision(name));
    }
    if let Some(end) = g.ends()
        && end <= on
    {
        issues.push(Issue::new(
            "grant_ended",
            Severity::Error,
            "grant",
            format!("“{name}”关联的赋权于{end}终止（委托期限届满或赋权期满），{on}起不再有效"),
            format!("{name}: its grant ends on {end}, before {on}"),
        ));
    }
    if g.mode == GrantMode::Entrusted && g.entrustment.is_none() {
        issues.push(Issue::new(
            "entrustment_without_letter",
            Severity::Error,
            "grant",
            format!("“{name}”为委托行使，关联的赋权没有委托书（行政处罚法第二十条、行政许可法第二十四条）"),
            format!("{name} is entrusted without a written entrustment"),
        ));
    }
}

/// 审查意见 — the reviewer's verdict on one item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// 通过.
    Pass,
    /// 不通过, with the reason.
    Reject {
        /// Why.
        reason: String,
    },
}

/// A recorded verdict.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VerdictRecord {
    /// Pass or reject.
    pub verdict: Verdict,
    /// The reviewer.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
}

/// 审查结论 — the overall outcome of a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// Every item passed and no finding is open.
    Passed,
    /// Some item was rejected.
    Rejected {
        /// How many.
        rejected: usize,
    },
    /// Items still await a verdict.
    Incomplete {
        /// How many.
        missing: usize,
    },
}

/// Why a verdict was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// The item is not under review.
    #[error("item {0} is not under review")]
    UnknownItem(ItemId),
    /// A rejection without a reason.
    #[error("a rejection needs a reason")]
    RejectWithoutReason,
    /// A pass over an item with open findings.
    #[error("item {item} has {n} open findings and cannot pass")]
    OpenFindings {
        /// The item.
        item: ItemId,
        /// How many findings.
        n: usize,
    },
}

impl ReviewError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            ReviewError::UnknownItem(item) => format!("事项{item}不在本次审查范围内"),
            ReviewError::RejectWithoutReason => "审查不通过须说明理由".into(),
            ReviewError::OpenFindings { item, n } => {
                format!("事项{item}尚有{n}个审查问题未解决，不能审查通过")
            }
        }
    }
}

/// 合法性审查 — the automatic findings and the reviewer's verdicts for one change set.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LegalReview {
    /// The effective date the checks assumed.
    pub effective_on: NaiveDate,
    /// Findings per item.
    pub findings: Vec<ItemFindings>,
    /// Verdicts per item.
    pub verdicts: BTreeMap<ItemId, VerdictRecord>,
}

impl LegalReview {
    /// Runs the checks and starts a review with no verdicts.
    pub fn start(items: &[ReviewItem<'_>], ctx: &ReviewContext<'_>) -> LegalReview {
        LegalReview {
            effective_on: ctx.effective_on,
            findings: check_items(items, ctx),
            verdicts: BTreeMap::new(),
        }
    }

    /// Records (or replaces) the verdict on one item. An item with findings cannot pass: it
    /// must be fixed in the draft and checked again.
    pub fn record(
        &mut self,
        item: ItemId,
        verdict: Verdict,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<(), ReviewError> {
        self.record_all(vec![(item, verdict)], by, at)
    }

    /// Records many verdicts at once (the reviewer's table for a large change set): all are
    /// checked as [`LegalReview::record`] checks one, and none is recorded if any fails.
    pub fn record_all(
        &mut self,
        verdicts: Vec<(ItemId, Verdict)>,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<(), ReviewError> {
        // Only blocking findings stop a pass: advisory ones warn (domain.md §4).
        let open: HashMap<ItemId, usize> = self
            .findings
            .iter()
            .map(|f| (f.item, f.issues.iter().filter(|i| i.blocks()).count()))
            .collect();
        for (item, verdict) in &verdicts {
            let n = *open.get(item).ok_or(ReviewError::UnknownItem(*item))?;
            match verdict {
                Verdict::Reject { reason } if reason.trim().is_empty() => {
                    return Err(ReviewError::RejectWithoutReason);
                }
                Verdict::Pass if n > 0 => {
                    return Err(ReviewError::OpenFindings { item: *item, n });
                }
                Verdict::Pass | Verdict::Reject { .. } => {}
            }
        }
        for (item, verdict) in verdicts {
            self.verdicts.insert(item, VerdictRecord { verdict, by, at });
        }
        Ok(())
    }

    /// Number of blocking findings still open (advisory ones warn and do not count).
    pub fn open_findings(&self) -> usize {
        self.findings.iter().flat_map(|f| &f.issues).filter(|i| i.blocks()).count()
    }

    /// The overall outcome.
    pub fn outcome(&self) -> ReviewOutcome {
        let rejected =
            self.verdicts.values().filter(|v| matches!(v.verdict, Verdict::Reject { .. })).count();
        if rejected > 0 {
            return ReviewOutcome::Rejected { rejected };
        }
        let missing = self.findings.iter().filter(|f| !self.verdicts.contains_key(&f.item)).count();
        if missing > 0 {
            return ReviewOutcome::Incomplete { missing };
        }
        ReviewOutcome::Passed
    }
}

pub mod articles;
pub mod creation;
pub mod removal;

#[cfg(test)]
mod tests;
