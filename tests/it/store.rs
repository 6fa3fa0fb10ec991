//! Building a store from the seeds and querying it: the responsibility chain answers, a
//! rebuild gives the same graph (stable IRIs, no duplicates), and changing one document
//! replaces only its graph.

use crate::common;

use common::{project, temp_dir};
use policykg::query::{bind_params, load_library, run_to_string, OutputFormat};
use policykg::rdf::{graph_iri, to_quads};
use policykg::store::KgStore;

fn build(store: &KgStore) {
    common::build_seeds(store);
}

#[test]
fn seed_store_answers_responsibility_chain() {
    let dir = temp_dir("store");
    let store = KgStore::open(&dir.join("kg")).unwrap();
    build(&store);
    let n1 = store.inner().len().unwrap();
    let summary = store.summary().unwrap();
    assert_eq!(summary["documents"], 5);
    assert!(summary["tasks"] >= 77, "{summary:?}");
    assert!(summary["facts:leads"] >= 45, "{summary:?}");

    let lib = load_library(&project("queries")).unwrap();
    let q = lib
        .iter()
        .find(|q| q.name == "responsibility")
        .expect("responsibility.rq");
    let b = bind_params(q, &[("dept".into(), "市发改委".into())]).unwrap();
    let out = run_to_string(
        store.inner(),
        &policykg::query::fill_values(store.inner(), q, &b).unwrap(),
        &b,
        OutputFormat::Tsv,
    )
    .unwrap();
    // 市发改委 of the 无为市 plan leads items 1, 3 and 7 and shares eight others.
    assert!(out.contains("无为市发展和改革委员会"), "{out}");
    let leads_items: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("\"leads\""))
        .map(|l| l.split('\t').nth(3).unwrap_or(""))
        .collect();
    assert_eq!(leads_items, vec!["\"1\"", "\"3\"", "\"7\""], "{out}");
    assert_eq!(
        out.lines().filter(|l| l.contains("\"co_responsible\"")).count(),
        8,
        "{out}"
    );
    // Partners of item 4: the lead 无为经济开发区 and 市工信局 (无为市工业和信息化局).
    let item4 = out
        .lines()
        .find(|l| l.split('\t').nth(3) == Some("\"4\""))
        .unwrap_or("");
    assert!(
        item4.contains("无为经济开发区") && item4.contains("无为市工业和信息化局"),
        "{item4}"
    );
    // The canonical name finds the same rows.
    let b2 = bind_params(q, &[("dept".into(), "无为市发展和改革委员会".into())]).unwrap();
    let out2 = run_to_string(
        store.inner(),
        &policykg::query::fill_values(store.inner(), q, &b2).unwrap(),
        &b2,
        OutputFormat::Tsv,
    )
    .unwrap();
    assert_eq!(out.lines().count(), out2.lines().count());

    // Rebuilding the same input gives the same graph.
    build(&store);
    assert_eq!(store.inner().len().unwrap(), n1);
    drop(store);
    let store = KgStore::open(&dir.join("kg")).unwrap();
    assert_eq!(store.inner().len().unwrap(), n1);
    store.inner().validate().unwrap();
}

#[test]
fn changing_one_document_replaces_only_its_graph() {
    let store = KgStore::in_memory().unwrap();
    build(&store);
    let g3 = graph_iri("003_333bffa1260437b2");
    let g4 = graph_iri("004_3ff853ae4ec18c33");
    let before4 = store.graph_len(g4.as_ref()).unwrap();
    let src = policykg::doc::SourceDoc::from_text("003_333bffa1260437b2", "1.推进合作。(市发改委牵头)");
    let ex = policykg::extract::extract(&src, policykg::resolve::Gazetteer::embedded());
    store.replace_documents(vec![(g3.as_ref(), to_quads(&ex))]).unwrap();
    assert_eq!(store.graph_len(g4.as_ref()).unwrap(), before4);
    let after3 = store.graph_len(g3.as_ref()).unwrap();
    assert!(after3 > 0 && after3 < 100, "{after3}");
}

#[test]
fn check_reports_orphans() {
    use oxigraph::model::{GraphName, NamedNode, Quad};
    let store = KgStore::in_memory().unwrap();
    build(&store);
    assert_eq!(store.check().unwrap(), Vec::<String>::new());
    let g = graph_iri("003_333bffa1260437b2");
    let orphan = NamedNode::new("https://w3id.org/policykg/id/doc/x/task/1").unwrap();
    let ty = NamedNode::new("http://www.w3.org/1999/02/22-rdf-syntax-ns#type").unwrap();
    let task = NamedNode::new("https://w3id.org/policykg/ont#Task").unwrap();
    store
        .inner()
        .insert(&Quad::new(orphan, ty, task, GraphName::NamedNode(g)))
        .unwrap();
    let problems = store.check().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("task without its document"), "{problems:?}");
}

/// Pruning a document also drops the entity descriptions only it needed, and keeps the
/// ones other documents still reach (through parent bodies and enclosing divisions too).
#[test]
fn prune_collects_entities_no_document_needs() {
    let store = KgStore::in_memory().unwrap();
    build(&store);
    let has = |label: &str| {
        !store
            .select_pairs(&format!(
                "SELECT ?x ?l WHERE {{ GRAPH <{}> {{ ?x <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} FILTER(STR(?l) = \"{label}\") }}",
                policykg::vocab::ENTITIES_GRAPH
            ))
            .unwrap()
            .is_empty()
    };
    for l in [
        "泰安市发展和改革委员会",
        "泰安市人民政府",
        "泰安市",
        "山东省",
        "无为市人民政府",
        "芜湖市",
    ] {
        assert!(has(l), "{l} before pruning");
    }
    let keep: std::collections::HashSet<String> = store
        .document_ids()
        .unwrap()
        .into_iter()
        .filter(|d| !d.starts_with("004_"))
        .map(|d| policykg::rdf::graph_iri(&d).as_str().to_string())
        .collect();
    assert_eq!(store.prune(&keep).unwrap(), 1);
    for l in ["泰安市发展和改革委员会", "泰安市人民政府", "泰安市", "山东省"] {
        assert!(!has(l), "{l} should be gone with 004");
    }
    for l in ["无为市发展和改革委员会", "无为市人民政府", "无为市", "芜湖市", "安徽省"] {
        assert!(has(l), "{l} is still needed by 003");
    }
    assert!(store.check().unwrap().is_empty());
    assert_eq!(store.collect_entities().unwrap(), 0, "nothing left to collect");
}
