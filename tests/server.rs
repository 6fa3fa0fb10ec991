//! `policykg serve` driven over real HTTP (a small `std::net` client below): the SPARQL 1.1
//! Protocol (GET, POST form, POST direct), every result format, the named queries giving the
//! same rows as in process, CORS, and the safety limits (400, 403, 406, 413, 415, 503). The
//! last test runs the binary as a second process on an on-disk store while the test holds its
//! own read-only handle on the same directory (what `oxigraph serve-read-only` does).

mod common;

use common::{project, temp_dir};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use oxigraph::sparql::QuerySolution;
use policykg::query::{bind_params, load_library, run, NamedQuery, OutputFormat};
use policykg::rdf::graph_iri;
use policykg::server::{Server, ServerConfig};
use policykg::store::KgStore;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
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

fn start(config: ServerConfig) -> Server {
    Server::start_with(config, seed_store(), library()).unwrap()
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

    let r = request(addr, "GET", "/query", &[], b"");
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
            seed_store().inner(),
            &policykg::query::fill_values(seed_store().inner(), q, &b).unwrap(),
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
