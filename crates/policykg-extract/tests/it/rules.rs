//! Per-rule fixtures, in the style of Ruff's: `tests/fixtures/<rule>/<case>.txt` is a short
//! document showing one grammar of one rule family, and `<case>.snap.jsonl` beside it holds
//! **only that family's facts** (JSON lines as `extract --format jsonl` prints them), so a
//! change to one rule shows up in its own fixtures and nowhere else. The families are the
//! modules of `src/extract/`: `responsibility` (leads, co_responsible), `targets`,
//! `cooperation` (cooperates_with), `posts` (holds_post), `issued_by`. A fixture whose case
//! name starts with `none-` must give no fact of its family (text that only looks like one).
//! Re-bless with `UPDATE_SNAPSHOTS=1 cargo test -p policykg-extract --test it rules` and review
//! the diff.

use crate::common::project;
use policykg_extract::extract::extract;
use policykg_extract::facts::Fact;
use policykg_extract::input::read_document;
use policykg_extract::resolve::Gazetteer;
use std::path::PathBuf;

/// The rule families and the relations each one writes.
const FAMILIES: &[(&str, &[&str])] = &[
    ("responsibility", &["leads", "co_responsible"]),
    ("targets", &["targets"]),
    ("cooperation", &["cooperates_with"]),
    ("posts", &["holds_post"]),
    ("issued_by", &["issued_by"]),
];

fn fixtures(family: &str) -> Vec<PathBuf> {
    let dir = project(&format!("crates/policykg-extract/tests/fixtures/{family}"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
}

#[test]
fn each_rule_family_gives_its_snapshot_on_its_fixtures() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for &(family, relations) in FAMILIES {
        let files = fixtures(family);
        assert!(files.len() >= 4, "{family}: at least four fixtures, found {}", files.len());
        for path in files {
            let src = read_document(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let ex = extract(&src, Gazetteer::embedded());
            let mine: Vec<&Fact> = ex.facts.iter().filter(|f| relations.contains(&f.rel.name())).collect();
            let got: String = mine.iter().map(|f| f.to_json_line() + "\n").collect();
            let case = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            if case.starts_with("none-") {
                if !mine.is_empty() {
                    failures.push(format!("{}: must give no {family} fact, gave:\n{got}", path.display()));
                }
                continue;
            }
            if mine.is_empty() {
                failures.push(format!("{}: gave no {family} fact", path.display()));
            }
            let snap = path.with_extension("snap.jsonl");
            if update {
                std::fs::write(&snap, &got).expect("write snapshot");
                continue;
            }
            let want = std::fs::read_to_string(&snap).unwrap_or_default();
            if want != got {
                failures.push(format!(
                    "{} differs from {}:\n--- want\n{want}--- got\n{got}",
                    path.display(),
                    snap.display()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "rule fixtures (UPDATE_SNAPSHOTS=1 to re-bless):\n{}",
        failures.join("\n")
    );
}
