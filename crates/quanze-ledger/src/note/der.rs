//! SM2 signatures as OpenSSL writes them (DER) and as notes carry them (64-byte `r || s`).

use super::*;

/// Converts a DER-encoded SM2 signature (as OpenSSL writes it) to the 64-byte `r || s` of notes.
pub fn sm2_signature_from_der(der: &[u8]) -> Result<[u8; 64], SignatureError> {
    let signature = sm2::dsa::Signature::from_der(der).map_err(|_| SignatureError::Invalid)?;
    Ok(signature.to_bytes().into())
}

/// Converts a 64-byte SM2 `r || s` signature to DER, as OpenSSL reads it.
pub fn sm2_signature_to_der(signature: &[u8]) -> Result<Vec<u8>, SignatureError> {
    check_length(signature, sm2::dsa::Signature::BYTE_SIZE)?;
    let signature =
        sm2::dsa::Signature::from_slice(signature).map_err(|_| SignatureError::Invalid)?;
    Ok(signature.to_der().to_vec())
}
