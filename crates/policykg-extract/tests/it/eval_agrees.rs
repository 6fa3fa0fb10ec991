//! Agreement of `policykg_extract::eval` with the reference scorer `shared/eval/score.py`.
//!
//! Each gold directory scored against itself must be perfect, and on perturbed predictions
//! the Rust scorer must print the figures score.py prints. The expected figures were produced
//! by score.py (after `pip install opencc`; OpenCC 1.4.2) run from the repository root; each test
//! names its command. Data: `tests/data/gold/{seeds,dev}` are copies of `shared/seeds/gold` and
//! `shared/corpus/dev`; `seeds/` holds the seed sources; the predictions were made by
//! `tests/data/eval/perturb.py` and `tests/data/eval/fuzz.py` (commands below).

use std::path::{Path, PathBuf};

use policykg_extract::eval::{self, Report};
use serde_json::{json, Value};

fn data(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(rel)
}

fn load_pred(rel: &str) -> Vec<Value> {
    let path = data(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    eval::parse_jsonl(&text, &path.display().to_string()).unwrap()
}

/// score.py's `--src DIR`: the first existing `DIR/doc{.txt,.html,.htm,}`, UTF-8 with an
/// optional BOM (all test sources are UTF-8).
fn sources_in(dir: PathBuf) -> impl Fn(&str) -> Option<String> {
    move |doc| {
        let text = std::fs::read_to_string(eval::find_source(&dir, doc)?).ok()?;
        Some(text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text))
    }
}

fn no_sources(_: &str) -> Option<String> {
    None
}

fn score_gold_against_itself(gold_dir: &str, sources: &dyn Fn(&str) -> Option<String>) -> Report {
    let gold = eval::load_gold_dir(&data(gold_dir)).unwrap();
    let pred: Vec<Value> = gold
        .doc_ids()
        .flat_map(|d| gold.facts(d).unwrap().iter().cloned())
        .collect();
    eval::score(&gold, &pred, sources)
}

fn assert_perfect(r: &Report) {
    for (rel, s) in &r.per_rel {
        assert!(s.gold > 0, "{rel} has no gold");
        assert_eq!((s.p(), s.r(), s.f1()), (1.0, 1.0, 1.0), "{rel}: {s:?}");
    }
    assert_eq!(r.micro.f1(), 1.0);
    assert_eq!(r.comparator_acc, Some(1.0));
    assert!(r.shown.is_empty(), "{:?}", r.shown.first());
}

#[test]
fn seeds_gold_scores_perfectly_against_itself() {
    let r = score_gold_against_itself("tests/data/gold/seeds", &sources_in(data("seeds")));
    assert_perfect(&r);
    assert_eq!(r.micro.gold, 281);
    assert_eq!(r.canonical_acc, Some((1.0, 153)));
    // Every gold evidence span is exact in the seed sources.
    assert_eq!(r.evidence_exact, Some((295, 295)));
}

#[test]
fn dev_gold_scores_perfectly_against_itself() {
    let r = score_gold_against_itself("tests/data/gold/dev", &no_sources);
    assert_perfect(&r);
    assert_eq!(r.micro.gold, 95);
    assert_eq!(r.canonical_acc, Some((1.0, 31)));
    assert_eq!(r.evidence_exact, None);
}

/// Predictions: `python3 tests/data/eval/perturb.py tests/data/gold/dev tests/data/eval/dev_perturbed.jsonl 1`.
/// Expected: `python3 ../shared/eval/score.py --gold tests/data/gold/dev --pred tests/data/eval/dev_perturbed.jsonl --json out.json`.
#[test]
fn perturbed_dev_agrees_with_score_py() {
    let gold = eval::load_gold_dir(&data("tests/data/gold/dev")).unwrap();
    let r = eval::score(&gold, &load_pred("tests/data/eval/dev_perturbed.jsonl"), &no_sources);
    assert_eq!(
        r.to_table(),
        "\
rel               gold  pred    tp      P      R     F1\n\
leads               15    51     9  0.176  0.600  0.273\n\
co_responsible      31    28    24  0.857  0.774  0.814\n\
targets             24    31    13  0.419  0.542  0.473\n\
cooperates_with      4    17     3  0.176  0.750  0.286\n\
holds_post          10     8     6  0.750  0.600  0.667\n\
issued_by           11    20     6  0.300  0.545  0.387\n\
micro               95   155    61  0.394  0.642  0.488\n\
comparator accuracy on matched targets: 0.769\n\
canonical-name accuracy on matched orgs: 1.000 (23)\n"
    );
    assert_eq!(
        r.to_json(),
        json!({
            "leads": {"gold": 15, "pred": 51, "tp": 9, "P": 0.1765, "R": 0.6, "F1": 0.2727},
            "co_responsible": {"gold": 31, "pred": 28, "tp": 24, "P": 0.8571, "R": 0.7742, "F1": 0.8136},
            "targets": {"gold": 24, "pred": 31, "tp": 13, "P": 0.4194, "R": 0.5417, "F1": 0.4727},
            "cooperates_with": {"gold": 4, "pred": 17, "tp": 3, "P": 0.1765, "R": 0.75, "F1": 0.2857},
            "holds_post": {"gold": 10, "pred": 8, "tp": 6, "P": 0.75, "R": 0.6, "F1": 0.6667},
            "issued_by": {"gold": 11, "pred": 20, "tp": 6, "P": 0.3, "R": 0.5455, "F1": 0.3871},
            "micro": {"gold": 95, "pred": 155, "tp": 61, "P": 0.3935, "R": 0.6421, "F1": 0.488},
            "comparator_acc": 0.7692,
            "canonical_acc": 1.0,
        })
    );
}

/// Predictions: `python3 tests/data/eval/perturb.py tests/data/gold/seeds tests/data/eval/seeds_perturbed.jsonl 2`.
/// Expected: `python3 ../shared/eval/score.py --gold tests/data/gold/seeds --pred tests/data/eval/seeds_perturbed.jsonl --src seeds --json out.json`.
#[test]
fn perturbed_seeds_with_sources_agrees_with_score_py() {
    let gold = eval::load_gold_dir(&data("tests/data/gold/seeds")).unwrap();
    let pred = load_pred("tests/data/eval/seeds_perturbed.jsonl");
    let r = eval::score(&gold, &pred, &sources_in(data("seeds")));
    assert_eq!(
        r.to_table(),
        "\
rel               gold  pred    tp      P      R     F1\n\
leads               47    43    30  0.698  0.638  0.667\n\
co_responsible     133    98    89  0.908  0.669  0.771\n\
targets             44    35    22  0.629  0.500  0.557\n\
cooperates_with     36    29    24  0.828  0.667  0.738\n\
holds_post          19    13    12  0.923  0.632  0.750\n\
issued_by            2     5     1  0.200  0.500  0.286\n\
micro              281   223   178  0.798  0.633  0.706\n\
comparator accuracy on matched targets: 0.545\n\
canonical-name accuracy on matched orgs: 0.942 (103)\n\
evidence spans exact: 177/243\n"
    );
    assert_eq!(
        r.to_json(),
        json!({
            "leads": {"gold": 47, "pred": 43, "tp": 30, "P": 0.6977, "R": 0.6383, "F1": 0.6667},
            "co_responsible": {"gold": 133, "pred": 98, "tp": 89, "P": 0.9082, "R": 0.6692, "F1": 0.7706},
            "targets": {"gold": 44, "pred": 35, "tp": 22, "P": 0.6286, "R": 0.5, "F1": 0.557},
            "cooperates_with": {"gold": 36, "pred": 29, "tp": 24, "P": 0.8276, "R": 0.6667, "F1": 0.7385},
            "holds_post": {"gold": 19, "pred": 13, "tp": 12, "P": 0.9231, "R": 0.6316, "F1": 0.75},
            "issued_by": {"gold": 2, "pred": 5, "tp": 1, "P": 0.2, "R": 0.5, "F1": 0.2857},
            "micro": {"gold": 281, "pred": 223, "tp": 178, "P": 0.7982, "R": 0.6335, "F1": 0.7063},
            "comparator_acc": 0.5455,
            "canonical_acc": 0.9417,
            "evidence_exact": 0.7284,
        })
    );
}

/// Odd values throughout (see fuzz.py). Gold keys are sorted, so `--show` lines agree too.
/// Data: `python3 tests/data/eval/fuzz.py tests/data/eval/fuzz 5`.
/// Expected: `python3 ../shared/eval/score.py --gold tests/data/eval/fuzz/gold --pred tests/data/eval/fuzz/pred.jsonl --src tests/data/eval/fuzz/src --show --json tests/data/eval/fuzz/score_py.json > tests/data/eval/fuzz/score_py.txt`.
#[test]
fn fuzzed_values_agree_with_score_py() {
    let gold = eval::load_gold_dir(&data("tests/data/eval/fuzz/gold")).unwrap();
    let pred = load_pred("tests/data/eval/fuzz/pred.jsonl");
    let r = eval::score(&gold, &pred, &sources_in(data("tests/data/eval/fuzz/src")));
    let expected = std::fs::read_to_string(data("tests/data/eval/fuzz/score_py.txt")).unwrap();
    assert_eq!(format!("{}{}", r.to_table(), r.show_lines()), expected);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(data("tests/data/eval/fuzz/score_py.json")).unwrap()).unwrap();
    assert_eq!(r.to_json(), expected);
}
