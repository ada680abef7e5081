//! 期限计算单位 — the unit the law counts an item's periods in, whatever a cell says:
//! 行政许可法第八十二条 (every period of the administration's licensing work in working days),
//! 行政处罚法第八十五条 (its 二日、三日、五日、七日 in working days, the others in calendar days),
//! 行政强制法第六十九条 (periods of ten days or less in working days, longer ones in calendar
//! days). domain.md §6.

use crate::error::{Issue, Severity};

use super::{ItemContent, LimitUnit, PowerCategory, TimeLimit};

/// The limit counted in the unit the law gives an item of `category`, and the article, when it
/// differs from `limit`; `None` when the limit already follows the law, is 即办, is in months
/// (a period set by another law in months stays as written), or the category has no rule.
pub fn lawful_limit(
    category: PowerCategory,
    limit: TimeLimit,
) -> Option<(TimeLimit, &'static str)> {
    if limit.amount == 0 || limit.unit == LimitUnit::Months {
        return None;
    }
    let (unit, article) = match category {
        PowerCategory::Licensing => (LimitUnit::WorkingDays, "行政许可法第八十二条"),
        PowerCategory::Penalty => {
            let short = matches!(limit.amount, 2 | 3 | 5 | 7);
            (
                if short { LimitUnit::WorkingDays } else { LimitUnit::CalendarDays },
                "行政处罚法第八十五条",
            )
        }
        c if c.is_coercion() => {
            let short = limit.amount <= 10;
            (
                if short { LimitUnit::WorkingDays } else { LimitUnit::CalendarDays },
                "行政强制法第六十九条",
            )
        }
        _ => return None,
    };
    (unit != limit.unit).then_some((TimeLimit { amount: limit.amount, unit }, article))
}

/// Puts the statutory and committed limits of `content` in the unit the law counts them in
/// (see [`lawful_limit`]) and returns a warning for each one changed, naming the article and
/// what the cell said. A licensing limit in months is kept and warned of: 行政许可法第八十二条
/// counts in working days, and only the law that set the period can say how many.
pub fn apply_lawful_units(content: &mut ItemContent) -> Vec<Issue> {
    let category = content.category;
    let (main, sub) = (&content.name, &content.sub_item);
    let name = || match sub {
        Some(sub) => format!("{main}（{sub}）"),
        None => main.clone(),
    };
    let Some(service) = content.service.as_mut() else { return Vec::new() };
    let mut out = Vec::new();
    let fields = [
        ("statutory_limit", "法定办结时限", &mut service.statutory_limit),
        ("committed_limit", "承诺办结时限", &mut service.committed_limit),
    ];
    for (field, zh, slot) in fields {
        let Some(limit) = *slot else { continue };
        if let Some((lawful, article)) = lawful_limit(category, limit) {
            let name = name();
            out.push(Issue::new(
                "period_unit_by_law",
                Severity::Warning,
                field,
                format!("{article}：“{name}”的{zh}“{limit}”按法定单位计为“{lawful}”"),
                format!("{name}: {field} {limit} is counted as {lawful} ({article})"),
            ));
            *slot = Some(lawful);
        } else if category == PowerCategory::Licensing
            && limit.unit == LimitUnit::Months
            && limit.amount > 0
        {
            let name = name();
            out.push(Issue::new(
                "period_unit_by_law",
                Severity::Warning,
                field,
                format!(
                    "行政许可法第八十二条：行政许可的期限以工作日计算，“{name}”的{zh}为“{limit}”，请依设定该期限的法律核实"
                ),
                format!("{name}: licensing {field} {limit} is in months; periods count in working days"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests;
