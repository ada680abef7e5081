//! A township template round-trips through its official xlsx with its declared differences:
//! the 差异声明 sheet carries the items a 蓄滞洪区 town adds and the item a town does not hold,
//! and importing the export gives the same entries and the same overrides.

use std::collections::BTreeSet;

use quanze_core::{ListScope, Override, OverrideChange, VersionStatus};
use quanze_service::lists::ExportFormat;

use crate::helpers::{demo, login};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_round_trips_with_its_differences() {
    let (_dir, service) = demo().await;
    let editor = login(&service, "editor").await;
    let catalog = service.catalog();
    let template = catalog
        .lists
        .iter()
        .find(|l| matches!(l.scope, ListScope::TownshipTemplate { .. }))
        .expect("the demo has a township template")
        .clone();
    let source = catalog.latest_version(template.id).unwrap().clone();
    assert_eq!(source.status, VersionStatus::Published);
    let kinds = |o: &[Override]| {
        o.iter().map(|o| matches!(o.change, OverrideChange::Add { .. })).collect::<BTreeSet<_>>()
    };
    assert_eq!(
        kinds(&source.overrides).len(),
        2,
        "the demo adds and removes: {:?}",
        source.overrides
    );

    let (_, bytes) = service.export_version(source.id, None, ExportFormat::Xlsx, None).unwrap();
    let outcome = service.import_list(&editor, template.id, &bytes, false, None).await.unwrap();
    let errors: Vec<_> = outcome.problems.iter().filter(|p| p.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!((outcome.added, outcome.changed, outcome.removed), (0, 0, 0), "{outcome:?}");
    let draft = service.catalog().version(outcome.version.unwrap()).unwrap().clone();
    // The same entries (the file groups them by duty kind, so the order is the file's).
    let entries = |v: &quanze_core::ListVersion| {
        v.entries.iter().map(|e| format!("{e:?}")).collect::<BTreeSet<_>>()
    };
    assert_eq!(draft.entries.len(), source.entries.len());
    assert!(entries(&draft) == entries(&source), "entries differ");
    let set = |o: &[Override]| o.iter().map(|o| format!("{o:?}")).collect::<BTreeSet<_>>();
    assert!(
        set(&draft.overrides) == set(&source.overrides),
        "{:#?}\n{:#?}",
        draft.overrides,
        source.overrides
    );

    // Exported a second time, the draft gives the same file content back.
    let (_, again) = service.export_version(draft.id, None, ExportFormat::Xlsx, None).unwrap();
    let outcome = service.import_list(&editor, template.id, &again, true, None).await.unwrap();
    assert_eq!(outcome.rows, source.entries.len() + source.overrides.len());
    assert_eq!((outcome.added, outcome.changed, outcome.removed), (0, 0, 0), "{outcome:?}");
}
