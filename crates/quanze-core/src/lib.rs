//! Quanze domain core: regions, units, power items, lists and their versions, township
//! differences, duty kinds, list holdings and authority, change sets and their workflow,
//! devolution, accounts and events.
//!
//! This crate does no I/O, no async, no SQL and no HTTP. The clock and new ids come in as
//! arguments, so every function here is deterministic and testable on its own.
#![deny(missing_docs)]

pub mod access;
pub mod account;
pub mod authority;
pub mod calendar;
pub mod canonical;
pub mod case;
pub mod changeset;
pub mod codes;
pub mod devolution;
pub mod diff;
pub mod error;
pub mod establishment;
pub mod event;
pub mod holdings;
pub mod ids;
pub mod import_match;
pub mod item;
pub mod law;
pub mod list;
pub mod list_approval;
pub mod numerals;
pub mod opinion;
pub mod region;
pub mod review;
pub mod schedule;
pub mod text;
pub mod unit;
pub mod workflow;

#[cfg(test)]
mod fixtures;

pub use account::{Role, RoleAssignment, Username};
pub use authority::{Authority, AuthorityIndex, Exercise};
pub use calendar::{Deadline, Period, WorkCalendar};
pub use changeset::{Change, ChangeSet, ChangeSetError, ProposedChange, RevisionError};
pub use codes::{BaseCode, CreditCode, IdNumber, ImplCode, OrgCode, RegionCode, TownshipSegment};
pub use devolution::{
    Grant, GrantError, GrantMode, GrantReclaim, GrantTarget, Readiness, ReadinessItem,
    ReadinessState,
};
pub use error::{Issue, Severity, ValidationError};
pub use establishment::{
    Establishment, EstablishmentChange, EstablishmentError, EstablishmentRules, QuotaKind,
};
pub use event::{Event, LeafParts};
pub use holdings::ListHoldings;
pub use ids::{
    CaseId, ChangeSetId, ComplaintId, GrantId, ItemId, LawId, ListId, ListVersionId, OpinionId,
    RatingId, ReclaimId, SupervisionId, TaskId, UnitId, UserId,
};
pub use item::{
    Accountability, Cooperation, ExerciseLevel, ItemContent, LegalRef, LimitUnit, Material,
    PowerCategory, PowerItem, PowerSource, Responsibility, ServiceInfo, TimeLimit,
};
pub use law::{ImpactReport, Law, LawLevel, LawRegistry};
pub use list::{
    DocNo, DutyKind, ListEntry, ListScope, ListVersion, Override, OverrideChange, OverrideTarget,
    PowerList, TownHolder, VersionStatus,
};
pub use opinion::{CommentPeriod, Opinion, OpinionRound, ResolutionKind, Stance};
pub use region::{Region, RegionLevel};
pub use unit::{Tag, Unit, UnitKind};
