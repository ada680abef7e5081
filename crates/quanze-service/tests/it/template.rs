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

/// A 差异声明 read from a file obeys the rules `set_overrides` applies, through one function:
/// a difference naming a county department as its town is refused on both paths with the same
/// code and the same reason, and neither path changes anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_difference_is_refused_for_the_reason_set_overrides_refuses_it() {
    use quanze_core::{OverrideTarget, UnitKind};
    use quanze_exchange::{ExchangeItem, Variant, VariantChange, VariantScope};
    use quanze_service::{ErrorCode, ServiceError};

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
    let department = catalog
        .units
        .iter()
        .find(|u| u.kind == UnitKind::Department)
        .expect("the demo has departments")
        .clone();
    let removed = source.entries[0];
    let reason = format!("“{}”不是本县的乡镇或街道", department.name);

    // A draft to set differences on: the template imported as it stands.
    let (_, bytes) = service.export_version(source.id, None, ExportFormat::Xlsx, None).unwrap();
    let draft_id = service
        .import_list(&editor, template.id, &bytes, false, None)
        .await
        .unwrap()
        .version
        .unwrap();
    let before = service.catalog().version(draft_id).unwrap().clone();

    // set_overrides refuses a department as a town.
    let bad = Override {
        target: OverrideTarget::Town { unit: department.id },
        change: OverrideChange::Remove { item: removed.item },
        reason: "本镇无此职责".to_owned(),
    };
    let err = service.set_overrides(&editor, draft_id, vec![bad]).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidOverride, "{err:?}");
    assert_eq!(err.zh(), format!("第1条差异：{reason}"));
    assert_eq!(service.catalog().version(draft_id).unwrap(), &before, "nothing changed");

    // The same difference on a file's 差异声明 sheet is refused for the same reason, at its row.
    let catalog = service.catalog();
    let mut rows: Vec<ExchangeItem> = before
        .entries
        .iter()
        .map(|e| ExchangeItem {
            content: catalog.content(e).unwrap().clone(),
            duty: e.duty,
            variant: None,
            guide: None,
        })
        .collect();
    rows.push(ExchangeItem {
        content: catalog.content(&removed).unwrap().clone(),
        duty: removed.duty,
        variant: Some(Variant {
            scope: VariantScope::Town { unit: department.id },
            change: VariantChange::Remove,
            reason: "本镇无此职责".to_owned(),
        }),
        guide: None,
    });
    let options = quanze_exchange::ExportOptions {
        title: template.name.clone(),
        split: quanze_exchange::SheetSplit::ByDutyKind,
        progress: None,
    };
    let file = quanze_exchange::export_xlsx(
        &rows,
        &quanze_exchange::UnitDirectory::new(&catalog.units),
        &options,
    )
    .unwrap();
    let err = service.import_list(&editor, template.id, &file, false, None).await.unwrap_err();
    let ServiceError::ImportProblems { problems } = &err else { panic!("{err:?}") };
    let refused: Vec<_> = problems.iter().filter(|p| p.is_error()).collect();
    assert_eq!(refused.len(), 1, "{refused:#?}");
    let p = refused[0];
    assert_eq!(p.code, ErrorCode::InvalidOverride.as_str());
    assert_eq!(p.message_zh, reason);
    assert_eq!(
        (p.sheet.as_str(), p.column.as_deref()),
        (quanze_exchange::VARIANT_SHEET, Some("适用范围"))
    );
    assert!(p.row.is_some(), "{p:?}");
    // Nothing changed: the open draft is the one set before, untouched.
    let after = service.catalog();
    assert_eq!(after.latest_version(template.id).unwrap(), &before);
    // A dry run reports the same problem.
    let outcome = service.import_list(&editor, template.id, &file, true, None).await.unwrap();
    assert!(outcome.problems.iter().any(|q| q == p), "{:#?}", outcome.problems);
}

/// The 乡级 segment of a unit's region code is checked against its kind as a warning: a
/// subdistrict office on a 镇 code (100–199) is stored, with the finding returned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_segment_that_disagrees_with_the_kind_warns_and_stores() {
    use quanze_core::UnitKind;
    use quanze_service::lists::NewUnit;

    let (_dir, service) = demo().await;
    let editor = login(&service, "editor").await;
    let catalog = service.catalog();
    let town = catalog
        .units
        .iter()
        .find(|u| u.kind == UnitKind::Township)
        .expect("the demo has towns")
        .clone();
    assert_eq!(town.region.township_class(), Some(quanze_core::TownshipSegment::Town));
    let new = NewUnit {
        name: "新设街道办事处".into(),
        kind: UnitKind::Subdistrict,
        region: town.region.clone(),
        credit_code: None,
        parent: None,
        tags: BTreeSet::new(),
    };
    let (id, issues, _) = service.create_unit(Some(&editor), new).await.unwrap();
    let codes: Vec<_> = issues.iter().map(|i| (i.code.as_str(), i.severity)).collect();
    assert_eq!(codes, [("region_segment_kind", quanze_core::Severity::Warning)]);
    assert!(issues[0].message_zh.contains("镇（100–199）"), "{}", issues[0].message_zh);
    assert_eq!(service.catalog().unit(id).map(|u| u.kind), Some(UnitKind::Subdistrict));
}
