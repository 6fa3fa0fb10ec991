//! `push` against a Graph Store Protocol server on loopback that asks for Digest
//! authentication (as Virtuoso's `/sparql-graph-crud-auth` does) and keeps what it receives
//! in a real Oxigraph store: every graph arrives, the server's count equals the local one,
//! re-pushing replaces rather than duplicates, `--prune` deletes graphs gone locally, and a
//! wrong password is a clear error. Like Virtuoso, the server answers a write without
//! credentials with `401` before it reads the body, and closes; the client then asks for the
//! challenge with an empty body. `.ci/run` repeats this against a real Virtuoso.

use crate::common;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphNameRef, NamedNode};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use policykg::http::md5_hex;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};

const NONCE: &str = "4f1ce0c0ffee";

fn param<'a>(h: &'a str, key: &str) -> Option<&'a str> {
    let i = h.find(&format!("{key}="))? + key.len() + 1;
    let rest = &h[i..];
    Some(match rest.strip_prefix('"') {
        Some(r) => &r[..r.find('"')?],
        None => rest.split(',').next()?.trim(),
    })
}

fn digest_ok(auth: &str, method: &str, user: &str, pass: &str) -> bool {
    let (Some(u), Some(uri), Some(nc), Some(cnonce), Some(resp)) = (
        param(auth, "username"),
        param(auth, "uri"),
        param(auth, "nc"),
        param(auth, "cnonce"),
        param(auth, "response"),
    ) else {
        return false;
    };
    let ha1 = md5_hex(&format!("{u}:test:{pass}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    u == user && resp == md5_hex(&format!("{ha1}:{NONCE}:{nc}:{cnonce}:auth:{ha2}"))
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                out.push(u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// A Graph Store Protocol + query server over an in-memory Oxigraph store.
fn serve(store: Store, user: &'static str, pass: &'static str) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            handle(&mut conn, &store, user, pass, &log2);
        }
    });
    (port, log)
}

fn handle(conn: &mut (impl Read + Write), store: &Store, user: &str, pass: &str, log: &Mutex<Vec<String>>) {
    let mut r = BufReader::new(&mut *conn);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap().to_string(), parts.next().unwrap().to_string());
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        if h.trim().is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').unwrap();
        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
    }
    let (path, _) = target.split_once('?').unwrap_or((&target, ""));
    // As Virtuoso: a write without credentials gets its 401 before the body is read, and the
    // connection closes (the client sees its body refused mid-way, or a reset).
    let authorised = headers
        .get("authorization")
        .is_some_and(|a| digest_ok(a, &method, user, pass));
    let len: usize = headers.get("content-length").map(|v| v.parse().unwrap()).unwrap_or(0);
    let mut body = vec![0; len];
    if headers.contains_key("authorization") || !matches!((method.as_str(), path), ("PUT" | "DELETE", "/gsp")) {
        r.read_exact(&mut body).unwrap();
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let params: HashMap<String, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v)))
        .collect();
    drop(r);
    let mut w = conn;
    fn reply(w: &mut impl Write, status: &str, extra: &str, body: &[u8]) {
        // A client gone (it may stop reading after a refused body) is not the server's error.
        let _ = write!(
            w,
            "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = w.write_all(body);
        let _ = w.flush();
    }
    log.lock().unwrap().push(format!("{method} {path}"));
    match (method.as_str(), path) {
        ("PUT" | "DELETE", "/gsp") => {
            if !authorised {
                let ch = format!(
                    "WWW-Authenticate: Digest realm=\"test\", nonce=\"{NONCE}\", qop=\"auth\", algorithm=\"MD5\"\r\n"
                );
                return reply(&mut w, "401 Unauthorized", &ch, b"");
            }
            let g = NamedNode::new(params["graph"].clone()).unwrap();
            store.clear_graph(GraphNameRef::NamedNode(g.as_ref())).unwrap();
            if method == "PUT" {
                assert!(headers["content-type"].starts_with("application/n-triples"));
                store
                    .load_from_slice(
                        RdfParser::from_format(RdfFormat::NTriples).with_default_graph(g.clone()),
                        &body,
                    )
                    .unwrap();
                store.insert_named_graph(g.as_ref()).unwrap();
                reply(&mut w, "201 Created", "", b"")
            } else {
                store.remove_named_graph(g.as_ref()).unwrap();
                reply(&mut w, "204 No Content", "", b"")
            }
        }
        ("GET", "/sparql") => {
            let results = SparqlEvaluator::new()
                .parse_query(&params["query"])
                .unwrap()
                .on_store(store)
                .execute()
                .unwrap();
            let QueryResults::Solutions(sol) = results else {
                panic!()
            };
            let mut out = Vec::new();
            let mut ser = QueryResultsSerializer::from_format(QueryResultsFormat::Json)
                .serialize_solutions_to_writer(&mut out, sol.variables().to_vec())
                .unwrap();
            for s in sol {
                ser.serialize(&s.unwrap()).unwrap();
            }
            ser.finish().unwrap();
            reply(
                &mut w,
                "200 OK",
                "Content-Type: application/sparql-results+json\r\n",
                &out,
            )
        }
        _ => reply(&mut w, "404 Not Found", "", b""),
    }
}

#[test]
fn push_replaces_graphs_verifies_counts_and_prunes() {
    let dir = common::temp_dir("push");
    let bin = env!("CARGO_BIN_EXE_policykg");
    let kg = dir.join("kg");
    let st = Command::new(bin).args(["demo", "--store"]).arg(&kg).output().unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));

    let remote = Store::new().unwrap();
    // Data of someone else's and a stale policykg graph already on the server.
    let other = NamedNode::new("http://example.org/theirs").unwrap();
    let stale = NamedNode::new("https://w3id.org/policykg/id/graph/removed-doc").unwrap();
    for g in [&other, &stale] {
        remote
            .load_from_slice(
                RdfParser::from_format(RdfFormat::NTriples).with_default_graph(g.clone()),
                b"<http://example.org/s> <http://example.org/p> \"o\" .\n".as_slice(),
            )
            .unwrap();
    }
    let (port, log) = serve(remote.clone(), "dba", "secret");
    let push = |extra: &[&str], user: &str| {
        Command::new(bin)
            .args(["push", "--store"])
            .arg(&kg)
            .args(["--endpoint", &format!("http://127.0.0.1:{port}/sparql")])
            .args(["--graph-store", &format!("http://127.0.0.1:{port}/gsp")])
            .args(["--user", user])
            .args(extra)
            .output()
            .unwrap()
    };
    let local_total = {
        let s = policykg::store::KgStore::open_read_only(&kg).unwrap();
        s.inner().len().unwrap()
    };
    for round in 0..2 {
        let out = push(&[], "dba:secret");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(
            err.contains(&format!(
                "{local_total} statements; server holds {local_total} statements"
            )),
            "round {round}: {err}"
        );
    }
    // Pushing twice replaced rather than added; other graphs are untouched.
    let count = |g: &NamedNode| {
        remote
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref())))
            .count()
    };
    assert_eq!(remote.len().unwrap(), local_total + 2);
    assert_eq!(count(&other), 1);
    assert_eq!(count(&stale), 1);

    let out = push(&["--prune"], "dba:secret");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("pruned https://w3id.org/policykg/id/graph/removed-doc"),
        "{err}"
    );
    assert_eq!(count(&stale), 0);
    assert_eq!(count(&other), 1, "only policykg graphs are pruned");
    assert_eq!(remote.len().unwrap(), local_total + 1);

    // A wrong password: a clear error naming the server, exit 2.
    let out = push(&[], "dba:nope");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("refused graph") && err.contains("HTTP 401"), "{err}");
    assert!(log.lock().unwrap().iter().any(|l| l == "DELETE /gsp"));

    // No server at all: a clear connection error.
    let out = Command::new(bin)
        .args(["push", "--store"])
        .arg(&kg)
        .args(["--endpoint", "http://127.0.0.1:9/sparql", "--timeout", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("http://127.0.0.1:9/sparql"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `push` over https: the same Digest-protected server behind TLS with a certificate of a CA
/// made for the test, trusted through `--ca-cert` (and refused without it).
#[test]
fn push_over_https_trusts_the_given_ca() {
    let dir = common::temp_dir("push-https");
    let bin = env!("CARGO_BIN_EXE_policykg");
    let kg = dir.join("kg");
    let st = Command::new(bin).args(["demo", "--store"]).arg(&kg).output().unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let remote = Store::new().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let endpoint = {
        let (remote, log) = (remote.clone(), Arc::clone(&log));
        common::tls_endpoint(&dir, move |conn| handle(conn, &remote, "dba", "secret", &log))
    };
    let port = endpoint.port;
    let push = |ca: Option<&std::path::Path>| {
        let mut cmd = Command::new(bin);
        cmd.args(["push", "--store"])
            .arg(&kg)
            .args(["--endpoint", &format!("https://127.0.0.1:{port}/sparql")])
            .args(["--graph-store", &format!("https://localhost:{port}/gsp")])
            .args(["--user", "dba:secret", "--timeout", "20"])
            .env_remove(policykg::http::CA_CERT_ENV);
        if let Some(ca) = ca {
            cmd.arg("--ca-cert").arg(ca);
        }
        cmd.output().unwrap()
    };
    let local_total = policykg::store::KgStore::open_read_only(&kg)
        .unwrap()
        .inner()
        .len()
        .unwrap();
    let out = push(Some(&endpoint.ca_pem));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "{local_total} statements; server holds {local_total} statements"
        )),
        "{err}"
    );
    assert_eq!(remote.len().unwrap(), local_total);
    assert!(log.lock().unwrap().iter().any(|l| l == "PUT /gsp"));

    // Without the CA the built-in roots do not know the test CA: a clear TLS error, exit 2.
    let out = push(None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("https://localhost:{port}/gsp")), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
