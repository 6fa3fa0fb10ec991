//! Stage 0: finding and reading input files.
//!
//! Paths may be files or directories; directories are walked recursively in sorted order,
//! following symbolic links but never entering a directory twice (symlink loops are safe).
//! Inside directories only document-like files are taken (`.txt`, `.text`, `.htm`, `.html` and
//! files without extension); a file named explicitly is always taken. Reading and decoding
//! failures become [`InputError`]s that name the file, so a run can report them and go on.

use crate::decode::{decode, DecodeError};
use crate::doc::{DocId, SourceDoc};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A file that could not be turned into a document.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: cannot read: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: skipped: {reason}")]
    NotText { path: String, reason: DecodeError },
    #[error("{path}: does not exist")]
    Missing { path: String },
    #[error("{path}: skipped: internal error while extracting (please report): {msg}")]
    Internal { path: String, msg: String },
}

impl InputError {
    /// The file the error is about.
    pub fn path(&self) -> &str {
        match self {
            InputError::Read { path, .. }
            | InputError::NotText { path, .. }
            | InputError::Missing { path }
            | InputError::Internal { path, .. } => path,
        }
    }
}

const DOC_EXTENSIONS: &[&str] = &["txt", "text", "htm", "html"];

/// Expands the given paths into a sorted list of files (errors for missing paths).
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut seen_dirs = HashSet::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut files, &mut errors, &mut seen_dirs),
            Ok(_) => files.push(p.clone()),
            Err(_) => errors.push(InputError::Missing {
                path: p.display().to_string(),
            }),
        }
    }
    (files, errors)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<InputError>, seen: &mut HashSet<PathBuf>) {
    let Ok(canon) = std::fs::canonicalize(dir) else { return };
    if !seen.insert(canon) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            errors.push(InputError::Read {
                path: dir.display().to_string(),
                source,
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, files, errors, seen),
            Ok(m) if m.is_file() => {
                let ext = p.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase());
                if ext.as_deref().is_none_or(|e| DOC_EXTENSIONS.contains(&e)) {
                    files.push(p);
                }
            }
            _ => {}
        }
    }
}

/// Reads and decodes one file into a document.
pub fn read_document(path: &Path) -> Result<SourceDoc, InputError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| InputError::Read {
        path: shown.clone(),
        source,
    })?;
    let d = decode(&bytes).map_err(|reason| InputError::NotText {
        path: shown.clone(),
        reason,
    })?;
    Ok(SourceDoc {
        id: DocId::from_path(path),
        path: shown,
        text: d.text,
        encoding: d.encoding,
        replaced: d.replaced,
    })
}
