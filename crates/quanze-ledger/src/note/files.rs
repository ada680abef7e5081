//! Key files: generating a signing key with its private file (mode 0600, never overwritten)
//! and its public vkey file, and reading them back.

use super::*;

/// Generates a key and writes its private key file (created with mode 0600, never
/// overwriting an existing file) and its public vkey file. Returns the public key.
pub fn generate_key_files(
    alg: SigAlg,
    name: &str,
    private_path: &Path,
    public_path: &Path,
) -> Result<VerifierKey, KeyError> {
    let key = SigningKey::generate(alg, name)?;
    let verifier = key.verifier_key();
    write_new_file(private_path, key.to_private_text()?.as_bytes(), 0o600, "writing private key")?;
    write_new_file(public_path, format!("{verifier}\n").as_bytes(), 0o644, "writing public key")?;
    Ok(verifier)
}

/// Reads a key pair written by [`generate_key_files`], checking that the two files match.
pub fn read_signing_key(private_path: &Path, public_path: &Path) -> Result<SigningKey, KeyError> {
    let verifier = read_verifier_key(public_path)?;
    let text = Zeroizing::new(fs::read_to_string(private_path).map_err(|source| KeyError::Io {
        action: "reading private key",
        path: private_path.to_owned(),
        source,
    })?);
    let key = SigningKey::from_private_text(&text, verifier.name())?;
    if key.verifier_key() != verifier {
        return Err(KeyError::Mismatch(verifier.to_string()));
    }
    Ok(key)
}

/// Reads a vkey file.
pub fn read_verifier_key(path: &Path) -> Result<VerifierKey, KeyError> {
    let text = fs::read_to_string(path).map_err(|source| KeyError::Io {
        action: "reading public key",
        path: path.to_owned(),
        source,
    })?;
    VerifierKey::parse(&text)
}

pub(crate) fn write_new_file(
    path: &Path,
    contents: &[u8],
    mode: u32,
    action: &'static str,
) -> Result<(), KeyError> {
    let io_error = |source| KeyError::Io { action, path: path.to_owned(), source };
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(io_error)?;
    file.write_all(contents).map_err(io_error)?;
    file.sync_all().map_err(io_error)
}
