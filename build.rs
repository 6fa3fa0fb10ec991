//! Embeds the seed documents: every file of `seeds/` becomes an entry of `$OUT_DIR/seeds.rs`
//! (`include_bytes!`, so editing a seed rebuilds), so that `policykg demo` runs from an
//! installed binary, anywhere, without its source checkout.
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("seeds");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut out = String::from("/// `seeds/*` when this binary was built: (file name, bytes), by name.\n");
    out.push_str("pub const EMBEDDED_SEEDS: &[(&str, &[u8])] = &[\n");
    for path in files {
        let abs = std::fs::canonicalize(&path).expect("listed file exists");
        let name = path.file_name().and_then(|s| s.to_str()).expect("UTF-8 seed file name");
        out.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("seeds.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}
