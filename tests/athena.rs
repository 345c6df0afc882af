//! Athena++ `.athdf` reading: fixtures written with hdf5-writer in the layout Athena++ uses.

mod common;

use amrcast::formats::athena::{self, AthenaReader};
use amrcast::formats::{load, DataSource};
use amrcast::Error;
use common::athena::{data, etot, fixture, press, rho, Fixture, Leaf};
use common::read_grid::assert_read_grid_matches;
use glam::DVec3;
use hdf5_writer::{AttributeBuilder, ByteOrder, DatasetBuilder, Hdf5Builder, WriteOptions};
use std::path::{Path, PathBuf};

/// A 2x2x2-block root (8^3 cells of 4^3-cell blocks); root block (0,0,0) refined, and its
/// child (1,1,1) refined again: 7 + 7 + 8 stored leaves.
fn refined_leaves() -> Vec<Leaf> {
    let mut v = Vec::new();
    let cube = |o: i64| {
        let mut c = Vec::new();
        for z in 0..2 {
            for y in 0..2 {
                for x in 0..2 {
                    c.push([o + x, o + y, o + z]);
                }
            }
        }
        c
    };
    for l in cube(0).into_iter().filter(|&l| l != [0, 0, 0]) {
        v.push((0, l));
    }
    for l in cube(0).into_iter().filter(|&l| l != [1, 1, 1]) {
        v.push((1, l));
    }
    for l in cube(2) {
        v.push((2, l));
    }
    v
}

const LO: [f64; 3] = [-1.0, 0.0, 0.0];
const HI: [f64; 3] = [1.0, 1.0, 1.0];

fn refined(order: ByteOrder) -> Fixture {
    fixture(&refined_leaves(), [8, 8, 8], [4, 4, 4], LO, HI, order)
}

fn centre(g: &amrcast::amr::AmrGrid, i: usize, j: usize, k: usize) -> DVec3 {
    g.left + (DVec3::new(i as f64, j as f64, k as f64) + 0.5) * g.cell_size()
}

#[test]
fn refined_mesh_hierarchy() {
    let dir = tempfile::tempdir().unwrap();
    let path = refined(ByteOrder::BigEndian).write(&dir.path().join("out.00010.athdf"));
    assert!(athena::looks_like(&path));
    let r = AthenaReader::open(&path).unwrap();
    assert_eq!(r.stored_blocks_per_level(), &[7, 7, 8]);
    assert_eq!(r.synthesized_blocks(), 2);
    let m = r.metadata();
    assert_eq!(m.format, "athena++");
    assert_eq!(m.name, "out.00010");
    assert_eq!(m.time, Some(2.5));
    assert_eq!(r.field_names(), vec!["rho", "press", "Etot"]);

    let h = r.hierarchy();
    assert_eq!(h.domain_left, DVec3::new(-1.0, 0.0, 0.0));
    assert_eq!(h.domain_right, DVec3::new(1.0, 1.0, 1.0));
    assert_eq!(h.root_dims, [8, 8, 8]);
    assert_eq!(h.refinement_ratios(), vec![2; h.max_level() as usize]);
    assert_eq!(h.max_level(), 2);
    assert_eq!(h.grids.len(), 24);
    let per_level: Vec<usize> = (0..3)
        .map(|l| h.grids.iter().filter(|g| g.level == l).count())
        .collect();
    assert_eq!(per_level, [8, 8, 8]);
    assert!(h.grids.iter().all(|g| g.dims == [4, 4, 4]));
    assert_eq!(h.cell_size(0), DVec3::new(0.25, 0.125, 0.125));
    // The first grid is the synthesized root block (0,0,0); stored blocks keep their file index.
    let g0 = &h.grids[0];
    assert_eq!(
        (g0.level, g0.left, g0.right),
        (0, DVec3::new(-1.0, 0.0, 0.0), DVec3::new(0.0, 0.5, 0.5))
    );
    assert!(
        g0.id >= 22,
        "synthesized ids follow the 22 stored blocks, got {}",
        g0.id
    );
    // Stored level-2 block at logical location (3, 2, 3): file index 7 + 7 + 5.
    let g = h.grids.iter().find(|g| g.id == 19).unwrap();
    assert_eq!(g.level, 2);
    assert_eq!(
        g.left,
        DVec3::new(-1.0 + 3.0 * 0.25, 2.0 * 0.125, 3.0 * 0.125)
    );
    assert_eq!(g.right, g.left + DVec3::new(0.25, 0.125, 0.125));
    // The twice-refined region is level-1 block (1,1,1): x in [-0.5, 0], y and z in
    // [0.25, 0.5]. Elsewhere in root block (0,0,0) the finest grid is level 1, outside it 0.
    let n = h.finest_grid_at(DVec3::new(-0.3, 0.3, 0.3)).unwrap();
    assert_eq!(h.grids[n].level, 2);
    let n = h.finest_grid_at(DVec3::new(-0.6, 0.3, 0.3)).unwrap();
    assert_eq!(h.grids[n].level, 1);
    let n = h.finest_grid_at(DVec3::new(0.5, 0.7, 0.7)).unwrap();
    assert_eq!(h.grids[n].level, 0);
}

#[test]
fn stored_values_are_read_exactly() {
    let dir = tempfile::tempdir().unwrap();
    for order in [ByteOrder::BigEndian, ByteOrder::LittleEndian] {
        let path = refined(order).write(&dir.path().join("v.athdf"));
        let src = athena::open(&path).unwrap();
        for (field, f) in [
            ("rho", rho as fn(DVec3) -> f64),
            ("press", press),
            ("Etot", etot),
        ] {
            let ds = load(src.as_ref(), Some(field)).unwrap();
            let h = &ds.hierarchy;
            for (n, g) in h.grids.iter().enumerate() {
                if g.id >= 22 {
                    continue;
                }
                for (i, j, k) in [(0, 0, 0), (3, 0, 1), (1, 2, 3), (3, 3, 3)] {
                    assert_eq!(
                        ds.grid_value(n, i, j, k),
                        f(centre(g, i, j, k)) as f32,
                        "{field} grid {} cell {i},{j},{k} ({order:?})",
                        g.id
                    );
                }
            }
        }
        // The default field is rho.
        assert_eq!(load(src.as_ref(), None).unwrap().field.name, "rho");
    }
}

#[test]
fn synthesized_parents_are_restrictions_of_their_children() {
    let dir = tempfile::tempdir().unwrap();
    let path = refined(ByteOrder::BigEndian).write(&dir.path().join("r.athdf"));
    let src = athena::open(&path).unwrap();
    for field in ["rho", "press", "Etot"] {
        let ds = load(src.as_ref(), Some(field)).unwrap();
        let h = &ds.hierarchy;
        let mut checked = 0;
        for (n, g) in h.grids.iter().enumerate() {
            if g.id < 22 {
                continue;
            }
            let (s, _) = h.index_box(n);
            for k in 0..4 {
                for j in 0..4 {
                    for i in 0..4 {
                        // The 8 children: cells 2*(s+ijk) + {0,1} of the next level.
                        let mut sum = 0.0f64;
                        for c in 0..8i64 {
                            let cell = [
                                2 * (s[0] + i as i64) + (c & 1),
                                2 * (s[1] + j as i64) + ((c >> 1) & 1),
                                2 * (s[2] + k as i64) + (c >> 2),
                            ];
                            let m = h
                                .grid_at_cell(g.level + 1, cell)
                                .expect("child cell exists");
                            let (ms, _) = h.index_box(m);
                            sum += ds.grid_value(
                                m,
                                (cell[0] - ms[0]) as usize,
                                (cell[1] - ms[1]) as usize,
                                (cell[2] - ms[2]) as usize,
                            ) as f64;
                        }
                        let v = ds.grid_value(n, i, j, k);
                        assert!(
                            (v as f64 - sum / 8.0).abs() <= 1e-6 * (sum / 8.0).abs().max(1.0),
                            "{field}: grid {} cell {i},{j},{k}: {v} vs mean {}",
                            g.id,
                            sum / 8.0
                        );
                        if field == "rho" {
                            // Linear data: the mean is the value at the parent's centre.
                            let want = rho(centre(g, i, j, k));
                            assert!((v as f64 - want).abs() < 1e-5, "rho {v} vs {want}");
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 2 * 64);
    }
}

#[test]
fn read_grid_equals_read_field_stored_and_synthesized() {
    let dir = tempfile::tempdir().unwrap();
    for order in [ByteOrder::BigEndian, ByteOrder::LittleEndian] {
        let path = refined(order).write(&dir.path().join("g.athdf"));
        let r = AthenaReader::open(&path).unwrap();
        assert_eq!(assert_read_grid_matches(&r, None), 3 * 24);
        // The synthesized root block (0,0,0): the mean of its children, the twice-refined
        // child included; rho is linear, so each cell is rho at its centre.
        let g0 = &r.hierarchy().grids[0];
        assert!(g0.id >= 22 && g0.level == 0);
        let v = r.read_grid("rho", 0).unwrap();
        for (i, j, k) in [(0, 0, 0), (3, 3, 3), (2, 3, 1)] {
            let want = rho(centre(g0, i, j, k));
            let got = v[i + 4 * (j + 4 * k)] as f64;
            assert!(
                (got - want).abs() < 1e-5 * want,
                "{i},{j},{k}: {got} vs {want}"
            );
        }
        let e = r.read_grid("Density", 0).unwrap_err();
        assert!(matches!(e, Error::UnknownField { .. }), "{e}");
    }
    // Unrefined 3-D and 2-D meshes.
    let two: Vec<Leaf> = vec![(0, [0, 0, 0]), (0, [1, 0, 0])];
    let f = fixture(
        &two,
        [8, 4, 4],
        [4, 4, 4],
        [0.0; 3],
        [2.0, 1.0, 1.0],
        ByteOrder::LittleEndian,
    );
    let r = AthenaReader::open(&f.write(&dir.path().join("u.athdf"))).unwrap();
    assert_eq!(assert_read_grid_matches(&r, None), 3 * 2);
    let flat: Vec<Leaf> = vec![
        (0, [0, 0, 0]),
        (0, [1, 0, 0]),
        (0, [0, 1, 0]),
        (0, [1, 1, 0]),
    ];
    let f = fixture(
        &flat,
        [8, 8, 1],
        [4, 4, 1],
        [0.0, 0.0, -0.5],
        [1.0, 1.0, 0.5],
        ByteOrder::BigEndian,
    );
    let r = AthenaReader::open(&f.write(&dir.path().join("flat.athdf"))).unwrap();
    assert_eq!(assert_read_grid_matches(&r, Some(&["press"])), 4);
}

/// rho at the cell centres of grid `n` of `r` (a stored block).
fn values_of(r: &AthenaReader, n: usize) -> Vec<f32> {
    let g = &r.hierarchy().grids[n];
    let mut v = Vec::new();
    for k in 0..4 {
        for j in 0..4 {
            for i in 0..4 {
                v.push(rho(centre(g, i, j, k)) as f32);
            }
        }
    }
    v
}

#[test]
fn read_grid_of_a_file_truncated_after_open_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = refined(ByteOrder::LittleEndian).write(&dir.path().join("t.athdf"));
    let r = AthenaReader::open(&path).unwrap();
    let full = std::fs::read(&path).unwrap();
    // Cut half-way through rho in `prim` (found by its first stored block's values): the
    // first 11 stored blocks still read, the others are errors naming the file and the grid.
    let h = r.hierarchy();
    let first = h.grids.iter().position(|g| g.id == 0).unwrap();
    let values = r.read_grid("rho", first).unwrap();
    let pattern: Vec<u8> = values[..8].iter().flat_map(|v| v.to_le_bytes()).collect();
    let at = full.windows(32).position(|w| w == pattern).unwrap();
    std::fs::write(&path, &full[..at + 11 * 64 * 4]).unwrap();
    for (n, g) in h.grids.iter().enumerate() {
        match r.read_grid("rho", n) {
            Ok(v) => {
                assert!(g.id < 11, "grid {n} (block {}) read", g.id);
                assert_eq!(v, values_of(&r, n));
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(&format!("t.athdf: grid {n} ")) && msg.contains("truncated"),
                    "{msg}"
                );
                assert!(g.id >= 11, "grid {n} (block {}): {msg}", g.id);
            }
        }
    }
    let e = r.read_field("Etot").unwrap_err().to_string();
    assert!(e.contains("t.athdf"), "{e}");
}

#[test]
fn file_block_order_does_not_matter() {
    let dir = tempfile::tempdir().unwrap();
    let a = refined(ByteOrder::BigEndian).write(&dir.path().join("a.athdf"));
    let mut leaves = refined_leaves();
    leaves.reverse();
    leaves.swap(3, 17);
    let b = fixture(&leaves, [8, 8, 8], [4, 4, 4], LO, HI, ByteOrder::BigEndian)
        .write(&dir.path().join("b.athdf"));
    let da = load(athena::open(&a).unwrap().as_ref(), Some("press")).unwrap();
    let db = load(athena::open(&b).unwrap().as_ref(), Some("press")).unwrap();
    for p in [
        [-0.9, 0.1, 0.1],
        [-0.55, 0.3, 0.35],
        [0.3, 0.8, 0.2],
        [-0.26, 0.49, 0.01],
    ] {
        let p = DVec3::from(p);
        assert_eq!(da.sample(p), db.sample(p), "{p:?}");
    }
}

#[test]
fn uniform_mesh_without_refinement() {
    let dir = tempfile::tempdir().unwrap();
    let leaves: Vec<Leaf> = vec![(0, [0, 0, 0]), (0, [1, 0, 0])];
    let path = fixture(
        &leaves,
        [8, 4, 4],
        [4, 4, 4],
        [0.0; 3],
        [2.0, 1.0, 1.0],
        ByteOrder::LittleEndian,
    )
    .write(&dir.path().join("u.athdf"));
    let r = AthenaReader::open(&path).unwrap();
    assert_eq!(r.stored_blocks_per_level(), &[2]);
    assert_eq!(r.synthesized_blocks(), 0);
    let ds = load(&r, Some("rho")).unwrap();
    assert_eq!(ds.hierarchy.grids.len(), 2);
    assert_eq!(ds.hierarchy.grids[1].left, DVec3::new(1.0, 0.0, 0.0));
    assert_eq!(
        ds.grid_value(1, 2, 1, 3),
        rho(DVec3::new(1.625, 0.375, 0.875)) as f32
    );
}

#[test]
fn unrefined_2d_mesh_is_one_cell_thick() {
    let dir = tempfile::tempdir().unwrap();
    let leaves: Vec<Leaf> = vec![
        (0, [0, 0, 0]),
        (0, [1, 0, 0]),
        (0, [0, 1, 0]),
        (0, [1, 1, 0]),
    ];
    let path = fixture(
        &leaves,
        [8, 8, 1],
        [4, 4, 1],
        [0.0, 0.0, -0.5],
        [1.0, 1.0, 0.5],
        ByteOrder::BigEndian,
    )
    .write(&dir.path().join("flat.athdf"));
    let src = athena::open(&path).unwrap();
    let h = src.hierarchy();
    assert_eq!(h.root_dims, [8, 8, 1]);
    assert_eq!(h.dimensionality(), 2);
    assert!(h.grids.iter().all(|g| g.dims == [4, 4, 1]));
    let ds = load(src.as_ref(), Some("press")).unwrap();
    let n = h.grids.iter().position(|g| g.id == 3).unwrap();
    assert_eq!(
        ds.grid_value(n, 1, 2, 0),
        press(DVec3::new(0.6875, 0.8125, 0.0)) as f32
    );
}

fn open_err(path: &Path) -> String {
    let e = AthenaReader::open(path)
        .err()
        .expect("the file must be refused");
    let msg = e.to_string();
    assert!(
        msg.contains(&path.file_name().unwrap().to_string_lossy().to_string()),
        "{msg}"
    );
    msg
}

#[test]
fn unsupported_coordinates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = refined(ByteOrder::BigEndian);
    f.set_attr(AttributeBuilder::vector("RootGridX1", &[-1.0, 1.0, 1.05]).unwrap());
    let msg = open_err(&f.write(&dir.path().join("ratio.athdf")));
    assert!(msg.contains("RootGridX1 has ratio 1.05"), "{msg}");
    assert!(msg.contains("non-uniform"), "{msg}");

    let mut f = refined(ByteOrder::BigEndian);
    f.set_attr(AttributeBuilder::fixed_string("Coordinates", "cylindrical"));
    let msg = open_err(&f.write(&dir.path().join("cyl.athdf")));
    assert!(
        msg.contains("coordinates 'cylindrical' are not supported"),
        "{msg}"
    );
}

#[test]
fn missing_and_mistyped_attributes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = refined(ByteOrder::BigEndian);
    f.drop_attr("MaxLevel");
    let msg = open_err(&f.write(&dir.path().join("a.athdf")));
    assert!(msg.contains("missing attribute 'MaxLevel'"), "{msg}");

    let mut f = refined(ByteOrder::BigEndian);
    f.set_attr(AttributeBuilder::vector("RootGridSize", &[8.0f64, 8.0, 8.0]).unwrap());
    let msg = open_err(&f.write(&dir.path().join("b.athdf")));
    assert!(
        msg.contains("'RootGridSize'") && msg.contains("expected integers"),
        "{msg}"
    );

    let mut f = refined(ByteOrder::BigEndian);
    f.set_attr(AttributeBuilder::vector("VariableNames", &[1i32, 2, 3]).unwrap());
    let msg = open_err(&f.write(&dir.path().join("c.athdf")));
    assert!(
        msg.contains("'VariableNames'") && msg.contains("expected strings"),
        "{msg}"
    );

    let mut f = refined(ByteOrder::BigEndian);
    f.set_attr(AttributeBuilder::vector("MeshBlockSize", &[4i32, 4]).unwrap());
    let msg = open_err(&f.write(&dir.path().join("d.athdf")));
    assert!(
        msg.contains("'MeshBlockSize'") && msg.contains("2 values, expected 3"),
        "{msg}"
    );

    let mut f = refined(ByteOrder::BigEndian);
    f.set_attr(AttributeBuilder::vector("NumVariables", &[2i32, 2]).unwrap());
    let msg = open_err(&f.write(&dir.path().join("e.athdf")));
    assert!(msg.contains("does not add up"), "{msg}");
}

#[test]
fn inconsistent_datasets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let be = ByteOrder::BigEndian;
    // prim with the wrong number of blocks.
    let mut f = refined(be);
    f.set_dataset(
        "prim",
        data("prim", vec![2, 21, 4, 4, 4], &vec![0f32; 2 * 21 * 64], be),
    );
    let msg = open_err(&f.write(&dir.path().join("a.athdf")));
    assert!(
        msg.contains("dataset 'prim' has shape [2, 21, 4, 4, 4]"),
        "{msg}"
    );

    // A level outside 0..=MaxLevel.
    let mut f = refined(be);
    let mut levels: Vec<i32> = refined_leaves().iter().map(|l| l.0 as i32).collect();
    levels[0] = 5;
    f.set_dataset("Levels", data("Levels", vec![22], &levels, be));
    let msg = open_err(&f.write(&dir.path().join("b.athdf")));
    assert!(msg.contains("level of block 0 is 5"), "{msg}");

    // Faces that disagree with the logical locations.
    let mut f = refined(be);
    f.set_dataset("x2f", data("x2f", vec![22, 5], &vec![0f32; 22 * 5], be));
    let msg = open_err(&f.write(&dir.path().join("c.athdf")));
    assert!(msg.contains("along x2 in 'x2f'"), "{msg}");

    // Logical locations of the wrong shape.
    let mut f = refined(be);
    f.set_dataset(
        "LogicalLocations",
        data("LogicalLocations", vec![22, 2], &vec![0i64; 44], be),
    );
    let msg = open_err(&f.write(&dir.path().join("d.athdf")));
    assert!(
        msg.contains("'LogicalLocations' has shape [22, 2]"),
        "{msg}"
    );
}

#[test]
fn broken_octrees_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A level-2 sibling missing.
    let mut leaves = refined_leaves();
    leaves.retain(|&l| l != (2, [3, 3, 3]));
    let path = fixture(&leaves, [8, 8, 8], [4, 4, 4], LO, HI, ByteOrder::BigEndian)
        .write(&dir.path().join("hole.athdf"));
    let msg = open_err(&path);
    assert!(
        msg.contains("octree is incomplete") && msg.contains("[3, 3, 3]"),
        "{msg}"
    );

    // A leaf with finer leaves inside it.
    let mut leaves = refined_leaves();
    leaves.push((1, [1, 1, 1]));
    let path = fixture(&leaves, [8, 8, 8], [4, 4, 4], LO, HI, ByteOrder::BigEndian)
        .write(&dir.path().join("overlap.athdf"));
    let msg = open_err(&path);
    assert!(
        msg.contains("stored as a leaf but finer blocks lie inside it"),
        "{msg}"
    );

    // The same block twice.
    let mut leaves = refined_leaves();
    leaves.push((0, [1, 1, 1]));
    let path = fixture(&leaves, [8, 8, 8], [4, 4, 4], LO, HI, ByteOrder::BigEndian)
        .write(&dir.path().join("dup.athdf"));
    let msg = open_err(&path);
    assert!(
        msg.contains("share level 0 and logical location [1, 1, 1]"),
        "{msg}"
    );
}

#[test]
fn missing_truncated_and_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = AthenaReader::open(&dir.path().join("nope.athdf"))
        .err()
        .unwrap();
    assert!(
        matches!(e, Error::Io { .. }) && e.to_string().contains("nope.athdf"),
        "{e}"
    );

    let path = refined(ByteOrder::BigEndian).write(&dir.path().join("full.athdf"));
    let bytes = std::fs::read(&path).unwrap();
    for keep in [10, 200, bytes.len() / 2, bytes.len() - 1] {
        let cut = dir.path().join(format!("cut{keep}.athdf"));
        std::fs::write(&cut, &bytes[..keep]).unwrap();
        let r = AthenaReader::open(&cut).and_then(|r| r.read_field("rho").map(|_| ()));
        let e = r.expect_err("truncated");
        assert!(e.to_string().contains(&format!("cut{keep}.athdf")), "{e}");
    }

    // An HDF5 file without the Athena++ attributes.
    let other = dir.path().join("other.h5");
    std::fs::write(
        &other,
        Hdf5Builder::new()
            .dataset(DatasetBuilder::typed_data("x", vec![2], &[1.0f32, 2.0]).unwrap())
            .into_plan()
            .unwrap()
            .encode(WriteOptions::default())
            .unwrap(),
    )
    .unwrap();
    assert!(!athena::looks_like(&other));
    assert!(!athena::looks_like(&dir.path().join("nope.h5")));
    let msg = open_err(&other);
    assert!(msg.contains("missing attribute 'RootGridX1'"), "{msg}");
    // Sniffing by content when the extension says nothing.
    let renamed = dir.path().join("renamed.h5");
    std::fs::copy(&path, &renamed).unwrap();
    assert!(athena::looks_like(&renamed));
    let src = amrcast::formats::open_hdf5_format(&renamed)
        .unwrap()
        .unwrap();
    assert_eq!(src.metadata().format, "athena++");
}

#[test]
fn unknown_field_lists_the_variables() {
    let dir = tempfile::tempdir().unwrap();
    let path = refined(ByteOrder::BigEndian).write(&dir.path().join("f.athdf"));
    let src = athena::open(&path).unwrap();
    let e = src.read_field("Density").unwrap_err();
    assert!(e.to_string().contains("rho, press, Etot"), "{e}");
}

/// Writes the refined fixture to `$AMRCAST_FIXTURE_DIR` for checking with other readers (yt):
/// `AMRCAST_FIXTURE_DIR=/tmp/fx cargo test --test athena -- --ignored`.
#[test]
#[ignore]
fn write_fixture_for_external_check() {
    let Some(dir) = std::env::var_os("AMRCAST_FIXTURE_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    refined(ByteOrder::BigEndian).write(&dir.join("refined.athdf"));
}

#[test]
fn info_reports_the_blocks_the_file_stores() {
    let dir = tempfile::tempdir().unwrap();
    let path = refined(ByteOrder::LittleEndian).write(&dir.path().join("out.00010.athdf"));
    let info = amrcast::info::info(&path).unwrap();
    assert_eq!(info.format, "athena++");
    assert_eq!(info.grids_per_level, vec![7, 7, 8]);
    assert_eq!(info.num_grids, 22);
    assert_eq!(info.cells_per_level, vec![7 * 64, 7 * 64, 8 * 64]);
    assert_eq!(info.max_level, 2);
}
