//! policykg-kg: the knowledge graph built from `policykg-extract`'s facts.
//!
//! facts → RDF quads, one named graph per document ([`rdf`], terms from [`vocab`]) → Oxigraph
//! store ([`store`]) → SPARQL answers and the named-query library ([`query`]; federated
//! `SERVICE` through [`service`] and the small HTTP client [`http`]) → RDF files and the
//! VoID/DCAT description ([`export`]); petgraph views of the store ([`graph`]) and their
//! diagrams ([`dot`]); plain-text tables for all of them ([`table`]). Views return values; only
//! the binary prints.

pub mod dot;
pub mod export;
pub mod graph;
pub mod http;
pub mod query;
pub mod rdf;
pub mod service;
pub mod store;
pub mod table;
pub mod vocab;
