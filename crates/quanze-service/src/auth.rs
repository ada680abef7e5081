//! Accounts: password hashing (argon2id), API tokens, login-failure lockout and role checks.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::Duration;
use quanze_core::access::{Act, check_role_combination};
use quanze_core::account::check_password;
use quanze_core::{Role, RoleAssignment, UnitId, UserId, Username};
use quanze_store::{StoredSession, UserRecord};
use sm3::{Digest, Sm3};

use crate::Service;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

/// The authenticated caller of a use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub username: Username,
    /// Roles.
    pub roles: Vec<RoleAssignment>,
}

impl CurrentUser {
    /// Whether the user holds `role` for `unit` (or county-wide).
    pub fn has(&self, role: Role, unit: Option<UnitId>) -> bool {
        self.roles.iter().any(|g| g.covers(role, unit))
    }

    /// Fails with `Forbidden` unless the role table ([`quanze_core::access`]) lets one of the
    /// user's roles perform `act` for `unit` (or county-wide). The refusal names the rule.
    pub fn require_act(&self, act: Act, unit: Option<UnitId>) -> ServiceResult<()> {
        if act.roles().iter().any(|r| self.has(*r, unit)) {
            return Ok(());
        }
        let names: Vec<&str> = act.roles().iter().map(|r| r.zh()).collect();
        Err(ServiceError::Forbidden(format!(
            "{}需要以下角色之一：{}（{}）",
            act.zh(),
            names.join("、"),
            act.rule_zh()
        )))
    }
}

impl From<&UserRecord> for CurrentUser {
    fn from(u: &UserRecord) -> CurrentUser {
        CurrentUser { id: u.id, username: u.username.clone(), roles: u.roles.clone() }
    }
}

/// A new account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub username: Username,
    /// Display name.
    pub display_name: String,
    /// Initial password (checked for complexity).
    pub password: String,
    /// Roles.
    pub roles: Vec<RoleAssignment>,
}

/// The outcome of a successful login.
#[derive(Debug, Clone)]
pub struct Login {
    /// The account.
    pub user: CurrentUser,
    /// A new API token (shown once; only its hash is stored).
    pub token: String,
}

/// A password hash of the default parameters for a password no one has, made once: what a
/// sign-in for an unknown account is checked against.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("no account has this password").unwrap_or_default())
}

/// SM3 of a token, hex: what is stored and looked up.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sm3::digest(token.as_bytes()))
}

fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("qz_{}", hex::encode(bytes))
}

fn hash_password(password: &str) -> ServiceResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("argon2: {e}")))
}

impl Service {
    /// Creates an account (system administrators only; `None` for the bootstrap account).
    pub async fn create_user(
        &self,
        by: Option<&CurrentUser>,
        new: NewUser,
    ) -> ServiceResult<(UserId, u64)> {
        if let Some(by) = by {
            by.require_act(Act::ManageAccounts, None)?;
        }
        check_password(&new.password)?;
        if let Err(conflict) = check_role_combination(&new.roles) {
            return Err(ServiceError::rejected(
                ErrorCode::RoleConflict,
                conflict.zh(),
                conflict.to_string(),
            ));
        }
        let catalog = self.catalog();
        if let Some(unit) =
            new.roles.iter().filter_map(|g| g.unit).find(|u| catalog.unit(*u).is_none())
        {
            return Err(ServiceError::rejected(
                ErrorCode::UnknownUnit,
                format!("角色所属单位 {unit} 不存在"),
                format!("the role's unit {unit} does not exist"),
            ));
        }
        let record = UserRecord {
            id: self.ids.user(),
            username: new.username.clone(),
            display_name: new.display_name,
            password_hash: hash_password(&new.password)?,
            roles: new.roles.clone(),
            failed_logins: 0,
            locked_until: None,
        };
        let roles: Vec<&str> = new.roles.iter().map(|g| g.role.code()).collect();
        let mut ev = self.event(
            by,
            None,
            "user.created",
            format!("user:{}", record.id),
            serde_json::json!({ "username": new.username.as_str(), "roles": roles }),
        );
        // A person's name: kept erasable behind a commitment, never in the leaf in clear.
        ev.personal = Some(serde_json::json!({ "display_name": record.display_name }));
        let receipt = self.store.create_user(&record, ev).await?;
        Ok((record.id, receipt.leaf_index()))
    }

    /// Checks a password and returns a fresh API token. Five (configurable) consecutive
    /// failures lock the account for the configured time; every attempt is an event.
    pub async fn login(&self, username: &str, password: &str) -> ServiceResult<Login> {
        let current = self.sign_in(username, password).await?;
        let token = self.issue_token(&current, "login").await?;
        Ok(Login { user: current, token })
    }

    /// 登录 — checks a password under the lockout policy (the same answer for an unknown
    /// account and a wrong password), records the failure or the sign-in, and gives the
    /// account: what the web pages' sign-in needs (a session, no API token).
    pub async fn sign_in(&self, username: &str, password: &str) -> ServiceResult<CurrentUser> {
        let name = Username::parse(username).map_err(|_| ServiceError::Unauthenticated)?;
        let Some(user) = self.store.user_by_name(&name).await? else {
            // Same answer as a wrong password, after the same work (a hash checked), so that
            // neither the answer nor its time tells which accounts exist.
            let _ = Argon2::default().verify_password(password.as_bytes(), dummy_hash());
            return Err(ServiceError::Unauthenticated);
        };
        let now = self.clock.now();
        if let Some(until) = user.locked_until
            && until > now
        {
            return Err(ServiceError::Locked(until));
        }
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), user.password_hash.as_str())
            .is_ok();
        let subject = format!("user:{}", user.id);
        if !ok {
            // Past this point any lock has expired, and an expired lock starts a new count.
            let failures = if user.locked_until.is_some() { 1 } else { user.failed_logins + 1 };
            let lock = (failures >= self.config.lockout_threshold)
                .then(|| now + Duration::minutes(self.config.lockout_minutes));
            let ev = self.event(
                None,
                None,
                "user.login_failed",
                subject,
                serde_json::json!({ "failures": failures, "locked": lock.is_some() }),
            );
            self.store.record_login(user.id, false, failures, lock, ev).await?;
            return Err(match lock {
                Some(until) => ServiceError::Locked(until),
                None => ServiceError::Unauthenticated,
            });
        }
        let current = CurrentUser::from(&user);
        let ev = self.event(Some(&current), None, "user.login", subject, serde_json::json!({}));
        self.store.record_login(user.id, true, 0, None, ev).await?;
        Ok(current)
    }

    /// Creates a named API token for the CLI or an integration.
    pub async fn issue_token(&self, user: &CurrentUser, name: &str) -> ServiceResult<String> {
        let token = new_token();
        let ev = self.event(
            Some(user),
            None,
            "token.created",
            format!("user:{}", user.id),
            serde_json::json!({ "name": name }),
        );
        self.store.create_token(user.id, &token_hash(&token), name, ev).await?;
        Ok(token)
    }

    /// The account of a signed-in web session, as stored now (its roles may have changed).
    pub async fn session_user(&self, id: UserId) -> ServiceResult<CurrentUser> {
        match self.store.user(id).await {
            Ok(user) => Ok(CurrentUser::from(&user)),
            Err(quanze_store::StoreError::NotFound(_)) => Err(ServiceError::Unauthenticated),
            Err(e) => Err(e.into()),
        }
    }

    /// The lockout policy, as the sign-in page states it: (failures, minutes).
    pub fn lockout_policy(&self) -> (u32, i64) {
        (self.config.lockout_threshold, self.config.lockout_minutes)
    }

    /// A stored web session, unless it has expired.
    pub async fn web_session(&self, id: &str) -> ServiceResult<Option<StoredSession>> {
        Ok(self.store.session(id, self.clock.now()).await?)
    }

    /// Stores a web session: a new one (`Conflict` when its id is taken) or a replacement.
    pub async fn put_web_session(
        &self,
        id: &str,
        session: &StoredSession,
        new: bool,
    ) -> ServiceResult<()> {
        if new {
            self.store.create_session(id, session).await?;
        } else {
            self.store.save_session(id, session).await?;
        }
        Ok(())
    }

    /// Ends a web session.
    pub async fn end_web_session(&self, id: &str) -> ServiceResult<()> {
        Ok(self.store.delete_session(id).await?)
    }

    /// Removes the expired web sessions; how many.
    pub async fn end_expired_web_sessions(&self) -> ServiceResult<u64> {
        Ok(self.store.delete_expired_sessions(self.clock.now()).await?)
    }

    /// The account behind an API token.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<CurrentUser> {
        match self.store.user_by_token(&token_hash(token)).await? {
            Some(user) => Ok(CurrentUser::from(&user)),
            None => Err(ServiceError::Unauthenticated),
        }
    }
}
