//! Ledger benchmarks; figures and the command are recorded in docs/performance/ledger.md.
//!
//! - `hash/*`: raw SM3 and SHA-256 of a 200-byte input, the baseline for everything else.
//! - `append/*`: 100,000 appends of 200-byte leaves into a fresh `MemoryTree`.
//! - `proof_10m/*`: inclusion and consistency proofs (and their verification) in an SM3
//!   tree of 10,000,000 leaves, built once.
//! - `stream/*`: 100,000 leaves of 200 bytes through a `CompactRange`, ending with the root.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use quanze_ledger::{CompactRange, HashAlg, MemoryTree, verify_consistency, verify_inclusion};

const LEAF_LEN: usize = 200;
const BATCH: usize = 100_000;
const BIG: u64 = 10_000_000;

fn leaves(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let mut leaf = vec![0u8; LEAF_LEN];
            leaf[..8].copy_from_slice(&(i as u64).to_be_bytes());
            leaf
        })
        .collect()
}

fn hashing(c: &mut Criterion) {
    let input = [0x5au8; LEAF_LEN];
    let mut group = c.benchmark_group("hash");
    group.throughput(Throughput::Elements(1));
    for alg in HashAlg::ALL {
        group.bench_function(format!("{alg}_200B"), |b| b.iter(|| alg.digest(black_box(&input))));
    }
    group.finish();
}

fn appending(c: &mut Criterion) {
    let data = leaves(BATCH);
    let mut group = c.benchmark_group("append");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BATCH as u64));
    for alg in HashAlg::ALL {
        group.bench_function(format!("{alg}_200B_x100k"), |b| {
            b.iter(|| {
                let mut tree = MemoryTree::new(alg);
                for leaf in &data {
                    tree.append(leaf);
                }
                tree.root()
            })
        });
    }
    group.finish();
}

fn proofs(c: &mut Criterion) {
    let alg = HashAlg::Sm3;
    let started = Instant::now();
    let mut tree = MemoryTree::with_capacity(alg, BIG as usize);
    let mut leaf = [0u8; LEAF_LEN];
    for i in 0..BIG {
        leaf[..8].copy_from_slice(&i.to_be_bytes());
        tree.append(&leaf);
    }
    eprintln!("built a {BIG}-leaf SM3 tree in {:.1} s", started.elapsed().as_secs_f64());
    let root = tree.root();

    let mut group = c.benchmark_group("proof_10m");
    // Walk the leaves with a large odd stride so successive proofs touch different nodes.
    let mut index = 0u64;
    group.bench_function("inclusion_sm3", |b| {
        b.iter(|| {
            index = (index + 7_777_777) % BIG;
            tree.inclusion_proof(black_box(index), BIG).expect("in range")
        })
    });
    let mut old_size = 1u64;
    group.bench_function("consistency_sm3", |b| {
        b.iter(|| {
            old_size = 1 + (old_size + 7_777_777) % (BIG - 1);
            tree.consistency_proof(black_box(old_size), BIG).expect("in range")
        })
    });
    let (leaf_index, old) = (1_234_567u64, 6_543_210u64);
    let inclusion = tree.inclusion_proof(leaf_index, BIG).expect("proof");
    let leaf_hash = tree.leaf_hash(leaf_index).expect("leaf");
    group.bench_function("verify_inclusion_sm3", |b| {
        b.iter(|| verify_inclusion(alg, &leaf_hash, leaf_index, BIG, black_box(&inclusion), &root))
    });
    let consistency = tree.consistency_proof(old, BIG).expect("proof");
    let old_root = tree.root_at(old).expect("root");
    group.bench_function("verify_consistency_sm3", |b| {
        b.iter(|| verify_consistency(alg, old, BIG, &old_root, &root, black_box(&consistency)))
    });
    group.finish();
}

fn streaming(c: &mut Criterion) {
    let data = leaves(BATCH);
    let mut group = c.benchmark_group("stream");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BATCH as u64));
    for alg in HashAlg::ALL {
        group.bench_function(format!("{alg}_200B_x100k"), |b| {
            b.iter(|| {
                let mut range = CompactRange::new(alg);
                for leaf in &data {
                    range.push(leaf);
                }
                range.root()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, hashing, appending, proofs, streaming);
criterion_main!(benches);
