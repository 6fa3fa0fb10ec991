//! Running the stages over many files: read → decode → extract in parallel (rayon), in
//! windows of documents so memory stays bounded by the window, not by the corpus; results come
//! back in input order so output is deterministic whatever the thread count.

use crate::doc::SourceDoc;
use crate::extract::{extract, Extraction};
use crate::input::{read_document, InputError};
use crate::resolve::Gazetteer;
use rayon::prelude::*;
use std::path::PathBuf;

/// Documents processed in parallel at a time.
pub const WINDOW: usize = 256;

/// Result of one input file.
pub type Outcome = Result<Extraction, InputError>;

/// Processes one file, unless `skip` says the decoded document needs no extraction
/// (`Ok(None)`). A bug in a rule must not take the whole run down: a panic while extracting
/// becomes an error naming the file, and the run goes on.
pub fn process_file(
    path: &std::path::Path,
    gz: &Gazetteer,
    skip: &(dyn Fn(&SourceDoc) -> bool + Sync),
) -> Result<Option<Extraction>, InputError> {
    let src = read_document(path)?;
    if skip(&src) {
        return Ok(None);
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract(&src, gz)))
        .map(Some)
        .map_err(|payload| {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            InputError::Internal {
                path: path.display().to_string(),
                msg,
            }
        })
}

/// Processes files in parallel windows, calling `sink` with each outcome in input order.
/// `sink` returns false to stop early.
pub fn run(files: &[PathBuf], gz: &Gazetteer, mut sink: impl FnMut(&PathBuf, Outcome) -> bool) {
    run_map(files, gz, |_| (), |p, o| sink(p, o.map(|(ex, ())| ex)));
}

/// [`run`] with a further stage run in parallel too: `map` turns each extraction into a value
/// (its RDF quads, its JSON lines) on the worker threads, and `sink` gets both, in input order.
///
/// Windows overlap: while `sink` consumes one window on the calling thread, the workers
/// already process the next (a producer thread hands finished windows over a channel of one),
/// so serial output work does not leave the workers idle. At most three windows are alive.
/// The workers are as many as the current rayon pool has (`RAYON_NUM_THREADS`, or the pool a
/// caller installed).
pub fn run_map<T: Send>(
    files: &[PathBuf],
    gz: &Gazetteer,
    map: impl Fn(&Extraction) -> T + Sync,
    mut sink: impl FnMut(&PathBuf, Result<(Extraction, T), InputError>) -> bool,
) {
    run_map_unless(
        files,
        gz,
        |_| false,
        map,
        |p, o| sink(p, o.map(|done| done.expect("nothing is skipped"))),
    );
}

/// [`run_map`] where `skip` looks at each decoded document first: those it accepts are not
/// extracted and reach `sink` as `Ok(None)` (`build` skips documents stored unchanged).
pub fn run_map_unless<T: Send>(
    files: &[PathBuf],
    gz: &Gazetteer,
    skip: impl Fn(&SourceDoc) -> bool + Sync,
    map: impl Fn(&Extraction) -> T + Sync,
    mut sink: impl FnMut(&PathBuf, Result<Option<(Extraction, T)>, InputError>) -> bool,
) {
    let threads = rayon::current_num_threads();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    let process = |chunk: &[PathBuf]| -> Vec<Result<Option<(Extraction, T)>, InputError>> {
        chunk
            .par_iter()
            .map(|p| {
                process_file(p, gz, &skip).map(|ex| {
                    ex.map(|ex| {
                        let t = map(&ex);
                        (ex, t)
                    })
                })
            })
            .collect()
    };
    let Ok(pool) = pool else {
        // No thread could be started: process the windows in turn here.
        for chunk in files.chunks(WINDOW) {
            for (p, o) in chunk.iter().zip(process(chunk)) {
                if !sink(p, o) {
                    return;
                }
            }
        }
        return;
    };
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for chunk in files.chunks(WINDOW) {
                let outcomes = pool.install(|| process(chunk));
                // The sink stopped early: stop producing.
                if tx.send(outcomes).is_err() {
                    return;
                }
            }
            drop(tx);
        });
        let mut chunks = files.chunks(WINDOW);
        for outcomes in rx.iter() {
            let chunk = chunks.next().unwrap_or_default();
            for (p, o) in chunk.iter().zip(outcomes) {
                if !sink(p, o) {
                    // Dropping the receiver makes the producer's next send fail.
                    drop(rx);
                    return;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_come_back_in_input_order_and_a_stop_is_honoured() {
        let gz = Gazetteer::embedded();
        let dir = std::env::temp_dir().join(format!("policykg-pipeline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files: Vec<PathBuf> = (0..WINDOW * 2 + 7)
            .map(|i| {
                let p = dir.join(format!("d{i:04}.txt"));
                std::fs::write(&p, format!("{i}.推进第{i}项工作。(市发改委牵头)\n")).unwrap();
                p
            })
            .collect();
        let mut seen = Vec::new();
        run_map(
            &files,
            gz,
            |ex| ex.doc.clone(),
            |p, o| {
                let (ex, id) = o.unwrap();
                assert_eq!(ex.doc, id);
                seen.push(p.clone());
                true
            },
        );
        assert_eq!(seen, files);
        let mut n = 0;
        run(&files, gz, |_, _| {
            n += 1;
            n < WINDOW + 3
        });
        assert_eq!(n, WINDOW + 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
