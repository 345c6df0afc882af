//! Chombo files as codes write them, each quirk in a small file of its own (written by
//! tests/common/chombo_writer.rs, so these run without ../shared): 2-D files (`SpaceDim 2`,
//! one cell thick), box records padded beyond their members, refinement ratios that differ
//! per level, `outputGhost` in `data_attributes` or on the level group (never `ghost`),
//! checkpoints with a dataset per variable, and files in other coordinates than Cartesian.

mod common;

use amrcast::formats::chombo::{self, ChomboReader};
use amrcast::formats::{load, DataSource};
use common::chombo_writer::{two_levels, value, Fixture, Level, Options, GHOST_VALUE};
use common::read_grid::assert_read_grid_matches;
use glam::DVec3;
use hdf5_writer::AttributeBuilder;
use std::path::Path;

/// A 2-D file: level 0 (8^2, dx 1/8) in two boxes split at i = 4; level 1 refined by 4
/// (dx 1/32) with one box straddling that split; level 2 refined by 2 (dx 1/64) inside it.
fn levels_2d(ghost: Option<[i32; 3]>) -> Vec<Level> {
    vec![
        Level {
            dx: 0.125,
            ref_ratio: 4,
            domain: [0, 0, 0, 7, 7, 0],
            boxes: vec![[0, 0, 0, 3, 7, 0], [4, 0, 0, 7, 7, 0]],
            ghost,
        },
        Level {
            dx: 0.03125,
            ref_ratio: 2,
            domain: [0, 0, 0, 31, 31, 0],
            boxes: vec![[12, 8, 0, 19, 15, 0]],
            ghost,
        },
        Level {
            dx: 0.015625,
            // What mushy-layer and BISICLES write on the finest level.
            ref_ratio: 1,
            domain: [0, 0, 0, 63, 63, 0],
            boxes: vec![[26, 18, 0, 33, 25, 0]],
            ghost,
        },
    ]
}

fn opts_2d() -> Options {
    Options {
        dim: 2,
        ..Options::default()
    }
}

/// Every cell of every grid of `field` (component `c`) holds [`value`] at its global index.
fn assert_values_exact(src: &dyn DataSource, c: usize, field: &str) {
    let ds = load(src, Some(field)).unwrap();
    let h = &ds.hierarchy;
    for (n, g) in h.grids.iter().enumerate() {
        let (s, _) = h.index_box(n);
        assert_eq!(ds.field.data[n].len(), g.num_cells());
        for k in 0..g.dims[2] {
            for j in 0..g.dims[1] {
                for i in 0..g.dims[0] {
                    let (gi, gj, gk) = (s[0] + i as i64, s[1] + j as i64, s[2] + k as i64);
                    let want = value(c, g.level as usize, gi, gj, gk) as f32;
                    assert_eq!(
                        ds.grid_value(n, i, j, k),
                        want,
                        "{field} grid {n} {i},{j},{k}"
                    );
                }
            }
        }
    }
    let ghost = GHOST_VALUE as f32;
    assert!(ds.field.data.iter().all(|d| d.iter().all(|&v| v != ghost)));
}

fn open_err(path: &Path) -> String {
    let msg = amrcast::formats::open(path)
        .err()
        .expect("the file must be refused")
        .to_string();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    assert!(msg.contains(&name), "{msg}");
    msg
}

#[test]
fn two_d_file_is_one_cell_thick_with_ratios_4_then_2() {
    let dir = tempfile::tempdir().unwrap();
    let path =
        Fixture::with(&levels_2d(Some([1, 2, 0])), opts_2d()).write(&dir.path().join("p.2d.hdf5"));
    assert!(chombo::looks_like(&path));
    let r = ChomboReader::open(&path).unwrap();
    let h = r.hierarchy();
    assert_eq!(h.dimensionality(), 2);
    assert_eq!(h.root_dims, [8, 8, 1]);
    assert_eq!(h.refinement_ratios(), vec![4, 2]);
    assert_eq!((h.ratio(0), h.ratio(1)), ([4, 4, 1], [2, 2, 1]));
    // z: level 0's dx, on the domain and every grid.
    assert_eq!(h.domain_left, DVec3::ZERO);
    assert_eq!(h.domain_right, DVec3::new(1.0, 1.0, 0.125));
    assert_eq!(r.boxes_per_level(), vec![2, 1, 1]);
    let edges: Vec<(DVec3, DVec3, [usize; 3])> =
        h.grids.iter().map(|g| (g.left, g.right, g.dims)).collect();
    assert_eq!(
        edges[1],
        (
            DVec3::new(0.5, 0.0, 0.0),
            DVec3::new(1.0, 1.0, 0.125),
            [4, 8, 1]
        )
    );
    assert_eq!(
        edges[2],
        (
            DVec3::new(12.0, 8.0, 0.0) / 32.0,
            DVec3::new(20.0 / 32.0, 0.5, 0.125),
            [8, 8, 1]
        )
    );
    assert_eq!(
        edges[3],
        (
            DVec3::new(26.0, 18.0, 0.0) / 64.0,
            DVec3::new(34.0 / 64.0, 26.0 / 64.0, 0.125),
            [8, 8, 1]
        )
    );
    // Ghost widths 1 along x and 2 along y stripped; values exact on every level.
    assert_values_exact(&r, 0, "density");
    assert_values_exact(&r, 1, "pressure");
    // Level-1 box (12,8)-(19,15), its cell (3, 5): global (15, 13).
    assert_eq!(
        r.read_grid("pressure", 2).unwrap()[3 + 8 * 5],
        value(1, 1, 15, 13, 0) as f32
    );
    assert_eq!(assert_read_grid_matches(&r, None), 2 * 4);
    // The nearest cell at a point of level 2, through the library's slice sampling.
    let ds = load(&r, Some("density")).unwrap();
    let p = DVec3::new(30.5 / 64.0, 20.5 / 64.0, 0.06);
    let v = amrcast::slice::value_at(&ds, p, amrcast::render::Interpolation::Nearest);
    assert_eq!(v, value(0, 2, 30, 20, 0) as f32);
}

#[test]
fn padded_box_records_are_read_by_member_name() {
    let dir = tempfile::tempdir().unwrap();
    // 2-D: 16 bytes of members in 20 (BISICLES, mushy-layer) and 28 (Chombo's SelectRegion)
    // byte records; 3-D: 24 in 32. The padding bytes are 0xAB, not zeros.
    for (dim, size) in [(2, 20), (2, 28), (3, 32)] {
        let (levels, opts) = match dim {
            2 => (levels_2d(None), opts_2d()),
            _ => (two_levels(), Options::default()),
        };
        let opts = Options {
            record_size: Some(size),
            ..opts
        };
        let path = Fixture::with(&levels, opts).write(&dir.path().join(format!("pad{size}.hdf5")));
        assert!(chombo::looks_like(&path), "{size}");
        let src = amrcast::formats::open(&path).unwrap();
        assert_eq!(src.hierarchy().dimensionality(), dim as u32);
        assert_eq!(src.hierarchy().grids.len(), 4);
        assert_values_exact(src.as_ref(), 1, "pressure");
    }
}

#[test]
fn output_ghost_on_the_level_group_is_stripped() {
    let dir = tempfile::tempdir().unwrap();
    for (dim, ghost) in [(3, [2, 1, 1]), (2, [4, 4, 0])] {
        let (mut levels, opts) = match dim {
            2 => (levels_2d(None), opts_2d()),
            _ => (two_levels(), Options::default()),
        };
        for l in &mut levels {
            l.ghost = Some(ghost);
        }
        let opts = Options {
            ghost_on_level_group: true,
            ..opts
        };
        let path = Fixture::with(&levels, opts).write(&dir.path().join(format!("g{dim}.hdf5")));
        let r = ChomboReader::open(&path).unwrap();
        assert_values_exact(&r, 0, "density");
        assert_eq!(assert_read_grid_matches(&r, None), 2 * 4);
    }
}

#[test]
fn checkpoint_is_read_variable_by_variable() {
    let dir = tempfile::tempdir().unwrap();
    for (dim, levels, name) in [
        (3, two_levels(), "chk3.hdf5"),
        (2, levels_2d(Some([1, 1, 0])), "chk2.hdf5"),
    ] {
        let opts = Options {
            dim,
            checkpoint: true,
            ..Options::default()
        };
        let path = Fixture::with(&levels, opts).write(&dir.path().join(name));
        assert!(chombo::looks_like(&path));
        let r = ChomboReader::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.is_checkpoint());
        // advVel (face-centred, objectType "unknown") is not a field.
        assert_eq!(r.field_names(), vec!["density", "pressure"]);
        assert_values_exact(&r, 0, "density");
        assert_values_exact(&r, 1, "pressure");
        assert_eq!(assert_read_grid_matches(&r, None), 2 * 4);
    }
}

#[test]
fn checkpoint_without_cell_data_is_refused_as_a_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options {
        checkpoint: true,
        ..Options::default()
    };
    let mut f = Fixture::with(&two_levels(), opts);
    for v in ["density", "pressure"] {
        f.set_group_attr(
            &format!("level_0/{v}_attributes"),
            AttributeBuilder::fixed_string("objectType", "FluxBox"),
        );
    }
    let msg = open_err(&f.write(&dir.path().join("chk_faces.hdf5")));
    assert!(
        msg.contains("this is a Chombo checkpoint file (per-variable datasets, none of them cell-centred data); amrcast reads plotfiles"),
        "{msg}"
    );
}

#[test]
fn non_cartesian_geometry_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    for (g, name) in [(2, "cylindrical"), (3, "polar"), (4, "spherical")] {
        let mut f = Fixture::with(&levels_2d(None), opts_2d());
        f.set_group_attr("level_0", AttributeBuilder::scalar("geometry", g).unwrap());
        let msg = open_err(&f.write(&dir.path().join(format!("geom{g}.hdf5"))));
        assert!(
            msg.contains(&format!(
                "{name} coordinates (level_0 attribute 'geometry' is {g}"
            )) && msg.contains("only Cartesian Chombo files"),
            "{msg}"
        );
    }
    // PLUTO's Cartesian files are read.
    let mut f = Fixture::with(&levels_2d(None), opts_2d());
    f.set_group_attr(
        "level_0",
        AttributeBuilder::scalar("geometry", 1i32).unwrap(),
    );
    let path = f.write(&dir.path().join("cartesian.hdf5"));
    assert_values_exact(&ChomboReader::open(&path).unwrap(), 0, "density");
}
