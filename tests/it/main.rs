//! The `policykg` package's integration tests, in one test binary (one link, one process; the
//! pattern of ripgrep's `tests/`): `cargo test --test it [FILTER]`, e.g. `cargo test --test it
//! server::` for the endpoint's tests. Each module's doc says what it holds; `common` has the
//! shared helpers (stores, servers, a TLS endpoint). The load tests that measure latency take
//! [`common::exclusive`] so that no other load runs beside them in this process.

mod cli;
mod common;
mod diagram;
mod export;
mod federation;
mod linked_data;
mod push;
mod queries;
mod robustness;
mod server;
mod store;
