use super::*;
use crate::fixtures::{power, unit};
use crate::item::ServiceInfo;

fn t(amount: u32, unit: LimitUnit) -> TimeLimit {
    TimeLimit { amount, unit }
}

use LimitUnit::{CalendarDays as Cd, Months as M, WorkingDays as Wd};
use PowerCategory as C;

#[test]
fn each_law_counts_its_periods_in_its_own_unit() {
    let cases = [
        // 行政许可法第八十二条: every licensing period in working days.
        (C::Licensing, t(20, Cd), Some(t(20, Wd))),
        (C::Licensing, t(20, Wd), None),
        (C::Licensing, t(3, M), None),
        // 行政处罚法第八十五条: only 2, 3, 5 and 7 days are working days.
        (C::Penalty, t(7, Cd), Some(t(7, Wd))),
        (C::Penalty, t(5, Wd), None),
        (C::Penalty, t(90, Wd), Some(t(90, Cd))),
        (C::Penalty, t(15, Cd), None),
        (C::Penalty, t(10, Wd), Some(t(10, Cd))),
        // 行政强制法第六十九条: ten days or less in working days.
        (C::CoerciveMeasure, t(10, Cd), Some(t(10, Wd))),
        (C::CoerciveMeasure, t(30, Wd), Some(t(30, Cd))),
        (C::CoerciveEnforcement, t(10, Wd), None),
        (C::CoerciveEnforcement, t(11, Cd), None),
        // No rule for the other categories; 即办 has no unit.
        (C::Benefit, t(20, Cd), None),
        (C::Licensing, t(0, Cd), None),
    ];
    for (category, limit, want) in cases {
        assert_eq!(lawful_limit(category, limit).map(|(l, _)| l), want, "{category:?} {limit}");
    }
    assert_eq!(lawful_limit(C::Penalty, t(7, Cd)).map(|(_, a)| a), Some("行政处罚法第八十五条"));
}

#[test]
fn applying_the_units_changes_the_content_and_warns_with_the_article() {
    let mut item = power("某许可", C::Licensing, unit(1));
    item.service = Some(ServiceInfo {
        statutory_limit: Some(t(20, Cd)),
        committed_limit: Some(t(3, M)),
        ..Default::default()
    });
    let issues = apply_lawful_units(&mut item);
    let service = item.service.as_ref().unwrap();
    assert_eq!(service.statutory_limit, Some(t(20, Wd)));
    assert_eq!(service.committed_limit, Some(t(3, M)), "months are kept");
    assert_eq!(issues.len(), 2);
    assert!(issues.iter().all(|i| i.code == "period_unit_by_law"));
    assert!(issues[0].message_zh.contains("行政许可法第八十二条"), "{}", issues[0].message_zh);
    assert!(issues[0].message_zh.contains("20日"), "{}", issues[0].message_zh);
    // Applied again, nothing changes but the months warning.
    let again = apply_lawful_units(&mut item);
    assert_eq!(again.len(), 1);
}
