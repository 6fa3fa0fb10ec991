//! Robustness (issue #8): bad input, crashes, re-runs and load. Everything here drives the real
//! `policykg` binary as a child process, the way an unattended job would run it.
//!
//! * **Bad input**: empty files, binaries, invalid UTF-8, mixed encodings, a long single line,
//!   many tiny files, files deleted or replaced (by a named pipe, a directory, a dangling link)
//!   while a run goes on, symlink loops — one clear line per skipped file, the run goes on,
//!   exit codes 0/1/2.
//! * **Store safety**: `build` SIGKILLed at different moments leaves a store that opens,
//!   passes `policykg check` and holds every document graph either whole (the same triple
//!   count as a clean build) or not at all; the next `build` finishes the rest. A second
//!   concurrent `build` is refused (exit 2) without harm.
//! * **Idempotence**: the same input twice gives the same N-Quads; changing one document
//!   changes only its graph.
//! * **Endpoint under load and attack**: many concurrent raw-HTTP clients with good,
//!   malformed, huge, slow, UPDATE and SERVICE requests plus slowloris connections; the
//!   server stays up, answers good queries correctly and its peak memory stays bounded.
//!
//! Long variants are `#[ignore]`d: `cargo test --test it -- --ignored --nocapture`
//! (a 50 MB single-line file, 100,000 tiny files, more kill rounds, a longer load run).

use crate::common;

use common::{project, temp_dir};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn policykg() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_policykg"));
    c.current_dir(project(""));
    c
}

/// Kills the child process when dropped (a failing test never leaves one behind).
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Peak resident memory of a running process (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

/// Runs a command to its end within `limit`, sampling its peak memory; panics if it takes
/// longer (a hang). Returns the output, the wall time and the last peak-RSS reading (KiB).
fn run_measured(mut cmd: Command, limit: Duration) -> (Output, Duration, u64) {
    let started = Instant::now();
    let mut child = ChildGuard(
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn policykg"),
    );
    let pid = child.0.id();
    let mut out_pipe = child.0.stdout.take().unwrap();
    let mut err_pipe = child.0.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_rss_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < limit,
            "policykg did not finish within {limit:?} (hang?)"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let output = Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    (output, elapsed, peak)
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// JSON lines of `extract --format jsonl`.
fn facts_of(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// The lines of stderr that mention `name`.
fn lines_about<'a>(err: &'a str, name: &str) -> Vec<&'a str> {
    err.lines().filter(|l| l.contains(name)).collect()
}

/// Every fact's evidence is the exact slice of its document's decoded text.
fn assert_evidence_exact(facts: &[serde_json::Value], texts: &BTreeMap<String, Vec<char>>) {
    for f in facts {
        let doc = f["doc"].as_str().unwrap();
        let chars = &texts[doc];
        let (s, e) = (
            f["evidence"]["start"].as_u64().unwrap() as usize,
            f["evidence"]["end"].as_u64().unwrap() as usize,
        );
        assert!(
            s <= e && e <= chars.len(),
            "{doc}: evidence {s}..{e} outside 0..{}",
            chars.len()
        );
        assert_eq!(
            chars[s..e].iter().collect::<String>(),
            f["evidence"]["text"].as_str().unwrap(),
            "{doc}: evidence text"
        );
    }
}

fn seed_text(name: &str) -> String {
    std::fs::read_to_string(project(&format!("seeds/{name}.txt"))).unwrap()
}

const SEED_003: &str = "003_333bffa1260437b2";
const SEED_004: &str = "004_3ff853ae4ec18c33";

// ------------------------------------------------------------------------------------------
// Bad input
// ------------------------------------------------------------------------------------------

#[test]
fn bad_inputs_get_one_line_each_and_the_run_goes_on() {
    let dir = temp_dir("rb-bad");
    let good = seed_text(SEED_003);
    std::fs::write(dir.join("good.txt"), &good).unwrap();
    std::fs::write(dir.join("empty.txt"), b"").unwrap();
    std::fs::write(dir.join("image.txt"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10").unwrap();
    std::fs::write(dir.join("program"), b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0").unwrap();
    std::fs::write(dir.join("archive.txt"), b"PK\x03\x04\x14\0\0\0\x08\0docs/a.txt").unwrap();
    std::fs::write(
        dir.join("paper.txt"),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
    )
    .unwrap();
    std::fs::write(dir.join("nul.txt"), b"plain text\0with a NUL byte").unwrap();
    std::fs::write(
        dir.join("controls.txt"),
        [1u8, 2, 3, 4, 5, 6, 7, 8, 0x0e, 0x0f, b'a'].repeat(20),
    )
    .unwrap();
    // UTF-8 with one byte cut off the end (a truncated download) and a stray byte inside: read
    // as UTF-8 with a warning, not as mojibake in a legacy encoding.
    let mut cut = good.as_bytes().to_vec();
    while cut.last().is_some_and(|b| b & 0xC0 == 0x80) {
        cut.pop();
    }
    cut.pop();
    cut.extend_from_slice(&"市发改委".as_bytes()[..4]);
    std::fs::write(dir.join("truncated.txt"), &cut).unwrap();
    let mut stray = good.as_bytes().to_vec();
    let at = good.char_indices().nth(300).unwrap().0;
    stray.insert(at, 0xFF);
    std::fs::write(dir.join("stray.txt"), &stray).unwrap();
    // Bytes that are UTF-8 nowhere: decoded by the legacy-encoding guess, never a panic.
    std::fs::write(
        dir.join("noise.txt"),
        [0x80u8, 0x81, 0xFE, 0xC3, 0x28, 0xA0, 0xA1].repeat(40),
    )
    .unwrap();
    // Not documents by extension: ignored inside a directory.
    std::fs::write(dir.join("picture.png"), b"\x89PNG\r\n\x1a\n").unwrap();

    let (out, elapsed, _) = run_measured(
        {
            let mut c = policykg();
            c.args(["extract", "--format", "jsonl"]).arg(&dir);
            c
        },
        Duration::from_secs(60),
    );
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "skipped inputs give exit 1\n{err}");
    for (name, reason) in [
        ("empty.txt", "empty file"),
        ("image.txt", "PNG image"),
        ("program", "ELF executable"),
        ("archive.txt", "ZIP archive"),
        ("paper.txt", "PDF document"),
        ("nul.txt", "NUL bytes"),
        ("controls.txt", "control characters"),
    ] {
        let lines = lines_about(&err, &format!("{}/{name}", dir.display()));
        assert_eq!(lines.len(), 1, "one line for {name}:\n{err}");
        assert!(
            lines[0].contains("skipped") && lines[0].contains(reason),
            "{}",
            lines[0]
        );
        assert!(!lines[0].contains("panick"), "{}", lines[0]);
    }
    for name in ["truncated.txt", "stray.txt"] {
        let lines = lines_about(&err, name);
        assert_eq!(lines.len(), 1, "{err}");
        assert!(
            lines[0].contains("warning") && lines[0].contains("UTF-8"),
            "{}",
            lines[0]
        );
    }
    assert!(lines_about(&err, "picture.png").is_empty(), "{err}");
    assert!(lines_about(&err, "noise.txt").is_empty(), "{err}");
    assert_eq!(err.lines().count(), 9, "nothing else on stderr:\n{err}");

    // The good file and the damaged UTF-8 copies gave their facts.
    let facts = facts_of(&out);
    let count = |doc: &str| facts.iter().filter(|f| f["doc"] == doc).count();
    let full = count("good");
    assert!(full > 100, "{full}");
    assert_eq!(count("stray"), full, "a stray byte costs no facts");
    assert!(count("truncated") > full * 9 / 10, "{} of {full}", count("truncated"));
    let mut texts = BTreeMap::new();
    for doc in ["good", "stray", "truncated", "noise"] {
        let src = policykg::input::read_document(&dir.join(format!("{doc}.txt"))).unwrap();
        texts.insert(doc.to_string(), src.text.chars().collect::<Vec<char>>());
    }
    assert_evidence_exact(&facts, &texts);
    eprintln!(
        "bad inputs: 12 files, 7 skipped, 2 repaired, {} facts, {elapsed:?}",
        facts.len()
    );

    // Only bad files: still exit 1; a missing path too; a missing store is exit 2.
    let only_bad = policykg().arg("extract").arg(dir.join("empty.txt")).output().unwrap();
    assert_eq!(only_bad.status.code(), Some(1));
    let missing = policykg().arg("extract").arg(dir.join("nope.txt")).output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr_of(&missing).contains("nope.txt: does not exist"));
    let no_store = policykg()
        .args(["check", "--store"])
        .arg(dir.join("no.db"))
        .output()
        .unwrap();
    assert_eq!(no_store.status.code(), Some(2));
    assert!(
        stderr_of(&no_store).contains("does not exist"),
        "{}",
        stderr_of(&no_store)
    );
    let usage = policykg().args(["extract", "--format", "yaml", "x"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    // A good file alone: exit 0.
    let ok = policykg().arg("extract").arg(dir.join("good.txt")).output().unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", stderr_of(&ok));
}

/// UTF-16 with a byte-order mark (encoding_rs only encodes to UTF-8-compatible encodings).
fn utf16(text: &str, little: bool) -> Vec<u8> {
    let mut b = if little { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
    for u in text.encode_utf16() {
        b.extend_from_slice(&if little { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    b
}

#[test]
fn a_folder_of_mixed_encodings_is_read_whole() {
    let dir = temp_dir("rb-encodings");
    let simplified = seed_text(SEED_004);
    // Big5 has no Simplified characters: the Traditional text, keeping only what Big5 encodes.
    let traditional: String = zhconv::zhconv(&simplified, zhconv::Variant::ZhHant)
        .chars()
        .filter(|c| {
            let (_, _, unmappable) = encoding_rs::BIG5.encode(c.encode_utf8(&mut [0; 4]));
            !unmappable
        })
        .collect();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(simplified.as_bytes());
    let (gb, _, gb_unmappable) = encoding_rs::GB18030.encode(&simplified);
    let (big5, _, big5_unmappable) = encoding_rs::BIG5.encode(&traditional);
    assert!(!gb_unmappable && !big5_unmappable);
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a_utf8", simplified.as_bytes().to_vec(), "UTF-8"),
        ("b_utf8bom", bom, "UTF-8"),
        ("c_utf16le", utf16(&simplified, true), "UTF-16LE"),
        ("d_utf16be", utf16(&simplified, false), "UTF-16BE"),
        ("e_gb18030", gb.into_owned(), "gb18030|GBK"),
        ("f_big5", big5.into_owned(), "Big5"),
    ];
    for (name, bytes, _) in &files {
        std::fs::write(dir.join(format!("{name}.txt")), bytes).unwrap();
    }
    let out = policykg()
        .args(["extract", "--format", "jsonl"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(out.stderr.is_empty(), "no warnings: {}", stderr_of(&out));
    let facts = facts_of(&out);
    let key = |f: &serde_json::Value| {
        let mut f = f.clone();
        f.as_object_mut().unwrap().remove("doc");
        f.to_string()
    };
    let of = |doc: &str| -> Vec<String> { facts.iter().filter(|f| f["doc"] == doc).map(key).collect() };
    let reference = of("a_utf8");
    assert!(reference.len() > 50, "{}", reference.len());
    let mut texts = BTreeMap::new();
    for (name, _, encodings) in &files {
        let src = policykg::input::read_document(&dir.join(format!("{name}.txt"))).unwrap();
        assert!(
            encodings.split('|').any(|e| e == src.encoding),
            "{name} read as {}",
            src.encoding
        );
        let expected = if *name == "f_big5" { &traditional } else { &simplified };
        assert_eq!(&src.text, expected, "{name} decodes to the original text");
        texts.insert(name.to_string(), src.text.chars().collect::<Vec<char>>());
        if *name != "f_big5" {
            assert_eq!(of(name), reference, "{name} gives the same facts as UTF-8");
        } else {
            // Traditional script: same relations (its evidence is its own text).
            let rels = |doc: &str| facts.iter().filter(|f| f["doc"] == doc && f["rel"] == "leads").count();
            assert_eq!(rels(name), rels("a_utf8"), "Big5 copy gives the same leads");
        }
    }
    assert_evidence_exact(&facts, &texts);
}

/// A document of `bytes` bytes on one line: the seed text with its line breaks made spaces.
fn single_line(bytes: usize) -> String {
    let seed = seed_text(SEED_003).replace(['\r', '\n'], " ");
    let mut s = String::with_capacity(bytes + seed.len());
    while s.len() < bytes {
        s.push_str(&seed);
    }
    let mut cut = bytes;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s
}

fn check_single_line(bytes: usize, limit: Duration, max_rss_mib: u64) {
    let dir = temp_dir(&format!("rb-line-{bytes}"));
    let text = single_line(bytes);
    let path = dir.join("line.txt");
    std::fs::write(&path, &text).unwrap();
    let (out, elapsed, peak) = run_measured(
        {
            let mut c = policykg();
            c.args(["extract", "--format", "jsonl"]).arg(&path);
            c
        },
        limit,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let facts = facts_of(&out);
    assert!(facts.len() > bytes / 1000, "{} facts", facts.len());
    let mut texts = BTreeMap::new();
    texts.insert("line".to_string(), text.chars().collect::<Vec<char>>());
    assert_evidence_exact(&facts, &texts);
    // Task texts and headings are capped, so facts do not each copy the whole line.
    assert!(facts
        .iter()
        .all(|f| f["task"]["text"].as_str().map_or(0, |t| t.chars().count()) <= 501));
    eprintln!(
        "single line of {:.1} MB: {elapsed:.2?}, peak RSS {} MiB, {} facts, {:.1} MB of JSON",
        bytes as f64 / 1e6,
        peak / 1024,
        facts.len(),
        out.stdout.len() as f64 / 1e6
    );
    assert!(peak / 1024 < max_rss_mib, "peak RSS {} MiB", peak / 1024);
}

/// A 1 MB line in the normal suite (debug build: about 2 s); see the ignored test for 50 MB.
#[test]
fn a_long_single_line_finishes_with_bounded_memory() {
    let _load = common::exclusive();
    check_single_line(1_000_000, Duration::from_secs(120), 400);
}

/// The full 50 MB line of the issue. Debug build: see the README figures (minutes).
#[test]
#[ignore = "long: 50 MB single line (cargo test --test it -- --ignored fifty)"]
fn fifty_megabyte_single_line() {
    let _load = common::exclusive();
    check_single_line(50_000_000, Duration::from_secs(3600), 16_000);
}

fn check_tiny_files(n: usize, limit: Duration) {
    let dir = temp_dir(&format!("rb-tiny-{n}"));
    let docs = dir.join("docs");
    // 100 subdirectories of tiny documents, each with one responsibility.
    for d in 0..100 {
        std::fs::create_dir_all(docs.join(format!("d{d:03}"))).unwrap();
    }
    let started = Instant::now();
    for i in 0..n {
        let text = format!("{}.推进第{i}项工作。(市发改委牵头)\n", i % 9 + 1);
        std::fs::write(docs.join(format!("d{:03}/t{i:06}.txt", i % 100)), text).unwrap();
    }
    let made = started.elapsed();
    let (out, elapsed, peak) = run_measured(
        {
            let mut c = policykg();
            c.args(["extract", "--format", "jsonl"]).arg(&docs);
            c
        },
        limit,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let facts = facts_of(&out);
    let leads = facts.iter().filter(|f| f["rel"] == "leads").count();
    assert_eq!(leads, n, "one leads fact per file");
    let store = dir.join("kg.db");
    let (built, build_time, build_peak) = run_measured(
        {
            let mut c = policykg();
            c.arg("build").arg(&docs).arg("--store").arg(&store);
            c
        },
        limit,
    );
    assert_eq!(built.status.code(), Some(0), "{}", stderr_of(&built));
    assert!(
        stderr_of(&built).contains(&format!("built {n} documents")),
        "{}",
        stderr_of(&built)
    );
    eprintln!(
        "{n} tiny files (written in {made:.2?}): extract {elapsed:.2?} (peak RSS {} MiB), build {build_time:.2?} (peak RSS {} MiB)",
        peak / 1024,
        build_peak / 1024
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// 10,000 tiny files in the normal suite; the ignored test does 100,000.
#[test]
fn ten_thousand_tiny_files() {
    let _load = common::exclusive();
    check_tiny_files(10_000, Duration::from_secs(300));
}

#[test]
#[ignore = "long: 100,000 tiny files (cargo test --test it -- --ignored hundred)"]
fn hundred_thousand_tiny_files() {
    let _load = common::exclusive();
    check_tiny_files(100_000, Duration::from_secs(3600));
}

#[test]
fn files_that_vanish_or_change_kind_during_a_run_are_reported() {
    // In process first: the file list is taken, then the files change before they are read.
    let dir = temp_dir("rb-vanish");
    for name in ["a", "deleted", "fifo", "dir", "link", "z"] {
        std::fs::write(dir.join(format!("{name}.txt")), seed_text(SEED_003)).unwrap();
    }
    let (files, errors) = policykg::input::collect_files(std::slice::from_ref(&dir));
    assert!(errors.is_empty() && files.len() == 6);
    std::fs::remove_file(dir.join("deleted.txt")).unwrap();
    std::fs::remove_file(dir.join("fifo.txt")).unwrap();
    make_fifo(&dir.join("fifo.txt"));
    std::fs::remove_file(dir.join("dir.txt")).unwrap();
    std::fs::create_dir(dir.join("dir.txt")).unwrap();
    std::fs::remove_file(dir.join("link.txt")).unwrap();
    std::os::unix::fs::symlink(dir.join("gone"), dir.join("link.txt")).unwrap();
    let started = Instant::now();
    let mut outcomes = Vec::new();
    policykg::pipeline::run(&files, policykg::resolve::Gazetteer::embedded(), |p, o| {
        outcomes.push((p.file_name().unwrap().to_string_lossy().into_owned(), o));
        true
    });
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "a named pipe must not block"
    );
    let msg = |name: &str| match &outcomes.iter().find(|(n, _)| n == name).unwrap().1 {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    };
    assert_eq!(msg("a.txt"), "ok");
    assert_eq!(msg("z.txt"), "ok");
    assert!(
        msg("deleted.txt").contains("cannot read: No such file"),
        "{}",
        msg("deleted.txt")
    );
    assert!(
        msg("fifo.txt").contains("not a regular file (a named pipe)"),
        "{}",
        msg("fifo.txt")
    );
    assert!(msg("dir.txt").contains("dir.txt: cannot read") || msg("dir.txt").contains("a directory"));
    assert!(msg("link.txt").contains("No such file"), "{}", msg("link.txt"));

    // The binary, with files deleted and replaced while it runs (after its first output).
    let dir = temp_dir("rb-vanish-cli");
    let docs = dir.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let body = seed_text(SEED_003);
    for i in 0..800 {
        std::fs::write(docs.join(format!("a{i:04}.txt")), &body).unwrap();
    }
    for name in ["zz_deleted", "zz_fifo", "zz_dir", "zz_link"] {
        std::fs::write(docs.join(format!("{name}.txt")), &body).unwrap();
    }
    let mut child = ChildGuard(
        policykg()
            .args(["extract", "--format", "jsonl"])
            .arg(&docs)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with('{'), "{first}");
    std::fs::remove_file(docs.join("zz_deleted.txt")).unwrap();
    std::fs::remove_file(docs.join("zz_fifo.txt")).unwrap();
    make_fifo(&docs.join("zz_fifo.txt"));
    std::fs::remove_file(docs.join("zz_dir.txt")).unwrap();
    std::fs::create_dir(docs.join("zz_dir.txt")).unwrap();
    std::fs::remove_file(docs.join("zz_link.txt")).unwrap();
    std::os::unix::fs::symlink(docs.join("gone"), docs.join("zz_link.txt")).unwrap();
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let mut err = String::new();
    child.0.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 4, "{err}");
    for name in ["zz_deleted", "zz_fifo", "zz_dir", "zz_link"] {
        assert_eq!(lines_about(&err, name).len(), 1, "{err}");
    }
    let docs_done: std::collections::BTreeSet<String> = String::from_utf8_lossy(&rest)
        .lines()
        .chain(std::iter::once(first.trim_end()))
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["doc"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(docs_done.len(), 800, "every other document was extracted");
}

fn make_fifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

#[test]
fn symlink_loops_named_pipes_and_dangling_links_in_a_folder() {
    let dir = temp_dir("rb-loops");
    let docs = dir.join("docs");
    std::fs::create_dir_all(docs.join("a/b")).unwrap();
    std::fs::write(docs.join("a/b/doc.txt"), seed_text(SEED_003)).unwrap();
    std::os::unix::fs::symlink(&docs, docs.join("a/b/up")).unwrap(); // a loop to the top
    std::os::unix::fs::symlink(".", docs.join("a/self")).unwrap(); // a loop to itself
    std::os::unix::fs::symlink("loop2.txt", docs.join("loop1.txt")).unwrap(); // link ↔ link
    std::os::unix::fs::symlink("loop1.txt", docs.join("loop2.txt")).unwrap();
    std::os::unix::fs::symlink("nowhere.txt", docs.join("dangling.txt")).unwrap();
    make_fifo(&docs.join("pipe.txt"));
    let (out, elapsed, _) = run_measured(
        {
            let mut c = policykg();
            c.args(["extract", "--format", "jsonl"]).arg(&docs);
            c
        },
        Duration::from_secs(60),
    );
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(elapsed < Duration::from_secs(30));
    for (name, reason) in [
        ("loop1.txt", "broken symbolic link"),
        ("loop2.txt", "broken symbolic link"),
        ("dangling.txt", "broken symbolic link"),
        ("pipe.txt", "named pipe"),
    ] {
        let lines = lines_about(&err, name);
        assert_eq!(lines.len(), 1, "{err}");
        assert!(lines[0].contains(reason), "{}", lines[0]);
    }
    assert_eq!(err.lines().count(), 4, "{err}");
    // The document is read once, not once per way of reaching it.
    let facts = facts_of(&out);
    let leads = facts.iter().filter(|f| f["rel"] == "leads").count();
    assert!(leads > 10 && facts.iter().all(|f| f["doc"] == "doc"));
    let once = policykg()
        .args(["extract", "--format", "jsonl"])
        .arg(docs.join("a/b/doc.txt"))
        .output()
        .unwrap();
    assert_eq!(facts_of(&once).len(), facts.len());
    // A named pipe given by name is refused too, without blocking.
    let (out, _, _) = run_measured(
        {
            let mut c = policykg();
            c.arg("extract").arg(docs.join("pipe.txt"));
            c
        },
        Duration::from_secs(30),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("not a regular file (a named pipe)"));
}

// ------------------------------------------------------------------------------------------
// Store safety: kills, re-runs, concurrent writers
// ------------------------------------------------------------------------------------------

/// A corpus of `copies` × (seeds + dev) documents with distinct ids; with `extra`, every
/// document gets one more item, so that each graph changes.
fn make_corpus(dir: &Path, copies: usize, extra: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let mut sources: Vec<PathBuf> = Vec::new();
    for d in common::corpus_dirs() {
        let (files, _) = policykg::input::collect_files(&[d]);
        sources.extend(files);
    }
    for c in 0..copies {
        for src in &sources {
            let mut text = std::fs::read_to_string(src).unwrap();
            if extra {
                text.push_str("\n99.新建5G基站100个,推进数字化转型。(市发改委牵头,市工信局按职责分工)\n");
            }
            let name = format!("c{c:02}_{}", src.file_name().unwrap().to_string_lossy());
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
}

/// Quads per document graph of a store (opened read-only, then closed).
fn graph_counts(store: &Path) -> BTreeMap<String, usize> {
    let kg = policykg::store::KgStore::open_read_only(store).expect("the store opens");
    kg.document_ids()
        .unwrap()
        .into_iter()
        .map(|id| {
            let n = kg.graph_len(policykg::rdf::graph_iri(&id).as_ref()).unwrap();
            (id, n)
        })
        .collect()
}

fn build(docs: &Path, store: &Path) -> Output {
    policykg()
        .arg("build")
        .arg(docs)
        .arg("--store")
        .arg(store)
        .output()
        .unwrap()
}

fn check_passes(store: &Path) {
    let out = policykg().arg("check").arg("--store").arg(store).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr_of(&out)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Stray bulk-load files (`bulk-*.sst`) in a store directory.
fn stray_bulk_files(store: &Path) -> usize {
    std::fs::read_dir(store)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("bulk-"))
                .count()
        })
        .unwrap_or(0)
}

/// Kills `build` at each of `moments` (a fresh store each time, or a copy of `start_from`),
/// then checks the store and finishes the build. Returns one line per round.
fn kill_rounds(
    docs: &Path,
    work: &Path,
    moments: &[u64],
    start_from: Option<&Path>,
    before: &BTreeMap<String, usize>,
    after: &BTreeMap<String, usize>,
) -> Vec<String> {
    let mut report = Vec::new();
    for (round, &ms) in moments.iter().enumerate() {
        let store = work.join(format!("kill-{round}.db"));
        let _ = std::fs::remove_dir_all(&store);
        if let Some(from) = start_from {
            copy_dir(from, &store);
        }
        let mut child = ChildGuard(
            policykg()
                .arg("build")
                .arg(docs)
                .arg("--store")
                .arg(&store)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        std::thread::sleep(Duration::from_millis(ms));
        let finished_first = child.0.try_wait().unwrap().is_some();
        child.0.kill().unwrap(); // SIGKILL
        child.0.wait().unwrap();
        drop(child);
        let line = if !store.join("CURRENT").exists() {
            format!("{ms} ms: killed before the store was created")
        } else {
            check_passes(&store);
            let counts = graph_counts(&store);
            let (mut old, mut new) = (0, 0);
            for (id, n) in &counts {
                if after.get(id) == Some(n) {
                    new += 1;
                } else if before.get(id) == Some(n) {
                    old += 1;
                } else {
                    panic!(
                        "{ms} ms: document {id} has {n} quads: neither before ({:?}) nor after ({:?})",
                        before.get(id),
                        after.get(id)
                    );
                }
            }
            format!(
                "{ms} ms: {} graphs whole ({new} new, {old} as before), {} absent, {} stray bulk files{}",
                counts.len(),
                after.len() - counts.len(),
                stray_bulk_files(&store),
                if finished_first {
                    " (build had already finished)"
                } else {
                    ""
                }
            )
        };
        // The next build finishes the rest.
        let out = build(docs, &store);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        check_passes(&store);
        assert_eq!(
            &graph_counts(&store),
            after,
            "{ms} ms: the re-run gives the reference store"
        );
        assert_eq!(
            stray_bulk_files(&store),
            0,
            "a read-write open removes stray bulk files"
        );
        report.push(line);
        let _ = std::fs::remove_dir_all(&store);
    }
    report
}

/// Kills `build` at fractions of its clean duration: on a fresh store of `copies` × 19
/// documents (`first`), then over a complete store while every graph is replaced (`replace`).
fn store_survives_kills(copies: usize, first: &[f64], replace: &[f64]) {
    let work = temp_dir(&format!("rb-kill-{copies}"));
    let (v1, v2) = (work.join("v1"), work.join("v2"));
    make_corpus(&v1, copies, false);
    make_corpus(&v2, copies, true);
    // Reference stores, built cleanly: v1 from scratch, v2 over a copy of v1.
    let (ref1, ref2) = (work.join("ref1.db"), work.join("ref2.db"));
    let started = Instant::now();
    assert_eq!(build(&v1, &ref1).status.code(), Some(0));
    let fresh_time = started.elapsed();
    copy_dir(&ref1, &ref2);
    let started = Instant::now();
    if replace.is_empty() {
        // Only the graph counts of v2 are needed: a fresh build is faster than replacing.
        let _ = std::fs::remove_dir_all(&ref2);
    }
    assert_eq!(build(&v2, &ref2).status.code(), Some(0));
    let replace_time = started.elapsed();
    let (c1, c2) = (graph_counts(&ref1), graph_counts(&ref2));
    assert_eq!(c1.len(), c2.len());
    assert!(c1.iter().all(|(id, n)| c2[id] > *n), "every v2 graph differs from v1");
    eprintln!(
        "kill test corpus: {} documents, {} quads; clean build {fresh_time:.2?}, replacing every graph {replace_time:.2?}",
        c1.len(),
        c1.values().sum::<usize>()
    );
    let at = |total: Duration, fractions: &[f64]| -> Vec<u64> {
        fractions
            .iter()
            .map(|f| (total.as_millis() as f64 * f) as u64)
            .collect()
    };
    // A fresh store: every graph absent or whole.
    for line in kill_rounds(&v1, &work, &at(fresh_time, first), None, &BTreeMap::new(), &c1) {
        eprintln!("kill during first build, {line}");
    }
    // Over a complete store, replacing every graph: every graph whole, old or new.
    for line in kill_rounds(&v2, &work, &at(replace_time, replace), Some(&ref1), &c1, &c2) {
        eprintln!("kill during replacement, {line}");
    }
}

/// SIGKILL at several moments of a build (debug build, 2 cores: a few seconds), on a fresh
/// store (380 documents, two bulk-loaded batches) and while every graph is being replaced.
#[test]
fn a_killed_build_leaves_whole_graphs_and_the_next_build_finishes() {
    let _load = common::exclusive();
    store_survives_kills(20, &[0.02, 0.3, 0.55, 0.8], &[]);
    store_survives_kills(6, &[], &[0.1, 0.5, 0.85]);
}

#[test]
#[ignore = "long: more kill moments on a bigger corpus (cargo test --test it -- --ignored kills)"]
fn many_kills() {
    let _load = common::exclusive();
    let moments = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
    store_survives_kills(40, &moments, &moments);
}

#[test]
fn a_second_concurrent_build_is_refused_without_harm() {
    let work = temp_dir("rb-two-writers");
    let docs = work.join("docs");
    make_corpus(&docs, 30, false);
    let reference = work.join("ref.db");
    assert_eq!(build(&docs, &reference).status.code(), Some(0));
    let store = work.join("kg.db");
    let mut first = ChildGuard(
        policykg()
            .arg("build")
            .arg(&docs)
            .arg("--store")
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // Wait until the first build holds the store.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !store.join("LOCK").exists() {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    let second = build(&docs, &store);
    let err = stderr_of(&second);
    assert!(
        first.0.try_wait().unwrap().is_none(),
        "the first build was still running when the second one was refused"
    );
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("is in use by another policykg process"), "{err}");
    assert!(err.contains(&store.display().to_string()), "{err}");
    // A second writer of another kind (demo) is refused the same way.
    let demo = policykg().arg("demo").arg("--store").arg(&store).output().unwrap();
    assert_eq!(demo.status.code(), Some(2));
    assert!(stderr_of(&demo).contains("in use by another policykg process"));
    let status = first.0.wait().unwrap();
    let mut first_err = String::new();
    first.0.stderr.take().unwrap().read_to_string(&mut first_err).unwrap();
    assert_eq!(status.code(), Some(0), "{first_err}");
    check_passes(&store);
    assert_eq!(graph_counts(&store), graph_counts(&reference));
}

// ------------------------------------------------------------------------------------------
// Idempotence and updates
// ------------------------------------------------------------------------------------------

/// The store's quads as sorted N-Quads lines, per graph.
fn dump(store: &Path) -> BTreeMap<String, Vec<String>> {
    let kg = policykg::store::KgStore::open_read_only(store).unwrap();
    let mut graphs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for q in kg.inner().iter() {
        let q = q.unwrap();
        graphs
            .entry(q.graph_name.to_string())
            .or_default()
            .push(format!("{q} ."));
    }
    for lines in graphs.values_mut() {
        lines.sort();
    }
    graphs
}

fn count_quads(store: &Path) -> String {
    let out = policykg()
        .args([
            "query",
            "--format",
            "csv",
            "--query",
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            "--store",
        ])
        .arg(store)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    String::from_utf8_lossy(&out.stdout).lines().last().unwrap().to_string()
}

#[test]
fn the_same_input_twice_gives_the_same_store_and_one_change_touches_one_graph() {
    let work = temp_dir("rb-idem");
    let docs = work.join("docs");
    make_corpus(&docs, 1, false);
    let store = work.join("kg.db");
    let other = work.join("other.db");
    assert_eq!(build(&docs, &store).status.code(), Some(0));
    let first = dump(&store);
    let first_count = count_quads(&store);
    // 19 document graphs and the shared entity graph.
    let entities = format!("<{}>", policykg::vocab::ENTITIES_GRAPH);
    assert_eq!(first.len(), 20);
    assert!(first.contains_key(&entities));
    // Again into the same store, and into a second store: byte-identical N-Quads.
    assert_eq!(build(&docs, &store).status.code(), Some(0));
    assert_eq!(count_quads(&store), first_count);
    assert!(dump(&store) == first, "a re-run changed the store");
    assert_eq!(build(&docs, &other).status.code(), Some(0));
    assert!(dump(&other) == first, "a second store differs");
    // The N-Triples export of the union graph is the same too.
    let export = |s: &Path| {
        let out = policykg()
            .args([
                "query",
                "--format",
                "ntriples",
                "--query",
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                "--store",
            ])
            .arg(s)
            .output()
            .unwrap();
        let mut lines: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(export(&store), export(&other));

    // Change one document: only its graph changes.
    let changed = docs.join(format!("c00_{SEED_004}.txt"));
    let mut text = std::fs::read_to_string(&changed).unwrap();
    text = text.replacen("市发改委", "市商务局", 1);
    text.push_str("\n99.新建5G基站100个。(市工信局牵头)\n");
    std::fs::write(&changed, text).unwrap();
    assert_eq!(build(&docs, &store).status.code(), Some(0));
    let second = dump(&store);
    assert_eq!(second.len(), first.len());
    let changed_graph = format!("<{}>", policykg::rdf::graph_iri(&format!("c00_{SEED_004}")).as_str());
    let mut differing = Vec::new();
    for (g, lines) in &second {
        if first.get(g) != Some(lines) && *g != entities {
            differing.push(g.clone());
        }
    }
    assert_eq!(
        differing,
        vec![changed_graph],
        "only the changed document's graph differs"
    );
    // Shared descriptions may only have grown (a name seen for the first time).
    assert!(first[&entities].iter().all(|l| second[&entities].contains(l)));
    check_passes(&store);

    // Removed from the input: kept without --prune, dropped with it.
    std::fs::remove_file(&changed).unwrap();
    assert_eq!(build(&docs, &store).status.code(), Some(0));
    assert_eq!(dump(&store).len(), 20);
    let pruned = policykg()
        .arg("build")
        .arg(&docs)
        .arg("--prune")
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(pruned.status.code(), Some(0));
    let third = dump(&store);
    assert_eq!(third.len(), 19);
    for (g, lines) in third.iter().filter(|(g, _)| **g != entities) {
        assert_eq!(first.get(g), Some(lines), "{g} untouched by the prune");
    }
    // The prune dropped descriptions only the removed document needed (泰安市's departments).
    assert!(third[&entities].len() < second[&entities].len());
    assert!(third[&entities].iter().all(|l| second[&entities].contains(l)));
    check_passes(&store);
}

#[test]
fn two_files_with_the_same_document_id_do_not_merge_their_graphs() {
    // `a/x.txt` and `b/x.txt` both have the id `x`: the later file wins, with a warning,
    // whether both arrive in one batch or not.
    let work = temp_dir("rb-dup-id");
    std::fs::create_dir_all(work.join("a")).unwrap();
    std::fs::create_dir_all(work.join("b")).unwrap();
    std::fs::copy(project(&format!("seeds/{SEED_003}.txt")), work.join("a/x.txt")).unwrap();
    std::fs::copy(project(&format!("seeds/{SEED_004}.txt")), work.join("b/x.txt")).unwrap();
    std::fs::copy(project(&format!("seeds/{SEED_004}.txt")), work.join("only.txt")).unwrap();
    let store = work.join("kg.db");
    let out = policykg()
        .arg("build")
        .arg(work.join("a"))
        .arg(work.join("b"))
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("b/x.txt: warning: same document id x as"), "{err}");
    let alone = work.join("alone.db");
    assert_eq!(build(&work.join("b"), &alone).status.code(), Some(0));
    assert!(dump(&store) == dump(&alone), "the later file's graph, not a merge");
    check_passes(&store);
}

// ------------------------------------------------------------------------------------------
// The endpoint under load and attack
// ------------------------------------------------------------------------------------------

/// Sends raw bytes, reads until the server closes; the status code (0 when the connection
/// failed or no status line came back) and the body.
fn exchange(addr: SocketAddr, raw: &[u8]) -> (u16, Vec<u8>) {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(5)) else {
        return (0, Vec::new());
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let _ = stream.write_all(raw);
    let mut data = Vec::new();
    let _ = stream.read_to_end(&mut data);
    let Some(split) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
        return (0, Vec::new());
    };
    let status = std::str::from_utf8(&data[..split])
        .ok()
        .and_then(|h| h.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, data[split + 4..].to_vec())
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn get(addr: SocketAddr, target: &str, accept: &str) -> (u16, Vec<u8>) {
    exchange(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut raw = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    exchange(addr, &raw)
}

const COUNT_DOCS: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <https://w3id.org/policykg/ont#Document> }";
const CARTESIAN: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STR(?c) < STR(?f)) }";

/// One kind of client and what it must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Good,
    Named,
    Malformed,
    Huge,
    Slow,
    Update,
    Service,
}

/// Runs one request of a class; true when the answer is the expected one. `503` with
/// "busy" is always acceptable (load shedding) and counted apart.
fn attempt(addr: SocketAddr, class: Class) -> (u16, bool) {
    let (status, body) = match class {
        Class::Good => get(addr, &format!("/query?query={}", enc(COUNT_DOCS)), "text/csv"),
        Class::Named => get(
            addr,
            &format!("/queries/responsibility?dept={}", enc("市发改委")),
            "text/tab-separated-values",
        ),
        Class::Malformed => get(addr, &format!("/query?query={}", enc("SELECT ?x WHERE { ?x")), "*/*"),
        Class::Huge => {
            // A 2 MB body, over the 64 KiB limit: refused before it is read.
            let body = format!("query={}", "A".repeat(2_000_000));
            post(addr, "/query", "application/x-www-form-urlencoded", body.as_bytes())
        }
        Class::Slow => get(addr, &format!("/query?query={}", enc(CARTESIAN)), "*/*"),
        Class::Update => post(addr, "/update", "application/sparql-update", b"CLEAR ALL"),
        Class::Service => get(
            addr,
            &format!(
                "/query?query={}",
                enc("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
            ),
            "*/*",
        ),
    };
    let text = String::from_utf8_lossy(&body);
    let ok = match class {
        Class::Good => status == 200 && text.trim_end().ends_with("\n5"),
        Class::Named => status == 200 && text.lines().count() == 12 && text.contains("无为市发展和改革委员会"),
        Class::Malformed => status == 400,
        // 413, or the connection reset while the client was still sending the body.
        Class::Huge => status == 413 || status == 0,
        Class::Slow => status == 503,
        Class::Update | Class::Service => status == 403,
    };
    (status, ok || (status == 503 && text.contains("busy")))
}

/// Holds a connection open, sending one byte of a request head every `gap`, until `stop`.
fn slowloris(addr: SocketAddr, stop: &AtomicBool, gap: Duration) -> usize {
    let mut closed_by_server = 0;
    let head = b"GET /query?query=SELECT%20*%20WHERE%20%7B%7D HTTP/1.1\r\nHost: x\r\nX-Padding: ";
    while !stop.load(Ordering::SeqCst) {
        let Ok(mut s) = TcpStream::connect(addr) else { continue };
        let _ = s.set_write_timeout(Some(Duration::from_secs(2)));
        let mut i = 0;
        loop {
            if stop.load(Ordering::SeqCst) {
                return closed_by_server;
            }
            let byte = head.get(i).copied().unwrap_or(b'a');
            if s.write_all(&[byte]).is_err() {
                closed_by_server += 1;
                break;
            }
            i += 1;
            std::thread::sleep(gap);
        }
    }
    closed_by_server
}

struct LoadReport {
    counts: BTreeMap<(Class, u16), usize>,
    wrong: Vec<String>,
    slowloris_closed: usize,
}

fn drive_load(addr: SocketAddr, duration: Duration, slowloris_conns: usize) -> LoadReport {
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new(Mutex::new(BTreeMap::new()));
    let wrong = Arc::new(Mutex::new(Vec::new()));
    let mut threads = Vec::new();
    let slow_threads: Vec<_> = (0..slowloris_conns)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || slowloris(addr, &stop, Duration::from_millis(300)))
        })
        .collect();
    let mix = [
        Class::Good,
        Class::Good,
        Class::Good,
        Class::Named,
        Class::Malformed,
        Class::Malformed,
        Class::Huge,
        Class::Slow,
        Class::Slow,
        Class::Update,
        Class::Service,
    ];
    for class in mix {
        let (stop, counts, wrong) = (Arc::clone(&stop), Arc::clone(&counts), Arc::clone(&wrong));
        threads.push(std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let (status, ok) = attempt(addr, class);
                *counts.lock().unwrap().entry((class, status)).or_insert(0) += 1;
                if !ok {
                    wrong.lock().unwrap().push(format!("{class:?} got {status}"));
                }
                if status == 503 {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }));
    }
    std::thread::sleep(duration);
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().unwrap();
    }
    let slowloris_closed = slow_threads.into_iter().map(|t| t.join().unwrap()).sum();
    let counts = counts.lock().unwrap().clone();
    let wrong = wrong.lock().unwrap().clone();
    LoadReport {
        counts,
        wrong,
        slowloris_closed,
    }
}

fn serve_under_load(duration: Duration, slowloris_conns: usize, max_peak_mib: u64) {
    let work = temp_dir("rb-load");
    let store = work.join("kg.db");
    let built = policykg()
        .arg("build")
        .arg(project("seeds"))
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(built.status.code(), Some(0));
    let mut child = ChildGuard(
        policykg()
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--timeout",
                "1",
                "--threads",
                "4",
                "--queue",
                "16",
                "--max-body",
                "65536",
                "--store",
            ])
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let addr: SocketAddr = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim_end_matches("/query").parse().unwrap();
        }
    };
    let log_lines = Arc::new(AtomicUsize::new(0));
    {
        let log_lines = Arc::clone(&log_lines);
        std::thread::spawn(move || {
            for _ in lines {
                log_lines.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    let idle = peak_rss_kib(pid).unwrap();
    let started = Instant::now();
    let report = drive_load(addr, duration, slowloris_conns);
    let elapsed = started.elapsed();
    assert!(child.0.try_wait().unwrap().is_none(), "the server died under load");
    let peak = peak_rss_kib(pid).unwrap();
    // After the storm good queries answer at once (runaway evaluations may hold slots for a
    // while: poll).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = get(addr, &format!("/query?query={}", enc(COUNT_DOCS)), "text/csv");
        if status == 200 {
            assert!(String::from_utf8_lossy(&body).trim_end().ends_with("\n5"));
            break;
        }
        assert!(Instant::now() < deadline, "the server does not recover: {status}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut by_class: BTreeMap<Class, BTreeMap<u16, usize>> = BTreeMap::new();
    for ((class, status), n) in &report.counts {
        *by_class.entry(*class).or_default().entry(*status).or_insert(0) += n;
    }
    let total: usize = report.counts.values().sum();
    eprintln!(
        "load: {total} requests in {elapsed:.1?} ({} log lines), {slowloris_conns} slowloris connections (closed by the server {} times)",
        log_lines.load(Ordering::Relaxed),
        report.slowloris_closed
    );
    for (class, statuses) in &by_class {
        eprintln!("  {class:?}: {statuses:?}");
    }
    eprintln!("  server RSS: {} MiB idle, peak {} MiB", idle / 1024, peak / 1024);
    assert!(report.wrong.is_empty(), "unexpected answers: {:?}", report.wrong);
    let answered = |class: Class| by_class.get(&class).and_then(|m| m.get(&200)).copied().unwrap_or(0);
    let secs = duration.as_secs().max(1) as usize;
    // Loose floors: CI runs this next to the kill test on 2 cores (a quiet machine answers
    // about 40 counts and 1.5 named queries per second here).
    assert!(
        answered(Class::Good) >= 2 * secs,
        "good queries kept answering: {by_class:?}"
    );
    assert!(
        answered(Class::Named) >= 1,
        "named queries kept answering: {by_class:?}"
    );
    for (class, status) in [
        (Class::Malformed, 400),
        (Class::Slow, 503),
        (Class::Update, 403),
        (Class::Service, 403),
    ] {
        assert!(
            by_class.get(&class).and_then(|m| m.get(&status)).is_some(),
            "{class:?} never got {status}: {by_class:?}"
        );
    }
    assert!(
        by_class.get(&Class::Huge).and_then(|m| m.get(&413)).is_some(),
        "huge bodies get 413: {by_class:?}"
    );
    assert!(peak / 1024 < max_peak_mib, "server peak RSS {} MiB", peak / 1024);
}

/// Six seconds of mixed traffic with eight slowloris connections (debug build).
#[test]
fn the_endpoint_stays_up_and_correct_under_load_and_attack() {
    let _load = common::exclusive();
    serve_under_load(Duration::from_secs(6), 8, 1024);
}

#[test]
#[ignore = "long: one minute of load with 64 slowloris connections (cargo test --test it -- --ignored endpoint_minute)"]
fn endpoint_minute_of_load() {
    let _load = common::exclusive();
    serve_under_load(Duration::from_secs(60), 64, 2048);
}
