use super::*;
use crate::fixtures::{HOLIDAYS, at, d, item, uid, unit, user};

fn oid(n: u128) -> OpinionId {
    OpinionId::from_uuid(uid(1000 + n))
}

fn round() -> OpinionRound {
    let cal = WorkCalendar::parse(HOLIDAYS).unwrap();
    // Sent down the Friday before 春节 2026, 5 working days to reply.
    OpinionRound::open(1, [unit(2), unit(1), unit(2)], d(2026, 2, 13), 5, &cal)
}

fn items() -> BTreeSet<ItemId> {
    [item(1), item(2)].into_iter().collect()
}

#[test]
fn tasks_are_due_in_working_days() {
    let r = round();
    assert_eq!(r.tasks.len(), 2, "one task per unit");
    // 02-14 (调休), 02-24, 02-25, 02-26, 02-27.
    assert!(r.tasks.iter().all(|t| t.due == d(2026, 2, 27) && !t.due_provisional));
    assert_eq!(r.overdue(d(2026, 2, 27)).count(), 0);
    assert_eq!(r.overdue(d(2026, 2, 28)).count(), 2);
    assert_eq!(r.pending(d(2026, 2, 27)).count(), 2);
}

#[test]
fn replies_are_checked_and_all_or_nothing() {
    let mut r = round();
    let amend = |n, reason: &str| NewOpinion {
        id: oid(n),
        item: Some(item(1)),
        stance: Stance::Amend {
            proposed: "改为“食品经营许可（仅销售预包装食品除外）”".into()
        },
        reason: reason.into(),
    };
    let no_reason = r.reply(unit(1), vec![amend(1, " ")], &items(), user(1), at(2026, 2, 24));
    assert_eq!(no_reason, Err(OpinionError::MissingReason));
    let outside = NewOpinion { item: Some(item(9)), ..amend(1, "理由") };
    assert_eq!(
        r.reply(unit(1), vec![outside], &items(), user(1), at(2026, 2, 24)),
        Err(OpinionError::UnknownItem(item(9)))
    );
    assert_eq!(
        r.reply(unit(3), vec![], &items(), user(1), at(2026, 2, 24)),
        Err(OpinionError::NotAsked(unit(3)))
    );
    assert!(r.opinions.is_empty() && r.tasks.iter().all(|t| t.replied_at.is_none()));

    let agree = NewOpinion { id: oid(2), item: None, stance: Stance::Agree, reason: String::new() };
    r.reply(unit(1), vec![amend(1, "与上位法表述一致"), agree], &items(), user(1), at(2026, 2, 24))
        .unwrap();
    assert_eq!(
        r.reply(unit(1), vec![], &items(), user(1), at(2026, 2, 25)),
        Err(OpinionError::AlreadyReplied(unit(1)))
    );
    assert_eq!(r.unresolved().count(), 1, "an agreement needs no resolution");
    assert_eq!(r.overdue(d(2026, 3, 2)).map(|t| t.unit).collect::<Vec<_>>(), vec![unit(2)]);

    assert_eq!(
        r.resolve(oid(1), ResolutionKind::NotAdopted, "", user(9), at(2026, 2, 26)),
        Err(OpinionError::ResolutionWithoutReason)
    );
    r.resolve(
        oid(1),
        ResolutionKind::PartlyAdopted,
        "采纳表述，范围不变",
        user(9),
        at(2026, 2, 26),
    )
    .unwrap();
    assert_eq!(r.unresolved().count(), 0);
    assert_eq!(
        r.resolve(oid(1), ResolutionKind::Adopted, "", user(9), at(2026, 2, 26)),
        Err(OpinionError::AlreadyDone(oid(1)))
    );
    assert_eq!(
        r.resolve(oid(7), ResolutionKind::Adopted, "", user(9), at(2026, 2, 26)),
        Err(OpinionError::NotFound(oid(7)))
    );
}

#[test]
fn public_comments_need_an_answer() {
    let mut p = CommentPeriod::new(d(2025, 6, 3), d(2025, 6, 9));
    p.receive(oid(1), Some(item(1)), "建议明确办理时限", d(2025, 6, 5)).unwrap();
    assert_eq!(
        p.receive(oid(2), None, "逾期意见", d(2025, 6, 10)),
        Err(OpinionError::PeriodEnded(d(2025, 6, 9)))
    );
    assert_eq!(
        p.receive(oid(1), None, "重复", d(2025, 6, 5)),
        Err(OpinionError::DuplicateId(oid(1)))
    );
    assert_eq!(p.unanswered().count(), 1);
    p.answer(oid(1), ResolutionKind::Adopted, "已在办事指南中明确", user(9), at(2025, 6, 10))
        .unwrap();
    assert_eq!(p.unanswered().count(), 0);
    assert!(OpinionError::PeriodEnded(d(2025, 6, 9)).zh().contains("公示期"));
}
