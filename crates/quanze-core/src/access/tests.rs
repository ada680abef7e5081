use super::*;
use crate::ids::UnitId;

/// The whole table, spelled out: a change to who may do what is a visible diff here.
#[test]
fn the_role_table() {
    use Act as A;
    use Role as R;
    let expected: [(Act, &[Role]); 22] = [
        (A::ManageAccounts, &[R::SysAdmin]),
        (A::ManageOrganisation, &[R::StaffingEditor, R::SysAdmin]),
        (A::LoadCalendar, &[R::SysAdmin]),
        (A::SecurityPolicy, &[R::SecurityAdmin]),
        (A::ReadAudit, &[R::Auditor]),
        (A::KeepLaws, &[R::StaffingEditor, R::JusticeReviewer]),
        (A::AdjustEstablishment, &[R::StaffingEditor]),
        (A::EditList, &[R::StaffingEditor]),
        (A::ImportList, &[R::StaffingEditor, R::Clerk]),
        (A::DraftChangeSet, &[R::StaffingEditor]),
        (A::ReplyOpinion, &[R::Clerk, R::Reviewer, R::Leader]),
        (A::Countersign, &[R::Reviewer, R::Leader]),
        (A::Verdict, &[R::JusticeReviewer]),
        (A::ReturnChangeSet, &[R::StaffingEditor, R::Leader, R::JusticeReviewer]),
        (A::Approve, &[R::Leader]),
        (A::PublishChangeSet, &[R::StaffingEditor, R::Leader]),
        (A::PublishList, &[R::Leader]),
        (A::Grant, &[R::StaffingEditor]),
        (A::Readiness, &[R::StaffingEditor, R::Clerk, R::Reviewer]),
        (A::ReadinessOverride, &[R::Leader]),
        (A::HandleCase, &[R::Clerk, R::Reviewer, R::Leader]),
        (A::SuperviseCases, &[R::Supervisor, R::Leader]),
    ];
    assert_eq!(expected.map(|(a, _)| a), Act::ALL);
    for (act, allowed) in expected {
        for role in Role::ALL {
            assert_eq!(permits(role, act), allowed.contains(&role), "{role:?} × {act:?}");
        }
    }
}

/// 三员分立: the system administrator does no business act; the security and audit
/// administrators only their own; legality verdicts only from the justice bureau; overrides
/// of readiness only from a leader.
#[test]
fn separation_of_duties() {
    let business = [
        Act::EditList,
        Act::ImportList,
        Act::DraftChangeSet,
        Act::Verdict,
        Act::Approve,
        Act::PublishChangeSet,
        Act::PublishList,
        Act::Grant,
        Act::Readiness,
        Act::ReadinessOverride,
        Act::AdjustEstablishment,
        Act::KeepLaws,
    ];
    for act in business {
        for admin in [Role::SysAdmin, Role::SecurityAdmin, Role::Auditor] {
            assert!(!permits(admin, act), "{admin:?} may not {act:?}");
        }
    }
    let justice: Vec<Role> = Role::ALL.into_iter().filter(|r| permits(*r, Act::Verdict)).collect();
    assert_eq!(justice, [Role::JusticeReviewer]);
    let leaders: Vec<Role> =
        Role::ALL.into_iter().filter(|r| permits(*r, Act::ReadinessOverride)).collect();
    assert_eq!(leaders, [Role::Leader]);
    for act in Act::ALL {
        assert!(!act.zh().is_empty() && !act.rule_zh().is_empty());
    }
}

#[test]
fn administrator_roles_stand_alone() {
    let g = |role| RoleAssignment { role, unit: None };
    let unit = Some(UnitId::from_uuid(uuid::Uuid::nil()));
    assert_eq!(check_role_combination(&[g(Role::SysAdmin)]), Ok(()));
    assert_eq!(check_role_combination(&[g(Role::Leader), g(Role::StaffingEditor)]), Ok(()));
    assert_eq!(
        check_role_combination(&[g(Role::SysAdmin), RoleAssignment { role: Role::SysAdmin, unit }]),
        Ok(())
    );
    let table = [
        (Role::SysAdmin, Role::StaffingEditor),
        (Role::SysAdmin, Role::SecurityAdmin),
        (Role::SecurityAdmin, Role::Auditor),
        (Role::Auditor, Role::Leader),
        (Role::SecurityAdmin, Role::JusticeReviewer),
    ];
    for (admin, other) in table {
        let err = check_role_combination(&[g(other), g(admin)]).unwrap_err();
        let mut pair = [err.admin, err.other];
        pair.sort();
        let mut expected = [admin, other];
        expected.sort();
        assert_eq!(pair, expected);
        assert!(is_admin_role(err.admin));
        assert!(err.zh().contains("三员分立"), "{}", err.zh());
    }
}

#[test]
fn the_drafter_does_not_approve() {
    let a = UserId::from_uuid(crate::fixtures::uid(1));
    let b = UserId::from_uuid(crate::fixtures::uid(2));
    assert!(!may_approve_own(a, a));
    assert!(may_approve_own(a, b));
}
