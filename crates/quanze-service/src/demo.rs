//! Loads the generated demo county through the ordinary use cases, so every demo row has its
//! event like any other write, and creates one demo account per role.

use std::collections::{HashMap, HashSet};

use quanze_core::{ItemId, Role, RoleAssignment, Username, VersionStatus};
use quanze_store::DraftWrite;

use crate::Service;

mod cases;
mod governance;
mod grants;
use crate::auth::NewUser;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

/// The first power a department of the loaded county lists itself (its published list) that
/// `keep` accepts, given the department, the item and its content: what the benches and tests
/// of the case service and of devolution pick their power with. `None` when there is none.
pub fn department_power(
    catalog: &crate::catalog::Catalog,
    keep: impl Fn(quanze_core::UnitId, ItemId, &quanze_core::ItemContent) -> bool,
) -> Option<(quanze_core::UnitId, ItemId)> {
    use quanze_core::{ListScope, UnitKind};
    catalog
        .lists
        .iter()
        .filter_map(|l| match l.scope {
            ListScope::Unit { unit } => Some((unit, catalog.latest_version(l.id)?)),
            ListScope::TownshipTemplate { .. } => None,
        })
        .filter(|(u, v)| {
            v.status == VersionStatus::Published
                && catalog.unit(*u).is_some_and(|u| u.kind == UnitKind::Department)
        })
        .find_map(|(u, v)| {
            v.entries
                .iter()
                .find(|e| catalog.content(e).is_some_and(|c| keep(u, e.item, c)))
                .map(|e| (u, e.item))
        })
}

/// A licensing power (许可) that a department of the loaded county lists itself and decides
/// on `on`, on any working day (not on set session days, 定期审批): what the benches and tests
/// of the case service apply for. `None` when no department has one.
pub fn department_licence(
    catalog: &crate::catalog::Catalog,
    on: chrono::NaiveDate,
) -> Option<(quanze_core::UnitId, ItemId)> {
    department_power(catalog, |unit, item, c| everyday_licence(catalog, unit, item, c, on))
}

/// Whether `item` (its content `c`) is a licensing power that `unit` decides on `on`, on any
/// working day (not on set session days, 定期审批): what the case benches apply for.
pub fn everyday_licence(
    catalog: &crate::catalog::Catalog,
    unit: quanze_core::UnitId,
    item: ItemId,
    c: &quanze_core::ItemContent,
    on: chrono::NaiveDate,
) -> bool {
    c.category == quanze_core::PowerCategory::Licensing
        && c.service.as_ref().is_none_or(|s| s.sessions.is_none())
        && catalog.authority.holds(unit, item, on).is_some_and(|a| a.exercise.decides())
}

/// The password of every demo account (meets the complexity rule; printed by `quanze demo`).
pub const DEMO_PASSWORD: &str = "Quanze#2026";

/// The TOTP secret of the demo's administrator accounts (those whose role requires a second
/// factor), printed by `quanze demo`: add it to an authenticator app to sign in as them.
pub const DEMO_TOTP_SECRET: &str = "QUANZEDEMOQUANZEDEMOQUANZEDEMO23";

/// One demo account: login name and role.
pub const DEMO_ACCOUNTS: [(&str, Role, &str); 9] = [
    ("editor", Role::StaffingEditor, "编办编辑（演示）"),
    ("clerk", Role::Clerk, "经办人（演示）"),
    ("reviewer", Role::Reviewer, "审核人（演示）"),
    ("leader", Role::Leader, "领导（演示）"),
    ("justice", Role::JusticeReviewer, "司法局审查人（演示）"),
    ("supervisor", Role::Supervisor, "监督员（演示）"),
    ("auditor", Role::Auditor, "审计管理员（演示）"),
    ("security", Role::SecurityAdmin, "安全管理员（演示）"),
    ("admin", Role::SysAdmin, "系统管理员（演示）"),
];

/// What loading the demo did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoLoad {
    /// The database already held data; nothing was written.
    Reused,
    /// The demo county was written.
    Loaded {
        /// Units written.
        units: usize,
        /// Item versions written.
        items: usize,
        /// Cases written (none without a personal-data key).
        cases: usize,
    },
}

impl Service {
    /// Loads the demo county generated from `seed`, unless the database already holds it.
    /// The load is many transactions with the accounts written last, so a database with
    /// units but without the last demo account is a load that was cut off: it is refused
    /// with what to do, never served half-made.
    pub async fn load_demo(&self, seed: u64) -> ServiceResult<DemoLoad> {
        if !self.catalog().units.is_empty() {
            let (last, _, _) = DEMO_ACCOUNTS[DEMO_ACCOUNTS.len() - 1];
            if self.store.user_by_name(&Username::parse(last)?).await?.is_some() {
                return Ok(DemoLoad::Reused);
            }
            return Err(ServiceError::rejected(
                ErrorCode::DemoIncomplete,
                "演示数据不完整（上次生成被中断）：请删除数据目录后重新运行 quanze demo",
                "the demo data is incomplete (an earlier load was cut off): delete the data directory and run quanze demo again",
            ));
        }
        // The demo is a dated history (lists from 2024, grants from 2025, a change set in
        // 2026): it is written by a second service over the same store whose clock moves
        // through those days, so the ledger's times run forward with the history.
        let start = chrono::NaiveDate::from_ymd_opt(2024, 2, 1).expect("a valid date");
        let clock = std::sync::Arc::new(governance::HistoryClock::starting(start));
        let replay = Service::new(self.store.clone(), clock.clone(), self.config.clone()).await?;
        let loaded = replay.load_demo_history(seed, &clock, self.clock.now()).await?;
        self.reload().await?;
        Ok(loaded)
    }

    async fn load_demo_history(
        &self,
        seed: u64,
        clock: &governance::HistoryClock,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ServiceResult<DemoLoad> {
        let county = quanze_demo::demo_county(seed);
        self.put_regions(None, county.regions.clone()).await?;
        // Units go in parent-first order so every parent exists when its child is written.
        let mut pending = county.units.clone();
        let mut written: HashSet<quanze_core::UnitId> = HashSet::new();
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for unit in pending {
                if unit.parent.is_none_or(|p| written.contains(&p)) {
                    let ev = self.event(
                        None,
                        Some(unit.id),
                        "unit.created",
                        format!("unit:{}", unit.id),
                        serde_json::to_value(&unit).unwrap_or_default(),
                    );
                    self.store.create_unit(&unit, ev).await?;
                    written.insert(unit.id);
                } else {
                    rest.push(unit);
                }
            }
            if rest.len() == before {
                return Err(ServiceError::Internal("demo units have a parent cycle".into()));
            }
            pending = rest;
        }
        for list in &county.lists {
            let ev = self.event(
                None,
                None,
                "list.created",
                format!("list:{}", list.id),
                serde_json::to_value(list).unwrap_or_default(),
            );
            self.store.create_list(list, ev).await?;
        }
        // The drafts below are checked against the units and lists just written and the laws
        // their items cite.
        self.reload().await?;
        self.load_demo_laws().await?;
        let items: HashMap<(ItemId, u32), &quanze_core::PowerItem> =
            county.items.iter().map(|i| ((i.id, i.version), i)).collect();
        let mut stored: HashSet<(ItemId, u32)> = HashSet::new();
        let mut versions = county.versions.clone();
        versions.sort_by_key(|v| (v.effective_from.is_none(), v.effective_from, v.number));
        for v in versions {
            let mut draft = v.clone();
            draft.status = VersionStatus::Draft;
            draft.effective_from = None;
            draft.effective_until = None;
            draft.doc_no = None;
            let override_entries = v.overrides.iter().filter_map(|o| match &o.change {
                quanze_core::OverrideChange::Add { entry } => Some(*entry),
                quanze_core::OverrideChange::Remove { .. } => None,
            });
            let mut new_items = Vec::new();
            for e in v.entries.iter().copied().chain(override_entries) {
                let key = (e.item, e.item_version);
                if stored.insert(key) {
                    let item = items.get(&key).ok_or_else(|| {
                        ServiceError::Internal(format!("demo item {key:?} missing"))
                    })?;
                    new_items.push((*item).clone());
                }
            }
            // Through the use case, so a demo draft passes what any draft passes: the rank of
            // its laws (设定权), the units of its periods, and a template's declared
            // differences checked by `check_overrides`.
            self.save_draft(None, DraftWrite { version: draft, new_items }).await?;
            if let (Some(from), Some(doc_no)) = (v.effective_from, v.doc_no.clone())
                && v.status != VersionStatus::Draft
            {
                let ev = self.event(
                    None,
                    None,
                    "list.version.published",
                    format!("list_version:{}", v.id),
                    serde_json::json!({ "list": v.list, "number": v.number, "effective": from, "doc_no": doc_no.as_str() }),
                );
                self.store.publish(v.id, from, &doc_no, ev).await?;
            }
        }
        self.reload().await?;
        // Every account but the last, then the governance history and the year of cases (done
        // by those accounts), then the last account: its presence marks a complete load.
        let (last, rest) = DEMO_ACCOUNTS.split_last().expect("there are demo accounts");
        let mut cases = 0;
        for (name, role, display) in rest.iter().chain([last]) {
            if name == &last.0 {
                governance::load(self, clock).await?;
                cases = cases::load(self, seed, now).await?;
            }
            let new = NewUser {
                username: Username::parse(name)?,
                display_name: (*display).to_owned(),
                password: DEMO_PASSWORD.to_owned(),
                roles: vec![RoleAssignment { role: *role, unit: None }],
            };
            let (id, _) = self.create_user(None, new).await?;
            let roles = [RoleAssignment { role: *role, unit: None }];
            if self.config.second_factor.requires(&roles)
                && self.config.cases.personal_key.is_some()
            {
                let secret = crate::second_factor::TotpSecret::from_base32(DEMO_TOTP_SECRET)
                    .expect("the demo secret is 20 bytes of base32");
                self.enrol_known_totp(id, &secret).await?;
            }
        }
        Ok(DemoLoad::Loaded { units: county.units.len(), items: county.items.len(), cases })
    }

    /// The law registry of the demo: every law its items cite, and the 1996 edition of the
    /// 行政处罚法 that the 2021 revision replaced, so that the registry shows an amendment and
    /// its impact report (every penalty item citing the law) has real content.
    async fn load_demo_laws(&self) -> ServiceResult<()> {
        use crate::laws::{Ending, NewLaw};
        use quanze_core::LawLevel;
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
        let older = self
            .register_law(
                None,
                NewLaw {
                    title: quanze_demo::data::PENALTY_LAW.to_owned(),
                    level: LawLevel::Law,
                    issuer: "全国人民代表大会".to_owned(),
                    in_force_from: day(1996, 10, 1),
                },
            )
            .await?
            .0;
        let mut revision = None;
        for (title, edition) in quanze_demo::data::LAWS {
            let (level, issuer) = quanze_demo::data::law_rank(title);
            // The edition's year (the demo does not know each law's exact date of force),
            // except the 行政处罚法 revision: in force from 2021-07-15.
            let year: i32 = edition.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2020);
            let penalty = *title == quanze_demo::data::PENALTY_LAW;
            let from = if penalty { day(2021, 7, 15) } else { day(year, 1, 1) };
            let new = NewLaw {
                title: (*title).to_owned(),
                level,
                issuer: issuer.to_owned(),
                in_force_from: from,
            };
            let (id, _) = self.register_law(None, new).await?;
            if penalty {
                revision = Some(id);
            }
        }
        self.end_law(None, older, Ending::Amended, day(2021, 7, 15), revision).await?;
        Ok(())
    }
}
