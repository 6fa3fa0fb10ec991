//! policykg: turns Chinese government documents (work plans, task-division schemes, reports,
//! news) into a knowledge graph of who must do what.
//!
//! The pipeline is a chain of plain stages, each in its own module, each a function from one
//! type to the next with no IO in between:
//!
//! bytes ([`input`]) → decoded text ([`decode`]) → normalised text with an offset map
//! ([`normalize`]) → document structure ([`structure`]) → facts ([`extract`], serialised by
//! [`facts`]) → RDF quads ([`rdf`]) → Oxigraph store ([`store`]) → SPARQL answers ([`query`]).
//! [`eval`] scores facts against gold files. [`pipeline`] runs the stages over many files in
//! parallel. Word lists, alias tables and rules live in `ontology/` and are loaded by
//! [`lexicon`].

pub mod bench;
pub mod decode;
pub mod doc;
pub mod dot;
pub mod eval;
pub mod export;
pub mod extract;
pub mod facts;
pub mod graph;
pub mod http;
pub mod input;
pub mod lexicon;
pub mod normalize;
pub mod numbers;
pub mod pipeline;
pub mod push;
pub mod query;
pub mod rdf;
pub mod resolve;
pub mod server;
pub mod service;
pub mod store;
pub mod structure;
pub mod vocab;
