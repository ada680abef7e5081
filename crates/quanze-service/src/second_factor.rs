//! 双因素认证 — the second factor of a sign-in (等保 2.0 L3, GB/T 22239-2019 8.1.4.1 d: two
//! factors, one of them cryptographic): a TOTP code (RFC 6238, as authenticator apps compute
//! it), a single-use recovery code, or a challenge signed by an SM2 key (a county's USB key,
//! GB/T 32918).
//!
//! A sign-in whose password is right, for an account that has a factor or whose role requires
//! one ([`SecondFactorPolicy`]), gets a ticket instead of a session: a random text, good for
//! five minutes and five wrong codes, that names the account and carries an SM2 challenge.
//! The ticket is the proof that the password was checked, so completing a sign-in needs no
//! password again and the service cannot be asked to check a code for an account without it.
//! An account that must have a factor and has none enrols one with its ticket (trust on first
//! use, bounded by the ticket's five minutes).
//!
//! The TOTP arithmetic is written here rather than taken from a crate because the sign-in
//! must know which time step a code matched, to refuse that step ever after (RFC 6238 §5.2);
//! the crates on offer answer only yes or no. The secret is sealed with SM4 under the
//! personal-data key ([`crate::cases::PersonalKey`]); the store never sees it in clear.

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use quanze_core::access::Act;
use quanze_core::{Role, RoleAssignment, UserId, Username};
use quanze_store::{FactorUse, Factors};
use rand::RngCore;
use sha1::Sha1;

use crate::Service;
use crate::auth::{CurrentUser, token_hash};
use crate::error::{ErrorCode, ServiceError, ServiceResult};

/// Seconds in a TOTP time step.
pub const STEP_SECS: i64 = 30;
/// Digits in a TOTP code.
pub const DIGITS: u32 = 6;
/// Steps either side of now a code is accepted from (clock drift of a phone).
const WINDOW: i64 = 1;
/// How long a sign-in ticket lasts.
const TICKET_MINUTES: i64 = 5;
/// Wrong codes a ticket takes before it ends.
const TICKET_TRIES: u8 = 5;
/// Tickets held at once; beyond it the oldest go (each is a right password, so a flood of
/// them is a flood of right passwords).
const MAX_TICKETS: usize = 10_000;
/// Recovery codes given at once.
pub const RECOVERY_CODES: usize = 10;
/// What an SM2 key signs: this prefix, then the challenge (so that no other signed text of
/// the key can serve as a sign-in).
pub const SM2_SIGN_IN_PREFIX: &str = "quanze-sign-in\n";

/// 双因素策略 — which roles must sign in with a second factor. An account that enrolled a
/// factor of its own accord uses it whatever its roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactorPolicy {
    /// Roles that require a second factor (by default the three administrators of 等保's
    /// separation of duties).
    pub roles: Vec<Role>,
    /// The issuer an authenticator app shows beside the account.
    pub issuer: String,
}

impl Default for SecondFactorPolicy {
    fn default() -> SecondFactorPolicy {
        SecondFactorPolicy {
            roles: vec![Role::SysAdmin, Role::SecurityAdmin, Role::Auditor],
            issuer: "Quanze".to_owned(),
        }
    }
}

impl SecondFactorPolicy {
    /// Whether an account holding `roles` must sign in with a second factor.
    pub fn requires(&self, roles: &[RoleAssignment]) -> bool {
        roles.iter().any(|g| self.roles.contains(&g.role))
    }
}

/// 动态口令密钥 — a TOTP secret: 20 random bytes (RFC 4226's recommended length), shown in
/// base32.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; 20]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// A new random secret.
    pub fn generate() -> TotpSecret {
        let mut bytes = [0u8; 20];
        rand::rng().fill_bytes(&mut bytes);
        TotpSecret(bytes)
    }

    /// Reads a base32 secret (spaces and case ignored, padding optional); `None` unless it
    /// is 20 bytes.
    pub fn from_base32(text: &str) -> Option<TotpSecret> {
        let clean: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = data_encoding::BASE32_NOPAD.decode(clean.as_bytes()).ok()?;
        Some(TotpSecret(bytes.try_into().ok()?))
    }

    /// The secret in base32, as typed into an authenticator app.
    pub fn to_base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.0)
    }

    /// The `otpauth://` address an authenticator app reads from a QR code.
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let issuer = percent(issuer);
        format!(
            "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
            percent(account),
            self.to_base32()
        )
    }

    /// The code of a time step (RFC 4226 §5.3's dynamic truncation of HMAC-SHA1).
    pub fn code_of_step(&self, step: i64) -> String {
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[digest.len() - 1] & 0x0f);
        let value = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        format!("{:0width$}", value % 10u32.pow(DIGITS), width = DIGITS as usize)
    }

    /// The code at an instant.
    pub fn code_at(&self, at: DateTime<Utc>) -> String {
        self.code_of_step(step_of(at))
    }

    /// The time step a code matches, within the window around `now` and later than `after`
    /// (a step once accepted is never accepted again).
    pub fn matching_step(&self, code: &str, now: DateTime<Utc>, after: Option<i64>) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = step_of(now);
        (now - WINDOW..=now + WINDOW)
            .filter(|step| after.is_none_or(|last| *step > last))
            .find(|step| same(self.code_of_step(*step).as_bytes(), code.as_bytes()))
    }
}

/// The TOTP time step of an instant.
pub fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECS)
}

/// Compares two codes in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// New recovery codes: ten of `xxxxx-xxxxx` from an alphabet without look-alikes (about 49
/// bits each; guesses go through the sign-in throttle).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut code: String = (0..10)
                .map(|_| ALPHABET[(rng.next_u32() % ALPHABET.len() as u32) as usize] as char)
                .collect();
            code.insert(5, '-');
            code
        })
        .collect()
}

/// What a recovery code is stored as: the HMAC-SM3 of its letters (case, spaces and hyphens
/// ignored) under the personal-data key, hex, so that a copy of the database (a backup, which
/// leaves the key out) gives nothing to guess against; `None` if the text cannot be a
/// recovery code.
pub fn recovery_hash(key: &crate::cases::PersonalKey, code: &str) -> Option<String> {
    recovery_text(code).map(|text| key.index(&text))
}

/// [`recovery_hash`] under every key of the ring, the current one first: a code given before
/// a rotation is stored under the key of its day (a hash cannot be rehashed).
pub fn recovery_hashes(key: &crate::cases::PersonalKey, code: &str) -> Vec<String> {
    recovery_text(code).map(|text| key.indexes(&text)).unwrap_or_default()
}

/// What a recovery code's hash is taken of; `None` if the text cannot be a recovery code.
fn recovery_text(code: &str) -> Option<String> {
    let clean: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (clean.len() == 10 && clean.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| format!("recovery-code\n{clean}"))
}

/// 登录凭单 — what a sign-in whose password was right still needs: the ticket to complete
/// it with, whether a factor must first be enrolled, the factors the account has, and the
/// challenge an SM2 key signs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SecondFactorNeeded {
    /// The ticket (shown once; good for five minutes).
    pub ticket: String,
    /// The account has no factor and its role requires one: enrol a TOTP secret first.
    pub enrol: bool,
    /// The factors the account can use: `totp`, `recovery`, `sm2`.
    pub methods: Vec<String>,
    /// What an SM2 key signs, after the prefix `quanze-sign-in\n`.
    pub challenge: String,
    /// When the ticket ends.
    pub expires_at: DateTime<Utc>,
}

/// A second factor as presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// A TOTP code or a recovery code.
    Code(String),
    /// An SM2 signature (base64 of `r || s`, or DER) of the ticket's challenge.
    Sm2Signature(String),
}

/// A TOTP enrolment begun: the secret to put into an authenticator app.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct TotpEnrolment {
    /// The secret, base32.
    pub secret: String,
    /// The `otpauth://` address (for a QR code).
    pub uri: String,
}

/// An account's second factors, as its owner and administrators see them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FactorSummary {
    /// A TOTP secret is enrolled and confirmed.
    pub totp: bool,
    /// An SM2 public key is enrolled.
    pub sm2: bool,
    /// Recovery codes not yet used.
    pub recovery_codes_left: u32,
    /// The account's role requires a second factor.
    pub required: bool,
}

struct Pending {
    user: UserId,
    username: Username,
    until: DateTime<Utc>,
    challenge: String,
    tries: u8,
    /// The account had no factor when the password was checked and its role requires one:
    /// the only tickets that may enrol.
    enrol: bool,
}

/// Sign-ins waiting for their second factor, by the SM3 of their ticket.
#[derive(Default)]
pub(crate) struct PendingSignIns(std::sync::Mutex<HashMap<String, Pending>>);

impl PendingSignIns {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn invalid(zh: &str, en: &str) -> ServiceError {
    ServiceError::rejected(ErrorCode::SecondFactorInvalid, zh, en)
}

fn ticket_gone() -> ServiceError {
    invalid(
        "登录凭单无效或已过期（5 分钟内有效），请重新输入用户名和密码",
        "the sign-in ticket is unknown or expired; sign in again",
    )
}

impl Service {
    /// The second-factor policy.
    pub fn second_factor_policy(&self) -> &SecondFactorPolicy {
        &self.config.second_factor
    }

    /// After a right password: the ticket the sign-in continues with, when the account has a
    /// factor or its role requires one; `None` when the password suffices.
    pub(crate) async fn second_factor_ticket(
        &self,
        user: &quanze_store::UserRecord,
    ) -> ServiceResult<Option<SecondFactorNeeded>> {
        let factors = self.store.factors(user.id).await?;
        let required = self.config.second_factor.requires(&user.roles);
        if !factors.any() && !required {
            return Ok(None);
        }
        let now = self.clock.now();
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let ticket = format!("qzt_{}", hex::encode(bytes));
        rand::rng().fill_bytes(&mut bytes);
        let challenge = hex::encode(bytes);
        let until = now + Duration::minutes(TICKET_MINUTES);
        {
            let mut pending = self.pending.lock();
            pending.retain(|_, p| p.until > now);
            while pending.len() >= MAX_TICKETS {
                let oldest = pending.iter().min_by_key(|(_, p)| p.until).map(|(k, _)| k.clone());
                match oldest {
                    Some(key) => pending.remove(&key),
                    None => break,
                };
            }
            pending.insert(
                token_hash(&ticket),
                Pending {
                    user: user.id,
                    username: user.username.clone(),
                    until,
                    challenge: challenge.clone(),
                    tries: 0,
                    enrol: !factors.any(),
                },
            );
        }
        Ok(Some(SecondFactorNeeded {
            ticket,
            enrol: !factors.any(),
            methods: methods(&factors),
            challenge,
            expires_at: until,
        }))
    }

    /// The account of a live ticket that may enrol (its account had no factor); any other is
    /// refused, so a password alone never adds a factor to an account that has one.
    async fn enrolling(&self, ticket: &str) -> ServiceResult<(UserId, Username)> {
        let (id, username, _) = self.pending(ticket)?;
        let may = self.pending.lock().get(&token_hash(ticket)).is_some_and(|p| p.enrol);
        if !may || self.store.factors(id).await?.any() {
            return Err(ServiceError::rejected(
                ErrorCode::SecondFactorState,
                "该账号已有第二因素，请用它完成登录；丢失时请系统管理员重置",
                "the account has a second factor: sign in with it",
            ));
        }
        Ok((id, username))
    }

    /// Ends every ticket of an account (its factors, password or lock changed).
    pub(crate) fn end_tickets(&self, id: UserId) {
        self.pending.lock().retain(|_, p| p.user != id);
    }

    /// The account a live ticket names, and its challenge.
    fn pending(&self, ticket: &str) -> ServiceResult<(UserId, Username, String)> {
        let now = self.clock.now();
        let pending = self.pending.lock();
        match pending.get(&token_hash(ticket)) {
            Some(p) if p.until > now => Ok((p.user, p.username.clone(), p.challenge.clone())),
            _ => Err(ticket_gone()),
        }
    }

    /// Counts a wrong proof against the ticket; the fifth ends it.
    fn ticket_failed(&self, ticket: &str) {
        let mut pending = self.pending.lock();
        let key = token_hash(ticket);
        if let Some(p) = pending.get_mut(&key) {
            p.tries += 1;
            if p.tries >= TICKET_TRIES {
                pending.remove(&key);
            }
        }
    }

    /// 完成登录 — completes a sign-in with its ticket and a second factor: a TOTP code of
    /// now (a step not used before), an unused recovery code (then used up), or the
    /// ticket's challenge signed by the account's SM2 key. Wrong proofs count against the
    /// account's sign-in tally and the ticket.
    pub async fn complete_sign_in(
        &self,
        ticket: &str,
        proof: &Proof,
        source: Option<IpAddr>,
    ) -> ServiceResult<CurrentUser> {
        let (id, username, challenge) = self.pending(ticket)?;
        let now = self.clock.now();
        let key = username.as_str().to_owned();
        self.throttle().attempt(&key, source, now).map_err(|t| ServiceError::Throttled(t.until))?;
        let user = self.store.user(id).await?;
        if let Some(until) = crate::auth::lock_at(&user, now) {
            return Err(ServiceError::Locked(until));
        }
        let factors = self.store.factors(id).await?;
        let used = match proof {
            Proof::Code(code) => self.code_use(&factors, code, now)?,
            Proof::Sm2Signature(signature) => {
                sm2_checks(&factors, &user.username, &challenge, signature)
                    .then_some(FactorUse::Sm2)
            }
        };
        let subject = format!("user:{id}");
        let Some(used) = used else {
            self.ticket_failed(ticket);
            let ev = self.event(
                None,
                None,
                "user.login_failed",
                subject,
                serde_json::json!({ "factor": proof_kind(proof) }),
            );
            let ev = Service::from_source(ev, source);
            self.store.record_login(id, false, ev).await?;
            return Err(invalid(
                "动态口令不正确或已使用",
                "the second factor is wrong or was used",
            ));
        };
        let current = CurrentUser::from(&user);
        let factor = match used {
            FactorUse::Totp(_) => "totp",
            FactorUse::Recovery(_) => "recovery",
            FactorUse::Sm2 => "sm2",
        };
        let ev = self.event(
            Some(&current),
            None,
            "user.login",
            subject,
            serde_json::json!({ "factor": factor }),
        );
        let ev = Service::from_source(ev, source);
        match self.store.record_second_factor(id, &used, ev).await {
            Ok(_) => {}
            // Two sign-ins raced with one code: the other took it.
            Err(quanze_store::StoreError::Conflict(_)) => {
                self.ticket_failed(ticket);
                let ev = self.event(
                    None,
                    None,
                    "user.login_failed",
                    format!("user:{id}"),
                    serde_json::json!({ "factor": factor, "used": true }),
                );
                let ev = Service::from_source(ev, source);
                self.store.record_login(id, false, ev).await?;
                return Err(invalid("动态口令不正确或已使用", "the second factor was used"));
            }
            Err(e) => return Err(e.into()),
        }
        self.pending.lock().remove(&token_hash(ticket));
        self.throttle().succeeded(&key, source);
        Ok(current)
    }

    /// What a typed code is: a TOTP code of a step not used before, or a recovery code.
    fn code_use(
        &self,
        factors: &Factors,
        code: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<FactorUse>> {
        if factors.recovery_codes_left > 0
            && let Some(hash) = recovery_hashes(self.totp_key()?, code)
                .into_iter()
                .find(|hash| factors.recovery_hashes.contains(hash))
        {
            return Ok(Some(FactorUse::Recovery(hash)));
        }
        let (Some(sealed), true) = (&factors.totp_sealed, factors.totp_confirmed) else {
            return Ok(None);
        };
        let secret = self.open_totp(sealed)?;
        Ok(secret.matching_step(code, now, factors.totp_last_step).map(FactorUse::Totp))
    }

    fn open_totp(&self, sealed: &str) -> ServiceResult<TotpSecret> {
        let key = self.totp_key()?;
        hex::decode(sealed)
            .ok()
            .and_then(|bytes| key.open(&bytes))
            .and_then(|bytes| <[u8; 20]>::try_from(bytes).ok())
            .map(TotpSecret)
            .ok_or_else(|| {
                ServiceError::Internal(
                    "a TOTP secret does not open under the personal-data key".into(),
                )
            })
    }

    fn totp_key(&self) -> ServiceResult<&crate::cases::PersonalKey> {
        self.config.cases.personal_key.as_ref().ok_or_else(|| {
            ServiceError::rejected(
                ErrorCode::PersonalKeyMissing,
                "未配置加密密钥，不能登记或核验动态口令（请以 --personal-key 指定密钥文件）",
                "no personal-data key is configured; TOTP secrets cannot be sealed",
            )
        })
    }

    /// 登记动态口令 (with a sign-in ticket, for an account that must enrol before it can sign
    /// in): a new secret, replacing one not yet confirmed.
    pub async fn begin_enrolment(&self, ticket: &str) -> ServiceResult<TotpEnrolment> {
        let (id, username) = self.enrolling(ticket).await?;
        self.begin_totp_for(id, &username, None).await
    }

    /// The enrolment a ticket's account has begun and not confirmed: the same secret again
    /// (after a wrong first code, so that the app's entry stays good).
    pub async fn current_enrolment(&self, ticket: &str) -> ServiceResult<TotpEnrolment> {
        let (id, username) = self.enrolling(ticket).await?;
        let factors = self.store.factors(id).await?;
        let (Some(sealed), false) = (&factors.totp_sealed, factors.totp_confirmed) else {
            return self.begin_totp_for(id, &username, None).await;
        };
        let secret = self.open_totp(sealed)?;
        let issuer = &self.config.second_factor.issuer;
        Ok(TotpEnrolment { secret: secret.to_base32(), uri: secret.uri(issuer, username.as_str()) })
    }

    /// Confirms the enrolment of a ticket's account with a first code and completes the sign-in:
    /// the account and its recovery codes (shown once).
    pub async fn confirm_enrolment(
        &self,
        ticket: &str,
        code: &str,
        source: Option<IpAddr>,
    ) -> ServiceResult<(CurrentUser, Vec<String>)> {
        let (id, username) = self.enrolling(ticket).await?;
        let key = username.as_str().to_owned();
        let now = self.clock.now();
        self.throttle().attempt(&key, source, now).map_err(|t| ServiceError::Throttled(t.until))?;
        let user = self.store.user(id).await?;
        if let Some(until) = crate::auth::lock_at(&user, now) {
            return Err(ServiceError::Locked(until));
        }
        let current = CurrentUser::from(&user);
        // The enrolment and the sign-in are one write: its event is the sign-in.
        let codes = match self.confirm_totp_for(&current, code, "user.login", source).await {
            Ok(codes) => codes,
            Err(e) => {
                self.ticket_failed(ticket);
                if e.code() == ErrorCode::SecondFactorInvalid {
                    let ev = self.event(
                        None,
                        None,
                        "user.login_failed",
                        format!("user:{id}"),
                        serde_json::json!({ "factor": "totp", "enrolling": true }),
                    );
                    let ev = Service::from_source(ev, source);
                    self.store.record_login(id, false, ev).await?;
                }
                return Err(e);
            }
        };
        self.pending.lock().remove(&token_hash(ticket));
        self.throttle().succeeded(&key, source);
        Ok((current, codes))
    }

    /// 登记动态口令 by a signed-in account for itself: a new secret (refused while a confirmed
    /// one exists: an administrator resets it first).
    pub async fn begin_totp(&self, user: &CurrentUser) -> ServiceResult<TotpEnrolment> {
        self.begin_totp_for(user.id, &user.username, Some(user)).await
    }

    async fn begin_totp_for(
        &self,
        id: UserId,
        username: &Username,
        by: Option<&CurrentUser>,
    ) -> ServiceResult<TotpEnrolment> {
        let key = self.totp_key()?;
        let secret = TotpSecret::generate();
        let sealed = hex::encode(key.seal(&secret.0));
        let ev =
            self.event(by, None, "user.totp_begun", format!("user:{id}"), serde_json::json!({}));
        self.store.begin_totp(id, &sealed, ev).await.map_err(|e| match e {
            quanze_store::StoreError::Conflict(_) => ServiceError::rejected(
                ErrorCode::SecondFactorState,
                "该账号已登记动态口令；如需更换，请系统管理员先重置第二因素",
                "a confirmed TOTP secret exists; an administrator resets it first",
            ),
            other => other.into(),
        })?;
        let issuer = &self.config.second_factor.issuer;
        Ok(TotpEnrolment { secret: secret.to_base32(), uri: secret.uri(issuer, username.as_str()) })
    }

    /// Confirms a signed-in account's enrolment with its first code: the recovery codes
    /// (shown once; only their hashes are kept).
    pub async fn confirm_totp(&self, user: &CurrentUser, code: &str) -> ServiceResult<Vec<String>> {
        self.confirm_totp_for(user, code, "user.totp_enrolled", None).await
    }

    /// Confirms an enrolment, recorded as `kind` (with the client's address).
    async fn confirm_totp_for(
        &self,
        user: &CurrentUser,
        code: &str,
        kind: &str,
        source: Option<IpAddr>,
    ) -> ServiceResult<Vec<String>> {
        let factors = self.store.factors(user.id).await?;
        let (Some(sealed), false) = (&factors.totp_sealed, factors.totp_confirmed) else {
            return Err(ServiceError::rejected(
                ErrorCode::SecondFactorState,
                "没有待确认的动态口令登记，请先开始登记",
                "no TOTP enrolment is waiting to be confirmed",
            ));
        };
        let secret = self.open_totp(sealed)?;
        let Some(step) = secret.matching_step(code, self.clock.now(), None) else {
            return Err(invalid(
                "动态口令不正确：请核对手机时间，输入验证器 App 当前显示的 6 位数字",
                "the code does not match the secret now",
            ));
        };
        let (codes, hashes) = self.fresh_recovery_codes()?;
        let ev = self.event(
            Some(user),
            None,
            kind,
            format!("user:{}", user.id),
            serde_json::json!({ "factor": "totp", "enrolled": true, "recovery_codes": hashes.len() }),
        );
        let ev = Service::from_source(ev, source);
        self.store.confirm_totp(user.id, step, &hashes, ev).await.map_err(|e| match e {
            quanze_store::StoreError::Conflict(_) => ServiceError::rejected(
                ErrorCode::SecondFactorState,
                "动态口令已登记",
                "the enrolment was confirmed meanwhile",
            ),
            other => other.into(),
        })?;
        Ok(codes)
    }

    /// Enrols a secret known in advance, confirmed, without recovery codes: the demo's
    /// administrators (whose secret `quanze demo` prints).
    pub(crate) async fn enrol_known_totp(
        &self,
        id: UserId,
        secret: &TotpSecret,
    ) -> ServiceResult<()> {
        let sealed = hex::encode(self.totp_key()?.seal(&secret.0));
        let subject = format!("user:{id}");
        let ev = self.event(None, None, "user.totp_begun", subject.clone(), serde_json::json!({}));
        self.store.begin_totp(id, &sealed, ev).await?;
        let step = step_of(self.clock.now()) - 2 * WINDOW;
        let payload = serde_json::json!({ "recovery_codes": 0 });
        let ev = self.event(None, None, "user.totp_enrolled", subject, payload);
        self.store.confirm_totp(id, step, &[], ev).await?;
        Ok(())
    }

    /// A new set of recovery codes (shown once) and what is stored of them.
    fn fresh_recovery_codes(&self) -> ServiceResult<(Vec<String>, Vec<String>)> {
        let key = self.totp_key()?;
        let codes = new_recovery_codes();
        let hashes = codes.iter().filter_map(|c| recovery_hash(key, c)).collect();
        Ok((codes, hashes))
    }

    /// New recovery codes for a signed-in account, replacing the old ones.
    pub async fn new_recovery_codes(&self, user: &CurrentUser) -> ServiceResult<Vec<String>> {
        let factors = self.store.factors(user.id).await?;
        if !factors.any() {
            return Err(ServiceError::rejected(
                ErrorCode::SecondFactorState,
                "先登记动态口令或 SM2 密钥，再生成恢复码",
                "enrol a factor before asking for recovery codes",
            ));
        }
        let (codes, hashes) = self.fresh_recovery_codes()?;
        let ev = self.event(
            Some(user),
            None,
            "user.recovery_codes_replaced",
            format!("user:{}", user.id),
            serde_json::json!({ "recovery_codes": hashes.len() }),
        );
        self.store.replace_recovery_codes(user.id, &hashes, ev).await?;
        Ok(codes)
    }

    /// An account's second factors (the account itself, or a system or security
    /// administrator).
    pub async fn factor_summary(
        &self,
        by: &CurrentUser,
        user: UserId,
    ) -> ServiceResult<FactorSummary> {
        if by.id != user {
            by.require_act(Act::ManageAccounts, None)?;
        }
        let record = self.store.user(user).await?;
        let factors = self.store.factors(user).await?;
        Ok(FactorSummary {
            totp: factors.totp_sealed.is_some() && factors.totp_confirmed,
            sm2: factors.sm2_public_key.is_some(),
            recovery_codes_left: factors.recovery_codes_left,
            required: self.config.second_factor.requires(&record.roles),
        })
    }

    /// 重置第二因素 — removes every second factor of an account, for a lost phone or key
    /// (system administrators): its sessions end, and its next sign-in enrols again.
    pub async fn reset_second_factor(&self, by: &CurrentUser, user: UserId) -> ServiceResult<u64> {
        by.require_act(Act::ManageAccounts, None)?;
        let ev = self.event(
            Some(by),
            None,
            "user.second_factor_reset",
            format!("user:{user}"),
            serde_json::json!({}),
        );
        let receipt = self.store.clear_factors(user, ev).await?;
        self.end_tickets(user);
        Ok(receipt.leaf_index())
    }

    /// [`Service::reset_second_factor`] from the server's console (`quanze user
    /// reset-second-factor`): whoever can open the database can, so it needs no account. The
    /// way back in for the last administrator who lost the phone.
    pub async fn reset_second_factor_at_console(&self, username: &Username) -> ServiceResult<u64> {
        let user = self
            .store
            .user_by_name(username)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("user {username}")))?;
        let ev = self.event(
            None,
            None,
            "user.second_factor_reset",
            format!("user:{}", user.id),
            serde_json::json!({ "at": "console" }),
        );
        let receipt = self.store.clear_factors(user.id, ev).await?;
        self.end_tickets(user.id);
        Ok(receipt.leaf_index())
    }

    /// 登记 SM2 密钥 — stores an account's SM2 public key (PEM, as `quanze key new` writes it
    /// or a USB key's certificate tool exports it), or removes it (system administrators, who
    /// hand the keys out).
    pub async fn set_sm2_key(
        &self,
        by: &CurrentUser,
        user: UserId,
        public_key_pem: Option<&str>,
    ) -> ServiceResult<u64> {
        by.require_act(Act::ManageAccounts, None)?;
        let record = self.store.user(user).await?;
        let pem = match public_key_pem {
            Some(pem) => {
                let pem = pem.trim();
                quanze_ledger::VerifierKey::from_sm2_public_key_pem(record.username.as_str(), pem)
                    .map_err(|e| {
                        ServiceError::rejected(
                            ErrorCode::InvalidInput,
                            "不是有效的 SM2 公钥（应为 PEM 格式的 SubjectPublicKeyInfo）",
                            format!("not an SM2 public key: {e}"),
                        )
                    })?;
                Some(pem.to_owned())
            }
            None => None,
        };
        let kind = if pem.is_some() { "user.sm2_key_set" } else { "user.sm2_key_removed" };
        let ev = self.event(Some(by), None, kind, format!("user:{user}"), serde_json::json!({}));
        Ok(self.store.set_sm2_key(user, pem.as_deref(), ev).await?.leaf_index())
    }
}

fn methods(factors: &Factors) -> Vec<String> {
    let mut out = Vec::new();
    if factors.totp_sealed.is_some() && factors.totp_confirmed {
        out.push("totp".to_owned());
    }
    if factors.recovery_codes_left > 0 {
        out.push("recovery".to_owned());
    }
    if factors.sm2_public_key.is_some() {
        out.push("sm2".to_owned());
    }
    out
}

fn proof_kind(proof: &Proof) -> &'static str {
    match proof {
        Proof::Code(_) => "code",
        Proof::Sm2Signature(_) => "sm2",
    }
}

/// Whether `signature` (base64) is the account's SM2 key's signature of the challenge.
fn sm2_checks(factors: &Factors, username: &Username, challenge: &str, signature: &str) -> bool {
    use base64::Engine as _;
    let Some(pem) = &factors.sm2_public_key else { return false };
    let Ok(key) = quanze_ledger::VerifierKey::from_sm2_public_key_pem(username.as_str(), pem)
    else {
        return false;
    };
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    let message = format!("{SM2_SIGN_IN_PREFIX}{challenge}");
    key.verify(message.as_bytes(), &signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn codes_match_rfc_6238_appendix_b() {
        // RFC 6238 Appendix B, SHA-1, the 20-byte ASCII secret "12345678901234567890",
        // 8 digits there; the last six of each are ours.
        let secret = TotpSecret(*b"12345678901234567890");
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(secret.code_at(at(time)), code[2..], "at {time}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_the_next_but_never_a_used_one() {
        let secret = TotpSecret::generate();
        let now = at(1_800_000_000);
        let code = secret.code_at(now);
        let step = step_of(now);
        assert_eq!(secret.matching_step(&code, now, None), Some(step));
        assert_eq!(secret.matching_step(&code, now + Duration::seconds(30), None), Some(step));
        assert_eq!(secret.matching_step(&code, now + Duration::seconds(90), None), None);
        assert_eq!(secret.matching_step(&code, now, Some(step)), None, "used once");
        assert_eq!(secret.matching_step("12345", now, None), None);
        assert_eq!(secret.matching_step("abcdef", now, None), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(secret.matching_step(&spaced, now, None), Some(step));
    }

    #[test]
    fn secrets_read_back_from_base32_and_give_an_otpauth_address() {
        let secret = TotpSecret::generate();
        let text = secret.to_base32();
        assert_eq!(text.len(), 32);
        assert_eq!(TotpSecret::from_base32(&text.to_lowercase()), Some(secret.clone()));
        assert_eq!(TotpSecret::from_base32("ABC"), None);
        let uri = secret.uri("Quanze 县", "admin");
        assert!(uri.starts_with("otpauth://totp/Quanze%20%E5%8E%BF:admin?secret="), "{uri}");
        assert!(uri.contains(&format!("secret={text}")));
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_alike_however_typed() {
        let key = crate::cases::PersonalKey::generate();
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let hashes: std::collections::BTreeSet<_> =
            codes.iter().map(|c| recovery_hash(&key, c).unwrap()).collect();
        assert_eq!(hashes.len(), RECOVERY_CODES);
        let code = &codes[0];
        let typed = format!(" {} ", code.to_uppercase().replace('-', " "));
        assert_eq!(recovery_hash(&key, &typed), recovery_hash(&key, code));
        assert_eq!(recovery_hash(&key, "123456"), None, "a TOTP code is not a recovery code");
        let other = crate::cases::PersonalKey::generate();
        assert_ne!(recovery_hash(&other, code), recovery_hash(&key, code), "keyed");
    }

    #[test]
    fn the_policy_requires_the_administrators_by_default() {
        let policy = SecondFactorPolicy::default();
        let role = |role| vec![RoleAssignment { role, unit: None }];
        assert!(policy.requires(&role(Role::SysAdmin)));
        assert!(policy.requires(&role(Role::Auditor)));
        assert!(policy.requires(&role(Role::SecurityAdmin)));
        assert!(!policy.requires(&role(Role::Clerk)));
    }
}
