//! 核验 — verifying the whole ledger: from the database (`Service::verify_ledger`, streamed in
//! batches read and hashed ahead of the replay) or from a plain-file export
//! (`verify_export`), naming the first index and kind of every damage; and the export itself.

use super::*;

/// What kind of damage verification found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DamageKind {
    /// The event at this index no longer hashes to its leaf.
    Modified,
    /// The event at this index holds what leaf `from` recorded (rows swapped or moved).
    Moved {
        /// The index whose leaf this content matches.
        from: u64,
    },
    /// No event at this index, though later ones exist.
    Missing,
    /// Events end here, but the ledger or a checkpoint covers more.
    Truncated {
        /// How many leaves the ledger or a checkpoint covers.
        expected: u64,
    },
    /// The stored leaf hash is missing.
    LeafMissing,
    /// The root recomputed from the events differs from a signed checkpoint.
    RootMismatch {
        /// The checkpoint's size.
        size: u64,
    },
    /// A checkpoint is not signed by a trusted key (key replaced, or note altered).
    BadSignature {
        /// The checkpoint's size.
        size: u64,
    },
    /// The stored ledger head differs from the events.
    HeadMismatch,
    /// An exported file is unreadable or malformed.
    Malformed,
}

/// One finding of verification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Damage {
    /// The leaf index concerned, if one can be named.
    pub index: Option<u64>,
    /// What.
    #[serde(flatten)]
    pub kind: DamageKind,
    /// Details in English.
    pub detail: String,
}

impl Damage {
    /// The finding in Chinese.
    pub fn zh(&self) -> String {
        let at = self.index.map(|i| format!("第{i}号记录")).unwrap_or_default();
        match &self.kind {
            DamageKind::Modified => format!("{at}已被篡改（内容与留痕哈希不符）"),
            DamageKind::Moved { from } => {
                format!("{at}的内容属于第{from}号记录（记录被调换或移动）")
            }
            DamageKind::Missing => format!("{at}已被删除"),
            DamageKind::Truncated { expected } => {
                format!("记录在{at}处中断，但账本或检查点记载了{expected}条")
            }
            DamageKind::LeafMissing => format!("{at}缺少留痕哈希"),
            DamageKind::RootMismatch { size } => {
                format!("前{size}条记录的根哈希与已签名检查点不符")
            }
            DamageKind::BadSignature { size } => {
                format!(
                    "规模为{size}的检查点签名无法用受信任的公钥验证（密钥被替换或检查点被改动）"
                )
            }
            DamageKind::HeadMismatch => "账本头部与记录重算结果不符".to_owned(),
            DamageKind::Malformed => format!("导出文件格式错误：{}", self.detail),
        }
    }
}

/// The outcome of verifying a ledger.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyReport {
    /// Hash algorithm.
    pub alg: String,
    /// Leaves checked.
    pub leaves: u64,
    /// Checkpoints whose signature and root were checked.
    pub checkpoints: usize,
    /// Findings, in index order; empty when the ledger is intact.
    pub damage: Vec<Damage>,
}

impl VerifyReport {
    /// Whether nothing differs.
    pub fn is_intact(&self) -> bool {
        self.damage.is_empty()
    }
}

/// Checks every signed checkpoint and returns the `(size, root)` pairs that verified.
pub(super) fn check_checkpoints(
    notes: &[(u64, String)],
    origin: Option<&str>,
    trusted: &[VerifierKey],
    damage: &mut Vec<Damage>,
) -> Vec<(u64, Hash)> {
    let mut good = Vec::new();
    for (size, note) in notes {
        let opened = SignedNote::parse(note)
            .map_err(|e| e.to_string())
            .and_then(|n| n.verify(trusted).map(|_| ()).map_err(|e| e.to_string()).map(|()| n))
            .and_then(|n| Checkpoint::parse(n.text()).map_err(|e| e.to_string()));
        match opened {
            Ok(cp) if cp.size == *size && origin.is_none_or(|o| o == cp.origin) => {
                good.push((cp.size, cp.root))
            }
            Ok(cp) => damage.push(Damage {
                index: None,
                kind: DamageKind::BadSignature { size: *size },
                detail: format!(
                    "checkpoint stored as size {size} says size {} origin {}",
                    cp.size, cp.origin
                ),
            }),
            Err(e) => damage.push(Damage {
                index: None,
                kind: DamageKind::BadSignature { size: *size },
                detail: format!(
                    "checkpoint of size {size} does not verify with the trusted key(s): {e}"
                ),
            }),
        }
    }
    good.sort_by_key(|(s, _)| *s);
    good
}

/// Replays leaf hashes and compares roots with checkpoints as sizes are reached.
pub(super) struct Replay {
    range: CompactRange,
    expected: Vec<(u64, Hash)>,
    next: usize,
}

impl Replay {
    fn new(alg: HashAlg, expected: Vec<(u64, Hash)>) -> Replay {
        let mut replay = Replay { range: CompactRange::new(alg), expected, next: 0 };
        // A checkpoint of size 0 (empty log) is checked before any leaf.
        replay.check(&mut Vec::new());
        replay
    }

    fn push(&mut self, leaf_hash: Hash, damage: &mut Vec<Damage>) {
        self.range.push_leaf_hash(leaf_hash);
        self.check(damage);
    }

    fn check(&mut self, damage: &mut Vec<Damage>) {
        while let Some((size, root)) = self.expected.get(self.next).copied() {
            if size != self.range.size() {
                break;
            }
            if self.range.root() != root {
                damage.push(Damage {
                    index: None,
                    kind: DamageKind::RootMismatch { size },
                    detail: format!(
                        "root of the first {size} leaves differs from the signed checkpoint"
                    ),
                });
            }
            self.next += 1;
        }
    }

    fn finish(self, damage: &mut Vec<Damage>) -> CompactRange {
        if let Some((size, _)) = self.expected.get(self.next) {
            damage.push(Damage {
                index: Some(self.range.size()),
                kind: DamageKind::Truncated { expected: *size },
                detail: format!(
                    "leaves end at {} but a checkpoint covers {size}",
                    self.range.size()
                ),
            });
        }
        self.range
    }
}

/// Rows swapped or moved keep their content but take another row's sequence number: an
/// altered event whose content, renumbered as altered row `j`, hashes to leaf `j` came from
/// there. Quadratic in the altered rows only (at most `MAX_ALTERED`).
/// One batch of events after `after` with the leaf hashes stored with them.
/// One batch of events as read, with the leaf hashes stored for them and those computed.
pub(super) type Batch = (Vec<Event>, HashMap<u64, Hash>, Vec<Hash>);

/// The events in batches of sequence numbers `(k·size, (k+1)·size]`, read and hashed
/// [`Batches::AHEAD`] batches ahead of the one being replayed; after the range the head
/// covers, any further rows are read one batch at a time until none is left.
pub(super) struct Batches {
    store: Arc<dyn Store>,
    alg: HashAlg,
    head_size: u64,
    size: u32,
    /// The next range to start reading.
    next_after: u64,
    /// Batches being read, oldest first.
    pending: std::collections::VecDeque<tokio::task::JoinHandle<ServiceResult<Batch>>>,
    /// The last sequence number seen, for the rows past the head's range.
    last_seen: u64,
}

impl Batches {
    /// Batches in flight at once: enough to keep two cores busy while one batch is replayed.
    const AHEAD: usize = 3;

    fn new(store: Arc<dyn Store>, alg: HashAlg, head_size: u64, size: u32) -> Batches {
        let mut batches = Batches {
            store,
            alg,
            head_size,
            size,
            next_after: 0,
            pending: std::collections::VecDeque::new(),
            last_seen: 0,
        };
        batches.fill();
        batches
    }

    fn fill(&mut self) {
        while self.pending.len() < Self::AHEAD && self.next_after < self.head_size {
            let (store, alg, after, size) =
                (Arc::clone(&self.store), self.alg, self.next_after, self.size);
            self.pending.push_back(tokio::spawn(read_batch(store, alg, after, size, true)));
            self.next_after += u64::from(size);
        }
    }

    /// The next batch in order, or `None` once the rows past the head's range are read too.
    /// A batch inside the range may be empty (its rows were deleted).
    async fn next(&mut self) -> ServiceResult<Option<Batch>> {
        let batch = match self.pending.pop_front() {
            Some(task) => {
                self.fill();
                task.await
                    .map_err(|e| ServiceError::Internal(format!("reading events failed: {e}")))??
            }
            // Past the head's range: rows there are damage too, so read until none is left.
            None => {
                let after = self.last_seen.max(self.next_after);
                let batch =
                    read_batch(Arc::clone(&self.store), self.alg, after, self.size, false).await?;
                if batch.0.is_empty() {
                    return Ok(None);
                }
                batch
            }
        };
        if let Some(last) = batch.0.last() {
            self.last_seen = self.last_seen.max(last.seq);
        }
        Ok(Some(batch))
    }
}

/// Reads the events after `after` (only those up to `after + limit` when `bounded`), the leaf
/// hashes stored for them, and computes theirs.
pub(super) async fn read_batch(
    store: Arc<dyn Store>,
    alg: HashAlg,
    after: u64,
    limit: u32,
    bounded: bool,
) -> ServiceResult<Batch> {
    let mut events = store.events(after, limit).await?;
    if bounded {
        let until = after + u64::from(limit);
        events.retain(|e| e.seq <= until);
    }
    let stored = match (events.first(), events.last()) {
        (Some(first), Some(last)) => {
            store.leaf_hashes(first.leaf_index(), last.seq).await?.into_iter().collect()
        }
        _ => HashMap::new(),
    };
    let (events, computed) = tokio::task::spawn_blocking(move || {
        let computed = leaf_hashes_of(alg, &events);
        (events, computed)
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("hashing events failed: {e}")))?;
    Ok((events, stored, computed))
}

/// The leaf hashes of `events`, in order, computed on two threads (RFC 8785 bytes and SM3
/// are CPU work; the machines this runs on have two cores or more).
pub(super) fn leaf_hashes_of(alg: HashAlg, events: &[Event]) -> Vec<Hash> {
    let hash = |part: &[Event]| -> Vec<Hash> {
        part.iter().map(|e| alg.hash_leaf(&e.leaf_bytes())).collect()
    };
    if events.len() < 1_000 {
        return hash(events);
    }
    let (left, right) = events.split_at(events.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| hash(right));
        let mut out = hash(left);
        out.extend(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        out
    })
}

pub(super) fn find_moved(alg: HashAlg, altered: &[(usize, Event, Hash)], damage: &mut [Damage]) {
    for (position, event, own) in altered {
        let index = event.leaf_index();
        // A row moved with its own leaf hash (it is stored in the row) or onto the other's.
        let origin = altered.iter().find_map(|(_, other, stored)| {
            let from = other.leaf_index();
            let mut renumbered = event.clone();
            renumbered.seq = other.seq;
            let hash = alg.hash_leaf(&renumbered.leaf_bytes());
            (from != index && (hash == *stored || hash == *own)).then_some(from)
        });
        if let Some(from) = origin {
            damage[*position].kind = DamageKind::Moved { from };
            damage[*position].detail =
                format!("event {} holds the content of leaf {from}", event.seq);
        }
    }
}

/// Verifies an export written by [`Service::export_ledger`] with no database. `trusted` keys
/// are the auditor's own copy of the log's public key; without them the export's own
/// `keys/log.vkey` is used (which only proves self-consistency).
pub fn verify_export(dir: &Path, trusted: &[VerifierKey]) -> Result<VerifyReport, String> {
    let meta: serde_json::Value = serde_json::from_slice(
        &fs::read(dir.join("ledger.json")).map_err(|e| format!("reading ledger.json: {e}"))?,
    )
    .map_err(|e| format!("ledger.json: {e}"))?;
    let alg: HashAlg = meta["alg"]
        .as_str()
        .unwrap_or("")
        .parse()
        .map_err(|_| "ledger.json: unknown alg".to_owned())?;
    let origin = meta["origin"].as_str().map(str::to_owned);
    let mut keys = trusted.to_vec();
    if keys.is_empty() {
        let text = fs::read_to_string(dir.join("keys").join("log.vkey"))
            .map_err(|e| format!("reading keys/log.vkey: {e}"))?;
        keys.push(VerifierKey::parse(text.trim()).map_err(|e| format!("keys/log.vkey: {e}"))?);
    }
    let mut notes = Vec::new();
    if let Ok(read) = fs::read_dir(dir.join("checkpoints")) {
        for entry in read.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(size) = name.strip_suffix(".txt").and_then(|s| s.parse::<u64>().ok()) else {
                continue;
            };
            notes.push((
                size,
                fs::read_to_string(entry.path()).map_err(|e| format!("reading {name}: {e}"))?,
            ));
        }
    }
    let mut damage = Vec::new();
    let n_checkpoints = notes.len();
    let expected = check_checkpoints(&notes, origin.as_deref(), &keys, &mut damage);
    let mut replay = Replay::new(alg, expected);
    let file = fs::File::open(dir.join("entries.jsonl"))
        .map_err(|e| format!("reading entries.jsonl: {e}"))?;
    for (index, line) in BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(|e| format!("reading entries.jsonl: {e}"))?;
        let index = index as u64;
        // A leaf must be the canonical form of an event; anything else was edited by hand.
        let canonical = serde_json::from_slice::<Event>(&line).ok().map(|e| e.leaf_bytes());
        if canonical.as_deref() != Some(line.as_slice()) {
            damage.push(Damage {
                index: Some(index),
                kind: DamageKind::Modified,
                detail: format!("line {} is not a canonical event", index + 1),
            });
        }
        replay.push(alg.hash_leaf(&line), &mut damage);
    }
    let range = replay.finish(&mut damage);
    damage.sort_by_key(|d| (d.index.is_none(), d.index));
    Ok(VerifyReport {
        alg: alg.name().to_owned(),
        leaves: range.size(),
        checkpoints: n_checkpoints,
        damage,
    })
}

impl Service {
    /// Recomputes the whole ledger from the stored events and checks it against the stored
    /// leaf hashes, every stored checkpoint (signature by a `trusted` key, and root) and the
    /// ledger head. Streams the events; memory does not grow with their number.
    pub async fn verify_ledger(&self, trusted: &[VerifierKey]) -> ServiceResult<VerifyReport> {
        const BATCH: u32 = 10_000;
        // Altered rows kept to tell swapped rows from edited ones; memory grows with the
        // damage found, never with the ledger.
        const MAX_ALTERED: usize = 1_000;
        let mut altered: Vec<(usize, Event, Hash)> = Vec::new();
        let head = self.store.ledger_head().await?;
        let alg = head.alg;
        let mut damage = Vec::new();
        let notes: Vec<(u64, String)> =
            self.store.checkpoints().await?.into_iter().map(|c| (c.size, c.note)).collect();
        let n_checkpoints = notes.len();
        let expected =
            check_checkpoints(&notes, Some(&self.config.ledger.origin), trusted, &mut damage);
        let mut replay = Replay::new(alg, expected);
        let mut next_index = 0u64;
        // Batches are fixed ranges of sequence numbers, so that several can be read, decoded
        // and hashed at once (on other tasks and threads) while this one replays them in order.
        let mut batches = Batches::new(Arc::clone(&self.store), alg, head.size, BATCH);
        while let Some((events, stored, computed)) = batches.next().await? {
            for (event, computed) in events.iter().zip(computed) {
                let index = event.leaf_index();
                while next_index < index {
                    damage.push(Damage {
                        index: Some(next_index),
                        kind: DamageKind::Missing,
                        detail: format!("event {} is missing", next_index + 1),
                    });
                    // Keep the replay aligned with the stored leaf so later checks still mean something.
                    // The integrated copy of its leaf outlives the deleted row.
                    let id = quanze_ledger::NodeId { level: 0, index: next_index };
                    match self.store.ledger_nodes(&[id]).await?.get(&id) {
                        Some(h) => replay.push(*h, &mut damage),
                        None => replay.push(alg.empty_root(), &mut damage),
                    }
                    next_index += 1;
                }
                match stored.get(&index) {
                    None => damage.push(Damage {
                        index: Some(index),
                        kind: DamageKind::LeafMissing,
                        detail: format!("no stored leaf hash for index {index}"),
                    }),
                    Some(h) if *h != computed => {
                        let kind = match self.store.leaf_index_of(&computed).await? {
                            Some(from) if from != index => DamageKind::Moved { from },
                            _ => DamageKind::Modified,
                        };
                        if kind == DamageKind::Modified && altered.len() < MAX_ALTERED {
                            altered.push((damage.len(), event.clone(), *h));
                        }
                        damage.push(Damage {
                            index: Some(index),
                            kind,
                            detail: format!("event {} does not hash to its leaf", event.seq),
                        });
                    }
                    Some(_) => {}
                }
                replay.push(computed, &mut damage);
                next_index = index + 1;
            }
        }
        if next_index < head.size {
            damage.push(Damage {
                index: Some(next_index),
                kind: DamageKind::Truncated { expected: head.size },
                detail: format!(
                    "events end at {next_index} but the ledger holds {} leaves",
                    head.size
                ),
            });
        }
        find_moved(alg, &altered, &mut damage);
        let range = replay.finish(&mut damage);
        if range.size() == head.size && range.root() != head.root {
            damage.push(Damage {
                index: None,
                kind: DamageKind::HeadMismatch,
                detail: "stored ledger head root differs from the events".into(),
            });
        }
        damage.sort_by_key(|d| (d.index.is_none(), d.index));
        Ok(VerifyReport {
            alg: alg.name().to_owned(),
            leaves: range.size(),
            checkpoints: n_checkpoints,
            damage,
        })
    }

    /// Writes the ledger as plain files an auditor can check with no database:
    /// `ledger.json`, `entries.jsonl` (one leaf per line), `checkpoints/<size>.txt` (signed
    /// notes with cosignatures) and `keys/` (the log's public key: `log_key`, or the service's
    /// own signing key's).
    pub async fn export_ledger(
        &self,
        dir: &Path,
        log_key: Option<&VerifierKey>,
    ) -> ServiceResult<u64> {
        let io = |e: std::io::Error| ServiceError::Internal(format!("writing the export: {e}"));
        fs::create_dir_all(dir.join("checkpoints")).map_err(io)?;
        fs::create_dir_all(dir.join("keys")).map_err(io)?;
        let head = self.store.ledger_head().await?;
        let mut entries =
            std::io::BufWriter::new(fs::File::create(dir.join("entries.jsonl")).map_err(io)?);
        let mut after = 0;
        let mut n = 0u64;
        loop {
            let events = self.store.events(after, 10_000).await?;
            let Some(last) = events.last() else { break };
            after = last.seq;
            for e in &events {
                entries.write_all(&e.leaf_bytes()).map_err(io)?;
                entries.write_all(b"\n").map_err(io)?;
                n += 1;
            }
        }
        entries.flush().map_err(io)?;
        for cp in self.store.checkpoints().await? {
            let mut text = cp.note.clone();
            for line in self.store.cosignatures(cp.size).await? {
                text.push_str(&line);
            }
            fs::write(dir.join("checkpoints").join(format!("{}.txt", cp.size)), text)
                .map_err(io)?;
        }
        if let Some(key) = log_key.cloned().or_else(|| self.ledger_public_key()) {
            fs::write(dir.join("keys").join("log.vkey"), format!("{key}\n")).map_err(io)?;
        }
        for (i, w) in self.config.ledger.witnesses.iter().enumerate() {
            fs::write(dir.join("keys").join(format!("witness-{i}.vkey")), format!("{w}\n"))
                .map_err(io)?;
        }
        let meta = serde_json::json!({
            "origin": self.config.ledger.origin, "alg": head.alg.name(), "size": n,
            "exported_at": self.clock.now(),
        });
        fs::write(dir.join("ledger.json"), serde_json::to_vec_pretty(&meta).unwrap_or_default())
            .map_err(io)?;
        Ok(n)
    }
}
