//! The `policykg` binary end to end: help texts, extract formats, skipped inputs and exit
//! codes, build + query, demo.

mod common;

use common::{project, temp_dir};
use std::process::Command;

fn policykg() -> Command {
    Command::new(env!("CARGO_BIN_EXE_policykg"))
}

#[test]
fn help_lists_commands() {
    let out = policykg().arg("--help").output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    for c in ["extract", "build", "query", "demo", "eval"] {
        assert!(s.contains(c), "{s}");
    }
}

#[test]
fn extract_jsonl_and_skipped_binary() {
    let dir = temp_dir("cli-extract");
    std::fs::copy(project("seeds/003_333bffa1260437b2.txt"), dir.join("003.txt")).unwrap();
    std::fs::write(dir.join("image.txt"), b"\x89PNG\r\n\x1a\n\0\0\0binary").unwrap();
    let out = policykg()
        .args(["extract", "--format", "jsonl"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a skipped input gives exit 1");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("image.txt") && err.contains("PNG"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines
        .iter()
        .any(|v| v["rel"] == "leads" && v["org"]["text"] == "市发改委"));
    assert!(lines.iter().all(|v| v["doc"] == "003"));

    let table = policykg().arg("extract").arg(dir.join("003.txt")).output().unwrap();
    assert_eq!(table.status.code(), Some(0));
    let t = String::from_utf8_lossy(&table.stdout);
    assert!(t.lines().next().unwrap().starts_with("doc"), "{t}");
    assert!(t.contains("市发改委 (无为市发展和改革委员会)"));
}

#[test]
fn missing_store_is_a_clear_error() {
    let dir = temp_dir("cli-nostore");
    let out = policykg()
        .args(["query", "--query", "SELECT * WHERE { ?s ?p ?o }", "--store"])
        .arg(dir.join("nope"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

#[test]
fn demo_builds_and_answers() {
    let dir = temp_dir("cli-demo");
    let store = dir.join("kg.db");
    let out = policykg().arg("demo").arg("--store").arg(&store).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{s}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(s.contains("documents") && s.contains("facts: leads"), "{s}");
    assert!(s.contains("无为市发展和改革委员会"), "{s}");
    // The store it left answers queries.
    let q = policykg()
        .args([
            "query",
            "--format",
            "csv",
            "--query",
            "PREFIX pkg: <https://w3id.org/policykg/ont#> SELECT (COUNT(*) AS ?n) WHERE { ?d a pkg:Document }",
            "--store",
        ])
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&q.stdout).trim().lines().last(), Some("5"));
}
