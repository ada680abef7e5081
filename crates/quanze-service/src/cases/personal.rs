//! 个人信息保护 — an applicant's personal data at rest (个人信息保护法; GB/T 39786 level 3):
//! sealed with SM4 in counter mode under a random nonce and authenticated with HMAC-SM3
//! (encrypt-then-MAC), matched by a keyed SM3 hash so that finding "this person's cases" never
//! needs the number in clear, and shown masked.
//!
//! Written here rather than taken whole from a crate because RustCrypto has SM4 and HMAC but no
//! SM4 AEAD construction; the composition (CTR + HMAC over nonce and ciphertext, a separate key
//! for each job) is the textbook one.

use std::path::Path;
use std::sync::{Arc, RwLock};

use ctr::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sm3::Sm3;

use crate::error::{ErrorCode, ServiceError, ServiceResult};

type Sm4Ctr = ctr::Ctr128BE<sm4::Sm4>;
type HmacSm3 = Hmac<Sm3>;

const VERSION: u8 = 1;
/// The prefix of a sealed text in a text column.
pub const SEALED_TEXT: &str = "sm4:";
const NONCE: usize = 16;
const TAG: usize = 32;

/// One generation of the personal-data key: SM4 for sealing, HMAC-SM3 for the seal's tag,
/// HMAC-SM3 for matching numbers.
#[derive(Clone)]
struct KeyMaterial {
    seal: [u8; 16],
    tag: [u8; 32],
    index: [u8; 32],
}

impl KeyMaterial {
    fn generate() -> KeyMaterial {
        let mut rng = rand::rng();
        let mut key = KeyMaterial { seal: [0; 16], tag: [0; 32], index: [0; 32] };
        rng.fill_bytes(&mut key.seal);
        rng.fill_bytes(&mut key.tag);
        rng.fill_bytes(&mut key.index);
        key
    }

    fn to_line(&self) -> String {
        let mut bytes = Vec::with_capacity(80);
        bytes.extend_from_slice(&self.seal);
        bytes.extend_from_slice(&self.tag);
        bytes.extend_from_slice(&self.index);
        format!("{KEY_LINE}{}", hex::encode(bytes))
    }

    fn from_line(line: &str, number: usize) -> Result<KeyMaterial, String> {
        let hex_part = line
            .strip_prefix(KEY_LINE)
            .ok_or_else(|| format!("line {number}: not a Quanze personal-data key"))?;
        let bytes =
            hex::decode(hex_part.trim()).map_err(|e| format!("line {number}: bad key: {e}"))?;
        if bytes.len() != 80 {
            return Err(format!("line {number}: bad key: {} bytes, expected 80", bytes.len()));
        }
        let mut key = KeyMaterial { seal: [0; 16], tag: [0; 32], index: [0; 32] };
        key.seal.copy_from_slice(&bytes[..16]);
        key.tag.copy_from_slice(&bytes[16..48]);
        key.index.copy_from_slice(&bytes[48..]);
        Ok(key)
    }

    fn mac(key: &[u8]) -> HmacSm3 {
        <HmacSm3 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length")
    }

    fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE];
        rand::rng().fill_bytes(&mut nonce);
        let mut out = Vec::with_capacity(1 + NONCE + plain.len() + TAG);
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        let start = out.len();
        out.extend_from_slice(plain);
        let mut cipher = Sm4Ctr::new(&self.seal.into(), &nonce.into());
        cipher.apply_keystream(&mut out[start..]);
        let mut mac = Self::mac(&self.tag);
        mac.update(&out);
        out.extend_from_slice(&mac.finalize().into_bytes());
        out
    }

    fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 1 + NONCE + TAG || sealed[0] != VERSION {
            return None;
        }
        let (body, tag) = sealed.split_at(sealed.len() - TAG);
        let mut mac = Self::mac(&self.tag);
        mac.update(body);
        mac.verify_slice(tag).ok()?;
        let mut nonce = [0u8; NONCE];
        nonce.copy_from_slice(&body[1..1 + NONCE]);
        let mut plain = body[1 + NONCE..].to_vec();
        let mut cipher = Sm4Ctr::new(&self.seal.into(), &nonce.into());
        cipher.apply_keystream(&mut plain);
        Some(plain)
    }

    fn index(&self, number: &str) -> String {
        let mut mac = Self::mac(&self.index);
        mac.update(number.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// How each key line of a key file starts.
const KEY_LINE: &str = "quanze-personal-v1 ";

/// 个人信息密钥 — the personal-data key ring: the current key, which seals and matches
/// everything new, and the keys it replaced (newest first), which still open what they
/// sealed. Kept in a file of its own (0600), never in the database: one line per key, the
/// current one first. `quanze key rotate-personal` puts a new key at the head and reseals the
/// stored data under it.
///
/// Clones share the ring: a running server that reads its key file again after a rotation
/// ([`PersonalKey::reload`]) seals under the new key everywhere at once, the store's sealer
/// included.
#[derive(Clone)]
pub struct PersonalKey {
    ring: Arc<RwLock<Arc<Ring>>>,
}

/// The keys of a [`PersonalKey`]: the current one and those it replaced, newest first.
struct Ring {
    current: KeyMaterial,
    previous: Vec<KeyMaterial>,
}

impl Ring {
    fn keys(&self) -> impl Iterator<Item = &KeyMaterial> {
        std::iter::once(&self.current).chain(&self.previous)
    }
}

impl std::fmt::Debug for PersonalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PersonalKey(.., {} previous)", self.previous_keys())
    }
}

impl PersonalKey {
    fn of(current: KeyMaterial, previous: Vec<KeyMaterial>) -> PersonalKey {
        PersonalKey { ring: Arc::new(RwLock::new(Arc::new(Ring { current, previous }))) }
    }

    /// The ring as it is now.
    fn ring(&self) -> Arc<Ring> {
        Arc::clone(&self.ring.read().expect("the key ring lock is never poisoned"))
    }

    /// A new random key.
    pub fn generate() -> PersonalKey {
        PersonalKey::of(KeyMaterial::generate(), Vec::new())
    }

    /// This ring with a new random key at its head; the current key becomes the newest
    /// previous one. A new ring, not shared with this one.
    pub fn rotated(&self) -> PersonalKey {
        let ring = self.ring();
        PersonalKey::of(KeyMaterial::generate(), ring.keys().cloned().collect())
    }

    /// Takes the keys of `newer` (the key file read again, after a rotation wrote it), so that
    /// this key and every clone of it seal under `newer`'s current key from now on. `newer`
    /// must be this ring with new keys put at its head, as a rotation writes it: refused,
    /// changing nothing, when it lacks a key of this ring (what that key sealed, or a recovery
    /// code hashed under it, would no longer open or match) or puts one of its keys back in use
    /// (a previous key, or the current one behind a key it replaced). Whether anything changed.
    pub fn reload(&self, newer: &PersonalKey) -> Result<bool, String> {
        let (now, next) = (self.ring(), newer.ring());
        let lines = |ring: &Ring| ring.keys().map(KeyMaterial::to_line).collect::<Vec<_>>();
        let (now, next_lines) = (lines(&now), lines(&next));
        if now == next_lines {
            return Ok(false);
        }
        if !next_lines.ends_with(&now) {
            return Err("the new key file is not this ring with new keys at its head: it drops \
                        or reorders keys in use (what they sealed would no longer open)"
                .to_owned());
        }
        *self.ring.write().expect("the key ring lock is never poisoned") = next;
        Ok(true)
    }

    /// How many keys the ring holds besides the current one.
    pub fn previous_keys(&self) -> usize {
        self.ring().previous.len()
    }

    /// The ring as the text of its file: one `quanze-personal-v1 <hex of 80 bytes>` line per
    /// key, the current one first.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for key in self.ring().keys() {
            text.push_str(&key.to_line());
            text.push('\n');
        }
        text
    }

    /// Reads [`PersonalKey::to_text`] (blank lines and `#` comments are skipped).
    pub fn from_text(text: &str) -> Result<PersonalKey, String> {
        let mut keys = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
            .map(|(number, line)| KeyMaterial::from_line(line, number));
        let current = keys.next().ok_or("not a Quanze personal-data key file: no key")??;
        let previous = keys.collect::<Result<Vec<_>, _>>()?;
        Ok(PersonalKey::of(current, previous))
    }

    /// Reads the key file at `path`; `None` when there is none (never creates one).
    pub fn load(path: &Path) -> Result<Option<PersonalKey>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => PersonalKey::from_text(&text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Reads the key file at `path`, creating it (mode 0600) with a new key when it does not
    /// exist.
    pub fn load_or_create(path: &Path) -> Result<PersonalKey, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => PersonalKey::from_text(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = PersonalKey::generate();
                write_private(path, key.to_text().as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Ok(key)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Replaces the key file at `path` with this ring, atomically and durably: a private file
    /// beside it (with the old file's owner, so a server running as another account still
    /// reads it), synced, renamed over it, the folder synced so the rename itself is on disk,
    /// and the file read back. A crash leaves the old ring or the new one, whole; once this
    /// returns, the new ring is on disk.
    pub fn replace_file(&self, path: &Path) -> Result<(), String> {
        let failed = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("personal.key");
        let temporary = path.with_file_name(format!(".{name}.new"));
        let _ = std::fs::remove_file(&temporary);
        write_private(&temporary, self.to_text().as_bytes()).map_err(failed)?;
        #[cfg(unix)]
        if let Ok(old) = std::fs::metadata(path) {
            use std::os::unix::fs::MetadataExt;
            std::os::unix::fs::chown(&temporary, Some(old.uid()), Some(old.gid()))
                .map_err(failed)?;
        }
        std::fs::File::open(&temporary).and_then(|f| f.sync_all()).map_err(failed)?;
        std::fs::rename(&temporary, path).map_err(failed)?;
        #[cfg(unix)]
        {
            let folder = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            std::fs::File::open(folder).and_then(|f| f.sync_all()).map_err(failed)?;
        }
        match PersonalKey::load(path)? {
            Some(back) if back.to_text() == self.to_text() => Ok(()),
            _ => Err(format!("{} does not read back as written", path.display())),
        }
    }

    /// Seals `plain` under the current key: version, nonce, SM4-CTR ciphertext, HMAC-SM3 tag
    /// over all before it.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        self.ring().current.seal(plain)
    }

    /// Opens what [`PersonalKey::seal`] sealed under any key of the ring (the tag tells which);
    /// `None` if it was changed or sealed under a key not in the ring.
    pub fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        self.ring().keys().find_map(|key| key.open(sealed))
    }

    /// Whether `sealed` opens under the current key (a rotation has resealed it).
    pub fn opens_with_current(&self, sealed: &[u8]) -> bool {
        self.ring().current.open(sealed).is_some()
    }

    /// A short text sealed for a text column: `sm4:` and the hex of [`PersonalKey::seal`].
    pub fn seal_text(&self, plain: &str) -> String {
        format!("{SEALED_TEXT}{}", hex::encode(self.seal(plain.as_bytes())))
    }

    /// Opens what [`PersonalKey::seal_text`] sealed; a text without the prefix (stored before
    /// there was a key) is given back as it is; `None` when the seal does not open.
    pub fn open_text(&self, stored: &str) -> Option<String> {
        match stored.strip_prefix(SEALED_TEXT) {
            Some(sealed) => {
                let bytes = self.open(&hex::decode(sealed).ok()?)?;
                String::from_utf8(bytes).ok()
            }
            None => Some(stored.to_owned()),
        }
    }

    /// The keyed SM3 hash of an identifying number (ID number or credit code) under the
    /// current key, hex: what cases are matched by.
    pub fn index(&self, number: &str) -> String {
        self.ring().current.index(number)
    }

    /// [`PersonalKey::index`] under every key of the ring, the current one first: what a
    /// value hashed before a rotation (a recovery code, which is kept only as its hash and so
    /// cannot be rehashed) may be stored as.
    pub fn indexes(&self, number: &str) -> Vec<String> {
        self.ring().keys().map(|k| k.index(number)).collect()
    }
}

impl quanze_store::Sealer for PersonalKey {
    fn seal_text(&self, plain: &str) -> String {
        PersonalKey::seal_text(self, plain)
    }

    fn open_text(&self, stored: &str) -> Option<String> {
        PersonalKey::open_text(self, stored)
    }

    fn seal_bytes(&self, plain: &[u8]) -> Vec<u8> {
        self.seal(plain)
    }

    fn open_bytes(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        self.open(sealed)
    }
}

/// A new access code for an applicant (查询码): 16 characters from an alphabet without look-alikes,
/// about 80 bits.
pub fn new_access_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    (0..16).map(|_| ALPHABET[(rng.next_u32() % ALPHABET.len() as u32) as usize] as char).collect()
}

/// The stored form of an access code: its SM3, hex.
pub fn access_hash(code: &str) -> String {
    use sm3::Digest;
    hex::encode(Sm3::digest(code.trim().to_uppercase().as_bytes()))
}

/// The key the service was given, or the refusal when it has none.
pub(crate) fn require(key: Option<&PersonalKey>) -> ServiceResult<&PersonalKey> {
    key.ok_or_else(|| {
        ServiceError::rejected(
            ErrorCode::PersonalKeyMissing,
            "未配置个人信息加密密钥，不能受理办件（请以 --personal-key 指定密钥文件）",
            "no personal-data key is configured; cases cannot be received",
        )
    })
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_unchanged_and_under_its_key() {
        let key = PersonalKey::generate();
        let sealed = key.seal("张三 11010519491231002X".as_bytes());
        assert!(!sealed.windows(6).any(|w| w == b"110105"), "no clear text in the seal");
        assert_eq!(key.open(&sealed).unwrap(), "张三 11010519491231002X".as_bytes());
        assert_ne!(key.seal(b"same"), key.seal(b"same"), "a fresh nonce each time");
        let mut changed = sealed.clone();
        changed[20] ^= 1;
        assert!(key.open(&changed).is_none());
        assert!(PersonalKey::generate().open(&sealed).is_none());
        let text = key.seal_text("王小明");
        assert!(text.starts_with("sm4:") && !text.contains("王小明"), "{text}");
        assert_eq!(key.open_text(&text).as_deref(), Some("王小明"));
        assert_eq!(key.open_text("张三").as_deref(), Some("张三"), "a name stored before the key");
        assert_eq!(PersonalKey::generate().open_text(&text), None);
        let again = PersonalKey::from_text(&key.to_text()).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), "张三 11010519491231002X".as_bytes());
        assert_eq!(again.index("11010519491231002X"), key.index("11010519491231002X"));
        assert_ne!(
            key.index("11010519491231002X"),
            PersonalKey::generate().index("11010519491231002X")
        );
        assert!(PersonalKey::from_text("quanze-personal-v1 00").is_err());
    }

    #[test]
    fn a_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("personal.key");
        let key = PersonalKey::load_or_create(&path).unwrap();
        let again = PersonalKey::load_or_create(&path).unwrap();
        assert_eq!(key.index("x"), again.index("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn access_codes_are_long_and_hashed_case_insensitively() {
        let code = new_access_code();
        assert_eq!(code.len(), 16);
        assert_eq!(access_hash(&code), access_hash(&code.to_lowercase()));
        assert_ne!(access_hash(&code), access_hash(&new_access_code()));
    }

    #[test]
    fn a_reload_reaches_every_clone_and_refuses_a_ring_without_the_key_in_use() {
        let key = PersonalKey::generate();
        let stores_copy = key.clone();
        let before = key.seal(b"sealed before");
        let rotated = key.rotated();
        let only_new = PersonalKey::from_text(rotated.to_text().lines().next().unwrap()).unwrap();
        assert!(key.reload(&rotated).unwrap());
        assert!(!key.reload(&rotated).unwrap(), "the same ring again changes nothing");
        // The clone the store holds seals under the new key, and still opens the old seal.
        assert!(only_new.open(&stores_copy.seal(b"after")).is_some());
        assert_eq!(stores_copy.open(&before).as_deref(), Some(&b"sealed before"[..]));
        assert_eq!(stores_copy.previous_keys(), 1);
        // A ring without the key in use is refused, and the ring in use kept; so is one that
        // drops a previous key, or reorders the ring.
        let stranger = PersonalKey::generate();
        assert!(key.reload(&stranger).is_err());
        assert!(key.reload(&only_new).is_err(), "the previous key dropped");
        let text = rotated.to_text();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let swapped = PersonalKey::from_text(&format!("{}\n{}\n", lines[1], lines[0])).unwrap();
        assert!(key.reload(&swapped).is_err(), "the replaced key put back in use");
        assert!(only_new.open(&key.seal(b"still")).is_some());
        assert!(stranger.open(&key.seal(b"still")).is_none());
        // A second rotation on top is taken.
        assert!(key.reload(&rotated.rotated()).unwrap());
        assert_eq!(key.previous_keys(), 2);
    }
}
