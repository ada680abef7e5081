//! Integration tests of the ledger, one binary: SM2 interoperability with OpenSSL and the
//! RFC 6962 test vectors.

mod openssl_sm2;
mod rfc6962_vectors;
