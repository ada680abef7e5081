//! Quanze domain core: regions, units, power items, lists and their versions, township
//! overrides, duty kinds, the holdings index, accounts and events.
//!
//! This crate does no I/O, no async, no SQL and no HTTP. The clock and new ids come in as
//! arguments, so every function here is deterministic and testable on its own.
#![deny(missing_docs)]

pub mod account;
pub mod authority;
pub mod calendar;
pub mod canonical;
pub mod changeset;
pub mod codes;
pub mod diff;
pub mod error;
pub mod establishment;
pub mod event;
pub mod grant;
pub mod holdings;
pub mod ids;
pub mod import_match;
pub mod item;
pub mod law;
pub mod list;
pub mod numerals;
pub mod opinion;
pub mod region;
pub mod review;
pub mod revision;
pub mod unit;

#[cfg(test)]
mod fixtures;

pub use account::{Role, RoleGrant, Username};
pub use authority::{Authority, AuthorityIndex, Exercise};
pub use calendar::{Deadline, Period, WorkCalendar};
pub use codes::{BaseCode, CreditCode, ImplCode, RegionCode};
pub use error::{Issue, Severity, ValidationError};
pub use establishment::{
    Establishment, EstablishmentChange, EstablishmentError, EstablishmentRules, QuotaKind,
};
pub use event::Event;
pub use grant::{
    Grant, GrantError, GrantMode, GrantTarget, Readiness, ReadinessItem, ReadinessState, Reclaim,
};
pub use holdings::HoldingsIndex;
pub use ids::{
    ChangeSetId, GrantId, ItemId, LawId, ListId, ListVersionId, OpinionId, ReclaimId, UnitId,
    UserId,
};
pub use item::{
    Accountability, Cooperation, ExerciseLevel, ItemContent, LegalRef, LimitUnit, Material,
    PowerCategory, PowerItem, PowerSource, Responsibility, ServiceInfo, TimeLimit,
};
pub use law::{ImpactReport, Law, LawLevel, LawRegistry};
pub use list::{
    DocNo, DutyKind, ListEntry, ListScope, ListVersion, Override, OverrideChange, OverrideTarget,
    PowerList, VersionStatus,
};
pub use opinion::{CommentPeriod, Opinion, OpinionRound, ResolutionKind, Stance};
pub use region::{Region, RegionLevel};
pub use revision::{Change, ChangeSet, ChangeSetError, ProposedChange, RevisionError};
pub use unit::{Tag, Unit, UnitKind};
