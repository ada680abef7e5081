//! Accounts: password hashing (argon2id), API tokens, login-failure lockout and role checks.

use std::net::IpAddr;

use chrono::Duration;
use quanze_core::access::{Act, check_role_combination};
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

/// 口令散列强度 — the argon2id cost of new password hashes (`--argon2-memory-kib`,
/// `--argon2-iterations`). A hash keeps the cost it was made with, which is written in it, so a
/// changed cost applies to passwords set from then on; every hash is checked at its own cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordHashing {
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
}

impl Default for PasswordHashing {
    /// The argon2 crate's default, OWASP's first recommendation for argon2id: 19 MiB, 2 passes,
    /// one lane.
    fn default() -> PasswordHashing {
        PasswordHashing { memory_kib: 19_456, iterations: 2 }
    }
}

impl PasswordHashing {
    /// The cost, refused below OWASP's floor for argon2id (its cheapest recommended setting is
    /// 7 MiB with 5 passes; memory times passes must be at least that).
    pub fn checked(memory_kib: u32, iterations: u32) -> Result<PasswordHashing, String> {
        const FLOOR_KIB: u32 = 7_168;
        const FLOOR_WORK: u64 = 7_168 * 5;
        if memory_kib < FLOOR_KIB || u64::from(memory_kib) * u64::from(iterations) < FLOOR_WORK {
            return Err(format!(
                "argon2id at {memory_kib} KiB and {iterations} passes is below OWASP's floor \
                 (at least {FLOOR_KIB} KiB, and memory × passes at least {FLOOR_WORK} KiB)"
            ));
        }
        let cost = PasswordHashing { memory_kib, iterations };
        crate::passwords::argon2id(cost)
            .map_err(|e| format!("argon2id at {memory_kib} KiB and {iterations} passes: {e}"))?;
        Ok(cost)
    }
}

/// SM3 of a token, hex: what is stored and looked up.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sm3::digest(token.as_bytes()))
}

fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("qz_{}", hex::encode(bytes))
}

impl Service {
    /// Checks a new password against the configured rule; the refusal states the rule.
    pub fn check_password(&self, password: &str, username: &str) -> ServiceResult<()> {
        let policy = &self.config.password;
        policy.check(password, username).map_err(|e| {
            ServiceError::rejected(
                ErrorCode::WeakPassword,
                format!("{}。{}", e.zh(), policy.rule_zh()),
                format!("{e}; the rule: {}", policy.rule_en()),
            )
        })
    }

    /// Creates an account (system administrators only; `None` for the bootstrap account).
    pub async fn create_user(
        &self,
        by: Option<&CurrentUser>,
        new: NewUser,
    ) -> ServiceResult<(UserId, u64)> {
        if let Some(by) = by {
            by.require_act(Act::ManageAccounts, None)?;
        }
        self.check_password(&new.password, new.username.as_str())?;
        let display_name =
            crate::error::checked_text("display_name", &new.display_name, 50, false)?;
        if display_name.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "display_name" }.into());
        }
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
        // 个人信息 at rest: the person's name is sealed with SM4 under the personal-data key
        // when the server has one (GB/T 39786; the audit trail opens it for the auditor).
        let stored_name = match &self.config.cases.personal_key {
            Some(key) => key.seal_text(&display_name),
            None => display_name.clone(),
        };
        let display_name_in_clear = display_name;
        let record = UserRecord {
            id: self.ids.user(),
            username: new.username.clone(),
            display_name: stored_name,
            password_hash: self.passwords.hash(&new.password).await?,
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
            serde_json::json!({ "roles": roles }),
        );
        // The person's name and the account's: kept erasable behind a commitment, never in
        // the public leaf (the audit trail reads them), sealed at rest by the store.
        ev.personal = Some(serde_json::json!({
            "display_name": display_name_in_clear,
            "username": new.username.as_str(),
        }));
        let receipt = self.store.create_user(&record, ev).await?;
        Ok((record.id, receipt.leaf_index()))
    }

    /// Checks a password and returns a fresh API token, under the sign-in throttle (with no
    /// source address: the account's tally alone applies).
    pub async fn login(&self, username: &str, password: &str) -> ServiceResult<Login> {
        self.login_from(username, password, None).await
    }

    /// [`Service::login`] from a source address.
    pub async fn login_from(
        &self,
        username: &str,
        password: &str,
        source: Option<IpAddr>,
    ) -> ServiceResult<Login> {
        let current = self.sign_in_from(username, password, source).await?;
        let token = self.issue_token(&current, "login").await?;
        Ok(Login { user: current, token })
    }

    /// [`Service::sign_in_from`] with no source address.
    pub async fn sign_in(&self, username: &str, password: &str) -> ServiceResult<CurrentUser> {
        self.sign_in_from(username, password, None).await
    }

    /// 登录 — checks a password and gives the account: what the web pages' sign-in needs (a
    /// session, no API token). An address or an account name that must wait
    /// ([`quanze_core::account::throttle`]) is refused before any password is checked; an
    /// unknown account and a wrong password get the same answer after the same work; an
    /// account an administrator locked is refused. Every failure and sign-in is an event.
    pub async fn sign_in_from(
        &self,
        username: &str,
        password: &str,
        source: Option<IpAddr>,
    ) -> ServiceResult<CurrentUser> {
        let now = self.clock.now();
        let name = Username::parse(username).ok();
        // The tally's key: the account name as looked up; every malformed name shares one,
        // so no text of any length is kept.
        let key = name.as_ref().map_or("\u{0}malformed", Username::as_str).to_owned();
        // Counted as a failure before the password is checked, so that attempts racing each
        // other are all counted; a sign-in takes it back.
        self.throttle().attempt(&key, source, now).map_err(|t| ServiceError::Throttled(t.until))?;
        let found = match &name {
            Some(name) => self.store.user_by_name(name).await?,
            None => None,
        };
        let Some(user) = found else {
            // Same answer as a wrong password, after the same work (a hash checked), so that
            // neither the answer nor its time tells which accounts exist.
            self.passwords.verify_nobody(password).await?;
            return Err(ServiceError::Unauthenticated);
        };
        let ok = self.passwords.verify(password, &user.password_hash).await?;
        let subject = format!("user:{}", user.id);
        if !ok {
            let ev = self.event(
                None,
                None,
                "user.login_failed",
                subject,
                serde_json::json!({ "failures": user.failed_logins + 1 }),
            );
            let ev = Service::from_source(ev, source);
            self.store.record_login(user.id, false, ev).await?;
            return Err(ServiceError::Unauthenticated);
        }
        // The password is right; a lock is told only to whoever knows it.
        if let Some(until) = lock_at(&user, now) {
            return Err(ServiceError::Locked(until));
        }
        // An account with a second factor, or whose role requires one, continues with a
        // ticket: the attempt is not a failure, but trust (a familiar address) waits for the
        // factor.
        if let Some(need) = self.second_factor_ticket(&user).await? {
            self.throttle().password_right(&key, source);
            // A right password is itself worth a record: someone who has it and stops at the
            // second step shows in the audit trail.
            let payload = serde_json::json!({ "enrol": need.enrol });
            let ev = self.event(None, None, "user.password_verified", subject, payload);
            let ev = Service::from_source(ev, source);
            self.store.record_act(ev).await?;
            return Err(ServiceError::SecondFactor(Box::new(need)));
        }
        self.throttle().succeeded(&key, source);
        let current = CurrentUser::from(&user);
        let ev = self.event(Some(&current), None, "user.login", subject, serde_json::json!({}));
        let ev = Service::from_source(ev, source);
        self.store.record_login(user.id, true, ev).await?;
        Ok(current)
    }

    pub(crate) fn throttle(
        &self,
    ) -> std::sync::MutexGuard<'_, quanze_core::account::throttle::SignInThrottle> {
        // The tallies stay usable even if a holder panicked: they are counts, not invariants.
        self.throttle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Creates an API token: a sign-in's (`name` "login") lives for the session policy's idle
    /// and absolute times; a named integration token for `integration_days`, idle as long.
    pub async fn issue_token(&self, user: &CurrentUser, name: &str) -> ServiceResult<String> {
        let token = new_token();
        let now = self.clock.now();
        let policy = &self.config.sessions;
        let life = if name == "login" {
            quanze_store::TokenLife {
                expires_at: now + Duration::hours(policy.absolute_hours),
                idle: Duration::minutes(policy.idle_minutes),
            }
        } else {
            let days = Duration::days(policy.integration_days);
            quanze_store::TokenLife { expires_at: now + days, idle: days }
        };
        let ev = self.event(
            Some(user),
            None,
            "token.created",
            format!("user:{}", user.id),
            serde_json::json!({ "name": name, "expires_at": life.expires_at }),
        );
        self.store.create_token(user.id, &token_hash(&token), name, life, ev).await?;
        Ok(token)
    }

    /// 注销 — ends the token presented.
    pub async fn log_out(&self, user: &CurrentUser, token: &str) -> ServiceResult<u64> {
        let ev = self.event(
            Some(user),
            None,
            "token.revoked",
            format!("user:{}", user.id),
            serde_json::json!({}),
        );
        Ok(self.store.revoke_token(&token_hash(token), ev).await?.leaf_index())
    }

    /// 修改口令 — checks the current password and the new one against the rule, stores it, and
    /// ends every other token and web session of the account (the `keep` token, the caller's
    /// own, stays).
    pub async fn change_password(
        &self,
        user: &CurrentUser,
        current: &str,
        new: &str,
        keep: Option<&str>,
    ) -> ServiceResult<u64> {
        // The current password is a guess like any sign-in's: under the account's tally.
        let key = user.username.as_str();
        self.throttle()
            .attempt(key, None, self.clock.now())
            .map_err(|t| ServiceError::Throttled(t.until))?;
        let stored = self.store.user(user.id).await?;
        let ok = self.passwords.verify(current, &stored.password_hash).await?;
        if ok {
            self.throttle().succeeded(key, None);
        } else {
            return Err(ServiceError::rejected(
                ErrorCode::Unauthenticated,
                "当前口令不正确",
                "the current password is wrong",
            ));
        }
        self.check_password(new, user.username.as_str())?;
        if self.passwords.verify(new, &stored.password_hash).await? {
            return Err(ServiceError::rejected(
                ErrorCode::WeakPassword,
                "新口令不能与当前口令相同",
                "the new password is the current one",
            ));
        }
        let ev = self.event(
            Some(user),
            None,
            "user.password_changed",
            format!("user:{}", user.id),
            serde_json::json!({}),
        );
        let keep = keep.map(token_hash);
        let receipt = self
            .store
            .set_password(user.id, &self.passwords.hash(new).await?, keep.as_deref(), ev)
            .await?;
        self.end_tickets(user.id);
        Ok(receipt.leaf_index())
    }

    /// 锁定 or 解锁 an account (system administrators): a lock ends its tokens and web
    /// sessions at once and lasts until unlocked; an unlock also ends any sign-in wait of the
    /// account's name.
    pub async fn set_account_lock(
        &self,
        by: &CurrentUser,
        user: UserId,
        locked: bool,
        reason: &str,
    ) -> ServiceResult<u64> {
        by.require_act(Act::ManageAccounts, None)?;
        let reason = crate::error::checked_text("reason", reason, 500, true)?;
        if reason.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "reason" }.into());
        }
        let target = self.store.user(user).await?;
        let until = locked.then(|| self.clock.now() + Duration::days(365 * 100));
        let kind = if locked { "user.locked" } else { "user.unlocked" };
        let payload = serde_json::json!({ "reason": reason });
        let ev = self.event(Some(by), None, kind, format!("user:{user}"), payload);
        let receipt = self.store.set_lock(user, until, ev).await?;
        self.end_tickets(user);
        if !locked {
            self.throttle().release(target.username.as_str());
        }
        Ok(receipt.leaf_index())
    }

    /// Ends every token and web session of an account (system administrators; anyone for their
    /// own account, keeping the token they call with).
    pub async fn end_sessions(
        &self,
        by: &CurrentUser,
        user: UserId,
        keep: Option<&str>,
    ) -> ServiceResult<u64> {
        if by.id != user {
            by.require_act(Act::ManageAccounts, None)?;
        }
        let ev = self.event(
            Some(by),
            None,
            "user.sessions_ended",
            format!("user:{user}"),
            serde_json::json!({}),
        );
        let keep = keep.filter(|_| by.id == user).map(token_hash);
        Ok(self.store.end_sessions(user, keep.as_deref(), ev).await?.leaf_index())
    }

    /// The account of a signed-in web session, as stored now (its roles may have changed).
    pub async fn session_user(&self, id: UserId) -> ServiceResult<CurrentUser> {
        match self.store.user(id).await {
            Ok(user) if lock_at(&user, self.clock.now()).is_some() => {
                Err(ServiceError::Unauthenticated)
            }
            Ok(user) => Ok(CurrentUser::from(&user)),
            Err(quanze_store::StoreError::NotFound(_)) => Err(ServiceError::Unauthenticated),
            Err(e) => Err(e.into()),
        }
    }

    /// The password rule in words: (Chinese, English).
    pub fn password_rule(&self) -> (String, String) {
        (self.config.password.rule_zh(), self.config.password.rule_en())
    }

    /// The reverse proxies trusted to name the client.
    pub fn trusted_proxies(&self) -> &[IpAddr] {
        &self.config.trusted_proxies
    }

    /// The session policy (idle and absolute times).
    pub fn session_policy(&self) -> crate::SessionPolicy {
        self.config.sessions
    }

    /// The sign-in policy, as the sign-in page states it: (free failures of an account, the
    /// longest wait in minutes).
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
        let now = self.clock.now();
        match self.store.user_by_token(&token_hash(token), now).await? {
            // A lock ends the tokens; this is the belt to that brace.
            Some(user) if lock_at(&user, now).is_some() => Err(ServiceError::Unauthenticated),
            Some(user) => Ok(CurrentUser::from(&user)),
            None => Err(ServiceError::Unauthenticated),
        }
    }
}

/// The end of an account's administrator lock, if it is locked at `now`.
pub(crate) fn lock_at(
    user: &UserRecord,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    user.locked_until.filter(|until| *until > now)
}
