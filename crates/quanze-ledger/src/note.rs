//! 签名注记 — C2SP signed notes (<https://c2sp.org/signed-note>) and the keys that sign them.
//!
//! A signed note is a UTF-8 text ending in a newline, a blank line, and signature lines
//! `— <key name> <base64(key ID || signature)>`.
//! The key ID is `SHA-256(key name || "\n" || signature type || public key)[:4]`.
//!
//! Signature types:
//! - `0x01`: Ed25519 over the note text, as in the C2SP specification.
//! - `0x04`: Ed25519 witness cosignature (c2sp.org/tlog-cosignature), verified here and
//!   produced by [`crate::witness::WitnessKey`].
//! - `0xFF` followed by the ASCII identifier `quanze/sm2` ([`SM2_TYPE`]): SM2 signatures
//!   (GB/T 32918.2, SM3 digest, distinguishing identifier `1234567812345678`) over the note text.
//!   C2SP reserves `0xFF` for signature types without an assigned byte and recommends a
//!   longer identifier after it; this one is Quanze-specific. The public key is the
//!   65-byte uncompressed SEC1 point, and the signature is the fixed 64-byte `r || s`
//!   (32 bytes each, big-endian), not DER, so every signature line has the same length.
//!
//! Key text formats:
//! - verifier key (C2SP vkey): `<name>+<hex key ID>+<base64(signature type || public key)>`;
//! - Ed25519 private key: `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>`, the
//!   format of Go's `golang.org/x/mod/sumdb/note`;
//! - SM2 private key: PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), readable by OpenSSL 3; its
//!   name comes from the public key file written beside it.

use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::Signer as _;
use sha2::Digest as _;
// ed25519-dalek and sm2 share the `signature` 3 traits, so one import serves both.
use sm2::dsa::signature::Verifier as _;
use sm2::pkcs8::{
    DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _,
    LineEnding,
};
use zeroize::Zeroizing;

mod der;
mod files;

pub use der::{sm2_signature_from_der, sm2_signature_to_der};
pub(crate) use files::write_new_file;
pub use files::{generate_key_files, read_signing_key, read_verifier_key};

/// Signature type byte of Ed25519 note signatures.
pub const ED25519_TYPE: u8 = 0x01;
/// Signature type byte of Ed25519 witness cosignatures (c2sp.org/tlog-cosignature).
pub const COSIGNATURE_V1_TYPE: u8 = 0x04;
/// Signature type of Quanze SM2 note signatures: the C2SP extension byte `0xFF` and an identifier.
pub const SM2_TYPE: &[u8] = b"\xffquanze/sm2";
/// SM2 distinguishing identifier (GB/T 32918.2 default `ID_A`), the same as OpenSSL's `distid`.
pub const SM2_DISTID: &str = "1234567812345678";
/// Most signature lines a note may carry; C2SP requires accepting at least 16.
pub const MAX_SIGNATURES: usize = 100;

/// 签名算法 — algorithm of a log signing key. SM2 is the default.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum SigAlg {
    /// SM2 with SM3 (GB/T 32918.2), Quanze signature type `0xFF "quanze/sm2"`.
    #[default]
    #[serde(rename = "sm2")]
    Sm2,
    /// Ed25519 (RFC 8032), C2SP signature type `0x01`.
    #[serde(rename = "ed25519")]
    Ed25519,
}

/// The four-byte key ID that starts every note signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub [u8; 4]);

/// 签名密钥 — a named private key that signs notes.
///
/// Its `Debug` output never shows the private key.
pub struct SigningKey {
    name: String,
    inner: SigningInner,
}

/// 验证密钥 — a named public key that verifies note signatures of one type.
#[derive(Clone)]
pub struct VerifierKey {
    name: String,
    key_id: KeyId,
    inner: VerifierInner,
}

/// The kind of signature a [`VerifierKey`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// Ed25519 over the note text (`0x01`).
    Ed25519,
    /// SM2 over the note text (`0xFF "quanze/sm2"`).
    Sm2,
    /// Ed25519 timestamped witness cosignature (`0x04`).
    CosignatureV1,
}

/// One signature line of a note, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// Key name.
    pub name: String,
    /// Key ID.
    pub key_id: KeyId,
    /// The signature bytes after the key ID.
    pub signature: Vec<u8>,
}

/// 签名注记 — a note text with its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    text: String,
    signatures: Vec<NoteSignature>,
}

/// Why a key could not be parsed, generated, stored or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key name is empty or contains a space or `+`.
    #[error("invalid key name {0:?}: it must be non-empty without spaces or '+'")]
    InvalidName(String),
    /// The key text is not in the expected format.
    #[error("malformed key: {0}")]
    Malformed(String),
    /// The key ID in the text does not match the key.
    #[error("key ID {found} does not match the key (computed {computed})")]
    KeyIdMismatch {
        /// Key ID written in the text.
        found: KeyId,
        /// Key ID computed from name, type and public key.
        computed: KeyId,
    },
    /// The signature type is not one this crate knows.
    #[error("unsupported signature type {0}")]
    UnsupportedType(String),
    /// The private key file does not belong to the public key file.
    #[error("private key does not match public key {0}")]
    Mismatch(String),
    /// The operating system's random generator failed.
    #[error("random number generator failed: {0}")]
    Random(String),
    /// A key operation inside the cryptographic library failed.
    #[error("{0}")]
    Crypto(String),
    /// Reading or writing a key file failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("writing private key").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// Why a signature did not verify under a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature has the wrong size for the key type.
    #[error("signature is {actual} bytes, expected {expected}")]
    Length {
        /// Size for this key type.
        expected: usize,
        /// Size received.
        actual: usize,
    },
    /// A cosignature timestamp above 2^63 - 1.
    #[error("cosignature timestamp {0} is out of range")]
    Timestamp(u64),
    /// The signature is well-formed but wrong.
    #[error("signature does not verify")]
    Invalid,
}

/// Why a note could not be parsed, signed or verified.
#[derive(Debug, thiserror::Error)]
pub enum NoteError {
    /// The note is not in signed note format.
    #[error("malformed note: {0}")]
    Malformed(String),
    /// More than [`MAX_SIGNATURES`] signature lines.
    #[error("note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    /// A signature from a known key failed to verify; the whole note is rejected.
    #[error("signature by {name} ({key_id}) does not verify: {reason}")]
    BadSignature {
        /// Key name.
        name: String,
        /// Key ID.
        key_id: KeyId,
        /// Why.
        reason: SignatureError,
    },
    /// No signature from a known key.
    #[error("note has no signature from a known key")]
    Unverified,
    /// Signing failed.
    #[error(transparent)]
    Key(#[from] KeyError),
}

enum SigningInner {
    Ed25519(ed25519_dalek::SigningKey),
    Sm2(sm2::dsa::SigningKey),
}

#[derive(Clone)]
enum VerifierInner {
    Ed25519(ed25519_dalek::VerifyingKey),
    Sm2(sm2::dsa::VerifyingKey),
    CosignatureV1(ed25519_dalek::VerifyingKey),
}

impl SigAlg {
    /// The stable name: `"sm2"` or `"ed25519"`.
    pub fn name(self) -> &'static str {
        match self {
            SigAlg::Sm2 => "sm2",
            SigAlg::Ed25519 => "ed25519",
        }
    }
}

impl fmt::Display for SigAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for SigAlg {
    type Err = KeyError;

    fn from_str(name: &str) -> Result<SigAlg, KeyError> {
        match name {
            "sm2" => Ok(SigAlg::Sm2),
            "ed25519" => Ok(SigAlg::Ed25519),
            other => Err(KeyError::UnsupportedType(format!("{other:?}"))),
        }
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl KeyId {
    /// `SHA-256(name || "\n" || signature type || public key)[:4]`.
    pub fn compute(name: &str, sig_type: &[u8], public_key: &[u8]) -> KeyId {
        let mut hasher = sha2::Sha256::new();
        hasher.update(name.as_bytes());
        hasher.update(b"\n");
        hasher.update(sig_type);
        hasher.update(public_key);
        let digest = hasher.finalize();
        KeyId([digest[0], digest[1], digest[2], digest[3]])
    }
}

impl SigningKey {
    /// A new random key named `name` (a schema-less URL is recommended, e.g. `county.example/ledger`).
    pub fn generate(alg: SigAlg, name: &str) -> Result<SigningKey, KeyError> {
        check_name(name)?;
        let inner = match alg {
            SigAlg::Ed25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                fill_random(seed.as_mut())?;
                SigningInner::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
            SigAlg::Sm2 => SigningInner::Sm2(random_sm2_key()?),
        };
        Ok(SigningKey { name: name.to_owned(), inner })
    }

    /// An Ed25519 key from its 32-byte seed.
    pub fn from_ed25519_seed(name: &str, seed: &[u8; 32]) -> Result<SigningKey, KeyError> {
        check_name(name)?;
        let inner = SigningInner::Ed25519(ed25519_dalek::SigningKey::from_bytes(seed));
        Ok(SigningKey { name: name.to_owned(), inner })
    }

    /// An SM2 key from its 32-byte big-endian private scalar.
    pub fn from_sm2_scalar(name: &str, scalar: &[u8; 32]) -> Result<SigningKey, KeyError> {
        check_name(name)?;
        let key = sm2::dsa::SigningKey::from_slice(SM2_DISTID, scalar).map_err(|_| {
            KeyError::Malformed("SM2 private scalar is zero or out of range".into())
        })?;
        Ok(SigningKey { name: name.to_owned(), inner: SigningInner::Sm2(key) })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The signature algorithm.
    pub fn alg(&self) -> SigAlg {
        match self.inner {
            SigningInner::Ed25519(_) => SigAlg::Ed25519,
            SigningInner::Sm2(_) => SigAlg::Sm2,
        }
    }

    /// The matching public key.
    pub fn verifier_key(&self) -> VerifierKey {
        let inner = match &self.inner {
            SigningInner::Ed25519(key) => VerifierInner::Ed25519(key.verifying_key()),
            SigningInner::Sm2(key) => VerifierInner::Sm2(key.verifying_key().clone()),
        };
        VerifierKey::from_parts(self.name.clone(), inner)
    }

    /// Signs `message`: 64 bytes, Ed25519 or SM2 `r || s`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            SigningInner::Ed25519(key) => Ok(key.sign(message).to_bytes().to_vec()),
            SigningInner::Sm2(key) => {
                let signature: sm2::dsa::Signature = key
                    .try_sign(message)
                    .map_err(|err| KeyError::Crypto(format!("SM2 signing failed: {err}")))?;
                Ok(signature.to_bytes().to_vec())
            }
        }
    }

    pub(crate) fn ed25519(&self) -> Option<&ed25519_dalek::SigningKey> {
        match &self.inner {
            SigningInner::Ed25519(key) => Some(key),
            SigningInner::Sm2(_) => None,
        }
    }

    /// The signature line content for a note `text`.
    pub fn sign_note(&self, text: &str) -> Result<NoteSignature, KeyError> {
        Ok(NoteSignature {
            name: self.name.clone(),
            key_id: self.verifier_key().key_id(),
            signature: self.sign(text.as_bytes())?,
        })
    }

    /// The private key file contents (see the module documentation for the formats).
    pub fn to_private_text(&self) -> Result<Zeroizing<String>, KeyError> {
        match &self.inner {
            SigningInner::Ed25519(key) => {
                let mut bytes = Zeroizing::new(Vec::with_capacity(33));
                bytes.push(ED25519_TYPE);
                bytes.extend_from_slice(key.as_bytes());
                let key_id = self.verifier_key().key_id();
                Ok(Zeroizing::new(format!(
                    "PRIVATE+KEY+{}+{key_id}+{}\n",
                    self.name,
                    BASE64.encode(bytes.as_slice())
                )))
            }
            SigningInner::Sm2(key) => {
                let secret = sm2::SecretKey::from_bytes(&key.to_bytes())
                    .map_err(|_| KeyError::Crypto("SM2 private key is invalid".into()))?;
                secret
                    .to_pkcs8_pem(LineEnding::LF)
                    .map_err(|err| KeyError::Crypto(format!("encoding PKCS#8: {err}")))
            }
        }
    }

    /// Parses private key text; `name` is the key's name (checked against an Ed25519 text).
    pub fn from_private_text(text: &str, name: &str) -> Result<SigningKey, KeyError> {
        check_name(name)?;
        let trimmed = text.trim();
        if let Some(rest) = trimmed.strip_prefix("PRIVATE+KEY+") {
            // Base64 may contain '+'; the name and the hex key ID cannot.
            let parts: Vec<&str> = rest.splitn(3, '+').collect();
            let [text_name, key_id_hex, encoded] = parts[..] else {
                return Err(KeyError::Malformed("expected PRIVATE+KEY+name+id+key".into()));
            };
            if text_name != name {
                return Err(KeyError::Mismatch(format!("named {name}, file says {text_name}")));
            }
            let bytes = Zeroizing::new(
                BASE64.decode(encoded).map_err(|err| KeyError::Malformed(err.to_string()))?,
            );
            let Some((&ED25519_TYPE, seed)) = bytes.split_first() else {
                return Err(KeyError::UnsupportedType("private key is not Ed25519".into()));
            };
            let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
                seed.try_into()
                    .map_err(|_| KeyError::Malformed("Ed25519 seed is not 32 bytes".into()))?,
            );
            let key = SigningKey::from_ed25519_seed(name, &seed)?;
            let found = parse_key_id(key_id_hex)?;
            let computed = key.verifier_key().key_id();
            if found != computed {
                return Err(KeyError::KeyIdMismatch { found, computed });
            }
            return Ok(key);
        }
        if trimmed.starts_with("-----BEGIN PRIVATE KEY-----") {
            let secret = sm2::SecretKey::from_pkcs8_pem(trimmed)
                .map_err(|err| KeyError::Malformed(format!("PKCS#8 SM2 key: {err}")))?;
            let key = sm2::dsa::SigningKey::new(SM2_DISTID, &secret)
                .map_err(|_| KeyError::Malformed("SM2 private key is invalid".into()))?;
            return Ok(SigningKey { name: name.to_owned(), inner: SigningInner::Sm2(key) });
        }
        Err(KeyError::Malformed("neither PRIVATE+KEY text nor PKCS#8 PEM".into()))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("name", &self.name)
            .field("alg", &self.alg())
            .field("key_id", &self.verifier_key().key_id())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

impl VerifierKey {
    /// Parses a C2SP vkey: `<name>+<hex key ID>+<base64(signature type || public key)>`.
    pub fn parse(text: &str) -> Result<VerifierKey, KeyError> {
        // Base64 may contain '+'; the name and the hex key ID cannot.
        let parts: Vec<&str> = text.trim().splitn(3, '+').collect();
        let [name, key_id_hex, encoded] = parts[..] else {
            return Err(KeyError::Malformed("expected name+id+key".into()));
        };
        check_name(name)?;
        let found = parse_key_id(key_id_hex)?;
        let bytes = BASE64.decode(encoded).map_err(|err| KeyError::Malformed(err.to_string()))?;
        let inner = decode_public_key(&bytes)?;
        let key = VerifierKey::from_parts(name.to_owned(), inner);
        if key.key_id != found {
            return Err(KeyError::KeyIdMismatch { found, computed: key.key_id });
        }
        Ok(key)
    }

    /// A cosignature (`0x04`) verifier for an Ed25519 public key.
    pub fn cosignature_v1(name: &str, public_key: &[u8; 32]) -> Result<VerifierKey, KeyError> {
        check_name(name)?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(public_key)
            .map_err(|_| KeyError::Malformed("invalid Ed25519 public key".into()))?;
        Ok(VerifierKey::from_parts(name.to_owned(), VerifierInner::CosignatureV1(key)))
    }

    /// An SM2 verifier from an SPKI PEM public key (`-----BEGIN PUBLIC KEY-----`), as
    /// `openssl pkey -pubout` writes it.
    pub fn from_sm2_public_key_pem(name: &str, pem: &str) -> Result<VerifierKey, KeyError> {
        check_name(name)?;
        let public_key = sm2::PublicKey::from_public_key_pem(pem.trim())
            .map_err(|err| KeyError::Malformed(format!("SM2 public key PEM: {err}")))?;
        let key = sm2::dsa::VerifyingKey::new(SM2_DISTID, public_key)
            .map_err(|_| KeyError::Malformed("invalid SM2 public key".into()))?;
        Ok(VerifierKey::from_parts(name.to_owned(), VerifierInner::Sm2(key)))
    }

    /// For an SM2 key, its SPKI PEM public key, which OpenSSL reads; `None` for other types.
    pub fn sm2_public_key_pem(&self) -> Option<String> {
        let VerifierInner::Sm2(key) = &self.inner else {
            return None;
        };
        sm2::PublicKey::from(key).to_public_key_pem(LineEnding::LF).ok()
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// What the key verifies.
    pub fn key_type(&self) -> KeyType {
        match self.inner {
            VerifierInner::Ed25519(_) => KeyType::Ed25519,
            VerifierInner::Sm2(_) => KeyType::Sm2,
            VerifierInner::CosignatureV1(_) => KeyType::CosignatureV1,
        }
    }

    /// The public key bytes (32-byte Ed25519 key or 65-byte uncompressed SM2 point).
    pub fn public_key_bytes(&self) -> Vec<u8> {
        match &self.inner {
            VerifierInner::Ed25519(key) | VerifierInner::CosignatureV1(key) => {
                key.to_bytes().to_vec()
            }
            VerifierInner::Sm2(key) => key.to_sec1_bytes().to_vec(),
        }
    }

    /// Whether a signature line claims to be by this key (same name and key ID).
    pub fn matches(&self, signature: &NoteSignature) -> bool {
        self.name == signature.name && self.key_id == signature.key_id
    }

    /// Checks `signature` over the note text `text` (for a cosignature key, over the
    /// cosigned message built from the timestamp in the signature and `text`).
    pub fn verify(&self, text: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        match &self.inner {
            VerifierInner::Ed25519(key) => verify_ed25519(key, text, signature),
            VerifierInner::Sm2(key) => {
                check_length(signature, sm2::dsa::Signature::BYTE_SIZE)?;
                let signature = sm2::dsa::Signature::from_slice(signature)
                    .map_err(|_| SignatureError::Invalid)?;
                key.verify(text, &signature).map_err(|_| SignatureError::Invalid)
            }
            VerifierInner::CosignatureV1(key) => {
                check_length(signature, 8 + 64)?;
                let (time_bytes, ed25519_signature) = signature.split_at(8);
                let time = u64::from_be_bytes(time_bytes.try_into().expect("split at 8"));
                if time > i64::MAX as u64 {
                    return Err(SignatureError::Timestamp(time));
                }
                let message = cosigned_message(time, text);
                verify_ed25519(key, &message, ed25519_signature)
            }
        }
    }

    fn from_parts(name: String, inner: VerifierInner) -> VerifierKey {
        let (sig_type, public_key): (&[u8], Vec<u8>) = match &inner {
            VerifierInner::Ed25519(key) => (&[ED25519_TYPE], key.to_bytes().to_vec()),
            VerifierInner::CosignatureV1(key) => (&[COSIGNATURE_V1_TYPE], key.to_bytes().to_vec()),
            VerifierInner::Sm2(key) => (SM2_TYPE, key.to_sec1_bytes().to_vec()),
        };
        let key_id = KeyId::compute(&name, sig_type, &public_key);
        VerifierKey { name, key_id, inner }
    }

    fn type_and_key(&self) -> Vec<u8> {
        let mut bytes = match self.inner {
            VerifierInner::Ed25519(_) => vec![ED25519_TYPE],
            VerifierInner::CosignatureV1(_) => vec![COSIGNATURE_V1_TYPE],
            VerifierInner::Sm2(_) => SM2_TYPE.to_vec(),
        };
        bytes.extend_from_slice(&self.public_key_bytes());
        bytes
    }
}

impl fmt::Display for VerifierKey {
    /// The vkey text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{}+{}", self.name, self.key_id, BASE64.encode(self.type_and_key()))
    }
}

impl PartialEq for VerifierKey {
    fn eq(&self, other: &VerifierKey) -> bool {
        self.name == other.name && self.type_and_key() == other.type_and_key()
    }
}

impl Eq for VerifierKey {}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({self})")
    }
}

impl NoteSignature {
    /// The signature line, `— <name> <base64(key ID || signature)>\n`.
    pub fn line(&self) -> String {
        let mut bytes = self.key_id.0.to_vec();
        bytes.extend_from_slice(&self.signature);
        format!("\u{2014} {} {}\n", self.name, BASE64.encode(bytes))
    }

    fn parse_line(line: &str) -> Result<NoteSignature, NoteError> {
        let malformed = |why: &str| NoteError::Malformed(format!("signature line {line:?}: {why}"));
        let rest = line.strip_prefix("\u{2014} ").ok_or_else(|| malformed("no em dash"))?;
        let (name, encoded) = rest.split_once(' ').ok_or_else(|| malformed("no signature"))?;
        check_name(name).map_err(|_| malformed("invalid key name"))?;
        let bytes = BASE64.decode(encoded).map_err(|_| malformed("invalid base64"))?;
        if bytes.len() <= 4 {
            return Err(malformed("signature too short"));
        }
        let (key_id, signature) = bytes.split_at(4);
        Ok(NoteSignature {
            name: name.to_owned(),
            key_id: KeyId(key_id.try_into().expect("split at 4")),
            signature: signature.to_vec(),
        })
    }
}

impl SignedNote {
    /// An unsigned note; `text` must be valid note text ending in a newline.
    pub fn new(text: String) -> Result<SignedNote, NoteError> {
        check_text(&text)?;
        Ok(SignedNote { text, signatures: Vec::new() })
    }

    /// A note with `text` signed by each of `keys`.
    pub fn sign(text: String, keys: &[&SigningKey]) -> Result<SignedNote, NoteError> {
        let mut note = SignedNote::new(text)?;
        for key in keys {
            note.add_signature(key.sign_note(&note.text)?)?;
        }
        Ok(note)
    }

    /// Parses a signed note's structure; it verifies nothing (see [`SignedNote::verify`]).
    pub fn parse(message: &str) -> Result<SignedNote, NoteError> {
        if message.contains(|c: char| c < ' ' && c != '\n') {
            return Err(NoteError::Malformed("control character".into()));
        }
        // The text ends at the last blank line; everything after it is signature lines.
        let split = message
            .rfind("\n\n")
            .ok_or_else(|| NoteError::Malformed("no blank line before signatures".into()))?;
        let (text, block) = (&message[..split + 1], &message[split + 2..]);
        let lines = block
            .strip_suffix('\n')
            .ok_or_else(|| NoteError::Malformed("missing final newline".into()))?;
        if lines.is_empty() {
            return Err(NoteError::Malformed("no signatures".into()));
        }
        let mut note = SignedNote::new(text.to_owned())?;
        for line in lines.split('\n') {
            note.add_signature(NoteSignature::parse_line(line)?)?;
        }
        Ok(note)
    }

    /// The note text, including its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signatures, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Appends a signature line.
    pub fn add_signature(&mut self, signature: NoteSignature) -> Result<(), NoteError> {
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        self.signatures.push(signature);
        Ok(())
    }

    /// Verifies the note against trusted `known` keys, C2SP style: signatures by unknown
    /// keys are ignored, a bad signature by a known key rejects the note, and at least one
    /// known key must have signed. Returns the keys whose signatures verified.
    pub fn verify<'k>(&self, known: &'k [VerifierKey]) -> Result<Vec<&'k VerifierKey>, NoteError> {
        let mut verified: Vec<&VerifierKey> = Vec::new();
        for signature in &self.signatures {
            for key in known.iter().filter(|key| key.matches(signature)) {
                key.verify(self.text.as_bytes(), &signature.signature).map_err(|reason| {
                    NoteError::BadSignature {
                        name: signature.name.clone(),
                        key_id: signature.key_id,
                        reason,
                    }
                })?;
                if !verified.contains(&key) {
                    verified.push(key);
                }
            }
        }
        if verified.is_empty() {
            return Err(NoteError::Unverified);
        }
        Ok(verified)
    }
}

impl fmt::Display for SignedNote {
    /// The signed note text: note text, blank line, signature lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for signature in &self.signatures {
            f.write_str(&signature.line())?;
        }
        Ok(())
    }
}

/// The message an Ed25519 cosignature signs: `cosignature/v1\ntime <t>\n` then the note text.
pub(crate) fn cosigned_message(time: u64, text: &[u8]) -> Vec<u8> {
    let mut message = format!("cosignature/v1\ntime {time}\n").into_bytes();
    message.extend_from_slice(text);
    message
}

pub(crate) fn check_name(name: &str) -> Result<(), KeyError> {
    if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == '+' || c.is_control()) {
        return Err(KeyError::InvalidName(name.to_owned()));
    }
    Ok(())
}

pub(crate) fn fill_random(buffer: &mut [u8]) -> Result<(), KeyError> {
    getrandom::fill(buffer).map_err(|err| KeyError::Random(err.to_string()))
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed("text must end with a newline".into()));
    }
    if text.contains(|c: char| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed("control character".into()));
    }
    Ok(())
}

fn check_length(signature: &[u8], expected: usize) -> Result<(), SignatureError> {
    if signature.len() != expected {
        return Err(SignatureError::Length { expected, actual: signature.len() });
    }
    Ok(())
}

fn verify_ed25519(
    key: &ed25519_dalek::VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let bytes: [u8; 64] = signature
        .try_into()
        .map_err(|_| SignatureError::Length { expected: 64, actual: signature.len() })?;
    let signature = ed25519_dalek::Signature::from_bytes(&bytes);
    key.verify_strict(message, &signature).map_err(|_| SignatureError::Invalid)
}

fn parse_key_id(text: &str) -> Result<KeyId, KeyError> {
    let bytes = hex::decode(text).map_err(|err| KeyError::Malformed(format!("key ID: {err}")))?;
    let array: [u8; 4] =
        bytes.try_into().map_err(|_| KeyError::Malformed("key ID is not 4 bytes".into()))?;
    Ok(KeyId(array))
}

fn decode_public_key(bytes: &[u8]) -> Result<VerifierInner, KeyError> {
    let ed25519 = |key: &[u8]| {
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| KeyError::Malformed("Ed25519 public key is not 32 bytes".into()))?;
        ed25519_dalek::VerifyingKey::from_bytes(&key)
            .map_err(|_| KeyError::Malformed("invalid Ed25519 public key".into()))
    };
    match bytes {
        [ED25519_TYPE, key @ ..] => Ok(VerifierInner::Ed25519(ed25519(key)?)),
        [COSIGNATURE_V1_TYPE, key @ ..] => Ok(VerifierInner::CosignatureV1(ed25519(key)?)),
        _ if bytes.starts_with(SM2_TYPE) => {
            let key = &bytes[SM2_TYPE.len()..];
            if key.len() != 65 || key[0] != 0x04 {
                return Err(KeyError::Malformed(
                    "SM2 public key is not a 65-byte SEC1 point".into(),
                ));
            }
            let key = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, key)
                .map_err(|_| KeyError::Malformed("invalid SM2 public key".into()))?;
            Ok(VerifierInner::Sm2(key))
        }
        [] => Err(KeyError::Malformed("empty public key".into())),
        [other, ..] => Err(KeyError::UnsupportedType(format!("0x{other:02x}"))),
    }
}

fn random_sm2_key() -> Result<sm2::dsa::SigningKey, KeyError> {
    // Rejection sampling: about one draw in 2^32 is zero or not below the group order.
    for _ in 0..64 {
        let mut scalar = Zeroizing::new([0u8; 32]);
        fill_random(scalar.as_mut())?;
        if let Ok(key) = sm2::dsa::SigningKey::from_slice(SM2_DISTID, scalar.as_slice()) {
            return Ok(key);
        }
    }
    Err(KeyError::Random("no valid SM2 scalar in 64 draws".into()))
}

#[cfg(test)]
mod tests;
