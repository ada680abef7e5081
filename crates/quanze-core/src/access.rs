//! Who may do what: the one table of roles × acts (等保 2.0 三员分立, GB/T 22239-2019 8.1.4;
//! domain.md §10), the rule that the three administrator roles stand alone on an account, and
//! the rule that the drafter of a change set does not approve it.
//!
//! Every use case asks [`permits`] (through the service's `CurrentUser::require_act`); no
//! use case lists roles of its own.

use crate::account::{Role, RoleAssignment};
use crate::ids::UserId;

/// 业务操作 — an act the role table rules on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Act {
    /// 管理账号 — create accounts and assign roles.
    ManageAccounts,
    /// 维护区划和单位 — the organisational settings (regions, units).
    ManageOrganisation,
    /// 载入工作日历 — load a year's holiday schedule (a setting, like the organisation).
    LoadCalendar,
    /// 制定安全策略 — security policy (password, lockout, sessions).
    SecurityPolicy,
    /// 查阅审计记录 — read the audit trail.
    ReadAudit,
    /// 维护法规库 — register laws, their repeal and amendment.
    KeepLaws,
    /// 调整机构编制.
    AdjustEstablishment,
    /// 编辑清单草稿 — create lists, save and delete drafts, declare township differences.
    EditList,
    /// 导入清单 — import a list file into a draft.
    ImportList,
    /// 起草调整方案 — draft and steer a change set (rounds, opinions, 公示, submissions).
    DraftChangeSet,
    /// 反馈意见 — a unit's reply to a round.
    ReplyOpinion,
    /// 会签 — a unit countersigns.
    Countersign,
    /// 作出合法性审查结论 — the justice bureau's verdicts.
    Verdict,
    /// 退回调整方案.
    ReturnChangeSet,
    /// 审定调整方案.
    Approve,
    /// 公布已审定的调整方案.
    PublishChangeSet,
    /// 审定并公布清单 — publish a list version outside a change set, with its recorded 审定.
    PublishList,
    /// 登记或收回赋权事项.
    Grant,
    /// 登记承接条件.
    Readiness,
    /// 特批承接 — override an incomplete readiness checklist.
    ReadinessOverride,
    /// 办理办件 — intake, review, decision and delivery of cases (the procedure's own table
    /// says which of these roles takes which step).
    HandleCase,
    /// 督办和处理投诉 — supervise late cases, decide rating appeals, answer complaints.
    SuperviseCases,
}

impl Act {
    /// Every act, for the table test and the documentation.
    pub const ALL: [Act; 22] = [
        Act::ManageAccounts,
        Act::ManageOrganisation,
        Act::LoadCalendar,
        Act::SecurityPolicy,
        Act::ReadAudit,
        Act::KeepLaws,
        Act::AdjustEstablishment,
        Act::EditList,
        Act::ImportList,
        Act::DraftChangeSet,
        Act::ReplyOpinion,
        Act::Countersign,
        Act::Verdict,
        Act::ReturnChangeSet,
        Act::Approve,
        Act::PublishChangeSet,
        Act::PublishList,
        Act::Grant,
        Act::Readiness,
        Act::ReadinessOverride,
        Act::HandleCase,
        Act::SuperviseCases,
    ];

    /// The roles that may perform the act (unit-scoped roles only for their unit, which the
    /// caller checks). The table of 三员分立: an administrator role appears only beside the
    /// administration acts, and a business act names business roles only.
    pub const fn roles(self) -> &'static [Role] {
        use Role as R;
        match self {
            Act::ManageAccounts => &[R::SysAdmin],
            Act::ManageOrganisation => &[R::SysAdmin, R::StaffingEditor],
            Act::LoadCalendar => &[R::SysAdmin],
            Act::SecurityPolicy => &[R::SecurityAdmin],
            Act::ReadAudit => &[R::Auditor],
            Act::KeepLaws => &[R::JusticeReviewer, R::StaffingEditor],
            Act::AdjustEstablishment => &[R::StaffingEditor],
            Act::EditList => &[R::StaffingEditor],
            Act::ImportList => &[R::StaffingEditor, R::Clerk],
            Act::DraftChangeSet => &[R::StaffingEditor],
            Act::ReplyOpinion => &[R::Clerk, R::Reviewer, R::Leader],
            Act::Countersign => &[R::Leader, R::Reviewer],
            Act::Verdict => &[R::JusticeReviewer],
            Act::ReturnChangeSet => &[R::StaffingEditor, R::JusticeReviewer, R::Leader],
            Act::Approve => &[R::Leader],
            Act::PublishChangeSet => &[R::StaffingEditor, R::Leader],
            Act::PublishList => &[R::Leader],
            Act::Grant => &[R::StaffingEditor],
            Act::Readiness => &[R::StaffingEditor, R::Clerk, R::Reviewer],
            Act::ReadinessOverride => &[R::Leader],
            Act::HandleCase => &[R::Clerk, R::Reviewer, R::Leader],
            Act::SuperviseCases => &[R::Supervisor, R::Leader],
        }
    }

    /// The Chinese name, for refusals.
    pub const fn zh(self) -> &'static str {
        match self {
            Act::ManageAccounts => "管理账号",
            Act::ManageOrganisation => "维护区划和单位",
            Act::LoadCalendar => "载入工作日历",
            Act::SecurityPolicy => "制定安全策略",
            Act::ReadAudit => "查阅审计记录",
            Act::KeepLaws => "维护法规库",
            Act::AdjustEstablishment => "调整机构编制",
            Act::EditList => "编辑清单草稿",
            Act::ImportList => "导入清单",
            Act::DraftChangeSet => "起草和办理调整方案",
            Act::ReplyOpinion => "反馈意见",
            Act::Countersign => "会签",
            Act::Verdict => "作出合法性审查结论",
            Act::ReturnChangeSet => "退回调整方案",
            Act::Approve => "审定调整方案",
            Act::PublishChangeSet => "公布调整方案",
            Act::PublishList => "审定并公布清单",
            Act::Grant => "登记或收回赋权事项",
            Act::Readiness => "登记承接条件",
            Act::ReadinessOverride => "特批承接",
            Act::HandleCase => "办理办件",
            Act::SuperviseCases => "督办和处理投诉",
        }
    }

    /// The rule behind the act's roles, named in a refusal.
    pub const fn rule_zh(self) -> &'static str {
        match self {
            Act::ManageAccounts | Act::SecurityPolicy | Act::ReadAudit => {
                "等保2.0（GB/T 22239-2019 8.1.4）三员分立：系统管理员、安全管理员、审计管理员各司其职"
            }
            Act::LoadCalendar => "工作日历属于系统设置，由系统管理员载入",
            Act::Verdict => "合法性审查结论只能由司法行政部门作出",
            Act::Approve | Act::PublishList => "调整方案和清单须经领导审定",
            Act::ReadinessOverride => "承接条件不全时只能由领导特批",
            _ => "等保2.0三员分立：系统管理员不从事业务操作",
        }
    }
}

/// Whether `role` may perform `act` (the unit scope aside).
pub fn permits(role: Role, act: Act) -> bool {
    act.roles().contains(&role)
}

/// Whether the role is one of the three administrator roles (三员).
pub fn is_admin_role(role: Role) -> bool {
    matches!(role, Role::SysAdmin | Role::SecurityAdmin | Role::Auditor)
}

/// 角色冲突 — an account given roles that separation of duties keeps apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the administrator role {admin:?} cannot be held with {other:?} on one account")]
pub struct RoleConflict {
    /// The administrator role.
    pub admin: Role,
    /// The role it was combined with.
    pub other: Role,
}

impl RoleConflict {
    /// The message in Chinese, naming the rule.
    pub fn zh(&self) -> String {
        format!(
            "等保2.0（GB/T 22239-2019 8.1.4）三员分立：{}不能与{}由同一账号兼任",
            self.admin.zh(),
            self.other.zh()
        )
    }
}

/// Checks the roles of one account: an administrator role (系统、安全、审计管理员) stands
/// alone — never with another administrator role, never with a business role.
pub fn check_role_combination(roles: &[RoleAssignment]) -> Result<(), RoleConflict> {
    let Some(admin) = roles.iter().map(|g| g.role).find(|r| is_admin_role(*r)) else {
        return Ok(());
    };
    match roles.iter().map(|g| g.role).find(|r| *r != admin) {
        Some(other) => Err(RoleConflict { admin, other }),
        None => Ok(()),
    }
}

/// Whether `approver` may approve a change set drafted by `drafter`: never the same person
/// (domain.md §10: the one who drafts a change is not the one who approves it).
pub fn may_approve_own(drafter: UserId, approver: UserId) -> bool {
    drafter != approver
}

#[cfg(test)]
mod tests;
