//! `read_grid` on the real 3-D outputs of ../shared/data/external (skipped with a message when
//! that folder is absent): every grid read alone, from several threads at once, equals that
//! grid of the whole field.

mod common;

use amrcast::formats::{self, DataSource};
use common::read_grid::assert_read_grid_matches;
use std::path::{Path, PathBuf};

fn external(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/external")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent", p.display());
        None
    }
}

/// Reads every grid of `field` on `threads` threads (each its own share, in its own order)
/// and checks each against `read_field`.
fn read_grids_in_parallel(src: &dyn DataSource, field: &str, threads: usize) {
    let whole = src.read_field(field).unwrap();
    let n = whole.data.len();
    std::thread::scope(|s| {
        for t in 0..threads {
            let whole = &whole;
            s.spawn(move || {
                for m in (t..n).step_by(threads).rev() {
                    let v = src.read_grid(field, m).unwrap();
                    assert_eq!(&v[..], &whole.data[m][..], "{field} grid {m}");
                }
            });
        }
    });
}

#[test]
fn athena_blast3d_grid_by_grid() {
    let Some(p) = external("athenapp-blast3d-amr-selfrun/Blast3D.out1.00001.athdf") else {
        return;
    };
    let src = formats::open(&p).unwrap();
    // 792 stored leaves (14 / 346 / 432) and their synthesized parents: the 50 missing root
    // blocks of the 4^3 and the 54 parents of the 432 level-2 blocks.
    assert_eq!(src.stored_grids_per_level(), Some(vec![14, 346, 432]));
    let grids = src.hierarchy().grids.len();
    assert_eq!(grids, 792 + 50 + 54);
    assert_eq!(assert_read_grid_matches(src.as_ref(), None), 5 * grids);
    read_grids_in_parallel(src.as_ref(), "press", 4);
}
