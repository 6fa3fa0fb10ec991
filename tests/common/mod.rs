//! Helpers shared by the integration tests: project paths and extraction of a directory.
#![allow(dead_code)]

use policykg::extract::{extract, Extraction};
use policykg::input::{collect_files, read_document};
use policykg::resolve::Gazetteer;
use std::path::{Path, PathBuf};

/// A path inside the project checkout.
pub fn project(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
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

/// The seed and dev documents the golden tests cover.
pub fn corpus_dirs() -> Vec<PathBuf> {
    vec![project("seeds"), project("tests/data/dev")]
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("policykg-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// The seeds and the dev corpus in an in-memory store.
pub fn corpus_store() -> policykg::store::KgStore {
    let store = policykg::store::KgStore::in_memory().expect("in-memory store");
    for dir in corpus_dirs() {
        store
            .replace_extractions(&extract_dir(&dir))
            .expect("corpus store builds");
    }
    store
}

/// Builds the seed documents into a store.
pub fn build_seeds(store: &policykg::store::KgStore) {
    store
        .replace_extractions(&extract_dir(&project("seeds")))
        .expect("seed store builds");
}
