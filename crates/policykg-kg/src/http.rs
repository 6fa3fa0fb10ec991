//! The HTTP(S) client for talking to other triple stores (`push`, federated `SERVICE`), on
//! [`ureq`]: HTTP/1.1 framing, URL handling, timeouts, proxies from the environment
//! (`https_proxy`, `no_proxy`) and TLS (rustls with ring, Mozilla's roots built in; no
//! OpenSSL, no `curl`) are ureq's. What stays here is what ureq does not do: answering a
//! `401` challenge once with the credentials, Basic or Digest (MD5, `qop=auth`, as Virtuoso's
//! `/sparql-graph-crud-auth` asks; a server that refuses before reading the body, as Virtuoso
//! does, is asked for its challenge with an empty body first, as curl does), and the choice of
//! trusted roots. Each request runs on an agent built for it (`push` sends a few hundred).
//!
//! Trusted roots: Mozilla's (`webpki-roots`), or, when a CA file is given ([`Client::with_ca_cert`],
//! `policykg push --ca-cert FILE`, or the environment variable [`CA_CERT_ENV`] for every
//! client, federated `SERVICE` included), only the PEM certificates of that file — as curl's
//! `--cacert` does. Self-signed test endpoints and private CAs are reached that way.

use std::path::{Path, PathBuf};
use std::time::Duration;
use ureq::http::{self, Uri};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// Environment variable naming a PEM file of CA certificates every client trusts instead of
/// the built-in Mozilla roots.
pub const CA_CERT_ENV: &str = "POLICYKG_CA_CERT";

/// HTTP errors, naming the URL (or the CA file).
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{url}: not an http:// or https:// URL")]
    BadUrl { url: String },
    #[error("{url}: {reason}")]
    Request { url: String, reason: String },
    #[error("CA certificates {}: {reason}", path.display())]
    CaCert { path: PathBuf, reason: String },
}

/// An absolute `http://` or `https://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url(Uri);

/// What [`percent_encode`] leaves alone: RFC 3986's unreserved characters.
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl Url {
    /// Parses an `http://` or `https://` URL with a host.
    pub fn parse(url: &str) -> Result<Url, HttpError> {
        let bad = || HttpError::BadUrl { url: url.into() };
        let uri: Uri = url.parse().map_err(|_| bad())?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        let Some(authority) = uri.authority().filter(|a| !a.host().is_empty() && scheme_ok) else {
            return Err(bad());
        };
        // `http` keeps a port that is not a number as text; such a URL names no server.
        let host_port = authority.as_str().rsplit('@').next().unwrap_or_default();
        if host_port != authority.host() && authority.port_u16().is_none() {
            return Err(bad());
        }
        Ok(Url(uri))
    }

    /// The URL with `key=value` appended to its query (value percent-encoded).
    pub fn with_query(&self, key: &str, value: &str) -> Url {
        let text = self.0.to_string();
        let sep = if self.0.query().is_some() { '&' } else { '?' };
        let value = percent_encoding::utf8_percent_encode(value, UNRESERVED);
        let with = format!("{text}{sep}{key}={value}");
        // Appending an encoded parameter to a valid URL gives a valid URL.
        Url(with.parse().unwrap_or_else(|_| self.0.clone()))
    }

    /// Path and query: the request target (and the Digest `uri`).
    pub fn target(&self) -> &str {
        self.0.path_and_query().map_or("/", |p| p.as_str())
    }

    /// The URL as text, for messages.
    pub fn display(&self) -> String {
        self.0.to_string()
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

/// A response: status, headers (names lower-cased), body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// First header with this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy), for error messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client with optional credentials, answering Basic or Digest challenges.
#[derive(Clone, Debug)]
pub struct Client {
    pub timeout: Duration,
    pub credentials: Option<(String, String)>,
    /// PEM file of the CA certificates to trust instead of Mozilla's roots.
    pub ca_cert: Option<PathBuf>,
}

impl Client {
    /// A client whose requests each take at most `timeout`; it trusts the CA file named by
    /// [`CA_CERT_ENV`] when that is set.
    pub fn new(timeout: Duration, credentials: Option<(String, String)>) -> Client {
        Client {
            timeout,
            credentials,
            ca_cert: std::env::var_os(CA_CERT_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }

    /// The same client trusting the certificates of a PEM file instead of Mozilla's roots.
    pub fn with_ca_cert(self, path: Option<&Path>) -> Client {
        Client {
            ca_cert: path.map(Path::to_path_buf).or(self.ca_cert),
            ..self
        }
    }

    fn agent(&self) -> Result<ureq::Agent, HttpError> {
        let mut tls = TlsConfig::builder();
        if let Some(path) = &self.ca_cert {
            tls = tls.root_certs(RootCerts::new_with_certs(&read_ca_certs(path)?));
        }
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(format!("policykg/{}", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build();
        Ok(config.new_agent())
    }

    /// Sends a request; on `401` with credentials, answers the server's challenge once.
    pub fn request(
        &self,
        method: &str,
        url: &Url,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response, HttpError> {
        let agent = self.agent()?;
        let first = match send(&agent, method, url, headers, body, None) {
            // A server that wants credentials may answer `401` and close before it read the
            // body (Virtuoso does): writing the rest then fails. Ask for its challenge with
            // an empty body, as curl does for Digest, and send the body only with the answer.
            Err(error) if self.credentials.is_some() && !body.is_empty() => {
                let probe = send(&agent, method, url, headers, &[], None)?;
                if probe.status != 401 {
                    return Err(error);
                }
                probe
            }
            other => other?,
        };
        if first.status != 401 {
            return Ok(first);
        }
        let (Some((user, pass)), Some(challenge)) = (&self.credentials, first.header("www-authenticate")) else {
            return Ok(first);
        };
        match authorization(challenge, user, pass, method, url.target()) {
            Some(auth) => send(&agent, method, url, headers, body, Some(&auth)),
            None => Ok(first),
        }
    }
}

/// The certificates of a PEM file.
fn read_ca_certs(path: &Path) -> Result<Vec<Certificate<'static>>, HttpError> {
    let fail = |reason: String| HttpError::CaCert {
        path: path.to_path_buf(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        if let PemItem::Certificate(c) = item.map_err(|e| fail(e.to_string()))? {
            certs.push(c);
        }
    }
    if certs.is_empty() {
        return Err(fail("no PEM certificate in the file".into()));
    }
    Ok(certs)
}

fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    body: &[u8],
    auth: Option<&str>,
) -> Result<Response, HttpError> {
    let fail = |reason: String| HttpError::Request {
        url: url.display(),
        reason,
    };
    let mut request = http::Request::builder().method(method).uri(url.0.clone());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    if let Some(a) = auth {
        request = request.header("Authorization", a);
    }
    let request = request.body(body).map_err(|e| fail(e.to_string()))?;
    let mut answer = agent.run(request).map_err(|e| fail(e.to_string()))?;
    let headers = answer
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = answer
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_vec()
        .map_err(|e| fail(e.to_string()))?;
    Ok(Response {
        status: answer.status().as_u16(),
        headers,
        body,
    })
}

/// Parameters of a `WWW-Authenticate` challenge (`Digest realm="x", nonce="y", …`).
fn challenge_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        rest = rest.trim_start_matches([' ', ',']);
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_ascii_lowercase();
        rest = &rest[eq + 1..];
        let value;
        if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"').unwrap_or(r.len());
            value = r[..end].to_string();
            rest = r.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        out.push((key, value));
    }
    out
}

pub use policykg_extract::doc::md5_hex;

/// The `Authorization` header answering a challenge, for Basic or Digest (MD5, RFC 2617).
pub fn authorization(challenge: &str, user: &str, pass: &str, method: &str, uri: &str) -> Option<String> {
    use base64::Engine;
    let (scheme, params) = challenge.trim().split_once(' ').unwrap_or((challenge.trim(), ""));
    if scheme.eq_ignore_ascii_case("basic") {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        return Some(format!("Basic {token}"));
    }
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let p = challenge_params(params);
    let get = |k: &str| p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let realm = get("realm").unwrap_or("");
    let nonce = get("nonce")?;
    if get("algorithm").is_some_and(|a| !a.eq_ignore_ascii_case("MD5")) {
        return None;
    }
    let ha1 = md5_hex(&format!("{user}:{realm}:{pass}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let qop_auth = get("qop").is_some_and(|q| q.split(',').any(|x| x.trim() == "auth"));
    let cnonce = md5_hex(&format!(
        "{nonce}:{:?}:{}",
        std::time::SystemTime::now(),
        std::process::id()
    ))[..16]
        .to_string();
    let mut h =
        format!("Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm=MD5");
    if qop_auth {
        let response = md5_hex(&format!("{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}"));
        h.push_str(&format!(
            ", qop=auth, nc=00000001, cnonce=\"{cnonce}\", response=\"{response}\""
        ));
    } else {
        let response = md5_hex(&format!("{ha1}:{nonce}:{ha2}"));
        h.push_str(&format!(", response=\"{response}\""));
    }
    if let Some(o) = get("opaque") {
        h.push_str(&format!(", opaque=\"{o}\""));
    }
    Some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_ports_paths_and_queries() {
        let u = Url::parse("http://127.0.0.1:8890/sparql-graph-crud-auth").unwrap();
        assert_eq!(u.target(), "/sparql-graph-crud-auth");
        let u = Url::parse("http://example.org").unwrap();
        assert_eq!(u.target(), "/");
        let q = Url::parse("http://h:1/store?x=1")
            .unwrap()
            .with_query("graph", "https://w3id.org/a b#x");
        assert_eq!(q.target(), "/store?x=1&graph=https%3A%2F%2Fw3id.org%2Fa%20b%23x");
        assert!(Url::parse("https://query.wikidata.org/sparql").is_ok());
        assert!(matches!(Url::parse("ftp://x"), Err(HttpError::BadUrl { .. })));
        assert!(Url::parse("/relative").is_err());
        assert!(Url::parse("http://h:notaport/").is_err());
    }

    #[test]
    fn digest_answer_matches_rfc_2617_example() {
        // RFC 2617 §3.5: Mufasa / Circle Of Life.
        let ch = "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", \
                  nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
        let h = authorization(ch, "Mufasa", "Circle Of Life", "GET", "/dir/index.html").unwrap();
        let cnonce = h.split("cnonce=\"").nth(1).unwrap().split('"').next().unwrap();
        let ha1 = md5_hex("Mufasa:testrealm@host.com:Circle Of Life");
        let ha2 = md5_hex("GET:/dir/index.html");
        let expected = md5_hex(&format!(
            "{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:{cnonce}:auth:{ha2}"
        ));
        assert!(h.contains(&format!("response=\"{expected}\"")), "{h}");
        assert!(h.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
        // With the RFC's own cnonce the response is the RFC's value.
        let ha = md5_hex(&format!(
            "{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:{ha2}"
        ));
        assert_eq!(ha, "6629fae49393a05397450978507c4ef1");
    }

    #[test]
    fn basic_answer_is_base64() {
        assert_eq!(
            authorization("Basic realm=\"x\"", "Aladdin", "open sesame", "GET", "/").unwrap(),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    #[test]
    fn a_ca_file_without_certificates_is_an_error() {
        let dir = std::env::temp_dir().join(format!("policykg-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = read_ca_certs(&empty).unwrap_err().to_string();
        assert!(err.contains("no PEM certificate"), "{err}");
        assert!(read_ca_certs(&dir.join("missing.pem")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
