//! Stage 6: the on-disk Oxigraph store.
//!
//! One named graph per document, plus the shared entity graph. Every write goes through
//! [`KgStore::write_stream`]: a document already stored is replaced in its own transaction (old
//! graph removed, new quads inserted, committed atomically), so a crash leaves it either wholly
//! old or wholly new; documents not yet in the store stream through one Oxigraph bulk load,
//! which is much faster and also atomic (its files are ingested at commit). Only this module
//! and the server open stores.

use crate::vocab::{ID, PKG};
use oxigraph::model::{GraphNameRef, NamedNodeRef, Quad};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::{LoaderError, StorageError, Store};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a stored document was extracted from and by ([`KgStore::extraction_keys`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtractionKey {
    pub source_md5: String,
    pub source: String,
    pub extracted_by: String,
}

/// Memory the bulk loader of one `build` may use for its batches by default, in MB. Oxigraph
/// turns it into the batch size: MB × 1000 / threads quads (256,000 on 2 cores).
pub const BULK_MEMORY_MB: usize = 512;

/// Store errors, naming the store directory.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open store {path}: {source}")]
    Open { path: PathBuf, source: StorageError },
    #[error("store {path} is in use by another policykg process (its LOCK is held); wait for it to finish or use another --store")]
    Locked { path: PathBuf },
    #[error("store {path} does not exist (run `policykg build` first)")]
    Missing { path: PathBuf },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Loader(#[from] LoaderError),
    #[error("query failed: {0}")]
    Query(String),
}

/// An opened policykg store.
pub struct KgStore {
    store: Store,
    path: Option<PathBuf>,
    /// Memory budget of [`KgStore::write_stream`]'s bulk loader, in MB.
    bulk_memory_mb: usize,
}

impl KgStore {
    /// Opens (creating if needed) a read-write store in a directory.
    pub fn open(path: &Path) -> Result<KgStore, StoreError> {
        match Store::open(path) {
            Ok(store) => {
                remove_stray_bulk_files(path);
                Ok(KgStore {
                    store,
                    path: Some(path.to_path_buf()),
                    bulk_memory_mb: BULK_MEMORY_MB,
                })
            }
            Err(e) => {
                let msg = e.to_string();
                if msg.contains("LOCK") || msg.contains("lock") {
                    Err(StoreError::Locked {
                        path: path.to_path_buf(),
                    })
                } else {
                    Err(StoreError::Open {
                        path: path.to_path_buf(),
                        source: e,
                    })
                }
            }
        }
    }

    /// Sets the bulk loader's memory budget (MB) for [`KgStore::write_stream`]: more memory
    /// means fewer, larger batches.
    pub fn set_bulk_memory_mb(&mut self, mb: usize) {
        self.bulk_memory_mb = mb.max(16);
    }

    /// Opens an existing store read-only (queries, views).
    pub fn open_read_only(path: &Path) -> Result<KgStore, StoreError> {
        if !path.join("CURRENT").exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let store = match Store::open_read_only(path) {
            Ok(store) => store,
            // A `build` killed right after RocksDB created the directory, before Oxigraph
            // wrote its storage version: a read-only handle cannot finish that, a read-write
            // open does (nothing else is written). Done once, then opened read-only again.
            // Killed a moment earlier, between RocksDB's default column family and Oxigraph's
            // own ones ("Column family not found"): the read-write open creates them the same way.
            Err(e)
                if e.to_string().contains("only possible on read-write instances")
                    || e.to_string().contains("Column family not found") =>
            {
                drop(KgStore::open(path)?);
                Store::open_read_only(path).map_err(|source| StoreError::Open {
                    path: path.to_path_buf(),
                    source,
                })?
            }
            Err(source) => {
                return Err(StoreError::Open {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        Ok(KgStore {
            store,
            path: Some(path.to_path_buf()),
            bulk_memory_mb: BULK_MEMORY_MB,
        })
    }

    /// An in-memory store (tests, `--store :memory:`).
    pub fn in_memory() -> Result<KgStore, StoreError> {
        Ok(KgStore {
            store: Store::new()?,
            path: None,
            bulk_memory_mb: BULK_MEMORY_MB,
        })
    }

    /// The underlying Oxigraph store.
    pub fn inner(&self) -> &Store {
        &self.store
    }

    /// Directory of the store, if on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// True when the document's graph is present.
    pub fn has_document(&self, graph: NamedNodeRef<'_>) -> Result<bool, StoreError> {
        Ok(self.store.contains_named_graph(graph)?)
    }

    /// Writes documents, each as its graph's full new content: [`KgStore::write_stream`] over
    /// a batch (documents already present replaced in one transaction each, new ones in one
    /// atomic bulk load; a graph given twice ends with its later content, never a merge).
    pub fn replace_documents(&self, docs: Vec<(NamedNodeRef<'_>, Vec<Quad>)>) -> Result<(), StoreError> {
        self.write_stream(docs.into_iter().map(|(g, q)| (g.into_owned(), q)))?;
        Ok(())
    }

    /// Writes a stream of documents (graph, full new content) with bounded memory, as `build`
    /// does. Documents already in the store are replaced as they arrive, each in its own
    /// transaction; new documents stream through **one** bulk load, committed at the end
    /// (RocksDB ingests its files at once, so after a crash either all of this run's new
    /// documents are there or none is, and the next run loads them). One load per run instead
    /// of one per window keeps the load near the bulk loader's own speed on large inputs. A
    /// graph that comes twice is replaced by its later content after the load (never merged).
    /// Returns the number of documents written.
    pub fn write_stream(
        &self,
        docs: impl IntoIterator<Item = (oxigraph::model::NamedNode, Vec<Quad>)>,
    ) -> Result<usize, StoreError> {
        use oxigraph::model::NamedNode;
        let mut streamed: std::collections::HashSet<NamedNode> = std::collections::HashSet::new();
        let mut late: Vec<(NamedNode, Vec<Quad>)> = Vec::new();
        let mut n = 0usize;
        let mut loader = self
            .store
            .bulk_loader()
            .with_max_memory_size_in_megabytes(self.bulk_memory_mb);
        let mut fresh = false;
        {
            let quads = docs.into_iter().flat_map(|(graph, quads)| {
                n += 1;
                let step: Result<Vec<Quad>, StoreError> = (|| {
                    if streamed.contains(&graph) {
                        late.push((graph, quads));
                        return Ok(Vec::new());
                    }
                    if self.store.contains_named_graph(graph.as_ref())? {
                        if self.path.is_none() {
                            // An in-memory store admits no transaction while its bulk load is
                            // open: replace after the load (such stores are small anyway).
                            late.push((graph, quads));
                        } else {
                            self.replace_in_transaction(graph.as_ref(), &quads)?;
                        }
                        return Ok(Vec::new());
                    }
                    streamed.insert(graph);
                    fresh = true;
                    Ok(quads)
                })();
                match step {
                    Ok(v) => v.into_iter().map(Ok).collect::<Vec<_>>(),
                    Err(e) => vec![Err(e)],
                }
            });
            loader.load_ok_quads::<StoreError, StoreError>(quads)?;
        }
        if fresh {
            loader.commit()?;
        } else {
            // Release the loader before any transaction (an in-memory store admits none meanwhile).
            drop(loader);
        }
        // Only a graph given twice leaves descriptions of its earlier content behind.
        let replaced_late = late.iter().any(|(g, _)| streamed.contains(g));
        for (graph, quads) in late {
            self.replace_in_transaction(graph.as_ref(), &quads)?;
        }
        if replaced_late {
            // The earlier content's entity descriptions went in with the load: drop the ones
            // nothing reaches now, so the store equals a build of the later files alone.
            self.collect_entities()?;
        }
        Ok(n)
    }

    fn replace_in_transaction(&self, graph: NamedNodeRef<'_>, quads: &[Quad]) -> Result<(), StoreError> {
        let mut tx = self.store.start_transaction()?;
        tx.remove_named_graph(graph)?;
        tx.insert_named_graph(graph);
        for q in quads {
            tx.insert(q);
        }
        tx.commit()?;
        Ok(())
    }

    /// Writes extracted documents (each replacing its graph), converting them to quads.
    pub fn replace_extractions(&self, exs: &[policykg_extract::extract::Extraction]) -> Result<(), StoreError> {
        self.write_stream(
            exs.iter()
                .map(|ex| (crate::rdf::graph_iri(&ex.doc), crate::rdf::to_quads(ex))),
        )?;
        Ok(())
    }

    /// Removes a document's graph.
    pub fn remove_document(&self, graph: NamedNodeRef<'_>) -> Result<(), StoreError> {
        let mut tx = self.store.start_transaction()?;
        tx.remove_named_graph(graph)?;
        tx.commit()?;
        Ok(())
    }

    /// Removes every document graph whose IRI is not in `keep`; returns how many.
    pub fn prune(&self, keep: &std::collections::HashSet<String>) -> Result<usize, StoreError> {
        let prefix = format!("{ID}graph/");
        let mut gone = Vec::new();
        for g in self.store.named_graphs() {
            if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = g? {
                if n.as_str().starts_with(&prefix) && !keep.contains(n.as_str()) {
                    gone.push(n);
                }
            }
        }
        for n in &gone {
            self.remove_document(n.as_ref())?;
        }
        if !gone.is_empty() {
            self.collect_entities()?;
        }
        Ok(gone.len())
    }

    /// Removes descriptions from the shared entity graph that no document reaches any more
    /// (directly, or through parent bodies and enclosing divisions of what it names); returns
    /// how many statements went.
    pub fn collect_entities(&self) -> Result<usize, StoreError> {
        use oxigraph::model::{NamedNode, NamedOrBlankNode, Term};
        let entities = crate::rdf::entities_graph();
        let eg = GraphNameRef::NamedNode(entities.as_ref());
        let mut subjects: Vec<NamedNode> = Vec::new();
        for q in self.store.quads_for_pattern(None, None, None, Some(eg)) {
            if let NamedOrBlankNode::NamedNode(s) = q?.subject {
                if subjects.last() != Some(&s) {
                    subjects.push(s);
                }
            }
        }
        subjects.sort();
        subjects.dedup();
        // Roots: entities some document graph mentions.
        let in_doc = |q: &Quad| q.graph_name.as_ref() != eg;
        let mut keep: std::collections::HashSet<NamedNode> = std::collections::HashSet::new();
        let mut queue: Vec<NamedNode> = Vec::new();
        for s in &subjects {
            let mut used = false;
            for q in self.store.quads_for_pattern(None, None, Some(s.as_ref().into()), None) {
                if in_doc(&q?) {
                    used = true;
                    break;
                }
            }
            if !used {
                for q in self.store.quads_for_pattern(Some(s.as_ref().into()), None, None, None) {
                    if in_doc(&q?) {
                        used = true;
                        break;
                    }
                }
            }
            if used && keep.insert(s.clone()) {
                queue.push(s.clone());
            }
        }
        // Everything a kept description points to is kept too.
        while let Some(n) = queue.pop() {
            for q in self
                .store
                .quads_for_pattern(Some(n.as_ref().into()), None, None, Some(eg))
            {
                if let Term::NamedNode(o) = q?.object {
                    if keep.insert(o.clone()) {
                        queue.push(o);
                    }
                }
            }
        }
        let mut tx = self.store.start_transaction()?;
        let mut removed = 0;
        for s in subjects.iter().filter(|s| !keep.contains(*s)) {
            let quads: Vec<Quad> = tx
                .quads_for_pattern(Some(s.as_ref().into()), None, None, Some(eg))
                .collect::<Result<_, _>>()?;
            for q in &quads {
                tx.remove(q);
            }
            removed += quads.len();
        }
        tx.commit()?;
        Ok(removed)
    }

    /// Consistency problems of the store (empty when consistent): Oxigraph's own check, then
    /// per document graph: one `pkg:Document`, every task and fact tied to it, every fact with
    /// its evidence span.
    pub fn check(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        if let Err(e) = self.store.validate() {
            problems.push(format!("storage check failed: {e}"));
        }
        let q = format!(
            "PREFIX pkg: <{PKG}>
             PREFIX prov: <http://www.w3.org/ns/prov#>
             PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
             SELECT ?problem ?x WHERE {{
               {{ GRAPH ?g {{ ?x a pkg:Task }} FILTER NOT EXISTS {{ GRAPH ?g {{ ?x pkg:inDocument ?d . ?d a pkg:Document }} }}
                  BIND(\"task without its document\" AS ?problem) }}
               UNION
               {{ GRAPH ?g {{ ?x a pkg:Fact }} FILTER NOT EXISTS {{ GRAPH ?g {{ ?x prov:wasDerivedFrom ?d . ?d a pkg:Document }} }}
                  BIND(\"fact without its document\" AS ?problem) }}
               UNION
               {{ GRAPH ?g {{ ?x a pkg:Fact }} FILTER NOT EXISTS {{ GRAPH ?g {{ ?x nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?t }} }}
                  BIND(\"fact without evidence span\" AS ?problem) }}
               UNION
               {{ GRAPH ?x {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?x), \"{ID}graph/\"))
                  FILTER NOT EXISTS {{ GRAPH ?x {{ ?d a pkg:Document }} }}
                  BIND(\"document graph without its document\" AS ?problem) }}
             }} LIMIT 1000"
        );
        let seen: std::collections::BTreeSet<String> = self
            .select_pairs(&q)?
            .into_iter()
            .map(|(problem, x)| format!("{problem}: {x}"))
            .collect();
        problems.extend(seen);
        Ok(problems)
    }

    /// Ids of the documents in the store.
    pub fn document_ids(&self) -> Result<Vec<String>, StoreError> {
        let prefix = format!("{ID}graph/");
        let mut out = Vec::new();
        for g in self.store.named_graphs() {
            if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = g? {
                if let Some(id) = n.as_str().strip_prefix(&prefix) {
                    out.push(id.to_string());
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// What each stored document was extracted from and by (`pkg:sourceMd5`,
    /// `dcterms:source`, `pkg:extractedBy`), by document id: `build` skips a document whose
    /// key is unchanged.
    pub fn extraction_keys(&self) -> Result<std::collections::HashMap<String, ExtractionKey>, StoreError> {
        let q = format!(
            "PREFIX pkg: <{PKG}> PREFIX dcterms: <http://purl.org/dc/terms/>
             SELECT ?id ?md5 ?source ?by WHERE {{
               ?d pkg:docId ?id ; pkg:sourceMd5 ?md5 ; dcterms:source ?source ; pkg:extractedBy ?by }}"
        );
        Ok(self
            .select_rows(&q)?
            .into_iter()
            .map(|mut row| {
                row.resize(4, String::new());
                let key = ExtractionKey {
                    extracted_by: row.pop().unwrap_or_default(),
                    source: row.pop().unwrap_or_default(),
                    source_md5: row.pop().unwrap_or_default(),
                };
                (row.pop().unwrap_or_default(), key)
            })
            .collect())
    }

    /// Flushes to disk.
    pub fn flush(&self) -> Result<(), StoreError> {
        if self.path.is_some() {
            self.store.flush()?;
        }
        Ok(())
    }

    /// Counts for the summary: documents, sections, tasks, organisations, facts per relation.
    pub fn summary(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        let q = format!(
            "PREFIX pkg: <{PKG}>
             SELECT ?k (COUNT(DISTINCT ?x) AS ?n) WHERE {{
               {{ ?x a pkg:Document BIND(\"documents\" AS ?k) }}
               UNION {{ ?x a pkg:Section BIND(\"sections\" AS ?k) }}
               UNION {{ ?x a pkg:Task BIND(\"tasks\" AS ?k) }}
               UNION {{ ?x a <http://www.w3.org/ns/org#Organization> BIND(\"organisations\" AS ?k) }}
               UNION {{ ?x a pkg:Fact ; pkg:relation ?r BIND(CONCAT(\"facts:\", ?r) AS ?k) }}
             }} GROUP BY ?k"
        );
        let mut out = BTreeMap::new();
        for (k, n) in self.select_pairs(&q)? {
            out.insert(k, n.parse().unwrap_or(0));
        }
        let triples = self.store.len()?;
        out.insert("quads".into(), triples as u64);
        Ok(out)
    }

    /// Runs a SELECT with two variables over the union of all graphs; returns lexical values.
    pub fn select_pairs(&self, sparql: &str) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self
            .select_rows(sparql)?
            .into_iter()
            .map(|mut row| {
                row.resize(2, String::new());
                let second = row.pop().unwrap_or_default();
                (row.pop().unwrap_or_default(), second)
            })
            .collect())
    }

    /// Runs a SELECT over the union of all graphs; returns the lexical values of each row, in
    /// the order of the projected variables (unbound ones empty).
    pub fn select_rows(&self, sparql: &str) -> Result<Vec<Vec<String>>, StoreError> {
        let mut query = SparqlEvaluator::new()
            .parse_query(sparql)
            .map_err(|e| StoreError::Query(e.to_string()))?;
        query.dataset_mut().set_default_graph_as_union();
        let results = query
            .on_store(&self.store)
            .execute()
            .map_err(|e| StoreError::Query(e.to_string()))?;
        let mut out = Vec::new();
        if let QueryResults::Solutions(sol) = results {
            for s in sol {
                let s = s.map_err(|e| StoreError::Query(e.to_string()))?;
                out.push(
                    s.values()
                        .iter()
                        .map(|v| v.as_ref().map(term_text).unwrap_or_default())
                        .collect(),
                );
            }
        }
        Ok(out)
    }

    /// Number of quads in a document's graph.
    pub fn graph_len(&self, graph: NamedNodeRef<'_>) -> Result<usize, StoreError> {
        Ok(self
            .store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(graph)))
            .count())
    }
}

/// Removes the `bulk-*.sst` files Oxigraph's bulk loader writes into the store directory
/// before it ingests them, left behind when a `build` was killed in the middle of a bulk load.
/// They were never part of the database (ingestion is atomic and the loader deletes its files
/// after it), so removing them is safe once this process holds the store's lock.
fn remove_stray_bulk_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("bulk-") && name.ends_with(".sst") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Readable text of a term: a literal's value, an IRI, a blank node id.
pub fn term_text(t: &oxigraph::model::Term) -> String {
    match t {
        oxigraph::model::Term::Literal(l) => l.value().to_string(),
        oxigraph::model::Term::NamedNode(n) => n.as_str().to_string(),
        other => other.to_string(),
    }
}
