//! Materials (申请材料): content stored once under its SM3 digest, and the materials filed with
//! each case.
//!
//! Where the bytes go: on a SQLite file, into the database's folder as
//! `materials/<first two hex digits>/<other 62>`, written to a temporary file in
//! `materials/tmp`, synced, renamed into place and the folder synced, all before the
//! transaction that records the row naming it begins; on PostgreSQL and in-memory SQLite, into
//! `material_contents` in that same transaction. Either way an acknowledged material has its
//! row and its bytes, and a failure at any point leaves at most an unnamed file (a crash
//! between the rename and the commit), which the next upload of the same bytes reuses, or a
//! temporary file (a crash before the rename).
//!
//! [`MaterialStore::sweep_materials`] removes such leftovers once they are older than a grace
//! period: files under `materials/` that no `materials` row names, and temporary files. It
//! removes a file only while it holds the database's write lock (`BEGIN IMMEDIATE`, which other
//! processes on the same file wait for too), having checked under that lock that no row names
//! it; a filing checks under the same lock, in its own transaction, that its file is still
//! there (writing it again if a sweep took it since it was written) before its row commits. So
//! a sweep never removes a file a committed row names, nor one an upload is about to name.
//!
//! Sealed at rest: with the service's personal-data key installed ([`crate::Sealer`]), the
//! bytes stored (file or row) are [`SEALED_CONTENT`] and the content sealed with SM4 under the
//! key, since an applicant's materials are scans of ID cards and licences (个人信息保护法 第二十八条,
//! sensitive personal data). The digest a material is named by is still that of its content in
//! clear, checked when it is read, after opening. Content stored before there was a key is read
//! as it is and sealed by the next rotation ([`crate::ResealStore`]).
//!
//! Invariants: content is checked against its digest when it is stored (a caller cannot file
//! bytes under another digest) and again when it is read (a damaged file is `Corrupt`, never
//! served). Nothing a row names is deleted: a row never names missing content. Filing the same
//! material under the same name twice on one case is `Conflict`. Each filing is one transaction
//! with one event; a sweep changes no row and records no event (what it removes was never
//! acknowledged).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use quanze_core::CaseId;
use quanze_core::case::material::{CaseMaterial, MaterialDigest, MediaType};
use quanze_ledger::HashAlg;

use crate::open::SqlStore;
use crate::rows::{DATE_FORMAT, date_text, instant_text};
use crate::tx::violation;
use crate::{NewEvent, Receipt, StoreError};

/// Stores materials and files them with cases. Each write is one transaction with one event.
#[async_trait]
pub trait MaterialStore: Send + Sync {
    /// Files `material` with its case. With `content` (a new upload) the bytes are stored
    /// first if they are not already (they must hash to `material.digest` and have
    /// `material.size` bytes, else `Corrupt`); without (reuse) they must be stored already
    /// (`NotFound` otherwise). `Conflict` if the case has this material under this name.
    async fn file_material(
        &self,
        material: &CaseMaterial,
        content: Option<Vec<u8>>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// The materials filed with a case, in the order they were filed.
    async fn case_materials(&self, case: CaseId) -> Result<Vec<CaseMaterial>, StoreError>;
    /// The materials filed with any case of the applicant whose keyed hash is
    /// `applicant_key` that are still valid on `on`, newest first.
    async fn applicant_materials(
        &self,
        applicant_key: &str,
        on: NaiveDate,
    ) -> Result<Vec<CaseMaterial>, StoreError>;
    /// Whether content is stored under `digest`.
    async fn material_stored(&self, digest: &MaterialDigest) -> Result<bool, StoreError>;
    /// The bytes stored under `digest`, checked against it; `None` when nothing is.
    async fn material_content(
        &self,
        digest: &MaterialDigest,
    ) -> Result<Option<Vec<u8>>, StoreError>;
    /// Removes the files beside a SQLite database that no `materials` row names and the
    /// temporary files of unfinished writes, each once it is older than `grace` (younger ones
    /// may belong to an upload under way). Content kept in the database (PostgreSQL,
    /// in-memory SQLite) has nothing to sweep: all counts are zero.
    async fn sweep_materials(&self, grace: Duration) -> Result<MaterialSweep, StoreError>;
}

/// 材料文件清理 — what [`MaterialStore::sweep_materials`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MaterialSweep {
    /// Files no row names (a crash between a file's rename and its row's commit), removed.
    pub orphans_removed: u64,
    /// Temporary files of writes that never finished, removed.
    pub temporary_removed: u64,
    /// The bytes of the files removed.
    pub bytes_removed: u64,
}

const INSERT_MATERIAL: &str = "INSERT INTO materials (digest, size, media_type, created_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (digest) DO NOTHING";
const INSERT_CONTENT: &str = "INSERT INTO material_contents (digest, content) VALUES ($1, $2) \
     ON CONFLICT (digest) DO NOTHING";
const INSERT_CASE_MATERIAL: &str = "INSERT INTO case_materials \
     (case_id, name, digest, attached_at, at_step, valid_until, reused_from) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const MATERIAL_COLUMNS: &str = "cm.case_id, cm.name, cm.digest, m.size, m.media_type, \
     cm.attached_at, cm.at_step, cm.valid_until, cm.reused_from";
const MATERIAL_FROM: &str = "FROM case_materials cm JOIN materials m ON m.digest = cm.digest";

type MaterialRow =
    (String, String, String, i64, String, String, i64, Option<String>, Option<String>);

fn parse_material(row: MaterialRow) -> Result<CaseMaterial, StoreError> {
    let (case, name, digest, size, media_type, attached_at, at_step, valid_until, reused_from) =
        row;
    let bad = |column: &str, e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("case_materials ({case}, {name}): {column}: {e}"))
    };
    let id = |raw: &str, column: &str| -> Result<CaseId, StoreError> {
        raw.parse::<uuid::Uuid>().map(CaseId::from_uuid).map_err(|e| bad(column, &e))
    };
    let date =
        |raw: &str| NaiveDate::parse_from_str(raw, DATE_FORMAT).map_err(|e| bad("valid_until", &e));
    Ok(CaseMaterial {
        case: id(&case, "case_id")?,
        digest: MaterialDigest::parse(&digest).map_err(|e| bad("digest", &e))?,
        size: u64::try_from(size).map_err(|e| bad("size", &e))?,
        media_type: MediaType::from_name(&media_type)
            .ok_or_else(|| bad("media_type", &media_type))?,
        attached_at: DateTime::parse_from_rfc3339(&attached_at)
            .map(|at| at.with_timezone(&Utc))
            .map_err(|e| bad("attached_at", &e))?,
        at_step: u32::try_from(at_step).map_err(|e| bad("at_step", &e))?,
        valid_until: valid_until.as_deref().map(date).transpose()?,
        reused_from: reused_from.as_deref().map(|r| id(r, "reused_from")).transpose()?,
        name,
    })
}

/// What a sealed material starts with: no format a material may have (PDF, JPEG, PNG, OFD's
/// zip) starts so.
pub(crate) const SEALED_CONTENT: &[u8] = b"\0quanze-sm4\0";

/// `content` as it is stored: sealed under the current key when there is a sealer.
pub(crate) fn stored_content(sealer: Option<&dyn crate::Sealer>, content: &[u8]) -> Vec<u8> {
    match sealer {
        Some(sealer) => [SEALED_CONTENT, &sealer.seal_bytes(content)].concat(),
        None => content.to_vec(),
    }
}

/// Stored bytes opened: as they are unless sealed; `None` when sealed and there is no sealer
/// or the seal does not open under its ring.
pub(crate) fn opened_content(
    sealer: Option<&dyn crate::Sealer>,
    stored: Vec<u8>,
) -> Option<Vec<u8>> {
    match stored.strip_prefix(SEALED_CONTENT) {
        Some(sealed) => sealer?.open_bytes(sealed),
        None => Some(stored),
    }
}

/// Stored content opened under the ring, checked against its `digest` and sealed again under
/// the current key (a rotation, for files and rows alike); why not when it was unreadable
/// already.
pub(crate) fn resealed_content(
    sealer: &dyn crate::Sealer,
    stored: Vec<u8>,
    digest: &str,
) -> Result<Vec<u8>, &'static str> {
    match opened_content(Some(sealer), stored) {
        None => Err("its seal does not open under the key ring"),
        Some(clear) if sm3_hex(&clear) != digest => Err("its bytes do not match their digest"),
        Some(clear) => Ok(stored_content(Some(sealer), &clear)),
    }
}

/// The SM3 digest of `bytes`, hex.
fn sm3_hex(bytes: &[u8]) -> String {
    HashAlg::Sm3.digest(bytes).to_hex()
}

/// Where the content stored under `digest` lives, below `root` (`<root>/ab/cdef…`).
fn content_path(root: &Path, digest: &MaterialDigest) -> PathBuf {
    let hex = digest.as_str();
    root.join(&hex[..2]).join(&hex[2..])
}

/// Makes the content under `digest` durable in `root` as `stored` (the content as
/// [`stored_content`] gives it): nothing to do when the file there holds it already, sealed if
/// `stored` is; else (no file, a damaged one, or one in clear where `stored` is sealed) a
/// temporary file written, synced, renamed into place, its folder synced. Renaming is atomic,
/// so the path holds either the old file or the whole new content, never a part.
fn write_content(
    root: &Path,
    digest: &MaterialDigest,
    stored: &[u8],
    sealer: Option<&dyn crate::Sealer>,
) -> std::io::Result<()> {
    let path = content_path(root, digest);
    let existing = read_content(root, digest)?;
    // A process without the key cannot check a sealed file, nor may it put the content there
    // in clear: the file stays.
    if sealer.is_none() && existing.as_ref().is_some_and(|b| b.starts_with(SEALED_CONTENT)) {
        return Ok(());
    }
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == stored.len() as u64)
        && existing.is_some_and(|bytes| {
            bytes.starts_with(SEALED_CONTENT) == stored.starts_with(SEALED_CONTENT)
                && opened_content(sealer, bytes)
                    .is_some_and(|clear| sm3_hex(&clear) == digest.as_str())
        })
    {
        return Ok(());
    }
    replace_content(root, digest, stored)
}

/// Writes `stored` as the file of `digest` in `root`, whatever is there: a temporary file
/// written, synced, renamed into place, its folder synced.
fn replace_content(root: &Path, digest: &MaterialDigest, stored: &[u8]) -> std::io::Result<()> {
    let path = content_path(root, digest);
    let dir = path.parent().unwrap_or(root);
    let tmp_dir = root.join("tmp");
    crate::private::create_private_dir_all(dir)?;
    crate::private::create_private_dir_all(&tmp_dir)?;
    let tmp = tmp_dir.join(format!("{}.{}", digest.as_str(), uuid::Uuid::now_v7().simple()));
    let written = (|| {
        // An applicant's document: the owner's alone.
        let mut file = crate::private::create_private_file(&tmp)?;
        file.write_all(stored)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &path)?;
        // The rename is durable once the folder's entry is.
        std::fs::File::open(dir)?.sync_all()?;
        std::fs::File::open(root)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Reseals the file of every stored material under the current key of `sealer` (reading and
/// writing one at a time), each new file given the old one's owner (a rotation run as another
/// account must not leave the server a file it cannot read); how many were resealed and how
/// many could not be read. Content in clear (stored before there was a key) is sealed now. A
/// file missing, or that does not open or match its digest, was unreadable already: it is left
/// as it is and named in the log (restore it from a backup), and the rotation goes on.
pub(crate) fn reseal_files(
    root: &Path,
    digests: &[MaterialDigest],
    sealer: &dyn crate::Sealer,
) -> std::io::Result<(usize, usize)> {
    let (mut resealed, mut unreadable) = (0, 0);
    for digest in digests {
        let why = match read_content(root, digest)? {
            None => "its file is missing",
            Some(stored) => match resealed_content(sealer, stored, digest.as_str()) {
                Err(why) => why,
                Ok(again) => {
                    let path = content_path(root, digest);
                    let owner = std::fs::metadata(&path)?;
                    replace_content(root, digest, &again)?;
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::MetadataExt;
                        std::os::unix::fs::chown(&path, Some(owner.uid()), Some(owner.gid()))?;
                    }
                    #[cfg(not(unix))]
                    drop(owner);
                    resealed += 1;
                    continue;
                }
            },
        };
        tracing::warn!("rotation: material {digest} left as it was: {why}");
        unreadable += 1;
    }
    Ok((resealed, unreadable))
}

/// Reads the content under `digest` from `root`; `None` when there is no file.
fn read_content(root: &Path, digest: &MaterialDigest) -> std::io::Result<Option<Vec<u8>>> {
    match std::fs::read(content_path(root, digest)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn io_error(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Direct(format!("{what}: {e}"))
}

/// Whether a `materials` row names a digest (`COUNT`: 0 or 1).
const NAMED: &str = "SELECT COUNT(*) FROM materials WHERE digest = $1";

/// Runs `f` on a blocking thread; its I/O error is `Direct`, saying what it was doing.
async fn blocking<T: Send + 'static>(
    what: impl std::fmt::Display,
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, StoreError> {
    let what = what.to_string();
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| io_error(&what, e))?
        .map_err(|e| io_error(&what, e))
}

/// [`write_content`] on a blocking thread.
async fn write_content_blocking(
    root: PathBuf,
    digest: &MaterialDigest,
    stored: Arc<Vec<u8>>,
    sealer: Option<Arc<dyn crate::Sealer>>,
) -> Result<(), StoreError> {
    let d = digest.clone();
    blocking(format!("writing material {digest}"), move || {
        write_content(&root, &d, &stored, sealer.as_deref())
    })
    .await
}

/// A file the sweep found: what it would be named under, or a temporary file.
struct Found {
    path: PathBuf,
    digest: Option<MaterialDigest>,
    len: u64,
}

/// Whether a file was last written more than `grace` ago (a time in the future is young).
fn is_old(meta: &std::fs::Metadata, grace: Duration) -> std::io::Result<bool> {
    Ok(SystemTime::now().duration_since(meta.modified()?).is_ok_and(|age| age > grace))
}

/// The folders under `root` that hold files: the content folders (`ab`, two hex digits) and
/// the temporary folder (`tmp`); anything else is left alone.
fn material_folders(root: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let content = name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit());
        if entry.file_type()?.is_dir() && (content || name == "tmp") {
            folders.push((entry.path(), name));
        }
    }
    Ok(folders)
}

/// The files in one folder of [`material_folders`] older than `grace`: in a content folder,
/// those named by a digest (`cdef…` in `ab`), in `tmp`, all.
fn old_files(folder: &Path, prefix: &str, grace: Duration) -> std::io::Result<Vec<Found>> {
    let mut found = Vec::new();
    for file in std::fs::read_dir(folder)? {
        let file = file?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            continue;
        }
        let digest = if prefix == "tmp" {
            None
        } else {
            let name = format!("{prefix}{}", file.file_name().to_string_lossy());
            match MaterialDigest::parse(&name) {
                Ok(d) if d.as_str() == name => Some(d),
                _ => continue,
            }
        };
        if is_old(&meta, grace)? {
            found.push(Found { path: file.path(), digest, len: meta.len() });
        }
    }
    Ok(found)
}

/// Removes `path` unless it was written again within `grace`; whether it removed it.
fn remove_if_old(path: &Path, grace: Duration) -> std::io::Result<bool> {
    let gone = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => Ok(false),
        _ => Err(e),
    };
    match std::fs::metadata(path).and_then(|meta| is_old(&meta, grace)) {
        Ok(true) => std::fs::remove_file(path).map(|()| true).or_else(gone),
        Ok(false) => Ok(false),
        Err(e) => gone(e),
    }
}

impl SqlStore {
    /// The folder material files go in: `materials` beside a SQLite file; `None` when the
    /// content goes into the database (PostgreSQL, in-memory SQLite).
    pub(crate) fn materials_root(&self) -> Option<PathBuf> {
        let file = self.sqlite_file.as_deref()?;
        let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Some(dir.join("materials"))
    }

    /// Which of `digests` a `materials` row names, asked a few hundred at a time.
    async fn named_digests(
        &self,
        digests: impl Iterator<Item = &MaterialDigest>,
    ) -> Result<std::collections::HashSet<MaterialDigest>, StoreError> {
        let digests: Vec<&MaterialDigest> = digests.collect();
        let mut named = std::collections::HashSet::new();
        for chunk in digests.chunks(256) {
            let sql = format!(
                "SELECT digest FROM materials WHERE digest IN ({})",
                crate::rows::placeholders(1, chunk.len())
            );
            let mut query = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
            for d in chunk {
                query = query.bind(d.as_str());
            }
            for (digest,) in query.fetch_all(&self.pool).await? {
                named.extend(MaterialDigest::parse(&digest).ok());
            }
        }
        Ok(named)
    }

    /// Removes the old files of `found` that no row names, each checked and removed under the
    /// write lock, a batch at a time (so that writers wait for one batch at most).
    async fn remove_unnamed(
        &self,
        found: Vec<Found>,
        grace: Duration,
        sweep: &mut MaterialSweep,
    ) -> Result<(), StoreError> {
        const BATCH: usize = 256;
        let mut found = found.into_iter().peekable();
        while found.peek().is_some() {
            let (writer, mut tx, _) =
                crate::tx::lock_head(&self.pool, self.backend, &self.sqlite_writer).await?;
            for f in found.by_ref().take(BATCH) {
                if let Some(digest) = &f.digest {
                    let (n,): (i64,) =
                        sqlx::query_as(NAMED).bind(digest.as_str()).fetch_one(&mut *tx).await?;
                    if n > 0 {
                        continue;
                    }
                }
                let path = f.path.clone();
                let removed =
                    blocking("removing a material file", move || remove_if_old(&path, grace))
                        .await?;
                if removed {
                    match f.digest {
                        Some(_) => sweep.orphans_removed += 1,
                        None => sweep.temporary_removed += 1,
                    }
                    sweep.bytes_removed += f.len;
                }
            }
            // Nothing was written: the transaction only held the lock.
            tx.rollback().await?;
            drop(writer);
        }
        Ok(())
    }

    async fn material_row_exists(&self, digest: &MaterialDigest) -> Result<bool, StoreError> {
        let (n,): (i64,) =
            sqlx::query_as(NAMED).bind(digest.as_str()).fetch_one(&self.pool).await?;
        Ok(n > 0)
    }
}

#[async_trait]
impl MaterialStore for SqlStore {
    async fn file_material(
        &self,
        material: &CaseMaterial,
        content: Option<Vec<u8>>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let digest = &material.digest;
        let root = self.materials_root();
        // The bytes in the database, when they go there; else those written to a file.
        let mut in_db = None;
        let mut in_file = None;
        let new_content = content.is_some();
        let sealer = self.sealer();
        if let Some(content) = content {
            // Hashing and sealing up to the upload limit (20 MiB by default) is a few hundred
            // milliseconds of a core: off the runtime's threads.
            let (size, expected, seal) = (material.size, digest.clone(), sealer.clone());
            let stored = blocking(format!("sealing material {digest}"), move || {
                if content.len() as u64 != size || sm3_hex(&content) != expected.as_str() {
                    return Ok(None);
                }
                Ok(Some(stored_content(seal.as_deref(), &content)))
            })
            .await?
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "material {digest}: the content does not match its digest and size"
                ))
            })?;
            match root.clone() {
                Some(root) => {
                    let stored = Arc::new(stored);
                    write_content_blocking(
                        root.clone(),
                        digest,
                        Arc::clone(&stored),
                        sealer.clone(),
                    )
                    .await?;
                    in_file = Some((root, stored));
                }
                None => in_db = Some(stored),
            }
        }
        let mut w = self.begin_write().await?;
        let res = async {
            // Under the write lock now, which a sweep holds to remove a file: if one removed
            // this file since it was written (it was an old unnamed one, reused), write it
            // again; from here to the commit no sweep can remove it.
            if let Some((root, stored)) = &in_file {
                let path = content_path(root, digest);
                let present = tokio::fs::metadata(&path)
                    .await
                    .is_ok_and(|m| m.is_file() && m.len() == stored.len() as u64);
                if !present {
                    write_content_blocking(
                        root.clone(),
                        digest,
                        Arc::clone(stored),
                        sealer.clone(),
                    )
                    .await?;
                }
            }
            if new_content {
                sqlx::query(INSERT_MATERIAL)
                    .bind(digest.as_str())
                    .bind(i64::try_from(material.size).unwrap_or(i64::MAX))
                    .bind(material.media_type.as_str())
                    .bind(instant_text(material.attached_at))
                    .execute(w.conn())
                    .await?;
            }
            if let Some(content) = &in_db {
                sqlx::query(INSERT_CONTENT)
                    .bind(digest.as_str())
                    .bind(&content[..])
                    .execute(w.conn())
                    .await?;
            }
            sqlx::query(INSERT_CASE_MATERIAL)
                .bind(material.case.to_string())
                .bind(material.name.as_str())
                .bind(digest.as_str())
                .bind(instant_text(material.attached_at))
                .bind(i64::from(material.at_step))
                .bind(material.valid_until.map(date_text))
                .bind(material.reused_from.map(|c| c.to_string()))
                .execute(w.conn())
                .await
                .map_err(|e| {
                    violation(
                        e,
                        "the case has this material under this name already",
                        "the case, or the stored material it refers to",
                    )
                })?;
            Ok(())
        }
        .await;
        w.finish(res, ev).await
    }

    async fn case_materials(&self, case: CaseId) -> Result<Vec<CaseMaterial>, StoreError> {
        let sql = format!(
            "SELECT {MATERIAL_COLUMNS} {MATERIAL_FROM} WHERE cm.case_id = $1 \
             ORDER BY cm.attached_at, cm.name, cm.digest"
        );
        let rows: Vec<MaterialRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(case.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(parse_material).collect()
    }

    async fn applicant_materials(
        &self,
        applicant_key: &str,
        on: NaiveDate,
    ) -> Result<Vec<CaseMaterial>, StoreError> {
        let sql = format!(
            "SELECT {MATERIAL_COLUMNS} {MATERIAL_FROM} JOIN cases c ON c.id = cm.case_id \
             WHERE c.applicant_key = $1 AND (cm.valid_until IS NULL OR cm.valid_until >= $2) \
             ORDER BY cm.attached_at DESC, cm.name, cm.digest"
        );
        let rows: Vec<MaterialRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(applicant_key)
            .bind(date_text(on))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(parse_material).collect()
    }

    async fn material_stored(&self, digest: &MaterialDigest) -> Result<bool, StoreError> {
        self.material_row_exists(digest).await
    }

    async fn material_content(
        &self,
        digest: &MaterialDigest,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        const SELECT: &str = "SELECT content FROM material_contents WHERE digest = $1";
        let bytes = match self.materials_root() {
            // A file without its row (a crash before the commit) is not stored content.
            Some(_) if !self.material_row_exists(digest).await? => None,
            Some(root) => {
                let d = digest.clone();
                let read = tokio::task::spawn_blocking(move || read_content(&root, &d))
                    .await
                    .map_err(|e| io_error("material reader", e))?
                    .map_err(|e| io_error(&format!("reading material {digest}"), e))?;
                Some(read.ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "material {digest}: stored, but its file is missing"
                    ))
                })?)
            }
            None => {
                let row: Option<(Vec<u8>,)> =
                    sqlx::query_as(SELECT).bind(digest.as_str()).fetch_optional(&self.pool).await?;
                row.map(|(bytes,)| bytes)
            }
        };
        let Some(stored) = bytes else { return Ok(None) };
        let sealer = self.sealer();
        let keyless = sealer.is_none();
        let expected = digest.clone();
        // Opening and hashing: off the runtime's threads, as the sealing.
        let opened = blocking(format!("opening material {digest}"), move || {
            Ok(opened_content(sealer.as_deref(), stored)
                .map(|bytes| (sm3_hex(&bytes) == expected.as_str(), bytes)))
        })
        .await?;
        match opened {
            Some((true, bytes)) => Ok(Some(bytes)),
            Some((false, _)) => Err(StoreError::Corrupt(format!(
                "material {digest}: the stored bytes do not match their digest"
            ))),
            None if keyless => Err(StoreError::Corrupt(format!(
                "material {digest} is sealed under the personal-data key, which was not given \
                 (--personal-key or QUANZE_PERSONAL_KEY)"
            ))),
            None => Err(StoreError::Corrupt(format!(
                "material {digest}: the seal does not open under the key ring"
            ))),
        }
    }

    async fn sweep_materials(&self, grace: Duration) -> Result<MaterialSweep, StoreError> {
        let Some(root) = self.materials_root() else { return Ok(MaterialSweep::default()) };
        let listing = root.clone();
        let folders = blocking("listing the materials", move || material_folders(&listing)).await?;
        let mut sweep = MaterialSweep::default();
        // A folder at a time, so that memory holds one folder's listing.
        for (folder, prefix) in folders {
            let found =
                blocking("listing a materials folder", move || old_files(&folder, &prefix, grace))
                    .await?;
            // A file a row names stays named (rows are never deleted): only the others are
            // checked again, and removed, under the lock.
            let named = self.named_digests(found.iter().filter_map(|f| f.digest.as_ref())).await?;
            let unnamed =
                found.into_iter().filter(|f| f.digest.as_ref().is_none_or(|d| !named.contains(d)));
            self.remove_unnamed(unnamed.collect(), grace, &mut sweep).await?;
        }
        Ok(sweep)
    }
}
