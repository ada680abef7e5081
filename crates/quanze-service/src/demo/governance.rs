//! The demo county's governance history (issue 4 §8), replayed through the ordinary use cases
//! by the demo accounts, so that every page and call of list governance shows real content:
//!
//! - two devolution batches (第一批 by tag and by name, 第二批 to every subdistrict) with
//!   readiness in every state: ready, pending, overridden and reclaimed;
//! - one change set of a department list through all three rounds of opinions (三上三下), a
//!   public comment period, the legality review, approval and publication;
//! - the establishment: every town's functional bodies, quotas for every unit (the baseline,
//!   a transfer between departments and a cut), two seconded units under dual management.
//!
//! The history is dated: it is replayed by a second service over the same store whose clock
//! the demo moves through the days the history happened on (a comment period must be over
//! before review, a round is due in working days), then the caller reloads its catalogue.

use std::collections::BTreeSet;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use quanze_core::devolution::{GrantTarget, TrainedStaff, TrainingRecord};
use quanze_core::establishment::{FunctionalBody, Quota, QuotaApproval, Secondment};
use quanze_core::{
    DocNo, EstablishmentChange, GrantMode, ItemId, ListScope, PowerCategory, QuotaKind,
    ResolutionKind, Tag, UnitId, UnitKind, VersionStatus,
};

use crate::changesets::{
    ChangeAction, ChangeInput, ChangeSetCommand, NewChangeSet, OpinionInput, StanceKind,
};
use crate::devolution::{NewGrant, ReadinessInput};
use crate::error::{ServiceError, ServiceResult};
use crate::lists::NewUnit;
use crate::{Clock, CurrentUser, Service};

/// A clock the demo moves through its history.
pub(super) struct HistoryClock(Mutex<DateTime<Utc>>);

impl Clock for HistoryClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("the history clock's lock is never poisoned")
    }
}

impl HistoryClock {
    /// A clock at 10:00 in China on the day.
    pub(super) fn starting(day: NaiveDate) -> HistoryClock {
        HistoryClock(Mutex::new(day.and_hms_opt(2, 0, 0).expect("a valid time").and_utc()))
    }

    /// 10:00 in China on the day; never backwards.
    fn set(&self, day: NaiveDate) {
        let at = day.and_hms_opt(2, 0, 0).expect("a valid time").and_utc();
        let mut now = self.0.lock().expect("the history clock's lock is never poisoned");
        debug_assert!(at >= *now, "the demo's history runs forward: {at} after {now}");
        *now = at.max(*now);
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn internal(what: &str) -> ServiceError {
    ServiceError::Internal(format!("demo governance: {what}"))
}

/// The functional bodies of a demo town (七办一队, within the limit of ten).
const TOWN_BODIES: [(&str, &str); 7] = [
    ("党政综合办公室", "综合协调、督查督办、政务公开"),
    ("党建工作办公室", "基层党建、组织人事、宣传统战"),
    ("经济发展办公室", "产业发展、招商引资、统计"),
    ("社会事务办公室", "民政、教育、卫生健康、退役军人服务"),
    ("平安建设办公室", "综治维稳、应急管理、安全生产"),
    ("自然资源和生态环境办公室", "国土空间、生态环境、农业农村"),
    ("综合行政执法办公室", "统一行使赋予乡镇的行政处罚权及相关行政检查、行政强制措施权"),
];

/// Replays the governance history as the demo accounts; `service` runs on `clock`.
pub(super) async fn load(service: &Service, clock: &HistoryClock) -> ServiceResult<()> {
    clock.set(day(2025, 8, 1));
    let replay = service;
    let login = |name: &'static str| async move {
        let login = replay.login(name, super::DEMO_PASSWORD).await?;
        replay.authenticate(&login.token).await
    };
    let editor = login("editor").await?;
    let leader = login("leader").await?;
    let justice = login("justice").await?;
    let clerk = login("clerk").await?;
    devolution(replay, clock, &editor, &leader).await?;
    change_set(replay, clock, &editor, &clerk, &justice, &leader).await?;
    establishment(replay, clock, &editor).await?;
    Ok(())
}

/// A department power of `category` its department holds on `on`, not among `taken`.
fn department_power(
    service: &Service,
    category: PowerCategory,
    on: NaiveDate,
    taken: &BTreeSet<ItemId>,
) -> ServiceResult<(UnitId, ItemId)> {
    let catalog = service.catalog();
    catalog
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Department)
        .find_map(|u| {
            catalog.holdings.holdings(u.id, on).find_map(|e| {
                let c = catalog.content(e)?;
                (c.category == category && c.sub_item.is_none() && !taken.contains(&e.item))
                    .then_some((u.id, e.item))
            })
        })
        .ok_or_else(|| internal(&format!("no department holds a {category} power")))
}

fn trained(name: &str, course: &str, on: NaiveDate) -> Vec<TrainedStaff> {
    vec![TrainedStaff {
        name: name.to_owned(),
        trainings: vec![TrainingRecord { course: course.to_owned(), date: on }],
    }]
}

fn complete(staff: Vec<TrainedStaff>, confirmed_on: NaiveDate) -> ReadinessInput {
    ReadinessInput {
        staff,
        system_access: true,
        seal: true,
        funding: true,
        guidance_doc: Some("赋权事项办事指南及操作规程".to_owned()),
        confirmed_on: Some(confirmed_on),
        officers: Vec::new(),
    }
}

async fn devolution(
    service: &Service,
    clock: &HistoryClock,
    editor: &CurrentUser,
    leader: &CurrentUser,
) -> ServiceResult<()> {
    let first = day(2025, 9, 1);
    let second = day(2026, 1, 1);
    clock.set(day(2025, 8, 20));
    // 第一批: the template's devolved and entrusted penalties, under the province's decision
    // and the departments' 委托书.
    let mut taken = super::grants::template_grants(service, editor, first).await?;
    let (licence_dept, licence) =
        department_power(service, PowerCategory::Licensing, first, &taken)?;
    taken.insert(licence);
    let (penalty_dept, penalty) = department_power(service, PowerCategory::Penalty, first, &taken)?;
    taken.insert(penalty);
    let (check_dept, check) = department_power(service, PowerCategory::Inspection, first, &taken)?;
    taken.insert(check);
    let (window_dept, window) =
        department_power(service, PowerCategory::Licensing, second, &taken)?;

    let catalog = service.catalog();
    let towns: Vec<_> =
        catalog.units.iter().filter(|u| u.kind == UnitKind::Township).cloned().collect();
    let developed = Tag::parse(quanze_demo::data::TAG_DEVELOPED)?;
    let developed_towns: Vec<_> =
        towns.iter().filter(|t| t.tags.contains(&developed)).map(|t| t.id).collect();
    let plain: Vec<_> =
        towns.iter().filter(|t| !t.tags.contains(&developed)).map(|t| t.id).collect();
    let (Some(&dev_a), Some(&dev_b)) = (developed_towns.first(), developed_towns.get(1)) else {
        return Err(internal("the demo county needs two 经济发达镇"));
    };
    let [p1, p2, p3, p4] = [0, 1, 2, 3].map(|i| plain.get(i).copied());
    let (Some(p1), Some(p2), Some(p3), Some(p4)) = (p1, p2, p3, p4) else {
        return Err(internal("the demo county needs four ordinary towns"));
    };
    let grant = |item, from, to, mode, effective_from: NaiveDate, batch: &str| NewGrant {
        item,
        from,
        to,
        mode,
        effective_from,
        effective_until: None,
        batch: batch.to_owned(),
        confirmation_doc: Some(format!("示范县赋〔{}〕1号", effective_from.format("%Y"))),
        provincial_decision: None,
        entrustment: None,
        own_name_basis: None,
    };
    let named = |towns: &[UnitId]| GrantTarget::Towns { towns: towns.iter().copied().collect() };

    // Also 第一批: a licence to every 经济发达镇 (直接下放 under 相对集中许可, 许可法 25), a penalty
    // power entrusted to four towns by the department's 委托书 (处罚法 20), an inspection
    // power's review to two towns.
    let licence_new = NewGrant {
        own_name_basis: Some(super::grants::concentrated_licensing()?),
        ..grant(
            licence,
            licence_dept,
            GrantTarget::Tag { tag: developed.clone() },
            GrantMode::Direct,
            first,
            "第一批",
        )
    };
    let (licence_grant, _) = service.create_grant(editor, licence_new).await?;
    let penalty_name = catalog
        .holdings
        .holds(penalty_dept, penalty, first)
        .and_then(|e| catalog.content(e))
        .map(|c| c.display_name())
        .unwrap_or_default();
    let penalty_new = NewGrant {
        entrustment: Some(super::grants::entrustment(900, &penalty_name, first)?),
        ..grant(
            penalty,
            penalty_dept,
            named(&[p1, p2, p3, p4]),
            GrantMode::Entrusted,
            first,
            "第一批",
        )
    };
    let (penalty_grant, _) = service.create_grant(editor, penalty_new).await?;
    let (check_grant, _) = service
        .create_grant(
            editor,
            grant(check, check_dept, named(&[dev_a, p1]), GrantMode::ReviewPower, first, "第一批"),
        )
        .await?;

    // Readiness: the developed towns are ready; of the four, one ready, one pending, one taken
    // by override, one ready and later reclaimed.
    for town in [dev_a, dev_b] {
        let staff = trained("承接人员甲", "赋权事项承接业务培训", day(2025, 8, 25));
        service
            .record_readiness(editor, licence_grant.grant.id, town, complete(staff, first))
            .await?;
    }
    let pid = penalty_grant.grant.id;
    let staff = trained("执法队员乙", "综合行政执法业务培训", day(2025, 8, 26));
    // A penalty power needs two certified officers (处罚法 42) and the confirmation's date.
    let enforcing = |prefix: &str, on| -> ServiceResult<ReadinessInput> {
        let officers = super::grants::certified(prefix)?;
        Ok(ReadinessInput { officers, ..complete(staff.clone(), on) })
    };
    service.record_readiness(editor, pid, p1, enforcing("AH1128101", day(2025, 9, 10))?).await?;
    // Trained, with a seal, but no certified officers: pending, and no waiver can help.
    let partial = ReadinessInput { staff: staff.clone(), seal: true, ..ReadinessInput::default() };
    service.record_readiness(editor, pid, p2, partial).await?;
    let no_funding = ReadinessInput { funding: false, ..enforcing("AH1128103", first)? };
    service.record_readiness(editor, pid, p3, no_funding).await?;
    service
        .override_readiness(
            leader,
            pid,
            p3,
            "县政府常务会议同意先行承接，经费于下一预算年度保障",
            day(2025, 10, 1),
        )
        .await?;
    service.record_readiness(editor, pid, p4, enforcing("AH1128104", first)?).await?;
    let staff = trained("审核人员丙", "行政检查业务培训", day(2025, 8, 28));
    service.record_readiness(editor, check_grant.grant.id, dev_a, complete(staff, first)).await?;

    // 第二批: a licence's window moved forward to every subdistrict; none ready yet but one.
    clock.set(day(2025, 12, 15));
    let subdistricts: Vec<_> =
        catalog.units.iter().filter(|u| u.kind == UnitKind::Subdistrict).map(|u| u.id).collect();
    let (window_grant, _) = service
        .create_grant(
            editor,
            grant(
                window,
                window_dept,
                named(&subdistricts),
                GrantMode::WindowForward,
                second,
                "第二批",
            ),
        )
        .await?;
    if let Some(&s) = subdistricts.first() {
        let staff = trained("窗口人员丁", "政务服务窗口业务培训", day(2025, 12, 20));
        service.record_readiness(editor, window_grant.grant.id, s, complete(staff, second)).await?;
    }
    clock.set(day(2026, 2, 2));
    service
        .reclaim(
            editor,
            pid,
            p4,
            day(2026, 3, 1),
            "案件量少、执法力量不足，承接后用不上、用不好，收回由县级部门行使",
            Some("示范县赋〔2026〕2号".to_owned()),
        )
        .await?;
    Ok(())
}

async fn change_set(
    service: &Service,
    clock: &HistoryClock,
    editor: &CurrentUser,
    clerk: &CurrentUser,
    justice: &CurrentUser,
    leader: &CurrentUser,
) -> ServiceResult<()> {
    // Monday 2026-03-02.
    clock.set(day(2026, 3, 2));
    let catalog = service.catalog();
    let granted: BTreeSet<ItemId> = catalog.grants.iter().map(|g| g.item).collect();
    let (list, version) = catalog
        .lists
        .iter()
        .filter(|l| matches!(l.scope, ListScope::Unit { .. }))
        .find_map(|l| {
            let v = catalog.latest_version(l.id)?;
            let ok = v.status == VersionStatus::Published
                && v.entries.len() >= 4
                && v.entries.iter().all(|e| !granted.contains(&e.item));
            ok.then(|| (l.clone(), v.clone()))
        })
        .ok_or_else(|| internal("a published department list without grants"))?;
    let content = |i: usize| {
        catalog.content(&version.entries[i]).cloned().ok_or_else(|| internal("item content"))
    };
    let (a, c) = (content(0)?, content(2)?);
    let mut amended = a.clone();
    amended.handling_office = Some("行政审批科（政务服务中心窗口）".into());
    let mut added = c.clone();
    added.name = format!("{}（告知承诺制）", c.name);
    added.local_code = None;
    added.base_code = None;
    added.impl_code = None;
    let input = |action, item, content| ChangeInput {
        list: list.id,
        action,
        item,
        base: None,
        duty: None,
        content,
        reason: "深化“放管服”改革，推行告知承诺制，调整承办机构".into(),
        basis: "县委机构编制委员会2026年第1次会议纪要".into(),
    };
    let new = NewChangeSet {
        title: format!("关于调整{}权责清单的方案", list.name),
        effective_on: day(2026, 7, 1),
        changes: vec![
            input(ChangeAction::Amend, Some(version.entries[0].item), Some(amended)),
            input(ChangeAction::Remove, Some(version.entries[1].item), None),
            input(ChangeAction::Add, None, Some(added)),
        ],
        countersigners: vec![],
        ratification: None,
    };
    let (view, _) = service.create_change_set(editor, new).await?;
    let id = view.set.id;
    let act = |who: &CurrentUser, action: ChangeSetCommand| {
        let who = who.clone();
        async move { service.act_on_change_set(Some(&who), id, action).await }
    };
    let removed = version.entries[1].item;
    // Three rounds: an objection not adopted, an amendment partly adopted, then agreement.
    let rounds: [(StanceKind, &str, Option<&str>, ResolutionKind, &str); 3] = [
        (
            StanceKind::Object,
            "该事项仍有一定办理量，建议暂缓取消",
            None,
            ResolutionKind::NotAdopted,
            "该事项已由省级统一办理，县级不再保留",
        ),
        (
            StanceKind::Amend,
            "建议在办事指南中注明告知承诺的适用范围",
            Some("增加“适用告知承诺制的情形”"),
            ResolutionKind::PartlyAdopted,
            "适用范围在办事指南中注明，清单不再列出",
        ),
        (StanceKind::Agree, "", None, ResolutionKind::Adopted, ""),
    ];
    for (n, (stance, reason, proposed, resolution, answer)) in rounds.into_iter().enumerate() {
        let out =
            act(editor, ChangeSetCommand::SendRound { units: None, working_days: None }).await?;
        let unit = out.change_set.rounds[n]
            .tasks
            .first()
            .map(|t| t.unit)
            .ok_or_else(|| internal("a round without tasks"))?;
        clock.set(day(2026, 3, 3 + 2 * n as u32));
        let opinion = OpinionInput {
            item: Some(removed),
            stance,
            proposed: proposed.map(str::to_owned),
            reason: reason.to_owned(),
        };
        act(clerk, ChangeSetCommand::Reply { unit, opinions: vec![opinion] }).await?;
        let set = service.change_set(id).await?.set;
        for o in set.rounds[n].opinions.iter().filter(|o| o.resolution.is_none()) {
            let action = ChangeSetCommand::Resolve {
                opinion: o.id,
                kind: resolution,
                reason: answer.to_owned(),
            };
            act(editor, action).await?;
        }
        act(editor, ChangeSetCommand::CloseRound).await?;
    }
    // 公示 for seven working days (the minimum), one comment answered.
    clock.set(day(2026, 3, 9));
    act(editor, ChangeSetCommand::OpenComment { until: day(2026, 3, 18) }).await?;
    service.comment_on_change_set(id, None, "建议将调整后的办事指南一并公布，方便群众查询").await?;
    clock.set(day(2026, 3, 19));
    let comment = service
        .change_set(id)
        .await?
        .set
        .comments
        .and_then(|c| c.comments.first().map(|c| c.id))
        .ok_or_else(|| internal("the public comment"))?;
    let answer = ChangeSetCommand::Answer {
        comment,
        kind: ResolutionKind::Adopted,
        text: "采纳，办事指南将与清单同步公布".into(),
    };
    act(editor, answer).await?;
    // Legality review, approval, publication.
    let out = act(editor, ChangeSetCommand::SubmitForReview).await?;
    let items: Vec<ItemId> = out
        .change_set
        .review
        .as_ref()
        .map(|r| r.findings.iter().map(|f| f.item).collect())
        .unwrap_or_default();
    clock.set(day(2026, 3, 20));
    for item in items {
        act(justice, ChangeSetCommand::Verdict { item, pass: true, reason: String::new() }).await?;
    }
    act(editor, ChangeSetCommand::SubmitForApproval).await?;
    clock.set(day(2026, 3, 23));
    let approve = ChangeSetCommand::Approve {
        meeting: "县委机构编制委员会2026年第2次会议".into(),
        decided_on: day(2026, 3, 23),
        doc_no: format!("{}〔2026〕12号", quanze_demo::data::DOC_PREFIX),
    };
    act(leader, approve).await?;
    act(editor, ChangeSetCommand::Publish).await?;
    Ok(())
}

async fn establishment(
    service: &Service,
    clock: &HistoryClock,
    editor: &CurrentUser,
) -> ServiceResult<()> {
    clock.set(day(2026, 4, 1));
    let catalog = service.catalog();
    let change = |c| service.change_establishment(editor, c);
    for town in catalog.units.iter().filter(|u| u.kind.is_township_level()) {
        // Subdistricts have one body fewer (no 自然资源 office).
        let n = if town.kind == UnitKind::Subdistrict { 6 } else { 7 };
        let bodies = TOWN_BODIES[..n]
            .iter()
            .map(|(name, functions)| FunctionalBody {
                name: (*name).to_owned(),
                functions: (*functions).to_owned(),
            })
            .collect();
        change(EstablishmentChange::SetBodies { town: town.id, bodies }).await?;
    }
    // The baseline: departments 8–20 administrative posts, towns 30–45 of both kinds.
    let mut quotas = Vec::new();
    for (i, u) in catalog.units.iter().enumerate() {
        let i = i as u32;
        let (admin, inst, leaders) = match u.kind {
            UnitKind::Department => (8 + i % 13, 4 + i % 7, 3 + i % 2),
            k if k.is_township_level() => (30 + i % 16, 25 + i % 11, 9),
            _ => continue,
        };
        for (kind, amount) in [
            (QuotaKind::Administrative, admin),
            (QuotaKind::Institutional, inst),
            (QuotaKind::LeaderPosts, leaders),
        ] {
            quotas.push(Quota { unit: u.id, kind, amount });
        }
    }
    change(EstablishmentChange::AdjustQuotas {
        quotas: quotas.clone(),
        reason: "2026年机构编制核定（基数）".into(),
        approval: None,
    })
    .await?;
    // Two posts move from one department to another; the total is unchanged.
    let depts: Vec<_> =
        catalog.units.iter().filter(|u| u.kind == UnitKind::Department).map(|u| u.id).collect();
    let (Some(&d1), Some(&d2)) = (depts.first(), depts.get(1)) else {
        return Err(internal("the demo county needs two departments"));
    };
    let e = service.catalog().establishment.clone();
    let admin = |u| e.quota(u, QuotaKind::Administrative);
    clock.set(day(2026, 5, 6));
    change(EstablishmentChange::AdjustQuotas {
        quotas: vec![
            Quota { unit: d1, kind: QuotaKind::Administrative, amount: admin(d1) - 2 },
            Quota { unit: d2, kind: QuotaKind::Administrative, amount: admin(d2) + 2 },
        ],
        reason: "职责划转，编制随职责调整".into(),
        approval: None,
    })
    .await?;
    // A cut in every town's institutional posts by one (只减不增).
    clock.set(day(2026, 6, 1));
    let cut = catalog
        .units
        .iter()
        .filter(|u| u.kind.is_township_level())
        .map(|u| Quota {
            unit: u.id,
            kind: QuotaKind::Institutional,
            amount: e.quota(u.id, QuotaKind::Institutional).saturating_sub(1),
        })
        .collect();
    change(EstablishmentChange::AdjustQuotas {
        quotas: cut,
        reason: "精简事业编制".into(),
        approval: None,
    })
    .await?;
    // One approved increase: two more administrative posts for the first 经济发达镇.
    let developed = Tag::parse(quanze_demo::data::TAG_DEVELOPED)?;
    if let Some(town) = catalog.units.iter().find(|u| u.tags.contains(&developed)) {
        clock.set(day(2026, 6, 15));
        change(EstablishmentChange::AdjustQuotas {
            quotas: vec![Quota {
                unit: town.id,
                kind: QuotaKind::Administrative,
                amount: e.quota(town.id, QuotaKind::Administrative) + 2,
            }],
            reason: "经济发达镇扩权强镇，承接县级赋权事项".into(),
            approval: Some(QuotaApproval {
                approver: "市机构编制委员会".into(),
                doc_no: DocNo::parse("某编〔2026〕21号")?,
                approved_on: day(2026, 6, 10),
            }),
        })
        .await?;
    }
    // Two seconded units (派驻机构) under their real parents: a market-supervision office of the
    // 市场监督管理局 and a natural-resources office of the 自然资源 department.
    let towns: Vec<_> =
        catalog.units.iter().filter(|u| u.kind == UnitKind::Township).take(2).cloned().collect();
    let parent = |part: &str| {
        catalog
            .units
            .iter()
            .find(|u| u.kind == UnitKind::Department && u.name.contains(part))
            .map(|u| u.id)
            .ok_or_else(|| internal(&format!("no department {part}")))
    };
    let offices = [
        ("市场监督管理所", 60u8, parent("市场监督管理局")?),
        ("自然资源所", 40, parent("自然资源")?),
    ];
    for (town, (name, percent, d1)) in towns.iter().zip(offices) {
        let (unit, _, _) = service
            .create_unit(
                Some(editor),
                NewUnit {
                    name: format!("{}{name}", town.name),
                    kind: UnitKind::Seconded,
                    region: town.region.clone(),
                    credit_code: None,
                    parent: Some(d1),
                    tags: BTreeSet::new(),
                },
            )
            .await?;
        change(EstablishmentChange::SetSecondment {
            secondment: Secondment {
                unit,
                department: d1,
                town: town.id,
                town_appraisal_percent: percent,
                town_consulted_on_appointments: true,
                since: day(2026, 1, 1),
            },
        })
        .await?;
    }
    Ok(())
}
