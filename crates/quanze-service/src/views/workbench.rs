//! 工作台 — what the staff's pages show: who is signed in with what roles, and a unit's open
//! cases, the overdue first, then those running short of time, then the rest, each group by
//! its deadline. The web crate only renders these.

use quanze_core::access::Act;
use quanze_core::{Role, UnitId};

use crate::views::cases::{CaseLine, CasePage};
use crate::{CurrentUser, Service, ServiceResult};

/// A role of the signed-in account, as the page names it.
#[derive(Debug, Clone)]
pub struct RoleLine {
    /// 办事员, 审核人, …
    pub role: &'static str,
    /// The unit it is held for, or 全县.
    pub unit: String,
}

/// 我的工作台 — the signed-in account and what it may open.
#[derive(Debug, Clone)]
pub struct Desk {
    /// The login name.
    pub username: String,
    /// Its roles.
    pub roles: Vec<RoleLine>,
    /// The units whose cases it handles (id, name).
    pub case_units: Vec<(UnitId, String)>,
    /// Whether it may watch every unit's cases (督办).
    pub supervises: bool,
    /// Whether it may draft and steer list revisions.
    pub edits_lists: bool,
    /// Whether it takes part in list revisions (drafts, replies, reviews, countersigns or
    /// approves): the change sets' pages.
    pub revises_lists: bool,
    /// Whether it takes part in devolution (grants, readiness, overrides): the grants' pages.
    pub devolves: bool,
    /// Whether it keeps the law registry or revises lists (the registry's pages).
    pub keeps_laws: bool,
}

/// 办件收件箱 — a unit's open cases by urgency.
#[derive(Debug, Clone)]
pub struct Inbox {
    /// The unit (id, name).
    pub unit: (UnitId, String),
    /// Overdue (红), by deadline.
    pub red: Vec<CaseLine>,
    /// Running short (黄), by deadline.
    pub yellow: Vec<CaseLine>,
    /// The others, by deadline.
    pub green: Vec<CaseLine>,
    /// Open cases in all.
    pub total: u64,
}

/// Whether one of `by`'s roles, for whichever unit, may perform one of `acts`.
fn takes_part(by: &CurrentUser, acts: &[Act]) -> bool {
    acts.iter().any(|act| act.roles().iter().any(|role| by.roles.iter().any(|g| g.role == *role)))
}

/// The most cases of each level an inbox shows.
const INBOX_LEVEL: u32 = 100;

impl Service {
    /// 我的工作台.
    pub fn desk(&self, by: &CurrentUser) -> Desk {
        let catalog = self.catalog();
        let name = |u: UnitId| catalog.unit(u).map_or_else(|| u.to_string(), |u| u.name.clone());
        let roles = by
            .roles
            .iter()
            .map(|r| RoleLine { role: r.role.zh(), unit: r.unit.map_or("全县".to_owned(), name) })
            .collect();
        // A role held county-wide opens every unit's cases; one held for a unit, that unit's.
        // A supervisor (督办) watches every unit's cases, red first.
        let county_wide = by.roles.iter().any(|r| r.unit.is_none())
            && (by.require_act(Act::HandleCase, None).is_ok()
                || by.require_act(Act::SuperviseCases, None).is_ok());
        let mut case_units: Vec<(UnitId, String)> = if county_wide {
            catalog.units.iter().map(|u| (u.id, u.name.clone())).collect()
        } else {
            by.roles
                .iter()
                .filter_map(|r| r.unit)
                .filter(|u| by.require_act(Act::HandleCase, Some(*u)).is_ok())
                .map(|u| (u, name(u)))
                .collect()
        };
        case_units.sort_by(|a, b| a.1.cmp(&b.1));
        case_units.dedup();
        Desk {
            username: by.username.to_string(),
            roles,
            case_units,
            supervises: by.require_act(Act::SuperviseCases, None).is_ok(),
            edits_lists: by.has(Role::StaffingEditor, None),
            keeps_laws: takes_part(by, &[Act::KeepLaws, Act::DraftChangeSet]),
            devolves: takes_part(by, &[Act::Grant, Act::Readiness, Act::ReadinessOverride]),
            revises_lists: takes_part(
                by,
                &[
                    Act::DraftChangeSet,
                    Act::ReplyOpinion,
                    Act::Verdict,
                    Act::Countersign,
                    Act::Approve,
                ],
            ),
        }
    }

    /// 办件收件箱 — `unit`'s open cases: red, then yellow, then the rest, each by deadline
    /// (the 100 that have waited longest of each). For the unit's staff and supervisors only.
    pub async fn inbox(&self, by: &CurrentUser, unit: UnitId) -> ServiceResult<Inbox> {
        let catalog = self.catalog();
        let name = catalog.unit(unit).map_or_else(|| unit.to_string(), |u| u.name.clone());
        let level = |alert: Option<&str>| {
            let alert = alert.map(str::to_owned);
            async move {
                let mut page = self.list_open_cases(by, unit, alert, INBOX_LEVEL).await?;
                page.cases.sort_by_key(|c| c.due);
                ServiceResult::Ok(page)
            }
        };
        let red = level(Some("red")).await?;
        let yellow = level(Some("yellow")).await?;
        let green = level(Some("green")).await?;
        Ok(Inbox {
            unit: (unit, name),
            total: red.total + yellow.total + green.total,
            red: red.cases,
            yellow: yellow.cases,
            green: green.cases,
        })
    }

    async fn list_open_cases(
        &self,
        by: &CurrentUser,
        unit: UnitId,
        alert: Option<String>,
        limit: u32,
    ) -> ServiceResult<CasePage> {
        if by.require_act(Act::HandleCase, Some(unit)).is_err() {
            by.require_act(Act::SuperviseCases, None)?;
        }
        // The cases that have waited longest first: with more than a page of red cases, the
        // most overdue are the ones shown.
        let filter = quanze_store::CaseFilter {
            unit: Some(unit),
            alert,
            open_only: true,
            oldest_first: true,
            ..quanze_store::CaseFilter::default()
        };
        self.case_page(&filter, None, limit).await
    }
}
