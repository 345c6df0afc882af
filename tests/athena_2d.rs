//! Refined 2-D Athena++ meshes (one cell along x3): a hierarchy one cell thick refined by
//! [2, 2, 1], its missing parents (here every level-0 block) synthesized from their four
//! children; and the 2-D and 1-D meshes that are refused, with errors naming the file.

mod common;

use amrcast::formats::athena::AthenaReader;
use amrcast::formats::{load, DataSource};
use common::athena::{fixture, press, rho, Fixture, Leaf};
use common::read_grid::assert_read_grid_matches;
use glam::DVec3;
use hdf5_writer::ByteOrder;
use std::path::Path;

const LO: [f64; 3] = [0.0, -1.0, -0.5];
const HI: [f64; 3] = [2.0, 1.0, 0.5];

/// A root of 2x2 blocks of 4x4x1 cells, every one refined (no level-0 block stored); of the
/// 16 level-1 blocks, (1, 2) refined again: 15 + 4 stored leaves.
fn leaves() -> Vec<Leaf> {
    let mut v = Vec::new();
    for y in 0..4 {
        for x in 0..4 {
            if [x, y] != [1, 2] {
                v.push((1, [x, y, 0]));
            }
        }
    }
    for y in 4..6 {
        for x in 2..4 {
            v.push((2, [x, y, 0]));
        }
    }
    v
}

fn flat(leaves: &[Leaf], order: ByteOrder) -> Fixture {
    fixture(leaves, [8, 8, 1], [4, 4, 1], LO, HI, order)
}

fn centre(g: &amrcast::amr::AmrGrid, i: usize, j: usize) -> DVec3 {
    g.left + (DVec3::new(i as f64, j as f64, 0.0) + 0.5) * g.cell_size()
}

fn open_err(path: &Path) -> String {
    let e = AthenaReader::open(path)
        .err()
        .expect("the file must be refused");
    let msg = e.to_string();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    assert!(msg.contains(&name), "{msg}");
    msg
}

#[test]
fn a_refined_2d_mesh_without_level_0_blocks_is_one_cell_thick() {
    let dir = tempfile::tempdir().unwrap();
    let path = flat(&leaves(), ByteOrder::BigEndian).write(&dir.path().join("b.athdf"));
    let r = AthenaReader::open(&path).unwrap();
    assert_eq!(r.stored_blocks_per_level(), &[0, 15, 4]);
    // The 4 root blocks and level-1 block (1, 2).
    assert_eq!(r.synthesized_blocks(), 5);
    let h = r.hierarchy();
    assert_eq!(h.dimensionality(), 2);
    assert_eq!(h.root_dims, [8, 8, 1]);
    assert_eq!((h.ratio(0), h.ratio(1)), ([2, 2, 1], [2, 2, 1]));
    assert_eq!(
        (h.domain_left, h.domain_right),
        (DVec3::from(LO), DVec3::from(HI))
    );
    let per_level: Vec<usize> = (0..3)
        .map(|l| h.grids.iter().filter(|g| g.level == l).count())
        .collect();
    assert_eq!(per_level, [4, 16, 4]);
    for g in &h.grids {
        assert_eq!(g.dims, [4, 4, 1]);
        assert_eq!((g.left.z, g.right.z), (-0.5, 0.5), "grid {}", g.id);
    }
    // Level-2 block (2, 4): x in [0.5, 0.75], y in [0, 0.25] (stored 15th).
    let g = h.grids.iter().find(|g| g.id == 15).unwrap();
    assert_eq!((g.level, g.left.x, g.left.y), (2, 0.5, 0.0));
    assert_eq!((g.right.x, g.right.y), (0.75, 0.25));
    let n = h.finest_grid_at(DVec3::new(0.6, 0.1, 0.0)).unwrap();
    assert_eq!(h.grids[n].level, 2);
    let n = h.finest_grid_at(DVec3::new(0.4, 0.1, 0.0)).unwrap();
    assert_eq!(h.grids[n].level, 1);
}

#[test]
fn stored_blocks_are_exact_and_parents_the_means_of_four_children() {
    let dir = tempfile::tempdir().unwrap();
    for order in [ByteOrder::BigEndian, ByteOrder::LittleEndian] {
        let path = flat(&leaves(), order).write(&dir.path().join("v.athdf"));
        let r = AthenaReader::open(&path).unwrap();
        assert_eq!(assert_read_grid_matches(&r, None), 3 * 24);
        let ds = load(&r, Some("press")).unwrap();
        let h = &ds.hierarchy;
        for (n, g) in h.grids.iter().enumerate() {
            for (i, j) in [(0, 0), (3, 1), (1, 3), (2, 2)] {
                let v = ds.grid_value(n, i, j, 0) as f64;
                if g.id < 19 {
                    assert_eq!(v as f32, press(centre(g, i, j)) as f32, "grid {}", g.id);
                    continue;
                }
                // A synthesized cell: the mean of the four finer cells under it.
                let c = centre(g, i, j);
                let q = g.cell_size() * 0.25;
                let mean = [(-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)]
                    .iter()
                    .map(|&(sx, sy)| {
                        let p = c + DVec3::new(sx * q.x, sy * q.y, 0.0);
                        ds.nearest_value(g.level + 1, p) as f64
                    })
                    .sum::<f64>()
                    / 4.0;
                assert!(
                    (v - mean).abs() <= 1e-6 * mean.abs(),
                    "grid {} ({i}, {j})",
                    g.id
                );
            }
        }
        // rho is linear: its restriction is rho at the parent's centre, through two levels.
        let ds = load(&r, Some("rho")).unwrap();
        let root = &ds.hierarchy.grids[0];
        assert_eq!(root.level, 0);
        let want = rho(centre(root, 1, 2));
        assert!((ds.grid_value(0, 1, 2, 0) as f64 - want).abs() < 1e-6 * want);
    }
}

#[test]
fn broken_2d_meshes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A level-2 sibling missing.
    let mut v = leaves();
    v.retain(|&l| l != (2, [3, 5, 0]));
    let path = flat(&v, ByteOrder::BigEndian).write(&dir.path().join("hole.athdf"));
    let msg = open_err(&path);
    assert!(
        msg.contains("octree is incomplete") && msg.contains("level 2 location [3, 5, 0]"),
        "{msg}"
    );
    // A block off the single cell layer along x3.
    let mut v = leaves();
    v[0].1[2] = 1;
    let path = flat(&v, ByteOrder::BigEndian).write(&dir.path().join("x3.athdf"));
    let msg = open_err(&path);
    assert!(
        msg.contains("logical location along x3 of block 0 (level 1) is 1, expected 0..=0"),
        "{msg}"
    );
    // Blocks odd along a refined axis.
    let leaves: Vec<Leaf> = vec![
        (1, [0, 0, 0]),
        (1, [1, 0, 0]),
        (1, [0, 1, 0]),
        (1, [1, 1, 0]),
    ];
    let path = fixture(&leaves, [3, 4, 1], [3, 4, 1], LO, HI, ByteOrder::BigEndian)
        .write(&dir.path().join("odd.athdf"));
    let msg = open_err(&path);
    assert!(
        msg.contains("MeshBlockSize [3, 4, 1] must be even along every refined axis (x1, x2)"),
        "{msg}"
    );
}

#[test]
fn a_refined_1d_mesh_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let leaves: Vec<Leaf> = vec![(0, [1, 0, 0]), (1, [0, 0, 0]), (1, [1, 0, 0])];
    let path = fixture(
        &leaves,
        [8, 1, 1],
        [4, 1, 1],
        LO,
        HI,
        ByteOrder::LittleEndian,
    )
    .write(&dir.path().join("line.athdf"));
    let msg = open_err(&path);
    assert!(msg.contains("refined 1-D Athena++ mesh"), "{msg}");
}
