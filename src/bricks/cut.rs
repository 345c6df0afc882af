//! Cutting grids into bricks: each axis into the fewest near-equal runs of at most [`BRICK`].

use super::BRICK;

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

#[cfg(test)]
mod tests {
    use super::super::tests::layout;
    use super::super::BRICK;
    use super::split_axis;

    #[test]
    fn axes_are_cut_into_near_equal_runs_that_fit() {
        for n in 1..200 {
            let runs = split_axis(n);
            assert_eq!(runs.iter().map(|r| r.1).sum::<i64>(), n);
            assert!(runs.iter().all(|r| r.1 <= BRICK && r.1 >= 1));
            let (lo, hi) = (
                runs.iter().map(|r| r.1).min(),
                runs.iter().map(|r| r.1).max(),
            );
            assert!(hi.unwrap() - lo.unwrap() <= 1, "{n}: {runs:?}");
            assert_eq!(runs.len() as i64, (n + BRICK - 1) / BRICK);
        }
    }

    #[test]
    fn grids_are_cut_into_bricks_that_cover_them_once() {
        let (ds, l) = layout();
        // Root 40 cells -> 2 bricks along x; grid 2 (40x16x16 at level 1) -> 2 along x.
        assert_eq!(l.bricks.iter().filter(|b| b.grid == 0).count(), 2);
        for (n, _) in ds.hierarchy.grids.iter().enumerate() {
            let cells: i64 = l
                .bricks
                .iter()
                .filter(|b| b.grid == n)
                .map(|b| b.dims.iter().product::<i64>())
                .sum();
            assert_eq!(cells as usize, ds.hierarchy.grids[n].num_cells());
        }
        assert!(l.bricks.iter().all(|b| b.dims.iter().all(|&d| d <= BRICK)));
    }
}
