//! Every kind of write changes the in-memory catalogue in step with the store: after each one,
//! the service's catalogue equals one rebuilt from a store snapshot on everything a reader can
//! see, and differs from the catalogue before the write (so the comparison sees the change).

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Duration;
use quanze_core::devolution::{GrantTarget, TrainedStaff, TrainingRecord};
use quanze_core::establishment::Quota;
use quanze_core::{
    DocNo, EstablishmentChange, GrantMode, ListScope, ListVersion, ListVersionId, OverrideChange,
    PowerCategory, PowerItem, QuotaKind, Region, RegionCode, UnitKind, VersionStatus,
};
use quanze_service::devolution::{NewGrant, ReadinessInput};
use quanze_service::lists::{ExportFormat, NewUnit};
use quanze_service::{Catalog, Config, CurrentUser, Service};
use quanze_store::DraftWrite;

async fn login(service: &Service, name: &str) -> CurrentUser {
    let login = service.login(name, quanze_service::demo::DEMO_PASSWORD).await.unwrap();
    service.authenticate(&login.token).await.unwrap()
}

/// Checks the catalogue after `what` against a rebuild, and against the one before it.
async fn check(service: &Service, before: &Catalog, what: &str) {
    let started = std::time::Instant::now();
    let rebuilt = Catalog::build(service.store().snapshot().await.unwrap());
    let now = service.catalog();
    let differences = now.differences(&rebuilt);
    assert!(
        differences.is_empty(),
        "after {what}, the catalogue is not a rebuild:\n{}",
        differences.join("\n")
    );
    assert!(!before.differences(&rebuilt).is_empty(), "{what} changed nothing a reader sees");
    eprintln!("{what}: checked in {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_keeps_the_catalogue_equal_to_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(&quanze_store::testing::sqlite_url(dir.path()), Config::default())
        .await
        .unwrap();
    service.load_demo(7).await.unwrap();
    let editor = login(&service, "editor").await;
    let today = service.today();
    let start = service.catalog();
    assert!(start.differences(&start).is_empty());
    let county = start
        .lists
        .iter()
        .find_map(|l| match &l.scope {
            ListScope::TownshipTemplate { county } => Some(county.clone()),
            ListScope::Unit { .. } => None,
        })
        .expect("the demo has a township template");

    // Regions: one renamed, one added.
    let before = service.catalog();
    let mut renamed = before
        .regions
        .iter()
        .find(|r| r.code.is_within(&county) && r.code != county)
        .unwrap()
        .clone();
    renamed.name.push_str("（更名）");
    let new_code = format!("{}199000", &county.as_str()[..6]);
    assert!(before.regions.iter().all(|r| r.code.as_str() != new_code));
    let added = Region { code: RegionCode::parse(&new_code).unwrap(), name: "新设镇".into() };
    service.put_regions(Some(&editor), vec![renamed, added.clone()]).await.unwrap();
    check(&service, &before, "a region write").await;

    // Units: a department and a town created, then changed.
    let before = service.catalog();
    let dept_unit = before.units.iter().find(|u| u.kind == UnitKind::Department).unwrap().clone();
    let new_dept = NewUnit {
        name: "县新设局".into(),
        kind: UnitKind::Department,
        region: dept_unit.region.clone(),
        credit_code: None,
        parent: None,
        tags: BTreeSet::new(),
    };
    let (dept, _, _) = service.create_unit(Some(&editor), new_dept.clone()).await.unwrap();
    check(&service, &before, "a department created").await;
    let before = service.catalog();
    // A town with the tags of the town whose tags the template's overrides use the most.
    let tagged = before
        .units
        .iter()
        .filter(|u| u.kind.is_township_level() && u.region.is_within(&county))
        .max_by_key(|u| u.tags.len())
        .unwrap()
        .clone();
    let new_town = NewUnit {
        name: "新设镇人民政府".into(),
        kind: UnitKind::Township,
        region: added.code.clone(),
        credit_code: None,
        parent: None,
        tags: tagged.tags.clone(),
    };
    let (town, _, _) = service.create_unit(Some(&editor), new_town.clone()).await.unwrap();
    check(&service, &before, "a town created").await;
    assert!(
        service.catalog().holdings.holdings(town, today).next().is_some(),
        "the new town holds the template"
    );
    let before = service.catalog();
    service
        .update_unit(
            Some(&editor),
            dept,
            NewUnit { name: "县新设管理局".into(), ..new_dept.clone() },
        )
        .await
        .unwrap();
    check(&service, &before, "a department renamed").await;
    let before = service.catalog();
    let untagged = NewUnit { tags: BTreeSet::new(), ..new_town.clone() };
    service.update_unit(Some(&editor), town, untagged).await.unwrap();
    check(&service, &before, "a town's tags changed").await;
    let before = service.catalog();
    let subdistrict = NewUnit { kind: UnitKind::Subdistrict, ..new_town };
    service.update_unit(Some(&editor), town, subdistrict).await.unwrap();
    check(&service, &before, "a town made a subdistrict").await;

    // A list for the new department, and its drafts.
    let before = service.catalog();
    let (list, _) = service
        .create_list(Some(&editor), "县新设管理局权责清单", ListScope::Unit { unit: dept })
        .await
        .unwrap();
    check(&service, &before, "a list created").await;
    let source = before
        .lists
        .iter()
        .filter(|l| matches!(l.scope, ListScope::Unit { unit } if unit == dept_unit.id))
        .find_map(|l| before.version_on(l.id, today))
        .expect("the department has a list in force")
        .clone();
    let base = source.entries[0];
    let content = before.content(&base).unwrap().clone();
    let new_item = quanze_core::ItemId::from_uuid(uuid::Uuid::now_v7());
    let item = |version: u32, name: &str| PowerItem {
        id: new_item,
        version,
        content: quanze_core::ItemContent { holder: dept, name: name.into(), ..content.clone() },
    };
    let entry = |version: u32| quanze_core::ListEntry {
        item: new_item,
        item_version: version,
        duty: base.duty,
    };
    let draft = ListVersion {
        id: ListVersionId::from_uuid(uuid::Uuid::now_v7()),
        list,
        number: 1,
        status: VersionStatus::Draft,
        effective_from: None,
        effective_until: None,
        doc_no: None,
        entries: vec![entry(1)],
        overrides: Vec::new(),
    };
    // The search index, built now, follows every change below.
    service.warm_search().unwrap();
    let search =
        |q: &str| quanze_service::search::SearchRequest { q: q.into(), ..Default::default() };
    let before = service.catalog();
    let write = DraftWrite { version: draft.clone(), new_items: vec![item(1, "新设事项")] };
    service.save_draft(Some(&editor), write).await.unwrap();
    check(&service, &before, "a draft saved").await;
    // Saved again with the item's second version: the first is neither pinned nor latest.
    let before = service.catalog();
    let second = ListVersion { entries: vec![entry(2)], ..draft.clone() };
    let write =
        DraftWrite { version: second, new_items: vec![item(2, "新设事项（修订）")] };
    service.save_draft(Some(&editor), write).await.unwrap();
    check(&service, &before, "a draft saved again").await;
    assert!(service.catalog().item(new_item, 1).is_none());
    let before = service.catalog();
    let leader = login(&service, "leader").await;
    let approval = quanze_core::list_approval::ListApproval::parse(
        "县委机构编制委员会",
        "县委编委2026年第5次会议",
        today,
        DocNo::parse("某编发〔2026〕9号").unwrap(),
        false,
        None,
    )
    .unwrap();
    let named = |page: quanze_service::search::SearchPage| {
        page.hits.iter().filter(|h| h.name.starts_with("新设事项")).count()
    };
    let draft_only = service.search_items(&search("新设事项")).unwrap();
    assert_eq!(named(draft_only), 0, "a draft is not public");
    // Nor its item's wording: the public's lookup does not know an item only a draft names.
    assert_eq!(service.catalog().public_item_version(new_item), None);
    assert!(matches!(
        service.authority_lookup(new_item, None, None),
        Err(quanze_service::ServiceError::NotFound(_))
    ));
    service.publish(Some(&leader), draft.id, today, approval).await.unwrap();
    check(&service, &before, "a publication").await;
    let found = service.search_items(&search("新设事项")).unwrap();
    assert_eq!(found.hits[0].name, "新设事项（修订）", "the published version, found at once");
    assert_eq!(service.catalog().public_item_version(new_item), Some(2));
    let lookup = service.authority_lookup(new_item, None, None).unwrap();
    assert_eq!(lookup.name, "新设事项（修订）");
    assert_eq!(named(found), 1);
    assert!(service.catalog().holdings.holds(dept, new_item, today).is_some());
    // A unit renamed: its items are found by the new name at once.
    let renamed = NewUnit { name: "县新设服务局".into(), ..new_dept };
    service.update_unit(Some(&editor), dept, renamed).await.unwrap();
    let by_unit = service.search_items(&search("新设服务局")).unwrap();
    assert!(
        by_unit.hits.iter().any(|h| h.name == "新设事项（修订）" && h.unit_name == "县新设服务局"),
        "{by_unit:?}"
    );

    // The template: imported, its differences declared, discarded.
    let catalog = service.catalog();
    let template = catalog
        .lists
        .iter()
        .find(|l| matches!(l.scope, ListScope::TownshipTemplate { .. }))
        .unwrap()
        .clone();
    let published = catalog.version_on(template.id, today).unwrap().clone();
    let (_, bytes) = service.export_version(published.id, None, ExportFormat::Xlsx, None).unwrap();
    let before = service.catalog();
    let outcome = service.import_list(&editor, template.id, &bytes, false, None).await.unwrap();
    check(&service, &before, "an import").await;
    let imported = outcome.version.unwrap();
    let before = service.catalog();
    let kept: Vec<_> = published
        .overrides
        .iter()
        .filter(|o| matches!(o.change, OverrideChange::Remove { .. }))
        .cloned()
        .collect();
    assert!(kept.len() < published.overrides.len(), "the template adds items by override");
    service.set_overrides(&editor, imported, kept).await.unwrap();
    check(&service, &before, "overrides set").await;
    let before = service.catalog();
    service.discard_draft(&editor, imported).await.unwrap();
    check(&service, &before, "a draft discarded").await;

    // Devolution: a grant to two towns, one ready, one by override, one reclaimed.
    let catalog = service.catalog();
    let (from, power) = catalog
        .lists
        .iter()
        .filter_map(|l| match l.scope {
            ListScope::Unit { unit } => Some((unit, catalog.version_on(l.id, today)?)),
            ListScope::TownshipTemplate { .. } => None,
        })
        .filter(|(u, _)| catalog.unit(*u).is_some_and(|u| u.kind == UnitKind::Department))
        .find_map(|(u, v)| {
            v.entries
                .iter()
                .find(|e| {
                    catalog.content(e).is_some_and(|c| c.category == PowerCategory::Licensing)
                        && !catalog.grants.iter().any(|g| g.item == e.item)
                })
                .map(|e| (u, e.item))
        })
        .expect("a department licensing power");
    let towns: Vec<_> = catalog
        .units
        .iter()
        .filter(|u| u.kind.is_township_level() && u.id != town)
        .take(2)
        .map(|u| u.id)
        .collect();
    let (t1, t2) = (towns[0], towns[1]);
    let new = NewGrant {
        item: power,
        from,
        to: GrantTarget::Towns { towns: BTreeSet::from([t1, t2]) },
        mode: GrantMode::Direct,
        effective_from: today,
        effective_until: None,
        batch: "增量测试".into(),
        confirmation_doc: Some("某政发〔2026〕30号".into()),
        provincial_decision: None,
        entrustment: None,
        own_name_basis: Some(quanze_core::devolution::OwnNameBasis {
            kind: quanze_core::devolution::OwnNameBasisKind::ConcentratedLicensing,
            basis: quanze_core::LegalRef::article("中华人民共和国行政许可法", 25),
            doc_no: None,
        }),
    };
    let before = service.catalog();
    let (view, _) = service.create_grant(&editor, new).await.unwrap();
    check(&service, &before, "a grant").await;
    let grant = view.grant.id;
    let full = ReadinessInput {
        staff: vec![TrainedStaff {
            name: "王五".into(),
            trainings: vec![TrainingRecord { course: "业务培训".into(), date: today }],
        }],
        system_access: true,
        seal: true,
        funding: true,
        guidance_doc: Some("办事指南".into()),
        confirmed_on: Some(today),
        officers: Vec::new(),
    };
    let before = service.catalog();
    service.record_readiness(&editor, grant, t1, full).await.unwrap();
    check(&service, &before, "readiness").await;
    assert!(service.holds(t1, power, today).is_some());
    let before = service.catalog();
    service.override_readiness(&leader, grant, t2, "县政府同意先行承接", today).await.unwrap();
    check(&service, &before, "an override").await;
    let before = service.catalog();
    let back = today + Duration::days(30);
    service.reclaim(&editor, grant, t1, back, "承接能力不足", None).await.unwrap();
    check(&service, &before, "a reclaim").await;
    assert!(service.holds(t1, power, back).is_none());

    // The establishment.
    let before = service.catalog();
    let (staffed, now) = before
        .units
        .iter()
        .map(|u| (u.id, before.establishment.quota(u.id, QuotaKind::Administrative)))
        .max_by_key(|(_, n)| *n)
        .unwrap();
    assert!(now > 0, "the demo has administrative quotas");
    let cut = EstablishmentChange::AdjustQuotas {
        quotas: vec![Quota { unit: staffed, kind: QuotaKind::Administrative, amount: now - 1 }],
        reason: "精简".into(),
        approval: None,
    };
    service.change_establishment(&editor, cut).await.unwrap();
    check(&service, &before, "an establishment change").await;

    // A failed write leaves the catalogue as it was.
    let before = service.catalog();
    let again = service.discard_draft(&editor, imported).await;
    assert!(again.is_err());
    assert!(Arc::ptr_eq(&before, &service.catalog()));
}
