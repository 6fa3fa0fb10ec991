//! The whole-pipeline benchmark behind `policykg bench`.
//!
//! Generates a synthetic corpus of N documents from template documents (the seeds and the dev
//! corpus: each copy gets a unique id and varied numbers so no two files are alike), then
//! measures, in one run: `extract` (read → decode → normalise → structure → facts → JSONL)
//! with 1 thread and with all threads, `build` into a fresh on-disk store (extract + quads +
//! bulk load), Oxigraph's bulk loader alone on the same quads, query latency (p50/p95) of the
//! named queries on the result, and peak memory. This module does IO by design: it is a tool,
//! not a pipeline stage.

use crate::pipeline;
use crate::resolve::Gazetteer;
use crate::store::KgStore;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Benchmark failures (IO, store, query).
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Query(#[from] crate::query::QueryError),
    #[error("thread pool: {0}")]
    Pool(String),
    #[error("no template documents found in {0}")]
    NoTemplates(String),
}

/// Options of a run.
pub struct BenchOptions {
    pub docs: usize,
    pub templates: Vec<PathBuf>,
    pub work_dir: PathBuf,
    pub queries_dir: PathBuf,
    pub query_runs: usize,
    /// Bulk loader memory of the build (MB).
    pub bulk_memory_mb: usize,
}

/// One measured line of the report.
pub struct Measure {
    pub what: String,
    pub value: String,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
    move |source| BenchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Name replacements that move a document from its own jurisdiction to another division of
/// the same kind (and its enclosing prefecture): full names first, then short forms.
fn relocation(gz: &Gazetteer, from: usize, to: usize) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (a, b) in gz.chain(from).into_iter().zip(gz.chain(to)) {
        let (da, db) = (gz.division(a), gz.division(b));
        pairs.push((gz.qualified_name(a), gz.qualified_name(b)));
        pairs.push((da.name.clone(), db.name.clone()));
        if let (Some(sa), Some(sb)) = (
            crate::resolve::short_form(gz.lexicon(), &da.name),
            crate::resolve::short_form(gz.lexicon(), &db.name),
        ) {
            pairs.push((sa, sb));
        }
    }
    pairs.retain(|(a, b)| a != b);
    pairs.dedup();
    pairs
}

/// Writes the synthetic corpus; returns its files and total bytes. Copy `k` of a template
/// gets a unique id, numbers varied by its copy index, and — when the template's jurisdiction
/// is known — another jurisdiction of the same kind (无为市 → another county-level city, with
/// its prefecture), so departments spread over places as in a real archive.
pub fn generate_corpus(
    templates: &[PathBuf],
    n: usize,
    dir: &Path,
    gz: &Gazetteer,
) -> Result<(Vec<PathBuf>, u64), BenchError> {
    let mut texts: Vec<String> = Vec::new();
    let mut homes: Vec<Option<usize>> = Vec::new();
    for t in templates {
        let (files, _) = crate::input::collect_files(std::slice::from_ref(t));
        for f in files {
            if let Ok(doc) = crate::input::read_document(&f) {
                let ex = crate::extract::extract(&doc, gz);
                homes.push(
                    ex.meta
                        .jurisdiction
                        .as_ref()
                        .and_then(|(code, _)| gz.by_code.get(code).copied()),
                );
                texts.push(doc.text);
            }
        }
    }
    // Divisions by (level, kind), in code order: where copies move to.
    let mut peers: std::collections::HashMap<(String, String), Vec<usize>> = std::collections::HashMap::new();
    for (i, d) in gz.lexicon().divisions.iter().enumerate() {
        peers.entry((d.level.clone(), d.kind.clone())).or_default().push(i);
    }
    if texts.is_empty() {
        return Err(BenchError::NoTemplates(
            templates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut files = Vec::with_capacity(n);
    let mut bytes = 0u64;
    for k in 0..n {
        let t = k % texts.len();
        let mut base = std::borrow::Cow::Borrowed(texts[t].as_str());
        // Vary every number's last digit by the copy index so documents differ.
        let copy = k / texts.len();
        let shift = copy as u32;
        if let (Some(home), true) = (homes[t], copy > 0) {
            let d = gz.division(home);
            let same = &peers[&(d.level.clone(), d.kind.clone())];
            let to = same[(same.iter().position(|&x| x == home).unwrap_or(0) + copy * 7919) % same.len()];
            let mut moved = texts[t].clone();
            for (a, b) in relocation(gz, home, to) {
                moved = moved.replace(&a, &b);
            }
            base = std::borrow::Cow::Owned(moved);
        }
        let varied: String = base
            .chars()
            .map(|c| match c.to_digit(10) {
                Some(d) if shift > 0 => char::from_digit((d + shift) % 10, 10).unwrap_or(c),
                _ => c,
            })
            .collect();
        let path = dir.join(format!("bench{k:07}.txt"));
        std::fs::write(&path, varied.as_bytes()).map_err(io(&path))?;
        bytes += varied.len() as u64;
        files.push(path);
    }
    Ok((files, bytes))
}

/// Current resident memory of this process in MiB (Linux), if known.
pub fn current_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Peak resident memory of this process in MiB (Linux), if known.
pub fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn timed_extract(files: &[PathBuf], gz: &Gazetteer, threads: usize) -> Result<(Duration, usize), BenchError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| BenchError::Pool(e.to_string()))?;
    let start = Instant::now();
    let mut n_facts = 0usize;
    pool.install(|| {
        // As `extract --format jsonl` does: JSON lines serialised on the workers, written here.
        let jsonl = |ex: &crate::extract::Extraction| {
            let mut buf = Vec::new();
            crate::facts::Fact::write_jsonl(&ex.facts, &mut buf);
            buf
        };
        pipeline::run_map(files, gz, jsonl, |_, outcome| {
            if let Ok((ex, _jsonl)) = outcome {
                n_facts += ex.facts.len();
            }
            true
        })
    });
    Ok((start.elapsed(), n_facts))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs the benchmark and returns the report lines.
pub fn run(opts: &BenchOptions, gz: &Gazetteer) -> Result<Vec<Measure>, BenchError> {
    let mut out = Vec::new();
    let mut m = |what: &str, value: String| {
        eprintln!("bench: {what}: {value}");
        out.push(Measure {
            what: what.to_string(),
            value,
        })
    };
    let corpus = opts.work_dir.join("corpus");
    let _ = std::fs::remove_dir_all(&corpus);
    let (files, bytes) = generate_corpus(&opts.templates, opts.docs, &corpus, gz)?;
    let mb = bytes as f64 / 1e6;
    m("corpus", format!("{} documents, {:.1} MB", files.len(), mb));
    let threads = rayon::current_num_threads();

    // Warm the shared tables (lexicon, gazetteer, regexes) outside the timings.
    let _ = timed_extract(&files[..files.len().min(8)], gz, 1)?;
    let (t1, facts) = timed_extract(&files, gz, 1)?;
    let (tn, _) = timed_extract(&files, gz, threads)?;
    m(
        "extract, 1 thread",
        format!(
            "{:.2} s, {:.1} MB/s, {:.0} docs/s ({facts} facts)",
            t1.as_secs_f64(),
            mb / t1.as_secs_f64(),
            files.len() as f64 / t1.as_secs_f64()
        ),
    );
    m(
        &format!("extract, {threads} threads"),
        format!(
            "{:.2} s, {:.1} MB/s, {:.0} docs/s, speed-up {:.2}×",
            tn.as_secs_f64(),
            mb / tn.as_secs_f64(),
            files.len() as f64 / tn.as_secs_f64(),
            t1.as_secs_f64() / tn.as_secs_f64()
        ),
    );

    // build: extract + quads + bulk load into a fresh store.
    let store_dir = opts.work_dir.join("store");
    let _ = std::fs::remove_dir_all(&store_dir);
    let start = Instant::now();
    let rss_before_build = current_rss_mib();
    let mut store = KgStore::open(&store_dir)?;
    store.set_bulk_memory_mb(opts.bulk_memory_mb);
    // As `policykg build` does: extraction here, the store's write_stream on another thread.
    let (tx, rx) = std::sync::mpsc::sync_channel(pipeline::WINDOW);
    let written = std::thread::scope(|s| {
        let writer = s.spawn(|| store.write_stream(rx));
        pipeline::run_map(&files, gz, crate::rdf::to_quads, |_, outcome| match outcome {
            Ok((ex, quads)) => tx.send((crate::rdf::graph_iri(&ex.doc), quads)).is_ok(),
            Err(_) => true,
        });
        drop(tx);
        writer.join()
    });
    written.map_err(|_| BenchError::Pool("the store writer panicked".into()))??;
    store.flush()?;
    let t_build = start.elapsed();
    let n_quads = store.inner().len().map_err(crate::store::StoreError::from)?;
    m(
        "build (extract + quads + load)",
        format!(
            "{:.2} s, {:.1} MB/s, {n_quads} quads, {:.0} quads/s",
            t_build.as_secs_f64(),
            mb / t_build.as_secs_f64(),
            n_quads as f64 / t_build.as_secs_f64()
        ),
    );

    if let (Some(peak), Some(before)) = (peak_rss_mib(), rss_before_build) {
        m(
            "peak memory (RSS) of the run up to the end of build",
            format!("{peak:.0} MiB (before build {before:.0} MiB)"),
        );
    }

    // Oxigraph's bulk loader alone on the same quads (read back from the store, untimed).
    let all_quads: Vec<oxigraph::model::Quad> = store
        .inner()
        .iter()
        .collect::<Result<_, _>>()
        .map_err(crate::store::StoreError::from)?;
    let alone_dir = opts.work_dir.join("store-bulk");
    let _ = std::fs::remove_dir_all(&alone_dir);
    let start = Instant::now();
    let alone = oxigraph::store::Store::open(&alone_dir).map_err(crate::store::StoreError::from)?;
    let mut loader = alone.bulk_loader();
    loader.load_quads(all_quads).map_err(crate::store::StoreError::from)?;
    loader.commit().map_err(crate::store::StoreError::from)?;
    alone.flush().map_err(crate::store::StoreError::from)?;
    let t_alone = start.elapsed();
    m(
        "oxigraph bulk loader alone (same quads)",
        format!(
            "{:.2} s; build/bulk ratio {:.2}",
            t_alone.as_secs_f64(),
            t_build.as_secs_f64() / t_alone.as_secs_f64()
        ),
    );
    drop(alone);

    // Query latency of the named queries that take at most a department parameter.
    let lib = crate::query::library(&opts.queries_dir)?;
    // Timed as `policykg query` runs a named query: `@values` pre-queries, then the query.
    let time_query =
        |q: &crate::query::NamedQuery, bindings: &[(String, oxigraph::model::Term)]| -> Result<String, BenchError> {
            let mut times = Vec::with_capacity(opts.query_runs);
            let mut rows = 0;
            for _ in 0..opts.query_runs {
                let start = Instant::now();
                let mut sink = std::io::sink();
                let text = crate::query::fill_values(store.inner(), q, bindings)?;
                rows = crate::query::run(
                    store.inner(),
                    &text,
                    bindings,
                    crate::query::OutputFormat::Tsv,
                    &mut sink,
                )?;
                times.push(start.elapsed().as_secs_f64() * 1e3);
                // Whole-store reports are measured a few times only.
                if times.iter().sum::<f64>() > 3000.0 {
                    break;
                }
            }
            times.sort_by(|a, b| a.total_cmp(b));
            Ok(format!(
                "p50 {:.2} ms, p95 {:.2} ms ({rows} rows, {} runs)",
                percentile(&times, 0.5),
                percentile(&times, 0.95),
                times.len()
            ))
        };
    // The user-facing named queries; `view-*` queries feed diagrams over a whole store.
    // Federated queries (SERVICE) would measure the network, not the store. `dept` is
    // 市发改委: every jurisdiction's development commission, a store-wide answer.
    for q in lib
        .iter()
        .filter(|q| !q.name.starts_with("view-") && !crate::service::uses_service(&q.text, None))
    {
        let given: Vec<(String, String)> = q
            .params
            .iter()
            .filter(|p| p.name == "dept")
            .map(|p| (p.name.clone(), "市发改委".to_string()))
            .collect();
        let Ok(bindings) = crate::query::bind_params(q, &given) else {
            continue;
        };
        let r = time_query(q, &bindings)?;
        m(&format!("query {}", q.name), r);
    }
    // The responsibility chain of one department (canonical name): the busiest one, and one
    // with the median number of tasks.
    let loads = store.select_pairs(&format!(
        "PREFIX pkg: <{}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
         SELECT ?l (COUNT(?t) AS ?n) WHERE {{ ?o pkg:leads|pkg:coResponsibleFor ?t ; skos:prefLabel ?l ;
           <http://www.w3.org/ns/org#subOrganizationOf> ?g }} GROUP BY ?l ORDER BY DESC(?n) ?l",
        crate::vocab::PKG
    ))?;
    if let Ok(q) = crate::query::find(&lib, "responsibility") {
        for (which, pick) in [("busiest", loads.first()), ("median", loads.get(loads.len() / 2))] {
            let Some((dept, tasks)) = pick else { continue };
            let bindings = crate::query::bind_params(q, &[("dept".into(), dept.clone())])?;
            let r = time_query(q, &bindings)?;
            m(
                &format!("query responsibility, {which} department ({dept}, {tasks} tasks)"),
                r,
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_documents_are_unique() {
        let dir = std::env::temp_dir().join(format!("pkg-bench-{}", std::process::id()));
        let tpl = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        let (files, bytes) = generate_corpus(&[tpl], 12, &dir, Gazetteer::embedded()).unwrap();
        assert_eq!(files.len(), 12);
        assert!(bytes > 100_000);
        let a = std::fs::read(&files[0]).unwrap();
        let b = std::fs::read(&files[5]).unwrap();
        assert_ne!(a, b, "copies of the same template differ");
        std::fs::remove_dir_all(dir).ok();
    }
}
