//! 申请材料加密 — what sealing an applicant's upload at rest costs (issue 17, stop 33): SM4-CTR
//! and HMAC-SM3 under the personal-data key ([`PersonalKey::seal`], and [`PersonalKey::open`]
//! when it is read), against the SM3 digest every upload already took before it was stored
//! (the baseline, same bytes, same run). Sizes: a 1 MiB scan and the 20 MiB upload limit.
//!
//! `cargo bench -p quanze-service --bench sealing`; figures in docs/performance.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use quanze_ledger::HashAlg;
use quanze_service::cases::PersonalKey;

fn sealing(c: &mut Criterion) {
    let key = PersonalKey::generate();
    for (label, size) in [("1MiB", 1usize << 20), ("20MiB", 20 << 20)] {
        let content: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
        let sealed = key.seal(&content);
        let mut group = c.benchmark_group(format!("material_{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.sample_size(if size > 1 << 20 { 10 } else { 30 });
        group.bench_function("sm3_digest_baseline", |b| {
            b.iter(|| HashAlg::Sm3.digest(std::hint::black_box(&content)))
        });
        group.bench_function("seal", |b| b.iter(|| key.seal(std::hint::black_box(&content))));
        group.bench_function("open", |b| b.iter(|| key.open(std::hint::black_box(&sealed))));
        group.finish();
    }
}

criterion_group!(benches, sealing);
criterion_main!(benches);
