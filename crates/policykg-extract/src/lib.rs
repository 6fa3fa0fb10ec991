//! policykg-extract: turns Chinese government documents (work plans, task-division schemes,
//! reports, news) into facts — who leads or shares which task, which indicators a task
//! targets, who cooperates with whom, who holds which post, who issued the document.
//!
//! The pipeline is a chain of plain stages, each in its own module, each a function from one
//! type to the next with no IO in between:
//!
//! bytes ([`input`]) → decoded text ([`decode`]) → normalised text with an offset map
//! ([`normalize`]) → document structure ([`structure`]) → facts ([`extract`], serialised as
//! JSON Lines by [`facts`]). [`eval`] scores facts against gold files. [`pipeline`] runs the
//! stages over many files in parallel. Word lists, alias tables and rules live in `ontology/`
//! and are loaded by [`lexicon`]; [`resolve`] names organisations and divisions with them.
//!
//! This crate knows nothing about RDF or stores (its dependencies have no Oxigraph):
//! `policykg-kg` turns its facts into quads.

pub mod decode;
pub mod doc;
pub mod eval;
pub mod extract;
pub mod facts;
pub mod input;
pub mod lexicon;
pub mod normalize;
pub mod numbers;
pub mod pipeline;
pub mod resolve;
pub mod structure;
