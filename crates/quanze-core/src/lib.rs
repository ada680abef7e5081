//! Quanze domain core: regions, units, power items, lists and their versions, township
//! overrides, duty kinds, the holdings index, accounts and events.
//!
//! This crate does no I/O, no async, no SQL and no HTTP. The clock and new ids come in as
//! arguments, so every function here is deterministic and testable on its own.
#![deny(missing_docs)]

pub mod account;
pub mod codes;
pub mod diff;
pub mod error;
pub mod event;
pub mod holdings;
pub mod ids;
pub mod item;
pub mod list;
pub mod numerals;
pub mod region;
pub mod unit;

pub use account::{Role, RoleGrant, Username};
pub use codes::{BaseCode, CreditCode, ImplCode, RegionCode};
pub use error::{Issue, Severity, ValidationError};
pub use event::Event;
pub use holdings::HoldingsIndex;
pub use ids::{ItemId, ListId, ListVersionId, UnitId, UserId};
pub use item::{
    Accountability, Cooperation, ExerciseLevel, ItemContent, LegalRef, LimitUnit, Material,
    PowerCategory, PowerItem, PowerSource, Responsibility, ServiceInfo, TimeLimit,
};
pub use list::{
    DocNo, DutyKind, ListEntry, ListScope, ListVersion, Override, OverrideChange, OverrideTarget,
    PowerList, VersionStatus,
};
pub use region::{Region, RegionLevel};
pub use unit::{Tag, Unit, UnitKind};
