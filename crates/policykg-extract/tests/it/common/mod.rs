//! Helpers shared by the extraction crate's integration tests: project paths and extraction
//! of a directory. (The store helpers are in the top-level `tests/common`.)
#![allow(dead_code)]

use policykg_extract::extract::{extract, Extraction};
use policykg_extract::input::{collect_files, read_document};
use policykg_extract::resolve::Gazetteer;
use std::path::{Path, PathBuf};

/// A path inside the project checkout (the workspace root: `seeds/`, `tests/data/`, … live
/// there, shared by every crate).
pub fn project(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(rel)
}

/// Extracts every document of a directory, in file order.
pub fn extract_dir(dir: &Path) -> Vec<Extraction> {
    let (files, errors) = collect_files(&[dir.to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    files
        .iter()
        .map(|f| extract(&read_document(f).expect("readable"), Gazetteer::embedded()))
        .collect()
}

/// Every annotated corpus: seeds, dev and dev2 (50 documents written against by half A only,
/// see `tests/data/dev2-halves.tsv`). Golden snapshots and evidence checks run on all of them.
pub fn annotated_dirs() -> Vec<PathBuf> {
    vec![project("seeds"), project("tests/data/dev"), project("tests/data/dev2")]
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("policykg-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}
