//! The seed documents built into the binary (by `build.rs`, from `seeds/`), so that `policykg
//! demo` and `policykg bench` work from an installed binary, anywhere.

use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/seeds.rs"));

/// Writes the built-in seeds into `dir` (created if needed; files already there with the same
/// bytes are left alone) and returns their paths.
pub fn write_to(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut paths = Vec::with_capacity(EMBEDDED_SEEDS.len());
    for (name, bytes) in EMBEDDED_SEEDS {
        let path = dir.join(name);
        if std::fs::read(&path).ok().as_deref() != Some(*bytes) {
            std::fs::write(&path, bytes)?;
        }
        paths.push(path);
    }
    Ok(paths)
}

/// The directory `demo` and `bench` read seeds from when none is given: `seeds/` under the
/// working directory (a checkout), else the built-in seeds written to a folder of the system's
/// temporary directory.
pub fn default_dir() -> std::io::Result<PathBuf> {
    let local = PathBuf::from("seeds");
    if local.is_dir() {
        return Ok(local);
    }
    let dir = std::env::temp_dir().join(format!("policykg-{}-seeds", env!("CARGO_PKG_VERSION")));
    write_to(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_are_built_in_and_written_out_whole() {
        assert_eq!(EMBEDDED_SEEDS.len(), 5);
        let dir = std::env::temp_dir().join(format!("policykg-seeds-test-{}", std::process::id()));
        let paths = write_to(&dir).unwrap();
        for ((name, bytes), path) in EMBEDDED_SEEDS.iter().zip(&paths) {
            assert_eq!(path.file_name().unwrap().to_str(), Some(*name));
            assert_eq!(std::fs::read(path).unwrap(), *bytes);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
