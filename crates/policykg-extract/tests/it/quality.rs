//! Extraction quality against the human gold of the seeds and the dev corpus, scored with the
//! same rules as the reference scorer. The floors are a little under what the rules reach
//! today (micro F1 0.995 on seeds + dev, see README): a change that loses quality fails here.



use crate::common::{extract_dir, project};
use policykg_extract::eval::{load_gold_dir, score, Gold, Report};

fn report(gold_dirs: &[&str], docs: &[&str], only: Option<&[&str]>) -> Report {
    let mut gold = Gold::new();
    for g in gold_dirs {
        let one = load_gold_dir(&project(g)).unwrap();
        for d in one.doc_ids().map(str::to_string).collect::<Vec<_>>() {
            for f in one.facts(&d).unwrap_or(&[]) {
                gold.push(&d, f.clone());
            }
        }
    }
    if let Some(keep) = only {
        gold.restrict(&keep.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    }
    let mut preds = Vec::new();
    let mut sources = std::collections::HashMap::new();
    for dir in docs {
        for ex in extract_dir(&project(dir)) {
            for f in &ex.facts {
                preds.push(serde_json::to_value(f).unwrap());
            }
        }
        let (files, _) = policykg_extract::input::collect_files(&[project(dir)]);
        for f in files {
            let s = policykg_extract::input::read_document(&f).unwrap();
            sources.insert(s.id.0.clone(), s.text);
        }
    }
    score(&gold, &preds, &|d: &str| sources.get(d).cloned())
}

fn rel<'a>(r: &'a Report, name: &str) -> &'a policykg_extract::eval::RelScore {
    &r.per_rel.iter().find(|(n, _)| *n == name).expect("relation").1
}

#[test]
fn responsibility_on_the_work_plans_is_near_perfect() {
    let r = report(
        &["tests/data/gold/seeds"],
        &["seeds"],
        Some(&["003_333bffa1260437b2", "004_3ff853ae4ec18c33"]),
    );
    for name in ["leads", "co_responsible"] {
        let s = rel(&r, name);
        assert!(
            s.p() >= 0.98 && s.r() >= 0.98,
            "{name}: P {:.3} R {:.3}\n{}",
            s.p(),
            s.r(),
            r.to_table()
        );
    }
}

#[test]
fn every_relation_on_seeds_and_dev_corpus() {
    let r = report(
        &["tests/data/gold/seeds", "tests/data/gold/dev"],
        &["seeds", "tests/data/dev"],
        None,
    );
    let table = r.to_table();
    assert!(r.micro.f1() >= 0.985, "micro F1 {:.3}\n{table}", r.micro.f1());
    for (name, s) in &r.per_rel {
        assert!(s.f1() >= 0.94, "{name}: F1 {:.3}\n{table}", s.f1());
    }
    assert_eq!(r.evidence_exact.map(|(ok, n)| ok == n), Some(true), "{table}");
    assert!(r.comparator_acc.unwrap_or(0.0) >= 0.98, "{table}");
}

/// The ids of one half of dev2 (`tests/data/dev2-halves.tsv`: A was written against, B only
/// measured).
fn dev2_half(half: &str) -> Vec<String> {
    let t = std::fs::read_to_string(project("tests/data/dev2-halves.tsv")).unwrap();
    t.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 3 && f[2].trim() == half).then(|| f[0].to_string())
        })
        .collect()
}

fn dev2_floors(half: &str, micro: f64, per_rel: &[(&str, f64)]) {
    let ids = dev2_half(half);
    assert_eq!(ids.len(), 25, "half {half}");
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let r = report(&["tests/data/gold/dev2"], &["tests/data/dev2"], Some(&ids));
    let table = r.to_table();
    assert!(
        r.micro.f1() >= micro,
        "dev2 {half}: micro F1 {:.3}\n{table}",
        r.micro.f1()
    );
    for (name, floor) in per_rel {
        let s = rel(&r, name);
        assert!(
            s.f1() >= *floor,
            "dev2 {half} {name}: F1 {:.3} < {floor}\n{table}",
            s.f1()
        );
    }
    assert_eq!(r.evidence_exact.map(|(ok, n)| ok == n), Some(true), "{table}");
}

/// Half A of dev2: the rules were written against it (2026-12-07: micro F1 1.000).
#[test]
fn dev2_half_a() {
    let all = [
        "leads",
        "co_responsible",
        "targets",
        "cooperates_with",
        "holds_post",
        "issued_by",
    ];
    let per_rel: Vec<(&str, f64)> = all.iter().map(|r| (*r, 0.95)).collect();
    dev2_floors("A", 0.98, &per_rel);
}

/// Half B of dev2: held out, only measured (2026-12-07, session 7: micro F1 0.790; leads
/// 0.706, co_responsible 0.619, targets 0.914, cooperates_with 0.579, holds_post 0.843,
/// issued_by 1.000). The floors guard what generalised; they are not the goal (#13: ≥ 0.90).
#[test]
fn dev2_half_b() {
    dev2_floors(
        "B",
        0.76,
        &[
            ("leads", 0.66),
            ("co_responsible", 0.58),
            ("targets", 0.88),
            ("cooperates_with", 0.54),
            ("holds_post", 0.80),
            ("issued_by", 0.95),
        ],
    );
}

/// Invented task-division documents (`tests/data/new-resp`, 40 documents in layouts and
/// phrasings dev2 half A does not show, five with no facts), written and annotated before the
/// rules were run on them; the rules were then fixed on them, so they are a regression set.
#[test]
fn invented_responsibility_layouts() {
    let r = report(&["tests/data/gold/new-resp"], &["tests/data/new-resp"], None);
    let table = r.to_table();
    for name in ["leads", "co_responsible"] {
        let s = rel(&r, name);
        assert!(s.f1() >= 0.97, "new-resp {name}: F1 {:.3}\n{table}", s.f1());
    }
    assert_eq!(r.evidence_exact.map(|(ok, n)| ok == n), Some(true), "{table}");
}

/// Invented cooperation documents (`tests/data/new-coop`: agreements, pairings, partner tables,
/// and texts that use cooperation words without any cooperation), annotated for
/// `cooperates_with` only before the rules were run on them; a regression set like new-resp.
#[test]
fn invented_cooperation_texts() {
    let r = report(&["tests/data/gold/new-coop"], &["tests/data/new-coop"], None);
    let s = rel(&r, "cooperates_with");
    assert!(
        s.f1() >= 0.95,
        "new-coop cooperates_with: F1 {:.3}\n{}",
        s.f1(),
        r.to_table()
    );
    assert_eq!(r.evidence_exact.map(|(ok, n)| ok == n), Some(true), "{}", r.to_table());
}
