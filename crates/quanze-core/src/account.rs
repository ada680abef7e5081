//! Accounts: user names, roles and password rules.

use std::fmt;

pub mod password;
pub mod throttle;

pub use password::{PasswordError, PasswordPolicy};

use crate::error::ValidationError;
use crate::ids::UnitId;

/// 角色 — what a user may do, per unit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 编办编辑 — the staffing office's list editor.
    StaffingEditor,
    /// 经办人 — a department or town clerk.
    Clerk,
    /// 审核人 — reviews drafts inside a unit.
    Reviewer,
    /// 领导 — approves.
    Leader,
    /// 司法局审查人 — the justice bureau's legality reviewer.
    JusticeReviewer,
    /// 监督员 — supervisor (read and flag).
    Supervisor,
    /// 审计管理员 — audit administrator (reads the trace; 等保 separation of duties).
    Auditor,
    /// 安全管理员 — security administrator (security policy; 等保 separation of duties).
    SecurityAdmin,
    /// 系统管理员 — system administrator (accounts and settings).
    SysAdmin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 9] = [
        Role::StaffingEditor,
        Role::Clerk,
        Role::Reviewer,
        Role::Leader,
        Role::JusticeReviewer,
        Role::Supervisor,
        Role::Auditor,
        Role::SecurityAdmin,
        Role::SysAdmin,
    ];

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Role::StaffingEditor => "编办编辑",
            Role::Clerk => "经办人",
            Role::Reviewer => "审核人",
            Role::Leader => "领导",
            Role::JusticeReviewer => "司法局审查人",
            Role::Supervisor => "监督员",
            Role::Auditor => "审计管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::SysAdmin => "系统管理员",
        }
    }

    /// The stable machine name.
    pub fn code(self) -> &'static str {
        match self {
            Role::StaffingEditor => "staffing_editor",
            Role::Clerk => "clerk",
            Role::Reviewer => "reviewer",
            Role::Leader => "leader",
            Role::JusticeReviewer => "justice_reviewer",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
            Role::SecurityAdmin => "security_admin",
            Role::SysAdmin => "sys_admin",
        }
    }

    /// Parses the machine name.
    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == raw)
    }
}

/// 角色分配 — a role an account holds for one unit, or everywhere (`unit: None`). Not a
/// devolution [`crate::Grant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct RoleAssignment {
    /// The role.
    pub role: Role,
    /// The unit it applies to; `None` for the whole county.
    pub unit: Option<UnitId>,
}

impl RoleAssignment {
    /// Whether this grant gives `role` over `unit`.
    pub fn covers(&self, role: Role, unit: Option<UnitId>) -> bool {
        self.role == role && (self.unit.is_none() || self.unit == unit)
    }
}

/// 用户名 — an account name. Invariant: 3..=32 characters from `[a-z0-9_.-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    /// Parses a user name (lower-cased).
    pub fn parse(raw: &str) -> Result<Username, ValidationError> {
        let name = raw.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Err(ValidationError::Empty { field: "username" });
        }
        if name.chars().count() > 32 {
            return Err(ValidationError::TooLong { field: "username", max: 32 });
        }
        for (pos, ch) in name.chars().enumerate() {
            if !(ch.is_ascii_lowercase() || ch.is_ascii_digit() || "_.-".contains(ch)) {
                return Err(ValidationError::Charset {
                    field: "username",
                    ch,
                    pos: pos + 1,
                    value: name,
                });
            }
        }
        if name.len() < 3 {
            return Err(ValidationError::Length {
                field: "username",
                expected: 3,
                got: name.len(),
                value: name,
            });
        }
        Ok(Username(name))
    }
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl From<Username> for String {
    fn from(u: Username) -> String {
        u.0
    }
}
impl TryFrom<String> for Username {
    type Error = ValidationError;
    fn try_from(raw: String) -> Result<Username, ValidationError> {
        Username::parse(&raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_passwords() {
        assert_eq!(Username::parse(" Editor.01 ").unwrap().as_str(), "editor.01");
        assert!(Username::parse("张三").is_err());
        assert!(Username::parse("ab").is_err());
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
    }
}
