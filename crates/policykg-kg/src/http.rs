//! A small blocking HTTP/1.1 client on `std::net` for talking to other triple stores: one
//! request per connection, `Content-Length` or chunked bodies, timeouts, and the two
//! authentication schemes SPARQL servers ask for (Basic; Digest with MD5 and `qop=auth`, as
//! Virtuoso's `/sparql-graph-crud-auth` does). Plain `http://` only: TLS endpoints are reached
//! through a local proxy (or `https_proxy`-aware tools); the error says so.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// HTTP errors, naming the URL.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{url}: not an http:// URL")]
    BadUrl { url: String },
    #[error("{url}: https is not supported by the built-in client; use an http:// endpoint (e.g. through a local TLS proxy)")]
    Tls { url: String },
    #[error("{url}: {source}")]
    Io { url: String, source: std::io::Error },
    #[error("{url}: malformed response ({reason})")]
    Protocol { url: String, reason: String },
}

/// A parsed `http://host[:port]/path?query` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub target: String,
}

impl Url {
    /// Parses an `http://` URL.
    pub fn parse(url: &str) -> Result<Url, HttpError> {
        if url.starts_with("https://") {
            return Err(HttpError::Tls { url: url.into() });
        }
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| HttpError::BadUrl { url: url.into() })?;
        let (authority, target) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_string()),
        };
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
                (h, p.parse().map_err(|_| HttpError::BadUrl { url: url.into() })?)
            }
            _ => (authority, 80),
        };
        if host.is_empty() {
            return Err(HttpError::BadUrl { url: url.into() });
        }
        Ok(Url {
            host: host.trim_start_matches('[').trim_end_matches(']').to_string(),
            port,
            target,
        })
    }

    /// The URL with `key=value` appended to its query (value percent-encoded).
    pub fn with_query(&self, key: &str, value: &str) -> Url {
        let sep = if self.target.contains('?') { '&' } else { '?' };
        Url {
            target: format!("{}{sep}{key}={}", self.target, percent_encode(value)),
            ..self.clone()
        }
    }

    fn host_header(&self) -> String {
        if self.port == 80 {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The URL as text (`http://host:port/target`), for messages.
    pub fn display(&self) -> String {
        format!("http://{}{}", self.host_header(), self.target)
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
}

impl Client {
    /// A client with a per-request socket timeout.
    pub fn new(timeout: Duration, credentials: Option<(String, String)>) -> Client {
        Client { timeout, credentials }
    }

    /// Sends a request; on `401` with credentials, answers the server's challenge once.
    pub fn request(
        &self,
        method: &str,
        url: &Url,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response, HttpError> {
        let first = self.send(method, url, headers, body, None)?;
        if first.status != 401 {
            return Ok(first);
        }
        let (Some((user, pass)), Some(challenge)) = (&self.credentials, first.header("www-authenticate")) else {
            return Ok(first);
        };
        let auth = authorization(challenge, user, pass, method, &url.target);
        match auth {
            Some(a) => self.send(method, url, headers, body, Some(&a)),
            None => Ok(first),
        }
    }

    fn send(
        &self,
        method: &str,
        url: &Url,
        headers: &[(&str, &str)],
        body: &[u8],
        auth: Option<&str>,
    ) -> Result<Response, HttpError> {
        let io = |source| HttpError::Io {
            url: url.display(),
            source,
        };
        let addr = (url.host.as_str(), url.port)
            .to_socket_addrs()
            .map_err(io)?
            .next()
            .ok_or_else(|| io(std::io::Error::new(std::io::ErrorKind::NotFound, "host has no address")))?;
        let stream = TcpStream::connect_timeout(&addr, self.timeout).map_err(io)?;
        stream.set_read_timeout(Some(self.timeout)).map_err(io)?;
        stream.set_write_timeout(Some(self.timeout)).map_err(io)?;
        let mut head = format!(
            "{method} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: policykg/{}\r\nContent-Length: {}\r\n",
            url.target,
            url.host_header(),
            env!("CARGO_PKG_VERSION"),
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(a) = auth {
            head.push_str(&format!("Authorization: {a}\r\n"));
        }
        head.push_str("\r\n");
        let mut w = std::io::BufWriter::new(&stream);
        w.write_all(head.as_bytes()).map_err(io)?;
        w.write_all(body).map_err(io)?;
        w.flush().map_err(io)?;
        drop(w);
        read_response(BufReader::new(&stream), url)
    }
}

fn read_response(mut r: impl BufRead, url: &Url) -> Result<Response, HttpError> {
    let bad = |reason: &str| HttpError::Protocol {
        url: url.display(),
        reason: reason.to_string(),
    };
    let io = |source| HttpError::Io {
        url: url.display(),
        source,
    };
    let mut line = String::new();
    r.read_line(&mut line).map_err(io)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status line"))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if r.read_line(&mut line).map_err(io)? == 0 {
            return Err(bad("headers cut short"));
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            line.clear();
            r.read_line(&mut line).map_err(io)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| bad("bad chunk size"))?;
            if size == 0 {
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..]).map_err(io)?;
            line.clear();
            r.read_line(&mut line).map_err(io)?;
        }
    } else if let Some(n) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(n, 0);
        r.read_exact(&mut body).map_err(io)?;
    } else {
        r.read_to_end(&mut body).map_err(io)?;
    }
    Ok(Response { status, headers, body })
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

/// The `Authorization` header answering a challenge, for Basic or Digest (MD5).
pub fn authorization(challenge: &str, user: &str, pass: &str, method: &str, uri: &str) -> Option<String> {
    let (scheme, params) = challenge.trim().split_once(' ').unwrap_or((challenge.trim(), ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(format!("Basic {}", base64(format!("{user}:{pass}").as_bytes())));
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

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_ports_paths_and_queries() {
        let u = Url::parse("http://127.0.0.1:8890/sparql-graph-crud-auth").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.target.as_str()),
            ("127.0.0.1", 8890, "/sparql-graph-crud-auth")
        );
        let u = Url::parse("http://example.org").unwrap();
        assert_eq!((u.port, u.target.as_str()), (80, "/"));
        let q = Url::parse("http://h:1/store?x=1")
            .unwrap()
            .with_query("graph", "https://w3id.org/a b");
        assert_eq!(q.target, "/store?x=1&graph=https%3A%2F%2Fw3id.org%2Fa%20b");
        assert!(matches!(
            Url::parse("https://query.wikidata.org/sparql"),
            Err(HttpError::Tls { .. })
        ));
        assert!(matches!(Url::parse("ftp://x"), Err(HttpError::BadUrl { .. })));
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
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }
}
