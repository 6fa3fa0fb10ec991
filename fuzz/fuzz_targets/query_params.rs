//! Named-query parameter binding with arbitrary values: `bind_params` never panics, and a bound
//! value is only ever one RDF term — substituted into a query it yields exactly that term and
//! changes nothing else (no injected patterns, no extra rows or variables). The library's own
//! queries also run with arbitrary values on a small store without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxigraph::model::Term;
use policykg::query::{bind_params, evaluate, parse_header, EvalOptions, NamedQuery, QueryError};
use policykg::store::KgStore;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

const KINDS: &[&str] = &["literal", "zh", "iri", "int", "year", "org"];

/// A query that only echoes its parameter: any value must come back as exactly one row.
const ECHO: &str = "# echo
# @param p KIND the value
SELECT ?p ?marker WHERE { BIND(\"marker\" AS ?marker) }";

struct Fixture {
    library: Vec<NamedQuery>,
    store: KgStore,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let library = policykg::query::load_library(&root.join("queries")).unwrap_or_default();
        let store = KgStore::in_memory().expect("in-memory store");
        let seed = root.join("seeds/003_333bffa1260437b2.txt");
        if let Ok(src) = policykg::input::read_document(&seed) {
            let ex = policykg::extract::extract(&src, policykg::resolve::Gazetteer::embedded());
            store.replace_extractions(&[ex]).expect("seed loads");
        }
        Fixture { library, store }
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let kind = KINDS[data[0] as usize % KINDS.len()];
    let pick = data[1] as usize;
    let value = String::from_utf8_lossy(&data[2..]).into_owned();

    // 1. The echo query: the bound value comes back as the one and only row.
    let q = parse_header("echo", &ECHO.replace("KIND", kind));
    assert_eq!(q.params.len(), 1);
    let given = vec![("p".to_owned(), value.clone())];
    let f = fixture();
    match bind_params(&q, &given) {
        Ok(bound) => {
            assert_eq!(bound.len(), 1);
            let term: Term = bound[0].1.clone();
            let options = EvalOptions {
                timeout: Some(Duration::from_secs(5)),
                max_results: Some(10),
                ..EvalOptions::default()
            };
            match evaluate(f.store.inner(), &q.text, &bound, &options) {
                Ok(policykg::query::Answer::Solutions { variables, rows }) => {
                    assert_eq!(variables.len(), 2, "variables changed: {variables:?}");
                    assert_eq!(rows.len(), 1, "the value {value:?} changed the number of rows");
                    assert_eq!(rows[0].get("p"), Some(&term), "the value came back changed");
                    assert_eq!(rows[0].get("marker").map(|t| t.to_string()).as_deref(), Some("\"marker\""));
                }
                other => panic!("echo query with {value:?} ({kind}) gave {other:?}"),
            }
            // A plain literal keeps the value exactly as given.
            if kind == "literal" {
                match &term {
                    Term::Literal(l) => assert_eq!(l.value(), value),
                    t => panic!("literal parameter became {t}"),
                }
            }
        }
        Err(QueryError::InvalidParam { .. }) => {
            assert!(matches!(kind, "iri" | "int" | "year" | "org"), "{kind} refused {value:?}");
        }
        Err(e) => panic!("unexpected error binding {value:?}: {e}"),
    }

    // 2. A library query with the value for each of its parameters.
    if f.library.is_empty() {
        return;
    }
    let nq = &f.library[pick % f.library.len()];
    // Federated queries would call the network; they are refused without --allow-service.
    if policykg::server::uses_service(&nq.text) {
        return;
    }
    let given: Vec<(String, String)> = nq.params.iter().map(|p| (p.name.clone(), value.clone())).collect();
    if let Ok(bound) = bind_params(nq, &given) {
        let options = EvalOptions {
            timeout: Some(Duration::from_secs(5)),
            max_results: Some(10_000),
            ..EvalOptions::default()
        };
        // As `policykg query` runs it: `@values` pre-queries with the bound values first.
        let result = policykg::query::fill_values(f.store.inner(), nq, &bound)
            .and_then(|text| evaluate(f.store.inner(), &text, &bound, &options));
        match result {
            Ok(_) | Err(QueryError::Timeout(_)) | Err(QueryError::TooManyResults(_)) => {}
            Err(e) => panic!("{} with {value:?} failed: {e}", nq.name),
        }
    }
});
