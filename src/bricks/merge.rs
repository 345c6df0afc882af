//! Merging bricks across grid faces: neighbouring bricks of one level that share a whole face
//! become one brick while it fits in [`BRICK`] cells per axis.
//!
//! Codes that write many small grids (Athena++'s 8^3 mesh blocks, Enzo's small subgrids) give
//! one brick per grid, so one kd-tree leaf per grid: a ray then pays a leaf's setup (its slab
//! test, its texture transform, its first and last partial step) every few samples, and a
//! tile's list holds many leaves its rays miss. A brick is only a box of one level's cells
//! with a border (its values come from the AMR model, whichever grid holds each cell), so
//! bricks of neighbouring grids merge into one as long as the union is a box: the values and
//! their interpolation do not change, and the leaves become as large as the bricks allow.

use super::{Brick, BRICK};
use std::collections::HashMap;

/// Merges `bricks` (each inside one level's grids) along x, then y, then z: runs of bricks
/// of one level with the same extent on the other two axes, each touching the next, become
/// one brick while the run fits in [`BRICK`] cells. A merged brick names the grid of its
/// first part. The result is ordered by grid, then position, like the input of
/// [`super::BrickLayout::build`].
pub(super) fn merge_bricks(mut bricks: Vec<Brick>) -> Vec<Brick> {
    for axis in 0..3 {
        bricks = merge_along(bricks, axis);
    }
    bricks.sort_by_key(|b| (b.grid, b.start[2], b.start[1], b.start[0]));
    bricks
}

/// One pass of [`merge_bricks`] along `axis`.
fn merge_along(bricks: Vec<Brick>, axis: usize) -> Vec<Brick> {
    let (b, c) = ((axis + 1) % 3, (axis + 2) % 3);
    // Bricks with the same level and cross-section, which may merge along `axis`.
    let mut rows: HashMap<(u32, [i64; 4]), Vec<Brick>> = HashMap::new();
    for br in bricks {
        let key = [br.start[b], br.dims[b], br.start[c], br.dims[c]];
        rows.entry((br.level, key)).or_default().push(br);
    }
    let mut out = Vec::new();
    for mut row in rows.into_values() {
        row.sort_by_key(|br| br.start[axis]);
        let mut run: Option<Brick> = None;
        for br in row {
            match run.as_mut() {
                Some(r)
                    if r.start[axis] + r.dims[axis] == br.start[axis]
                        && r.dims[axis] + br.dims[axis] <= BRICK =>
                {
                    r.dims[axis] += br.dims[axis];
                    // The merged brick names its lowest grid, whatever the order of merging.
                    r.grid = r.grid.min(br.grid);
                }
                _ => out.extend(run.replace(br)),
            }
        }
        out.extend(run);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brick(grid: usize, level: u32, start: [i64; 3], dims: [i64; 3]) -> Brick {
        Brick {
            grid,
            level,
            start,
            dims,
        }
    }

    #[test]
    fn a_lattice_of_small_blocks_merges_into_bricks_that_fit() {
        // 8 x 8 x 8 blocks of 8^3 cells: 64^3 cells, which fit 2 x 2 x 2 bricks of 32^3.
        let mut blocks = Vec::new();
        for k in 0..8 {
            for j in 0..8 {
                for i in 0..8 {
                    blocks.push(brick(blocks.len(), 1, [8 * i, 8 * j, 8 * k], [8; 3]));
                }
            }
        }
        let merged = merge_bricks(blocks);
        assert_eq!(merged.len(), 8);
        assert!(merged.iter().all(|b| b.dims == [32; 3] && b.level == 1));
        let cells: i64 = merged.iter().map(|b| b.dims.iter().product::<i64>()).sum();
        assert_eq!(cells, 64 * 64 * 64);
        // Each names the lowest grid inside it.
        let first = merged.iter().find(|b| b.start == [32, 0, 0]).unwrap();
        assert_eq!(first.grid, 4);
    }

    #[test]
    fn bricks_merge_only_across_whole_shared_faces_of_one_level() {
        let bricks = vec![
            // Same cross-section, touching: merge.
            brick(0, 1, [0, 0, 0], [8, 8, 8]),
            brick(1, 1, [8, 0, 0], [8, 8, 8]),
            // Touching, but another level.
            brick(2, 2, [16, 0, 0], [8, 8, 8]),
            // Same level and cross-section, not touching.
            brick(3, 1, [20, 0, 0], [8, 8, 8]),
            // Touching, other cross-section.
            brick(4, 1, [0, 8, 0], [8, 4, 8]),
            // Would exceed BRICK along x.
            brick(5, 1, [0, 0, 40], [20, 8, 8]),
            brick(6, 1, [20, 0, 40], [20, 8, 8]),
        ];
        let merged = merge_bricks(bricks);
        assert_eq!(merged.len(), 6);
        assert_eq!(merged[0], brick(0, 1, [0, 0, 0], [16, 8, 8]));
        assert!(merged.iter().all(|b| b.dims.iter().all(|&d| d <= BRICK)));
    }
}
