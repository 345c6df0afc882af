//! The one folder whose datasets `amrcast serve --data-root DIR` may open, and nothing outside
//! it: a viewer names a dataset by a path relative to the root; `..`, absolute paths and links
//! that lead out of the root are refused.

use std::path::{Component, Path, PathBuf};

/// Folders below the root that listing descends into, at most.
pub const LIST_DEPTH: usize = 5;
/// Entries listing looks at, at most (a huge tree is listed in part).
pub const LIST_ENTRIES: usize = 20_000;
/// Datasets a listing returns, at most.
pub const LIST_RESULTS: usize = 1000;

/// A data root: a folder, canonical (links resolved).
#[derive(Clone, Debug)]
pub struct DataRoot {
    root: PathBuf,
}

impl DataRoot {
    /// The root `dir`, which must be a folder.
    pub fn new(dir: &Path) -> crate::Result<DataRoot> {
        let root = dir.canonicalize().map_err(|e| crate::Error::io(dir, e))?;
        if !root.is_dir() {
            return Err(crate::Error::format(dir, "--data-root must be a folder"));
        }
        Ok(DataRoot { root })
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The dataset `relative` names, inside the root with every link resolved; the reason
    /// when it is refused.
    pub fn resolve(&self, relative: &str) -> Result<PathBuf, String> {
        let rel = Path::new(relative);
        if relative.is_empty() || relative.contains('\0') {
            return Err("an empty path".into());
        }
        for c in rel.components() {
            match c {
                Component::Normal(_) | Component::CurDir => {}
                Component::ParentDir => {
                    return Err(format!("'{relative}': '..' is not allowed"));
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(format!(
                        "'{relative}': give a path relative to the data root, not an absolute one"
                    ));
                }
            }
        }
        let full = self
            .root
            .join(rel)
            .canonicalize()
            .map_err(|e| format!("'{relative}': {e}"))?;
        if !full.starts_with(&self.root) {
            return Err(format!("'{relative}' leads outside the data root"));
        }
        Ok(full)
    }

    /// The datasets under the root, as paths relative to it, sorted: Enzo parameter files
    /// (beside `NAME.hierarchy`), AMReX plotfile folders, and HDF5 files that the Athena++,
    /// Chombo or FLASH reader recognises. Links are not followed.
    pub fn list(&self) -> Vec<String> {
        let mut found = Vec::new();
        let mut seen = 0;
        let mut stack = vec![(self.root.clone(), 0)];
        while let Some((dir, depth)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                seen += 1;
                if seen > LIST_ENTRIES || found.len() >= LIST_RESULTS {
                    return self.relative(found);
                }
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let path = entry.path();
                if kind.is_dir() {
                    if crate::formats::amrex::looks_like(&path) {
                        found.push(path);
                    } else if depth < LIST_DEPTH {
                        stack.push((path, depth + 1));
                    }
                } else if kind.is_file() && is_dataset_file(&path) {
                    found.push(path);
                }
            }
        }
        self.relative(found)
    }

    fn relative(&self, paths: Vec<PathBuf>) -> Vec<String> {
        let mut out: Vec<String> = paths
            .iter()
            .filter_map(|p| p.strip_prefix(&self.root).ok())
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        out.sort();
        out
    }
}

/// A file a reader opens as a dataset: an Enzo parameter file (a `NAME.hierarchy` beside it)
/// or an HDF5 file of a format amrcast reads.
fn is_dataset_file(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "athdf" | "h5" | "hdf5" | "hdf" => {
            use crate::formats::{athena, chombo, flash};
            athena::looks_like(path) || chombo::looks_like(path) || flash::looks_like(path)
        }
        "hierarchy" | "boundary" => false,
        _ => {
            let mut h = path.as_os_str().to_owned();
            h.push(".hierarchy");
            Path::new(&h).is_file()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_with_a_dataset() -> (tempfile::TempDir, DataRoot) {
        let dir = tempfile::tempdir().unwrap();
        let ds = dir.path().join("runs/DD0001");
        std::fs::create_dir_all(&ds).unwrap();
        std::fs::write(ds.join("DD0001"), "params").unwrap();
        std::fs::write(ds.join("DD0001.hierarchy"), "grids").unwrap();
        std::fs::write(ds.join("notes.txt"), "text").unwrap();
        let root = DataRoot::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn paths_inside_the_root_resolve() {
        let (dir, root) = root_with_a_dataset();
        let p = root.resolve("runs/DD0001/DD0001").unwrap();
        assert_eq!(
            p,
            dir.path()
                .canonicalize()
                .unwrap()
                .join("runs/DD0001/DD0001")
        );
        assert!(root.resolve("./runs/DD0001").is_ok());
        assert_eq!(root.list(), ["runs/DD0001/DD0001"]);
    }

    #[test]
    fn escapes_are_refused() {
        let (dir, root) = root_with_a_dataset();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).unwrap();
        for (path, why) in [
            ("../x", "'..' is not allowed"),
            ("runs/../../x", "'..' is not allowed"),
            ("/etc/passwd", "not an absolute one"),
            ("out", "leads outside the data root"),
            ("missing/file", "No such file"),
            ("", "an empty path"),
        ] {
            let e = root.resolve(path).unwrap_err();
            assert!(e.contains(why), "{path}: {e}");
        }
        // A link is not followed by the listing either.
        std::fs::write(outside.path().join("x.hierarchy"), "").unwrap();
        std::fs::write(outside.path().join("x"), "").unwrap();
        assert_eq!(root.list(), ["runs/DD0001/DD0001"]);
    }

    #[test]
    fn a_file_is_not_a_root() {
        let (dir, _) = root_with_a_dataset();
        let e = DataRoot::new(&dir.path().join("runs/DD0001/DD0001")).unwrap_err();
        assert!(e.to_string().contains("must be a folder"), "{e}");
    }
}
