//! Helpers shared by the integration tests: project paths and extraction of a directory.
#![allow(dead_code)]

use policykg::extract::{extract, Extraction};
use policykg::input::{collect_files, read_document};
use policykg::resolve::Gazetteer;
use std::path::{Path, PathBuf};

/// A path inside the project checkout.
pub fn project(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Extracts every document of a directory, in file order.
pub fn extract_dir(dir: &Path) -> Vec<Extraction> {
    let (files, errors) = collect_files(&[dir.to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    files
        .iter()
        .map(|f| extract(&read_document(f).expect("readable"), Gazetteer::embedded()))
        .collect()
}

/// The seed and dev documents the golden tests cover.
pub fn corpus_dirs() -> Vec<PathBuf> {
    vec![project("seeds"), project("tests/data/dev")]
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("policykg-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// The seeds and the dev corpus in an in-memory store.
pub fn corpus_store() -> policykg::store::KgStore {
    let store = policykg::store::KgStore::in_memory().expect("in-memory store");
    for dir in corpus_dirs() {
        store
            .replace_extractions(&extract_dir(&dir))
            .expect("corpus store builds");
    }
    store
}

/// Builds the seed documents into a store.
pub fn build_seeds(store: &policykg::store::KgStore) {
    store
        .replace_extractions(&extract_dir(&project("seeds")))
        .expect("seed store builds");
}

/// A local TLS endpoint for the https tests: a CA made for the test (its certificate written
/// as PEM to `ca.pem` in `dir`, for `push --ca-cert` and `POLICYKG_CA_CERT`) and a server
/// certificate it signed for `127.0.0.1` and `localhost`. `serve` hands every accepted
/// connection, TLS already wrapped around it, to `handle` (one thread per connection).
pub struct TlsEndpoint {
    pub port: u16,
    pub ca_pem: PathBuf,
}

pub fn tls_endpoint<F>(dir: &Path, handle: F) -> TlsEndpoint
where
    F: Fn(&mut rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>) + Send + Sync + 'static,
{
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    use std::sync::Arc;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "policykg test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key")).expect("CA certificate");
    let server_key = KeyPair::generate().expect("server key");
    let server_cert = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("server parameters")
        .signed_by(&server_key, &ca)
        .expect("server certificate");
    let ca_pem = dir.join("ca.pem");
    std::fs::write(&ca_pem, ca.pem()).expect("CA file");
    // The process's provider: ring, the one rustls is built with here (as for ureq).
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone(), ca.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
        )
        .expect("server TLS configuration");
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let handle = Arc::new(handle);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let (config, handle) = (Arc::clone(&config), Arc::clone(&handle));
            std::thread::spawn(move || {
                let Ok(tls) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut stream = rustls::StreamOwned::new(tls, conn);
                handle(&mut stream);
                stream.conn.send_close_notify();
                let _ = std::io::Write::flush(&mut stream);
            });
        }
    });
    TlsEndpoint { port, ca_pem }
}

/// Serialises the tests that put load on the machine and measure time or memory (the endpoint
/// under attack, the long single line, thousands of files): each holds this guard while it
/// runs, so no two of them share the two cores in this one test process.
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOAD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOAD.lock().unwrap_or_else(|e| e.into_inner())
}
