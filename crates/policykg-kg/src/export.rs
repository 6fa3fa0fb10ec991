//! Stage 7: the store → standard RDF files, and a VoID/DCAT description of the dataset.
//!
//! [`export`] writes the whole store, or one document (its named graph plus the shared entity
//! descriptions it reaches: organisations, parent bodies, divisions up to the province), as
//! Turtle, N-Triples, RDF/XML (graphs merged, each triple once), or N-Quads, TriG, JSON-LD
//! (graphs kept). [`describe`] builds the dataset's VoID + DCAT description — counts per
//! document, class and relation, licence, source documents — as quads of its own, so exports
//! round-trip exactly (export → load → the same number of statements).

use crate::rdf::{entities_graph, graph_iri};
use crate::store::{KgStore, StoreError};
use crate::vocab::*;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::io::Write;

/// Export errors.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Storage(#[from] oxigraph::store::StorageError),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("document {0} is not in the store (see `policykg query documents`)")]
    UnknownDocument(String),
}

/// Serialisations `export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Turtle,
    NTriples,
    RdfXml,
    NQuads,
    TriG,
    JsonLd,
}

impl ExportFormat {
    /// The Oxigraph format.
    pub fn rdf_format(self) -> RdfFormat {
        match self {
            ExportFormat::Turtle => RdfFormat::Turtle,
            ExportFormat::NTriples => RdfFormat::NTriples,
            ExportFormat::RdfXml => RdfFormat::RdfXml,
            ExportFormat::NQuads => RdfFormat::NQuads,
            ExportFormat::TriG => RdfFormat::TriG,
            ExportFormat::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
        }
    }

    /// True when named graphs are kept; otherwise graphs are merged into one.
    pub fn keeps_graphs(self) -> bool {
        self.rdf_format().supports_datasets()
    }
}

/// Prefixes written by the formats that use them.
const PREFIXES: &[(&str, &str)] = &[
    ("pkg", PKG),
    ("org", "http://www.w3.org/ns/org#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("schema", "http://schema.org/"),
    ("nif", "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", XSD),
    ("void", VOID),
    ("dcat", DCAT),
];

/// Writes quads in a format; graph names are dropped (and repeated triples written once) when
/// the format has no graphs. Returns the number of statements written.
pub fn write_quads(
    quads: impl Iterator<Item = Result<Quad, ExportError>>,
    format: ExportFormat,
    out: impl Write,
) -> Result<usize, ExportError> {
    let mut ser = RdfSerializer::from_format(format.rdf_format());
    for (p, iri) in PREFIXES {
        ser = ser.with_prefix(*p, *iri).expect("prefix IRIs are valid");
    }
    let mut w = ser.for_writer(out);
    let mut seen: HashSet<u128> = HashSet::new();
    let mut n = 0;
    for q in quads {
        let q = q?;
        if format.keeps_graphs() {
            w.serialize_quad(&q)?;
        } else {
            if !seen.insert(triple_key(&q)) {
                continue;
            }
            w.serialize_triple(q.as_ref())?;
        }
        n += 1;
    }
    w.finish()?;
    Ok(n)
}

/// A 128-bit key of a quad's triple, for dropping repeats across graphs without keeping them.
fn triple_key(q: &Quad) -> u128 {
    let mut a = std::collections::hash_map::DefaultHasher::new();
    let mut b = std::collections::hash_map::DefaultHasher::new();
    0xA5u8.hash(&mut b);
    for h in [&mut a, &mut b] {
        q.subject.hash(h);
        q.predicate.hash(h);
        q.object.hash(h);
    }
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// Exports the whole store, or one document with the entity descriptions it reaches.
pub fn export(store: &KgStore, format: ExportFormat, doc: Option<&str>, out: impl Write) -> Result<usize, ExportError> {
    match doc {
        None => write_quads(store.inner().iter().map(|q| q.map_err(ExportError::from)), format, out),
        Some(id) => {
            let quads = document_quads(store, id)?;
            write_quads(quads.into_iter().map(Ok), format, out)
        }
    }
}

/// One document's graph plus the shared descriptions of the entities it names, followed
/// transitively (a department → its government → its division → the province).
pub fn document_quads(store: &KgStore, doc: &str) -> Result<Vec<Quad>, ExportError> {
    let g = graph_iri(doc);
    if !store.has_document(g.as_ref())? {
        return Err(ExportError::UnknownDocument(doc.to_string()));
    }
    let inner = store.inner();
    let mut out: Vec<Quad> = Vec::new();
    let mut queue: VecDeque<NamedNode> = VecDeque::new();
    let mut seen: HashSet<NamedNode> = HashSet::new();
    let mut visit = |t: &Term, queue: &mut VecDeque<NamedNode>| {
        if let Term::NamedNode(n) = t {
            if seen.insert(n.clone()) {
                queue.push_back(n.clone());
            }
        }
    };
    for q in inner.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref()))) {
        let q = q?;
        if let NamedOrBlankNode::NamedNode(s) = &q.subject {
            visit(&Term::NamedNode(s.clone()), &mut queue);
        }
        visit(&q.object, &mut queue);
        out.push(q);
    }
    let entities = entities_graph();
    while let Some(n) = queue.pop_front() {
        for q in inner.quads_for_pattern(Some(n.as_ref().into()), None, None, Some(entities.as_ref().into())) {
            let q = q?;
            visit(&q.object, &mut queue);
            out.push(q);
        }
    }
    Ok(out)
}

/// A short IRI segment for a vocabulary term: `schema:Person` → `schema-Person`.
fn slug(iri: &str) -> String {
    PREFIXES
        .iter()
        .find_map(|(p, ns)| {
            iri.strip_prefix(ns)
                .map(|local| format!("{p}-{}", crate::rdf::iri_segment(local)))
        })
        .unwrap_or_else(|| crate::rdf::iri_segment(iri))
}

/// IRI of the dataset description.
pub fn dataset_iri() -> NamedNode {
    NamedNode::new_unchecked(format!("{ID}dataset"))
}

/// The VoID + DCAT description of the store's dataset: statement counts (whole, per document
/// graph, per class and per relation), the licence, and each source document.
pub fn describe(store: &KgStore, license: &str) -> Result<Vec<Quad>, ExportError> {
    let ds = dataset_iri();
    let mut quads = Vec::new();
    let mut add = |s: &NamedNode, p: &str, o: Term| {
        quads.push(Quad::new(
            s.clone(),
            NamedNode::new_unchecked(p),
            o,
            GraphName::DefaultGraph,
        ));
    };
    let iri = |s: String| Term::NamedNode(NamedNode::new_unchecked(s));
    let int = |n: u64| {
        Term::Literal(Literal::new_typed_literal(
            n.to_string(),
            NamedNode::new_unchecked(xsd("integer")),
        ))
    };
    let en = |s: &str| Term::Literal(Literal::new_language_tagged_literal_unchecked(s, "en"));
    let docs = store.document_ids()?;

    add(&ds, RDF_TYPE, iri(format!("{VOID}Dataset")));
    add(&ds, RDF_TYPE, iri(format!("{DCAT}Dataset")));
    add(&ds, DCTERMS_TITLE, en("policykg knowledge graph"));
    add(
        &ds,
        "http://purl.org/dc/terms/description",
        en(&format!(
            "Who must do what, extracted from {} Chinese government documents by policykg: lead and \
             co-responsible organisations of tasks, indicators the tasks target, cooperation, posts \
             and issuers, with provenance down to the source sentence.",
            docs.len()
        )),
    );
    add(&ds, "http://purl.org/dc/terms/license", iri(license.to_string()));
    add(
        &ds,
        "http://purl.org/dc/terms/language",
        iri("http://id.loc.gov/vocabulary/iso639-1/zh".into()),
    );
    add(
        &ds,
        &format!("{DCAT}keyword"),
        Term::Literal(Literal::new_language_tagged_literal_unchecked("政府工作任务", "zh")),
    );
    add(&ds, &format!("{VOID}triples"), int(store.inner().len()? as u64));
    add(&ds, &format!("{VOID}documents"), int(docs.len() as u64));
    add(
        &ds,
        &format!("{VOID}uriSpace"),
        Term::Literal(Literal::new_simple_literal(ID)),
    );
    for v in [
        PKG,
        "http://www.w3.org/ns/org#",
        "http://www.w3.org/ns/prov#",
        "http://purl.org/dc/terms/",
        "http://www.w3.org/2004/02/skos/core#",
        "http://schema.org/",
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
        "http://xmlns.com/foaf/0.1/",
    ] {
        add(&ds, &format!("{VOID}vocabulary"), iri(v.to_string()));
    }
    // Class and relation partitions.
    let classes =
        store.select_pairs("SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c ORDER BY ?c")?;
    for (c, n) in classes {
        let part = NamedNode::new_unchecked(format!("{ID}dataset/class/{}", slug(&c)));
        add(&ds, &format!("{VOID}classPartition"), Term::NamedNode(part.clone()));
        add(&part, &format!("{VOID}class"), iri(c));
        add(&part, &format!("{VOID}entities"), int(n.parse().unwrap_or(0)));
    }
    let props = store.select_pairs(&format!(
        "SELECT ?p (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), \"{PKG}\")) }} GROUP BY ?p ORDER BY ?p"
    ))?;
    for (p, n) in props {
        let part = NamedNode::new_unchecked(format!("{ID}dataset/property/{}", slug(&p)));
        add(&ds, &format!("{VOID}propertyPartition"), Term::NamedNode(part.clone()));
        add(&part, &format!("{VOID}property"), iri(p));
        add(&part, &format!("{VOID}triples"), int(n.parse().unwrap_or(0)));
    }
    // One subset per named graph: each document, and the shared entity descriptions.
    let sources: std::collections::HashMap<String, String> = store
        .select_pairs(&format!(
            "PREFIX pkg: <{PKG}> SELECT ?id ?src WHERE {{ ?d pkg:docId ?id ; <{DCTERMS_SOURCE}> ?src }}"
        ))?
        .into_iter()
        .collect();
    let mut graphs: Vec<(NamedNode, Option<&String>)> = docs.iter().map(|d| (graph_iri(d), Some(d))).collect();
    graphs.push((entities_graph(), None));
    for (g, doc) in graphs {
        let sub = NamedNode::new_unchecked(format!("{}/void", g.as_str()));
        add(&ds, &format!("{VOID}subset"), Term::NamedNode(sub.clone()));
        add(&sub, RDF_TYPE, iri(format!("{VOID}Dataset")));
        add(
            &sub,
            "http://www.w3.org/ns/sparql-service-description#name",
            Term::NamedNode(g.clone()),
        );
        add(
            &sub,
            &format!("{VOID}triples"),
            int(store.graph_len(g.as_ref())? as u64),
        );
        match doc {
            Some(d) => {
                add(&sub, PROV_WAS_DERIVED_FROM, Term::NamedNode(crate::rdf::doc_iri(d)));
                if let Some(src) = sources.get(d.as_str()) {
                    add(&sub, DCTERMS_SOURCE, Term::Literal(Literal::new_simple_literal(src)));
                    add(&ds, DCTERMS_SOURCE, Term::Literal(Literal::new_simple_literal(src)));
                }
            }
            None => add(&sub, DCTERMS_TITLE, en("shared entity descriptions")),
        }
    }
    Ok(quads)
}
