//! `policykg serve` driven over real HTTP (a small `std::net` client below): the SPARQL 1.1
//! Protocol (GET, POST form, POST direct), every result format, the named queries giving the
//! same rows as in process, CORS, and the safety limits (400, 403, 406, 413, 415, 503); the base
//! IRI of queries and updates, the update dataset conflict, the service description, the Graph
//! Store Protocol (reads and guarded writes) and content negotiation for every answer kind. One
//! test runs the binary as a second process on an on-disk store while the test holds its own
//! read-only handle on the same directory (what `oxigraph serve-read-only` does).
//!
//! Servers on the seed store evaluate queries in worker processes (`policykg eval-worker`), as
//! `policykg serve` does; writable servers on in-memory stores evaluate in process. The hard
//! limits (a worker killed at the deadline, one dying past its memory, both replaced), updates
//! seen by the workers, the command line's limits, and a minute of hostile clients beside
//! normal ones (issue #17) are tested at the end.

use crate::common;

use common::{project, temp_dir};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use oxigraph::sparql::QuerySolution;
use policykg::query::{bind_params, load_library, run, NamedQuery, OutputFormat};
use policykg::rdf::graph_iri;
use policykg::server::{Server, ServerConfig};
use policykg::store::KgStore;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

// ------------------------------------------------------------------------------------------
// A tiny HTTP/1.1 client.
// ------------------------------------------------------------------------------------------

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }
}

/// Sends raw bytes and reads the whole answer (the server closes every connection).
fn exchange(addr: SocketAddr, raw: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    stream.write_all(raw).expect("send");
    let mut data = Vec::new();
    stream.read_to_end(&mut data).expect("read");
    parse_response(&data)
}

fn parse_response(data: &[u8]) -> Response {
    let split = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(data)));
    let head = std::str::from_utf8(&data[..split]).expect("UTF-8 head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.to_owned(), v.trim().to_owned())
        })
        .collect();
    let body = data[split + 4..].to_vec();
    let response = Response { status, headers, body };
    match response.header("Content-Length") {
        // HEAD answers announce the length of the body they leave out.
        Some(_) if response.body.is_empty() => {}
        Some(len) => assert_eq!(len.parse::<usize>().unwrap(), response.body.len(), "Content-Length"),
        None => {}
    }
    response
}

fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (n, v) in headers {
        raw.push_str(&format!("{n}: {v}\r\n"));
    }
    if method == "POST" || !body.is_empty() {
        raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    raw.push_str("\r\n");
    let mut bytes = raw.into_bytes();
    bytes.extend_from_slice(body);
    exchange(addr, &bytes)
}

/// Percent-encodes everything but unreserved characters.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn get_query(addr: SocketAddr, sparql: &str, accept: &str) -> Response {
    request(
        addr,
        "GET",
        &format!("/query?query={}", enc(sparql)),
        &[("Accept", accept)],
        b"",
    )
}

fn post_form(addr: SocketAddr, path: &str, form: &str, headers: &[(&str, &str)]) -> Response {
    let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
    h.extend_from_slice(headers);
    request(addr, "POST", path, &h, form.as_bytes())
}

// ------------------------------------------------------------------------------------------
// Servers on the seed store.
// ------------------------------------------------------------------------------------------

fn build_into(store: &KgStore) {
    common::build_seeds(store);
}

fn seed_store() -> Arc<KgStore> {
    static STORE: OnceLock<Arc<KgStore>> = OnceLock::new();
    Arc::clone(STORE.get_or_init(|| {
        let store = KgStore::in_memory().unwrap();
        build_into(&store);
        Arc::new(store)
    }))
}

fn library() -> Vec<NamedQuery> {
    load_library(&project("queries")).unwrap()
}

fn config() -> ServerConfig {
    ServerConfig {
        bind: "127.0.0.1:0".into(),
        log: false,
        ..ServerConfig::default()
    }
}

/// The seeds in an on-disk store (built once per test run, closed before anyone reads it).
fn disk_store() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp_dir("server-seeds").join("kg");
        let store = KgStore::open(&dir).unwrap();
        build_into(&store);
        store.flush().unwrap();
        dir
    })
    .clone()
}

/// A read-only handle on the on-disk seed store (answers to compare with: the order of
/// `GROUP_CONCAT` follows the store's own order, which differs between stores).
fn disk_handle() -> Arc<KgStore> {
    static STORE: OnceLock<Arc<KgStore>> = OnceLock::new();
    Arc::clone(STORE.get_or_init(|| Arc::new(KgStore::open_read_only(&disk_store()).unwrap())))
}

/// A server on the on-disk seed store: queries are evaluated in worker processes (the
/// `policykg` binary), unless `config.isolate` is off.
fn start(config: ServerConfig) -> Server {
    Server::start(ServerConfig {
        store: disk_store(),
        worker_exe: Some(env!("CARGO_BIN_EXE_policykg").into()),
        queries: Some(project("queries")),
        ..config
    })
    .unwrap()
}

const COUNT_DOCS: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?d a pkg:Document }";
const DOC_IDS: &str = "PREFIX pkg: <https://w3id.org/policykg/ont#>
SELECT ?id ?title WHERE { ?d pkg:docId ?id OPTIONAL { ?d <http://purl.org/dc/terms/title> ?title } } ORDER BY ?id";
const CONSTRUCT: &str =
    "CONSTRUCT { ?d <http://purl.org/dc/terms/title> ?t } WHERE { ?d a pkg:Document ; dcterms:title ?t }";

fn solutions(format: QueryResultsFormat, body: &[u8]) -> Vec<QuerySolution> {
    match QueryResultsParser::from_format(format).for_slice(body).unwrap() {
        SliceQueryResultsParserOutput::Solutions(s) => s.collect::<Result<_, _>>().unwrap(),
        SliceQueryResultsParserOutput::Boolean(_) => panic!("expected solutions"),
    }
}

fn json_rows(body: &[u8]) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    v["results"]["bindings"].as_array().unwrap().clone()
}

// ------------------------------------------------------------------------------------------

#[test]
fn get_and_post_queries() {
    let server = start(config());
    let addr = server.local_addr();
    let expected = "5";
    let r = get_query(addr, COUNT_DOCS, "application/sparql-results+json");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("Content-Type"), Some("application/sparql-results+json"));
    assert_eq!(json_rows(&r.body)[0]["n"]["value"], expected);

    let r = post_form(addr, "/query", &format!("query={}", enc(COUNT_DOCS)), &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(json_rows(&r.body)[0]["n"]["value"], expected);

    let r = request(
        addr,
        "POST",
        "/query",
        &[("Content-Type", "application/sparql-query; charset=utf-8")],
        COUNT_DOCS.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(json_rows(&r.body)[0]["n"]["value"], expected);

    // Chunked bodies and `Expect: 100-continue` (curl sends it for large bodies).
    let chunked = format!(
        "POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n\
         Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n{:x}\r\n{COUNT_DOCS}\r\n0\r\n\r\n",
        COUNT_DOCS.len()
    );
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(chunked.as_bytes()).unwrap();
    let mut data = Vec::new();
    stream.read_to_end(&mut data).unwrap();
    let text = String::from_utf8_lossy(&data).into_owned();
    assert!(
        text.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"),
        "{text}"
    );
    assert!(text.contains("\"value\":\"5\""), "{text}");

    // The protocol dataset: only the 泰安 document as default graph.
    let g = graph_iri("004_3ff853ae4ec18c33");
    let r = request(
        addr,
        "GET",
        &format!("/query?query={}&default-graph-uri={}", enc(COUNT_DOCS), enc(g.as_str())),
        &[],
        b"",
    );
    assert_eq!(json_rows(&r.body)[0]["n"]["value"], "1");

    // HEAD: same headers, no body.
    let r = request(addr, "HEAD", &format!("/query?query={}", enc(COUNT_DOCS)), &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert!(r.header("Content-Length").is_some());
}

#[test]
fn every_result_format() {
    let server = start(config());
    let addr = server.local_addr();
    let ids = [
        "000_b7ec731a890b3eaa",
        "001_f8e16d3c8f418328",
        "002_a44f2cab6cbf9e3e",
        "003_333bffa1260437b2",
        "004_3ff853ae4ec18c33",
    ];
    for (accept, format, content_type) in [
        (
            "application/sparql-results+json",
            QueryResultsFormat::Json,
            "application/sparql-results+json",
        ),
        (
            "application/json",
            QueryResultsFormat::Json,
            "application/sparql-results+json",
        ),
        (
            "application/sparql-results+xml",
            QueryResultsFormat::Xml,
            "application/sparql-results+xml",
        ),
        (
            "text/tab-separated-values",
            QueryResultsFormat::Tsv,
            "text/tab-separated-values; charset=utf-8",
        ),
    ] {
        let r = get_query(addr, DOC_IDS, accept);
        assert_eq!(r.status, 200, "{accept}: {}", r.text());
        assert_eq!(r.header("Content-Type"), Some(content_type), "{accept}");
        let rows = solutions(format, &r.body);
        let got: Vec<String> = rows
            .iter()
            .map(|s| match s.get("id") {
                Some(oxigraph::model::Term::Literal(l)) => l.value().to_owned(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(got, ids, "{accept}");
        let title = rows[4].get("title").unwrap().to_string();
        assert!(
            title.contains("泰安市新旧动能转换综合试验区建设2022年工作要点"),
            "{title}"
        );
        assert!(title.ends_with("@zh"), "{accept}: {title}");
    }
    let csv = get_query(addr, DOC_IDS, "text/csv");
    assert_eq!(csv.header("Content-Type"), Some("text/csv; charset=utf-8"));
    let text = csv.text();
    assert!(text.starts_with("id,title\r\n000_b7ec731a890b3eaa,\r\n"), "{text}");
    assert!(text.contains("004_3ff853ae4ec18c33,泰安市新旧动能转换综合试验区建设2022年工作要点"));
    let table = get_query(addr, DOC_IDS, "text/plain").text();
    assert!(table.ends_with("5 rows\n"), "{table}");
    // Quality values and a `format` parameter (as SPARQLWrapper sends).
    let r = get_query(addr, DOC_IDS, "application/sparql-results+json;q=0.2, text/csv;q=0.9");
    assert_eq!(r.header("Content-Type"), Some("text/csv; charset=utf-8"));
    let r = request(
        addr,
        "GET",
        &format!("/query?query={}&format=xml", enc(DOC_IDS)),
        &[("Accept", "application/sparql-results+json")],
        b"",
    );
    assert_eq!(r.header("Content-Type"), Some("application/sparql-results+xml"));
    // ASK.
    let r = get_query(addr, "ASK { ?t a pkg:Task }", "application/sparql-results+xml");
    assert!(r.text().contains("<boolean>true</boolean>"), "{}", r.text());

    // Graphs: Turtle by default, N-Triples on request; both parse to the same 2 triples.
    for (accept, rdf, content_type) in [
        ("*/*", RdfFormat::Turtle, "text/turtle"),
        ("text/turtle", RdfFormat::Turtle, "text/turtle"),
        ("application/n-triples", RdfFormat::NTriples, "application/n-triples"),
    ] {
        let r = get_query(addr, CONSTRUCT, accept);
        assert_eq!(r.status, 200, "{accept}: {}", r.text());
        assert_eq!(r.header("Content-Type"), Some(content_type));
        let triples: Vec<_> = RdfParser::from_format(rdf)
            .for_slice(&r.body)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(triples.len(), 2, "{accept}");
    }
    // Nothing acceptable: 406 before evaluating; a graph asked as CSV: 406 too.
    let r = get_query(addr, DOC_IDS, "image/png");
    assert_eq!(r.status, 406);
    assert!(r.text().contains("application/sparql-results+json"), "{}", r.text());
    let r = get_query(addr, CONSTRUCT, "text/csv");
    assert_eq!(r.status, 406, "{}", r.text());
}

#[test]
fn bad_requests_get_clear_answers() {
    let server = start(config());
    let addr = server.local_addr();
    let bad = "SELECT ?x WHERE { ?x ?p }";
    let parser_message = oxigraph::sparql::SparqlEvaluator::new()
        .parse_query(bad)
        .err()
        .unwrap()
        .to_string();
    let r = get_query(addr, bad, "*/*");
    assert_eq!(r.status, 400);
    assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
    assert!(r.text().contains(&parser_message), "{}", r.text());

    // Without a query, GET /query is the service description; POST and a dataset alone are not.
    let r = post_form(addr, "/query", "default-graph-uri=urn%3Ax", &[]);
    assert_eq!(r.status, 400);
    assert!(r.text().contains("missing `query`"), "{}", r.text());
    let r = request(addr, "GET", "/query?default-graph-uri=urn%3Ax", &[], b"");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("missing `query`"), "{}", r.text());
    let r = request(
        addr,
        "GET",
        &format!("/query?query={0}&query={0}", enc(COUNT_DOCS)),
        &[],
        b"",
    );
    assert_eq!(r.status, 400);
    let r = request(
        addr,
        "POST",
        "/query",
        &[("Content-Type", "text/plain")],
        COUNT_DOCS.as_bytes(),
    );
    assert_eq!(r.status, 415, "{}", r.text());
    let r = request(addr, "GET", "/nowhere", &[], b"");
    assert_eq!(r.status, 404);
    let r = request(addr, "GET", "/update", &[], b"");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("POST, OPTIONS"));
    let r = request(addr, "GET", "/query?query=%zz", &[], b"");
    assert_eq!(r.status, 400);
    let r = exchange(addr, b"NOT-HTTP\r\n\r\n");
    assert_eq!(r.status, 400);
    let r = exchange(addr, b"GET /query HTTP/2.0\r\n\r\n");
    assert_eq!(r.status, 505);
    let r = request(addr, "GET", "/", &[], b"");
    assert!(r.text().contains("/queries/NAME"), "{}", r.text());
}

#[test]
fn updates_are_refused_unless_enabled_with_a_token() {
    let server = start(config());
    let addr = server.local_addr();
    let insert = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> \"c\" } }";
    let r = post_form(addr, "/update", &format!("update={}", enc(insert)), &[]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("read-only"), "{}", r.text());
    let r = request(
        addr,
        "POST",
        "/update",
        &[
            ("Content-Type", "application/sparql-update"),
            ("Authorization", "Bearer whatever"),
        ],
        insert.as_bytes(),
    );
    assert_eq!(r.status, 403);
    // A query cannot update either.
    let r = get_query(addr, "DROP ALL", "*/*");
    assert_eq!(r.status, 400);
    drop(server);

    // A writable server on its own store.
    let token = "s3cret-token-for-tests";
    let store = Arc::new(KgStore::in_memory().unwrap());
    let server = Server::start_with(
        ServerConfig {
            allow_update: true,
            token: Some(token.into()),
            ..config()
        },
        Arc::clone(&store),
        Vec::new(),
    )
    .unwrap();
    let addr = server.local_addr();
    let form = format!("update={}", enc(insert));
    let r = post_form(addr, "/update", &form, &[]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("Authorization: Bearer"), "{}", r.text());
    let r = post_form(addr, "/update", &form, &[("Authorization", "Bearer wrong-token-xxxx")]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("wrong bearer token"), "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 0);
    let bearer = format!("Bearer {token}");
    let r = post_form(addr, "/update", &form, &[("Authorization", &bearer)]);
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 1);
    let r = get_query(addr, "ASK { <urn:a> <urn:b> \"c\" }", "application/sparql-results+json");
    assert!(r.text().contains("true"), "{}", r.text());
    let r = request(
        addr,
        "POST",
        "/update",
        &[
            ("Content-Type", "application/sparql-update"),
            ("Authorization", &bearer),
        ],
        b"INSERT DATA { oops",
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("SPARQL syntax error"), "{}", r.text());
}

#[test]
fn slow_queries_time_out_with_503() {
    let server = start(ServerConfig {
        timeout: Duration::from_millis(300),
        ..config()
    });
    let addr = server.local_addr();
    // 27 million pairs of quads compared as strings: far longer than 0.3 s.
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }";
    let started = Instant::now();
    let r = get_query(addr, slow, "application/sparql-results+json");
    let elapsed = started.elapsed();
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().starts_with("query timeout:"), "{}", r.text());
    assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
    // Not the minute the query would take (the margin is for loaded test machines).
    assert!(elapsed < Duration::from_secs(10), "answered after {elapsed:?}");
    // The server is still there.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = get_query(addr, COUNT_DOCS, "application/sparql-results+json");
        if r.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "{} {}", r.status, r.text());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn too_large_answers_and_requests_get_413() {
    let server = start(ServerConfig {
        max_results: 10,
        max_body: 2000,
        ..config()
    });
    let addr = server.local_addr();
    let r = get_query(addr, "SELECT * WHERE { ?s ?p ?o }", "text/csv");
    assert_eq!(r.status, 413);
    assert!(r.text().starts_with("result too large:"), "{}", r.text());
    assert!(r.text().contains("10"), "{}", r.text());
    let r = get_query(addr, CONSTRUCT.replace("?d a pkg:Document ;", "?d").as_str(), "*/*");
    assert_eq!(r.status, 200, "2 triples are fine: {}", r.text());
    let r = get_query(addr, "CONSTRUCT WHERE { ?s ?p ?o }", "*/*");
    assert_eq!(r.status, 413);
    let r = get_query(addr, DOC_IDS, "*/*");
    assert_eq!(r.status, 200, "5 rows are fine");

    let padding = format!("{COUNT_DOCS} #{}", "x".repeat(3000));
    let r = request(
        addr,
        "POST",
        "/query",
        &[("Content-Type", "application/sparql-query")],
        padding.as_bytes(),
    );
    assert_eq!(r.status, 413);
    assert!(r.text().contains("2000 bytes"), "{}", r.text());
    let r = request(addr, "GET", &format!("/query?query={}", enc(&padding)), &[], b"");
    assert_eq!(r.status, 413);
    // A huge declared length is refused without being read (and without allocating it).
    let r = exchange(
        addr,
        b"POST /update HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-update\r\n\
          Content-Length: 1000000000000000\r\n\r\nabc",
    );
    assert_eq!(r.status, 413);
    let r = get_query(addr, COUNT_DOCS, "*/*");
    assert_eq!(r.status, 200, "still serving");
}

#[test]
fn cors_preflight_and_headers() {
    let server = start(config());
    let addr = server.local_addr();
    let r = request(
        addr,
        "OPTIONS",
        "/query",
        &[
            ("Origin", "http://localhost:8080"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type, authorization"),
        ],
        b"",
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("*"));
    assert!(r.header("Access-Control-Allow-Methods").unwrap().contains("POST"));
    let allowed = r.header("Access-Control-Allow-Headers").unwrap().to_ascii_lowercase();
    assert!(allowed.contains("content-type") && allowed.contains("authorization"));
    assert!(r.body.is_empty());
    for r in [
        get_query(addr, COUNT_DOCS, "*/*"),
        get_query(addr, "SELECT", "*/*"),
        request(addr, "POST", "/update", &[], b""),
    ] {
        assert_eq!(
            r.header("Access-Control-Allow-Origin"),
            Some("*"),
            "status {}",
            r.status
        );
    }
    drop(server);
    let server = start(ServerConfig {
        cors_origin: "https://analyst.example".into(),
        ..config()
    });
    let r = get_query(server.local_addr(), COUNT_DOCS, "*/*");
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("https://analyst.example"));
}

#[test]
fn service_is_refused_by_default() {
    let federated = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }";
    let server = start(config());
    let r = get_query(server.local_addr(), federated, "*/*");
    assert_eq!(r.status, 403);
    assert!(r.text().contains("SERVICE"), "{}", r.text());
    let r = get_query(
        server.local_addr(),
        "SELECT * WHERE { SERVICE SILENT <http://x/> {} }",
        "*/*",
    );
    assert_eq!(r.status, 403, "SILENT does not help");
    // The word in a string or IRI is fine.
    let r = get_query(server.local_addr(), "SELECT (\"SERVICE\" AS ?x) WHERE {}", "*/*");
    assert_eq!(r.status, 200, "{}", r.text());
    drop(server);
    let server = start(ServerConfig {
        allow_service: true,
        ..config()
    });
    let r = get_query(server.local_addr(), federated, "*/*");
    // Now the remote endpoint is called; nothing listens there: 502 naming it.
    assert_eq!(r.status, 502, "{}", r.text());
    assert!(r.text().contains("127.0.0.1:9"), "{}", r.text());
}

#[test]
fn saturation_is_answered_with_503() {
    let server = start(ServerConfig {
        threads: 1,
        queue: 0,
        timeout: Duration::from_secs(4),
        ..config()
    });
    let addr = server.local_addr();
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }";
    let started = Instant::now();
    let busy = std::thread::spawn(move || get_query(addr, slow, "*/*"));
    // While the only worker evaluates the slow query, other requests are turned away at once.
    // (Polled: under a loaded test run the slow request may take a moment to arrive.)
    let mut refused = None;
    while refused.is_none() && started.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(100));
        let r = get_query(addr, COUNT_DOCS, "*/*");
        if r.status == 503 {
            refused = Some(r);
        }
    }
    let r = refused.expect("a request was refused while the worker was busy");
    assert!(r.text().contains("busy"), "{}", r.text());
    assert_eq!(r.header("Retry-After"), Some("1"));
    assert_eq!(busy.join().unwrap().status, 503, "the slow query times out");
}

/// Named queries and the parameters of the tests in tests/queries.rs.
const NAMED: &[(&str, &[(&str, &str)])] = &[
    ("responsibility", &[("dept", "市发改委")]),
    ("responsibility", &[("dept", "发改委")]),
    ("task-chain", &[("doc", "004_3ff853ae4ec18c33"), ("item", "16")]),
    ("workload", &[]),
    ("partner-pairs", &[]),
    ("place-partners", &[("place", "无为市")]),
    ("indicators-due", &[("year", "2024")]),
    ("tasks-without-lead", &[]),
    ("tasks-without-lead", &[("doc", "003_333bffa1260437b2")]),
    ("people", &[("org", "市人社局")]),
    ("documents", &[]),
    ("documents", &[("year", "2022")]),
];

#[test]
fn named_queries_over_http_give_the_same_rows() {
    let server = start(config());
    let addr = server.local_addr();
    let lib = library();
    for (name, params) in NAMED {
        let q = lib.iter().find(|q| q.name == *name).unwrap();
        let given: Vec<(String, String)> = params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let mut local = Vec::new();
        let b = bind_params(q, &given).unwrap();
        let n = run(
            disk_handle().inner(),
            &policykg::query::fill_values(disk_handle().inner(), q, &b).unwrap(),
            &b,
            OutputFormat::Json,
            &mut local,
        )
        .unwrap();
        assert!(n > 0, "{name} {params:?} has rows on the seeds");
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
        let r = request(
            addr,
            "GET",
            &format!("/queries/{name}?{}", query.join("&")),
            &[("Accept", "application/sparql-results+json")],
            b"",
        );
        assert_eq!(r.status, 200, "{name}: {}", r.text());
        assert_eq!(
            json_rows(&r.body),
            json_rows(&local),
            "{name} {params:?}: HTTP and in-process answers differ"
        );
        // Without parameters the file is plain SPARQL: POST it to /query.
        if params.is_empty() {
            let r = request(
                addr,
                "POST",
                "/query",
                &[
                    ("Content-Type", "application/sparql-query"),
                    ("Accept", "application/json"),
                ],
                q.text.as_bytes(),
            );
            assert_eq!(r.status, 200, "{name}: {}", r.text());
            assert_eq!(json_rows(&r.body), json_rows(&local), "{name} via /query");
        }
    }
    // Errors of named queries.
    let r = request(addr, "GET", "/queries/responsibility", &[], b"");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("needs parameter `dept`"), "{}", r.text());
    let r = request(addr, "GET", "/queries/responsibility?dept=x&who=y", &[], b"");
    assert_eq!(r.status, 400);
    let r = request(addr, "GET", "/queries/indicators-due?year=soon", &[], b"");
    assert_eq!(r.status, 400);
    let r = request(addr, "GET", "/queries/no-such-query", &[], b"");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("responsibility"), "{}", r.text());
    // The list.
    let r = request(addr, "GET", "/queries", &[], b"");
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let resp = v["queries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == "responsibility")
        .unwrap();
    assert_eq!(resp["params"][0]["name"], "dept");
    assert_eq!(resp["params"][0]["kind"], "org");
    assert_eq!(resp["url"], "/queries/responsibility");
    // Table output of a named query for terminals.
    let r = request(
        addr,
        "GET",
        "/queries/people?org=%E5%B8%82%E4%BA%BA%E7%A4%BE%E5%B1%80&format=table",
        &[],
        b"",
    );
    assert!(r.text().contains("聂立新"), "{}", r.text());
}

/// Kills the child process when dropped.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_serves_an_on_disk_store_read_only_next_to_a_second_handle() {
    let dir = temp_dir("serve-ro").join("kg");
    {
        let store = KgStore::open(&dir).unwrap();
        build_into(&store);
        store.flush().unwrap();
    } // The writer is closed before anything opens the store read-only.
    let mut child = ChildGuard(
        Command::new(env!("CARGO_BIN_EXE_policykg"))
            .args(["serve", "--bind", "127.0.0.1:0", "--timeout", "20", "--store"])
            .arg(&dir)
            .current_dir(project(""))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = child.0.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr: SocketAddr = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim_end_matches("/query").parse().unwrap();
        }
    };
    // Keep draining the log so the child never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));

    // A second, independent read-only handle on the same directory, as
    // `oxigraph serve-read-only --location DIR` opens it.
    let second = oxigraph::store::Store::open_read_only(&dir).unwrap();
    let count = |store: &oxigraph::store::Store| {
        policykg::query::run_to_string(store, COUNT_DOCS, &[], OutputFormat::Tsv).unwrap()
    };
    assert_eq!(count(&second), "?n\n5\n");
    let r = get_query(addr, COUNT_DOCS, "text/tab-separated-values");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "?n\n5\n");
    let quads = second.len().unwrap();
    let r = get_query(
        addr,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "text/csv",
    );
    assert_eq!(r.text(), format!("n\r\n{quads}\r\n"));
    // Named queries work in the binary too (library found from the checkout).
    let r = request(
        addr,
        "GET",
        "/queries/documents?year=2022",
        &[("Accept", "text/csv")],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("泰动能办〔2022〕3号"), "{}", r.text());
    // Read-only: an update is refused, and the store is unchanged.
    let r = post_form(addr, "/update", "update=CLEAR%20ALL", &[]);
    assert_eq!(r.status, 403);
    drop(child);
    assert_eq!(second.len().unwrap(), quads);
}

// ------------------------------------------------------------------------------------------
// Base IRI, update datasets, service description, Graph Store Protocol, negotiation.
// ------------------------------------------------------------------------------------------

const TOKEN: &str = "s3cret-token-for-tests";

/// A server accepting updates (with [`TOKEN`]) on its own empty in-memory store.
fn writable() -> (Server, Arc<KgStore>) {
    let store = Arc::new(KgStore::in_memory().unwrap());
    let server = Server::start_with(
        ServerConfig {
            allow_update: true,
            token: Some(TOKEN.into()),
            ..config()
        },
        Arc::clone(&store),
        Vec::new(),
    )
    .unwrap();
    (server, store)
}

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

fn update(addr: SocketAddr, target: &str, text: &str) -> Response {
    let auth = bearer();
    request(
        addr,
        "POST",
        target,
        &[("Content-Type", "application/sparql-update"), ("Authorization", &auth)],
        text.as_bytes(),
    )
}

fn parse_rdf(media: &str, body: &[u8]) -> Vec<oxigraph::model::Quad> {
    let format = RdfFormat::from_media_type(media).unwrap_or_else(|| panic!("{media}"));
    RdfParser::from_format(format)
        .for_slice(body)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{media}: {e}\n{}", String::from_utf8_lossy(body)))
}

/// The answer's RDF in a fresh in-memory Oxigraph store (default graph).
fn rdf_store(r: &Response) -> oxigraph::store::Store {
    let media = r
        .header("Content-Type")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim()
        .to_owned();
    let store = oxigraph::store::Store::new().unwrap();
    store.extend(parse_rdf(&media, &r.body)).unwrap();
    store
}

fn ask(store: &oxigraph::store::Store, q: &str) -> bool {
    match oxigraph::sparql::SparqlEvaluator::new()
        .parse_query(q)
        .unwrap()
        .on_store(store)
        .execute()
        .unwrap()
    {
        oxigraph::sparql::QueryResults::Boolean(b) => b,
        _ => panic!("not an ASK: {q}"),
    }
}

#[test]
fn relative_iris_resolve_against_the_endpoint_url() {
    let server = start(config());
    let addr = server.local_addr();
    // W3C query_content_type_construct: a relative IRI without BASE.
    let r = request(
        addr,
        "POST",
        "/query",
        &[
            ("Content-Type", "application/sparql-query"),
            ("Accept", "application/n-triples"),
        ],
        b"CONSTRUCT { <s> <p> 1 } WHERE {}",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("Content-Type"), Some("application/n-triples"));
    assert!(
        r.text().starts_with(&format!("<http://{addr}/s> <http://{addr}/p> ")),
        "{}",
        r.text()
    );
    let value = |r: &Response| json_rows(&r.body)[0]["x"]["value"].as_str().unwrap().to_owned();
    let r = get_query(addr, "SELECT * { BIND(<x> AS ?x) }", "*/*");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(value(&r), format!("http://{addr}/x"));
    // The client's Host names the endpoint; BASE in the query wins; a Host that is not a plain
    // authority falls back to the address the server listens on.
    let target = format!("/query?query={}", enc("SELECT * { BIND(<x> AS ?x) }"));
    let raw = |host: &str| format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n");
    assert_eq!(
        value(&exchange(addr, raw("kg.example:8080").as_bytes())),
        "http://kg.example:8080/x"
    );
    assert_eq!(
        value(&exchange(addr, raw("a/b?c").as_bytes())),
        format!("http://{addr}/x")
    );
    let r = get_query(
        addr,
        "BASE <http://example.org/dir/> SELECT * { BIND(<x> AS ?x) }",
        "*/*",
    );
    assert_eq!(value(&r), "http://example.org/dir/x");
    drop(server);

    // W3C update_base_uri: relative IRIs of updates resolve against …/update.
    let (server, store) = writable();
    let addr = server.local_addr();
    let r = update(
        addr,
        "/update",
        "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }",
    );
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 1);
    let r = get_query(addr, "SELECT ?o { ?s ?p ?o }", "application/sparql-results+json");
    assert_eq!(json_rows(&r.body)[0]["o"]["value"], format!("http://{addr}/test"));
}

#[test]
fn an_update_naming_its_dataset_twice_is_refused() {
    let (server, store) = writable();
    let addr = server.local_addr();
    let r = update(
        addr,
        "/update",
        "INSERT DATA { GRAPH <http://example/addresses> { <http://example/bill> <http://xmlns.com/foaf/0.1/givenName> 'Bill' } }",
    );
    assert_eq!(r.status, 204, "{}", r.text());
    // W3C bad_update_dataset_conflict: using-named-graph-uri and WITH.
    let with = "PREFIX foaf: <http://xmlns.com/foaf/0.1/>
WITH <http://example/addresses>
DELETE { ?person foaf:givenName 'Bill' } INSERT { ?person foaf:givenName 'William' }
WHERE { ?person foaf:givenName 'Bill' }";
    let people = enc("http://example/people");
    for (target, text) in [
        (format!("/update?using-named-graph-uri={people}"), with.to_owned()),
        (format!("/update?using-graph-uri={people}"), with.to_owned()),
        (
            format!("/update?using-graph-uri={people}"),
            "INSERT { GRAPH <urn:x> { ?s ?p ?o } } USING <http://example/addresses> WHERE { ?s ?p ?o }".to_owned(),
        ),
        (
            format!("/update?using-graph-uri={people}"),
            "INSERT { GRAPH <urn:x> { ?s ?p ?o } } USING NAMED <http://example/addresses> WHERE { ?s ?p ?o }"
                .to_owned(),
        ),
    ] {
        let r = update(addr, &target, &text);
        assert_eq!(r.status, 400, "{target} {text}: {}", r.text());
        assert!(r.text().contains("names its dataset twice"), "{}", r.text());
    }
    // The same with the form body carrying the parameter.
    let auth = bearer();
    let r = post_form(
        addr,
        "/update",
        &format!("using-named-graph-uri={people}&update={}", enc(with)),
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 1, "nothing changed");
    // Either place alone is fine.
    let r = update(addr, "/update", with);
    assert_eq!(r.status, 204, "{}", r.text());
    let r = get_query(
        addr,
        "ASK { ?p <http://xmlns.com/foaf/0.1/givenName> 'William' }",
        "*/*",
    );
    assert!(r.text().contains("true"), "{}", r.text());
    let r = update(
        addr,
        &format!("/update?using-graph-uri={}", enc("http://example/addresses")),
        "INSERT { GRAPH <urn:copy> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
    );
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 2);
    // Without a dataset the WHERE of an update sees the union, as a query does.
    let r = update(
        addr,
        "/update",
        "INSERT { GRAPH <urn:all> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
    );
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 3, "the one distinct triple copied once");
}

const SD_PREFIX: &str = "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX formats: <http://www.w3.org/ns/formats/>
PREFIX ep: <https://w3id.org/policykg/ont/endpoint#>
";

#[test]
fn get_query_without_a_query_is_the_service_description() {
    let server = start(config());
    let addr = server.local_addr();
    let r = request(addr, "GET", "/query", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("Content-Type"), Some("text/turtle"));
    assert!(r.text().contains("@prefix sd:"), "{}", r.text());
    let sd = rdf_store(&r);
    let endpoint = format!("http://{addr}/query");
    for pattern in [
        format!("?s a sd:Service ; sd:endpoint <{endpoint}> ; sd:supportedLanguage sd:SPARQL11Query"),
        "?s sd:feature sd:UnionDefaultGraph ; sd:defaultEntailmentRegime ?e".to_owned(),
        "?s sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML, formats:SPARQL_Results_CSV, \
         formats:SPARQL_Results_TSV, formats:Turtle, formats:N-Triples, formats:RDF_XML, formats:JSON-LD"
            .to_owned(),
        "?s ep:maxResults ?m ; ep:queryTimeout ?t ; ep:maxRequestBytes ?b ; ep:readOnly true ; \
         ep:federatedQuery false FILTER(?m = 10000 && ?t = 30 && ?b = 1048576)"
            .to_owned(),
        format!("?s ep:graphStore <http://{addr}/store> ; sd:defaultDataset ?d . ?d sd:defaultGraph ?g"),
        format!(
            "?s sd:defaultDataset ?d . ?d sd:namedGraph [ sd:name <{}> ]",
            graph_iri("004_3ff853ae4ec18c33").as_str()
        ),
        "ep:maxResults a ?property ; <http://www.w3.org/2000/01/rdf-schema#comment> ?c".to_owned(),
    ] {
        assert!(
            ask(&sd, &format!("{SD_PREFIX} ASK {{ {pattern} }}")),
            "{pattern}\n{}",
            r.text()
        );
    }
    assert!(!ask(
        &sd,
        &format!("{SD_PREFIX} ASK {{ ?s sd:supportedLanguage sd:SPARQL11Update }}")
    ));
    assert!(!ask(
        &sd,
        &format!("{SD_PREFIX} ASK {{ ?s sd:feature sd:BasicFederatedQuery }}")
    ));
    let graphs = seed_store().inner().named_graphs().count();
    let listed = sd
        .quads_for_pattern(
            None,
            Some(oxigraph::model::NamedNodeRef::new("http://www.w3.org/ns/sparql-service-description#name").unwrap()),
            None,
            None,
        )
        .count();
    assert_eq!(listed, graphs);

    // The same description in every RDF syntax, as negotiated.
    let statements = sd.len().unwrap();
    for (accept, content_type) in [
        ("*/*", "text/turtle"),
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "application/rdf+xml",
        ),
    ] {
        let r = request(addr, "GET", "/query", &[("Accept", accept)], b"");
        assert_eq!(r.status, 200, "{accept}: {}", r.text());
        assert_eq!(r.header("Content-Type"), Some(content_type), "{accept}");
        assert_eq!(rdf_store(&r).len().unwrap(), statements, "{accept}");
    }
    let r = request(addr, "GET", "/query?format=ntriples", &[], b"");
    assert_eq!(r.header("Content-Type"), Some("application/n-triples"));
    let r = request(
        addr,
        "GET",
        "/query",
        &[("Accept", "application/sparql-results+json")],
        b"",
    );
    assert_eq!(r.status, 406, "{}", r.text());
    let r = request(addr, "HEAD", "/query", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Type"), Some("text/turtle"));
    assert!(r.body.is_empty());
    drop(server);

    // An update-enabled server describes its update endpoint too.
    let (server, _) = writable();
    let addr = server.local_addr();
    let sd = rdf_store(&request(addr, "GET", "/query", &[], b""));
    let pattern = format!(
        "?u a sd:Service ; sd:endpoint <http://{addr}/update> ; sd:supportedLanguage sd:SPARQL11Update . \
         ?q ep:readOnly false"
    );
    assert!(ask(&sd, &format!("{SD_PREFIX} ASK {{ {pattern} }}")), "{pattern}");
}

#[test]
fn graph_store_reads_one_graph_with_content_negotiation() {
    let server = start(config());
    let addr = server.local_addr();
    let g = graph_iri("004_3ff853ae4ec18c33");
    let target = format!("/store?graph={}", enc(g.as_str()));
    let expected = seed_store().graph_len(g.as_ref()).unwrap();
    assert!(expected > 100, "{expected}");
    let r = request(addr, "GET", &target, &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("Content-Type"), Some("text/turtle"));
    assert_eq!(rdf_store(&r).len().unwrap(), expected);
    let turtle_length = r.body.len();
    for (accept, content_type) in [
        ("*/*", "text/turtle"),
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("text/plain", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/ld+json"),
        ("text/turtle;q=0.5, application/n-triples", "application/n-triples"),
    ] {
        let r = request(addr, "GET", &target, &[("Accept", accept)], b"");
        assert_eq!(r.status, 200, "{accept}: {}", r.text());
        assert_eq!(r.header("Content-Type"), Some(content_type), "{accept}");
        assert_eq!(rdf_store(&r).len().unwrap(), expected, "{accept}");
    }
    // HEAD: the same headers, no body.
    let r = request(addr, "HEAD", &target, &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Type"), Some("text/turtle"));
    assert_eq!(r.header("Content-Length"), Some(turtle_length.to_string().as_str()));
    assert!(r.body.is_empty());
    // The default graph is the union of all graphs, each triple once.
    let distinct = json_rows(
        &get_query(
            addr,
            "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
            "application/sparql-results+json",
        )
        .body,
    )[0]["n"]["value"]
        .as_str()
        .unwrap()
        .parse::<usize>()
        .unwrap();
    let r = request(
        addr,
        "GET",
        "/store?default",
        &[("Accept", "application/n-triples")],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(parse_rdf("application/n-triples", &r.body).len(), distinct);
    // Errors.
    for (target, accept, status) in [
        ("/store?graph=urn%3Anone".to_owned(), "*/*", 404),
        ("/store".to_owned(), "*/*", 400),
        (format!("{target}&default"), "*/*", 400),
        ("/store?graph=relative%2Fpath".to_owned(), "*/*", 400),
        (target.clone(), "text/csv", 406),
    ] {
        let r = request(addr, "GET", &target, &[("Accept", accept)], b"");
        assert_eq!(r.status, status, "{target} {accept}: {}", r.text());
    }
    // Read-only: writes are refused, whatever they carry.
    for method in ["PUT", "POST", "DELETE"] {
        let r = request(
            addr,
            method,
            &target,
            &[("Content-Type", "text/turtle"), ("Authorization", "Bearer x")],
            b"<urn:a> <urn:b> <urn:c> .",
        );
        assert_eq!(r.status, 403, "{method}: {}", r.text());
    }
    assert_eq!(seed_store().graph_len(g.as_ref()).unwrap(), expected);
    let r = request(addr, "PATCH", &target, &[], b"");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("GET, HEAD, PUT, POST, DELETE, OPTIONS"));
    drop(server);

    // Larger than --max-results: 413, not a cut-off graph.
    let server = start(ServerConfig {
        max_results: 10,
        ..config()
    });
    let r = request(server.local_addr(), "GET", &target, &[], b"");
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("more than 10 triples"), "{}", r.text());
}

#[test]
fn graph_store_writes_need_the_token() {
    let (server, store) = writable();
    let addr = server.local_addr();
    let target = format!("/store?graph={}", enc("http://example.org/g/1"));
    let auth = bearer();
    let put = |method: &str, content_type: &str, body: &str, auth: &str| {
        request(
            addr,
            method,
            &target,
            &[("Content-Type", content_type), ("Authorization", auth)],
            body.as_bytes(),
        )
    };
    let turtle = "@prefix ex: <http://example.org/> . <a> ex:p ex:o ; ex:q [ ex:r 1 ] .";
    let r = put("PUT", "text/turtle", turtle, "Bearer wrong-token-xxxx");
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 0);
    let r = put("PUT", "text/turtle", turtle, &auth);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 3);
    // Relative IRIs of the body resolve against the graph's IRI.
    let r = request(addr, "GET", &target, &[("Accept", "application/n-triples")], b"");
    assert!(
        r.text().contains("<http://example.org/g/a> <http://example.org/p>"),
        "{}",
        r.text()
    );
    // PUT replaces, POST adds.
    let r = put("PUT", "application/n-triples", "<urn:s> <urn:p> \"one\" .\n", &auth);
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 1);
    let r = put("POST", "application/n-triples", "<urn:s> <urn:p> \"two\" .\n", &auth);
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 2);
    // A body that does not parse, or in a type that is not a graph: nothing changes.
    let r = put("PUT", "text/turtle", "<urn:s> <urn:p> .", &auth);
    assert_eq!(r.status, 400, "{}", r.text());
    let r = put("PUT", "text/csv", "a,b", &auth);
    assert_eq!(r.status, 415, "{}", r.text());
    let r = put("PUT", "application/n-quads", "<urn:s> <urn:p> <urn:o> <urn:g> .", &auth);
    assert_eq!(r.status, 415, "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 2);
    // The default graph (the union) is not written.
    let r = request(
        addr,
        "PUT",
        "/store?default",
        &[("Content-Type", "text/turtle"), ("Authorization", &auth)],
        turtle.as_bytes(),
    );
    assert_eq!(r.status, 405, "{}", r.text());
    // DELETE drops the graph; then it is gone.
    let r = put("DELETE", "text/turtle", "", &auth);
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(store.inner().len().unwrap(), 0);
    assert_eq!(request(addr, "GET", &target, &[], b"").status, 404);
    assert_eq!(put("DELETE", "text/turtle", "", &auth).status, 404);
}

#[test]
fn every_answer_kind_is_negotiated() {
    let server = start(config());
    let addr = server.local_addr();
    let ask = "ASK { ?t a pkg:Task }";
    // (query, Accept or None, expected Content-Type)
    let cases: &[(&str, Option<&str>, &str)] = &[
        (DOC_IDS, None, "application/sparql-results+json"),
        (DOC_IDS, Some("*/*"), "application/sparql-results+json"),
        (
            DOC_IDS,
            Some("application/sparql-results+xml"),
            "application/sparql-results+xml",
        ),
        (DOC_IDS, Some("text/*"), "text/csv; charset=utf-8"),
        (
            DOC_IDS,
            Some("application/sparql-results+json;q=0, */*;q=0.5"),
            "application/sparql-results+xml",
        ),
        (ask, None, "application/sparql-results+json"),
        (ask, Some("*/*"), "application/sparql-results+json"),
        (
            ask,
            Some("application/sparql-results+xml"),
            "application/sparql-results+xml",
        ),
        (CONSTRUCT, None, "text/turtle"),
        (CONSTRUCT, Some("*/*"), "text/turtle"),
        (CONSTRUCT, Some("application/rdf+xml"), "application/rdf+xml"),
        (CONSTRUCT, Some("application/ld+json"), "application/ld+json"),
        (CONSTRUCT, Some("text/turtle;q=0, */*"), "application/n-triples"),
        ("DESCRIBE <urn:nothing>", None, "text/turtle"),
    ];
    for (q, accept, content_type) in cases {
        let headers: Vec<(&str, &str)> = accept.iter().map(|a| ("Accept", *a)).collect();
        let r = request(addr, "GET", &format!("/query?query={}", enc(q)), &headers, b"");
        assert_eq!(r.status, 200, "{q} {accept:?}: {}", r.text());
        assert_eq!(r.header("Content-Type"), Some(*content_type), "{q} {accept:?}");
        if content_type.starts_with("application/rdf+xml") || content_type.starts_with("application/ld+json") {
            assert_eq!(rdf_store(&r).len().unwrap(), 2, "{accept:?}");
        }
    }
    // A `format` parameter (SPARQLWrapper sends one with its Accept) wins when it names a
    // format this server writes; otherwise Accept decides.
    for (q, format, accept, content_type) in [
        (CONSTRUCT, "rdf+xml", "application/rdf+xml", "application/rdf+xml"),
        (CONSTRUCT, "json-ld", "application/ld+json", "application/ld+json"),
        (CONSTRUCT, "n3", "text/n3", "text/turtle"),
        (
            DOC_IDS,
            "csv",
            "application/sparql-results+json",
            "text/csv; charset=utf-8",
        ),
        (
            DOC_IDS,
            "something-else",
            "text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
        ),
    ] {
        let r = request(
            addr,
            "GET",
            &format!("/query?query={}&format={}", enc(q), enc(format)),
            &[("Accept", accept)],
            b"",
        );
        assert_eq!(r.status, 200, "format={format}: {}", r.text());
        assert_eq!(r.header("Content-Type"), Some(content_type), "format={format}");
    }
}

// ------------------------------------------------------------------------------------------
// Evaluation processes: hard limits, updates seen by workers, the command line, an attack.
// ------------------------------------------------------------------------------------------

/// A string that grows to 8^32 characters: reads nothing from the store, passes the static
/// check, and reaches any memory limit within seconds.
const RUNAWAY_MEMORY: &str = "SELECT (STRLEN(?e) AS ?n) WHERE { BIND(\"aaaaaaaa\" AS ?a) \
     BIND(REPLACE(?a, \"a\", ?a) AS ?b) BIND(REPLACE(?b, \"a\", ?b) AS ?c) \
     BIND(REPLACE(?c, \"a\", ?c) AS ?d) BIND(REPLACE(?d, \"a\", ?d) AS ?e) }";
/// A join that materialises millions of rows for ORDER BY (connected: the static check lets
/// it through).
const JOIN_ON_PREDICATES: &str = "SELECT * WHERE { ?a ?b ?c . ?d ?b ?f } ORDER BY ?a ?d";

/// 10⁹ rows made of constants: nothing is read from the store, so Oxigraph never notices its
/// cancellation; only killing the process stops it.
fn runaway_cpu() -> String {
    let values: String = (0..1000).map(|i| format!("{i} ")).collect();
    format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} VALUES ?c {{ {values} }} }}"
    )
}

/// Resident memory of a process and all its children, in KiB.
fn tree_rss_kib(pid: u32) -> u64 {
    let mut total = 0;
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    for e in entries.flatten() {
        let Some(p) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(format!("/proc/{p}/status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        };
        if p == pid || field("PPid:") == Some(u64::from(pid)) {
            total += field("VmRSS:").unwrap_or(0);
        }
    }
    total
}

#[test]
fn runaway_queries_are_stopped_for_real_and_their_process_replaced() {
    // Generous limits: a debug build (CI) grows the string and starts processes more slowly.
    let server = start(ServerConfig {
        timeout: Duration::from_secs(10),
        max_memory: Some(512 << 20),
        ..config()
    });
    let addr = server.local_addr();
    let pool = server.pool().expect("evaluation processes");
    let stats = &pool.stats;
    let load = |c: &std::sync::atomic::AtomicUsize| c.load(std::sync::atomic::Ordering::SeqCst);
    // All three workers idle (two for queries, one light), then a fresh one for each stopped.
    let settled = |before: &[u32]| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let idle = pool.idle_pids();
            if idle.len() == 3 && before.iter().filter(|p| idle.contains(p)).count() == 2 {
                return idle;
            }
            assert!(
                Instant::now() < deadline,
                "no replacement: {idle:?} {before:?} {stats:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let alive = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| !s.rsplit_once(')').is_some_and(|(_, r)| r.trim_start().starts_with('Z')))
    };
    let first = pool.idle_pids();
    assert_eq!(first.len(), 3, "two query workers and a light one");
    // Memory: stopped at 512 MiB, answered 507 with the reason.
    let started = Instant::now();
    let r = get_query(addr, RUNAWAY_MEMORY, "*/*");
    assert_eq!(r.status, 507, "{}", r.text());
    assert!(r.text().starts_with("query memory limit:"), "{}", r.text());
    assert!(r.text().contains("512 MiB"), "{}", r.text());
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert_eq!(load(&stats.died_for_memory), 1);
    let second = settled(&first);
    let gone: Vec<u32> = first.iter().copied().filter(|p| !second.contains(p)).collect();
    assert!(gone.iter().all(|p| !alive(*p)), "{gone:?} still there");
    // Time: a product of constants never checks its cancellation; its process is killed.
    let started = Instant::now();
    let r = get_query(addr, &runaway_cpu(), "*/*");
    let took = started.elapsed();
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains("was stopped"), "{}", r.text());
    assert!(
        took >= Duration::from_secs(10) && took < Duration::from_secs(20),
        "{took:?}"
    );
    assert_eq!(load(&stats.killed_for_time), 1);
    let third = settled(&second);
    let gone: Vec<u32> = second.iter().copied().filter(|p| !third.contains(p)).collect();
    assert_eq!(gone.len(), 1);
    assert!(!alive(gone[0]), "the killed process {} is gone", gone[0]);
    let r = get_query(addr, COUNT_DOCS, "text/csv");
    assert_eq!((r.status, r.text()), (200, "n\r\n5\r\n".to_owned()));
    let r = get_query(addr, "ASK {}", "text/csv");
    assert_eq!(r.status, 200);
    // The static check answers at once, with the reason.
    for (q, why) in [
        (
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a".to_owned(),
            "cartesian product",
        ),
        (
            "SELECT * WHERE { ?a (<http://x/p>|!<http://x/p>)* ?b }".to_owned(),
            "transitive closure",
        ),
        (
            format!("SELECT * WHERE {}{}", "{".repeat(5000), "}".repeat(5000)),
            "nested more than",
        ),
    ] {
        let r = request(
            addr,
            "POST",
            "/query",
            &[("Content-Type", "application/sparql-query")],
            q.as_bytes(),
        );
        assert_eq!(r.status, 400, "{}", r.text());
        assert!(r.text().contains(why), "{}", r.text());
    }
}

#[test]
fn in_process_evaluation_answers_the_same() {
    // In-memory stores are always evaluated in process; on-disk ones when asked.
    let server = Server::start_with(config(), seed_store(), library()).unwrap();
    assert!(server.pool().is_none());
    let r = get_query(server.local_addr(), COUNT_DOCS, "text/csv");
    assert_eq!((r.status, r.text()), (200, "n\r\n5\r\n".to_owned()));
    let r = get_query(
        server.local_addr(),
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a",
        "*/*",
    );
    assert_eq!(r.status, 400, "the static check holds here too");
    drop(server);
    let server = start(ServerConfig {
        isolate: false,
        ..config()
    });
    assert!(server.pool().is_none());
    let r = request(
        server.local_addr(),
        "GET",
        "/queries/documents?year=2022",
        &[("Accept", "text/csv")],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("泰动能办〔2022〕3号"), "{}", r.text());
}

#[test]
fn evaluation_processes_see_every_update() {
    let dir = temp_dir("serve-rw").join("kg");
    {
        let store = KgStore::open(&dir).unwrap();
        build_into(&store);
        store.flush().unwrap();
    }
    let server = Server::start(ServerConfig {
        store: dir.clone(),
        allow_update: true,
        token: Some(TOKEN.into()),
        worker_exe: Some(env!("CARGO_BIN_EXE_policykg").into()),
        queries: Some(project("queries")),
        ..config()
    })
    .unwrap();
    assert!(server.pool().is_some());
    let addr = server.local_addr();
    let count = |q: &str| {
        let r = get_query(addr, q, "text/csv");
        assert_eq!(r.status, 200, "{}", r.text());
        r.text().lines().nth(1).unwrap().to_owned()
    };
    let all = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
    let quads: usize = count(all).parse().unwrap();
    for i in 1..=5 {
        let r = update(
            addr,
            "/update",
            &format!("INSERT DATA {{ GRAPH <urn:g> {{ <urn:s> <urn:p> {i} }} }}"),
        );
        assert_eq!(r.status, 204, "{}", r.text());
        // Both lanes: a query reading the store, and one that does not (the light lane).
        assert_eq!(count(all), (quads + i).to_string(), "after update {i}");
        assert_eq!(
            count(&format!(
                "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <urn:g> {{ ?s ?p {i} }} }}"
            )),
            "1"
        );
    }
    // Graph Store writes too.
    let auth = bearer();
    let r = request(
        addr,
        "PUT",
        &format!("/store?graph={}", enc("urn:g")),
        &[("Content-Type", "application/n-triples"), ("Authorization", &auth)],
        b"<urn:s> <urn:p> \"only\" .\n",
    );
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(count(all), (quads + 1).to_string());
    let r = update(addr, "/update", "DROP GRAPH <urn:g>");
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(count(all), quads.to_string());
    let reopens = server
        .pool()
        .unwrap()
        .stats
        .reopens
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(reopens >= 7, "{reopens}");
}

/// Runs `policykg query` with arguments on the seed store; (exit code, stdout, stderr).
fn cli_query(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_policykg"))
        .arg("query")
        .arg("--store")
        .arg(disk_store())
        .args(args)
        .current_dir(project(""))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_command_line_has_the_same_limits() {
    let plain = cli_query(&["--format", "csv", "--query", COUNT_DOCS]);
    assert_eq!(plain.0, 0, "{}", plain.2);
    let limited = cli_query(&[
        "--format",
        "csv",
        "--timeout",
        "20",
        "--max-memory",
        "1024",
        "--query",
        COUNT_DOCS,
    ]);
    assert_eq!(limited, plain);
    let named = cli_query(&["documents", "--param", "year=2022", "--format", "tsv"]);
    let named_limited = cli_query(&[
        "documents",
        "--param",
        "year=2022",
        "--format",
        "tsv",
        "--timeout",
        "20",
    ]);
    assert_eq!(named.0, 0, "{}", named.2);
    assert_eq!(named_limited, named);
    let started = Instant::now();
    let (code, _, err) = cli_query(&["--timeout", "1", "--query", &runaway_cpu()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("query timeout"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let (code, _, err) = cli_query(&["--max-memory", "512", "--query", RUNAWAY_MEMORY]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("memory limit") && err.contains("512 MiB"), "{err}");
}

// ------------------------------------------------------------------------------------------
// An attack: normal clients beside hostile ones, on the binary.
// ------------------------------------------------------------------------------------------

/// The hostile requests of the attack and what each may get (any error; never 200).
fn hostile_queries() -> Vec<(&'static str, String)> {
    let values: String = (0..1500).map(|i| format!("{i} ")).collect();
    let big_values: String = (0..20_000).map(|i| format!("<urn:v{i}> ")).collect();
    vec![
        // The query and variants the static check refuses (400).
        (
            "cartesian ORDER BY",
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a".into(),
        ),
        (
            "cartesian GROUP BY",
            "SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } GROUP BY ?a".into(),
        ),
        (
            "cartesian DISTINCT",
            "SELECT DISTINCT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }".into(),
        ),
        (
            "closure over any predicate",
            "SELECT * WHERE { ?a (<http://x/p>|!<http://x/p>)* ?b }".into(),
        ),
        (
            "large VALUES × store ORDER BY",
            format!("SELECT * WHERE {{ ?a ?b ?c VALUES ?x {{ {values} }} }} ORDER BY ?x"),
        ),
        (
            "deep nesting",
            format!("SELECT * WHERE {}{}", "{".repeat(20_000), "}".repeat(20_000)),
        ),
        // Shapes no check foresees: only the hard limits stop them (503, 507).
        ("growing string (memory)", RUNAWAY_MEMORY.into()),
        ("join on predicates ORDER BY", JOIN_ON_PREDICATES.into()),
        ("constant product (CPU, never cancels)", runaway_cpu()),
        (
            "cartesian COUNT with FILTER (CPU)",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STR(?c) < STR(?f)) }".into(),
        ),
        // Two unbounded closures (every pair of things of one type, both ways) and their
        // product: no check sees it; a closure alone can finish on a small store, the
        // product never does.
        (
            "unbounded paths both ways, product",
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> SELECT (COUNT(*) AS ?n) WHERE { \
             ?a (rdf:type/^rdf:type|^rdf:type/rdf:type)* ?b . ?c (rdf:type/^rdf:type|^rdf:type/rdf:type)* ?d }"
                .into(),
        ),
        (
            "large VALUES DISTINCT product",
            format!("SELECT DISTINCT * WHERE {{ VALUES ?x {{ {big_values} }} ?s ?p ?o }}"),
        ),
    ]
}

/// Percentile of sorted durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

struct Attack {
    ask: Vec<Duration>,
    ask_failed: Vec<String>,
    normal: BTreeMap<u16, usize>,
    normal_latency: Vec<Duration>,
    hostile: BTreeMap<String, BTreeMap<u16, usize>>,
    hostile_wrong: Vec<String>,
    /// (seconds since start, server + workers RSS in MiB).
    memory: Vec<(f64, u64)>,
}

/// Starts `policykg serve` on a store of the seeds and the dev corpus and runs `normal`
/// clients (ASK {} and counts, named queries) beside `hostile` ones for `duration`.
fn attack(duration: Duration, hostile: usize, extra_args: &[&str]) -> (Attack, u64) {
    let work = temp_dir("attack");
    let store = work.join("kg");
    let built = Command::new(env!("CARGO_BIN_EXE_policykg"))
        .arg("build")
        .arg(project("seeds"))
        .arg(project("tests/data/dev"))
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(
        built.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let mut child = ChildGuard(
        Command::new(env!("CARGO_BIN_EXE_policykg"))
            .args(["serve", "--bind", "127.0.0.1:0", "--store"])
            .arg(&store)
            .args(extra_args)
            .current_dir(project(""))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let mut bound_mib = 0;
    let addr: SocketAddr = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim_end_matches("/query").parse().unwrap();
        }
    };
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("use at most ").nth(1) {
            bound_mib = rest.trim_end_matches(" MiB in all").parse().unwrap();
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let started = Instant::now();
    let running = |stop: &std::sync::atomic::AtomicBool| !stop.load(std::sync::atomic::Ordering::SeqCst);
    // Memory sampler.
    let sampler = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut series = Vec::new();
            while running(&stop) {
                series.push((started.elapsed().as_secs_f64(), tree_rss_kib(pid) / 1024));
                std::thread::sleep(Duration::from_millis(250));
            }
            series
        })
    };
    // Normal clients: two probing ASK {} (timed), one alternating counts and named queries.
    let probes: Vec<_> = (0..2)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let (mut times, mut failed) = (Vec::new(), Vec::new());
                while running(&stop) {
                    let t = Instant::now();
                    let r = get_query(addr, "ASK {}", "application/sparql-results+json");
                    times.push(t.elapsed());
                    if r.status != 200 || !r.text().contains("true") {
                        failed.push(format!("{} {}", r.status, r.text()));
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                (times, failed)
            })
        })
        .collect();
    let normal = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let (mut statuses, mut times) = (BTreeMap::new(), Vec::new());
            let mut i = 0;
            while running(&stop) {
                let t = Instant::now();
                let r = if i % 2 == 0 {
                    get_query(addr, COUNT_DOCS, "text/csv")
                } else {
                    request(
                        addr,
                        "GET",
                        "/queries/documents?year=2022",
                        &[("Accept", "text/csv")],
                        b"",
                    )
                };
                times.push(t.elapsed());
                *statuses.entry(r.status).or_insert(0) += 1;
                i += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            (statuses, times)
        })
    };
    let queries = Arc::new(hostile_queries());
    let attackers: Vec<_> = (0..hostile)
        .map(|k| {
            let (stop, queries) = (Arc::clone(&stop), Arc::clone(&queries));
            std::thread::spawn(move || {
                let mut seen: BTreeMap<String, BTreeMap<u16, usize>> = BTreeMap::new();
                let mut wrong = Vec::new();
                let mut i = k;
                while running(&stop) {
                    let (name, q) = &queries[i % queries.len()];
                    i += 1;
                    // Odd clients make every request new (a comment with a counter), so that
                    // the server cannot refuse a repeat at once: the hard limits must stop
                    // each one.
                    let text = if k % 2 == 1 {
                        format!("{q}\n# {k} {i}")
                    } else {
                        q.clone()
                    };
                    let r = request(
                        addr,
                        "POST",
                        "/query",
                        &[("Content-Type", "application/sparql-query")],
                        text.as_bytes(),
                    );
                    *seen.entry((*name).to_owned()).or_default().entry(r.status).or_insert(0) += 1;
                    // 500: the evaluation itself failed in its worker (Oxigraph 0.5.13's ORDER BY
                    // over mixed terms can panic in the sort: "comparison function does not
                    // correctly implement a total order"); the server stays up and says why.
                    let error = matches!(r.status, 400 | 413 | 500 | 503 | 507)
                        && r.header("Content-Type") == Some("text/plain; charset=utf-8")
                        && !r.text().trim().is_empty();
                    if !error {
                        wrong.push(format!("{name}: {} {}", r.status, r.text()));
                    }
                }
                (seen, wrong)
            })
        })
        .collect();
    std::thread::sleep(duration);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut report = Attack {
        ask: Vec::new(),
        ask_failed: Vec::new(),
        normal: BTreeMap::new(),
        normal_latency: Vec::new(),
        hostile: BTreeMap::new(),
        hostile_wrong: Vec::new(),
        memory: Vec::new(),
    };
    for p in probes {
        let (t, f) = p.join().unwrap();
        report.ask.extend(t);
        report.ask_failed.extend(f);
    }
    let (statuses, times) = normal.join().unwrap();
    report.normal = statuses;
    report.normal_latency = times;
    for a in attackers {
        let (seen, wrong) = a.join().unwrap();
        for (name, statuses) in seen {
            for (s, n) in statuses {
                *report.hostile.entry(name.clone()).or_default().entry(s).or_insert(0) += n;
            }
        }
        report.hostile_wrong.extend(wrong);
    }
    report.memory = sampler.join().unwrap();
    assert!(child.0.try_wait().unwrap().is_none(), "the server died");
    // Still answering after the storm.
    let r = get_query(addr, COUNT_DOCS, "text/csv");
    assert_eq!(r.status, 200, "{}", r.text());
    (report, bound_mib)
}

fn print_attack(label: &str, a: &Attack, bound_mib: u64) {
    let mut ask = a.ask.clone();
    ask.sort();
    let mut normal = a.normal_latency.clone();
    normal.sort();
    let peak = a.memory.iter().map(|m| m.1).max().unwrap_or(0);
    eprintln!("{label}");
    eprintln!(
        "  ASK {{}}: {} requests, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, failed {}",
        ask.len(),
        percentile(&ask, 0.5).as_secs_f64() * 1e3,
        percentile(&ask, 0.99).as_secs_f64() * 1e3,
        ask.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        a.ask_failed.len()
    );
    eprintln!(
        "  counts and named queries: {:?}, p50 {:.1} ms, p99 {:.1} ms",
        a.normal,
        percentile(&normal, 0.5).as_secs_f64() * 1e3,
        percentile(&normal, 0.99).as_secs_f64() * 1e3
    );
    for (name, statuses) in &a.hostile {
        eprintln!("  hostile {name}: {statuses:?}");
    }
    eprintln!("  memory (server + evaluation processes): peak {peak} MiB, bound {bound_mib} MiB + the serving process");
    let mut line = String::from("  MiB by 5 s:");
    let mut next = 0.0;
    for (t, m) in &a.memory {
        if *t >= next {
            let window_peak = a
                .memory
                .iter()
                .filter(|(u, _)| *u >= next && *u < next + 5.0)
                .map(|x| x.1)
                .max()
                .unwrap_or(*m);
            line.push_str(&format!(" {next:.0}s:{window_peak}"));
            next += 5.0;
        }
    }
    eprintln!("{line}");
}

fn check_attack(a: &Attack, bound_mib: u64, memory_stops: bool) {
    let mut ask = a.ask.clone();
    ask.sort();
    assert!(
        a.ask_failed.is_empty(),
        "ASK failed: {:?}",
        &a.ask_failed[..a.ask_failed.len().min(5)]
    );
    assert!(ask.len() > 100, "{} ASKs", ask.len());
    assert!(
        percentile(&ask, 0.99) < Duration::from_secs(1),
        "ASK p99 {:?}",
        percentile(&ask, 0.99)
    );
    assert!(
        a.hostile_wrong.is_empty(),
        "hostile requests without their error: {:?}",
        &a.hostile_wrong[..a.hostile_wrong.len().min(5)]
    );
    // Each kind of hostile request was sent and refused.
    assert_eq!(a.hostile.len(), hostile_queries().len(), "{:?}", a.hostile);
    // The hard limits were exercised, not only the static check.
    let limits = |s: u16| {
        a.hostile
            .values()
            .map(|m| m.get(&s).copied().unwrap_or(0))
            .sum::<usize>()
    };
    // (A debug build may grow the string too slowly to reach the limit within the timeout:
    // then it is stopped for time, which is its error too.)
    if memory_stops && !cfg!(debug_assertions) {
        assert!(limits(507) > 0, "no memory stop: {:?}", a.hostile);
    }
    assert!(limits(503) > 0, "no time stop: {:?}", a.hostile);
    let peak = a.memory.iter().map(|m| m.1).max().unwrap_or(0);
    // The serving process itself stays small (under 256 MiB).
    assert!(
        peak < bound_mib + 256,
        "peak {peak} MiB over the bound {bound_mib} MiB + 256"
    );
    assert!(a.normal.get(&200).copied().unwrap_or(0) > 0, "{:?}", a.normal);
}

/// The "done when": a minute of normal clients beside hostile ones on the binary with
/// `--timeout 5` (half of the hostile clients vary every request, so none is refused as a
/// repeat). The server never dies, its memory (serving process + evaluation processes)
/// stays under the documented bound, `ASK {}` is answered within 1 s (p99) throughout, and
/// every hostile request gets its error.
#[test]
fn an_endpoint_no_query_can_take_down() {
    let _load = common::exclusive();
    let (a, bound) = attack(
        Duration::from_secs(60),
        4,
        &["--timeout", "5", "--threads", "2", "--max-memory", "512"],
    );
    print_attack(
        "attack: 60 s, 4 hostile clients, --timeout 5 --threads 2 --max-memory 512",
        &a,
        bound,
    );
    check_attack(&a, bound, true);
}

/// The same without hostile clients (the baseline of the README's figures), and a longer
/// attack with more hostile clients and the default limits.
#[test]
#[ignore = "long: baseline and a 3-minute attack (cargo test --release --test it -- --ignored attack_long --nocapture)"]
fn attack_long() {
    let _load = common::exclusive();
    let (a, bound) = attack(Duration::from_secs(60), 0, &["--timeout", "5"]);
    print_attack(
        "baseline: 60 s, no hostile client, --timeout 5, default limits",
        &a,
        bound,
    );
    let (a, bound) = attack(Duration::from_secs(180), 8, &["--timeout", "5"]);
    print_attack(
        "attack: 180 s, 8 hostile clients, --timeout 5, default limits",
        &a,
        bound,
    );
    // At 4 GiB the growing string is stopped by the time limit first.
    check_attack(&a, bound, false);
}

/// Latency of `ASK {}`, a count and a named query through the pool and in process.
#[test]
#[ignore = "measurement (cargo test --release --test it -- --ignored pool_overhead --nocapture)"]
fn pool_overhead() {
    let _load = common::exclusive();
    for isolate in [false, true] {
        let server = start(ServerConfig { isolate, ..config() });
        let addr = server.local_addr();
        for (label, target) in [
            ("ASK {}", format!("/query?query={}", enc("ASK {}"))),
            ("count", format!("/query?query={}", enc(COUNT_DOCS))),
            (
                "named responsibility",
                format!("/queries/responsibility?dept={}", enc("市发改委")),
            ),
        ] {
            let mut times = Vec::new();
            for i in 0..320 {
                let t = Instant::now();
                let r = request(addr, "GET", &target, &[("Accept", "text/csv")], b"");
                if i >= 20 {
                    times.push(t.elapsed());
                }
                assert_eq!(r.status, 200, "{}", r.text());
            }
            times.sort();
            eprintln!(
                "{:10} {label:22} p50 {:.2} ms p99 {:.2} ms",
                if isolate { "pool" } else { "in-process" },
                percentile(&times, 0.5).as_secs_f64() * 1e3,
                percentile(&times, 0.99).as_secs_f64() * 1e3
            );
        }
    }
    // Re-opening after an update.
    let dir = temp_dir("overhead-rw").join("kg");
    {
        let store = KgStore::open(&dir).unwrap();
        build_into(&store);
        store.flush().unwrap();
    }
    let server = Server::start(ServerConfig {
        store: dir,
        allow_update: true,
        token: Some(TOKEN.into()),
        worker_exe: Some(env!("CARGO_BIN_EXE_policykg").into()),
        ..config()
    })
    .unwrap();
    let addr = server.local_addr();
    let (mut plain, mut after) = (Vec::new(), Vec::new());
    for i in 0..100 {
        let t = Instant::now();
        assert_eq!(get_query(addr, COUNT_DOCS, "text/csv").status, 200);
        plain.push(t.elapsed());
        assert_eq!(
            update(
                addr,
                "/update",
                &format!("INSERT DATA {{ GRAPH <urn:g> {{ <urn:s> <urn:p> {i} }} }}")
            )
            .status,
            204
        );
        let t = Instant::now();
        assert_eq!(get_query(addr, COUNT_DOCS, "text/csv").status, 200);
        after.push(t.elapsed());
    }
    plain.sort();
    after.sort();
    eprintln!(
        "count with updates allowed: p50 {:.2} ms; first after an update (re-open): p50 {:.2} ms p99 {:.2} ms",
        percentile(&plain, 0.5).as_secs_f64() * 1e3,
        percentile(&after, 0.5).as_secs_f64() * 1e3,
        percentile(&after, 0.99).as_secs_f64() * 1e3
    );
}
