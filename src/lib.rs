//! policykg: turns Chinese government documents (work plans, task-division schemes, reports,
//! news) into a knowledge graph of who must do what.
//!
//! The work is split along the pipeline into crates (see ARCHITECTURE.md):
//! `policykg-extract` (bytes → text → structure → facts, JSON Lines, eval; no RDF) and
//! `policykg-kg` (facts → RDF → Oxigraph store, export, queries, views). This package is the
//! `policykg` command and what only the command needs: the SPARQL endpoint ([`server`]),
//! [`push`] to another store, [`bench`] and the built-in [`seeds`]. Their modules are re-exported here under one
//! name, so `policykg::extract`, `policykg::store`, … address the whole pipeline.

pub use policykg_extract::{
    decode, doc, eval, extract, facts, input, lexicon, normalize, numbers, pipeline, resolve, structure,
};
pub use policykg_kg::{dot, export, graph, http, query, rdf, service, store, table, vocab};

pub mod bench;
pub mod push;
pub mod seeds;
pub mod server;
