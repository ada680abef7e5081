//! 传输加密 — HTTPS served by the binary itself (rustls, TLS 1.2 and 1.3) when a certificate is
//! configured, for a county without a reverse proxy in front.
//!
//! Handshakes run on tasks of their own, at most [`MAX_HANDSHAKES`] at once and each within
//! [`HANDSHAKE_TIMEOUT`], so a client that opens a connection and says nothing (or a flood of
//! them) never holds up the accept loop or anyone else's handshake; finished connections reach
//! axum through a channel. A failed handshake is logged and dropped.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;

/// Handshakes in progress at once; beyond it new connections wait to be accepted.
pub const MAX_HANDSHAKES: usize = 256;
/// Handshakes in progress at once from one address (an IPv6 address by its /64): one client
/// opening silent connections cannot take every slot.
pub const MAX_HANDSHAKES_PER_SOURCE: usize = 8;
/// How long a handshake may take.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a certificate or key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate file holds no certificate.
    #[error("no certificate in the PEM file")]
    NoCertificate,
    /// A PEM file does not parse.
    #[error("cannot read the PEM file: {0}")]
    Pem(String),
    /// rustls refused the pair (a key that does not match the certificate, an unsupported key).
    #[error("the certificate and key cannot be used: {0}")]
    Config(String),
}

/// A server configuration from a PEM certificate chain (leaf first) and its PEM private key
/// (PKCS#8, PKCS#1 or SEC1), HTTP/1.1 offered by ALPN.
pub fn server_config(cert_pem: &[u8], key_pem: &[u8]) -> Result<Arc<ServerConfig>, TlsError> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem(e.to_string()))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| TlsError::Pem(e.to_string()))?;
    // ring's provider: the aws-lc one needs cmake to build. Its lack of post-quantum key
    // exchange is what the deprecation says; the classical suites are the 等保 baseline.
    #[allow(deprecated)]
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Runs `f` when dropped.
struct Guard<F: FnOnce()>(Option<F>);

impl<F: FnOnce()> Drop for Guard<F> {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f();
        }
    }
}

fn scopeguard<F: FnOnce()>(f: F) -> Guard<F> {
    Guard(Some(f))
}

/// A listener that hands axum TLS connections whose handshake has finished.
pub struct TlsListener {
    ready: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Starts accepting on `listener` with `config`.
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (tx, ready) = tokio::sync::mpsc::channel(MAX_HANDSHAKES);
        let acceptor = TlsAcceptor::from(config);
        let slots = Arc::new(tokio::sync::Semaphore::new(MAX_HANDSHAKES));
        let per_source: Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>> =
            Arc::default();
        tokio::spawn(async move {
            loop {
                let Ok(slot) = Arc::clone(&slots).acquire_owned().await else { return };
                let (tcp, peer) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a moment, as axum does.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if tx.is_closed() {
                    return;
                }
                let source = quanze_core::account::throttle::source_key(peer.ip());
                {
                    let mut counts = per_source.lock().unwrap_or_else(|e| e.into_inner());
                    let count = counts.entry(source).or_default();
                    if *count >= MAX_HANDSHAKES_PER_SOURCE {
                        tracing::debug!(%peer, "too many handshakes from one address");
                        continue;
                    }
                    *count += 1;
                }
                let (acceptor, tx, per_source) = (acceptor.clone(), tx.clone(), per_source.clone());
                tokio::spawn(async move {
                    let _slot = slot;
                    // The address's count goes down however the handshake ends.
                    let _count = scopeguard(move || {
                        let mut counts = per_source.lock().unwrap_or_else(|e| e.into_inner());
                        if let Some(count) = counts.get_mut(&source) {
                            *count -= 1;
                            if *count == 0 {
                                counts.remove(&source);
                            }
                        }
                    });
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { ready, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept loop ended (the server is stopping): no more connections.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}
