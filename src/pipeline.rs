//! Running the stages over many files: read → decode → extract in parallel (rayon), in
//! windows of documents so memory stays bounded by the window, not by the corpus; results come
//! back in input order so output is deterministic whatever the thread count.

use crate::extract::{extract, Extraction};
use crate::input::{read_document, InputError};
use crate::resolve::Gazetteer;
use rayon::prelude::*;
use std::path::PathBuf;

/// Documents processed in parallel at a time.
pub const WINDOW: usize = 256;

/// Result of one input file.
pub type Outcome = Result<Extraction, InputError>;

/// Processes one file. A bug in a rule must not take the whole run down: a panic while
/// extracting becomes an error naming the file, and the run goes on.
pub fn process_file(path: &std::path::Path, gz: &Gazetteer) -> Outcome {
    let src = read_document(path)?;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract(&src, gz))).map_err(|payload| {
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
/// (its RDF quads, say) on the worker threads, and `sink` gets both, in input order.
pub fn run_map<T: Send>(
    files: &[PathBuf],
    gz: &Gazetteer,
    map: impl Fn(&Extraction) -> T + Sync,
    mut sink: impl FnMut(&PathBuf, Result<(Extraction, T), InputError>) -> bool,
) {
    for chunk in files.chunks(WINDOW) {
        let outcomes: Vec<Result<(Extraction, T), InputError>> = chunk
            .par_iter()
            .map(|p| {
                process_file(p, gz).map(|ex| {
                    let t = map(&ex);
                    (ex, t)
                })
            })
            .collect();
        for (p, o) in chunk.iter().zip(outcomes) {
            if !sink(p, o) {
                return;
            }
        }
    }
}
