//! Database rows and their conversion into domain values.
//!
//! Every column holds a portable type (text or a 64-bit integer), so one row type serves both
//! backends. A value that fails to parse back into the domain is reported as
//! [`StoreError::Corrupt`] naming the table and key, never silently dropped.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use quanze_core::changeset::{Change, ProposedChange};
use quanze_core::{
    CreditCode, DocNo, DutyKind, Event, ItemContent, ItemId, ListEntry, ListId, ListScope,
    ListVersionId, Override, OverrideChange, OverrideTarget, PowerItem, PowerList, Region,
    RegionCode, RegionLevel, Role, RoleAssignment, Tag, Unit, UnitId, UnitKind, UserId, Username,
    VersionStatus,
};

use crate::{StoreError, UserRecord};

/// Builds the `Corrupt` error for one column of one row.
fn corrupt(table: &str, key: &str, column: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{table} {key}: column {column}: {detail}"))
}

/// Parses an id column.
fn parse_id<T: FromStr>(table: &str, key: &str, column: &str, raw: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    raw.parse().map_err(|e| corrupt(table, key, column, e))
}

fn parse_opt_id<T: FromStr>(
    table: &str,
    key: &str,
    column: &str,
    raw: Option<&str>,
) -> Result<Option<T>, StoreError>
where
    T::Err: std::fmt::Display,
{
    raw.map(|raw| parse_id(table, key, column, raw)).transpose()
}

fn parse_u32(table: &str, key: &str, column: &str, raw: i64) -> Result<u32, StoreError> {
    u32::try_from(raw).map_err(|e| corrupt(table, key, column, e))
}

fn parse_date(
    table: &str,
    key: &str,
    column: &str,
    raw: Option<&str>,
) -> Result<Option<NaiveDate>, StoreError> {
    raw.map(|raw| {
        NaiveDate::parse_from_str(raw, DATE_FORMAT).map_err(|e| corrupt(table, key, column, e))
    })
    .transpose()
}

fn parse_instant(
    table: &str,
    key: &str,
    column: &str,
    raw: &str,
) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| corrupt(table, key, column, e))
}

/// How dates are stored: ISO 8601, which sorts as text in date order on both backends.
pub(crate) const DATE_FORMAT: &str = "%Y-%m-%d";

/// `n` numbered placeholders from `$first` on, comma-separated: the values of an `IN (…)`.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// A date as stored.
pub(crate) fn date_text(date: NaiveDate) -> String {
    date.format(DATE_FORMAT).to_string()
}

/// An instant as stored: RFC 3339 in UTC with nanoseconds, fixed width and lossless.
pub(crate) fn instant_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// The stored name of a unit kind.
pub(crate) fn unit_kind_code(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Department => "department",
        UnitKind::Township => "township",
        UnitKind::Subdistrict => "subdistrict",
        UnitKind::Office => "office",
        UnitKind::Seconded => "seconded",
    }
}

fn parse_unit_kind(raw: &str) -> Option<UnitKind> {
    [
        UnitKind::Department,
        UnitKind::Township,
        UnitKind::Subdistrict,
        UnitKind::Office,
        UnitKind::Seconded,
    ]
    .into_iter()
    .find(|kind| unit_kind_code(*kind) == raw)
}

/// The stored name of a region level.
pub(crate) fn region_level_code(level: RegionLevel) -> &'static str {
    match level {
        RegionLevel::Province => "province",
        RegionLevel::City => "city",
        RegionLevel::County => "county",
        RegionLevel::Township => "township",
        RegionLevel::Village => "village",
    }
}

/// The stored name of a version status.
pub(crate) fn status_code(status: VersionStatus) -> &'static str {
    match status {
        VersionStatus::Draft => "draft",
        VersionStatus::Published => "published",
        VersionStatus::Superseded => "superseded",
    }
}

fn parse_status(raw: &str) -> Option<VersionStatus> {
    [VersionStatus::Draft, VersionStatus::Published, VersionStatus::Superseded]
        .into_iter()
        .find(|status| status_code(*status) == raw)
}

/// Rebuilds a duty kind from its stored code and counterpart.
fn parse_duty(
    table: &str,
    key: &str,
    code: &str,
    counterpart: Option<&str>,
) -> Result<DutyKind, StoreError> {
    let counterpart: Option<UnitId> = parse_opt_id(table, key, "counterpart", counterpart)?;
    match (code, counterpart) {
        ("own", None) => Ok(DutyKind::Own),
        ("cooperate", Some(lead)) => Ok(DutyKind::Cooperate { lead }),
        ("reclaimed", Some(receiver)) => Ok(DutyKind::Reclaimed { receiver }),
        (code, counterpart) => Err(corrupt(
            table,
            key,
            "duty_kind",
            format!("duty kind {code:?} with counterpart {counterpart:?}"),
        )),
    }
}

/// `regions` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RegionRow {
    pub code: String,
    pub name: String,
}

impl TryFrom<RegionRow> for Region {
    type Error = StoreError;
    fn try_from(row: RegionRow) -> Result<Region, StoreError> {
        let code =
            RegionCode::parse(&row.code).map_err(|e| corrupt("regions", &row.code, "code", e))?;
        Ok(Region { code, name: row.name })
    }
}

/// `laws` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct LawRow {
    pub id: String,
    pub title: String,
    pub level: String,
    pub issuer: String,
    pub in_force_from: String,
    pub in_force_until: Option<String>,
    pub amended_by: Option<String>,
    pub repealed_by: Option<String>,
}

impl TryFrom<LawRow> for quanze_core::Law {
    type Error = StoreError;
    fn try_from(row: LawRow) -> Result<quanze_core::Law, StoreError> {
        let key = row.id.as_str();
        let level = serde_json::from_value(serde_json::Value::String(row.level.clone()))
            .map_err(|e| corrupt("laws", key, "level", e))?;
        Ok(quanze_core::Law {
            id: parse_id("laws", key, "id", key)?,
            title: row.title,
            level,
            issuer: row.issuer,
            in_force_from: parse_date("laws", key, "in_force_from", Some(&row.in_force_from))?
                .ok_or_else(|| corrupt("laws", key, "in_force_from", "missing"))?,
            in_force_until: parse_date(
                "laws",
                key,
                "in_force_until",
                row.in_force_until.as_deref(),
            )?,
            amended_by: parse_opt_id("laws", key, "amended_by", row.amended_by.as_deref())?,
            repealed_by: parse_opt_id("laws", key, "repealed_by", row.repealed_by.as_deref())?,
        })
    }
}

/// `calendar_years` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct CalendarYearRow {
    pub year: i64,
    pub text: String,
    pub working_days: i64,
    pub loaded_by: Option<String>,
    pub loaded_at: String,
}

impl TryFrom<CalendarYearRow> for crate::StoredCalendarYear {
    type Error = StoreError;
    /// Parses the year's text with the core: it must hold exactly its year, with the working
    /// days of its column.
    fn try_from(row: CalendarYearRow) -> Result<crate::StoredCalendarYear, StoreError> {
        const TABLE: &str = "calendar_years";
        let key = row.year.to_string();
        let year = i32::try_from(row.year).map_err(|e| corrupt(TABLE, &key, "year", e))?;
        let calendar = quanze_core::WorkCalendar::parse(&row.text)
            .map_err(|e| corrupt(TABLE, &key, "text", e))?;
        if calendar.years().collect::<Vec<_>>() != [year] {
            return Err(corrupt(TABLE, &key, "text", "does not hold exactly its year"));
        }
        let working_days = calendar.working_days_in(year).unwrap_or_default();
        if i64::try_from(working_days).ok() != Some(row.working_days) {
            return Err(corrupt(
                TABLE,
                &key,
                "working_days",
                format!("{} stored, the text gives {working_days}", row.working_days),
            ));
        }
        Ok(crate::StoredCalendarYear {
            year,
            calendar,
            loaded_by: parse_opt_id(TABLE, &key, "loaded_by", row.loaded_by.as_deref())?,
            loaded_at: parse_instant(TABLE, &key, "loaded_at", &row.loaded_at)?,
        })
    }
}

/// `units` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UnitRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub region: String,
    pub credit_code: Option<String>,
    pub parent: Option<String>,
    pub tags: String,
}

impl TryFrom<UnitRow> for Unit {
    type Error = StoreError;
    fn try_from(row: UnitRow) -> Result<Unit, StoreError> {
        let key = row.id.as_str();
        let tags: BTreeSet<Tag> =
            serde_json::from_str(&row.tags).map_err(|e| corrupt("units", key, "tags", e))?;
        Ok(Unit {
            id: parse_id("units", key, "id", key)?,
            kind: parse_unit_kind(&row.kind).ok_or_else(|| {
                corrupt("units", key, "kind", format!("unknown kind {:?}", row.kind))
            })?,
            region: RegionCode::parse(&row.region)
                .map_err(|e| corrupt("units", key, "region", e))?,
            credit_code: row
                .credit_code
                .as_deref()
                .map(CreditCode::parse)
                .transpose()
                .map_err(|e| corrupt("units", key, "credit_code", e))?,
            parent: parse_opt_id("units", key, "parent", row.parent.as_deref())?,
            tags,
            name: row.name,
        })
    }
}

/// `lists` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ListRow {
    pub id: String,
    pub name: String,
    pub scope_kind: String,
    pub scope_unit: Option<String>,
    pub scope_county: Option<String>,
}

impl TryFrom<ListRow> for PowerList {
    type Error = StoreError;
    fn try_from(row: ListRow) -> Result<PowerList, StoreError> {
        let key = row.id.as_str();
        let scope = match (row.scope_kind.as_str(), &row.scope_unit, &row.scope_county) {
            ("unit", Some(unit), None) => {
                ListScope::Unit { unit: parse_id("lists", key, "scope_unit", unit)? }
            }
            ("township_template", None, Some(county)) => ListScope::TownshipTemplate {
                county: RegionCode::parse(county)
                    .map_err(|e| corrupt("lists", key, "scope_county", e))?,
            },
            (kind, unit, county) => {
                return Err(corrupt(
                    "lists",
                    key,
                    "scope_kind",
                    format!("scope {kind:?} with unit {unit:?} and county {county:?}"),
                ));
            }
        };
        Ok(PowerList { id: parse_id("lists", key, "id", key)?, name: row.name, scope })
    }
}

/// The scope columns of a list: (kind, unit, county).
pub(crate) fn scope_columns(scope: &ListScope) -> (&'static str, Option<String>, Option<String>) {
    match scope {
        ListScope::Unit { unit } => ("unit", Some(unit.to_string()), None),
        ListScope::TownshipTemplate { county } => {
            ("township_template", None, Some(county.to_string()))
        }
    }
}

/// `list_versions` row; entries and overrides are loaded separately and attached.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct VersionRow {
    pub id: String,
    pub list_id: String,
    pub number: i64,
    pub status: String,
    pub effective_from: Option<String>,
    pub effective_until: Option<String>,
    pub doc_no: Option<String>,
}

impl TryFrom<VersionRow> for quanze_core::ListVersion {
    type Error = StoreError;
    fn try_from(row: VersionRow) -> Result<quanze_core::ListVersion, StoreError> {
        let table = "list_versions";
        let key = row.id.as_str();
        Ok(quanze_core::ListVersion {
            id: parse_id(table, key, "id", key)?,
            list: parse_id::<ListId>(table, key, "list_id", &row.list_id)?,
            number: parse_u32(table, key, "number", row.number)?,
            status: parse_status(&row.status).ok_or_else(|| {
                corrupt(table, key, "status", format!("unknown status {:?}", row.status))
            })?,
            effective_from: parse_date(
                table,
                key,
                "effective_from",
                row.effective_from.as_deref(),
            )?,
            effective_until: parse_date(
                table,
                key,
                "effective_until",
                row.effective_until.as_deref(),
            )?,
            doc_no: row
                .doc_no
                .as_deref()
                .map(DocNo::parse)
                .transpose()
                .map_err(|e| corrupt(table, key, "doc_no", e))?,
            entries: Vec::new(),
            overrides: Vec::new(),
        })
    }
}

/// `list_entries` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EntryRow {
    pub version_id: String,
    pub item_id: String,
    pub item_version: i64,
    pub duty_kind: String,
    pub counterpart: Option<String>,
}

impl TryFrom<EntryRow> for (ListVersionId, ListEntry) {
    type Error = StoreError;
    fn try_from(row: EntryRow) -> Result<(ListVersionId, ListEntry), StoreError> {
        let table = "list_entries";
        let key = format!("{}/{}", row.version_id, row.item_id);
        let version = parse_id(table, &key, "version_id", &row.version_id)?;
        let entry = ListEntry {
            item: parse_id(table, &key, "item_id", &row.item_id)?,
            item_version: parse_u32(table, &key, "item_version", row.item_version)?,
            duty: parse_duty(table, &key, &row.duty_kind, row.counterpart.as_deref())?,
        };
        Ok((version, entry))
    }
}

/// `list_overrides` row: target and change flattened into columns, so that the referenced unit
/// and item version are real foreign keys.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct OverrideRow {
    pub version_id: String,
    pub position: i64,
    pub target_kind: String,
    pub target_tag: Option<String>,
    pub target_unit: Option<String>,
    pub change_kind: String,
    pub item_id: String,
    pub item_version: Option<i64>,
    pub duty_kind: Option<String>,
    pub counterpart: Option<String>,
    pub reason: String,
}

impl TryFrom<OverrideRow> for (ListVersionId, Override) {
    type Error = StoreError;
    fn try_from(row: OverrideRow) -> Result<(ListVersionId, Override), StoreError> {
        let table = "list_overrides";
        let key = format!("{}#{}", row.version_id, row.position);
        let key = key.as_str();
        let version = parse_id(table, key, "version_id", &row.version_id)?;
        let target = match (row.target_kind.as_str(), &row.target_tag, &row.target_unit) {
            ("tag", Some(tag), None) => OverrideTarget::Tag {
                tag: Tag::parse(tag).map_err(|e| corrupt(table, key, "target_tag", e))?,
            },
            ("town", None, Some(unit)) => {
                OverrideTarget::Town { unit: parse_id(table, key, "target_unit", unit)? }
            }
            (kind, tag, unit) => {
                return Err(corrupt(
                    table,
                    key,
                    "target_kind",
                    format!("target {kind:?} with tag {tag:?} and unit {unit:?}"),
                ));
            }
        };
        let item: ItemId = parse_id(table, key, "item_id", &row.item_id)?;
        let change = match (row.change_kind.as_str(), row.item_version, &row.duty_kind) {
            ("add", Some(item_version), Some(duty)) => OverrideChange::Add {
                entry: ListEntry {
                    item,
                    item_version: parse_u32(table, key, "item_version", item_version)?,
                    duty: parse_duty(table, key, duty, row.counterpart.as_deref())?,
                },
            },
            ("remove", None, None) => OverrideChange::Remove { item },
            (kind, item_version, duty) => {
                return Err(corrupt(
                    table,
                    key,
                    "change_kind",
                    format!("change {kind:?} with item version {item_version:?} and duty {duty:?}"),
                ));
            }
        };
        Ok((version, Override { target, change, reason: row.reason }))
    }
}

/// The flattened columns of an override, in insertion order after `version_id, position`.
pub(crate) struct OverrideColumns {
    pub target_kind: &'static str,
    pub target_tag: Option<String>,
    pub target_unit: Option<String>,
    pub change_kind: &'static str,
    pub item_id: String,
    pub item_version: Option<i64>,
    pub duty_kind: Option<&'static str>,
    pub counterpart: Option<String>,
}

impl From<&Override> for OverrideColumns {
    fn from(o: &Override) -> OverrideColumns {
        let (target_kind, target_tag, target_unit) = match &o.target {
            OverrideTarget::Tag { tag } => ("tag", Some(tag.as_str().to_owned()), None),
            OverrideTarget::Town { unit } => ("town", None, Some(unit.to_string())),
        };
        let (change_kind, item_id, item_version, duty_kind, counterpart) = match &o.change {
            OverrideChange::Add { entry } => (
                "add",
                entry.item.to_string(),
                Some(i64::from(entry.item_version)),
                Some(entry.duty.code()),
                entry.duty.counterpart().map(|u| u.to_string()),
            ),
            OverrideChange::Remove { item } => ("remove", item.to_string(), None, None, None),
        };
        OverrideColumns {
            target_kind,
            target_tag,
            target_unit,
            change_kind,
            item_id,
            item_version,
            duty_kind,
            counterpart,
        }
    }
}

/// `item_versions` row (only the columns needed to rebuild the item).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ItemVersionRow {
    pub item_id: String,
    pub number: i64,
    pub content: String,
}

impl TryFrom<ItemVersionRow> for PowerItem {
    type Error = StoreError;
    fn try_from(row: ItemVersionRow) -> Result<PowerItem, StoreError> {
        let table = "item_versions";
        let key = format!("{} v{}", row.item_id, row.number);
        let content: ItemContent =
            serde_json::from_str(&row.content).map_err(|e| corrupt(table, &key, "content", e))?;
        Ok(PowerItem {
            id: parse_id(table, &key, "item_id", &row.item_id)?,
            version: parse_u32(table, &key, "number", row.number)?,
            content,
        })
    }
}

/// `users` row; roles are attached from `user_roles`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
}

/// `user_roles` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RoleRow {
    pub role: String,
    pub unit_id: Option<String>,
}

impl UserRow {
    /// Builds the record with the user's roles (in stored order).
    pub(crate) fn into_record(self, roles: Vec<RoleRow>) -> Result<UserRecord, StoreError> {
        let table = "users";
        let key = self.id.as_str();
        let roles = roles
            .into_iter()
            .map(|row| {
                let role = Role::parse(&row.role).ok_or_else(|| {
                    corrupt("user_roles", key, "role", format!("unknown role {:?}", row.role))
                })?;
                let unit = parse_opt_id("user_roles", key, "unit_id", row.unit_id.as_deref())?;
                Ok(RoleAssignment { role, unit })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(UserRecord {
            id: parse_id::<UserId>(table, key, "id", key)?,
            username: Username::parse(&self.username)
                .map_err(|e| corrupt(table, key, "username", e))?,
            display_name: self.display_name,
            password_hash: self.password_hash,
            roles,
            failed_logins: parse_u32(table, key, "failed_logins", self.failed_logins)?,
            locked_until: self
                .locked_until
                .as_deref()
                .map(|raw| parse_instant(table, key, "locked_until", raw))
                .transpose()?,
        })
    }
}

/// `events` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EventRow {
    pub seq: i64,
    pub at: String,
    pub actor: Option<String>,
    pub unit: Option<String>,
    pub kind: String,
    pub subject: String,
    pub payload: String,
    pub commitment: Option<String>,
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;
    fn try_from(row: EventRow) -> Result<Event, StoreError> {
        let table = "events";
        let key = row.seq.to_string();
        let key = key.as_str();
        Ok(Event {
            seq: u64::try_from(row.seq).map_err(|e| corrupt(table, key, "seq", e))?,
            at: parse_instant(table, key, "at", &row.at)?,
            actor: parse_opt_id(table, key, "actor", row.actor.as_deref())?,
            unit: parse_opt_id(table, key, "unit", row.unit.as_deref())?,
            kind: row.kind,
            subject: row.subject,
            payload: serde_json::from_str(&row.payload)
                .map_err(|e| corrupt(table, key, "payload", e))?,
            commitment: row.commitment,
        })
    }
}

/// `change_set_changes` row: one proposed change, its new content as the item content's JSON.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ChangeRow {
    pub position: i64,
    pub list_id: String,
    pub item_id: String,
    pub action: String,
    pub base: Option<i64>,
    pub duty_kind: Option<String>,
    pub counterpart: Option<String>,
    pub reason: String,
    pub basis: String,
    pub content: Option<String>,
}

/// The columns of one proposed change for an insert (reason and basis borrowed).
pub(crate) struct ChangeColumns<'a> {
    pub position: i64,
    pub list_id: String,
    pub item_id: String,
    pub action: &'static str,
    pub base: Option<i64>,
    pub duty_kind: Option<&'static str>,
    pub counterpart: Option<String>,
    pub reason: &'a str,
    pub basis: &'a str,
    pub content: Option<String>,
}

impl<'a> ChangeColumns<'a> {
    /// The columns of the change at `position`; the content is serialised here.
    pub fn of(position: usize, c: &'a ProposedChange) -> Result<ChangeColumns<'a>, StoreError> {
        let json = |content: &ItemContent| {
            serde_json::to_string(content)
                .map_err(|e| StoreError::Corrupt(format!("item content does not serialise: {e}")))
        };
        let (action, base, duty, content) = match &c.change {
            Change::Add { duty, content, .. } => ("add", None, Some(*duty), Some(json(content)?)),
            Change::Amend { base, content, .. } => {
                ("amend", Some(i64::from(*base)), None, Some(json(content)?))
            }
            Change::Remove { base, .. } => ("remove", Some(i64::from(*base)), None, None),
        };
        Ok(ChangeColumns {
            position: position as i64,
            list_id: c.list.to_string(),
            item_id: c.item().to_string(),
            action,
            base,
            duty_kind: duty.map(|d| d.code()),
            counterpart: duty.and_then(|d| d.counterpart()).map(|u| u.to_string()),
            reason: &c.reason,
            basis: &c.basis,
            content,
        })
    }
}

impl ChangeRow {
    /// The proposed change; `set` names the change set in errors.
    pub fn into_change(self, set: &str) -> Result<ProposedChange, StoreError> {
        let table = "change_set_changes";
        let key = format!("{set}/{}", self.position);
        let item: ItemId = parse_id(table, &key, "item_id", &self.item_id)?;
        let content = |raw: Option<String>| -> Result<ItemContent, StoreError> {
            let raw = raw.ok_or_else(|| corrupt(table, &key, "content", "missing"))?;
            serde_json::from_str(&raw).map_err(|e| corrupt(table, &key, "content", e))
        };
        let base = |raw: Option<i64>| -> Result<u32, StoreError> {
            parse_u32(
                table,
                &key,
                "base",
                raw.ok_or_else(|| corrupt(table, &key, "base", "missing"))?,
            )
        };
        let change = match self.action.as_str() {
            "add" => Change::Add {
                item,
                duty: parse_duty(
                    table,
                    &key,
                    self.duty_kind
                        .as_deref()
                        .ok_or_else(|| corrupt(table, &key, "duty_kind", "missing"))?,
                    self.counterpart.as_deref(),
                )?,
                content: content(self.content)?,
            },
            "amend" => {
                Change::Amend { item, base: base(self.base)?, content: content(self.content)? }
            }
            "remove" => Change::Remove { item, base: base(self.base)? },
            other => {
                return Err(corrupt(table, &key, "action", format!("unknown action {other:?}")));
            }
        };
        Ok(ProposedChange {
            list: parse_id(table, &key, "list_id", &self.list_id)?,
            change,
            reason: self.reason,
            basis: self.basis,
        })
    }
}

/// A core value as a stored JSON document.
pub(crate) fn document<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    // Room for a case's document up front: growing the buffer from empty cost a case step
    // more than the serialising itself.
    let mut out = Vec::with_capacity(2048);
    serde_json::to_writer(&mut out, value)
        .map_err(|e| StoreError::Corrupt(format!("a document does not serialise: {e}")))?;
    String::from_utf8(out).map_err(|e| StoreError::Corrupt(format!("a document: {e}")))
}

/// Stored JSON documents back as core values; `what` names them in the error.
pub(crate) fn documents<T: serde::de::DeserializeOwned>(
    what: &str,
    rows: Vec<(String,)>,
) -> Result<Vec<T>, StoreError> {
    rows.into_iter()
        .map(|(doc,)| {
            serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
        })
        .collect()
}
