//! Quanze use cases: the one API boundary that the web layer and the CLI call.
//!
//! Each use case checks who may do it, validates with the domain core, and writes state and
//! its event in one store transaction; reads are answered from the in-memory [`Catalog`],
//! which each write changes in step with the store (built whole only at start). This crate
//! knows nothing about HTTP.

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod changesets;
pub mod demo;
pub mod devolution;
pub mod error;
pub mod establishment;
pub mod laws;
pub mod ledger;
pub mod lists;
mod passwords;
pub mod rate;
pub mod reports;
pub mod rotation;
pub mod search;
pub mod second_factor;
pub mod views;

#[cfg(test)]
mod tests;

pub use quanze_store::{
    ConnectOptions, ResealCounts, StoredSession, create_private_dir_all, create_private_file,
};

use std::sync::{Arc, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use quanze_core::{ItemId, ListId, ListVersionId, UnitId, UserId};
use quanze_store::{NewEvent, Store};

pub use auth::{CurrentUser, Login, NewUser};
pub use catalog::{Catalog, ContentRef};
pub use error::{ErrorCode, ServiceError, ServiceResult};

/// An instant as the local time in China (UTC+8, no daylight saving): the time and date every
/// period, list and case step is counted in.
pub fn beijing_time(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    (at + chrono::Duration::hours(8)).naive_utc()
}

/// Where the time comes from (a fixed clock in tests).
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
    /// Today in China (UTC+8), the date powers and lists are effective on.
    fn today(&self) -> NaiveDate {
        beijing_time(self.now()).date()
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
    /// A new id for a case or what hangs off one (rating, complaint, supervision, task).
    pub fn case_uuid(&self) -> uuid::Uuid {
        self.uuid()
    }
}

/// 会话策略 — how long a sign-in lasts (等保 2.0 §8.1.4.1 b: 登录连接超时自动退出): a web
/// session or a sign-in's API token ends after `idle_minutes` unused and `absolute_hours` after
/// it began; a named integration token after `integration_days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Idle time, in minutes (30).
    pub idle_minutes: i64,
    /// Absolute time, in hours (12).
    pub absolute_hours: i64,
    /// An integration token's life, in days (90).
    pub integration_days: i64,
}

impl Default for SessionPolicy {
    fn default() -> SessionPolicy {
        SessionPolicy { idle_minutes: 30, absolute_hours: 12, integration_days: 90 }
    }
}

/// Settings of the use cases.
#[derive(Debug, Clone)]
pub struct Config {
    /// Failed sign-ins an account name takes before addresses it has not signed in from must
    /// wait, the wait doubling from 15 s with each further failure (等保: configurable; 5).
    pub lockout_threshold: u32,
    /// The longest wait, in minutes (for an account and for an address).
    pub lockout_minutes: i64,
    /// 口令策略 — what a new password must be.
    pub password: quanze_core::account::PasswordPolicy,
    /// The argon2id cost of new password hashes.
    pub password_hashing: auth::PasswordHashing,
    /// How long sign-ins last (web sessions and API tokens).
    pub sessions: SessionPolicy,
    /// 双因素 — which roles sign in with a second factor.
    pub second_factor: second_factor::SecondFactorPolicy,
    /// 限流 — writes allowed per minute, per address and per caller.
    pub write_limits: rate::WriteLimits,
    /// Reverse proxies whose `X-Forwarded-For` names the client (the sign-in throttle and the
    /// comment limit count by the client's address).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The largest upload accepted for import, in bytes.
    pub max_upload_bytes: usize,
    /// Checkpoint signing and trusted witnesses.
    pub ledger: ledger::LedgerConfig,
    /// List governance: opinion rounds, staffing limits.
    pub governance: GovernanceConfig,
    /// Cases: the county's rules and the personal-data key.
    pub cases: cases::CasesConfig,
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
    /// The fewest working days a public comment period (公示) may last (国办发〔2018〕37号:
    /// 7 by default).
    pub min_comment_working_days: u32,
}

impl Default for GovernanceConfig {
    fn default() -> GovernanceConfig {
        GovernanceConfig {
            max_rounds: 3,
            round_working_days: 10,
            max_town_bodies: 10,
            min_comment_working_days: 7,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            lockout_threshold: 5,
            lockout_minutes: 30,
            password: quanze_core::account::PasswordPolicy::default(),
            password_hashing: auth::PasswordHashing::default(),
            sessions: SessionPolicy::default(),
            second_factor: second_factor::SecondFactorPolicy::default(),
            write_limits: rate::WriteLimits::default(),
            trusted_proxies: Vec::new(),
            max_upload_bytes: 50 * 1024 * 1024,
            ledger: ledger::LedgerConfig::default(),
            governance: GovernanceConfig::default(),
            cases: cases::CasesConfig::default(),
        }
    }
}

/// The use cases, over one store.
pub struct Service {
    store: Arc<dyn Store>,
    catalog: RwLock<Arc<Catalog>>,
    /// Serialises catalogue changes with the store writes they follow (see
    /// [`Service::catalog_writer`]).
    catalog_writes: tokio::sync::Mutex<()>,
    /// Set when a store write was abandoned mid-way (its request went away while it ran): it
    /// may have committed without the catalogue hearing of it, so the next writer rebuilds.
    catalog_stale: std::sync::atomic::AtomicBool,
    clock: Arc<dyn Clock>,
    ids: Ids,
    config: Config,
    /// The working-day calendar (deadlines of opinion rounds, of cases): the official years
    /// with the loaded ones over them, swapped whole by a load ([`Service::load_calendar`]).
    calendar: RwLock<Arc<calendar::CalendarState>>,
    /// Serialises calendar loads, whose outcome depends on the calendar they replace.
    calendar_writes: tokio::sync::Mutex<()>,
    /// Set while a load's store write runs: if its caller goes away mid-write, the write may
    /// have committed without the swap, and the next load reads the stored years first.
    calendar_stale: std::sync::atomic::AtomicBool,
    /// Serialises devolution writes, whose checks read the grants already recorded.
    devolution: tokio::sync::Mutex<()>,
    /// Serialises establishment writes, whose checks read the totals already recorded.
    establishment_writes: tokio::sync::Mutex<()>,
    /// Serialises checkpoint signing so two signers never race on the same size.
    signing: tokio::sync::Mutex<()>,
    /// Today's receipt numbers.
    receipts: tokio::sync::Mutex<cases::ReceiptCounter>,
    /// Cases this server wrote last (a hint; the store's step count is the truth).
    case_cache: cases::CaseCache,
    /// Uploads being read, at most `MaterialsConfig::concurrent_uploads` at once, so that
    /// their buffers stay within that many times the size limit.
    material_uploads: Arc<tokio::sync::Semaphore>,
    /// The search index of published items, built on first use and kept with the catalogue.
    search: search::SearchState,
    /// 登录限速 — failed sign-ins by address and by account name.
    throttle: std::sync::Mutex<quanze_core::account::throttle::SignInThrottle>,
    /// Sign-ins waiting for their second factor.
    pending: second_factor::PendingSignIns,
    /// 限流 — the writes' buckets.
    write_rates: rate::WriteRates,
    /// 导入排队 — one list import parsed at a time.
    import_turns: Arc<tokio::sync::Semaphore>,
    /// Public comments per source address in their ten-minute window: (start, count).
    comment_sources:
        std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, (DateTime<Utc>, u32)>>,
    /// 口令散列 — argon2id off the runtime's threads, one hash per core at once.
    passwords: passwords::Passwords,
}

/// The right to change the catalogue, held from before a store write until its change is
/// applied (dropped unapplied when the write fails). Readers are never blocked: they keep the
/// catalogue they got.
pub(crate) struct CatalogWriter<'a> {
    service: &'a Service,
    _one_writer: tokio::sync::MutexGuard<'a, ()>,
    /// A store write is running under this writer.
    in_flight: bool,
}

impl CatalogWriter<'_> {
    /// Runs the store write whose change this writer will apply. If the caller is dropped while
    /// it runs (a client that went away), the write may still commit: the catalogue is then
    /// marked stale and the next writer rebuilds it from the store.
    pub(crate) async fn write<T>(&mut self, write: impl Future<Output = T>) -> T {
        self.in_flight = true;
        let out = write.await;
        self.in_flight = false;
        out
    }

    /// Replaces the catalogue with `change` of the current one.
    pub(crate) fn apply(self, change: impl FnOnce(&Catalog) -> Catalog) {
        let next = Arc::new(change(&self.service.catalog()));
        *self.service.catalog.write().expect("catalogue lock is never poisoned") = next;
        self.service.refresh_search();
    }
}

impl Drop for CatalogWriter<'_> {
    fn drop(&mut self) {
        if self.in_flight {
            self.service.catalog_stale.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
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
        let service = Service::assemble(store, clock, config);
        service.reload().await?;
        service.load_stored_calendar().await?;
        Ok(service)
    }

    /// Opens the service for the ledger's auditors (`quanze ledger verify`, `ledger export`,
    /// the check after a restore): the store and its ledger, without loading the catalogue,
    /// which may hold documents sealed under a personal-data key an auditor is not given. Only
    /// the ledger's methods answer from it; everything else sees an empty county.
    pub async fn open_ledger_only(url: &str, config: Config) -> ServiceResult<Service> {
        let store = quanze_store::connect(url).await?;
        Ok(Service::assemble(store, Arc::new(SystemClock), config))
    }

    /// The service over a store, with nothing loaded yet.
    fn assemble(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: Config) -> Service {
        let uploads = config.cases.materials.concurrent_uploads.max(1);
        let throttle = quanze_core::account::throttle::SignInThrottle::new(
            quanze_core::account::throttle::ThrottlePolicy {
                account_free: config.lockout_threshold,
                max_delay: chrono::Duration::minutes(config.lockout_minutes.max(1)),
                ..Default::default()
            },
        );
        let write_rates = rate::WriteRates::new(config.write_limits);
        // Personal data the store keeps (behind events' commitments, in towns' readiness) is
        // sealed at rest under the same key as applicants' data.
        if let Some(key) = &config.cases.personal_key {
            store.install_sealer(Arc::new(key.clone()));
        }
        let passwords = passwords::Passwords::new(config.password_hashing);
        Service {
            store,
            catalog: RwLock::new(Arc::new(Catalog::default())),
            catalog_writes: tokio::sync::Mutex::new(()),
            catalog_stale: std::sync::atomic::AtomicBool::new(false),
            clock,
            ids: Ids,
            config,
            calendar: RwLock::new(Arc::new(calendar::CalendarState::official())),
            calendar_writes: tokio::sync::Mutex::new(()),
            calendar_stale: std::sync::atomic::AtomicBool::new(false),
            devolution: tokio::sync::Mutex::new(()),
            establishment_writes: tokio::sync::Mutex::new(()),
            signing: tokio::sync::Mutex::new(()),
            receipts: tokio::sync::Mutex::new(cases::ReceiptCounter::default()),
            case_cache: cases::CaseCache::default(),
            material_uploads: Arc::new(tokio::sync::Semaphore::new(uploads)),
            search: search::SearchState::default(),
            throttle: std::sync::Mutex::new(throttle),
            pending: second_factor::PendingSignIns::default(),
            write_rates,
            comment_sources: std::sync::Mutex::new(std::collections::HashMap::new()),
            import_turns: Arc::new(tokio::sync::Semaphore::new(1)),
            passwords,
        }
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

    /// Rebuilds the catalogue from the store: at start, after a bulk load written around this
    /// service (the demo), and for repair. Writes change the catalogue instead
    /// ([`Service::catalog_writer`]).
    pub async fn reload(&self) -> ServiceResult<()> {
        let _one_writer = self.catalog_writes.lock().await;
        self.rebuild_catalog().await
    }

    /// Rebuilds the catalogue from the store; the caller holds `catalog_writes`.
    async fn rebuild_catalog(&self) -> ServiceResult<()> {
        let snapshot = self.store.snapshot().await?;
        let catalog = Arc::new(Catalog::build(snapshot));
        *self.catalog.write().expect("catalogue lock is never poisoned") = catalog;
        self.refresh_search();
        Ok(())
    }

    /// The catalogue's one writer, to hold across a store write and the change it makes to
    /// the catalogue: changes then apply in the order the store committed them, so an older
    /// catalogue never replaces a newer one and two writes of one key end as in the store.
    /// A catalogue marked stale by an abandoned write is rebuilt first.
    pub(crate) async fn catalog_writer(&self) -> ServiceResult<CatalogWriter<'_>> {
        let one_writer = self.catalog_writes.lock().await;
        if self.catalog_stale.swap(false, std::sync::atomic::Ordering::SeqCst)
            && let Err(err) = self.rebuild_catalog().await
        {
            self.catalog_stale.store(true, std::sync::atomic::Ordering::SeqCst);
            return Err(err);
        }
        Ok(CatalogWriter { service: self, _one_writer: one_writer, in_flight: false })
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

    /// Now, by the service's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The event with the client's address as its personal data: an address is personal
    /// information, so it is kept erasable behind the leaf's commitment, for the audit trail.
    fn from_source(mut ev: NewEvent, source: Option<std::net::IpAddr>) -> NewEvent {
        if let Some(ip) = source {
            ev.personal = Some(serde_json::json!({ "source": ip.to_string() }));
        }
        ev
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
