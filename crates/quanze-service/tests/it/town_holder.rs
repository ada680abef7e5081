//! A town's list names the town as 实施主体 of its 基本履职 and the department the township
//! template names as 业务指导部门 — in the holdings and the item query as the API returns them,
//! on the printable page, and in the xlsx, csv and json exports — and agrees with `holds()`:
//! the town exercises those entries in its own name. Read back into the template, a town's
//! export changes nothing.

use quanze_core::{DutyKind, Exercise, ItemId, ListScope, PowerSource, Unit, UnitId};
use quanze_exchange::{ImportOptions, UnitDirectory, import_csv, import_json, import_xlsx};
use quanze_service::Service;
use quanze_service::lists::{ExportFormat, ItemQuery, ItemView};

use crate::helpers::{demo, login};

/// A town whose resolved list is the template's own (no declared difference applies to it).
fn plain_town(service: &Service) -> Unit {
    let catalog = service.catalog();
    let template = catalog
        .lists
        .iter()
        .find(|l| matches!(l.scope, ListScope::TownshipTemplate { .. }))
        .expect("the demo has a township template");
    let version = catalog.version_on(template.id, service.today()).expect("in force");
    catalog
        .units
        .iter()
        .filter(|u| u.kind.is_township_level())
        .find(|u| {
            let mut entries = version.entries.clone();
            entries.sort_by_key(|e| e.item);
            version.resolve_for(u) == entries
        })
        .map(|u| (**u).clone())
        .expect("a town without differences")
}

/// What a town's list must show for one entry: the town for its 基本履职 (the entrusting
/// department for one it exercises as 委托), the stored department otherwise.
fn expected(view: &ItemView, town: UnitId) -> (UnitId, Option<UnitId>) {
    let stored = view.content.holder;
    match view.duty {
        DutyKind::Own if view.content.source == PowerSource::Entrusted => {
            (view.content.grant.as_ref().map_or(stored, |l| l.department), None)
        }
        DutyKind::Own if stored != town => (town, Some(stored)),
        _ => (stored, None),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_towns_list_names_the_town_as_holder_and_the_department_as_guide() {
    let (_dir, service) = demo().await;
    let town = plain_town(&service);
    let today = service.today();
    let held = service.holdings(town.id, today).unwrap();
    let kinds = |f: fn(&ItemView, UnitId) -> bool| held.iter().filter(|v| f(v, town.id)).count();
    let own = kinds(|v, t| expected(v, t).0 == t);
    let entrusted =
        kinds(|v, _| v.duty == DutyKind::Own && v.content.source == PowerSource::Entrusted);
    let others = kinds(|v, _| v.duty != DutyKind::Own);
    assert!(own >= 50 && entrusted >= 5 && others >= 100, "{own} {entrusted} {others}");

    for view in &held {
        let (holder, guide) = expected(view, town.id);
        assert_eq!((view.content.holder(), view.content.guide()), (holder, guide), "{view:?}");
        // As the API returns it: the content's holder, and its guide beside it.
        let json = serde_json::to_value(view).unwrap();
        assert_eq!(json["content"]["holder"], serde_json::json!(holder), "{json}");
        assert_eq!(json["content"]["guide"], serde_json::json!(guide), "{json}");
        assert_eq!(json["content"]["name"], serde_json::json!(view.content.name));
        // holds() agrees: 基本履职 in the town's own name, 委托 in the department's.
        if view.duty == DutyKind::Own {
            let exercise = service.holds(town.id, view.item, today).expect("held").exercise;
            let in_own_name = holder == town.id;
            assert_eq!(exercise == Exercise::OwnName, in_own_name, "{exercise:?} {view:?}");
            if !in_own_name {
                assert_eq!(exercise, Exercise::InNameOf { department: holder });
            }
        }
    }

    // The item query for the town says the same; a department's list is as stored.
    let query = ItemQuery { unit: Some(town.id), limit: 500, ..ItemQuery::default() };
    let page = service.items(&query).unwrap();
    assert_eq!(page.total, held.len());
    for view in &page.items {
        assert_eq!((view.content.holder(), view.content.guide()), expected(view, town.id));
    }
    let department = held.iter().find_map(|v| v.content.guide()).expect("a guiding department");
    for view in service.holdings(department, today).unwrap() {
        assert_eq!((view.content.holder(), view.content.guide()), (view.content.holder, None));
        assert!(serde_json::to_value(&view).unwrap()["content"].get("guide").is_none());
    }

    // The printable page of the town's list.
    let catalog = service.catalog();
    let template = catalog.lists_for_unit(&town)[0].id;
    let page = service.print_view(template, None, Some(town.id)).unwrap();
    let name = |u: UnitId| catalog.unit(u).unwrap().name.clone();
    assert!(page.for_town);
    let guided: Vec<_> = page.rows.iter().filter(|r| !r.guide.is_empty()).collect();
    assert_eq!(guided.len(), kinds(|v, t| expected(v, t).1.is_some()));
    assert!(guided.iter().all(|r| r.holder == town.name && r.duty == "基本履职"), "{guided:?}");
    assert!(guided.iter().any(|r| r.guide == name(department)));
    // The template itself, read for no town, names the departments and shows no such column.
    let whole = service.print_view(template, None, None).unwrap();
    assert!(!whole.for_town && whole.rows.iter().all(|r| r.guide.is_empty()));
    assert!(whole.rows.iter().all(|r| r.holder != town.name));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_towns_export_names_the_town_and_reads_back_into_the_template() {
    let (_dir, service) = demo().await;
    let editor = login(&service, "editor").await;
    let town = plain_town(&service);
    let held = service.holdings(town.id, service.today()).unwrap();
    let expect = |item: ItemId| {
        let view = held.iter().find(|v| v.item == item).expect("held");
        expected(view, town.id)
    };
    let catalog = service.catalog();
    let template = catalog.lists_for_unit(&town)[0].clone();
    let version = catalog.version_on(template.id, service.today()).unwrap().clone();
    let units = UnitDirectory::new(&catalog.units);
    // The xlsx a county downloads, read back by the exchange crate: each row names its
    // 实施主体 and 业务指导部门 as the town's list does.
    let (_, xlsx) =
        service.export_version(version.id, Some(town.id), ExportFormat::Xlsx, None).unwrap();
    let (_, csv) =
        service.export_version(version.id, Some(town.id), ExportFormat::Csv, None).unwrap();
    let (_, json) =
        service.export_version(version.id, Some(town.id), ExportFormat::Json, None).unwrap();
    let header = String::from_utf8(csv.clone()).unwrap();
    let header = header.lines().next().unwrap();
    assert!(header.contains("实施主体,业务指导部门"), "{header}");
    let options = ImportOptions::default();
    for imported in [
        import_xlsx(&xlsx, &units, &options).unwrap(),
        import_csv(&csv, &units, &options).unwrap(),
        import_json(&json, &units, &options).unwrap(),
    ] {
        assert!(!imported.has_errors(), "{:#?}", imported.problems);
        assert_eq!(imported.items.len(), held.len());
        let mut guided = 0;
        for row in &imported.items {
            let c = &row.item.content;
            let view = held
                .iter()
                .find(|v| v.content.display_name() == c.display_name() && v.duty == row.item.duty)
                .expect("each row is an entry of the town");
            assert_eq!((c.holder, row.item.guide), expect(view.item), "{}", c.display_name());
            guided += usize::from(row.item.guide.is_some());
        }
        assert!(guided >= 50, "{guided}");
    }

    // Read into the template, the town's list changes nothing: the 业务指导部门 is the holder
    // the template stores.
    let outcome = service.import_list(&editor, template.id, &xlsx, true, None).await.unwrap();
    let errors: Vec<_> = outcome.problems.iter().filter(|p| p.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        (outcome.added, outcome.changed, outcome.removed, outcome.unchanged),
        (0, 0, 0, version.entries.len()),
        "{outcome:?}"
    );
}
