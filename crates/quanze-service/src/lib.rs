//! Quanze use cases: the one API boundary that the web layer and the CLI call.
//!
//! Each use case checks who may do it, validates with the domain core, and writes state and
//! its event in one store transaction; reads are answered from the in-memory [`Catalog`],
//! which is rebuilt after every write that changes units or lists. This crate knows nothing
//! about HTTP.

pub mod auth;
pub mod catalog;
pub mod changesets;
pub mod demo;
pub mod devolution;
pub mod error;
pub mod establishment;
pub mod laws;
pub mod ledger;
pub mod lists;
pub mod reports;
pub mod views;

pub use quanze_store::ConnectOptions;

use std::sync::{Arc, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use quanze_core::{ItemId, ListId, ListVersionId, UnitId, UserId, VersionStatus};
use quanze_store::{NewEvent, Store};

pub use auth::{CurrentUser, Login, NewUser};
pub use catalog::{Catalog, ContentRef};
pub use error::{ErrorCode, ServiceError, ServiceResult};

/// Where the time comes from (a fixed clock in tests).
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
    /// Today in China (UTC+8), the date powers and lists are effective on.
    fn today(&self) -> NaiveDate {
        (self.now() + chrono::Duration::hours(8)).date_naive()
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Where new ids come from: UUID v7 (time-ordered) by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ids;

impl Ids {
    fn uuid(&self) -> uuid::Uuid {
        uuid::Uuid::now_v7()
    }
    /// A new unit id.
    pub fn unit(&self) -> UnitId {
        UnitId::from_uuid(self.uuid())
    }
    /// A new item id.
    pub fn item(&self) -> ItemId {
        ItemId::from_uuid(self.uuid())
    }
    /// A new list id.
    pub fn list(&self) -> ListId {
        ListId::from_uuid(self.uuid())
    }
    /// A new list version id.
    pub fn version(&self) -> ListVersionId {
        ListVersionId::from_uuid(self.uuid())
    }
    /// A new law id.
    pub fn law(&self) -> quanze_core::LawId {
        quanze_core::LawId::from_uuid(self.uuid())
    }
    /// A new change set id.
    pub fn change_set(&self) -> quanze_core::ChangeSetId {
        quanze_core::ChangeSetId::from_uuid(self.uuid())
    }
    /// A new opinion or comment id.
    pub fn opinion(&self) -> quanze_core::OpinionId {
        quanze_core::OpinionId::from_uuid(self.uuid())
    }
    /// A new grant id.
    pub fn grant(&self) -> quanze_core::GrantId {
        quanze_core::GrantId::from_uuid(self.uuid())
    }
    /// A new reclaim id.
    pub fn reclaim(&self) -> quanze_core::ReclaimId {
        quanze_core::ReclaimId::from_uuid(self.uuid())
    }
    /// A new user id.
    pub fn user(&self) -> UserId {
        UserId::from_uuid(self.uuid())
    }
}

/// Settings of the use cases.
#[derive(Debug, Clone)]
pub struct Config {
    /// Consecutive failed logins before an account is locked (等保: configurable; default 5).
    pub lockout_threshold: u32,
    /// How long a lock lasts, in minutes.
    pub lockout_minutes: i64,
    /// The largest upload accepted for import, in bytes.
    pub max_upload_bytes: usize,
    /// Checkpoint signing and trusted witnesses.
    pub ledger: ledger::LedgerConfig,
    /// List governance: opinion rounds, staffing limits.
    pub governance: GovernanceConfig,
}

/// Settings of list governance (issue 4).
#[derive(Debug, Clone)]
pub struct GovernanceConfig {
    /// The most opinion rounds a change set may have (三上三下: 3).
    pub max_rounds: u8,
    /// Working days a unit has to reply to a round.
    pub round_working_days: u32,
    /// The most functional bodies (内设机构) a town may have.
    pub max_town_bodies: usize,
}

impl Default for GovernanceConfig {
    fn default() -> GovernanceConfig {
        GovernanceConfig { max_rounds: 3, round_working_days: 10, max_town_bodies: 10 }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            lockout_threshold: 5,
            lockout_minutes: 30,
            max_upload_bytes: 50 * 1024 * 1024,
            ledger: ledger::LedgerConfig::default(),
            governance: GovernanceConfig::default(),
        }
    }
}

/// The use cases, over one store.
pub struct Service {
    store: Arc<dyn Store>,
    catalog: RwLock<Arc<Catalog>>,
    /// Serialises catalogue rebuilds, so a rebuild from an older read never replaces a newer
    /// one (readers are never blocked: they keep the catalogue they got).
    catalog_writes: tokio::sync::Mutex<()>,
    clock: Arc<dyn Clock>,
    ids: Ids,
    config: Config,
    /// The official working-day calendar (deadlines of opinion rounds).
    calendar: quanze_core::WorkCalendar,
    /// Serialises devolution writes, whose checks read the grants already recorded.
    devolution: tokio::sync::Mutex<()>,
    /// Serialises establishment writes, whose checks read the totals already recorded.
    establishment_writes: tokio::sync::Mutex<()>,
    /// Serialises checkpoint signing so two signers never race on the same size.
    signing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("backend", &self.store.backend()).finish_non_exhaustive()
    }
}

impl Service {
    /// Opens the service over a store, loading the catalogue.
    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> ServiceResult<Service> {
        let service = Service {
            store,
            catalog: RwLock::new(Arc::new(Catalog::default())),
            catalog_writes: tokio::sync::Mutex::new(()),
            clock,
            ids: Ids,
            config,
            calendar: quanze_core::WorkCalendar::official(),
            devolution: tokio::sync::Mutex::new(()),
            establishment_writes: tokio::sync::Mutex::new(()),
            signing: tokio::sync::Mutex::new(()),
        };
        service.reload().await?;
        Ok(service)
    }

    /// Connects to a database URL and opens the service with the system clock.
    pub async fn open(url: &str, config: Config) -> ServiceResult<Service> {
        Service::open_with(url, ConnectOptions::default(), config).await
    }

    /// Like [`Service::open`], choosing the ledger's hash if the database is new.
    pub async fn open_with(
        url: &str,
        options: ConnectOptions,
        config: Config,
    ) -> ServiceResult<Service> {
        let store = quanze_store::connect_with(url, options).await?;
        Service::new(store, Arc::new(SystemClock), config).await
    }

    /// The current catalogue (cheap to clone; readers keep the one they got).
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.read().expect("catalogue lock is never poisoned: no panics while held").clone()
    }

    /// Rebuilds the catalogue from the store.
    pub async fn reload(&self) -> ServiceResult<()> {
        let _one_writer = self.catalog_writes.lock().await;
        let snapshot = self.store.snapshot().await?;
        let catalog = Arc::new(Catalog::build(snapshot));
        *self.catalog.write().expect("catalogue lock is never poisoned") = catalog;
        Ok(())
    }

    /// After the store published `versions` (drafts) on `effective` under `doc_no`: the
    /// catalogue with the same done to it — every version of the list in force so far
    /// superseded on `effective`, the new one published — and the new item versions (in hand)
    /// added, instead of a reload that parses every stored item version again (12 s at
    /// 200,000). The test of change sets checks the result against a full reload.
    pub(crate) async fn refresh_published(
        &self,
        versions: Vec<quanze_core::ListVersion>,
        new_items: Vec<quanze_core::PowerItem>,
        effective: NaiveDate,
        doc_no: &quanze_core::DocNo,
    ) -> ServiceResult<()> {
        let _one_writer = self.catalog_writes.lock().await;
        let current = self.catalog();
        let lists = versions
            .into_iter()
            .map(|mut new| {
                let list = new.list;
                let mut versions = current.versions(list).to_vec();
                for v in versions.iter_mut().filter(|v| v.status == VersionStatus::Published) {
                    v.status = VersionStatus::Superseded;
                    v.effective_until = Some(effective);
                }
                new.status = VersionStatus::Published;
                new.effective_from = Some(effective);
                new.doc_no = Some(doc_no.clone());
                versions.push(new);
                (list, versions)
            })
            .collect();
        let catalog = Arc::new(current.with_lists(lists, new_items));
        *self.catalog.write().expect("catalogue lock is never poisoned") = catalog;
        Ok(())
    }

    /// The store (for the CLI's maintenance commands and tests).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Today in China.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    fn event(
        &self,
        by: Option<&CurrentUser>,
        unit: Option<UnitId>,
        kind: &str,
        subject: String,
        payload: serde_json::Value,
    ) -> NewEvent {
        NewEvent {
            at: self.clock.now(),
            actor: by.map(|u| u.id),
            unit,
            kind: kind.to_owned(),
            subject,
            payload,
            personal: None,
        }
    }
}
