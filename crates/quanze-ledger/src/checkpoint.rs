//! 检查点 — signed tree heads in the C2SP tlog-checkpoint format (<https://c2sp.org/tlog-checkpoint>).
//!
//! A checkpoint body is the log's origin line, the tree size in decimal, the root hash in
//! base64, and optional extension lines, each ending in a newline. It is signed as the text
//! of a [`SignedNote`].

use std::fmt;

use crate::hash::Hash;
use crate::note::{NoteError, SignedNote, SigningKey, VerifierKey};

/// 检查点 — a signed tree head's content: which log, how many leaves, which root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin, a unique schema-less URL such as `ledger.example.gov.cn/county/110101`.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// Root hash of the tree of that size.
    pub root: Hash,
    /// Extra lines after the root, without their newlines; each must be non-empty.
    pub extensions: Vec<String>,
}

/// Why a checkpoint could not be parsed, formatted or opened.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The body is not a valid checkpoint.
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    /// The checkpoint is for another log.
    #[error("checkpoint origin is {found:?}, expected {expected:?}")]
    WrongOrigin {
        /// The origin expected.
        expected: String,
        /// The origin found.
        found: String,
    },
    /// The signed note around the checkpoint is malformed or not validly signed.
    #[error(transparent)]
    Note(#[from] NoteError),
}

impl Checkpoint {
    /// Parses a checkpoint body (the note text, including the final newline).
    pub fn parse(body: &str) -> Result<Checkpoint, CheckpointError> {
        let malformed = |why: &str| CheckpointError::Malformed(why.to_owned());
        let lines = body.strip_suffix('\n').ok_or_else(|| malformed("missing final newline"))?;
        let mut lines = lines.split('\n');
        let origin = lines.next().unwrap_or_default();
        let size = lines.next().ok_or_else(|| malformed("missing size line"))?;
        let root = lines.next().ok_or_else(|| malformed("missing root hash line"))?;
        let checkpoint = Checkpoint {
            origin: origin.to_owned(),
            size: parse_size(size)?,
            root: Hash::from_base64(root)
                .map_err(|err| CheckpointError::Malformed(format!("root hash: {err}")))?,
            extensions: lines.map(str::to_owned).collect(),
        };
        checkpoint.check()?;
        Ok(checkpoint)
    }

    /// The checkpoint body: the text that is signed.
    pub fn to_body(&self) -> Result<String, CheckpointError> {
        self.check()?;
        Ok(self.to_string())
    }

    /// Signs the body with each of `keys`.
    pub fn sign(&self, keys: &[&SigningKey]) -> Result<SignedNote, CheckpointError> {
        Ok(SignedNote::sign(self.to_body()?, keys)?)
    }

    /// Parses a signed checkpoint, verifies it against `known` keys (C2SP rules, see
    /// [`SignedNote::verify`]) and checks its origin.
    pub fn open(
        message: &str,
        origin: &str,
        known: &[VerifierKey],
    ) -> Result<(Checkpoint, SignedNote), CheckpointError> {
        let note = SignedNote::parse(message)?;
        note.verify(known)?;
        let checkpoint = Checkpoint::parse(note.text())?;
        if checkpoint.origin != origin {
            return Err(CheckpointError::WrongOrigin {
                expected: origin.to_owned(),
                found: checkpoint.origin,
            });
        }
        Ok((checkpoint, note))
    }

    fn check(&self) -> Result<(), CheckpointError> {
        let malformed = |why: &str| Err(CheckpointError::Malformed(why.to_owned()));
        if self.origin.is_empty() {
            return malformed("empty origin");
        }
        let bad_char = |c: char| c.is_control();
        if self.origin.contains(bad_char) {
            return malformed("control character in origin");
        }
        for extension in &self.extensions {
            if extension.is_empty() {
                return malformed("empty extension line");
            }
            if extension.contains(bad_char) {
                return malformed("control character in extension line");
            }
        }
        Ok(())
    }
}

impl fmt::Display for Checkpoint {
    /// The body text; use [`Checkpoint::to_body`] to also validate it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.origin)?;
        writeln!(f, "{}", self.size)?;
        writeln!(f, "{}", self.root.to_base64())?;
        for extension in &self.extensions {
            writeln!(f, "{extension}")?;
        }
        Ok(())
    }
}

/// ASCII decimal without sign or leading zeros.
fn parse_size(text: &str) -> Result<u64, CheckpointError> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return Err(CheckpointError::Malformed(format!(
            "tree size {text:?} is not canonical decimal"
        )));
    }
    text.parse().map_err(|_| CheckpointError::Malformed(format!("tree size {text:?} is too large")))
}

#[cfg(test)]
mod tests;
