//! `cargo xtask` — set-up helper for a bare machine.
//!
//! policykg's store is Oxigraph on RocksDB, whose C++ sources are compiled by the first build
//! (a C++ compiler, and libclang for bindgen); diagrams need Graphviz and a CJK font. This
//! helper checks for those *before* any long compile, installs what is missing with the
//! system's package manager when it may (root, or `sudo` without a password), and otherwise
//! stops at once with one line naming the packages and the command that installs them. Then
//! it runs the ordinary cargo command, so `cargo` stays usable directly for anyone who
//! already has the tools.
//!
//! ```text
//! cargo xtask demo     # set up, then `cargo run --release -- demo`
//! cargo xtask test     # set up, then `cargo test` (policykg-extract, policykg-kg, policykg)
//! cargo xtask setup    # only check and install the system packages
//! cargo xtask check    # only report what is missing (exit 1 if anything is)
//! ```
//!
//! Extra arguments after the command go to cargo's command (`cargo xtask test -- --nocapture`
//! becomes `cargo test -- --nocapture`; `cargo xtask test -p policykg-extract` tests only the
//! extraction crate, which needs no RocksDB). `POLICYKG_NO_INSTALL=1` reports instead of installing.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// One system requirement: how to tell it is there, and the Debian package that brings it.
struct Requirement {
    what: &'static str,
    package: &'static str,
    present: fn() -> bool,
    /// Needed to compile (as opposed to only for diagrams).
    for_build: bool,
}

const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        what: "C++ compiler",
        package: "g++",
        present: has_cxx,
        for_build: true,
    },
    Requirement {
        what: "libclang (bindgen in oxrocksdb-sys)",
        package: "libclang-dev",
        present: has_libclang,
        for_build: true,
    },
    Requirement {
        what: "Graphviz `dot` (diagrams)",
        package: "graphviz",
        present: has_dot,
        for_build: false,
    },
    Requirement {
        what: "a CJK font (Chinese labels in diagrams)",
        package: "fonts-noto-cjk",
        present: has_cjk_font,
        for_build: false,
    },
];

fn main() -> ExitCode {
    let mut args = env::args_os().skip(1);
    let cmd = args.next().and_then(|a| a.into_string().ok()).unwrap_or_default();
    let rest: Vec<OsString> = args.collect();
    match cmd.as_str() {
        "demo" => setup_then(&["run", "--release", "--", "demo"], &rest),
        "test" => setup_then(&["test"], &rest),
        "setup" => match ensure_packages() {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        "check" => {
            let missing = missing();
            for r in REQUIREMENTS {
                let ok = !missing.iter().any(|m| m.package == r.package);
                println!(
                    "{:<44} {}",
                    r.what,
                    if ok {
                        "ok".to_string()
                    } else {
                        format!("missing (package {})", r.package)
                    }
                );
            }
            if missing.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        _ => {
            eprintln!("usage: cargo xtask <demo|test|setup|check> [-- cargo arguments]");
            eprintln!("  demo   install what is missing, then `cargo run --release -- demo`");
            eprintln!("  test   install what is missing, then `cargo test`");
            eprintln!("  setup  install what is missing (g++, libclang-dev, graphviz, fonts-noto-cjk)");
            eprintln!("  check  report what is missing");
            ExitCode::from(2)
        }
    }
}

fn missing() -> Vec<&'static Requirement> {
    REQUIREMENTS.iter().filter(|r| !(r.present)()).collect()
}

/// Installs the missing packages when allowed, or prints the one line that says what to do.
fn ensure_packages() -> Result<(), ExitCode> {
    let missing = missing();
    if missing.is_empty() {
        return Ok(());
    }
    let packages: Vec<&str> = missing.iter().map(|r| r.package).collect();
    let list = packages.join(" ");
    let apt = which("apt-get").is_some();
    let how = if is_root() {
        Some(vec![])
    } else if apt && which("sudo").is_some() && quiet(Command::new("sudo").args(["-n", "true"])) {
        Some(vec!["sudo", "-n"])
    } else {
        None
    };
    let refuse = env::var_os("POLICYKG_NO_INSTALL").is_some_and(|v| !v.is_empty() && v != "0");
    match how {
        Some(prefix) if apt && !refuse => {
            eprintln!("xtask: installing {list} (apt-get) ...");
            let t = Instant::now();
            let run = |args: &[&str]| {
                let mut all: Vec<&str> = prefix.clone();
                all.extend_from_slice(args);
                let mut c = Command::new(all[0]);
                // apt's own progress is noise here; its errors (stderr) still show.
                c.args(&all[1..])
                    .env("DEBIAN_FRONTEND", "noninteractive")
                    .stdout(Stdio::null());
                c.status().map(|s| s.success()).unwrap_or(false)
            };
            let ok = run(&["apt-get", "update", "-qq"])
                && run(&[
                    &["apt-get", "install", "-y", "-qq", "--no-install-recommends"][..],
                    &packages,
                ]
                .concat());
            let still: Vec<&str> = self::missing().iter().map(|r| r.package).collect();
            if ok && still.is_empty() {
                eprintln!("xtask: installed {list} in {:.0} s", t.elapsed().as_secs_f64());
                Ok(())
            } else {
                eprintln!(
                    "xtask: could not install {} — run: sudo apt-get install -y {}",
                    still.join(" "),
                    still.join(" ")
                );
                Err(ExitCode::FAILURE)
            }
        }
        _ => {
            let cmd = if apt {
                format!("sudo apt-get install -y {list}")
            } else {
                format!("install {list} (Debian names) with your package manager")
            };
            eprintln!(
                "xtask: missing {}: {list} — {cmd}, then run this again",
                describe(&missing)
            );
            Err(ExitCode::FAILURE)
        }
    }
}

fn describe(missing: &[&Requirement]) -> &'static str {
    if missing.iter().any(|r| r.for_build) {
        "packages needed to build"
    } else {
        "packages needed for diagrams"
    }
}

fn setup_then(cargo_args: &[&str], rest: &[OsString]) -> ExitCode {
    if let Err(code) = ensure_packages() {
        return code;
    }
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let root = workspace_root();
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let profile = if cargo_args.contains(&"--release") {
        "release"
    } else {
        "debug"
    };
    if !target
        .join(profile)
        .join("build")
        .read_dir()
        .is_ok_and(|mut d| d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("oxrocksdb-sys"))))
    {
        eprintln!(
            "xtask: first {profile} build: RocksDB (C++) compiles once, about 15 minutes on 2 cores; \
             later builds take seconds. cargo shows its progress below."
        );
    }
    let mut c = Command::new(cargo);
    c.current_dir(&root).args(cargo_args);
    // `--` already in cargo_args (demo): pass the rest after it; otherwise as given.
    c.args(rest);
    // Tests make stores and corpora in the temporary directory (about 200 MB a run) and do not
    // all clean up after a killed child: give the run its own directory and remove it after.
    let scratch =
        (cargo_args.first() == Some(&"test")).then(|| target.join("test-tmp").join(std::process::id().to_string()));
    if let Some(dir) = &scratch {
        let _ = std::fs::remove_dir_all(dir);
        if std::fs::create_dir_all(dir).is_ok() {
            c.env("TMPDIR", dir);
        }
    }
    let status = c.status();
    if let Some(dir) = &scratch {
        let _ = std::fs::remove_dir_all(dir);
    }
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(s.code().unwrap_or(1).clamp(1, 255) as u8),
        Err(e) => {
            eprintln!("xtask: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The checkout `cargo xtask` was run in. `cargo run` sets `CARGO_MANIFEST_DIR` for the process;
/// the compile-time value is only a fallback, because a target directory shared by several
/// checkouts (CI's cache) keeps an xtask binary built in another one.
fn workspace_root() -> PathBuf {
    let here = env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn quiet(c: &mut Command) -> bool {
    c.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn which(name: &str) -> Option<PathBuf> {
    env::var_os("PATH").and_then(|p| env::split_paths(&p).map(|d| d.join(name)).find(|f| f.is_file()))
}

fn has_cxx() -> bool {
    if let Some(cxx) = env::var_os("CXX") {
        return which(&cxx.to_string_lossy()).is_some() || Path::new(&cxx).is_file();
    }
    ["c++", "g++", "clang++"].iter().any(|c| which(c).is_some())
}

/// What clang-sys (bindgen) looks for: `LIBCLANG_PATH`, else `libclang.so*` / `libclang-N.so*`
/// (not `libclang-cpp`) in the usual library folders.
fn has_libclang() -> bool {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(p) = env::var_os("LIBCLANG_PATH") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return true;
        }
        dirs.push(p);
    }
    for d in [
        "/usr/lib",
        "/usr/lib64",
        "/usr/local/lib",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
    ] {
        dirs.push(d.into());
    }
    if let Ok(rd) = Path::new("/usr/lib").read_dir() {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with("llvm") {
                dirs.push(e.path().join("lib"));
            }
        }
    }
    dirs.iter().any(|d| {
        d.read_dir().is_ok_and(|rd| {
            rd.flatten().any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                let n = n.as_str();
                (n.starts_with("libclang.so") || (n.starts_with("libclang-") && n.contains(".so")))
                    && !n.starts_with("libclang-cpp")
            })
        })
    })
}

fn has_dot() -> bool {
    which("dot").is_some()
}

fn has_cjk_font() -> bool {
    if which("fc-list").is_some() {
        if let Ok(o) = Command::new("fc-list")
            .args([":lang=zh", "family"])
            .stderr(Stdio::null())
            .output()
        {
            return o.status.success() && !o.stdout.iter().all(u8::is_ascii_whitespace);
        }
    }
    // No fontconfig (yet): look for the font files themselves.
    fn walk(d: &Path, depth: usize) -> bool {
        d.read_dir().is_ok_and(|rd| {
            rd.flatten().any(|e| {
                let n = e.file_name().to_string_lossy().to_ascii_lowercase();
                let p = e.path();
                if p.is_dir() {
                    depth < 4 && walk(&p, depth + 1)
                } else {
                    n.contains("cjk") || n.starts_with("wqy") || n.contains("droidsansfallback")
                }
            })
        })
    }
    ["/usr/share/fonts", "/usr/local/share/fonts"]
        .iter()
        .any(|d| walk(Path::new(d), 0))
}
