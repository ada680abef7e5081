//! Each error of the core maps to the code it was answered with before the table (these pins
//! moved here from the core's own tests when the core's `code()` methods went away).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use quanze_core::establishment::QuotaKind;
use quanze_core::opinion::OpinionError;
use quanze_core::review::{ReviewError, ReviewOutcome};
use quanze_core::workflow::{FlowError, Operation, Stage};
use quanze_core::{ChangeSetError, EstablishmentError, ItemId, RegionCode, RevisionError, UnitId};

use super::{ErrorCode, ServiceError};

fn unit() -> UnitId {
    UnitId::from_uuid(uuid::Uuid::nil())
}

#[test]
fn establishment_errors_keep_their_codes() {
    let county = RegionCode::parse("330100").expect("a region code");
    let town = || "城关镇".to_owned();
    let cases = [
        (EstablishmentError::UnknownUnit(unit()), "unknown_unit"),
        (EstablishmentError::NotATown(town()), "not_a_town"),
        (EstablishmentError::TooManyBodies { town: town(), count: 11, max: 10 }, "too_many_bodies"),
        (EstablishmentError::UnnamedBody { town: town(), position: 1 }, "unnamed_body"),
        (
            EstablishmentError::DuplicateBody { town: town(), name: "党政办".into() },
            "duplicate_body",
        ),
        (
            EstablishmentError::IncreaseWithoutApproval {
                county,
                kind: QuotaKind::Administrative,
                before: 30,
                after: 31,
            },
            "quota_increase_without_approval",
        ),
        (
            EstablishmentError::DuplicateQuota { unit: town(), kind: QuotaKind::Administrative },
            "duplicate_quota",
        ),
        (EstablishmentError::EmptyAdjustment, "empty_adjustment"),
        (EstablishmentError::NotSeconded(town()), "not_seconded"),
        (EstablishmentError::NotADepartment(town()), "not_a_department"),
        (EstablishmentError::BadAppraisalShare(101), "bad_appraisal_share"),
        (EstablishmentError::NoSecondment(town()), "no_secondment"),
    ];
    for (err, want) in cases {
        assert_eq!(ErrorCode::from(&err), want, "{err:?}");
        assert_eq!(ServiceError::from(err).code(), want);
    }
}

#[test]
fn change_set_errors_keep_their_codes() {
    let day = NaiveDate::from_ymd_opt(2026, 5, 1).expect("a date");
    let flow = |e: FlowError| ChangeSetError::Flow(e);
    let cases = [
        (
            flow(FlowError::WrongStage { op: Operation::SendRound, stage: Stage::Drafting }),
            "wrong_stage",
        ),
        (flow(FlowError::NoRoundYet), "no_round_yet"),
        (flow(FlowError::TooManyRounds { next: 4, max: 3 }), "too_many_rounds"),
        (flow(FlowError::UnresolvedOpinions(2)), "unresolved_opinions"),
        (flow(FlowError::UnansweredComments(2)), "unanswered_comments"),
        (flow(FlowError::CommentPeriodOpen(day)), "comment_period_open"),
        (flow(FlowError::ReviewNotPassed(ReviewOutcome::Passed)), "review_not_passed"),
        (
            flow(FlowError::MissingCountersignatures(BTreeSet::from([unit()]))),
            "missing_countersignatures",
        ),
        (flow(FlowError::NotACountersigner(unit())), "wrong_stage"),
        (flow(FlowError::MissingReason), "wrong_stage"),
        (flow(FlowError::NotEarlier { from: Stage::Drafting, to: Stage::Drafting }), "wrong_stage"),
        (flow(FlowError::NothingToUrge), "wrong_stage"),
        (ChangeSetError::Opinion(OpinionError::NotAsked(unit())), "opinion_refused"),
        (
            ChangeSetError::Review(ReviewError::UnknownItem(ItemId::from_uuid(uuid::Uuid::nil()))),
            "verdict_refused",
        ),
        (ChangeSetError::Revision(RevisionError::Empty), "invalid_change"),
        (ChangeSetError::BadPeriod(day), "bad_comment_period"),
        (ChangeSetError::NobodyToAsk, "nobody_to_ask"),
    ];
    for (err, want) in cases {
        assert_eq!(ErrorCode::from(&err), want, "{err:?}");
        assert_eq!(ServiceError::from(err).code(), want);
    }
}
