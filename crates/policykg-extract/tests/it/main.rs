//! The extraction crate's integration tests, in one test binary (one link, one process; the
//! pattern of ripgrep's `tests/`): `cargo test -p policykg-extract --test it [FILTER]`.
//! Each module's doc says what it holds; `common` has the shared helpers.

mod common;
mod encodings;
mod eval_agrees;
mod lexicon;
mod properties;
mod quality;
mod rules;
mod snapshots;
