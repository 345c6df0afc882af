//! The plotfiles of the AMReX tests: a 3-D one (levels refined by 4 then 2, two components,
//! little-endian doubles) and a 2-D one (2 then 4, three components, big-endian floats), with
//! values that are polynomials of the cell centre and the level. `tests/data/amrex/` holds
//! them as written here (`tests/amrex_yt.rs` checks that it still does), and
//! `scripts/yt_amrex.py` evaluates the same polynomials.

use crate::amrex_writer::{Level, Plotfile, Real};

/// Component `c` of the 3-D plotfile at centre `p` of a level-`l` cell.
pub fn value3d(c: usize, l: usize, p: [f64; 3]) -> f64 {
    let (x, y, z, l) = (p[0], p[1], p[2], l as f64);
    match c {
        0 => 2.0 + x + 0.5 * y * y + 0.25 * z + 0.125 * l,
        _ => 10.0 + 3.0 * x * y - 2.0 * z + l,
    }
}

/// Component `c` of the 2-D plotfile at centre `p` of a level-`l` cell (z unused).
pub fn value2d(c: usize, l: usize, p: [f64; 3]) -> f64 {
    let (x, y, l) = (p[0], p[1], l as f64);
    match c {
        0 => 1.0 + x * x + y + 0.5 * l,
        1 => 5.0 + 2.0 * x - 3.0 * y * y + 0.25 * l,
        _ => x * y - 0.125 * l,
    }
}

fn level(domain: [i64; 3], boxes: &[([i64; 3], [i64; 3])], step: i64) -> Level {
    Level {
        domain: ([0; 3], domain),
        boxes: boxes.to_vec(),
        step,
    }
}

/// 3-D, domain [-1, 1] x [-1, 1] x [0, 2]: level 0 16^3 in two grids; level 1 (ratio 4) two
/// grids; level 2 (ratio 2) two grids, one inside each level-1 grid. 13440 cells.
pub fn plt3d() -> Plotfile {
    let levels = vec![
        level(
            [15; 3],
            &[([0, 0, 0], [7, 15, 15]), ([8, 0, 0], [15, 15, 15])],
            40,
        ),
        level(
            [63; 3],
            &[([16, 16, 16], [31, 27, 31]), ([20, 28, 16], [35, 39, 31])],
            160,
        ),
        level(
            [127; 3],
            &[([40, 36, 48], [55, 51, 55]), ([56, 60, 34], [67, 71, 41])],
            320,
        ),
    ];
    let mut p = Plotfile::new(
        3,
        &["density", "temperature"],
        ([-1.0, -1.0, 0.0], [1.0, 1.0, 2.0]),
        levels,
    );
    p.time = 0.125;
    p
}

/// 2-D, domain [0.5, 1.5] x [-0.5, 0.5]: level 0 32^2 in two grids; level 1 (ratio 2) three
/// grids; level 2 (ratio 4) two grids. Two FABs per data file. 7680 cells.
pub fn plt2d() -> Plotfile {
    let levels = vec![
        level(
            [31, 31, 0],
            &[([0, 0, 0], [31, 15, 0]), ([0, 16, 0], [31, 31, 0])],
            7,
        ),
        level(
            [63, 63, 0],
            &[
                ([8, 8, 0], [23, 39, 0]),
                ([24, 16, 0], [47, 31, 0]),
                ([24, 32, 0], [31, 47, 0]),
            ],
            14,
        ),
        level(
            [255, 255, 0],
            &[([40, 40, 0], [87, 119, 0]), ([100, 68, 0], [163, 95, 0])],
            56,
        ),
    ];
    let mut p = Plotfile::new(
        2,
        &["density", "pressure", "vx"],
        ([0.5, -0.5, 0.0], [1.5, 0.5, 0.0]),
        levels,
    );
    p.time = 2.5e-3;
    p.real = Real::F32;
    p.big_endian = true;
    p.fabs_per_file = 2;
    p
}
