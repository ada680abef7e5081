//! Accounts, regions and units: the answers of the register (区划与单位) and its request bodies.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use quanze_core::{
    CreditCode, Issue, ListScope, PowerList, Region, RegionCode, RegionLevel, Tag, Unit, UnitId,
    UnitKind, UserId,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Receipt, page};
use crate::auth::CurrentUser;
use crate::error::{ServiceError, ServiceResult};
use crate::lists::{ItemView, NewUnit};
use crate::{NewUser, Service};

/// Login body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "username": "admin", "password": "Ledger#2026x" }))]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// 第二因素 — completes a sign-in whose password was right: the ticket it gave and a code
/// (TOTP or recovery) or an SM2 signature of its challenge.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "ticket": "qzt_3b9e…", "code": "492039" }))]
pub struct SecondFactorRequest {
    /// The ticket of the `second_factor_required` answer.
    pub ticket: String,
    /// A TOTP code (6 digits) or a recovery code (`xxxxx-xxxxx`).
    #[serde(default)]
    pub code: Option<String>,
    /// Base64 of the SM2 signature (`r || s`) of `quanze-sign-in\n` and the challenge.
    #[serde(default)]
    pub sm2_signature: Option<String>,
}

/// Starts the TOTP enrolment an account must make before it can sign in: the ticket.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentRequest {
    /// The ticket of the `second_factor_required` answer (with `enrol: true`).
    pub ticket: String,
}

/// Confirms a TOTP enrolment with the first code the app shows.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentConfirmRequest {
    /// The ticket (when enrolling during a sign-in; absent when signed in).
    #[serde(default)]
    pub ticket: Option<String>,
    /// The 6-digit code the authenticator app shows now.
    pub code: String,
}

/// Starts a signed-in account's own TOTP enrolment: an empty object.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpBeginRequest {}

/// Registers (or with `null` removes) an account's SM2 public key.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sm2KeyRequest {
    /// The public key, PEM (`-----BEGIN PUBLIC KEY-----`), as `quanze key new` prints it.
    pub public_key: Option<String>,
}

/// Recovery codes, shown once: each signs in once in place of a TOTP code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// The codes.
    pub recovery_codes: Vec<String>,
}

/// A sign-in completed by confirming an enrolment: the token, the account, and the recovery
/// codes (shown once).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnrolledLoginView {
    /// The API token.
    pub token: String,
    /// The account.
    pub user: SessionUser,
    /// The recovery codes.
    pub recovery_codes: Vec<String>,
}

/// 修改口令 — the current password and the new one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    /// The current password.
    pub current: String,
    /// The new one, under the password rule (by default 10 to 128 characters mixing at least
    /// three of lower case, upper case, digits and symbols, not containing the user name, not
    /// a common password); refused with `weak_password`.
    pub new: String,
}

/// 锁定 or 解锁 an account, and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountLockRequest {
    /// `true` to lock (until unlocked), `false` to unlock.
    pub locked: bool,
    /// Why (recorded with the act).
    pub reason: String,
}

/// The account that logged in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionUser {
    /// Account id.
    #[schema(value_type = String, format = Uuid)]
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Role codes (staffing_editor, clerk, reviewer, …), one per grant.
    pub roles: Vec<String>,
}

/// A successful login: a new bearer token and the account.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "token": "qz_5f1c…", "user": { "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c11", "username": "admin", "roles": ["sys_admin"] } }))]
pub struct LoginView {
    /// The API token (shown once; send it as `Authorization: Bearer <token>`).
    pub token: String,
    /// The account.
    pub user: SessionUser,
}

/// A new account (system administrators only).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// Login name.
    pub username: String,
    /// The person's name (kept out of the ledger in clear).
    pub display_name: String,
    /// Initial password. The rule (口令策略, configurable; by default): 10 to 128 characters
    /// mixing at least three of lower case, upper case, digits and symbols, not containing the
    /// user name, not a common password; refused with `weak_password`.
    pub password: String,
    /// Roles, each for one unit or (without `unit`) the whole county.
    pub roles: Vec<RoleRequest>,
}

/// One role grant of a new account.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    /// staffing_editor, clerk, reviewer, leader, justice_reviewer, supervisor, auditor, sys_admin.
    pub role: String,
    /// The unit it applies to; omitted for the whole county.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub unit: Option<UnitId>,
}

/// Regions to add or rename.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "regions": [{ "code": "330603107000", "name": "王坛镇" }] }))]
pub struct RegionsRequest {
    /// The regions.
    pub regions: Vec<RegionRequest>,
}

/// One region to add or rename.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionRequest {
    /// The 12-digit statistical code, e.g. 330603107000.
    pub code: String,
    /// The name, e.g. 王坛镇.
    pub name: String,
}

/// A unit to create or the new state of one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "name": "王坛镇人民政府", "kind": "township", "region": "330603107000", "tags": ["经济发达镇"] }))]
pub struct UnitRequest {
    /// Full name.
    pub name: String,
    /// department, township, subdistrict, office, seconded.
    #[schema(value_type = String)]
    pub kind: UnitKind,
    /// 12-digit statistical code (6 or 9 digits are padded).
    pub region: String,
    /// Unified social credit code, when known.
    pub credit_code: Option<String>,
    /// The unit it belongs to or is seconded from.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub parent: Option<UnitId>,
    /// Tags such as 经济发达镇.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl UnitRequest {
    /// The unit with its codes and tags parsed.
    pub fn parse(self) -> ServiceResult<NewUnit> {
        let tags = self.tags.iter().map(|t| Tag::parse(t)).collect::<Result<BTreeSet<_>, _>>()?;
        Ok(NewUnit {
            name: self.name,
            kind: self.kind,
            region: RegionCode::parse(&self.region)?,
            credit_code: self.credit_code.as_deref().map(CreditCode::parse).transpose()?,
            parent: self.parent,
            tags,
        })
    }
}

/// 行政区划 — a region as the API shows it: code, name, and the level and parent that follow
/// from the code.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "code": "330603107000", "name": "王坛镇", "level": "township", "parent": "330603000000" }))]
pub struct RegionView {
    /// The 12-digit statistical code.
    #[schema(value_type = String)]
    pub code: RegionCode,
    /// The name.
    pub name: String,
    /// province, city, county, township or village.
    #[schema(value_type = String)]
    pub level: RegionLevel,
    /// The parent's code (none for a province).
    #[schema(value_type = Option<String>)]
    pub parent: Option<RegionCode>,
}

page!(
    /// A page of regions, by code.
    RegionPage of RegionView
);

/// 单位 — a unit as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c11", "name": "王坛镇人民政府", "kind": "township", "region": "330603107000", "credit_code": null, "parent": null, "tags": ["经济发达镇"] }))]
pub struct UnitView {
    /// Stable id.
    #[schema(value_type = String, format = Uuid)]
    pub id: UnitId,
    /// Full name.
    pub name: String,
    /// department, township, subdistrict, office or seconded.
    #[schema(value_type = String)]
    pub kind: UnitKind,
    /// The region it serves.
    #[schema(value_type = String)]
    pub region: RegionCode,
    /// Unified social credit code, when known.
    #[schema(value_type = Option<String>)]
    pub credit_code: Option<CreditCode>,
    /// The unit it belongs to or is seconded from.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub parent: Option<UnitId>,
    /// Tags such as 经济发达镇.
    #[schema(value_type = Vec<String>)]
    pub tags: BTreeSet<Tag>,
}

impl From<&Unit> for UnitView {
    fn from(u: &Unit) -> UnitView {
        UnitView {
            id: u.id,
            name: u.name.clone(),
            kind: u.kind,
            region: u.region.clone(),
            credit_code: u.credit_code.clone(),
            parent: u.parent,
            tags: u.tags.clone(),
        }
    }
}

/// A unit in the register, with the number of items it holds today.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c11", "name": "王坛镇人民政府", "kind": "township", "region": "330603107000", "credit_code": null, "parent": null, "tags": [], "items_today": 286 }))]
pub struct UnitSummary {
    /// The unit.
    #[serde(flatten)]
    pub unit: UnitView,
    /// Items it holds today (its lists in force).
    pub items_today: usize,
}

page!(
    /// A page of units, in the register's order.
    UnitPage of UnitSummary
);

/// 权责清单 — a list: a scope and a name.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c12", "name": "某某县市场监督管理局权责清单", "scope": { "kind": "unit", "unit": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c11" } }))]
pub struct ListView {
    /// Stable id.
    #[schema(value_type = String, format = Uuid)]
    pub id: quanze_core::ListId,
    /// Title.
    pub name: String,
    /// `{"kind":"unit","unit":"<id>"}` or `{"kind":"township_template","county":"<code>"}`.
    #[schema(value_type = Object)]
    pub scope: ListScope,
}

impl From<&PowerList> for ListView {
    fn from(l: &PowerList) -> ListView {
        ListView { id: l.id, name: l.name.clone(), scope: l.scope.clone() }
    }
}

/// One unit with the lists that apply to it (its own, or its county's township template).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitDetail {
    /// The unit.
    pub unit: UnitView,
    /// The lists that apply to it.
    pub lists: Vec<ListView>,
}

/// The answer to a unit's creation or update: its id, findings that did not stop the write
/// (a credit code failing its check digit, …), and the ledger leaf.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c11", "warnings": [], "leaf_index": 42 }))]
pub struct UnitReceipt {
    /// The unit.
    #[schema(value_type = String, format = Uuid)]
    pub id: UnitId,
    /// Warnings: `{code, severity, field, message, message_en}`.
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<Issue>,
    /// Index of the ledger leaf of the write.
    pub leaf_index: u64,
}

/// What a unit holds on a date: the total, counts by duty kind (of all) and one page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HoldingsView {
    /// The unit.
    #[schema(value_type = String, format = Uuid)]
    pub unit: UnitId,
    /// The date asked about.
    pub date: NaiveDate,
    /// How many it holds in all.
    pub total: usize,
    /// Offset of the first item.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
    /// Counts by duty kind (own, cooperate, reclaimed) over all it holds.
    pub by_duty: BTreeMap<String, usize>,
    /// The page.
    pub items: Vec<ItemView>,
}

impl Service {
    /// Logs in: a new token and the account.
    pub async fn log_in(
        &self,
        body: &LoginRequest,
        source: Option<std::net::IpAddr>,
    ) -> ServiceResult<LoginView> {
        let login = self.login_from(&body.username, &body.password, source).await?;
        Ok(LoginView { token: login.token, user: session_user(&login.user) })
    }

    /// Completes a sign-in with its second factor: a new token and the account.
    pub async fn log_in_second_factor(
        &self,
        body: &SecondFactorRequest,
        source: Option<std::net::IpAddr>,
    ) -> ServiceResult<LoginView> {
        use crate::second_factor::Proof;
        let proof = match (&body.code, &body.sm2_signature) {
            (Some(code), None) => Proof::Code(code.clone()),
            (None, Some(signature)) => Proof::Sm2Signature(signature.clone()),
            _ => {
                return Err(ServiceError::rejected(
                    crate::ErrorCode::InvalidInput,
                    "请给出动态口令（code）或 SM2 签名（sm2_signature）之一",
                    "give exactly one of code and sm2_signature",
                ));
            }
        };
        let user = self.complete_sign_in(&body.ticket, &proof, source).await?;
        let token = self.issue_token(&user, "login").await?;
        Ok(LoginView { token, user: session_user(&user) })
    }

    /// Confirms the enrolment a sign-in needed: a token, the account and recovery codes.
    pub async fn log_in_enrolled(
        &self,
        ticket: &str,
        code: &str,
        source: Option<std::net::IpAddr>,
    ) -> ServiceResult<EnrolledLoginView> {
        let (user, recovery_codes) = self.confirm_enrolment(ticket, code, source).await?;
        let token = self.issue_token(&user, "login").await?;
        Ok(EnrolledLoginView { token, user: session_user(&user), recovery_codes })
    }

    /// Creates an account (system administrators only): its id and the ledger leaf.
    pub async fn add_user(&self, by: &CurrentUser, new: NewUser) -> ServiceResult<super::Created> {
        let (id, leaf_index) = self.create_user(Some(by), new).await?;
        Ok(super::Created { id: id.as_uuid(), leaf_index })
    }

    /// Adds or renames regions.
    pub async fn add_regions(
        &self,
        by: &CurrentUser,
        regions: Vec<Region>,
    ) -> ServiceResult<Receipt> {
        Ok(Receipt { leaf_index: self.put_regions(Some(by), regions).await? })
    }

    /// A page of the regions, by code.
    pub fn region_page(&self, offset: usize, limit: usize) -> RegionPage {
        let catalog = self.catalog();
        let regions: Vec<_> = catalog.regions.iter().collect();
        RegionPage::of_mapped(regions, offset, limit, |r| RegionView {
            code: r.code.clone(),
            name: r.name.clone(),
            level: r.level(),
            parent: r.parent(),
        })
    }

    /// A page of the units of a kind and with a tag (each optional), with the number of items
    /// each holds today.
    pub fn unit_page(
        &self,
        kind: Option<UnitKind>,
        tag: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> UnitPage {
        let catalog = self.catalog();
        let today = self.today();
        let rows: Vec<_> = catalog
            .units
            .iter()
            .filter(|u| kind.is_none_or(|k| u.kind == k))
            .filter(|u| tag.is_none_or(|t| u.tags.iter().any(|x| x.as_str() == t)))
            .collect();
        UnitPage::of_mapped(rows, offset, limit, |u| UnitSummary {
            unit: UnitView::from(&**u),
            items_today: catalog.holdings.holdings(u.id, today).count(),
        })
    }

    /// One unit with the lists that apply to it.
    pub fn unit_detail(&self, id: UnitId) -> ServiceResult<UnitDetail> {
        let catalog = self.catalog();
        let unit = catalog.unit(id).ok_or_else(|| ServiceError::NotFound(format!("单位 {id}")))?;
        let lists = catalog.lists_for_unit(unit).into_iter().map(ListView::from).collect();
        Ok(UnitDetail { unit: UnitView::from(unit), lists })
    }

    /// Creates a unit.
    pub async fn add_unit(&self, by: &CurrentUser, new: NewUnit) -> ServiceResult<UnitReceipt> {
        let (id, warnings, leaf_index) = self.create_unit(Some(by), new).await?;
        Ok(UnitReceipt { id, warnings, leaf_index })
    }

    /// Changes a unit.
    pub async fn change_unit(
        &self,
        by: &CurrentUser,
        id: UnitId,
        new: NewUnit,
    ) -> ServiceResult<UnitReceipt> {
        let (warnings, leaf_index) = self.update_unit(Some(by), id, new).await?;
        Ok(UnitReceipt { id, warnings, leaf_index })
    }

    /// What a unit holds on `date` (default today): counts by duty kind and one page.
    pub fn holdings_page(
        &self,
        unit: UnitId,
        date: Option<NaiveDate>,
        offset: usize,
        limit: usize,
    ) -> ServiceResult<HoldingsView> {
        let date = date.unwrap_or_else(|| self.today());
        let items = self.holdings(unit, date)?;
        let by_duty = super::DutyTally::of(items.iter().map(|v| v.duty)).by_code();
        let page = crate::lists::Page::of(items, offset, limit);
        Ok(HoldingsView {
            unit,
            date,
            total: page.total,
            offset,
            limit,
            by_duty,
            items: page.items,
        })
    }
}

/// The account as a sign-in's answer shows it.
fn session_user(user: &CurrentUser) -> SessionUser {
    SessionUser {
        id: user.id,
        username: user.username.as_str().to_owned(),
        roles: user.roles.iter().map(|g| g.role.code().to_owned()).collect(),
    }
}
