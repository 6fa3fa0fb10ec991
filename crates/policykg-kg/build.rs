//! Embeds the query library: every `queries/*.rq` of the checkout becomes an entry of
//! `$OUT_DIR/queries.rs` (`include_str!`, so editing a query rebuilds), and an installed
//! `policykg` answers named queries without its source checkout. The script also keeps
//! `[build-dependencies] cc` (with its `parallel` feature) in the graph, so that RocksDB's C++
//! sources compile in parallel.
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("../../queries");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "rq"))
        .collect();
    files.sort();
    let mut out = String::from("/// `queries/*.rq` when this binary was built: (name, text), by name.\n");
    out.push_str("pub const EMBEDDED_QUERIES: &[(&str, &str)] = &[\n");
    for path in files {
        let abs = std::fs::canonicalize(&path).expect("listed file exists");
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 query file name");
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("queries.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}
