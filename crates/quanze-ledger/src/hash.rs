//! Hash values and the pluggable hash algorithm of a ledger.
//!
//! Leaves and interior nodes are hashed with the domain separation of RFC 9162 §2.1.1:
//! a leaf is `H(0x00 || data)` and a node is `H(0x01 || left || right)`.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::Digest as _;

/// Length in bytes of every hash value (SM3 and SHA-256 both produce 32 bytes).
pub const HASH_LEN: usize = 32;

/// 杂凑算法 — the hash algorithm of a ledger.
///
/// It is fixed when a ledger is created and recorded with it, so its serialized names
/// (`"sm3"`, `"sha256"`) are stable and must never change.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum HashAlg {
    /// SM3 (GB/T 32905-2016), the default.
    #[default]
    #[serde(rename = "sm3")]
    Sm3,
    /// SHA-256 (FIPS 180-4), as in RFC 6962 and RFC 9162.
    #[serde(rename = "sha256")]
    Sha256,
}

/// A 32-byte hash value: a leaf hash, a node hash or a tree root.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash([u8; HASH_LEN]);

/// Why a hash or an algorithm name could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    /// The text is not valid hexadecimal.
    #[error("invalid hex: {0}")]
    Hex(String),
    /// The text is not valid standard base64.
    #[error("invalid base64: {0}")]
    Base64(String),
    /// The bytes decoded fine but are not exactly 32 of them.
    #[error("a hash is {HASH_LEN} bytes, got {0}")]
    Length(usize),
    /// The name is not one of the known hash algorithms.
    #[error("unknown hash algorithm {0:?} (expected \"sm3\" or \"sha256\")")]
    UnknownAlg(String),
}

impl HashAlg {
    /// Every supported algorithm, default first.
    pub const ALL: [HashAlg; 2] = [HashAlg::Sm3, HashAlg::Sha256];

    /// The stable name recorded with a ledger: `"sm3"` or `"sha256"`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sm3 => "sm3",
            HashAlg::Sha256 => "sha256",
        }
    }

    /// Plain hash of `data`, without any domain-separation prefix.
    pub fn digest(self, data: &[u8]) -> Hash {
        self.digest_parts(&[data])
    }

    /// RFC 9162 leaf hash: `H(0x00 || data)`.
    pub fn hash_leaf(self, data: &[u8]) -> Hash {
        self.digest_parts(&[&[0x00], data])
    }

    /// RFC 9162 interior node hash: `H(0x01 || left || right)`.
    pub fn hash_children(self, left: &Hash, right: &Hash) -> Hash {
        self.digest_parts(&[&[0x01], &left.0, &right.0])
    }

    /// Root of the empty tree: the hash of the empty string.
    pub fn empty_root(self) -> Hash {
        self.digest(&[])
    }

    fn digest_parts(self, parts: &[&[u8]]) -> Hash {
        match self {
            HashAlg::Sm3 => {
                let mut hasher = sm3::Sm3::new();
                for part in parts {
                    hasher.update(part);
                }
                Hash(hasher.finalize().into())
            }
            HashAlg::Sha256 => {
                let mut hasher = sha2::Sha256::new();
                for part in parts {
                    hasher.update(part);
                }
                Hash(hasher.finalize().into())
            }
        }
    }
}

impl fmt::Display for HashAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HashAlg {
    type Err = HashParseError;

    fn from_str(name: &str) -> Result<HashAlg, HashParseError> {
        match name {
            "sm3" => Ok(HashAlg::Sm3),
            "sha256" => Ok(HashAlg::Sha256),
            other => Err(HashParseError::UnknownAlg(other.to_owned())),
        }
    }
}

impl Hash {
    /// Wraps 32 raw bytes.
    pub const fn from_bytes(bytes: [u8; HASH_LEN]) -> Hash {
        Hash(bytes)
    }

    /// Copies a slice that must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Hash, HashParseError> {
        let array: [u8; HASH_LEN] =
            bytes.try_into().map_err(|_| HashParseError::Length(bytes.len()))?;
        Ok(Hash(array))
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// Lower-case hexadecimal, 64 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hexadecimal characters (either case).
    pub fn from_hex(text: &str) -> Result<Hash, HashParseError> {
        let bytes = hex::decode(text).map_err(|err| HashParseError::Hex(err.to_string()))?;
        Hash::from_slice(&bytes)
    }

    /// Standard base64 with padding (RFC 4648 §4), as used in checkpoints.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Parses standard padded base64 of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Hash, HashParseError> {
        let bytes = BASE64.decode(text).map_err(|err| HashParseError::Base64(err.to_string()))?;
        Hash::from_slice(&bytes)
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<[u8; HASH_LEN]> for Hash {
    fn from(bytes: [u8; HASH_LEN]) -> Hash {
        Hash(bytes)
    }
}

#[cfg(test)]
mod tests;
