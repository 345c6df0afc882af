//! 2-D Enzo datasets (`TopGridRank = 2`), written as Enzo writes them: two values per
//! hierarchy vector (or three, the third describing one cell along z), (ny, nx) datasets,
//! ghost zones, big-endian float32, and an absolute data path from another machine. Each is
//! a hierarchy one cell thick (see the AMR model), and bad 2-D input is an error naming the
//! file and the problem.

mod common;

use amrcast::formats::{self, DataSource};
use amrcast::render::Interpolation;
use amrcast::slice::value_at;
use common::enzo::{fixture_with, Data, Ds, Fixture};
use common::read_grid::assert_read_grid_matches;
use glam::DVec3;
use hdf5_writer::ByteOrder;

/// Root 8x8 on [0, 1]^2; grids 2 and 3 on level 1 (siblings), grid 4 on level 2 inside grid 2.
/// (id, left edge, right edge, active cells).
type Grid2 = (u64, [f64; 2], [f64; 2], [usize; 2]);

const GRIDS: [Grid2; 4] = [
    (1, [0.0; 2], [1.0; 2], [8, 8]),
    (2, [0.25; 2], [0.75; 2], [8, 8]),
    (3, [0.0; 2], [0.25, 0.125], [4, 2]),
    (4, [0.375; 2], [0.625, 0.5], [8, 4]),
];

/// The stored field: linear in the cell centre.
fn value(x: f64, y: f64) -> f64 {
    1.0 + x + 2.0 * y
}

/// Cell centres of grid `g`, x fastest.
fn centres(g: usize) -> Vec<[f64; 2]> {
    let (_, l, r, d) = GRIDS[g];
    let mut out = Vec::new();
    for j in 0..d[1] {
        for i in 0..d[0] {
            let c = [i, j];
            out.push([0, 1].map(|a| l[a] + (c[a] as f64 + 0.5) * (r[a] - l[a]) / d[a] as f64));
        }
    }
    out
}

const PARAMS: &str = "InitialTime = 0.5\nTopGridRank = 2\nTopGridDimensions = 8 8 \n\
    DomainLeftEdge = 0 0 \nDomainRightEdge = 1 1 \nRefineBy = 2\n";

/// Absolute BaryonFileName from another machine, as Enzo writes it.
const FILE: &str = "/Users/someone/run/DD0003/DD0003.cpu0000";

/// How the hierarchy writes a 2-D grid's vectors.
#[derive(Clone, Copy)]
enum Vectors {
    /// `GridDimension = 14 14`, as Enzo writes a 2-D run.
    Two,
    /// `GridDimension = 14 14 1`, `GridStartIndex = 3 3 0`, z edges `-0.5 0.5`.
    Three,
}

fn block(g: usize, ghost: usize, vectors: Vectors) -> String {
    let (id, l, r, d) = GRIDS[g];
    let (dz, sz, lz, rz) = match vectors {
        Vectors::Two => ("", "", "", ""),
        Vectors::Three => (" 1", " 0", " -0.5", " 0.5"),
    };
    format!(
        "\nGrid = {id}\nTask = 0\nGridRank = 2\nGridDimension = {} {}{dz} \n\
         GridStartIndex = {ghost} {ghost}{sz} \nGridEndIndex = {} {}{sz} \n\
         GridLeftEdge = {} {}{lz} \nGridRightEdge = {} {}{rz} \nTime = 0.5\n\
         NumberOfBaryonFields = 2\nFieldType = 0 1\nBaryonFileName = {FILE}\n",
        d[0] + 2 * ghost,
        d[1] + 2 * ghost,
        ghost + d[0] - 1,
        ghost + d[1] - 1,
        l[0],
        l[1],
        r[0],
        r[1],
    )
}

/// Enzo's depth-first order, pointers after the blocks they follow.
fn hierarchy(ghost: usize, vectors: Vectors) -> String {
    let b = |g| block(g, ghost, vectors);
    [
        b(0),
        "Pointer: Grid[1]->NextGridThisLevel = 0\nPointer: Grid[1]->NextGridNextLevel = 2\n".into(),
        b(1),
        "Pointer: Grid[2]->NextGridThisLevel = 3\n".into(),
        b(2),
        "Pointer: Grid[3]->NextGridThisLevel = 0\nPointer: Grid[3]->NextGridNextLevel = 0\n".into(),
        "Pointer: Grid[2]->NextGridNextLevel = 4\n".into(),
        b(3),
        "Pointer: Grid[4]->NextGridThisLevel = 0\nPointer: Grid[4]->NextGridNextLevel = 0\n".into(),
    ]
    .concat()
}

/// Density (f32) and TotalEnergy (f64, 2 * value) per grid in `order`, (ny, nx) or, with
/// `leading_one`, (1, ny, nx), with `ghost` ghost zones of -999 around the active cells.
fn datasets(ghost: usize, order: ByteOrder, leading_one: bool) -> Vec<Ds> {
    let mut out = Vec::new();
    for (n, &(id, _, _, d)) in GRIDS.iter().enumerate() {
        let full = d.map(|v| v + 2 * ghost);
        let mut dens = vec![-999.0f64; full[0] * full[1]];
        for (c, p) in centres(n).into_iter().enumerate() {
            let (i, j) = (c % d[0], c / d[0]);
            dens[(i + ghost) + full[0] * (j + ghost)] = value(p[0], p[1]);
        }
        let mut shape = vec![full[1] as u64, full[0] as u64];
        if leading_one {
            shape.insert(0, 1);
        }
        let energy = dens
            .iter()
            .map(|&v| if v == -999.0 { v } else { 2.0 * v })
            .collect();
        out.push(Ds {
            path: format!("Grid{id:08}/Density"),
            shape: shape.clone(),
            data: Data::F32(dens.iter().map(|&v| v as f32).collect(), order),
        });
        out.push(Ds {
            path: format!("Grid{id:08}/TotalEnergy"),
            shape,
            data: Data::F64(energy, order),
        });
    }
    out
}

fn fixture(ghost: usize, vectors: Vectors, order: ByteOrder) -> Fixture {
    let params = format!("{PARAMS}WriteGhostZones = {}\n", (ghost > 0) as u8);
    fixture_with(
        &params,
        &hierarchy(ghost, vectors),
        &datasets(ghost, order, false),
    )
}

fn open(fx: &Fixture) -> Box<dyn DataSource> {
    formats::open(&fx.dir()).unwrap_or_else(|e| panic!("{e}"))
}

fn open_err(fx: &Fixture) -> String {
    match formats::open(&fx.param) {
        Ok(src) => match src.read_field("Density") {
            Ok(_) => panic!("{} opened and read but should not", fx.param.display()),
            Err(e) => e.to_string(),
        },
        Err(e) => e.to_string(),
    }
}

/// The fixture's geometry and values, read whole and grid by grid, with z edges `z`.
fn check(src: &dyn DataSource, z: [f64; 2]) {
    let h = src.hierarchy();
    assert_eq!(h.dimensionality(), 2);
    assert_eq!(h.root_dims, [8, 8, 1]);
    assert_eq!((h.ratio(0), h.ratio(1)), ([2, 2, 1], [2, 2, 1]));
    assert_eq!((h.domain_left.z, h.domain_right.z), (z[0], z[1]));
    let levels: Vec<u32> = h.grids.iter().map(|g| g.level).collect();
    assert_eq!(levels, [0, 1, 1, 2]);
    for (n, g) in h.grids.iter().enumerate() {
        let (_, l, r, d) = GRIDS[n];
        assert_eq!(g.dims, [d[0], d[1], 1]);
        assert_eq!(g.left, DVec3::new(l[0], l[1], z[0]));
        assert_eq!(g.right, DVec3::new(r[0], r[1], z[1]));
    }
    assert_eq!(assert_read_grid_matches(src, None), 2 * GRIDS.len());
    let d = src.read_field("Density").unwrap();
    let e = src.read_field("TotalEnergy").unwrap();
    for n in 0..GRIDS.len() {
        for (m, p) in centres(n).into_iter().enumerate() {
            let want = value(p[0], p[1]);
            assert!(
                (d.data[n][m] as f64 - want).abs() < 1e-6 * want,
                "grid {n} cell {m}"
            );
            assert!(
                (e.data[n][m] as f64 - 2.0 * want).abs() < 1e-6 * want,
                "grid {n}"
            );
        }
    }
    // The image: the finest cell's value at any point of the plane.
    let ds = formats::load(src, Some("Density")).unwrap();
    let zc = 0.5 * (z[0] + z[1]);
    for (x, y, centre) in [
        (0.41, 0.45, [0.421875, 0.453125]), // grid 4: cells of 1/32
        (0.3, 0.6, [0.28125, 0.59375]),     // grid 2: cells of 1/16
        (0.2, 0.1, [0.21875, 0.09375]),     // grid 3
        (0.9, 0.9, [0.9375, 0.9375]),       // the root: cells of 1/8
    ] {
        let v = value_at(&ds, DVec3::new(x, y, zc), Interpolation::Nearest);
        assert_eq!(v, value(centre[0], centre[1]) as f32, "({x}, {y})");
    }
}

#[test]
fn two_value_vectors_ghost_zones_big_endian_f32_absolute_path() {
    let fx = fixture(3, Vectors::Two, ByteOrder::BigEndian);
    let src = open(&fx);
    let mut names = src.field_names();
    names.sort();
    assert_eq!(names, ["Density", "TotalEnergy"]);
    assert_eq!(src.metadata().time, Some(0.5));
    // No z extent in the file: one root cell (1/8) deep.
    check(src.as_ref(), [0.0, 0.125]);
    let d = src.read_field("Density").unwrap();
    assert!(d.data.iter().flat_map(|d| d.iter()).all(|&v| v != -999.0));
}

#[test]
fn three_value_vectors_and_a_z_extent_in_the_parameter_file() {
    let params = PARAMS
        .replace("DomainLeftEdge = 0 0 ", "DomainLeftEdge = 0 0 -0.5")
        .replace("DomainRightEdge = 1 1 ", "DomainRightEdge = 1 1 0.5")
        .replace("TopGridDimensions = 8 8 ", "TopGridDimensions = 8 8 1");
    let fx = fixture_with(
        &params,
        &hierarchy(0, Vectors::Three),
        &datasets(0, ByteOrder::LittleEndian, false),
    );
    check(open(&fx).as_ref(), [-0.5, 0.5]);
}

#[test]
fn datasets_stored_with_a_leading_axis_of_one() {
    let fx = fixture_with(
        PARAMS,
        &hierarchy(2, Vectors::Two),
        &datasets(2, ByteOrder::BigEndian, true),
    );
    check(open(&fx).as_ref(), [0.0, 0.125]);
}

#[test]
fn rank_mismatches_name_the_file_and_the_line() {
    // A 2-D hierarchy under a 3-D parameter file.
    let params = "TopGridRank = 3\nTopGridDimensions = 8 8 8\n";
    let fx = fixture_with(params, &hierarchy(0, Vectors::Two), &[]);
    let e = open_err(&fx);
    assert!(
        e.contains("DD0003.hierarchy")
            && e.contains("line 2: grid 1 is 2-D (GridRank = 2)")
            && e.contains("TopGridRank is 3"),
        "{e}"
    );
    // GridRank = 3 with two values.
    let h = hierarchy(0, Vectors::Two).replacen("GridRank = 2", "GridRank = 3", 1);
    let fx = fixture_with(PARAMS, &h, &[]);
    let e = open_err(&fx);
    assert!(
        e.contains("DD0003.hierarchy")
            && e.contains("line 5: grid 1: two values where GridRank = 3 (line 4) needs three"),
        "{e}"
    );
    // Ranks other than 2 and 3.
    let fx = fixture_with(
        &PARAMS.replace("TopGridRank = 2", "TopGridRank = 1"),
        "",
        &[],
    );
    let e = open_err(&fx);
    assert!(
        e.contains("DD0003") && e.contains("line 2: TopGridRank = 1: only 2-D and 3-D"),
        "{e}"
    );
    let h = hierarchy(0, Vectors::Two).replacen("GridRank = 2", "GridRank = 4", 1);
    let e = open_err(&fixture_with(PARAMS, &h, &[]));
    assert!(
        e.contains("line 4: GridRank = 4: only 2-D and 3-D grids"),
        "{e}"
    );
    // A 2-D root grid three values deep along z.
    let params = PARAMS.replace("TopGridDimensions = 8 8 ", "TopGridDimensions = 8 8 3");
    let e = open_err(&fixture_with(&params, "", &[]));
    assert!(
        e.contains("line 3: TopGridDimensions [8, 8, 3]: a 2-D dataset (TopGridRank = 2) has one cell along z"),
        "{e}"
    );
    // A 2-D grid more than one cell along z.
    let h =
        hierarchy(0, Vectors::Three).replacen("GridEndIndex = 7 7 0", "GridEndIndex = 7 7 2", 1);
    let e = open_err(&fixture_with(PARAMS, &h, &[]));
    assert!(
        e.contains("DD0003.hierarchy") && e.contains("line 2: grid 1: GridRank = 2 but"),
        "{e}"
    );
}

#[test]
fn a_dataset_of_the_wrong_2d_shape_names_the_data_file() {
    let mut data = datasets(0, ByteOrder::BigEndian, false);
    data[2].shape = vec![16, 4]; // grid 2's Density: 64 values in the wrong shape
    let fx = fixture_with(PARAMS, &hierarchy(0, Vectors::Two), &data);
    let e = open_err(&fx);
    assert!(
        e.contains("DD0003.cpu0000")
            && e.contains("grid 2")
            && e.contains("does not match the hierarchy's [8, 8] active cells (ny, nx)"),
        "{e}"
    );
}
