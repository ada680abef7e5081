//! The demo's grants with their legal records (issue 14 §1–2, §14): the township template's
//! devolved and entrusted penalty items each name the department item and batch that gives
//! them, and here the county records those grants — 直接下放 under the province's decision
//! (行政处罚法 第24条), 委托 under each department's published 委托书 (第20条) — to every town
//! and subdistrict that keeps the item, and each town's readiness: two officers with
//! enforcement certificates (第42条) and the signed 承接确认书 in all but two towns, which
//! cannot take the batch yet (one certified officer; a 承接确认书 not yet signed).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use quanze_core::devolution::{
    CertificateNo, EnforcementOfficer, Entrustment, GrantLink, GrantTarget, Issuer, OwnNameBasis,
    OwnNameBasisKind, ProvincialDecision, TrainedStaff, TrainingRecord,
};
use quanze_core::{
    DocNo, GrantMode, ItemId, LegalRef, ListScope, OverrideChange, OverrideTarget, RegionCode,
    UnitId, VersionStatus,
};

use crate::devolution::{NewGrant, ReadinessInput};
use crate::error::{ServiceError, ServiceResult};
use crate::{CurrentUser, Service};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn doc(raw: &str) -> ServiceResult<DocNo> {
    Ok(DocNo::parse(raw)?)
}

/// The province's decision to hand county penalty powers to towns (行政处罚法 第24条), issued
/// by the provincial government of the demo's province, published, with its next evaluation.
pub(super) fn provincial_decision(next_evaluation: NaiveDate) -> ServiceResult<ProvincialDecision> {
    let (name, code) = quanze_demo::data::PROVINCE;
    Ok(ProvincialDecision {
        issuer: Issuer { name: format!("{name}人民政府"), region: RegionCode::parse(code)? },
        doc_no: doc("皖政〔2025〕18号")?,
        published_on: day(2025, 6, 30),
        next_evaluation,
    })
}

/// A department's 委托书 for `matters`, published, for three years from `from`.
pub(super) fn entrustment(n: usize, matters: &str, from: NaiveDate) -> ServiceResult<Entrustment> {
    Ok(Entrustment {
        doc_no: doc(&format!("清委托〔2025〕{n}号"))?,
        matters: matters.to_owned(),
        scope: "受委托乡镇（街道）行政区域内，以委托机关名义实施，不得再委托".to_owned(),
        term_from: from,
        term_until: from.with_year(from.year_ce().1 as i32 + 3).unwrap_or(from),
        published_on: from - chrono::Days::new(14),
    })
}

/// 相对集中行政许可权 for the 经济发达镇 (行政许可法 第25条).
pub(super) fn concentrated_licensing() -> ServiceResult<OwnNameBasis> {
    Ok(OwnNameBasis {
        kind: OwnNameBasisKind::ConcentratedLicensing,
        basis: LegalRef::article("中华人民共和国行政许可法", 25),
        doc_no: Some(doc("皖政〔2025〕21号")?),
    })
}

/// Two officers with enforcement certificates (行政处罚法 第42条).
pub(super) fn certified(prefix: &str) -> ServiceResult<Vec<EnforcementOfficer>> {
    ["执法队员甲", "执法队员乙"]
        .iter()
        .enumerate()
        .map(|(k, name)| {
            Ok(EnforcementOfficer {
                name: (*name).to_owned(),
                certificate: CertificateNo::parse(&format!("{prefix}{:04}", k + 1))?,
            })
        })
        .collect()
}

/// Why a town has not yet shown it can take the template's penalty powers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotYet {
    /// Only one officer holds an enforcement certificate (the second is still in training),
    /// so the town has not signed the 承接确认书 either.
    OneOfficer,
    /// Everything is in place but the 承接确认书 is not signed yet.
    Unconfirmed,
}

/// The towns that cannot yet take the template's penalty powers, chosen by a fixed rule so
/// that the demo stays the same: the last ordinary town (not a 经济发达镇 or a 蓄滞洪区 town)
/// in the register's order has one certified officer; the last subdistrict has not signed its
/// 承接确认书. Every other town is ready.
fn not_yet_ready(service: &Service) -> BTreeMap<UnitId, NotYet> {
    let catalog = service.catalog();
    let ordinary = catalog
        .units
        .iter()
        .rfind(|u| u.kind == quanze_core::UnitKind::Township && u.tags.is_empty());
    let subdistrict = catalog.units.iter().rfind(|u| u.kind == quanze_core::UnitKind::Subdistrict);
    ordinary
        .map(|u| (u.id, NotYet::OneOfficer))
        .into_iter()
        .chain(subdistrict.map(|u| (u.id, NotYet::Unconfirmed)))
        .collect()
}

/// A town's checklist for a penalty power of the template's batch: its two officers of the
/// 综合行政执法队 with their certificates (行政处罚法 第42条), trained, with system access, seal,
/// funding and the guidance, and the 承接确认书 signed within three weeks of the batch (`from`),
/// unless the town is one that cannot take it yet.
fn penalty_readiness(
    n: usize,
    from: NaiveDate,
    not_yet: Option<NotYet>,
) -> ServiceResult<ReadinessInput> {
    let mut officers = certified(&format!("AH11282{n:02}"))?;
    let trained_on = from - chrono::Days::new(12);
    let staff = officers
        .iter()
        .map(|o| TrainedStaff {
            name: o.name.clone(),
            trainings: vec![TrainingRecord {
                course: "综合行政执法业务培训".to_owned(),
                date: trained_on,
            }],
        })
        .collect();
    let mut confirmed_on = Some(from + chrono::Days::new(7 * (n as u64 % 3)));
    match not_yet {
        Some(NotYet::OneOfficer) => {
            officers.truncate(1);
            confirmed_on = None;
        }
        Some(NotYet::Unconfirmed) => confirmed_on = None,
        None => {}
    }
    Ok(ReadinessInput {
        staff,
        system_access: true,
        seal: true,
        funding: true,
        guidance_doc: Some("赋权事项办事指南及操作规程".to_owned()),
        confirmed_on,
        officers,
    })
}

/// Records a grant for every link of the template's published version: to every town and
/// subdistrict that keeps the item (a town's 差异声明 may remove it), with each town's
/// readiness — ready, but for the two towns [`not_yet_ready`] names. Returns the department
/// items granted, which the showcase grants must not take again.
pub(super) async fn template_grants(
    service: &Service,
    editor: &CurrentUser,
    from: NaiveDate,
) -> ServiceResult<BTreeSet<ItemId>> {
    let catalog = service.catalog();
    let template = catalog
        .lists
        .iter()
        .find(|l| matches!(l.scope, ListScope::TownshipTemplate { .. }))
        .ok_or_else(|| ServiceError::Internal("demo: no township template".into()))?;
    let version = catalog
        .latest_version(template.id)
        .filter(|v| v.status != VersionStatus::Draft)
        .cloned()
        .ok_or_else(|| ServiceError::Internal("demo: no published template".into()))?;
    let mut removed: BTreeMap<ItemId, BTreeSet<UnitId>> = BTreeMap::new();
    for o in &version.overrides {
        if let (OverrideTarget::Town { unit }, OverrideChange::Remove { item }) =
            (&o.target, &o.change)
        {
            removed.entry(*item).or_default().insert(*unit);
        }
    }
    let towns: Vec<UnitId> =
        catalog.units.iter().filter(|u| u.kind.is_township_level()).map(|u| u.id).collect();
    let not_yet = not_yet_ready(service);
    let mut links: BTreeMap<(UnitId, ItemId), (GrantLink, String, BTreeSet<UnitId>)> =
        BTreeMap::new();
    for e in &version.entries {
        let Some(c) = catalog.content(e) else { continue };
        let Some(link) = &c.grant else { continue };
        let gone = removed.get(&e.item).cloned().unwrap_or_default();
        links.insert((link.department, link.item), (link.clone(), c.display_name(), gone));
    }
    drop(catalog);
    let mut granted = BTreeSet::new();
    let mut checklists = Vec::new();
    for (n, ((department, item), (link, name, gone))) in links.into_iter().enumerate() {
        let target: BTreeSet<UnitId> =
            towns.iter().copied().filter(|t| !gone.contains(t)).collect();
        let (decision, letter) = match link.mode {
            GrantMode::Entrusted => (None, Some(entrustment(n + 1, &name, from)?)),
            _ => (Some(provincial_decision(day(2027, 6, 30))?), None),
        };
        let new = NewGrant {
            item,
            from: department,
            to: GrantTarget::Towns { towns: target.clone() },
            mode: link.mode,
            effective_from: from,
            effective_until: None,
            batch: link.batch.clone(),
            confirmation_doc: Some(format!("清源县赋〔{}〕1号", from.year())),
            provincial_decision: decision,
            entrustment: letter,
            own_name_basis: None,
        };
        let (view, _) = service.create_grant(editor, new).await?;
        for town in target {
            let k = towns.iter().position(|t| *t == town).unwrap_or_default();
            let input = penalty_readiness(k, from, not_yet.get(&town).copied())?;
            checklists.push((view.grant.id, town, input));
        }
        granted.insert(item);
    }
    service.record_readiness_of_towns(editor, checklists).await?;
    Ok(granted)
}
