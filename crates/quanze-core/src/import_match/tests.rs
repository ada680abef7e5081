//! One table: each case a base version, the catalogue's item versions and the file's rows,
//! and the rendered result expected. Ids are small numbers; new ones come from 100 up.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::*;
use crate::codes::{BaseCode, ImplCode};
use crate::fixtures::{item, power, uid, unit};
use crate::ids::ListVersionId;
use crate::item::PowerCategory;
use crate::list::VersionStatus;
use crate::unit::Tag;

const IMPL: &str = "11321281014422781F5000117025000";
const MAIN: &str = "权责清单";
const DIFF: &str = "差异声明";

/// The catalogue's item versions, by (item, version).
struct Stored(HashMap<(ItemId, u32), ItemContent>);

impl ItemVersions for Stored {
    fn content(&self, item: ItemId, version: u32) -> Option<&ItemContent> {
        self.0.get(&(item, version))
    }
}

/// A base version: its entries (item, version, duty own) and its overrides.
type Base = (Vec<(u128, u32)>, Vec<Override>);

struct Case {
    name: &'static str,
    template: bool,
    /// The list's newest version, if any.
    base: Option<Base>,
    /// Every item version the catalogue holds.
    stored: Vec<(u128, u32, ItemContent)>,
    rows: Vec<ImportRow>,
    expect: &'static str,
}

fn c(name: &str) -> ItemContent {
    power(name, PowerCategory::Licensing, unit(1))
}
/// The same item (same key) with other content.
fn edited(mut content: ItemContent, remark: &str) -> ItemContent {
    content.remarks = Some(remark.into());
    content
}
fn sub(name: &str, sub_item: &str) -> ItemContent {
    ItemContent { sub_item: Some(sub_item.into()), ..c(name) }
}
fn coded(name: &str) -> ItemContent {
    ItemContent { impl_code: Some(ImplCode::parse(IMPL).expect("valid code")), ..c(name) }
}
fn based(name: &str) -> ItemContent {
    let code = BaseCode::parse(&IMPL[19..]).expect("valid code");
    ItemContent { base_code: Some(code), ..c(name) }
}

fn row(n: u32, content: ItemContent) -> ImportRow {
    ImportRow { sheet: MAIN.into(), row: n, content, duty: DutyKind::Own, difference: None }
}
fn with_duty(mut row: ImportRow, duty: DutyKind) -> ImportRow {
    row.duty = duty;
    row
}
fn differs(
    n: u32,
    content: ItemContent,
    target: OverrideTarget,
    kind: DifferenceKind,
) -> ImportRow {
    let difference = Some(RowDifference { target, kind, reason: "理由".into() });
    ImportRow { sheet: DIFF.into(), row: n, difference, ..row(n, content) }
}
fn tag(name: &str) -> OverrideTarget {
    OverrideTarget::Tag { tag: Tag::parse(name).expect("valid tag") }
}
fn town(n: u128) -> OverrideTarget {
    OverrideTarget::Town { unit: unit(n) }
}
fn add_override(target: OverrideTarget, n: u128, version: u32) -> Override {
    let entry = ListEntry { item: item(n), item_version: version, duty: DutyKind::Own };
    Override { target, change: OverrideChange::Add { entry }, reason: String::new() }
}

fn cases() -> Vec<Case> {
    use DifferenceKind::{Add, Remove};
    let cooperate = DutyKind::Cooperate { lead: unit(5) };
    vec![
        Case {
            name: "no base version: every row is added, new ids in row order",
            template: false,
            base: None,
            stored: vec![],
            rows: vec![row(2, c("甲")), row(3, c("乙"))],
            expect: "entries: 100v1 101v1 | overrides: - | new: 100v1甲 101v1乙 \
                     | +2 ~0 =0 -0 | problems: -",
        },
        Case {
            name: "same content is unchanged: keeps its id and version",
            template: false,
            base: Some((vec![(1, 3)], vec![])),
            stored: vec![(1, 1, c("甲")), (1, 2, c("甲")), (1, 3, c("甲"))],
            rows: vec![row(2, c("甲"))],
            expect: "entries: 1v3 | overrides: - | new: - | +0 ~0 =1 -0 | problems: -",
        },
        Case {
            name: "changed content: the same item, one version up",
            template: false,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, c("甲"))],
            rows: vec![row(2, edited(c("甲"), "改"))],
            expect: "entries: 1v2 | overrides: - | new: 1v2甲 | +0 ~1 =0 -0 | problems: -",
        },
        Case {
            name: "a changed item's version follows the newest stored, not the base's",
            template: false,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, c("甲")), (1, 2, edited(c("甲"), "二"))],
            rows: vec![row(2, edited(c("甲"), "三"))],
            expect: "entries: 1v3 | overrides: - | new: 1v3甲 | +0 ~1 =0 -0 | problems: -",
        },
        Case {
            name: "the newest stored version is the end of the unbroken run from 1",
            template: false,
            base: Some((vec![(1, 3)], vec![])),
            stored: vec![(1, 1, c("甲")), (1, 3, c("甲"))],
            rows: vec![row(2, edited(c("甲"), "改"))],
            expect: "entries: 1v2 | overrides: - | new: 1v2甲 | +0 ~1 =0 -0 | problems: -",
        },
        Case {
            name: "without version 1 stored, a change follows the base's version",
            template: false,
            base: Some((vec![(1, 3)], vec![])),
            stored: vec![(1, 3, c("甲"))],
            rows: vec![row(2, edited(c("甲"), "改"))],
            expect: "entries: 1v4 | overrides: - | new: 1v4甲 | +0 ~1 =0 -0 | problems: -",
        },
        Case {
            name: "an item missing from the file is removed",
            template: false,
            base: Some((vec![(1, 1), (2, 1)], vec![])),
            stored: vec![(1, 1, c("甲")), (2, 1, c("乙"))],
            rows: vec![row(2, c("甲"))],
            expect: "entries: 1v1 | overrides: - | new: - | +0 ~0 =1 -1 | problems: -",
        },
        Case {
            name: "an empty file removes every entry",
            template: false,
            base: Some((vec![(1, 1), (2, 1)], vec![])),
            stored: vec![(1, 1, c("甲")), (2, 1, c("乙"))],
            rows: vec![],
            expect: "entries: - | overrides: - | new: - | +0 ~0 =0 -2 | problems: -",
        },
        Case {
            name: "matched by 实施编码 even when renamed",
            template: false,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, coded("甲"))],
            rows: vec![row(2, coded("乙"))],
            expect: "entries: 1v2 | overrides: - | new: 1v2乙 | +0 ~1 =0 -0 | problems: -",
        },
        Case {
            name: "a row with a 实施编码 does not match an uncoded item of the same name",
            template: false,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, c("甲"))],
            rows: vec![row(2, coded("甲"))],
            expect: "entries: 100v1 | overrides: - | new: 100v1甲 | +1 ~0 =0 -1 | problems: -",
        },
        Case {
            name: "without codes, name and sub-item match after trimming",
            template: false,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, sub("甲", "子"))],
            rows: vec![row(2, sub(" 甲 ", " 子 "))],
            expect: "entries: 1v2 | overrides: - | new: 1v2 甲  | +0 ~1 =0 -0 | problems: -",
        },
        Case {
            name: "another sub-item of the same name is another item",
            template: false,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, sub("甲", "子一"))],
            rows: vec![row(2, sub("甲", "子二"))],
            expect: "entries: 100v1 | overrides: - | new: 100v1甲 | +1 ~0 =0 -1 | problems: -",
        },
        Case {
            name: "the 基本编码 plays no part in matching",
            template: false,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, based("甲"))],
            rows: vec![row(2, based("乙"))],
            expect: "entries: 100v1 | overrides: - | new: 100v1乙 | +1 ~0 =0 -1 | problems: -",
        },
        Case {
            name: "a base entry the catalogue lacks matches nothing",
            template: false,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![],
            rows: vec![row(2, c("甲"))],
            expect: "entries: 100v1 | overrides: - | new: 100v1甲 | +1 ~0 =0 -1 | problems: -",
        },
        Case {
            name: "two new rows with the same content are one new item, counted once",
            template: false,
            base: None,
            stored: vec![],
            rows: vec![row(2, c("甲")), row(3, c("甲"))],
            expect: "entries: 100v1 100v1 | overrides: - | new: 100v1甲 | +1 ~0 =0 -0 \
                     | problems: -",
        },
        Case {
            name: "two rows of an unchanged item count twice",
            template: false,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, c("甲"))],
            rows: vec![row(2, c("甲")), row(3, c("甲"))],
            expect: "entries: 1v1 1v1 | overrides: - | new: - | +0 ~0 =2 -0 | problems: -",
        },
        Case {
            name: "two new rows with one key and other content: the second is version 2",
            template: false,
            base: None,
            stored: vec![],
            rows: vec![row(2, c("甲")), row(3, edited(c("甲"), "改"))],
            expect: "entries: 100v1 100v2 | overrides: - | new: 100v1甲 100v2甲 \
                     | +1 ~1 =0 -0 | problems: -",
        },
        Case {
            name: "two changed rows with one key and other content: two new versions",
            template: false,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, c("甲"))],
            rows: vec![row(2, edited(c("甲"), "一")), row(3, edited(c("甲"), "二"))],
            expect: "entries: 1v2 1v3 | overrides: - | new: 1v2甲 1v3甲 | +0 ~2 =0 -0 \
                     | problems: -",
        },
        Case {
            name: "the row's duty kind goes into the entry; a duty alone changes nothing",
            template: false,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, c("甲"))],
            rows: vec![
                with_duty(row(2, c("甲")), DutyKind::Reclaimed { receiver: unit(6) }),
                with_duty(row(3, c("乙")), cooperate),
            ],
            expect: "entries: 1v1/reclaimed:6 100v1/cooperate:5 | overrides: - \
                     | new: 100v1乙 | +1 ~0 =1 -0 | problems: -",
        },
        Case {
            name: "a template row added for a tag",
            template: true,
            base: None,
            stored: vec![],
            rows: vec![row(2, c("甲")), differs(2, c("乙"), tag("蓄滞洪区"), Add)],
            expect: "entries: 100v1 | overrides: tag:蓄滞洪区+101v1 | new: 100v1甲 101v1乙 \
                     | +2 ~0 =0 -0 | problems: -",
        },
        Case {
            name: "a town's variant of a template row shares its new version, with its duty",
            template: true,
            base: None,
            stored: vec![],
            rows: vec![row(2, c("甲")), with_duty(differs(2, c("甲"), town(11), Add), cooperate)],
            expect: "entries: 100v1 | overrides: town:11+100v1/cooperate:5 | new: 100v1甲 \
                     | +1 ~0 =0 -0 | problems: -",
        },
        Case {
            name: "a changed template row and its town variant share one new version",
            template: true,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, c("甲"))],
            rows: vec![
                row(2, edited(c("甲"), "改")),
                differs(2, edited(c("甲"), "改"), town(11), Add),
            ],
            expect: "entries: 1v2 | overrides: town:11+1v2 | new: 1v2甲 | +0 ~1 =0 -0 \
                     | problems: -",
        },
        Case {
            name: "an unchanged template row's town variant is counted unchanged again",
            template: true,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, c("甲"))],
            rows: vec![row(2, c("甲")), differs(2, c("甲"), town(11), Add)],
            expect: "entries: 1v1 | overrides: town:11+1v1 | new: - | +0 ~0 =2 -0 \
                     | problems: -",
        },
        Case {
            name: "不承担 of a template row is a Remove override of its item",
            template: true,
            base: None,
            stored: vec![],
            rows: vec![row(2, c("甲")), row(3, c("乙")), differs(2, c("乙"), town(12), Remove)],
            expect: "entries: 100v1 101v1 | overrides: town:12-101 | new: 100v1甲 101v1乙 \
                     | +2 ~0 =0 -0 | problems: -",
        },
        Case {
            name: "不承担 of an item not among the file's template rows is a problem",
            template: true,
            base: Some((vec![(1, 1)], vec![])),
            stored: vec![(1, 1, c("甲"))],
            rows: vec![row(2, c("乙")), differs(9, c("甲"), town(12), Remove)],
            expect: "entries: 100v1 | overrides: - | new: 100v1乙 | +1 ~0 =0 -1 \
                     | problems: variant_unknown_item@差异声明:9:事项名称",
        },
        Case {
            name: "difference rows in a unit's list: one problem, not matched, no overrides",
            template: false,
            base: Some((vec![(1, 1)], vec![add_override(town(11), 1, 1)])),
            stored: vec![(1, 1, c("甲"))],
            rows: vec![
                row(2, c("甲")),
                differs(4, c("乙"), tag("蓄滞洪区"), Add),
                differs(5, c("丙"), town(12), Remove),
            ],
            expect: "entries: 1v1 | overrides: - | new: - | +0 ~0 =1 -0 \
                     | problems: variant_outside_template@差异声明",
        },
        Case {
            name: "a file without difference rows keeps the base version's overrides",
            template: true,
            base: Some((vec![(1, 1)], vec![add_override(town(11), 5, 1)])),
            stored: vec![(1, 1, c("甲")), (5, 1, c("戊"))],
            rows: vec![row(2, c("甲"))],
            expect: "entries: 1v1 | overrides: town:11+5v1 | new: - | +0 ~0 =1 -0 \
                     | problems: -",
        },
        Case {
            name: "a file with difference rows replaces the base version's overrides",
            template: true,
            base: Some((vec![(1, 1)], vec![add_override(town(11), 5, 1)])),
            stored: vec![(1, 1, c("甲")), (5, 1, c("戊"))],
            rows: vec![row(2, c("甲")), differs(2, c("甲"), town(12), Remove)],
            expect: "entries: 1v1 | overrides: town:12-1 | new: - | +0 ~0 =1 -0 \
                     | problems: -",
        },
        Case {
            name: "items a base override adds are matched too",
            template: true,
            base: Some((vec![(1, 1)], vec![add_override(town(11), 5, 1)])),
            stored: vec![(1, 1, c("甲")), (5, 1, c("戊"))],
            rows: vec![row(2, c("甲")), differs(2, c("戊"), tag("蓄滞洪区"), Add)],
            expect: "entries: 1v1 | overrides: tag:蓄滞洪区+5v1 | new: - | +0 ~0 =2 -0 \
                     | problems: -",
        },
        Case {
            name: "an entry and an override item with one key: the entry wins",
            template: true,
            base: Some((vec![(1, 1)], vec![add_override(town(11), 5, 1)])),
            stored: vec![(1, 1, c("甲")), (5, 1, edited(c("甲"), "镇"))],
            rows: vec![row(2, edited(c("甲"), "镇"))],
            expect: "entries: 1v2 | overrides: town:11+5v1 | new: 1v2甲 | +0 ~1 =0 -0 \
                     | problems: -",
        },
    ]
}

fn short(id: ItemId) -> u128 {
    id.as_uuid().as_u128()
}

fn entry_text(e: &ListEntry) -> String {
    let duty = match e.duty {
        DutyKind::Own => String::new(),
        d => format!("/{}:{}", d.code(), d.counterpart().map_or(0, |u| u.as_uuid().as_u128())),
    };
    format!("{}v{}{duty}", short(e.item), e.item_version)
}

fn list_text(parts: Vec<String>) -> String {
    if parts.is_empty() { "-".into() } else { parts.join(" ") }
}

fn render(m: &ImportMatch) -> String {
    let entries = list_text(m.entries.iter().map(entry_text).collect());
    let overrides = list_text(
        m.overrides
            .iter()
            .map(|o| {
                let target = match &o.target {
                    OverrideTarget::Tag { tag } => format!("tag:{tag}"),
                    OverrideTarget::Town { unit } => format!("town:{}", unit.as_uuid().as_u128()),
                };
                match &o.change {
                    OverrideChange::Add { entry } => format!("{target}+{}", entry_text(entry)),
                    OverrideChange::Remove { item } => format!("{target}-{}", short(*item)),
                }
            })
            .collect(),
    );
    let new = list_text(
        m.new_items
            .iter()
            .map(|i| format!("{}v{}{}", short(i.id), i.version, i.content.name))
            .collect(),
    );
    let problems = list_text(
        m.problems
            .iter()
            .map(|p| {
                let mut s = format!("{}@{}", p.code(), p.sheet());
                if let Some(row) = p.row() {
                    write!(s, ":{row}").expect("writing to a string");
                }
                if let Some(column) = p.column() {
                    write!(s, ":{column}").expect("writing to a string");
                }
                s
            })
            .collect(),
    );
    format!(
        "entries: {entries} | overrides: {overrides} | new: {new} | +{} ~{} ={} -{} \
         | problems: {problems}",
        m.added, m.changed, m.unchanged, m.removed
    )
}

fn run(case: &Case) -> ImportMatch {
    let scope = if case.template {
        ListScope::TownshipTemplate {
            county: crate::codes::RegionCode::parse("330603").expect("valid region"),
        }
    } else {
        ListScope::Unit { unit: unit(1) }
    };
    let base = case.base.as_ref().map(|(entries, overrides)| ListVersion {
        id: ListVersionId::from_uuid(uid(900)),
        list: crate::fixtures::list(1),
        number: 1,
        status: VersionStatus::Published,
        effective_from: None,
        effective_until: None,
        doc_no: None,
        entries: entries
            .iter()
            .map(|&(n, version)| ListEntry {
                item: item(n),
                item_version: version,
                duty: DutyKind::Own,
            })
            .collect(),
        overrides: overrides.clone(),
    });
    let stored = Stored(
        case.stored.iter().map(|(n, v, content)| ((item(*n), *v), content.clone())).collect(),
    );
    let mut next = 100;
    match_import(&scope, base.as_ref(), &stored, &case.rows, || {
        next += 1;
        item(next - 1)
    })
}

#[test]
fn matching_table() {
    let failures: Vec<String> = cases()
        .iter()
        .filter_map(|case| {
            let got = render(&run(case));
            (got != case.expect)
                .then(|| format!("{}\n  expected: {}\n  got:      {got}", case.name, case.expect))
        })
        .collect();
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn problems_carry_both_messages() {
    let removed = ImportProblem::RemovedItemNotInTemplate {
        sheet: DIFF.into(),
        row: 9,
        name: "食品经营许可".into(),
    };
    assert_eq!(removed.message_zh(), "差异为“不承担”的事项“食品经营许可”不在模板中");
    assert_eq!(removed.message_en(), "the removed item 食品经营许可 is not in the template");
    assert_eq!(removed.severity(), Severity::Error);
    let outside = ImportProblem::DifferenceOutsideTemplate { sheet: DIFF.into() };
    assert_eq!(outside.message_zh(), "只有乡镇权责清单模板可以有差异声明；本清单属于一个单位");
    assert_eq!((outside.row(), outside.column()), (None, None));
}

#[test]
fn new_ids_are_asked_once_per_added_item() {
    let rows = vec![row(2, c("甲")), row(3, c("甲")), row(4, c("乙"))];
    let mut asked = 0;
    let stored = Stored(HashMap::new());
    let scope = ListScope::Unit { unit: unit(1) };
    let result = match_import(&scope, None, &stored, &rows, || {
        asked += 1;
        item(200 + asked)
    });
    assert_eq!(asked, 2);
    assert_eq!(result.added, 2);
}
