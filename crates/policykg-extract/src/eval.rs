//! Scores predicted facts (the facts-jsonl format) against gold files, mirroring the
//! reference scorer `shared/eval/score.py` rule for rule so that both print the same figures:
//! the same normalisation of texts ([`norm`]: NFKC, pinyin glosses removed, Traditional →
//! Simplified as OpenCC `t2s` does it, whitespace, `*` and quotes removed) and of item labels
//! ([`norm_label`]); an entity matches when any of its spellings (`text`, `name`, `alt`)
//! agree; collective organisations are neither rewarded nor penalised (gold collectives are
//! dropped, and so are predictions typed `Collective`, whose text starts like a collective, or
//! that match a gold collective); each gold fact takes the first still unused matching
//! prediction in file order (greedy, not an optimal assignment); per-relation and micro
//! precision, recall and F1 follow score.py's conventions for empty sets; comparator accuracy
//! is taken on matched `targets`, canonical-name accuracy on matched organisations that have a
//! gold `name`, and evidence exactness over every predicted fact of a scored document whose
//! source text is available. Facts are plain [`serde_json::Value`]s so the module depends on
//! no other part of the crate. Python's loose typing is mirrored too (`str()` of numbers,
//! truthiness, `float()`/`int()` of strings, slice clamping), except that values which would
//! make score.py crash are treated as absent, and [`parse_jsonl`] reports a bad line as an
//! error where score.py skips it with a warning.

use std::collections::{BTreeMap, HashSet};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

/// Relation names scored, in score.py's `RELS` order (the order of every report).
pub const RELS: [&str; 6] = [
    "leads",
    "co_responsible",
    "targets",
    "cooperates_with",
    "holds_post",
    "issued_by",
];

/// Why gold or prediction files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file or directory could not be read (or is not UTF-8).
    #[error("cannot read {}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A non-blank line is not a JSON object.
    #[error("{origin}:{line}: bad JSON: {message}")]
    BadJson {
        /// Where the text came from (usually a path).
        origin: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
}

/// Gold facts: document id → facts in file order.
///
/// As in score.py, a document exists only if it has at least one fact, so an empty gold file
/// scores nothing (its predictions are ignored).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gold {
    docs: BTreeMap<String, Vec<Value>>,
}

impl Gold {
    /// An empty gold set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one fact to document `doc`, setting its `"doc"` field if it has none.
    pub fn push(&mut self, doc: &str, mut fact: Value) {
        if let Value::Object(m) = &mut fact {
            m.entry("doc").or_insert_with(|| Value::String(doc.to_owned()));
        }
        self.docs.entry(doc.to_owned()).or_default().push(fact);
    }

    /// Document ids, sorted (the order in which documents are scored).
    pub fn doc_ids(&self) -> impl Iterator<Item = &str> {
        self.docs.keys().map(String::as_str)
    }

    /// The facts of one document, in file order.
    pub fn facts(&self, doc: &str) -> Option<&[Value]> {
        self.docs.get(doc).map(Vec::as_slice)
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when no document has gold facts.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Keeps only the listed documents (score.py's `--docs a,b`). Call it only when such a
    /// list was given: an empty list keeps nothing.
    pub fn restrict(&mut self, docs: &[String]) {
        let keep: HashSet<&str> = docs.iter().map(String::as_str).collect();
        self.docs.retain(|d, _| keep.contains(d.as_str()));
    }
}

/// Loads every `*.jsonl` file of `dir` as gold; the document id is the file name without
/// `.jsonl`. Files are read in name order, facts in line order.
///
/// # Errors
/// [`EvalError::Io`] when the directory or a file cannot be read, [`EvalError::BadJson`]
/// for a line that is not a JSON object.
pub fn load_gold_dir(dir: &Path) -> Result<Gold, EvalError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| EvalError::Io { path, source }
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        if let Ok(name) = entry.file_name().into_string() {
            if name.ends_with(".jsonl") {
                names.push(name);
            }
        }
    }
    names.sort();
    let mut gold = Gold::new();
    for name in names {
        let path = dir.join(&name);
        let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
        let doc = &name[..name.len() - ".jsonl".len()];
        for fact in parse_jsonl(&text, &path.display().to_string())? {
            gold.push(doc, fact);
        }
    }
    Ok(gold)
}

/// Parses JSON Lines: one JSON object per line, blank lines skipped. Lines end at `\n`,
/// `\r\n` or `\r` and are trimmed of whitespace, as Python's text-mode reading and
/// `str.strip()` do. `origin` names the text in errors (`origin:line: bad JSON: …`).
///
/// # Errors
/// [`EvalError::BadJson`] for the first non-blank line that is not a JSON object (score.py
/// warns and skips such a line instead).
pub fn parse_jsonl(text: &str, origin: &str) -> Result<Vec<Value>, EvalError> {
    let mut out = Vec::new();
    for (n, line) in universal_lines(text).enumerate() {
        let line = line.trim_matches(is_py_space);
        if line.is_empty() {
            continue;
        }
        let bad = |message: String| EvalError::BadJson {
            origin: origin.to_owned(),
            line: n + 1,
            message,
        };
        match serde_json::from_str::<Value>(line) {
            Ok(v @ Value::Object(_)) => out.push(v),
            Ok(_) => return Err(bad("expected a JSON object".to_owned())),
            Err(e) => return Err(bad(e.to_string())),
        }
    }
    Ok(out)
}

/// Splits at `\r\n`, `\n` or `\r` (Python's universal newlines).
fn universal_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let s = rest?;
        match s.find(['\n', '\r']) {
            Some(i) => {
                let skip = if s[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&s[i + skip..]);
                Some(&s[..i])
            }
            None => {
                rest = None;
                (!s.is_empty()).then_some(s)
            }
        }
    })
}

/// A document's decoded source text, for evidence checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceText<'a> {
    /// Document id.
    pub doc: &'a str,
    /// The text as decoded from the file, before any normalisation.
    pub text: &'a str,
}

/// Turns a list of sources into the lookup [`score`] takes.
pub fn source_lookup<'a>(texts: &'a [SourceText<'a>]) -> impl Fn(&str) -> Option<String> + 'a {
    move |doc| texts.iter().find(|s| s.doc == doc).map(|s| s.text.to_owned())
}

/// The source file score.py's `--src DIR` uses for `doc`: the first of `DIR/doc.txt`,
/// `.html`, `.htm` and `DIR/doc` that exists. (score.py decodes it as UTF-8 with an optional
/// BOM, else as GB18030.)
pub fn find_source(dir: &Path, doc: &str) -> Option<PathBuf> {
    [".txt", ".html", ".htm", ""]
        .iter()
        .map(|ext| dir.join(format!("{doc}{ext}")))
        .find(|p| p.exists())
}

/// Gold, predicted and correct (true positive) counts of one relation, or of all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelScore {
    /// Gold facts scored.
    pub gold: usize,
    /// Predicted facts scored.
    pub pred: usize,
    /// Gold facts matched by a prediction.
    pub tp: usize,
}

impl RelScore {
    /// Precision; with no prediction it is 1 when there is no gold either, else 0.
    pub fn p(&self) -> f64 {
        if self.pred > 0 {
            self.tp as f64 / self.pred as f64
        } else if self.gold == 0 {
            1.0
        } else {
            0.0
        }
    }

    /// Recall; 1 when there is no gold.
    pub fn r(&self) -> f64 {
        if self.gold > 0 {
            self.tp as f64 / self.gold as f64
        } else {
            1.0
        }
    }

    /// F1, the harmonic mean of [`p`](Self::p) and [`r`](Self::r); 0 when both are 0.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    fn add(&mut self, other: &RelScore) {
        self.gold += other.gold;
        self.pred += other.pred;
        self.tp += other.tp;
    }

    fn to_json(self) -> Value {
        serde_json::json!({
            "gold": self.gold, "pred": self.pred, "tp": self.tp,
            "P": py_round4(self.p()), "R": py_round4(self.r()), "F1": py_round4(self.f1()),
        })
    }
}

/// Whether a shown fact is a gold fact nobody found or a prediction that matched no gold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownKind {
    /// An unmatched gold fact (printed `MISS`).
    Miss,
    /// An unmatched prediction (printed `FALSE`).
    False,
}

impl fmt::Display for ShownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShownKind::Miss => "MISS",
            ShownKind::False => "FALSE",
        })
    }
}

/// One miss or false hit, for score.py's `--show` listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// Miss or false hit.
    pub kind: ShownKind,
    /// Document id.
    pub doc: String,
    /// Relation.
    pub rel: String,
    /// The fact as read.
    pub fact: Value,
}

/// The outcome of [`score`].
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Counts per relation, in [`RELS`] order.
    pub per_rel: Vec<(&'static str, RelScore)>,
    /// Sums over all relations.
    pub micro: RelScore,
    /// Share of matched `targets` whose comparator agrees (missing or empty counts as `=`);
    /// `None` when no target matched. Unrounded.
    pub comparator_acc: Option<f64>,
    /// Share of matched `leads`/`co_responsible` facts with a gold `org.name` whose predicted
    /// `org.name` agrees after [`norm`], and how many there were; `None` when there were
    /// none. Unrounded.
    pub canonical_acc: Option<(f64, usize)>,
    /// Exact evidence spans and predicted facts checked, over the scored documents whose
    /// source was available; `None` when `sources` gave no text for any scored document
    /// (score.py without `--src`; with `--src` but no file found, score.py prints `0/0`).
    pub evidence_exact: Option<(usize, usize)>,
    /// Misses and false hits, document by document, relation by relation, misses in gold
    /// order followed by false hits in prediction order.
    pub shown: Vec<Shown>,
}

impl Report {
    /// The table score.py prints: header, one row per relation, micro row, then the
    /// comparator, canonical-name and evidence lines when they apply.
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "{:<16} {:>5} {:>5} {:>5} {:>6} {:>6} {:>6}\n",
            "rel", "gold", "pred", "tp", "P", "R", "F1"
        );
        let rows = self.per_rel.iter().map(|(rel, s)| (*rel, s));
        for (name, s) in rows.chain(std::iter::once(("micro", &self.micro))) {
            // Writing to a String cannot fail.
            let _ = writeln!(
                out,
                "{:<16} {:>5} {:>5} {:>5} {:>6.3} {:>6.3} {:>6.3}",
                name,
                s.gold,
                s.pred,
                s.tp,
                s.p(),
                s.r(),
                s.f1()
            );
        }
        if let Some(acc) = self.comparator_acc {
            let _ = writeln!(out, "comparator accuracy on matched targets: {:.3}", py_round4(acc));
        }
        if let Some((acc, n)) = self.canonical_acc {
            let _ = writeln!(
                out,
                "canonical-name accuracy on matched orgs: {:.3} ({n})",
                py_round4(acc)
            );
        }
        if let Some((ok, n)) = self.evidence_exact {
            let _ = writeln!(out, "evidence spans exact: {ok}/{n}");
        }
        out
    }

    /// The object score.py writes with `--json`: one entry per relation and `micro` (`gold`,
    /// `pred`, `tp`, `P`, `R`, `F1`), then `comparator_acc`, `canonical_acc` and
    /// `evidence_exact` when they apply, ratios rounded to 4 places as Python's `round` does.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (rel, s) in &self.per_rel {
            m.insert((*rel).to_owned(), s.to_json());
        }
        m.insert("micro".to_owned(), self.micro.to_json());
        if let Some(acc) = self.comparator_acc {
            m.insert("comparator_acc".to_owned(), py_round4(acc).into());
        }
        if let Some((acc, _)) = self.canonical_acc {
            m.insert("canonical_acc".to_owned(), py_round4(acc).into());
        }
        if let Some((ok, n)) = self.evidence_exact {
            let v = if n > 0 {
                py_round4(ok as f64 / n as f64).into()
            } else {
                Value::Null
            };
            m.insert("evidence_exact".to_owned(), v);
        }
        Value::Object(m)
    }

    /// score.py's `--show` listing, one line per miss or false hit:
    /// `MISS doc rel {fact}` with the fact as Python's `json.dumps` writes it, without
    /// `evidence` and `doc`, cut to 300 characters. (Keys come in `serde_json`'s map order,
    /// which is sorted unless its `preserve_order` feature is on; score.py keeps file order.)
    pub fn show_lines(&self) -> String {
        let mut out = String::new();
        for s in &self.shown {
            let mut brief = s.fact.clone();
            if let Value::Object(m) = &mut brief {
                m.remove("evidence");
                m.remove("doc");
            }
            let mut json = String::new();
            py_json(&brief, &mut json);
            let json: String = json.chars().take(300).collect();
            let _ = writeln!(out, "{} {} {} {}", s.kind, s.doc, s.rel, json);
        }
        out
    }
}

impl Report {
    /// The misses and false hits grouped for reading error classes quickly (`eval --classes`):
    /// relation by relation, one short line per fact (`[task] org`, `value unit «text»`,
    /// `a ↔ b (verb)`, `person | post | org`, `org | number | date`), a miss and a false hit of
    /// the same document that share their key (same task, same person, same partner) paired as
    /// `WRONG gold → predicted` (a right find with a wrong field), then the plain misses and
    /// false hits, and per relation a count of each kind.
    pub fn classes(&self) -> String {
        let mut out = String::new();
        for rel in RELS {
            let misses: Vec<&Shown> = self
                .shown
                .iter()
                .filter(|s| s.rel == *rel && s.kind == ShownKind::Miss)
                .collect();
            let falses: Vec<&Shown> = self
                .shown
                .iter()
                .filter(|s| s.rel == *rel && s.kind == ShownKind::False)
                .collect();
            if misses.is_empty() && falses.is_empty() {
                continue;
            }
            let mut paired_false = vec![false; falses.len()];
            let mut wrong = Vec::new();
            let mut plain_miss = Vec::new();
            for m in &misses {
                let key = class_key(rel, &m.fact);
                let hit = (0..falses.len()).find(|&i| {
                    !paired_false[i]
                        && falses[i].doc == m.doc
                        && key.is_some()
                        && class_key(rel, &falses[i].fact) == key
                });
                match hit {
                    Some(i) => {
                        paired_false[i] = true;
                        wrong.push((m, falses[i]));
                    }
                    None => plain_miss.push(m),
                }
            }
            let plain_false: Vec<&&Shown> = falses
                .iter()
                .zip(&paired_false)
                .filter(|(_, p)| !**p)
                .map(|(f, _)| f)
                .collect();
            let _ = writeln!(
                out,
                "== {rel}: {} wrong field, {} missed, {} false",
                wrong.len(),
                plain_miss.len(),
                plain_false.len()
            );
            for (m, f) in &wrong {
                let _ = writeln!(
                    out,
                    "  WRONG {:<8} {}  →  {}",
                    m.doc,
                    brief(rel, &m.fact),
                    brief(rel, &f.fact)
                );
            }
            for m in &plain_miss {
                let _ = writeln!(out, "  MISS  {:<8} {}", m.doc, brief(rel, &m.fact));
            }
            for f in &plain_false {
                let ev = f
                    .fact
                    .get("evidence")
                    .and_then(|e| e.get("text"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let ev: String = ev.chars().take(60).collect();
                let _ = writeln!(out, "  FALSE {:<8} {}  «{}»", f.doc, brief(rel, &f.fact), ev);
            }
        }
        out
    }
}

/// What a miss and a false hit must share to be shown as one wrong find.
fn class_key(rel: &str, f: &Value) -> Option<String> {
    let task = || {
        let t = f.get("task")?;
        let label = t.get("label").filter(|v| truthy(v)).map(|l| norm_label(&py_str(l)));
        label.or_else(|| t.get("anchor").filter(|v| truthy(v)).map(|a| norm(&py_str(a))))
    };
    match rel {
        "leads" | "co_responsible" | "targets" => task().map(|t| format!("task:{t}")),
        "holds_post" => field(f.get("person"), "text").map(|p| norm(&py_str(p))),
        "cooperates_with" => field(f.get("b"), "text").map(|b| norm(&py_str(b))),
        "issued_by" => Some(String::new()),
        _ => None,
    }
}

/// One short rendering of a fact for [`Report::classes`].
fn brief(rel: &str, f: &Value) -> String {
    let s = |v: Option<&Value>| v.filter(|v| truthy(v)).map(py_str).unwrap_or_else(|| "-".into());
    let ent = |k: &str| s(field(f.get(k), "text"));
    let task = || {
        let t = f.get("task");
        let label = field(t, "label").filter(|v| truthy(v)).map(py_str);
        label.unwrap_or_else(|| {
            let text = s(field(t, "anchor").filter(|v| truthy(v)).or_else(|| field(t, "text")));
            text.chars().take(12).collect()
        })
    };
    match rel {
        "leads" | "co_responsible" => format!("[{}] {} ({})", task(), ent("org"), s(field(f.get("org"), "type"))),
        "targets" => {
            let i = f.get("indicator");
            format!(
                "[{}] {} {} {} «{}»",
                task(),
                s(field(i, "comparator")),
                s(field(i, "value")),
                s(field(i, "unit")),
                s(field(i, "text"))
            )
        }
        "cooperates_with" => format!("{} ↔ {} ({})", ent("a"), ent("b"), s(f.get("verb"))),
        "holds_post" => format!("{} | {} | {}", ent("person"), ent("post"), ent("org")),
        "issued_by" => format!("{} | {} | {}", ent("org"), s(f.get("number")), s(f.get("date"))),
        _ => String::new(),
    }
}

/// Scores predictions against gold as score.py does. Only documents present in `gold` are
/// scored; predictions for other documents are ignored. `sources(doc)` gives a document's
/// source text as decoded from its file (score.py: UTF-8 without BOM, else GB18030), or
/// `None`; it is asked once per scored document and enables the evidence check.
pub fn score(gold: &Gold, pred: &[Value], sources: &dyn Fn(&str) -> Option<String>) -> Report {
    let mut preds: BTreeMap<&str, Vec<&Value>> = gold.docs.keys().map(|d| (d.as_str(), Vec::new())).collect();
    for p in pred {
        if let Some(Value::String(doc)) = p.get("doc") {
            if let Some(list) = preds.get_mut(doc.as_str()) {
                list.push(p);
            }
        }
    }

    let mut stats = [RelScore::default(); RELS.len()];
    let (mut comparator_ok, mut comparator_n, mut canon_ok, mut canon_n) = (0, 0, 0, 0);
    let mut shown = Vec::new();
    for (doc, golds) in &gold.docs {
        let doc_preds = preds.get(doc.as_str()).map(Vec::as_slice).unwrap_or_default();
        for (rel, stat) in RELS.iter().zip(stats.iter_mut()) {
            let of_rel = |f: &&Value| is_str(f.get("rel"), rel);
            let mut gs: Vec<&Value> = golds.iter().filter(of_rel).collect();
            let mut ps: Vec<&Value> = doc_preds.iter().copied().filter(of_rel).collect();
            let responsibility = matches!(*rel, "leads" | "co_responsible");
            if responsibility {
                let coll: Vec<&Value> = golds
                    .iter()
                    .filter(|g| {
                        (is_str(g.get("rel"), "leads") || is_str(g.get("rel"), "co_responsible"))
                            && is_collective(g.get("org"))
                    })
                    .collect();
                gs.retain(|g| !is_collective(g.get("org")));
                ps.retain(|p| {
                    !is_collective(p.get("org"))
                        && !coll
                            .iter()
                            .any(|c| task_match(c, p) && intersects(&texts(c.get("org")), &texts(p.get("org"))))
                });
            }
            let mut used = vec![false; ps.len()];
            let mut tp = 0;
            for g in &gs {
                let hit = (0..ps.len()).find(|&i| !used[i] && matches(rel, g, ps[i]));
                let Some(i) = hit else {
                    shown.push(shown_fact(ShownKind::Miss, doc, rel, g));
                    continue;
                };
                used[i] = true;
                tp += 1;
                let p = ps[i];
                if *rel == "targets" {
                    comparator_n += 1;
                    let comparator = |f: &Value| {
                        let c = f.get("indicator").and_then(|i| i.get("comparator"));
                        c.filter(|c| truthy(c)).cloned().unwrap_or_else(|| "=".into())
                    };
                    if py_eq(&comparator(g), &comparator(p)) {
                        comparator_ok += 1;
                    }
                }
                let gold_name = g.get("org").and_then(|o| o.get("name"));
                if responsibility && gold_name.is_some_and(truthy) {
                    canon_n += 1;
                    let pred_name = p.get("org").and_then(|o| o.get("name"));
                    if norm_opt(gold_name) == norm_opt(pred_name) {
                        canon_ok += 1;
                    }
                }
            }
            for (p, _) in ps.iter().zip(&used).filter(|(_, u)| !**u) {
                shown.push(shown_fact(ShownKind::False, doc, rel, p));
            }
            stat.add(&RelScore {
                gold: gs.len(),
                pred: ps.len(),
                tp,
            });
        }
    }

    let mut micro = RelScore::default();
    for s in &stats {
        micro.add(s);
    }
    Report {
        per_rel: RELS.iter().copied().zip(stats).collect(),
        micro,
        comparator_acc: (comparator_n > 0).then(|| comparator_ok as f64 / comparator_n as f64),
        canonical_acc: (canon_n > 0).then(|| (canon_ok as f64 / canon_n as f64, canon_n)),
        evidence_exact: evidence_counts(&preds, sources),
        shown,
    }
}

/// Exact evidence spans and facts checked over the documents whose source is available.
fn evidence_counts(
    preds: &BTreeMap<&str, Vec<&Value>>,
    sources: &dyn Fn(&str) -> Option<String>,
) -> Option<(usize, usize)> {
    let mut counts: Option<(usize, usize)> = None;
    for (doc, ps) in preds {
        let Some(src) = sources(doc) else { continue };
        let (ok, n) = counts.get_or_insert((0, 0));
        let bounds: Vec<usize> = src
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(src.len()))
            .collect();
        for p in ps {
            *n += 1;
            if evidence_exact(&src, &bounds, p) {
                *ok += 1;
            }
        }
    }
    counts
}

fn shown_fact(kind: ShownKind, doc: &str, rel: &str, fact: &Value) -> Shown {
    Shown {
        kind,
        doc: doc.to_owned(),
        rel: rel.to_owned(),
        fact: fact.clone(),
    }
}

/// `src[int(ev["start"]):int(ev["end"])] == ev["text"]` with Python's slice semantics;
/// any missing or ill-typed part makes it false.
fn evidence_exact(src: &str, bounds: &[usize], p: &Value) -> bool {
    let Some(ev @ Value::Object(_)) = p.get("evidence") else {
        return false;
    };
    let (Some(start), Some(end)) = (ev.get("start").and_then(py_int), ev.get("end").and_then(py_int)) else {
        return false;
    };
    let Some(Value::String(text)) = ev.get("text") else {
        return false;
    };
    let len = bounds.len() as i128 - 1;
    let clamp = |i: i128| {
        if i < 0 {
            (i + len).max(0)
        } else {
            i.min(len)
        }
    };
    let (s, e) = (clamp(start), clamp(end));
    if e <= s {
        return text.is_empty();
    }
    // s and e lie in 0..=len, so they index `bounds`.
    src[bounds[s as usize]..bounds[e as usize]] == **text
}

// ---------------------------------------------------------------------------------------
// Matching (score.py's task_match, match, texts, is_collective)
// ---------------------------------------------------------------------------------------

/// Normalised spellings of an entity; `None` stands for Python's `None` (a null `alt` item).
type Spellings = HashSet<Option<String>>;

/// The acceptable normalised spellings of an entity: `text`, `name` and every `alt`.
fn texts(ent: Option<&Value>) -> Spellings {
    let mut out = Spellings::new();
    let Some(Value::Object(m)) = ent else {
        return out;
    };
    for k in ["text", "name"] {
        if let Some(v) = m.get(k).filter(|v| truthy(v)) {
            out.insert(norm_opt(Some(v)));
        }
    }
    match m.get("alt") {
        Some(Value::Array(items)) => out.extend(items.iter().map(|a| norm_opt(Some(a)))),
        // Python iterates a string by characters and a dict by keys.
        Some(Value::String(s)) => {
            out.extend(s.chars().map(|c| Some(norm(c.encode_utf8(&mut [0; 4])))));
        }
        Some(Value::Object(o)) => out.extend(o.keys().map(|k| Some(norm(k)))),
        _ => {}
    }
    out
}

/// `(v or {}).get(key)`, a non-object counting as empty.
fn field<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    v.and_then(|v| v.get(key))
}

fn intersects(a: &Spellings, b: &Spellings) -> bool {
    !a.is_disjoint(b)
}

fn is_collective(ent: Option<&Value>) -> bool {
    let Some(Value::Object(m)) = ent else {
        return false;
    };
    if is_str(m.get("type"), "Collective") {
        return true;
    }
    collective_prefix(&norm(&str_or_empty(m.get("text"))))
}

/// `^(市|区|县)?(各|有关|相关|其他|全市|全区|市直|区直)`, with the regex's backtracking.
fn collective_prefix(t: &str) -> bool {
    const HEADS: [&str; 8] = ["各", "有关", "相关", "其他", "全市", "全区", "市直", "区直"];
    let head = |s: &str| HEADS.iter().any(|h| s.starts_with(h));
    let after_place = ["市", "区", "县"].iter().find_map(|p| t.strip_prefix(p));
    after_place.is_some_and(head) || head(t)
}

fn task_match(g: &Value, p: &Value) -> bool {
    let (gt, pt) = (g.get("task"), p.get("task"));
    let gl = norm_label_opt(field(gt, "label"));
    if let Some(gl) = gl.filter(|l| !l.is_empty()) {
        return norm_label_opt(field(pt, "label")).as_deref() == Some(gl.as_str());
    }
    let anchor = norm(&str_or_empty(field(gt, "anchor")));
    !anchor.is_empty() && norm(&str_or_empty(field(pt, "text"))).contains(&anchor)
}

fn num_eq(a: Option<&Value>, b: Option<&Value>) -> bool {
    let (Some(a), Some(b)) = (a.and_then(py_float), b.and_then(py_float)) else {
        return false;
    };
    // Python's max(1.0, abs(a), abs(b)): keeps the earlier value unless a later one is greater.
    let mut scale = 1.0;
    for x in [a.abs(), b.abs()] {
        if x > scale {
            scale = x;
        }
    }
    (a - b).abs() <= 1e-6 * scale
}

fn matches(rel: &str, g: &Value, p: &Value) -> bool {
    let org_overlap = || intersects(&texts(g.get("org")), &texts(p.get("org")));
    match rel {
        "leads" | "co_responsible" => task_match(g, p) && org_overlap(),
        "targets" => {
            let (gi, pi) = (g.get("indicator"), p.get("indicator"));
            task_match(g, p)
                && num_eq(field(gi, "value"), field(pi, "value"))
                && norm(&str_or_empty(field(gi, "unit"))) == norm(&str_or_empty(field(pi, "unit")))
        }
        "cooperates_with" => {
            let mut pset = texts(p.get("a"));
            pset.extend(texts(p.get("b")));
            if !intersects(&texts(g.get("b")), &pset) {
                return false;
            }
            let ga_text = g.get("a").and_then(|a| a.get("text"));
            let implicit = !ga_text.is_some_and(truthy) || is_str(ga_text, "@self");
            implicit || intersects(&texts(g.get("a")), &pset)
        }
        "holds_post" => {
            let text = |f: &Value, e: &str| norm_opt(field(f.get(e), "text"));
            text(g, "person") == text(p, "person")
                && texts(g.get("post")).contains(&text(p, "post"))
                && (!g.get("org").is_some_and(truthy) || org_overlap())
        }
        "issued_by" => org_overlap(),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Normalisation (score.py's norm and norm_label)
// ---------------------------------------------------------------------------------------

/// score.py's `norm`: NFKC, pinyin glosses such as `(chuàng)` removed, Traditional →
/// Simplified (OpenCC `t2s`), then whitespace, `*` and the quotes `“”"'‘’` removed.
pub fn norm(s: &str) -> String {
    let s: String = s.nfkc().collect();
    let s = t2s(&strip_pinyin(&s));
    s.chars()
        .filter(|&c| !is_py_space(c) && !matches!(c, '*' | '“' | '”' | '"' | '\'' | '‘' | '’'))
        .collect()
}

/// score.py's `norm_label`: circled numbers ①–⑳ to digits, NFKC, whitespace and the
/// punctuation `()（）.、．:：` removed, Traditional → Simplified. `(三)` and `三、` give `三`.
pub fn norm_label(s: &str) -> String {
    let circled: String = s
        .chars()
        .map(|c| match c {
            '①'..='⑳' => (c as u32 - '①' as u32 + 1).to_string(),
            _ => c.to_string(),
        })
        .collect();
    let stripped: String = circled
        .nfkc()
        .filter(|&c| !is_py_space(c) && !matches!(c, '(' | ')' | '（' | '）' | '.' | '、' | '．' | ':' | '：'))
        .collect();
    t2s(&stripped)
}

fn norm_opt(v: Option<&Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => None,
        Some(v) => Some(norm(&py_str(v))),
    }
}

fn norm_label_opt(v: Option<&Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => None,
        Some(v) => Some(norm_label(&py_str(v))),
    }
}

/// Removes `\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+)\)`.
fn strip_pinyin(s: &str) -> String {
    const TONED: &str = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü";
    let is_pinyin = |c: char| c.is_ascii_lowercase() || TONED.contains(c);
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('(') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let run = after.find(|c: char| !is_pinyin(c)).unwrap_or(after.len());
        if run > 0 && after[run..].starts_with(')') {
            rest = &after[run + 1..];
        } else {
            out.push('(');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Conversions OpenCC's `t2s` makes that zhconv's OpenCC tables leave out: zhconv skips the
/// characters whose candidate list includes the character itself (乾 → 干 乾), where OpenCC
/// takes the first candidate; the phrases that keep such a character (魏徵) must then be
/// restored. Checked against Python OpenCC 1.4.2 on every entry of its TSCharacters and
/// TSPhrases and on 20,000 random mixtures of them: identical output except for the 895 rare
/// characters of its `TSCharactersExt` table (newer OpenCC only), which are left unconverted.
const T2S_EXTRA: &str = "谿:溪 扞:捍 昇:升 釐:厘 麽:么 陞:升 薹:苔 脩:修 蒐:搜 袷:夹 祕:秘 於:于 \
                         氾:泛 剋:克 劄:札 徵:征 夥:伙 吒:咤 乾:干 束脩:束脩 梁昇卿:梁昇卿 魏徵:魏徵";

/// Traditional → Simplified as OpenCC `t2s` converts it.
fn t2s(s: &str) -> String {
    static CONVERTER: OnceLock<zhconv::ZhConverter> = OnceLock::new();
    CONVERTER
        .get_or_init(|| {
            zhconv::ZhConverterBuilder::new()
                .target(zhconv::Variant::ZhHans)
                .table(zhconv::tables::ZH_HANS_TABLE)
                .conv_pairs(T2S_EXTRA.split_whitespace().filter_map(|p| p.split_once(':')))
                .build()
        })
        .convert(s)
}

// ---------------------------------------------------------------------------------------
// Python semantics for JSON values
// ---------------------------------------------------------------------------------------

/// Python's `str.isspace`: Unicode White_Space plus the separators U+001C–U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn is_str(v: Option<&Value>, s: &str) -> bool {
    matches!(v, Some(Value::String(x)) if x == s)
}

/// Python truthiness.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// `str(v or "")`.
fn str_or_empty(v: Option<&Value>) -> String {
    v.filter(|v| truthy(v)).map(py_str).unwrap_or_default()
}

/// Python's `==` on JSON-like values (`1 == 1.0 == True`).
fn py_eq(a: &Value, b: &Value) -> bool {
    let num = |v: &Value| match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Number(n) => n.as_f64(),
        _ => None,
    };
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| py_eq(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        _ => matches!((num(a), num(b)), (Some(x), Some(y)) if x == y),
    }
}

/// Python's `str()` of a JSON value (`3100`, `3100.0`, `True`, `None`, lists and dicts as
/// their repr).
fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        _ => py_repr(v),
    }
}

/// Python's `repr()` of a JSON value; string escapes are simplified to control characters.
fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => py_number(n),
        Value::String(s) => {
            let quote = if s.contains('\'') && !s.contains('"') {
                '"'
            } else {
                '\''
            };
            let mut out = String::from(quote);
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => {
                        let _ = write!(out, "\\x{:02x}", c as u32);
                    }
                    c => out.push(c),
                }
            }
            out.push(quote);
            out
        }
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => {
            let items: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("{}: {}", py_repr(&Value::String(k.clone())), py_repr(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

fn py_number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(x) if !(n.is_i64() || n.is_u64()) => py_float_repr(x),
        _ => n.to_string(),
    }
}

/// Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16.
fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let decpt = exp.parse::<i32>().unwrap_or(0) + 1;
    let sign = if x < 0.0 { "-" } else { "" };
    let n = digits.len() as i32;
    if decpt > -4 && decpt <= 16 {
        if decpt <= 0 {
            format!("{sign}0.{}{digits}", "0".repeat((-decpt) as usize))
        } else if decpt >= n {
            format!("{sign}{digits}{}.0", "0".repeat((decpt - n) as usize))
        } else {
            let (int, frac) = digits.split_at(decpt as usize);
            format!("{sign}{int}.{frac}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let e = decpt - 1;
        format!("{sign}{first}{frac}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
    }
}

/// Python's `round(x, 4)` (correctly rounded, ties to even on the exact binary value, which
/// is what Rust's formatting does too).
fn py_round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

/// Python's `json.dumps(v, ensure_ascii=False)`.
fn py_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&py_number(n)),
        Value::String(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    c if (c as u32) < 0x20 => {
                        let _ = write!(out, "\\u{:04x}", c as u32);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                py_json(x, out);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                py_json(&Value::String(k.clone()), out);
                out.push_str(": ");
                py_json(x, out);
            }
            out.push('}');
        }
    }
}

/// First code points of the Unicode decimal-digit runs (category Nd, Unicode 14 as in
/// Python 3.11), which Python's `int()` and `float()` accept like ASCII digits.
const DIGIT_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0,
    0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
    0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0,
    0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60,
    0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// A numeric string as Python's `int()`/`float()` see it: trimmed, Unicode digits made
/// ASCII, underscores between digits removed; `None` if an underscore is misplaced.
fn py_numeric_text(s: &str) -> Option<String> {
    let chars: Vec<char> = s
        .trim_matches(is_py_space)
        .chars()
        .map(|c| {
            let u = c as u32;
            match DIGIT_ZEROS.iter().find(|&&z| (z..z + 10).contains(&u)) {
                Some(&z) => char::from(b'0' + (u - z) as u8),
                None => c,
            }
        })
        .collect();
    let mut out = String::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            let digit_at = |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(char::is_ascii_digit);
            if !(digit_at(i.checked_sub(1)) && digit_at(Some(i + 1))) {
                return None;
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Python's `float(v)`, `None` where it raises.
fn py_float(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::String(s) => py_numeric_text(s)?.parse().ok(),
        _ => None,
    }
}

/// Python's `int(v)`, `None` where it raises (saturating beyond ±2¹²⁷, which slicing clamps
/// anyway).
fn py_int(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Some(i128::from(i)),
            (_, Some(u), _) => Some(i128::from(u)),
            (_, _, Some(f)) if f.is_finite() => Some(f.trunc() as i128),
            _ => None,
        },
        Value::Bool(b) => Some(i128::from(*b)),
        Value::String(s) => {
            let t = py_numeric_text(s)?;
            let (neg, digits) = match t.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, t.strip_prefix('+').unwrap_or(&t)),
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let magnitude = digits.parse::<i128>().unwrap_or(i128::MAX);
            Some(if neg { -magnitude } else { magnitude })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn gold_of(facts: &[Value]) -> Gold {
        let mut g = Gold::new();
        for f in facts {
            g.push(f["doc"].as_str().unwrap_or("d"), f.clone());
        }
        g
    }

    fn no_src(_: &str) -> Option<String> {
        None
    }

    fn run(gold: &[Value], pred: &[Value]) -> Report {
        score(&gold_of(gold), pred, &no_src)
    }

    fn rel(r: &Report, name: &str) -> RelScore {
        r.per_rel.iter().find(|(n, _)| *n == name).unwrap().1
    }

    fn counts(s: RelScore) -> (usize, usize, usize) {
        (s.gold, s.pred, s.tp)
    }

    fn leads(label: Value, org: Value) -> Value {
        json!({"doc": "d", "rel": "leads", "task": {"label": label, "text": "任务"}, "org": org})
    }

    #[test]
    fn norm_follows_score_py() {
        assert_eq!(norm("市 發改委"), "市发改委");
        assert_eq!(norm("創(chuàng)新"), "创新");
        assert_eq!(norm("質(zhì)量"), "质量");
        assert_eq!(norm("“市发改委”*'‘’\""), "市发改委");
        assert_eq!(norm("ＡＢＣ\u{3000}局"), "ABC局");
        assert_eq!(norm("a\u{1c}b"), "ab"); // Python's isspace includes U+001C..U+001F
        assert_eq!(norm("(ABC)"), "(ABC)"); // only lowercase / toned pinyin is a gloss
        assert_eq!(norm("((abc)"), "(");
        assert_eq!(norm("（shì）"), ""); // full-width parentheses become ASCII under NFKC first
    }

    #[test]
    fn t2s_matches_opencc() {
        // OpenCC t2s takes the first candidate of 乾 → 干 乾, 於 → 于 於, … (zhconv's
        // tables alone leave them) but keeps the phrases that need the old form.
        assert_eq!(norm("關於"), "关于");
        assert_eq!(norm("乾淨"), "干净");
        assert_eq!(norm("乾隆"), "乾隆");
        assert_eq!(norm("魏徵"), "魏徵");
        assert_eq!(norm("徵收"), "征收");
        assert_eq!(norm("市政府辦公室牽頭"), "市政府办公室牵头");
    }

    #[test]
    fn norm_label_follows_score_py() {
        assert_eq!(norm_label("（三）"), "三");
        assert_eq!(norm_label("三、"), "三");
        assert_eq!(norm_label("17."), "17");
        assert_eq!(norm_label("①"), "1");
        assert_eq!(norm_label("⑳"), "20");
        assert_eq!(norm_label("⑴"), "1");
        assert_eq!(norm_label("１："), "1");
        assert_eq!(norm_label(" 貳 "), "贰");
        // Labels lose their brackets but keep pinyin letters.
        assert_eq!(norm_label("三(sān)"), "三sān");
    }

    #[test]
    fn task_matches_by_label() {
        let g = [leads(json!("三"), json!({"text": "市发改委"}))];
        let r = run(&g, &[leads(json!("（三）"), json!({"text": "市发改委"}))]);
        assert_eq!(counts(rel(&r, "leads")), (1, 1, 1));
        // A numeric label is compared as Python's str() of it.
        let g = [leads(json!(7), json!({"text": "市发改委"}))];
        let r = run(&g, &[leads(json!("7."), json!({"text": "市发改委"}))]);
        assert_eq!(counts(rel(&r, "leads")), (1, 1, 1));
        let r = run(&g, &[leads(json!("8"), json!({"text": "市发改委"}))]);
        assert_eq!(counts(rel(&r, "leads")), (1, 1, 0));
    }

    #[test]
    fn pinyin_in_label_is_not_removed_but_in_text_it_is() {
        let g = [leads(json!("三"), json!({"text": "市发改委"}))];
        let r = run(&g, &[leads(json!("三(sān)"), json!({"text": "市发改委"}))]);
        assert_eq!(rel(&r, "leads").tp, 0);
        let r = run(&g, &[leads(json!("三"), json!({"text": "市发(fā)改委"}))]);
        assert_eq!(rel(&r, "leads").tp, 1);
    }

    #[test]
    fn task_matches_by_anchor() {
        let g = [json!({"doc": "d", "rel": "co_responsible",
            "task": {"label": null, "anchor": "全面实施行政许可"}, "org": {"text": "市政府办公室"}})];
        let hit = json!({"doc": "d", "rel": "co_responsible",
            "task": {"label": "1", "text": "一是全面實施行政許可事項清單管理"}, "org": {"text": "市政府辦公室"}});
        let miss = json!({"doc": "d", "rel": "co_responsible",
            "task": {"text": "全面实施清单管理"}, "org": {"text": "市政府办公室"}});
        let r = run(&g, &[miss, hit]);
        assert_eq!(counts(rel(&r, "co_responsible")), (1, 2, 1));
        // An empty label falls back to the anchor; an empty anchor never matches.
        let g = [json!({"doc": "d", "rel": "leads", "task": {"label": "", "anchor": ""}, "org": {"text": "A"}})];
        let p = json!({"doc": "d", "rel": "leads", "task": {"label": "", "text": "x"}, "org": {"text": "A"}});
        assert_eq!(run(&g, &[p]).micro.tp, 0);
    }

    #[test]
    fn org_matches_by_alt_or_name() {
        let g = [leads(json!("1"), json!({"text": "筑梦新区管委会", "alt": ["管委会"]}))];
        let r = run(&g, &[leads(json!("1"), json!({"text": "管委会"}))]);
        assert_eq!(rel(&r, "leads").tp, 1);
        let g = [leads(
            json!("1"),
            json!({"text": "市发改委", "name": "无为市发展和改革委员会"}),
        )];
        let r = run(&g, &[leads(json!("1"), json!({"text": "无为市发展和改革委员会"}))]);
        assert_eq!(rel(&r, "leads").tp, 1);
        // The prediction's alt counts too.
        let r = run(&g, &[leads(json!("1"), json!({"text": "发改委", "alt": ["市发改委"]}))]);
        assert_eq!(rel(&r, "leads").tp, 1);
        let r = run(&g, &[leads(json!("1"), json!({"text": "发改委"}))]);
        assert_eq!(rel(&r, "leads").tp, 0);
    }

    #[test]
    fn collectives_are_neither_rewarded_nor_penalised() {
        let co = |label: &str, org: Value| json!({"doc": "d", "rel": "co_responsible", "task": {"label": label}, "org": org});
        let g = [
            leads(json!("1"), json!({"text": "市发改委"})),
            co("1", json!({"text": "市各有关单位", "type": "Collective"})),
            co("1", json!({"text": "成员单位", "type": "Collective"})),
        ];
        let p = [
            leads(json!("1"), json!({"text": "市发改委"})),
            co("1", json!({"text": "市各有关单位", "type": "Department"})), // collective by its text
            co("2", json!({"text": "市直各部门"})),                         // 市 + 直… backtracks to 市直
            co("3", json!({"text": "某些单位", "type": "Collective"})),     // typed Collective
            co("1", json!({"text": "成员单位", "type": "Department"})),     // matches a gold collective
            co("2", json!({"text": "成员单位"})),                           // same org, other task: false
        ];
        let r = run(&g, &p);
        assert_eq!(counts(rel(&r, "leads")), (1, 1, 1));
        assert_eq!(counts(rel(&r, "co_responsible")), (0, 1, 0));
        assert_eq!(r.shown.len(), 1);
        assert_eq!(r.shown[0].kind, ShownKind::False);
        assert!(collective_prefix("区直单位") && collective_prefix("全市") && collective_prefix("县相关部门"));
        assert!(!collective_prefix("市发改委") && !collective_prefix("各"[..0].as_ref()));
    }

    #[test]
    fn targets_match_on_task_value_and_unit() {
        let t = |value: Value, unit: &str, comparator: Value| {
            json!({"doc": "d", "rel": "targets", "task": {"label": "16"},
                   "indicator": {"value": value, "unit": unit, "comparator": comparator}})
        };
        let g = [
            t(json!(3100), "个", json!("=")),
            t(json!(6.2), "%", json!("~")),
            t(json!(159), "亿元", json!(">=")),
            t(json!(10), "人", json!(">=")),
        ];
        let p = [
            t(json!("3_100"), "個", Value::Null), // string value, Traditional unit, no comparator
            t(json!(6.2000001), "%", json!("~")), // within 1e-6 relative
            t(json!(159), "元", json!(">=")),     // unit differs
            t(json!(11), "人", json!(">=")),      // value differs
        ];
        let r = run(&g, &p);
        assert_eq!(counts(rel(&r, "targets")), (4, 4, 2));
        assert_eq!(r.comparator_acc, Some(1.0));
        let r = run(&g[..1], &[t(json!(3100.0), "个", json!(">="))]);
        assert_eq!(r.comparator_acc, Some(0.0));
        assert!(num_eq(Some(&json!("３１００")), Some(&json!(3100))));
        assert!(!num_eq(Some(&json!("_3100")), Some(&json!(3100))));
        assert!(!num_eq(Some(&json!("inf")), Some(&json!("inf"))));
        assert!(!num_eq(None, Some(&json!(0))));
    }

    #[test]
    fn cooperates_with_self_and_symmetry() {
        let c = |a: Value, b: Value| json!({"doc": "d", "rel": "cooperates_with", "a": a, "b": b});
        let g = [
            c(
                json!({"text": "@self", "name": "马鞍山市"}),
                json!({"text": "南京", "name": "南京市"}),
            ),
            c(json!({"text": "市人民医院"}), json!({"text": "上海新华医院"})),
        ];
        let p = [
            c(json!({"text": "上海新华医院"}), json!({"text": "市医院"})), // explicit side missing
            c(json!({"text": "南京市"}), json!({"text": "马鞍山"})),       // swapped sides, @self free
        ];
        let r = run(&g, &p);
        assert_eq!(counts(rel(&r, "cooperates_with")), (2, 2, 1));
        let p = [c(json!({"text": "上海新華醫院"}), json!({"text": "市人民医院"}))];
        assert_eq!(run(&g, &p).micro.tp, 1);
    }

    #[test]
    fn classes_pair_a_wrong_field_with_its_miss() {
        let h = |person: &str, post: &str, org: &str| json!({"doc": "d", "rel": "holds_post", "person": {"text": person}, "post": {"text": post}, "org": {"text": org}});
        let g = [h("聂立新", "局长", "市人社局"), h("王芳", "副市长", "市政府")];
        let p = [h("聂立新", "副局长", "市人社局"), h("李明", "主任", "市发改委")];
        let out = run(&g, &p).classes();
        assert!(out.contains("== holds_post: 1 wrong field, 1 missed, 1 false"), "{out}");
        assert!(
            out.contains("WRONG d        聂立新 | 局长 | 市人社局  →  聂立新 | 副局长 | 市人社局"),
            "{out}"
        );
        assert!(out.contains("MISS  d        王芳 | 副市长 | 市政府"), "{out}");
        assert!(out.contains("FALSE d        李明 | 主任 | 市发改委"), "{out}");
        // Two false leads on one task and a miss on it: one pair, one plain false hit.
        let g = [leads(json!("3"), json!({"text": "市发改委"}))];
        let p = [
            leads(json!("3"), json!({"text": "市工信局"})),
            leads(json!("3"), json!({"text": "市财政局"})),
        ];
        let out = run(&g, &p).classes();
        assert!(out.contains("== leads: 1 wrong field, 0 missed, 1 false"), "{out}");
    }

    #[test]
    fn holds_post_matches_person_post_and_org() {
        let h = |person: Value, post: Value, org: Value| json!({"doc": "d", "rel": "holds_post", "person": person, "post": post, "org": org});
        let g = [
            h(
                json!({"text": "聂立新"}),
                json!({"text": "局长"}),
                json!({"text": "市人社局", "alt": ["人社局"]}),
            ),
            h(json!({"text": "刘惠子"}), json!({"text": "记者"}), Value::Null),
        ];
        let p = [
            h(
                json!({"text": "聶立新"}),
                json!({"text": "副局长"}),
                json!({"text": "人社局"}),
            ),
            h(
                json!({"text": "聶立新"}),
                json!({"text": "局長"}),
                json!({"text": "人社局"}),
            ),
            h(
                json!({"text": "刘惠子"}),
                json!({"text": "记者"}),
                json!({"text": "某报社"}),
            ),
        ];
        let r = run(&g, &p);
        assert_eq!(counts(rel(&r, "holds_post")), (2, 3, 2));
        // score.py compares norm(None) == norm(None): a missing person on both sides agrees.
        let g = [h(Value::Null, json!({"text": "局长"}), Value::Null)];
        assert_eq!(
            run(&g, &[h(json!({}), json!({"text": "局长"}), Value::Null)]).micro.tp,
            1
        );
    }

    #[test]
    fn issued_by_matches_org_spellings() {
        let i = |org: Value| json!({"doc": "d", "rel": "issued_by", "org": org});
        let g = [i(
            json!({"text": "泰安市新旧动能转换综合试验区建设领导小组办公室", "alt": ["泰安市人民政府"]}),
        )];
        assert_eq!(run(&g, &[i(json!({"text": "泰安市人民政府"}))]).micro.tp, 1);
        assert_eq!(run(&g, &[i(json!({"text": "泰安市"}))]).micro.tp, 0);
    }

    #[test]
    fn traditional_and_simplified_agree() {
        let g = [leads(
            json!("1"),
            json!({"text": "市行政审批制度改革工作领导小组办公室"}),
        )];
        let p = [leads(
            json!("1"),
            json!({"text": "市行政審批制度改革工作領導小組辦公室"}),
        )];
        assert_eq!(run(&g, &p).micro.tp, 1);
    }

    #[test]
    fn matching_is_greedy_in_file_order() {
        let i = |org: Value| json!({"doc": "d", "rel": "issued_by", "org": org});
        let g = [i(json!({"text": "A", "alt": ["B"]})), i(json!({"text": "B"}))];
        let p = [i(json!({"text": "B"})), i(json!({"text": "A"}))];
        let r = run(&g, &p);
        assert_eq!(counts(rel(&r, "issued_by")), (2, 2, 1)); // an optimal assignment would give 2
        let kinds: Vec<_> = r.shown.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [ShownKind::Miss, ShownKind::False]);
    }

    #[test]
    fn empty_set_conventions() {
        let s = |gold, pred, tp| RelScore { gold, pred, tp };
        assert_eq!((s(0, 0, 0).p(), s(0, 0, 0).r(), s(0, 0, 0).f1()), (1.0, 1.0, 1.0));
        assert_eq!((s(0, 3, 0).p(), s(0, 3, 0).r(), s(0, 3, 0).f1()), (0.0, 1.0, 0.0));
        assert_eq!((s(2, 0, 0).p(), s(2, 0, 0).r(), s(2, 0, 0).f1()), (0.0, 0.0, 0.0));
        assert_eq!(s(4, 2, 2).f1(), 2.0 * 1.0 * 0.5 / 1.5);
    }

    #[test]
    fn only_gold_documents_are_scored() {
        let mut g = gold_of(&[leads(json!("1"), json!({"text": "A"}))]);
        g.push("e", json!({"rel": "issued_by", "org": {"text": "B"}}));
        assert_eq!(g.facts("e").unwrap()[0]["doc"], "e");
        let p = [
            json!({"doc": "other", "rel": "leads", "task": {"label": "1"}, "org": {"text": "A"}}),
            json!({"doc": "d", "rel": "issued_by", "org": {"text": "X"}}),
            json!({"doc": "d", "rel": "unknown"}),
            json!([1, 2]),
        ];
        let r = score(&g, &p, &no_src);
        assert_eq!(counts(r.micro), (2, 1, 0));
        g.restrict(&["d".to_owned()]);
        assert_eq!(g.doc_ids().collect::<Vec<_>>(), ["d"]);
        let r = score(&g, &p, &no_src);
        assert_eq!(counts(r.micro), (1, 1, 0));
    }

    #[test]
    fn evidence_is_checked_in_characters_with_python_slicing() {
        let src = "ab𠀋cd";
        let f = |ev: Value| json!({"doc": "d", "rel": "x", "evidence": ev});
        let p = [
            f(json!({"start": 2, "end": 3, "text": "𠀋"})), // exact, astral character
            f(json!({"start": -2, "end": 99, "text": "cd"})), // negative and past the end
            f(json!({"start": "1", "end": 2.9, "text": "b"})), // int("1"), int(2.9)
            f(json!({"start": 4, "end": 1, "text": ""})),   // empty slice
            f(json!({"start": true, "end": "٣", "text": "b𠀋"})), // True == 1, Arabic-Indic 3
            f(json!({"start": 0, "end": 2, "text": "ab "})), // text differs
            f(json!({"start": 0, "end": 2})),               // no text
            f(json!({"start": "1.0", "end": 2, "text": "b"})), // int("1.0") raises
            f(Value::Null),
            json!({"doc": "d", "rel": "x"}),
        ];
        let g = gold_of(&[leads(json!("1"), json!({"text": "A"}))]);
        let sources = |doc: &str| (doc == "d").then(|| src.to_owned());
        let r = score(&g, &p, &sources);
        assert_eq!(r.evidence_exact, Some((5, 10)));
        assert_eq!(r.to_json()["evidence_exact"], json!(0.5));
        assert_eq!(score(&g, &p, &no_src).evidence_exact, None);
        // A source with no predictions reports 0/0, written as null.
        let r = score(&g, &[], &sources);
        assert_eq!(r.evidence_exact, Some((0, 0)));
        assert_eq!(r.to_json()["evidence_exact"], Value::Null);
        let list = [SourceText { doc: "d", text: src }];
        assert_eq!(score(&g, &p, &source_lookup(&list)).evidence_exact, Some((5, 10)));
    }

    #[test]
    fn table_and_json_follow_score_py_layout() {
        let g: Vec<Value> = (1..=32)
            .map(|i| leads(json!(i.to_string()), json!({"text": "A"})))
            .collect();
        let mut p = vec![leads(json!("1"), json!({"text": "A", "name": "甲"}))];
        p.extend((0..31).map(|_| leads(json!("99"), json!({"text": "B"}))));
        let mut g = g;
        g[0]["org"]["name"] = json!("甲");
        let r = run(&g, &p);
        let table = r.to_table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "rel               gold  pred    tp      P      R     F1");
        assert_eq!(lines[1], "leads               32    32     1  0.031  0.031  0.031");
        assert_eq!(lines[2], "co_responsible       0     0     0  1.000  1.000  1.000");
        assert_eq!(lines[7], "micro               32    32     1  0.031  0.031  0.031");
        assert_eq!(lines[8], "canonical-name accuracy on matched orgs: 1.000 (1)");
        assert_eq!(lines.len(), 9);
        let j = r.to_json();
        // round(1/32, 4) == 0.0312: ties go to even, as in Python.
        assert_eq!(
            j["leads"],
            json!({"gold": 32, "pred": 32, "tp": 1, "P": 0.0312, "R": 0.0312, "F1": 0.0312})
        );
        assert_eq!(j["co_responsible"]["F1"], json!(1.0));
        assert_eq!(j["canonical_acc"], json!(1.0));
        assert!(j.get("comparator_acc").is_none() && j.get("evidence_exact").is_none());
        let keys: HashSet<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 8);
    }

    #[test]
    fn show_lines_are_python_json() {
        let g = [
            json!({"doc": "d", "rel": "targets", "task": {"label": "1", "text": "x".repeat(400)},
                        "indicator": {"value": 3100.0, "unit": "个"}, "evidence": {"start": 0}}),
        ];
        let p = [json!({"doc": "d", "rel": "targets", "task": {"label": "2"},
                        "indicator": {"value": 1e-5, "unit": "个\n\"", "n": [1, null, true]}})];
        let r = run(&g, &p);
        let out = r.show_lines();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        let miss = lines[0].strip_prefix("MISS d targets ").unwrap();
        assert!(miss.starts_with(
            r#"{"indicator": {"unit": "个", "value": 3100.0}, "rel": "targets", "task": {"label": "1", "text": "xxx"#
        ));
        assert_eq!(miss.chars().count(), 300);
        assert_eq!(
            lines[1],
            r#"FALSE d targets {"indicator": {"n": [1, null, true], "unit": "个\n\"", "value": 1e-05}, "rel": "targets", "task": {"label": "2"}}"#
        );
    }

    #[test]
    fn python_value_semantics() {
        for (x, s) in [
            (3100.0, "3100.0"),
            (6.2, "6.2"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.7, "1234567890123456.8"),
            (0.0001, "0.0001"),
            (1e-5, "1e-05"),
            (-2.5e-5, "-2.5e-05"),
            (1.5e-7, "1.5e-07"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (0.1 + 0.2, "0.30000000000000004"),
            (5e-324, "5e-324"),
            (-0.0, "-0.0"),
        ] {
            assert_eq!(py_float_repr(x), s);
        }
        assert_eq!(py_str(&json!(true)), "True");
        assert_eq!(py_str(&json!(7)), "7");
        assert_eq!(py_str(&json!(["a", null])), "['a', None]");
        assert_eq!(py_float(&json!(" 1_0.5e1 ")), Some(105.0));
        assert_eq!(py_float(&json!("１２")), Some(12.0));
        assert_eq!(py_float(&json!("1__0")), None);
        assert_eq!(py_float(&json!("Infinity")), Some(f64::INFINITY));
        assert_eq!(py_int(&json!("-٣")), Some(-3));
        assert_eq!(py_int(&json!("+1_2")), Some(12));
        assert_eq!(py_int(&json!(-2.9)), Some(-2));
        assert_eq!(py_int(&json!("1e3")), None);
        assert!(py_eq(&json!(1), &json!(1.0)) && py_eq(&json!(true), &json!(1)));
        assert!(!py_eq(&json!("1"), &json!(1)));
        assert!(!truthy(&json!(0.0)) && !truthy(&json!("")) && !truthy(&json!({})) && truthy(&json!([0])));
        assert_eq!(py_round4(0.03125), 0.0312);
        assert_eq!(py_round4(2.0 / 3.0), 0.6667);
    }

    #[test]
    fn alt_shapes_follow_python_iteration() {
        // A string alt is iterated by character, a dict alt by key, null items stay None.
        let t = texts(Some(&json!({"text": "管委会", "alt": "发改"})));
        assert!(t.contains(&Some("发".to_owned())) && t.contains(&Some("改".to_owned())));
        let t = texts(Some(&json!({"alt": {"市發改委": 1}})));
        assert!(t.contains(&Some("市发改委".to_owned())));
        let a = texts(Some(&json!({"alt": [null]})));
        let b = texts(Some(&json!({"text": "x", "alt": [null]})));
        assert!(intersects(&a, &b));
        assert!(texts(Some(&json!({"text": "", "name": 0}))).is_empty());
        assert!(texts(Some(&json!("市发改委"))).is_empty());
    }

    #[test]
    fn parse_jsonl_reads_lines_like_python() {
        let text = "{\"a\":1}\r\n\r\n  {\"a\":2}\u{3000}\r{\"a\":3}\n\n";
        let v = parse_jsonl(text, "x.jsonl").unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(v[2]["a"], 3);
        let err = parse_jsonl("{}\n\n{bad\n", "x.jsonl").unwrap_err();
        assert!(err.to_string().starts_with("x.jsonl:3: bad JSON"), "{err}");
        let err = parse_jsonl("[1]", "y").unwrap_err();
        assert_eq!(err.to_string(), "y:1: bad JSON: expected a JSON object");
        assert!(parse_jsonl("", "z").unwrap().is_empty());
    }

    #[test]
    fn gold_dir_loads_like_score_py() {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/data/gold/seeds");
        let g = load_gold_dir(&dir).unwrap();
        // 002's gold file is empty, so (as in score.py) that document is not scored at all.
        assert_eq!(
            g.doc_ids().collect::<Vec<_>>(),
            [
                "000_b7ec731a890b3eaa",
                "001_f8e16d3c8f418328",
                "003_333bffa1260437b2",
                "004_3ff853ae4ec18c33"
            ]
        );
        assert!(g
            .facts("003_333bffa1260437b2")
            .unwrap()
            .iter()
            .all(|f| f["doc"] == "003_333bffa1260437b2"));
        let err = load_gold_dir(&dir.join("missing")).unwrap_err();
        assert!(matches!(err, EvalError::Io { .. }));
        assert_eq!(find_source(&dir, "nothing"), None);
    }
}
