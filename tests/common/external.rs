//! Where the real outputs of ../shared/data/external are: `$AMRCAST_EXTERNAL_DATA` when set,
//! else `../shared/data/external` beside the crate root. Tests that use them skip, with a
//! printed message, when the folder is absent.

use std::path::{Path, PathBuf};

/// The external data folder, or `None` (with a message saying where it was looked for) when
/// it is absent.
pub fn external_data() -> Option<PathBuf> {
    let dir = match std::env::var_os("AMRCAST_EXTERNAL_DATA") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/external"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: the external data folder {} is absent (set AMRCAST_EXTERNAL_DATA)",
            dir.display()
        );
        None
    }
}
