//! Stage 0: finding and reading input files.
//!
//! Paths may be files or directories; directories are walked recursively in sorted order,
//! following symbolic links but never entering a directory twice (symlink loops are safe).
//! Inside directories only document-like files are taken (`.txt`, `.text`, `.htm`, `.html` and
//! files without extension); a file named explicitly is always taken. Reading and decoding
//! failures become [`InputError`]s that name the file, so a run can report them and go on:
//! a file deleted or replaced after the walk, a dangling or looping symbolic link, a named
//! pipe, socket or device (never opened for a blocking read, so a FIFO cannot hang the run)
//! and files over [`MAX_FILE_BYTES`] are reported, never fatal.

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
    #[error("{path}: skipped: broken symbolic link ({source})")]
    BrokenLink { path: String, source: std::io::Error },
    #[error("{path}: skipped: not a regular file ({kind})")]
    NotAFile { path: String, kind: &'static str },
    #[error("{path}: skipped: too large ({size} bytes; at most {max} bytes per document)")]
    TooLarge { path: String, size: u64, max: u64 },
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
            | InputError::NotAFile { path, .. }
            | InputError::BrokenLink { path, .. }
            | InputError::TooLarge { path, .. }
            | InputError::Internal { path, .. } => path,
        }
    }
}

const DOC_EXTENSIONS: &[&str] = &["txt", "text", "htm", "html"];

/// Largest file read as one document (256 MiB); larger files are skipped with a message.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

fn is_doc_name(p: &Path) -> bool {
    let ext = p.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase());
    ext.as_deref().is_none_or(|e| DOC_EXTENSIONS.contains(&e))
}

/// The error for a path whose metadata cannot be read.
fn broken(p: &Path, source: std::io::Error) -> InputError {
    let path = p.display().to_string();
    if std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
        InputError::BrokenLink { path, source }
    } else {
        InputError::Read { path, source }
    }
}

/// What a file that is neither a regular file nor a directory is.
fn special_kind(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a named pipe";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Expands the given paths into a sorted list of files (errors for missing paths).
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut seen_dirs = HashSet::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut files, &mut errors, &mut seen_dirs),
            Ok(_) => files.push(p.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && std::fs::symlink_metadata(p).is_err() => {
                errors.push(InputError::Missing {
                    path: p.display().to_string(),
                })
            }
            // A dangling or looping symbolic link, a directory that cannot be searched…
            Err(source) => errors.push(broken(p, source)),
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
                if is_doc_name(&p) {
                    files.push(p);
                }
            }
            // Named pipes, sockets, devices: reported, never opened.
            Ok(m) => {
                if is_doc_name(&p) {
                    errors.push(InputError::NotAFile {
                        path: p.display().to_string(),
                        kind: special_kind(m.file_type()),
                    });
                }
            }
            // A dangling or looping symbolic link, or an entry gone since the listing.
            Err(source) => {
                if is_doc_name(&p) {
                    errors.push(broken(&p, source));
                }
            }
        }
    }
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`]. The file is opened without blocking
/// and checked to be a regular file on the open handle, so a path that became a named pipe
/// or a device since it was listed is refused instead of blocking (or reading forever).
fn read_regular(path: &Path, shown: &str) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    let read_err = |source| InputError::Read {
        path: shown.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    if !meta.is_file() {
        return Err(InputError::NotAFile {
            path: shown.to_owned(),
            kind: special_kind(meta.file_type()),
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(InputError::TooLarge {
            path: shown.to_owned(),
            size: meta.len(),
            max: MAX_FILE_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file growing while it is read stops at the limit too.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(InputError::TooLarge {
            path: shown.to_owned(),
            size: bytes.len() as u64,
            max: MAX_FILE_BYTES,
        });
    }
    Ok(bytes)
}

/// Reads and decodes one file into a document.
pub fn read_document(path: &Path) -> Result<SourceDoc, InputError> {
    let shown = path.display().to_string();
    let bytes = read_regular(path, &shown)?;
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
