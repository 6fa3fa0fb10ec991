//! `queries/wikidata-places.rq`, offline: its VALUES block is filled with the store's P442
//! codes, the pattern Oxigraph sends to the service carries them (checked by a stand-in
//! endpoint on loopback that records the query and answers like Wikidata), and the answers
//! join back to the local divisions.

use crate::common;

use common::corpus_store;
use policykg::query::{fill_values, find, load_library, run_with, EvalOptions, OutputFormat};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Reads one query request, records its body and answers two Wikidata-like rows.
fn answer_like_wikidata(conn: &mut (impl Read + Write), seen: &Mutex<Vec<String>>) {
    let mut r = BufReader::new(&mut *conn);
    let mut len = 0;
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        if h.trim().is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    drop(r);
    seen.lock().unwrap().push(String::from_utf8(body).unwrap());
    let json = r#"{"head":{"vars":["p442","item","label","population"]},"results":{"bindings":[
      {"p442":{"type":"literal","value":"34 02 81"},"item":{"type":"uri","value":"http://www.wikidata.org/entity/Q1000001"},
       "label":{"type":"literal","xml:lang":"zh","value":"无为市"},
       "population":{"type":"literal","datatype":"http://www.w3.org/2001/XMLSchema#decimal","value":"790000"}},
      {"p442":{"type":"literal","value":"37 09"},"item":{"type":"uri","value":"http://www.wikidata.org/entity/Q1000002"},
       "label":{"type":"literal","xml:lang":"zh","value":"泰安市"}}]}}"#;
    write!(
        conn,
        "HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    )
    .unwrap();
    conn.flush().unwrap();
}

/// A SPARQL endpoint that records each query and answers two Wikidata-like rows.
fn fake_wikidata() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            answer_like_wikidata(&mut conn.unwrap(), &seen2);
        }
    });
    (port, seen)
}

#[test]
fn wikidata_places_sends_the_store_codes_inside_service_and_joins_the_answers() {
    let store = corpus_store();
    let lib = load_library(&common::project("queries")).unwrap();
    let q = find(&lib, "wikidata-places").unwrap();
    assert_eq!(q.values.len(), 1);
    let filled = fill_values(store.inner(), q, &[]).unwrap();
    // Every division in the store, in P442 form, inside the SERVICE block.
    let service = &filled[filled.find("SERVICE").unwrap()..];
    for code in ["\"34 02 81\"", "\"34 02\"", "\"34\"", "\"37 09 82\"", "\"32 04 81\""] {
        assert!(service.contains(code), "{code} missing from {service}");
    }
    assert!(!filled.contains("VALUES ?p442 { }"));

    // Point the SERVICE at the stand-in endpoint and run with federation on.
    let (port, seen) = fake_wikidata();
    let local = filled.replace(
        "https://query.wikidata.org/sparql",
        &format!("http://127.0.0.1:{port}/sparql"),
    );
    let options = EvalOptions {
        service_timeout: Some(Duration::from_secs(10)),
        ..EvalOptions::default()
    };
    let mut out = Vec::new();
    let n = run_with(store.inner(), &local, &[], &options, OutputFormat::Csv, &mut out).unwrap();
    let csv = String::from_utf8(out).unwrap();
    assert_eq!(n, 2, "{csv}");
    assert!(
        csv.contains("340281,无为市,http://www.wikidata.org/entity/Q1000001,无为市,790000"),
        "{csv}"
    );
    assert!(
        csv.contains("370900,泰安市,http://www.wikidata.org/entity/Q1000002,泰安市"),
        "{csv}"
    );
    // What went out is the inner pattern with the codes, not the local store.
    let sent = seen.lock().unwrap().join("\n");
    assert!(sent.contains("P442") && sent.contains("\"34 02 81\""), "{sent}");
    assert!(
        !sent.contains("AdministrativeArea"),
        "local patterns stay local: {sent}"
    );
}

#[test]
fn service_is_off_unless_allowed() {
    let dir = common::temp_dir("federation-cli");
    let bin = env!("CARGO_BIN_EXE_policykg");
    let kg = dir.join("kg");
    assert!(std::process::Command::new(bin)
        .args(["demo", "--store"])
        .arg(&kg)
        .output()
        .unwrap()
        .status
        .success());
    let out = std::process::Command::new(bin)
        .args(["query", "wikidata-places", "--store"])
        .arg(&kg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-service"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Federated SERVICE over https: the stand-in endpoint behind TLS with a certificate of a CA
/// made for the test, trusted through `POLICYKG_CA_CERT` (and refused without it).
#[test]
fn service_reaches_an_https_endpoint_trusting_the_given_ca() {
    let dir = common::temp_dir("federation-https");
    let bin = env!("CARGO_BIN_EXE_policykg");
    let kg = dir.join("kg");
    assert!(std::process::Command::new(bin)
        .args(["demo", "--store"])
        .arg(&kg)
        .output()
        .unwrap()
        .status
        .success());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let endpoint = {
        let seen = Arc::clone(&seen);
        common::tls_endpoint(&dir, move |conn| answer_like_wikidata(conn, &seen))
    };
    let query = format!(
        "SELECT ?label WHERE {{ SERVICE <https://127.0.0.1:{}/sparql> {{ ?item <http://www.w3.org/2000/01/rdf-schema#label> ?label }} }} ORDER BY ?label",
        endpoint.port
    );
    let run = |ca: Option<&std::path::Path>| {
        let mut cmd = std::process::Command::new(bin);
        cmd.args([
            "query",
            "--query",
            &query,
            "--allow-service",
            "--format",
            "csv",
            "--store",
        ])
        .arg(&kg)
        .env_remove(policykg::http::CA_CERT_ENV);
        if let Some(ca) = ca {
            cmd.env(policykg::http::CA_CERT_ENV, ca);
        }
        cmd.output().unwrap()
    };
    let out = run(Some(&endpoint.ca_pem));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "label\r\n无为市\r\n泰安市\r\n",
        "{err}"
    );
    assert!(seen.lock().unwrap().iter().any(|q| q.contains("rdf-schema#label")));

    let out = run(None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
