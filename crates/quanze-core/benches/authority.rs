//! `holds(unit, item, date)` at county-and-more scale: 1,000,000 items in 40 department lists,
//! 100,000 grants to 30 towns (ready, pending and reclaimed), and a million random questions
//! — granted items in towns, the same items in their departments, ungranted items, misses.
//! Every call is timed on its own; the percentiles are printed.
//!
//! With `--features cedar-bench` the same questions (a sample) are asked of cedar-policy 4
//! with the policies selected per (unit, item) beforehand — the best a general policy engine
//! does, since its cost grows with the policies it is given — and the decisions are checked
//! to agree with the index.
//!
//! `cargo bench -p quanze-core --bench authority --features cedar-bench`

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use quanze_core::devolution::{GrantTarget, TrainedStaff, TrainingRecord};
use quanze_core::{
    AuthorityIndex, DutyKind, Grant, GrantId, GrantMode, GrantReclaim, ItemId, ListEntry,
    ListHoldings, ListId, Readiness, ReclaimId, RegionCode, Unit, UnitId, UnitKind,
};

const ITEMS: u32 = 1_000_000;
const DEPARTMENTS: u32 = 40;
const TOWNS: u32 = 30;
const GRANTS: u32 = 100_000;
const QUESTIONS: usize = 1_000_000;

fn unit_id(n: u32) -> UnitId {
    UnitId::from_uuid(uuid::Uuid::from_u128(1 << 64 | u128::from(n)))
}
fn item_id(n: u32) -> ItemId {
    ItemId::from_uuid(uuid::Uuid::from_u128(2 << 64 | u128::from(n)))
}
fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(n)
}

/// A small deterministic generator (SplitMix64): the same county every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn department_of(item: u32) -> u32 {
    item % DEPARTMENTS
}
fn town_of(grant: u32) -> u32 {
    DEPARTMENTS + grant % TOWNS
}

struct County {
    units: Vec<Unit>,
    holdings: ListHoldings,
    grants: Vec<Grant>,
    readiness: Vec<Readiness>,
    reclaims: Vec<GrantReclaim>,
}

fn county() -> County {
    let region = RegionCode::parse("330603").unwrap();
    let unit = |n: u32, kind| Unit {
        id: unit_id(n),
        name: format!("单位{n}"),
        kind,
        region: region.clone(),
        credit_code: None,
        parent: None,
        tags: Default::default(),
    };
    let mut units: Vec<Unit> = (0..DEPARTMENTS).map(|n| unit(n, UnitKind::Department)).collect();
    units.extend((0..TOWNS).map(|n| unit(DEPARTMENTS + n, UnitKind::Township)));
    let mut holdings = ListHoldings::new();
    for d in 0..DEPARTMENTS {
        let entries = (0..ITEMS)
            .filter(|i| department_of(*i) == d)
            .map(|i| ListEntry { item: item_id(i), item_version: 1, duty: DutyKind::Own })
            .collect();
        let list = ListId::from_uuid(uuid::Uuid::from_u128(3 << 64 | u128::from(d)));
        holdings.add(unit_id(d), list, day(0), None, ListHoldings::sorted(entries));
    }
    let mut rng = Rng(7);
    let modes = [GrantMode::Direct, GrantMode::Entrusted, GrantMode::ReviewPower];
    let mut grants = Vec::new();
    let mut readiness = Vec::new();
    let mut reclaims = Vec::new();
    for g in 0..GRANTS {
        // Grant g devolves item g (of department g % 40) to one town.
        let id = GrantId::from_uuid(uuid::Uuid::from_u128(4 << 64 | u128::from(g)));
        let town = unit_id(town_of(g));
        let from = day(365 + rng.below(730) as i64);
        grants.push(Grant {
            id,
            item: item_id(g),
            from: unit_id(department_of(g)),
            to: GrantTarget::Towns { towns: [town].into() },
            mode: modes[g as usize % 3],
            effective_from: from,
            effective_until: None,
            batch: format!("第{}批", 1 + g % 4),
            confirmation_doc: None,
            provincial_decision: None,
            entrustment: None,
            own_name_basis: None,
            legacy_decision: None,
        });
        let roll = rng.below(100);
        if roll < 90 {
            let on = from + chrono::Duration::days(rng.below(60) as i64);
            readiness.push(Readiness {
                staff: vec![TrainedStaff {
                    name: "承接人员".into(),
                    trainings: vec![TrainingRecord { course: "业务培训".into(), date: on }],
                }],
                system_access: true,
                seal: true,
                funding: true,
                guidance_doc: Some("办事指南".into()),
                confirmed_on: Some(on),
                ..Readiness::new(id, town)
            });
            if roll < 5 {
                reclaims.push(GrantReclaim {
                    id: ReclaimId::from_uuid(uuid::Uuid::from_u128(5 << 64 | u128::from(g))),
                    grant: id,
                    town,
                    effective_on: on + chrono::Duration::days(200),
                    reason: "承接能力不足".into(),
                    doc: None,
                });
            }
        }
    }
    County { units, holdings, grants, readiness, reclaims }
}

/// Questions: 40 % a granted item in its town, 30 % the same item in its department, 20 % an
/// ungranted item in its department, 10 % a miss (a town asked about an ungranted item).
fn questions(n: usize) -> Vec<(UnitId, ItemId, NaiveDate, u32, u32)> {
    let mut rng = Rng(11);
    (0..n)
        .map(|_| {
            let date = day(rng.below(2200) as i64);
            let roll = rng.below(10);
            let (unit, item) = if roll < 4 {
                let g = rng.below(u64::from(GRANTS)) as u32;
                (town_of(g), g)
            } else if roll < 7 {
                let g = rng.below(u64::from(GRANTS)) as u32;
                (department_of(g), g)
            } else if roll < 9 {
                let i = GRANTS + rng.below(u64::from(ITEMS - GRANTS)) as u32;
                (department_of(i), i)
            } else {
                let i = GRANTS + rng.below(u64::from(ITEMS - GRANTS)) as u32;
                (DEPARTMENTS + rng.below(u64::from(TOWNS)) as u32, i)
            };
            (unit_id(unit), item_id(item), date, unit, item)
        })
        .collect()
}

fn percentiles(label: &str, mut ns: Vec<u64>) -> (f64, f64) {
    ns.sort_unstable();
    let at = |p: f64| ns[((ns.len() as f64 - 1.0) * p) as usize] as f64;
    let mean = ns.iter().sum::<u64>() as f64 / ns.len() as f64;
    println!(
        "{label}: n={} mean={mean:.0} ns p50={:.0} ns p99={:.0} ns p99.9={:.0} ns max={:.0} ns",
        ns.len(),
        at(0.50),
        at(0.99),
        at(0.999),
        at(1.0)
    );
    (at(0.50), at(0.99))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("authority: bench");
        return;
    }
    let t = Instant::now();
    let mut c = county();
    let built = Instant::now();
    let holdings = std::mem::take(&mut c.holdings);
    let index = AuthorityIndex::build(holdings, &c.units, &c.grants, &c.readiness, &c.reclaims);
    println!(
        "setup: county {:.1} s, index build {:.2} s ({} (town, item) pairs granted)",
        (built - t).as_secs_f64(),
        built.elapsed().as_secs_f64(),
        index.n_granted()
    );
    let qs = questions(QUESTIONS);
    // Warm up, then time each call on its own.
    let mut yes = 0usize;
    for (u, i, d, ..) in qs.iter().take(100_000) {
        yes += usize::from(index.holds(*u, *i, *d).is_some());
    }
    black_box(yes);
    let mut ns = Vec::with_capacity(qs.len());
    let mut answers = Vec::with_capacity(qs.len());
    for (u, i, d, ..) in &qs {
        let start = Instant::now();
        let a = black_box(index.holds(*u, *i, *d));
        ns.push(start.elapsed().as_nanos() as u64);
        answers.push(a.is_some());
    }
    // The timer's own cost, to read the figures against.
    let mut clock = Vec::with_capacity(100_000);
    for _ in 0..100_000 {
        let start = Instant::now();
        clock.push(black_box(start.elapsed().as_nanos() as u64));
    }
    percentiles("timer alone", clock);
    let (_, p99) = percentiles("holds() (index)", ns);
    println!(
        "holds(): {} of {} questions answered yes; p99 {:.2} µs (goal ≤ 2 µs)",
        answers.iter().filter(|a| **a).count(),
        answers.len(),
        p99 / 1000.0
    );
    #[cfg(feature = "cedar-bench")]
    cedar::compare(&index, &c, &qs, p99);
    #[cfg(not(feature = "cedar-bench"))]
    println!("cedar: not compared (run with --features cedar-bench)");
}

#[cfg(feature = "cedar-bench")]
mod cedar {
    use std::collections::HashMap;
    use std::hint::black_box;
    use std::str::FromStr;
    use std::time::Instant;

    use cedar_policy::{
        Authorizer, Context, Decision, Entities, EntityUid, PolicySet, Request,
        RestrictedExpression,
    };
    use chrono::NaiveDate;
    use quanze_core::devolution::active_window;
    use quanze_core::{AuthorityIndex, ItemId, UnitId};

    use super::{County, day, percentiles};

    /// The sample of questions cedar answers (it is slower; a sample gives the same
    /// percentiles).
    const SAMPLE: usize = 100_000;

    fn day_number(d: NaiveDate) -> i64 {
        (d - day(0)).num_days()
    }

    /// The policies of one (unit, item), written from the county's data (not from the index):
    /// a department holds its items from day 0; a town holds a granted item in the grant's
    /// active window there (its start, the town's readiness, a reclaim).
    fn policies(c: &County, unit: u32, item: u32, u: UnitId, i: ItemId) -> String {
        let head = format!(
            "permit(principal == Unit::\"{u}\", action == Action::\"exercise\", resource == Item::\"{i}\")"
        );
        if unit < super::DEPARTMENTS {
            return format!("{head} when {{ context.day >= 0 }};");
        }
        let Some(g) = c.grants.get(item as usize).filter(|g| g.item == i) else {
            return String::new();
        };
        let readiness = c.readiness.iter().find(|r| r.grant == g.id && r.town == u);
        match active_window(g, u, readiness, &c.reclaims) {
            Some((from, until)) => {
                let until =
                    until.map_or(String::new(), |t| format!(" && context.day < {}", day_number(t)));
                format!("{head} when {{ context.day >= {}{until} }};", day_number(from))
            }
            None => String::new(),
        }
    }

    pub fn compare(
        index: &AuthorityIndex,
        c: &County,
        qs: &[(UnitId, ItemId, NaiveDate, u32, u32)],
        index_p99: f64,
    ) {
        let sample = &qs[..SAMPLE.min(qs.len())];
        let t = Instant::now();
        let mut sets: HashMap<(u32, u32), (PolicySet, EntityUid, EntityUid)> = HashMap::new();
        for (u, i, _, un, it) in sample {
            sets.entry((*un, *it)).or_insert_with(|| {
                let set = PolicySet::from_str(&policies(c, *un, *it, *u, *i)).expect("policies");
                let p = EntityUid::from_str(&format!("Unit::\"{u}\"")).expect("uid");
                let r = EntityUid::from_str(&format!("Item::\"{i}\"")).expect("uid");
                (set, p, r)
            });
        }
        println!(
            "cedar setup: {} policy sets for {} questions in {:.1} s",
            sets.len(),
            sample.len(),
            t.elapsed().as_secs_f64()
        );
        let action = EntityUid::from_str("Action::\"exercise\"").expect("uid");
        let authorizer = Authorizer::new();
        let entities = Entities::empty();
        let mut ns = Vec::with_capacity(sample.len());
        let mut disagree = 0usize;
        // One pass to warm up, one timed.
        for timed in [false, true] {
            for (u, i, d, un, it) in sample {
                let (set, p, r) = &sets[&(*un, *it)];
                let start = Instant::now();
                let context = Context::from_pairs([(
                    "day".to_owned(),
                    RestrictedExpression::new_long(day_number(*d)),
                )])
                .expect("context");
                let req = Request::new(p.clone(), action.clone(), r.clone(), context, None)
                    .expect("request");
                let decision = black_box(authorizer.is_authorized(&req, set, &entities)).decision();
                if timed {
                    ns.push(start.elapsed().as_nanos() as u64);
                    let ours = index.holds(*u, *i, *d).is_some();
                    disagree += usize::from(ours != (decision == Decision::Allow));
                }
            }
        }
        let (_, p99) = percentiles("cedar (policies per (unit, item))", ns);
        println!(
            "cedar: {disagree} disagreements with the index; p99 cedar / index = {:.1}x",
            p99 / index_p99
        );
        assert_eq!(disagree, 0, "cedar and the index must agree");
    }
}
