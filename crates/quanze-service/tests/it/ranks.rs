//! Issue 14 on the demo county, the rank of laws: what the rank of a law may create (设定权) is refused on the
//! write paths before anything is written; periods are stored in the unit the law counts them
//! in; a draft for an amended law does not carry old article numbers over.

use chrono::{DateTime, Utc};
use quanze_core::law::renumber::is_unconfirmed;
use quanze_core::{
    Change, ItemContent, LawLevel, LegalRef, LimitUnit, ListScope, PowerCategory, ServiceInfo,
    TimeLimit, VersionStatus,
};
use quanze_service::changesets::{ChangeAction, ChangeInput, NewChangeSet};
use quanze_service::laws::{ArticleMove, NewLaw, renumbering};
use quanze_service::{ErrorCode, Service};

use crate::helpers::{TestClock, d, demo_at, login};

async fn demo() -> (tempfile::TempDir, Service) {
    // Monday 2026-03-02, 10:00 in China.
    let start: DateTime<Utc> = "2026-03-02T02:00:00Z".parse().unwrap();
    demo_at(TestClock::at(start)).await
}

/// A published department list and a copy of its first item's content.
fn department_item(service: &Service) -> (quanze_core::ListId, ItemContent) {
    let catalog = service.catalog();
    catalog
        .lists
        .iter()
        .filter(|l| matches!(l.scope, ListScope::Unit { .. }))
        .find_map(|l| {
            let v = catalog.latest_version(l.id)?;
            if v.status != VersionStatus::Published {
                return None;
            }
            let e = v.entries.first()?;
            Some((l.id, catalog.item(e.item, e.item_version)?.content.clone()))
        })
        .expect("a published department list")
}

/// Registers a county's normative document, and returns a published department list with a
/// new penalty item's content (its legal basis still to be set).
async fn penalty_beside_a_county_document(
    service: &Service,
    editor: &quanze_service::CurrentUser,
) -> (quanze_core::ListId, ItemContent) {
    let doc = NewLaw {
        title: "清源县违法建设治理办法".into(),
        level: LawLevel::NormativeDocument,
        issuer: "清源县人民政府".into(),
        in_force_from: d(2020, 1, 1),
    };
    service.register_law(Some(editor), doc).await.unwrap();
    let (list, mut content) = department_item(service);
    content.name = "对违法建设行为的罚款".into();
    content.sub_item = None;
    content.base_code = None;
    content.category = PowerCategory::Penalty;
    content.service = None;
    (list, content)
}

fn adding(list: quanze_core::ListId, content: ItemContent) -> NewChangeSet {
    NewChangeSet {
        title: "新增事项".into(),
        effective_on: d(2026, 7, 1),
        ratification: None,
        changes: vec![ChangeInput {
            list,
            action: ChangeAction::Add,
            item: None,
            base: None,
            duty: None,
            content: Some(content),
            reason: "新设事项".into(),
            basis: "县委编委会议纪要".into(),
        }],
        countersigners: vec![],
    }
}

#[tokio::test]
async fn a_normative_document_alone_creates_no_penalty_and_nothing_is_written() {
    let (_dir, service) = demo().await;
    let editor = login(&service, "editor").await;
    let (list, mut content) = penalty_beside_a_county_document(&service, &editor).await;
    content.legal_basis = vec![LegalRef::article("清源县违法建设治理办法", 5)];

    let sets = service.change_sets().await.unwrap().len();
    let ledger = service.store().event_count().await.unwrap();
    let err = service.create_change_set(&editor, adding(list, content.clone())).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::RankCannotCreate);
    assert!(err.zh().contains("行政处罚法第十六条"), "{}", err.zh());
    assert!(err.zh().contains("第1项调整"), "{}", err.zh());
    assert_eq!(service.change_sets().await.unwrap().len(), sets, "no change set written");
    assert_eq!(service.store().event_count().await.unwrap(), ledger, "no ledger event");

    // A law beside the document creates the power.
    content.legal_basis.push(LegalRef::article("中华人民共和国城乡规划法", 64));
    service.create_change_set(&editor, adding(list, content)).await.unwrap();
}

#[tokio::test]
async fn a_revision_of_a_draft_is_held_to_the_same_rank_rule_and_keeps_its_additions_ids() {
    let (_dir, service) = demo().await;
    let editor = login(&service, "editor").await;
    let (list, mut content) = penalty_beside_a_county_document(&service, &editor).await;
    content.legal_basis = vec![LegalRef::article("中华人民共和国城乡规划法", 64)];
    let (drafted, _) =
        service.create_change_set(&editor, adding(list, content.clone())).await.unwrap();
    let id = drafted.set.id;
    let added = drafted.set.changes[0].item();

    // The revision cites the document alone: refused as the drafting is, nothing written.
    let ledger = service.store().event_count().await.unwrap();
    let mut revised = adding(list, content.clone()).changes;
    revised[0].item = Some(added);
    revised[0].content.as_mut().unwrap().legal_basis =
        vec![LegalRef::article("清源县违法建设治理办法", 5)];
    let revise = |changes| quanze_service::changesets::ChangeSetCommand::Revise { changes };
    let err =
        service.act_on_change_set(Some(&editor), id, revise(revised.clone())).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::RankCannotCreate, "{err}");
    assert!(err.zh().contains("行政处罚法第十六条"), "{}", err.zh());
    assert_eq!(service.store().event_count().await.unwrap(), ledger, "no ledger event");
    let kept = service.change_set(id).await.unwrap().set;
    assert_eq!(kept.changes[0].content().unwrap().legal_basis, content.legal_basis);

    // A lawful revision keeps the addition's id; an id the draft never gave is replaced.
    revised[0]
        .content
        .as_mut()
        .unwrap()
        .legal_basis
        .push(LegalRef::article("中华人民共和国城乡规划法", 64));
    service.act_on_change_set(Some(&editor), id, revise(revised.clone())).await.unwrap();
    assert_eq!(service.change_set(id).await.unwrap().set.changes[0].item(), added);
    let foreign = content.holder.to_string().parse().unwrap();
    revised[0].item = Some(foreign);
    service.act_on_change_set(Some(&editor), id, revise(revised)).await.unwrap();
    let now = service.change_set(id).await.unwrap().set.changes[0].item();
    assert!(now != added && now != foreign, "a new id");
}

#[tokio::test]
async fn a_licensing_period_is_stored_in_working_days_whatever_it_says() {
    let (_dir, service) = demo().await;
    let editor = login(&service, "editor").await;
    let (list, mut content) = department_item(&service);
    content.name = "新设许可事项".into();
    content.sub_item = None;
    content.base_code = None;
    content.category = PowerCategory::Licensing;
    content.legal_basis = vec![LegalRef::article("中华人民共和国行政许可法", 12)];
    let calendar = TimeLimit { amount: 20, unit: LimitUnit::CalendarDays };
    content.service =
        Some(ServiceInfo { statutory_limit: Some(calendar), ..ServiceInfo::default() });
    let (view, _) = service.create_change_set(&editor, adding(list, content)).await.unwrap();
    let stored = service.store().change_set(view.set.id).await.unwrap();
    let Change::Add { content, .. } = &stored.set.changes[0].change else { panic!("an addition") };
    let limit = content.service.as_ref().and_then(|s| s.statutory_limit);
    assert_eq!(limit, Some(TimeLimit { amount: 20, unit: LimitUnit::WorkingDays }));
}

#[tokio::test]
async fn a_draft_for_an_amended_law_marks_or_maps_every_cited_article() {
    let (_dir, service) = demo().await;
    let editor = login(&service, "editor").await;
    let laws = service.laws().await.unwrap();
    let old = laws
        .iter()
        .find(|l| l.title == "中华人民共和国行政处罚法" && l.in_force_until.is_some())
        .expect("the 1996 edition");

    // A table naming an old article twice is refused and nothing is written.
    let twice = [ArticleMove { old: 61, new: 61 }, ArticleMove { old: 61, new: 62 }];
    let err = renumbering(&twice, false).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArticleMap);
    let err = renumbering(&[ArticleMove { old: 61, new: 61 }], true).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArticleMap);

    // No table: every cited article is marked for the editor, never carried over.
    let sets = service.change_sets().await.unwrap().len();
    let unknown = renumbering(&[], false).unwrap();
    let (view, _) = service.draft_for_law(&editor, old.id, d(2027, 1, 1), unknown).await.unwrap();
    assert_eq!(service.change_sets().await.unwrap().len(), sets + 1);
    let stored = service.store().change_set(view.set.id).await.unwrap();
    let cites = |c: &Change| -> Vec<LegalRef> {
        let Change::Amend { content, .. } = c else { return vec![] };
        content
            .responsibilities
            .iter()
            .flat_map(|r| r.basis.clone())
            .chain(content.accountability.iter().flat_map(|a| a.basis.clone()))
            .filter(|r| r.law == "中华人民共和国行政处罚法")
            .collect()
    };
    let all: Vec<LegalRef> = stored.set.changes.iter().flat_map(|c| cites(&c.change)).collect();
    assert!(!all.is_empty());
    assert!(all.iter().all(|r| r.article.is_none() && is_unconfirmed(r)), "{:?}", all[0]);
    assert!(
        stored.set.changes.iter().all(|c| c.reason.contains("待确认")),
        "{}",
        stored.set.changes[0].reason
    );

    // With a table, a mapped article moves; the others are marked.
    let table = renumbering(&[ArticleMove { old: 61, new: 61 }], false).unwrap();
    let (view, _) = service.draft_for_law(&editor, old.id, d(2027, 1, 2), table).await.unwrap();
    let stored = service.store().change_set(view.set.id).await.unwrap();
    let all: Vec<LegalRef> = stored.set.changes.iter().flat_map(|c| cites(&c.change)).collect();
    assert!(all.iter().any(|r| r.article == Some(61) && !is_unconfirmed(r)));
    assert!(all.iter().filter(|r| r.article.is_none()).all(is_unconfirmed));
}
