//! Golden tests: `extract --format jsonl` output of every seed, dev and dev2 document is compared
//! with `tests/snapshots/<doc>.jsonl`. Re-bless after an intended change with
//! `UPDATE_SNAPSHOTS=1 cargo test -p policykg-extract --test it snapshots` and review the diff.

use crate::common::{annotated_dirs, extract_dir, project};
use policykg_extract::doc::{slice_chars, Span};
use policykg_extract::input::read_document;

#[test]
fn extract_output_matches_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for dir in annotated_dirs() {
        for ex in extract_dir(&dir) {
            let mut got = String::new();
            for f in &ex.facts {
                got.push_str(&f.to_json_line());
                got.push('\n');
            }
            let path = project(&format!("tests/snapshots/{}.jsonl", ex.doc));
            if update {
                std::fs::write(&path, &got).expect("write snapshot");
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_default();
            if want != got {
                failures.push(format!(
                    "{} differs from {} ({} vs {} lines)",
                    ex.doc,
                    path.display(),
                    got.lines().count(),
                    want.lines().count()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "snapshot mismatches (UPDATE_SNAPSHOTS=1 to re-bless):\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_evidence_span_is_the_source_slice() {
    for dir in annotated_dirs() {
        let (files, _) = policykg_extract::input::collect_files(&[dir]);
        for f in files {
            let src = read_document(&f).unwrap();
            let offsets = src.char_offsets();
            let ex = policykg_extract::extract::extract(&src, policykg_extract::resolve::Gazetteer::embedded());
            for fact in &ex.facts {
                let e = &fact.evidence;
                assert!(
                    e.start <= e.end && (e.end as usize) < offsets.len(),
                    "{}: span out of range",
                    ex.doc
                );
                assert_eq!(
                    slice_chars(
                        &src.text,
                        &offsets,
                        Span {
                            start: e.start,
                            end: e.end
                        }
                    ),
                    e.text,
                    "{}: {}",
                    ex.doc,
                    fact.to_json_line()
                );
                assert!(!e.text.is_empty(), "{}: empty evidence", ex.doc);
            }
        }
    }
}

#[test]
fn seed_work_plans_have_their_items_in_sections() {
    use policykg_extract::structure::UnitKind;
    let count = |doc: &str| {
        let src = read_document(&project(&format!("seeds/{doc}.txt"))).unwrap();
        let ctx = policykg_extract::extract::Context::new(&src, policykg_extract::resolve::Gazetteer::embedded());
        let items: Vec<_> = ctx.doc.units.iter().filter(|u| u.kind == UnitKind::Item).collect();
        let labels: Vec<String> = items.iter().map(|u| u.label.clone()).collect();
        let expected: Vec<String> = (1..=items.len()).map(|i| i.to_string()).collect();
        assert_eq!(labels, expected, "{doc}: items numbered in order");
        assert!(
            items
                .iter()
                .all(|u| u.parent.is_some_and(|p| ctx.doc.units[p].kind == UnitKind::Section)),
            "{doc}: every item sits in a section"
        );
        items.len()
    };
    assert_eq!(count("003_333bffa1260437b2"), 46);
    assert_eq!(count("004_3ff853ae4ec18c33"), 31);
}
