//! `export`: every format round-trips (export → load → the same number of statements), a
//! document's export carries the entity descriptions it needs, the VoID/DCAT description
//! counts what is there, and building the same input twice exports byte-identical data.

use crate::common;

use common::{corpus_store, temp_dir};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphNameRef, NamedNodeRef};
use oxigraph::store::Store;
use policykg::export::{describe, export, ExportFormat};
use policykg::store::KgStore;
use std::process::Command;

/// Loads serialised RDF into a fresh store; triple formats go into the default graph.
fn load(bytes: &[u8], format: RdfFormat) -> Store {
    let store = Store::new().unwrap();
    store
        .load_from_slice(
            RdfParser::from_format(format)
                .with_base_iri("http://example.org/")
                .unwrap(),
            bytes,
        )
        .unwrap();
    store
}

#[test]
fn every_format_round_trips_with_the_same_statement_count() {
    let store = corpus_store();
    let total = store.inner().len().unwrap();
    assert!(total > 5000);
    for format in [
        ExportFormat::Turtle,
        ExportFormat::NTriples,
        ExportFormat::RdfXml,
        ExportFormat::NQuads,
        ExportFormat::TriG,
        ExportFormat::JsonLd,
    ] {
        let mut out = Vec::new();
        let written = export(&store, format, None, &mut out).unwrap();
        let loaded = load(&out, format.rdf_format());
        assert_eq!(loaded.len().unwrap(), written, "{format:?}");
        assert_eq!(
            written, total,
            "{format:?}: the corpus has no triple repeated across graphs"
        );
        if format.keeps_graphs() {
            // Same graphs, same sizes.
            let g = policykg::rdf::graph_iri("003_333bffa1260437b2");
            let n = |s: &Store| {
                s.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref())))
                    .count()
            };
            assert_eq!(n(&loaded), n(store.inner()), "{format:?}");
        }
    }
}

#[test]
fn a_document_export_carries_the_entities_it_names_and_nothing_else() {
    let store = corpus_store();
    let mut out = Vec::new();
    let n = export(&store, ExportFormat::NTriples, Some("003_333bffa1260437b2"), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), n);
    // Its own tasks, the canonical department, its government, the division chain.
    for needle in [
        "/id/doc/003_333bffa1260437b2/task/1>",
        "\"无为市发展和改革委员会\"@zh",
        "\"无为市人民政府\"@zh",
        "<https://w3id.org/policykg/id/place/340281> <http://schema.org/containedInPlace> <https://w3id.org/policykg/id/place/340200>",
        "<https://w3id.org/policykg/id/place/340200> <http://schema.org/containedInPlace> <https://w3id.org/policykg/id/place/340000>",
        "\"34 02 81\"",
    ] {
        assert!(text.contains(needle), "missing {needle}");
    }
    // No other document's statements, and no description of a place it never reaches.
    assert!(!text.contains("/id/doc/004_"));
    assert!(!text.contains("\"泰安市\"@zh"));
    let unknown = export(&store, ExportFormat::Turtle, Some("no-such-doc"), Vec::new());
    assert!(unknown.unwrap_err().to_string().contains("no-such-doc"));
}

#[test]
fn the_description_counts_statements_documents_and_sources() {
    let store = corpus_store();
    let quads = describe(&store, "http://creativecommons.org/publicdomain/zero/1.0/").unwrap();
    let ds = Store::new().unwrap();
    ds.extend(quads).unwrap();
    let one = |q: &str| -> String {
        let r = oxigraph::sparql::SparqlEvaluator::new()
            .parse_query(q)
            .unwrap()
            .on_store(&ds)
            .execute()
            .unwrap();
        let oxigraph::sparql::QueryResults::Solutions(mut s) = r else {
            panic!()
        };
        let sol = s.next().unwrap().unwrap();
        policykg::store::term_text(sol.values()[0].as_ref().unwrap())
    };
    let void = "PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcterms: <http://purl.org/dc/terms/>";
    let total = store.inner().len().unwrap();
    assert_eq!(
        one(&format!(
            "{void} SELECT ?n WHERE {{ ?d a void:Dataset ; void:triples ?n ; void:documents ?k }}"
        )),
        total.to_string()
    );
    let docs = store.document_ids().unwrap().len();
    assert_eq!(
        one(&format!("{void} SELECT ?k WHERE {{ ?d void:documents ?k }}")),
        docs.to_string()
    );
    // Subsets (documents + shared entities) add up to the whole.
    assert_eq!(
        one(&format!(
            "{void} SELECT (SUM(?n) AS ?s) WHERE {{ ?d void:subset ?x . ?x void:triples ?n }}"
        )),
        total.to_string()
    );
    assert_eq!(
        one(&format!(
            "{void} SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?d void:documents ?k ; dcterms:source ?s }}"
        )),
        docs.to_string()
    );
    assert_eq!(
        one(&format!(
            "{void} SELECT ?l WHERE {{ ?d void:documents ?k ; dcterms:license ?l }}"
        )),
        "http://creativecommons.org/publicdomain/zero/1.0/"
    );
    assert_eq!(
        one(&format!(
            "{void} SELECT ?n WHERE {{ ?d void:classPartition ?p . ?p void:class <https://w3id.org/policykg/ont#Document> ; void:entities ?n }}"
        )),
        docs.to_string()
    );
}

/// The CLI: two builds of the same input (one of them run twice) export the same N-Quads;
/// `--doc` takes a prefix.
#[test]
fn rebuilding_exports_the_same_bytes() {
    let dir = temp_dir("export-idem");
    let bin = env!("CARGO_BIN_EXE_policykg");
    let seeds = common::project("seeds");
    let mut dumps = Vec::new();
    for round in 0..2 {
        let store = dir.join(format!("kg{round}"));
        for _ in 0..=round {
            // The second store is built twice over: re-running changes nothing.
            let st = Command::new(bin)
                .args(["build", "--store"])
                .arg(&store)
                .arg(&seeds)
                .output()
                .unwrap();
            assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
        }
        let out = Command::new(bin)
            .args(["export", "--format", "nquads", "--store"])
            .arg(&store)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut lines: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        lines.sort();
        dumps.push(lines);
    }
    assert!(dumps[0].len() > 1000);
    assert_eq!(dumps[0], dumps[1]);
    let out = Command::new(bin)
        .args(["export", "--format", "turtle", "--doc", "003", "--store"])
        .arg(dir.join("kg0"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ttl = load(&out.stdout, RdfFormat::Turtle);
    let doc = NamedNodeRef::new("https://w3id.org/policykg/id/doc/003_333bffa1260437b2").unwrap();
    assert!(ttl.quads_for_pattern(Some(doc.into()), None, None, None).count() > 5);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `extract --format nquads` writes exactly what `build` stores (repeated shared descriptions
/// collapse on load).
#[test]
fn extract_nquads_equals_the_built_store() {
    let bin = env!("CARGO_BIN_EXE_policykg");
    let seeds = common::project("seeds");
    let out = Command::new(bin)
        .args(["extract", "--format", "nquads"])
        .arg(&seeds)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let loaded = load(&out.stdout, RdfFormat::NQuads);
    let built = KgStore::in_memory().unwrap();
    common::build_seeds(&built);
    assert_eq!(loaded.len().unwrap(), built.inner().len().unwrap());
    for q in built.inner().iter() {
        assert!(loaded.contains(&q.unwrap()).unwrap());
    }
}
