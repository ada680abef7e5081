//! Publishing a change set of 100,000 items, and the diff of two 100,000-item versions
//! (issue 4's figures), through the real service on a real SQLite file.
//!
//! - Baseline, same run: the registry's own publication of a 100,000-item draft
//!   (`Service::save_draft` then `Service::publish`), the path a list took before change sets.
//! - Figure 0 (issue 14): `create_change_set` of N amendments, whose ledger event commits to
//!   the changes by their SM3 digest (it carried them whole: 434 MB at 100,000), and the
//!   recomputation of that digest from the stored changes.
//! - Setup: one department with a published list of N items (contents from
//!   `quanze_demo::province_catalogue`); a change set amending every item (a new 承办机构),
//!   taken through one round of opinions, the automatic legality review, the reviewer's table
//!   of verdicts, approval — each step timed too, since each reads the whole change set (its
//!   100,000 changes are rows written once; a step rewrites only the workflow document).
//! - Figure 1: `act_on_change_set(Publish)` — reads the change set, builds the next version
//!   from the newest published one (re-checking every change), writes it and the change set's
//!   state in one transaction, updates the catalogue with the published list, and answers with
//!   the change set's new state.
//! - Figure 2: `diff_versions(old, new)`, median of 5; against, in the same run, a naive diff
//!   that compares each item's JSON (`serde_json::Value`) side by side.
//!
//! `cargo bench -p quanze-service --bench governance` (N = 100,000; `QUANZE_BENCH_ITEMS`
//! changes it). Run as a test (`cargo test --benches`) it uses 2,000 items.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use quanze_core::list_approval::ListApproval;
use quanze_core::schedule::Ratification;
use quanze_core::{
    DocNo, DutyKind, ItemId, LawLevel, ListEntry, ListScope, ListVersion, ListVersionId, Region,
    RegionCode, Role, RoleAssignment, UnitKind, Username, VersionStatus,
};
use quanze_service::auth::NewUser;
use quanze_service::changesets::{
    ChangeAction, ChangeInput, ChangeSetCommand, NewChangeSet, VerdictInput,
};
use quanze_service::laws::NewLaw;
use quanze_service::lists::NewUnit;
use quanze_service::{Config, CurrentUser, Service};
use quanze_store::DraftWrite;

const PASSWORD: &str = "Bench#2026pass";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

async fn user(service: &Service, name: &str, role: Role) -> CurrentUser {
    let new = NewUser {
        username: Username::parse(name).expect("name"),
        display_name: name.to_owned(),
        password: PASSWORD.to_owned(),
        roles: vec![RoleAssignment { role, unit: None }],
    };
    service.create_user(None, new).await.expect("user");
    let login = service.login(name, PASSWORD).await.expect("login");
    service.authenticate(&login.token).await.expect("token")
}

/// A naive diff: every item's JSON on both sides, compared whole.
fn naive_diff(service: &Service, a: ListVersionId, b: ListVersionId) -> usize {
    let catalog = service.catalog();
    let side = |id| -> HashMap<ItemId, serde_json::Value> {
        let v = catalog.version(id).expect("version");
        v.entries
            .iter()
            .map(|e| {
                let c = catalog.content(e).expect("content");
                (e.item, serde_json::to_value(c).expect("json"))
            })
            .collect()
    };
    let (left, right) = (side(a), side(b));
    let changed = left.iter().filter(|(k, v)| right.get(*k).is_some_and(|r| r != *v)).count();
    let added = right.keys().filter(|k| !left.contains_key(*k)).count();
    let removed = left.keys().filter(|k| !right.contains_key(*k)).count();
    changed + added + removed
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("governance: bench");
        return;
    }
    let bench = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("QUANZE_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench { 100_000 } else { 2_000 });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(n));
}

async fn run(n: usize) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let url = quanze_store::testing::sqlite_url(dir.path());
    let service = Service::open(&url, Config::default()).await.expect("service");
    let regions =
        [("330000000000", "浙江省"), ("330600000000", "绍兴市"), ("330603000000", "柯桥区")]
            .iter()
            .map(|(c, name)| Region {
                code: RegionCode::parse(c).expect("code"),
                name: (*name).into(),
            })
            .collect();
    service.put_regions(None, regions).await.expect("regions");
    let (dept, _, _) = service
        .create_unit(
            None,
            NewUnit {
                name: "柯桥区市场监督管理局".into(),
                kind: UnitKind::Department,
                region: RegionCode::parse("330603000000").expect("code"),
                credit_code: None,
                parent: None,
                tags: Default::default(),
            },
        )
        .await
        .expect("unit");
    let (list, _) = service
        .create_list(None, "柯桥区市场监督管理局权责清单", ListScope::Unit { unit: dept })
        .await
        .expect("list");

    // The baseline: the registry's publication of an N-item draft.
    let catalogue = quanze_demo::province_catalogue(2026, n);
    let mut items = Vec::with_capacity(n);
    for county in catalogue.counties() {
        for item in &county.items {
            let mut p = catalogue.power_item(item);
            // Items share content templates: give each its own name and no codes, so the
            // review finds no duplicates.
            p.content.name = format!("{}（{}）", p.content.name, items.len() + 1);
            p.content.sub_item = None;
            p.content.base_code = None;
            p.content.impl_code = None;
            p.content.local_code = None;
            p.content.holder = dept;
            p.content.cooperation.clear();
            items.push(p);
            if items.len() == n {
                break;
            }
        }
        if items.len() == n {
            break;
        }
    }
    let entries: Vec<ListEntry> = items
        .iter()
        .map(|p| ListEntry { item: p.id, item_version: p.version, duty: DutyKind::Own })
        .collect();
    let v1 = ListVersionId::from_uuid(uuid::Uuid::now_v7());
    let draft = ListVersion {
        id: v1,
        list,
        number: 1,
        status: VersionStatus::Draft,
        effective_from: None,
        effective_until: None,
        doc_no: None,
        entries,
        overrides: vec![],
    };
    let t = Instant::now();
    service
        .save_draft(None, DraftWrite { version: draft, new_items: items.clone() })
        .await
        .expect("draft");
    let doc = DocNo::parse("柯编〔2026〕1号").expect("doc");
    // Outside a change set a publication carries its 审定; the date lies in the past on
    // today's clock, so it is recorded as 追认.
    let approval = ListApproval::parse(
        "柯桥区委机构编制委员会",
        "区委编委2025年第9次会议",
        day(2025, 12, 20),
        doc,
        true,
        Ratification::parse(Some("基准：采用已审定的清单")),
    )
    .expect("approval");
    service.publish(None, v1, day(2026, 1, 1), approval).await.expect("publish");
    let baseline = t.elapsed();
    println!("baseline: registry save_draft + publish of {n} items: {}", secs(baseline));

    // Every law the items cite, in force, so the review has no findings to stop a pass.
    let mut titles: Vec<String> = items
        .iter()
        .flat_map(|p| {
            let c = &p.content;
            c.legal_basis
                .iter()
                .chain(c.responsibilities.iter().flat_map(|r| &r.basis))
                .chain(c.accountability.iter().flat_map(|a| &a.basis))
                .map(|l| l.law.clone())
        })
        .collect();
    titles.sort();
    titles.dedup();
    for title in titles {
        let new = NewLaw {
            title,
            level: LawLevel::Law,
            issuer: "全国人民代表大会常务委员会".into(),
            in_force_from: day(2000, 1, 1),
        };
        // Two spellings of one title are one law: the second is refused, which is fine.
        let _ = service.register_law(None, new).await;
    }

    let editor = user(&service, "bench_editor", Role::StaffingEditor).await;
    let justice = user(&service, "bench_justice", Role::JusticeReviewer).await;
    let leader = user(&service, "bench_leader", Role::Leader).await;
    let changes = items
        .iter()
        .map(|p| {
            let mut content = p.content.clone();
            content.handling_office = Some("行政审批服务科".into());
            ChangeInput {
                list,
                action: ChangeAction::Amend,
                item: Some(p.id),
                base: None,
                duty: None,
                content: Some(content),
                reason: "承办机构调整".into(),
                basis: "区委编委2026年第3次会议纪要".into(),
            }
        })
        .collect();
    let new = NewChangeSet {
        title: "关于调整承办机构的方案".into(),
        effective_on: day(2027, 1, 1),
        changes,
        countersigners: vec![],
        ratification: None,
    };
    let t = Instant::now();
    let (view, leaf) = service.create_change_set(&editor, new).await.expect("change set");
    println!("create_change_set ({n} amendments): {} (goal ≤ 10 s)", secs(t.elapsed()));
    let id = view.set.id;
    // The ledger proves what was proposed: its event holds the digest of the changes, and
    // the stored changes recompute it.
    let t = Instant::now();
    let check = service.verify_change_set_changes(id, leaf).await.expect("verify");
    assert!(check.matches, "the stored changes match the ledger's digest");
    let event = service.store().events(leaf, 1).await.expect("event");
    let leaf_bytes = event.first().map_or(0, |e| e.leaf_bytes().len());
    println!(
        "verify_change_set_changes (recompute the SM3 of {n} stored changes): {}; the drafting event's leaf is {leaf_bytes} bytes",
        secs(t.elapsed())
    );
    let act = |who: &CurrentUser, action: ChangeSetCommand| {
        let service = &service;
        let who = who.clone();
        async move { service.act_on_change_set(Some(&who), id, action).await.expect("action") }
    };
    let steps: Vec<(&str, &CurrentUser, ChangeSetCommand)> = vec![
        (
            "send_round",
            &editor,
            ChangeSetCommand::SendRound { units: Some(vec![dept]), working_days: None },
        ),
        ("reply", &editor, ChangeSetCommand::Reply { unit: dept, opinions: vec![] }),
        ("close_round", &editor, ChangeSetCommand::CloseRound),
        ("submit_for_review (automatic checks)", &editor, ChangeSetCommand::SubmitForReview),
    ];
    for (name, who, action) in steps {
        let t = Instant::now();
        act(who, action).await;
        println!("{name}: {}", secs(t.elapsed()));
    }
    let verdicts = items
        .iter()
        .map(|p| VerdictInput { item: p.id, pass: true, reason: String::new() })
        .collect();
    let t = Instant::now();
    act(&justice, ChangeSetCommand::Verdicts { verdicts }).await;
    println!("verdicts ({n} in one table): {}", secs(t.elapsed()));
    // Where an action's time goes: reading the stored change set, and building its view.
    let t = Instant::now();
    let stored = service.store().change_set(id).await.expect("read");
    let read = t.elapsed();
    let t = Instant::now();
    let doc = serde_json::to_vec(&stored.set).expect("json");
    let serialise = t.elapsed();
    let t = Instant::now();
    service.change_set(id).await.expect("view");
    println!(
        "one action's parts: read and parse the stored change set {} ({} MB); serialise it {}; read and build its view {}",
        secs(read),
        doc.len() / 1_000_000,
        secs(serialise),
        secs(t.elapsed())
    );
    let t = Instant::now();
    service.reload().await.expect("reload");
    println!("catalogue reload before publication ({n} item versions): {}", secs(t.elapsed()));
    act(&editor, ChangeSetCommand::SubmitForApproval).await;
    let approve = ChangeSetCommand::Approve {
        meeting: "区委编委2026年第4次会议".into(),
        decided_on: day(2026, 12, 1),
        doc_no: "柯编〔2026〕40号".into(),
    };
    act(&leader, approve).await;

    let t = Instant::now();
    let out = act(&editor, ChangeSetCommand::Publish).await;
    let publish = t.elapsed();
    let v2 = out.change_set.published[0];
    let t = Instant::now();
    service.reload().await.expect("reload");
    println!("catalogue reload after publication (2 × {n} item versions): {}", secs(t.elapsed()));
    println!(
        "publish change set of {n} items: {} (goal ≤ 10 s); baseline {}: {:.2}x",
        secs(publish),
        secs(baseline),
        publish.as_secs_f64() / baseline.as_secs_f64()
    );

    let mut ours = Vec::new();
    let mut naive = Vec::new();
    let mut sizes = (0, 0);
    for _ in 0..5 {
        let t = Instant::now();
        let diff = service.diff_versions(v1, v2).expect("diff");
        ours.push(t.elapsed());
        sizes.0 = diff.changed.len() + diff.added.len() + diff.removed.len();
        let t = Instant::now();
        sizes.1 = naive_diff(&service, v1, v2);
        naive.push(t.elapsed());
    }
    ours.sort();
    naive.sort();
    assert_eq!(sizes.0, n, "every item changed");
    assert_eq!(sizes.1, n, "the naive diff agrees");
    println!(
        "diff_versions of two {n}-item versions: median {} (goal ≤ 2 s); naive JSON diff {}: {:.2}x",
        secs(ours[2]),
        secs(naive[2]),
        ours[2].as_secs_f64() / naive[2].as_secs_f64()
    );
}
