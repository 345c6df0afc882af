//! Enzo reader: the real moving7 output (values checked against yt 4.4.3), small fixtures
//! written with hdf5-writer, and bad input.

mod common;
use common::enzo::moving7_copy;

use amrcast::formats::{self, enzo, DataSource};
use common::enzo::{fixture_with, Data, Ds, Fixture};
use common::read_grid::assert_read_grid_matches;
use hdf5_writer::ByteOrder;
use std::path::{Path, PathBuf};

fn moving7() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/moving7_0010/moving7_0010")
}

fn open(path: &Path) -> Box<dyn DataSource> {
    match formats::open(path) {
        Ok(s) => s,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

fn open_err(path: &Path) -> String {
    match formats::open(path) {
        Ok(_) => panic!("{} opened but should not", path.display()),
        Err(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// moving7_0010 (Enzo 1.3, big-endian f32, HDF5 1.6-era file, absolute BaryonFileName paths)
// Reference values from yt 4.4.3.

#[test]
fn moving7_geometry_matches_yt() {
    let src = open(&moving7());
    let h = src.hierarchy();
    assert_eq!(src.metadata().format, "enzo");
    assert_eq!(src.metadata().name, "moving7_0010");
    assert_eq!(h.grids.len(), 10);
    assert_eq!(h.max_level(), 7);
    assert_eq!(h.root_dims, [16, 16, 16]);
    assert_eq!(h.refinement_ratios(), vec![2; h.max_level() as usize]);
    assert_eq!(h.domain_left.to_array(), [0.0; 3]);
    assert_eq!(h.domain_right.to_array(), [1.0; 3]);
    let levels: Vec<u32> = h.grids.iter().map(|g| g.level).collect();
    assert_eq!(levels, [0, 1, 1, 1, 2, 3, 4, 5, 6, 7]);
    let mut grids_per_level = [0usize; 8];
    let mut cells_per_level = [0usize; 8];
    for g in &h.grids {
        grids_per_level[g.level as usize] += 1;
        cells_per_level[g.level as usize] += g.num_cells();
    }
    assert_eq!(grids_per_level, [1, 3, 1, 1, 1, 1, 1, 1]);
    assert_eq!(
        cells_per_level,
        [4096, 2640, 8000, 8000, 4096, 1728, 1000, 800]
    );
    // Grid 3 (yt: ActiveDimensions [10 12 12], edges [0.5625 0.5 0.5]..[0.875 0.875 0.875]).
    assert_eq!(h.grids[2].dims, [10, 12, 12]);
    assert_eq!(h.grids[2].left.to_array(), [0.5625, 0.5, 0.5]);
    assert_eq!(h.grids[2].right.to_array(), [0.875, 0.875, 0.875]);
    // Grid 10 at level 7.
    assert_eq!(h.grids[9].dims, [8, 10, 10]);
    assert_eq!(h.grids[9].left.x, 0.7490234375);
    let t = src.metadata().time.unwrap();
    assert!((t - 0.81751317119117).abs() < 1e-14, "{t}");
}

#[test]
fn moving7_parents_come_from_pointers() {
    let dir = moving7().parent().unwrap().to_path_buf();
    let text = std::fs::read_to_string(dir.join("moving7_0010.hierarchy")).unwrap();
    let grids = enzo::parse_hierarchy(&text).unwrap();
    let parents: Vec<Option<u64>> = grids.iter().map(|g| g.parent).collect();
    assert_eq!(
        parents,
        [
            None,
            Some(1),
            Some(1),
            Some(1),
            Some(3),
            Some(5),
            Some(6),
            Some(7),
            Some(8),
            Some(9)
        ]
    );
}

#[test]
fn moving7_fields_and_values_match_yt() {
    let src = open(&moving7());
    let names = src.field_names();
    for f in [
        "Density",
        "Temperature",
        "Dark_Matter_Density",
        "TotalEnergy",
        "x-velocity",
        "y-velocity",
        "z-velocity",
    ] {
        assert!(names.iter().any(|n| n == f), "{f} missing from {names:?}");
    }
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("particle_")));

    let ds = formats::load(src.as_ref(), Some("Density")).unwrap();
    let stats = amrcast::amr::field_stats(ds.field.data.iter().map(|v| &v[..]));
    // yt: ("enzo", "Density") 0.09875256568193436 .. 256954.46875 (code units).
    assert_eq!(stats.min as f64, 0.09875256568193436);
    assert_eq!(stats.max as f64, 256954.46875);
    assert_eq!(stats.non_finite, 0);
    // In g/cm^3 with the cosmological density unit: yt 6.157548328661413e-28 .. 1.6021959011066896e-21.
    let unit = src.metadata().units["density"];
    assert!((unit / 6.235329974609323e-27 - 1.0).abs() < 1e-9, "{unit}");
    let lo = stats.min as f64 * unit;
    let hi = stats.max as f64 * unit;
    assert!((lo / 6.157548328661413e-28 - 1.0).abs() < 1e-6, "{lo}");
    assert!((hi / 1.6021959011066896e-21 - 1.0).abs() < 1e-6, "{hi}");

    // Single cells, yt's grid[field][i, j, k].
    assert_eq!(ds.grid_value(2, 2, 5, 7) as f64, 2.162395477294922);
    let t = src.read_field("Temperature").unwrap();
    let d10 = src.hierarchy().grids[9].dims;
    assert_eq!(
        t.data[9][1 + d10[0] * (2 + d10[1] * 3)] as f64,
        5772.568359375
    );
    let dm = src.read_field("Dark_Matter_Density").unwrap();
    assert_eq!(dm.data[0][15 + 16 * (16 * 7)] as f64, 0.8154394030570984);
    // Grid by grid: the same values, and yt's cell again.
    assert_eq!(assert_read_grid_matches(src.as_ref(), None), 7 * 10);
    let g2 = src.read_grid("Density", 2).unwrap();
    assert_eq!(g2[2 + 10 * (5 + 12 * 7)] as f64, 2.162395477294922);
}

#[test]
fn moving7_units_match_yt() {
    let src = open(&moving7());
    let u = &src.metadata().units;
    for (k, v) in [
        ("density", 6.235329974609323e-27),
        ("length", 5.6149026975953244e+23),
        ("time", 1.3811660149896482e+16),
        ("velocity", 40620192.0231798),
    ] {
        assert!((u[k] / v - 1.0).abs() < 1e-9, "{k}: {} vs {v}", u[k]);
    }
}

#[test]
fn moving7_opens_from_directory_and_hierarchy() {
    let p = moving7();
    let dir = p.parent().unwrap();
    for path in [
        dir.to_path_buf(),
        dir.join("moving7_0010.hierarchy"),
        p.clone(),
    ] {
        let src = open(&path);
        assert_eq!(src.hierarchy().grids.len(), 10, "{}", path.display());
        assert_eq!(
            formats::detect(&path),
            Some(formats::Format::Enzo(p.clone()))
        );
    }
}

#[test]
fn moving7_unknown_field_lists_available() {
    let src = open(&moving7());
    let e = formats::load(src.as_ref(), Some("Densty"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field 'Densty'"), "{e}");
    assert!(e.contains("Density") && e.contains("Temperature"), "{e}");
}

/// A copy of moving7 in a temporary directory, to break.
#[test]
fn truncated_old_format_hdf5_is_an_error_naming_the_file() {
    let (_tmp, p) = moving7_copy();
    let data = p.with_file_name("moving7_0010.cpu0000");
    let full = std::fs::read(&data).unwrap();
    // Cut in the superblock, in the metadata, and in the middle / end of the raw data.
    for len in [0, 40, 600, 5000, full.len() / 2, full.len() - 100] {
        std::fs::write(&data, &full[..len]).unwrap();
        let e = match formats::open(&p) {
            Err(e) => e.to_string(),
            Ok(src) => {
                let fields = src.field_names();
                let mut err = None;
                for f in fields {
                    if let Err(e) = src.read_field(&f) {
                        err = Some(e.to_string());
                        break;
                    }
                }
                err.unwrap_or_else(|| panic!("truncated to {len} bytes but everything read"))
            }
        };
        assert!(e.contains("moving7_0010.cpu0000"), "{len}: {e}");
    }
}

#[test]
fn garbage_in_old_format_hdf5_never_panics() {
    // Overwrite bytes across the metadata region of the real file with a fixed pattern.
    let (_tmp, p) = moving7_copy();
    let data = p.with_file_name("moving7_0010.cpu0000");
    let full = std::fs::read(&data).unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..40 {
        let mut bytes = full.clone();
        for _ in 0..8 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % 4096;
            bytes[at] = (seed >> 32) as u8;
        }
        std::fs::write(&data, &bytes).unwrap();
        if let Ok(src) = formats::open(&p) {
            for f in src.field_names() {
                let _ = src.read_field(&f);
            }
        }
        let _ = round;
    }
}

#[test]
fn missing_data_file_is_named() {
    let (_tmp, p) = moving7_copy();
    std::fs::remove_file(p.with_file_name("moving7_0010.cpu0000")).unwrap();
    let e = open_err(&p);
    assert!(
        e.contains("moving7_0010.cpu0000") && e.contains("missing"),
        "{e}"
    );
    assert!(e.contains("grid 1"), "{e}");
}

#[test]
fn missing_hierarchy_is_named() {
    let (_tmp, p) = moving7_copy();
    std::fs::remove_file(p.with_file_name("moving7_0010.hierarchy")).unwrap();
    let e = open_err(&p);
    assert!(
        e.contains("moving7_0010.hierarchy") && e.contains("missing"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Fixtures written with hdf5-writer.

/// Root 8^3 on [0, 1]; grids 2 and 3 on level 1 (siblings); grid 4 on level 2 inside grid 2.
/// (id, left edge, right edge, active cells).
type GridSpec = (u64, [f64; 3], [f64; 3], [usize; 3]);

const GRIDS: [GridSpec; 4] = [
    (1, [0.0; 3], [1.0; 3], [8, 8, 8]),
    (2, [0.25; 3], [0.75; 3], [8, 8, 8]),
    (3, [0.0; 3], [0.25, 0.25, 0.125], [4, 4, 2]),
    (4, [0.375; 3], [0.625, 0.625, 0.5], [8, 8, 4]),
];

/// The field the fixtures store: linear in the cell centre.
fn value(p: [f64; 3]) -> f64 {
    1.0 + p[0] + 2.0 * p[1] + 3.0 * p[2]
}

fn centres(g: usize) -> Vec<[f64; 3]> {
    let (_, l, r, d) = GRIDS[g];
    let mut out = Vec::new();
    for k in 0..d[2] {
        for j in 0..d[1] {
            for i in 0..d[0] {
                let c = [i, j, k];
                out.push(
                    [0, 1, 2].map(|a| l[a] + (c[a] as f64 + 0.5) * (r[a] - l[a]) / d[a] as f64),
                );
            }
        }
    }
    out
}

fn params(ghost: Option<usize>) -> String {
    let mut s = String::from(
        "InitialCycleNumber  = 3\nInitialTime         = 1.5\nTopGridRank         = 3\n\
         TopGridDimensions   = 8 8 8\nDomainLeftEdge      = 0 0 0\nDomainRightEdge     = 1 1 1\n\
         RefineBy            = 2\nLengthUnits         = 3.0857e+24\nDensityUnits        = 1e-27\n\
         TimeUnits           = 3.15576e+16\nNumberOfParticles   = 0 (do not modify)\n",
    );
    if let Some(g) = ghost {
        s += &format!("WriteGhostZones = 1\nNumberOfGhostZones = {g}\n");
    }
    s
}

fn block(g: usize, ghost: usize, file: &str) -> String {
    let (id, l, r, d) = GRIDS[g];
    format!(
        "\nGrid = {id}\nGridRank          = 3\nGridDimension     = {} {} {}\n\
         GridStartIndex    = {ghost} {ghost} {ghost}\nGridEndIndex      = {} {} {}\n\
         GridLeftEdge      = {} {} {}\nGridRightEdge     = {} {} {}\nTime              = 1.5\n\
         NumberOfBaryonFields = 2\nFieldType = 0 4\nBaryonFileName = {file}\n\
         NumberOfParticles   = 5\nParticleFileName = {file}\n",
        d[0] + 2 * ghost,
        d[1] + 2 * ghost,
        d[2] + 2 * ghost,
        ghost + d[0] - 1,
        ghost + d[1] - 1,
        ghost + d[2] - 1,
        l[0],
        l[1],
        l[2],
        r[0],
        r[1],
        r[2]
    )
}

/// Enzo's depth-first order: grid 2's NextGridNextLevel pointer comes after grid 3's block.
fn hierarchy(ghost: usize, file: &str) -> String {
    [
        block(0, ghost, file),
        "Pointer: Grid[1]->NextGridThisLevel = 0\nPointer: Grid[1]->NextGridNextLevel = 2\n".into(),
        block(1, ghost, file),
        "Pointer: Grid[2]->NextGridThisLevel = 3\n".into(),
        block(2, ghost, file),
        "Pointer: Grid[3]->NextGridThisLevel = 0\nPointer: Grid[3]->NextGridNextLevel = 0\n".into(),
        "Pointer: Grid[2]->NextGridNextLevel = 4\n".into(),
        block(3, ghost, file),
        "Pointer: Grid[4]->NextGridThisLevel = 0\nPointer: Grid[4]->NextGridNextLevel = 0\n".into(),
    ]
    .concat()
}

/// Density (f64), Temperature (f32, 2 * value) and a particle dataset per grid, in byte order
/// `order` (hdf5-writer writes one byte order per file), with `ghost` ghost zones of -999
/// around the active cells.
fn datasets_in(ghost: usize, order: ByteOrder) -> Vec<Ds> {
    let mut out = Vec::new();
    for (n, &(id, _, _, d)) in GRIDS.iter().enumerate() {
        let full = d.map(|v| v + 2 * ghost);
        let mut dens = vec![-999.0f64; full.iter().product()];
        for (c, p) in centres(n).into_iter().enumerate() {
            let (i, j, k) = (c % d[0], (c / d[0]) % d[1], c / (d[0] * d[1]));
            dens[(i + ghost) + full[0] * ((j + ghost) + full[1] * (k + ghost))] = value(p);
        }
        let shape = vec![full[2] as u64, full[1] as u64, full[0] as u64];
        let temp: Vec<f32> = dens
            .iter()
            .map(|&v| {
                if v == -999.0 {
                    -999.0
                } else {
                    (2.0 * v) as f32
                }
            })
            .collect();
        out.push(Ds {
            path: format!("Grid{id:08}/Density"),
            shape: shape.clone(),
            data: Data::F64(dens, order),
        });
        out.push(Ds {
            path: format!("Grid{id:08}/Temperature"),
            shape,
            data: Data::F32(temp, order),
        });
        out.push(Ds {
            path: format!("Grid{id:08}/particle_position_x"),
            shape: vec![5],
            data: Data::F64(vec![0.5; 5], order),
        });
    }
    out
}

fn datasets(ghost: usize) -> Vec<Ds> {
    datasets_in(ghost, ByteOrder::LittleEndian)
}

/// Absolute BaryonFileName from another machine, as Enzo writes it.
const FILE: &str = "/scratch/someone/run/DD0003/DD0003.cpu0000";

fn fixture(ghost: Option<usize>) -> Fixture {
    let g = ghost.unwrap_or(0);
    fixture_with(&params(ghost), &hierarchy(g, FILE), &datasets(g))
}

/// The fixture's values on every grid, read whole and grid by grid.
fn check_values(src: &dyn DataSource) {
    assert_eq!(assert_read_grid_matches(src, None), 2 * GRIDS.len());
    let h = src.hierarchy();
    assert_eq!(
        h.grids.iter().map(|g| g.level).collect::<Vec<_>>(),
        [0, 1, 1, 2]
    );
    let d = src.read_field("Density").unwrap();
    let t = src.read_field("Temperature").unwrap();
    for n in 0..GRIDS.len() {
        let c = centres(n);
        assert_eq!(d.data[n].len(), c.len());
        for (m, p) in c.iter().enumerate() {
            let want = value(*p);
            assert!(
                (d.data[n][m] as f64 - want).abs() < 1e-6 * want,
                "grid {n} cell {m}: {} vs {want}",
                d.data[n][m]
            );
            assert!(
                (t.data[n][m] as f64 - 2.0 * want).abs() < 1e-5 * want,
                "grid {n} cell {m}"
            );
        }
    }
}

#[test]
fn fixture_little_endian_f64_with_late_pointers() {
    let fx = fixture(None);
    let src = open(&fx.param);
    let mut names = src.field_names();
    names.sort();
    assert_eq!(names, ["Density", "Temperature"]);
    let grids =
        enzo::parse_hierarchy(&std::fs::read_to_string(fx.hierarchy_file()).unwrap()).unwrap();
    assert_eq!(grids[3].parent, Some(2));
    assert_eq!(grids[2].parent, Some(1));
    check_values(src.as_ref());
    assert_eq!(src.metadata().time, Some(1.5));
    assert_eq!(src.metadata().units["density"], 1e-27);
    assert_eq!(src.metadata().units["length"], 3.0857e24);
    assert!((src.metadata().units["velocity"] - 3.0857e24 / 3.15576e16).abs() < 1.0);
    // The loaded dataset interpolates the linear field exactly inside the finest grid.
    let ds = formats::load(src.as_ref(), None).unwrap();
    assert_eq!(ds.field.name, "Density");
    let p = glam::DVec3::new(0.5, 0.45, 0.4);
    assert!((ds.sample(p) as f64 - value(p.to_array())).abs() < 1e-5);
}

#[test]
fn fixture_ghost_zones_are_stripped_big_endian() {
    let fx = fixture_with(
        &params(Some(3)),
        &hierarchy(3, FILE),
        &datasets_in(3, ByteOrder::BigEndian),
    );
    let src = open(&fx.dir());
    check_values(src.as_ref());
    let d = src.read_field("Density").unwrap();
    assert!(d.data.iter().flat_map(|d| d.iter()).all(|&v| v != -999.0));
}

#[test]
fn fixture_nan_and_inf_pass_through() {
    let mut data = datasets(0);
    if let Data::F64(v, _) = &mut data[0].data {
        v[0] = f64::NAN;
        v[1] = f64::INFINITY;
        v[2] = f64::NEG_INFINITY;
    }
    let fx = fixture_with(&params(None), &hierarchy(0, FILE), &data);
    let src = open(&fx.param);
    let ds = formats::load(src.as_ref(), Some("Density")).unwrap();
    assert!(ds.field.data[0][0].is_nan());
    assert_eq!(ds.field.data[0][1], f32::INFINITY);
    assert_eq!(ds.field.data[0][2], f32::NEG_INFINITY);
    let s = amrcast::amr::field_stats(ds.field.data.iter().map(|v| &v[..]));
    assert_eq!(s.non_finite, 3);
}

#[test]
fn fixture_relative_baryon_file_name() {
    let fx = fixture_with(
        &params(None),
        &hierarchy(0, "./DD0003.cpu0000"),
        &datasets(0),
    );
    check_values(open(&fx.param).as_ref());
}

#[test]
fn hierarchy_line_that_does_not_parse_reports_line() {
    let h =
        hierarchy(0, FILE).replacen("GridStartIndex    = 0 0 0", "GridStartIndex    = 0 x 0", 1);
    let fx = fixture_with(&params(None), &h, &datasets(0));
    let e = open_err(&fx.param);
    assert!(
        e.contains("DD0003.hierarchy") && e.contains("line 5:") && e.contains("GridStartIndex"),
        "{e}"
    );

    let h = hierarchy(0, FILE).replacen(
        "Time              = 1.5\n",
        "this is not a key value line\n",
        2,
    );
    let fx = fixture_with(&params(None), &h, &datasets(0));
    let e = open_err(&fx.param);
    assert!(
        e.contains("DD0003.hierarchy") && e.contains("line 9:"),
        "{e}"
    );

    let h = hierarchy(0, FILE).replace(
        "Pointer: Grid[2]->NextGridThisLevel = 3",
        "Pointer: Grid[2]->NextGrid = 3",
    );
    let fx = fixture_with(&params(None), &h, &datasets(0));
    let e = open_err(&fx.param);
    assert!(
        e.contains("DD0003.hierarchy") && e.contains("pointer line"),
        "{e}"
    );
}

#[test]
fn pointer_cycle_is_an_error() {
    // Grids 2 and 3 point to each other and nothing leads to them from grid 1.
    let h = hierarchy(0, FILE)
        .replace(
            "Pointer: Grid[1]->NextGridNextLevel = 2",
            "Pointer: Grid[1]->NextGridNextLevel = 0",
        )
        .replace(
            "Pointer: Grid[3]->NextGridThisLevel = 0",
            "Pointer: Grid[3]->NextGridThisLevel = 2",
        );
    let fx = fixture_with(&params(None), &h, &datasets(0));
    let e = open_err(&fx.param);
    assert!(
        e.contains("DD0003.hierarchy") && e.contains("cycle through grid"),
        "{e}"
    );

    // A grid pointing to itself.
    let h = hierarchy(0, FILE).replace(
        "Pointer: Grid[4]->NextGridThisLevel = 0",
        "Pointer: Grid[4]->NextGridThisLevel = 4",
    );
    let fx = fixture_with(&params(None), &h, &datasets(0));
    let e = open_err(&fx.param);
    assert!(e.contains("grid 4 is the target of two pointers"), "{e}");

    // Back to the first grid.
    let h = hierarchy(0, FILE).replace(
        "Pointer: Grid[4]->NextGridNextLevel = 0",
        "Pointer: Grid[4]->NextGridNextLevel = 1",
    );
    let fx = fixture_with(&params(None), &h, &datasets(0));
    let e = open_err(&fx.param);
    assert!(e.contains("line ") && e.contains("cycle"), "{e}");
}

#[test]
fn pointer_to_nowhere_is_an_error() {
    let h = hierarchy(0, FILE).replace(
        "Pointer: Grid[2]->NextGridNextLevel = 4",
        "Pointer: Grid[2]->NextGridNextLevel = 7",
    );
    let fx = fixture_with(&params(None), &h, &datasets(0));
    let e = open_err(&fx.param);
    assert!(
        e.contains("DD0003.hierarchy") && e.contains("grid 7 which does not exist"),
        "{e}"
    );

    // A grid no pointer leads to.
    let h = hierarchy(0, FILE).replace("Pointer: Grid[2]->NextGridNextLevel = 4\n", "");
    let fx = fixture_with(&params(None), &h, &datasets(0));
    let e = open_err(&fx.param);
    assert!(e.contains("no Pointer line leads to grid 4"), "{e}");
}

#[test]
fn dataset_shape_mismatch_is_an_error() {
    let mut data = datasets(0);
    data[3].shape = vec![4, 8, 16]; // grid 2's Density: 512 values, wrong shape
    let fx = fixture_with(&params(None), &hierarchy(0, FILE), &data);
    let src = open(&fx.param);
    let e = src.read_field("Density").unwrap_err().to_string();
    assert!(
        e.contains("DD0003.cpu0000") && e.contains("grid 2") && e.contains("does not match"),
        "{e}"
    );
}

#[test]
fn grid_outside_domain_or_parent_names_the_hierarchy() {
    // Grid 3 moved past the domain's right edge.
    let h = hierarchy(0, FILE).replace(
        "GridLeftEdge      = 0 0 0\nGridRightEdge     = 0.25 0.25 0.125",
        "GridLeftEdge      = 0.875 0 0\nGridRightEdge     = 1.125 0.25 0.125",
    );
    let fx = fixture_with(&params(None), &h, &datasets(0));
    let e = open_err(&fx.param);
    assert!(
        e.contains("DD0003.hierarchy") && e.contains("outside the domain"),
        "{e}"
    );

    // Grid 4 (level 2) moved outside grid 2, its parent.
    let h = hierarchy(0, FILE).replace(
        "GridLeftEdge      = 0.375 0.375 0.375\nGridRightEdge     = 0.625 0.625 0.5",
        "GridLeftEdge      = 0.75 0.375 0.375\nGridRightEdge     = 1 0.625 0.5",
    );
    let fx = fixture_with(&params(None), &h, &datasets(0));
    let e = open_err(&fx.param);
    assert!(
        e.contains("DD0003.hierarchy") && e.contains("not inside its parent"),
        "{e}"
    );
}

#[test]
fn truncated_modern_hdf5_is_an_error_naming_the_file() {
    let fx = fixture(None);
    let full = std::fs::read(fx.data_file()).unwrap();
    // (The file ends with grid 4's particle data, which the reader never touches.)
    for len in [
        0,
        10,
        100,
        1000,
        full.len() / 3,
        full.len() / 2,
        full.len() * 4 / 5,
    ] {
        std::fs::write(fx.data_file(), &full[..len]).unwrap();
        let e = match formats::open(&fx.param) {
            Err(e) => e.to_string(),
            Ok(src) => src
                .read_field("Density")
                .err()
                .or_else(|| src.read_field("Temperature").err())
                .map(|e| e.to_string())
                .unwrap_or_else(|| panic!("truncated to {len} bytes but everything read")),
        };
        assert!(e.contains("DD0003.cpu0000"), "{len}: {e}");
    }
}

#[test]
fn unknown_format_lists_supported() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("notes.txt");
    std::fs::write(&p, "hello\n").unwrap();
    let e = open_err(&p);
    assert!(
        e.contains("notes.txt") && e.contains("supported formats") && e.contains("Enzo"),
        "{e}"
    );
    let e = open_err(&tmp.path().join("nothing_here"));
    assert!(
        e.contains("nothing_here") && e.contains("No such file"),
        "{e}"
    );
}

#[test]
fn parameter_file_errors() {
    assert!(enzo::parse_parameters("InitialTime = 0\n")
        .unwrap_err()
        .what
        .contains("TopGridDimensions"));
    let e = enzo::parse_parameters("TopGridRank = 1\nTopGridDimensions = 8\n").unwrap_err();
    assert_eq!(e.line, Some(1));
    assert!(e.what.contains("only 2-D and 3-D"), "{e}");
    let e = enzo::parse_parameters("TopGridRank = 3\nTopGridDimensions = 8 8 eight\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2: TopGridDimensions: cannot read 'eight' as a number"
    );
    let p = enzo::parse_parameters(&params(Some(2))).unwrap();
    assert_eq!(p.top_grid_dims, [8, 8, 8]);
    assert!(p.write_ghost_zones);
    assert_eq!(p.ghost_zones, 2);
    assert_eq!(p.time, Some(1.5));
}

// ---------------------------------------------------------------------------------------------
// enzo_h5py_sb0: the original HDF5 format with version-3 layouts (h5py, see its README).

#[test]
fn h5py_original_format_with_layout_v3_and_gzip_chunks() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/enzo_h5py_sb0/DD0003");
    let src = open(&p);
    assert_eq!(src.metadata().time, Some(2.5));
    let mut names = src.field_names();
    names.sort();
    assert_eq!(names, ["Density", "Temperature"]);
    check_values(src.as_ref());
    // yt 4.4.3: grid 4 Density[1, 2, 3] = 3.78125, Temperature[1, 2, 3] = 7.5625.
    let d = src.read_field("Density").unwrap();
    let t = src.read_field("Temperature").unwrap();
    let i = 1 + 8 * (2 + 8 * 3);
    assert_eq!(d.data[3][i], 3.78125);
    assert_eq!(t.data[3][i], 7.5625);
}

#[test]
fn h5py_original_format_truncated_or_garbled_never_panics() {
    let src_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/enzo_h5py_sb0");
    let tmp = tempfile::tempdir().unwrap();
    for f in ["DD0003", "DD0003.hierarchy"] {
        std::fs::copy(src_dir.join(f), tmp.path().join(f)).unwrap();
    }
    let full = std::fs::read(src_dir.join("DD0003.cpu0000")).unwrap();
    let data = tmp.path().join("DD0003.cpu0000");
    let p = tmp.path().join("DD0003");
    let read_all = |p: &Path| -> Result<(), String> {
        let src = formats::open(p).map_err(|e| e.to_string())?;
        for f in src.field_names() {
            src.read_field(&f).map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    for len in (0..full.len()).step_by(997) {
        std::fs::write(&data, &full[..len]).unwrap();
        let Err(e) = read_all(&p) else {
            panic!(
                "truncated to {len} of {} bytes: read without error",
                full.len()
            );
        };
        assert!(e.contains("DD0003.cpu0000"), "{len}: {e}");
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..60 {
        let mut bytes = full.clone();
        for _ in 0..6 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % bytes.len();
            bytes[at] = (seed >> 40) as u8;
        }
        std::fs::write(&data, &bytes).unwrap();
        let _ = read_all(&p);
    }
}
