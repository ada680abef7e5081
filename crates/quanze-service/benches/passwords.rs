//! 口令散列 — what one argon2id password check costs at the server's default cost (m=19456 KiB,
//! t=2, p=1, OWASP's first setting), with the implementation the server uses (argon2-rust, SIMD
//! chosen at run time, its arena kept between hashes as `passwords.rs` keeps it, and a fresh
//! arena each time) against the RustCrypto `argon2` crate it used before (the baseline, same
//! password, salt and cost, same run; the tags are checked equal first).
//!
//! `cargo bench -p quanze-service --bench passwords`; figures in docs/performance.md.

use criterion::{Criterion, criterion_group, criterion_main};

const PASSWORD: &[u8] = "Qz-口令-2026-bench".as_bytes();
const SALT: &[u8] = b"quanze-bench-16b";

fn passwords(c: &mut Criterion) {
    let (memory_kib, passes) = (19_456u32, 2u32);
    let baseline = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(memory_kib, passes, 1, Some(32)).unwrap(),
    );
    let params = argon2_rust::Params::builder()
        .memory(argon2_rust::params::Memory::kib(u64::from(memory_kib)))
        .passes(passes)
        .build()
        .unwrap();
    let argon2 = argon2_rust::Argon2::new(
        argon2_rust::Algorithm::Argon2id,
        argon2_rust::Version::V0x13,
        params,
    );
    let mut hasher = argon2.hasher();
    let (mut want, mut got) = ([0u8; 32], [0u8; 32]);
    baseline.hash_password_into(PASSWORD, SALT, &mut want).unwrap();
    hasher.hash_into(PASSWORD, SALT, &mut got).unwrap();
    assert_eq!(want, got, "both crates make the same tag");

    let mut group = c.benchmark_group(format!("argon2id_m{memory_kib}_t{passes}"));
    group.sample_size(30);
    group.bench_function("rustcrypto_argon2_baseline", |b| {
        b.iter(|| baseline.hash_password_into(PASSWORD, SALT, &mut want).unwrap())
    });
    group.bench_function("argon2_rust_fresh_arena", |b| {
        b.iter(|| argon2.hash_into(PASSWORD, SALT, &mut got).unwrap())
    });
    group.bench_function("argon2_rust_kept_arena", |b| {
        b.iter(|| hasher.hash_into(PASSWORD, SALT, &mut got).unwrap())
    });
    group.finish();
    println!("argon2-rust backend: {:?}", argon2_rust::detected_backend());
}

criterion_group!(benches, passwords);
criterion_main!(benches);
