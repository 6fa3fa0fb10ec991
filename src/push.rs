//! Stage 7b: the store → another triple store, over the SPARQL 1.1 Graph Store HTTP Protocol.
//!
//! Each named graph (every document's, and the shared entity graph) is sent with `PUT
//! {graph-store}?graph={iri}` as N-Triples, which replaces that graph on the server and leaves
//! the server's other data alone — the same unit of replacement the local store uses. With a
//! query endpoint, the push is then verified: the server's per-graph statement counts must
//! equal the local ones. `prune` deletes the server's policykg graphs that are no longer in
//! the local store. Works with Virtuoso (`/sparql-graph-crud-auth`, Digest auth), Fuseki
//! (`/ds/data`), GraphDB (`/repositories/x/rdf-graphs/service`) and Oxigraph (`/store`).

use crate::export::{write_quads, ExportError, ExportFormat};
use crate::http::{Client, HttpError, Url};
use crate::rdf::entities_graph;
use crate::store::{KgStore, StoreError};
use crate::vocab::ID;
use oxigraph::model::{GraphNameRef, NamedNode};
use std::collections::BTreeMap;

/// Push errors.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("{url} refused graph {graph}: HTTP {status} {body}")]
    Refused {
        url: String,
        graph: String,
        status: u16,
        body: String,
    },
    #[error("{url} did not answer the count query: {reason}")]
    Verify { url: String, reason: String },
}

/// Where to push.
#[derive(Clone, Debug)]
pub struct PushTarget {
    /// Graph Store Protocol URL (`?graph=` is appended).
    pub graph_store: Url,
    /// SPARQL query endpoint used to verify the push and find graphs to prune.
    pub endpoint: Option<Url>,
    pub client: Client,
}

/// What a push did.
#[derive(Debug, Default)]
pub struct PushReport {
    pub graphs: usize,
    pub statements: usize,
    /// Graphs whose count on the server differs from the local one: (graph, local, remote).
    pub mismatched: Vec<(String, usize, usize)>,
    /// Server statement count over the pushed graphs (when verified).
    pub remote_statements: Option<usize>,
    pub pruned: Vec<String>,
}

/// The named graphs policykg writes, in a stable order: documents, then the entity graph.
fn local_graphs(store: &KgStore) -> Result<Vec<NamedNode>, StoreError> {
    let mut graphs: Vec<NamedNode> = store.document_ids()?.iter().map(|d| crate::rdf::graph_iri(d)).collect();
    let e = entities_graph();
    if store.graph_len(e.as_ref())? > 0 {
        graphs.push(e);
    }
    Ok(graphs)
}

/// Sends every graph, then verifies counts (and prunes) through the query endpoint.
pub fn push(
    store: &KgStore,
    target: &PushTarget,
    prune: bool,
    mut progress: impl FnMut(usize, usize),
) -> Result<PushReport, PushError> {
    let graphs = local_graphs(store)?;
    let mut report = PushReport::default();
    let mut local: BTreeMap<String, usize> = BTreeMap::new();
    for (i, g) in graphs.iter().enumerate() {
        let quads = store
            .inner()
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref())))
            .map(|q| q.map_err(ExportError::from));
        let mut body = Vec::new();
        let n = write_quads(quads, ExportFormat::NTriples, &mut body)?;
        let url = target.graph_store.with_query("graph", g.as_str());
        let resp = target.client.request(
            "PUT",
            &url,
            &[("Content-Type", "application/n-triples; charset=utf-8")],
            &body,
        )?;
        if !(200..300).contains(&resp.status) {
            return Err(PushError::Refused {
                url: target.graph_store.display(),
                graph: g.as_str().to_string(),
                status: resp.status,
                body: resp.text().chars().take(300).collect(),
            });
        }
        local.insert(g.as_str().to_string(), n);
        report.graphs += 1;
        report.statements += n;
        progress(i + 1, graphs.len());
    }
    let Some(endpoint) = &target.endpoint else {
        return Ok(report);
    };
    let mut remote = remote_counts(target, endpoint)?;
    if prune {
        for g in remote
            .keys()
            .filter(|g| !local.contains_key(*g))
            .cloned()
            .collect::<Vec<_>>()
        {
            let url = target.graph_store.with_query("graph", &g);
            let resp = target.client.request("DELETE", &url, &[], &[])?;
            if !(200..300).contains(&resp.status) && resp.status != 404 {
                return Err(PushError::Refused {
                    url: target.graph_store.display(),
                    graph: g,
                    status: resp.status,
                    body: resp.text().chars().take(300).collect(),
                });
            }
            remote.remove(&g);
            report.pruned.push(g);
        }
    }
    let mut total = 0;
    for (g, n) in &local {
        let r = remote.get(g).copied().unwrap_or(0);
        total += r;
        if r != *n {
            report.mismatched.push((g.clone(), *n, r));
        }
    }
    report.remote_statements = Some(total);
    Ok(report)
}

/// Statement counts of the server's policykg graphs.
pub fn remote_counts(target: &PushTarget, endpoint: &Url) -> Result<BTreeMap<String, usize>, PushError> {
    let q = format!(
        "SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{ID}\")) }} GROUP BY ?g"
    );
    let url = endpoint.with_query("query", &q);
    let fail = |reason: String| PushError::Verify {
        url: endpoint.display(),
        reason,
    };
    let resp = target
        .client
        .request("GET", &url, &[("Accept", "application/sparql-results+json")], &[])?;
    if resp.status != 200 {
        return Err(fail(format!(
            "HTTP {} {}",
            resp.status,
            resp.text().chars().take(300).collect::<String>()
        )));
    }
    let json: serde_json::Value = serde_json::from_slice(&resp.body).map_err(|e| fail(e.to_string()))?;
    let rows = json["results"]["bindings"]
        .as_array()
        .ok_or_else(|| fail("no results.bindings in the JSON answer".into()))?;
    let mut out = BTreeMap::new();
    for r in rows {
        let g = r["g"]["value"].as_str().unwrap_or_default().to_string();
        let n = r["n"]["value"].as_str().and_then(|v| v.parse().ok()).unwrap_or(0);
        out.insert(g, n);
    }
    Ok(out)
}
