//! The `policykg` binary end to end: help texts, extract formats, skipped inputs and exit
//! codes, build + query, demo.

use crate::common;

use common::{project, temp_dir};
use std::process::Command;

fn policykg() -> Command {
    Command::new(env!("CARGO_BIN_EXE_policykg"))
}

#[test]
fn help_lists_commands() {
    let out = policykg().arg("--help").output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    for c in ["extract", "build", "query", "demo", "eval"] {
        assert!(s.contains(c), "{s}");
    }
}

#[test]
fn the_query_library_is_built_in() {
    // Run where there is no `queries/` folder: an installed binary lists and finds its queries.
    let cwd = temp_dir("no-checkout");
    let out = policykg().arg("queries").current_dir(&cwd).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed = String::from_utf8_lossy(&out.stdout);
    for name in ["responsibility", "partner-pairs", "view-roles"] {
        assert!(listed.lines().any(|l| l == name), "{name} missing from:\n{listed}");
    }
}

#[test]
fn lexicon_units_change_what_targets_reads() {
    // A unit added in `--lexicon DIR/lexicon/units.tsv` makes figures in that unit targets.
    let work = temp_dir("lexicon-units");
    std::fs::create_dir_all(work.join("lex/lexicon")).unwrap();
    std::fs::create_dir_all(work.join("docs")).unwrap();
    let units = std::fs::read_to_string(project("ontology/lexicon/units.tsv")).unwrap();
    assert!(
        !units.lines().any(|l| l == "棵"),
        "pick a unit the built-in table lacks"
    );
    std::fs::write(work.join("lex/lexicon/units.tsv"), format!("{units}\n棵\n")).unwrap();
    std::fs::write(
        work.join("docs/t.txt"),
        "某市2024年绿化工作要点\n一、主要目标\n1.全年新植树木5000棵,新增绿地120公顷。(市林业局牵头)\n",
    )
    .unwrap();
    let targets = |extra: &[&str]| -> Vec<String> {
        let out = policykg()
            .args(extra)
            .args(["extract", "--format", "jsonl"])
            .arg(work.join("docs"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (String::from_utf8_lossy(&out.stdout).lines())
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|f| f["rel"] == "targets")
            .map(|f| f["indicator"]["unit"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(targets(&[]), ["公顷"]);
    let lex = work.join("lex");
    assert_eq!(targets(&["--lexicon", lex.to_str().unwrap()]), ["棵", "公顷"]);
}

#[test]
fn extract_jsonl_and_skipped_binary() {
    let dir = temp_dir("cli-extract");
    std::fs::copy(project("seeds/003_333bffa1260437b2.txt"), dir.join("003.txt")).unwrap();
    std::fs::write(dir.join("image.txt"), b"\x89PNG\r\n\x1a\n\0\0\0binary").unwrap();
    let out = policykg()
        .args(["extract", "--format", "jsonl"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a skipped input gives exit 1");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("image.txt") && err.contains("PNG"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines
        .iter()
        .any(|v| v["rel"] == "leads" && v["org"]["text"] == "市发改委"));
    assert!(lines.iter().all(|v| v["doc"] == "003"));

    let table = policykg().arg("extract").arg(dir.join("003.txt")).output().unwrap();
    assert_eq!(table.status.code(), Some(0));
    let t = String::from_utf8_lossy(&table.stdout);
    assert!(t.lines().next().unwrap().starts_with("doc"), "{t}");
    assert!(t.contains("市发改委 (无为市发展和改革委员会)"));
}

#[test]
fn missing_store_is_a_clear_error() {
    let dir = temp_dir("cli-nostore");
    let out = policykg()
        .args(["query", "--query", "SELECT * WHERE { ?s ?p ?o }", "--store"])
        .arg(dir.join("nope"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

#[test]
fn demo_builds_and_answers() {
    // Run where there is no `seeds/` folder: an installed binary demonstrates on its built-in
    // seeds.
    let dir = temp_dir("cli-demo");
    let store = dir.join("kg.db");
    let out = policykg()
        .arg("demo")
        .arg("--store")
        .arg(&store)
        .current_dir(&dir)
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{s}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(s.contains("Built 5 seed documents"), "{s}");
    assert!(s.contains("documents") && s.contains("facts: leads"), "{s}");
    assert!(s.contains("无为市发展和改革委员会"), "{s}");
    // The store it left answers queries.
    let q = policykg()
        .args([
            "query",
            "--format",
            "csv",
            "--query",
            "PREFIX pkg: <https://w3id.org/policykg/ont#> SELECT (COUNT(*) AS ?n) WHERE { ?d a pkg:Document }",
            "--store",
        ])
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&q.stdout).trim().lines().last(), Some("5"));
}

#[test]
fn html_page_gives_facts_with_offsets_into_the_page() {
    let dir = temp_dir("cli-html");
    let page = "<!DOCTYPE html><html><head><title>无为市2024年度工作要点</title><script>var x = '(市财政局牵头)';</script></head>\n<body><div class=\"nav\">首页 &gt; 政务公开</div>\n<p>一、全面深化合作</p><p>1.深化与溧阳市经济开发区合作。(无为经济开发区牵头,市发改委、市工信局按照职责分工)</p></body></html>";
    std::fs::write(dir.join("page.html"), page).unwrap();
    let out = policykg()
        .args(["extract", "--format", "jsonl"])
        .arg(dir.join("page.html"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let facts: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let chars: Vec<char> = page.chars().collect();
    assert!(
        facts
            .iter()
            .any(|f| f["rel"] == "leads" && f["org"]["text"] == "无为经济开发区"),
        "{facts:?}"
    );
    assert!(facts
        .iter()
        .any(|f| f["rel"] == "cooperates_with" && f["b"]["text"] == "溧阳市经济开发区"));
    assert!(
        !facts.iter().any(|f| f["org"]["text"] == "市财政局"),
        "script text is not read"
    );
    for f in &facts {
        let (s, e) = (
            f["evidence"]["start"].as_u64().unwrap() as usize,
            f["evidence"]["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            chars[s..e].iter().collect::<String>(),
            f["evidence"]["text"].as_str().unwrap()
        );
    }
}

#[test]
fn rebuild_with_prune_and_check() {
    let dir = temp_dir("cli-prune");
    let docs = dir.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    for s in ["003_333bffa1260437b2", "004_3ff853ae4ec18c33"] {
        std::fs::copy(project(&format!("seeds/{s}.txt")), docs.join(format!("{s}.txt"))).unwrap();
    }
    let store = dir.join("kg.db");
    // The last CSV cell of a one-number query on the store.
    let number = |query: &str| {
        let q = policykg()
            .args(["query", "--format", "csv", "--query", query, "--store"])
            .arg(&store)
            .output()
            .unwrap();
        String::from_utf8_lossy(&q.stdout)
            .trim()
            .lines()
            .last()
            .unwrap_or("")
            .to_string()
    };
    let count = || number("SELECT (COUNT(*) AS ?n) WHERE { ?d a pkg:Document }");
    let quads = || number("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }");
    assert_eq!(
        policykg()
            .arg("build")
            .arg(&docs)
            .arg("--store")
            .arg(&store)
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
    assert_eq!(count(), "2");
    let first = quads();
    // The same input again: same graph.
    assert_eq!(
        policykg()
            .arg("build")
            .arg(&docs)
            .arg("--store")
            .arg(&store)
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
    assert_eq!(quads(), first);
    let check = policykg().arg("check").arg("--store").arg(&store).output().unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    // A removed input disappears only with --prune.
    std::fs::remove_file(docs.join("004_3ff853ae4ec18c33.txt")).unwrap();
    policykg()
        .arg("build")
        .arg(&docs)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(count(), "2");
    let out = policykg()
        .arg("build")
        .arg(&docs)
        .arg("--prune")
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pruned 1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(count(), "1");
    assert_eq!(
        policykg()
            .arg("check")
            .arg("--store")
            .arg(&store)
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
}

/// Re-running `build` over an unchanged archive extracts nothing again; a changed file, a moved
/// file, other lexicon tables or `--force` make their documents extract again, and the store
/// ends equal to a fresh build each time.
#[test]
fn rebuild_skips_documents_stored_unchanged() {
    let work = temp_dir("incremental");
    let docs = work.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    for f in std::fs::read_dir(project("seeds")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, docs.join(f.file_name().unwrap())).unwrap();
    }
    let store = work.join("kg.db");
    let build = |extra: &[&str]| {
        let out = policykg()
            .arg("build")
            .arg(&docs)
            .arg("--store")
            .arg(&store)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let dump = |store: &std::path::Path| {
        let out = policykg()
            .args(["export", "--format", "nquads", "--store"])
            .arg(store)
            .output()
            .unwrap();
        let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        lines.sort();
        lines
    };
    let fresh = |name: &str| {
        let s = work.join(name);
        let out = policykg()
            .arg("build")
            .arg(&docs)
            .arg("--store")
            .arg(&s)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        dump(&s)
    };
    assert!(build(&[]).contains("built 5 documents"));
    let first = dump(&store);
    assert!(first.iter().any(|l| l.contains("sourceMd5")));

    let err = build(&[]);
    assert!(
        err.contains("built 0 documents") && err.contains("5 documents unchanged"),
        "{err}"
    );
    assert_eq!(dump(&store), first);

    // One file changes: only it is extracted again, and the store equals a fresh build.
    let changed = docs.join("004_3ff853ae4ec18c33.txt");
    let mut text = std::fs::read_to_string(&changed).unwrap();
    text.push_str("\n99.新建5G基站100个。(市发改委牵头,市工信局按职责分工)\n");
    std::fs::write(&changed, text).unwrap();
    let err = build(&[]);
    assert!(
        err.contains("built 1 documents") && err.contains("4 documents unchanged"),
        "{err}"
    );
    assert_eq!(dump(&store), fresh("fresh1.db"));

    // Other tables: everything is extracted again.
    let lex = work.join("lexicon");
    std::fs::create_dir_all(lex.join("lexicon")).unwrap();
    let aliases = std::fs::read_to_string(project("ontology/lexicon/dept_aliases.tsv")).unwrap();
    std::fs::write(
        lex.join("lexicon/dept_aliases.tsv"),
        format!("{aliases}\n大数据办\t{{jur}}大数据发展管理局\tDepartment\n"),
    )
    .unwrap();
    let err = build(&["--lexicon", lex.to_str().unwrap()]);
    assert!(err.contains("built 5 documents"), "{err}");

    // --force extracts everything again too.
    assert!(build(&["--force"]).contains("built 5 documents"));
    assert_eq!(dump(&store), fresh("fresh2.db"));
    std::fs::remove_dir_all(&work).unwrap();
}
