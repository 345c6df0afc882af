//! Cutting grids into bricks and shelf-packing the bricks into one 3D atlas.

use super::{Brick, BRICK};
use crate::error::{Error, Result};

/// Splits `n` cells into the fewest near-equal runs of at most [`BRICK`]: `(start, length)`.
pub(super) fn split_axis(n: i64) -> Vec<(i64, i64)> {
    let parts = (n + BRICK - 1) / BRICK;
    let base = n / parts;
    let extra = n % parts;
    let mut out = Vec::new();
    let mut s = 0;
    for p in 0..parts {
        let len = base + i64::from(p < extra);
        out.push((s, len));
        s += len;
    }
    out
}

/// Shelf packing of bricks into an atlas no side of which exceeds `max_dim`.
pub(super) fn pack(bricks: &mut [Brick], max_dim: u32) -> Result<[u32; 3]> {
    let total: u64 = bricks
        .iter()
        .map(|b| b.stored().iter().map(|&v| v as u64).product::<u64>())
        .sum();
    let largest = bricks.iter().flat_map(|b| b.stored()).max().unwrap_or(1);
    if largest > max_dim {
        return Err(Error::Gpu(format!(
            "3D textures of at most {max_dim} texels per side cannot hold a brick"
        )));
    }
    let mut order: Vec<usize> = (0..bricks.len()).collect();
    order.sort_by_key(|&i| {
        let s = bricks[i].stored();
        (
            std::cmp::Reverse(s[2]),
            std::cmp::Reverse(s[1]),
            std::cmp::Reverse(s[0]),
        )
    });
    let mut side = ((total as f64 * 1.2).cbrt().ceil() as u32).clamp(largest, max_dim);
    loop {
        let (mut x, mut y, mut z) = (0u32, 0u32, 0u32);
        let (mut row_h, mut slab_d, mut used_w, mut used_h) = (0u32, 0u32, 0u32, 0u32);
        for &i in &order {
            let [bx, by, bz] = bricks[i].stored();
            if x + bx > side {
                x = 0;
                y += row_h;
                row_h = 0;
            }
            if y + by > side {
                x = 0;
                y = 0;
                row_h = 0;
                z += slab_d;
                slab_d = 0;
            }
            bricks[i].atlas = [x, y, z];
            x += bx;
            used_w = used_w.max(x);
            row_h = row_h.max(by);
            used_h = used_h.max(y + by);
            slab_d = slab_d.max(bz);
        }
        let depth = z + slab_d;
        if depth <= max_dim {
            return Ok([used_w.max(1), used_h.max(1), depth.max(1)]);
        }
        if side == max_dim {
            return Err(Error::Gpu(format!(
                "the data ({total} texels with borders) does not fit one 3D texture of {max_dim}^3 texels"
            )));
        }
        side = (side + side / 2).min(max_dim);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::layout;
    use super::super::BRICK;

    #[test]
    fn grids_are_cut_into_bricks_that_fit_and_do_not_overlap_in_the_atlas() {
        let (_, l) = layout();
        // Root 40 cells -> 2 bricks along x; grid 2 (40x16x16 at level 1) -> 2 along x.
        assert_eq!(l.bricks.iter().filter(|b| b.grid == 0).count(), 2);
        assert!(l.bricks.iter().all(|b| b.dims.iter().all(|&d| d <= BRICK)));
        for (i, a) in l.bricks.iter().enumerate() {
            for b in &l.bricks[i + 1..] {
                let overlap = (0..3).all(|k| {
                    a.atlas[k] < b.atlas[k] + b.stored()[k]
                        && b.atlas[k] < a.atlas[k] + a.stored()[k]
                });
                assert!(!overlap, "{a:?} {b:?}");
            }
            assert!((0..3).all(|k| a.atlas[k] + a.stored()[k] <= l.atlas_dims[k]));
        }
    }
}
