//! No build step of our own: the script exists so that `[build-dependencies] cc` (with its
//! `parallel` feature) is part of the graph and RocksDB's C++ sources compile in parallel.
fn main() {}
