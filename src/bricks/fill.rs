//! Filling the atlas: each brick's values with their border, encoded for a scale, and the
//! range of values each leaf can sample.

use super::{Brick, BrickLayout, BrickValues};
use crate::amr::AmrDataset;
use crate::transfer::{Scale, MISSING, MISSING_BELOW};

impl BrickLayout {
    /// Fills the atlas with the dataset's values encoded for `scale`, and the leaves' ranges.
    pub fn fill(&self, ds: &AmrDataset, scale: Scale) -> BrickValues {
        let [aw, ah, ad] = self.atlas_dims.map(|v| v as usize);
        let mut atlas = vec![MISSING; aw * ah * ad];
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        // Bricks are computed in parallel a batch at a time and copied into the atlas, so the
        // peak memory is the atlas plus one batch (not a second copy of every brick).
        let batch = threads * 32;
        for group in self.bricks.chunks(batch) {
            let chunk = group.len().div_ceil(threads).max(1);
            let filled: Vec<Vec<f32>> = std::thread::scope(|s| {
                let handles: Vec<_> = group
                    .chunks(chunk)
                    .map(|part| {
                        s.spawn(move || {
                            part.iter()
                                .map(|b| brick_values(ds, b, scale))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().expect("brick worker panicked"))
                    .collect()
            });
            for (b, vals) in group.iter().zip(&filled) {
                let [sx, sy, sz] = b.stored().map(|v| v as usize);
                let [ox, oy, oz] = b.atlas.map(|v| v as usize);
                for z in 0..sz {
                    for y in 0..sy {
                        let src = sx * (y + sy * z);
                        let dst = ox + aw * ((oy + y) + ah * (oz + z));
                        atlas[dst..dst + sx].copy_from_slice(&vals[src..src + sx]);
                    }
                }
            }
        }
        let leaf_ranges = self
            .leaves
            .iter()
            .map(|l| {
                let b = &self.bricks[l.brick];
                let m = (ds.hierarchy.refine_by as i64).pow(self.fine_level - b.level);
                // Stored texels the leaf's samples can touch: its cells and one more around.
                let lo = [0, 1, 2].map(|a| (l.lo[a] / m - b.start[a] + 1 - 1).max(0) as usize);
                let hi = [0, 1, 2].map(|a| {
                    ((l.hi[a] / m - b.start[a] + 1 + 1) as usize).min(b.stored()[a] as usize)
                });
                let mut r = [f32::INFINITY, f32::NEG_INFINITY];
                for z in lo[2]..hi[2] {
                    for y in lo[1]..hi[1] {
                        for x in lo[0]..hi[0] {
                            let v = atlas[(b.atlas[0] as usize + x)
                                + aw * ((b.atlas[1] as usize + y)
                                    + ah * (b.atlas[2] as usize + z))];
                            if v > MISSING_BELOW {
                                r[0] = r[0].min(v);
                                r[1] = r[1].max(v);
                            }
                        }
                    }
                }
                r
            })
            .collect();
        BrickValues {
            scale,
            atlas,
            leaf_ranges,
        }
    }
}

/// Values of one brick with its border, encoded.
fn brick_values(ds: &AmrDataset, b: &Brick, scale: Scale) -> Vec<f32> {
    let h = &ds.hierarchy;
    let [sx, sy, sz] = b.stored().map(|v| v as i64);
    let (gs, ge) = h.index_box(b.grid);
    let gd = h.grids[b.grid].dims;
    let data = &ds.field.data[b.grid];
    let mut out = Vec::with_capacity((sx * sy * sz) as usize);
    for z in 0..sz {
        for y in 0..sy {
            for x in 0..sx {
                let c = [b.start[0] + x - 1, b.start[1] + y - 1, b.start[2] + z - 1];
                let inside = (0..3).all(|a| gs[a] <= c[a] && c[a] < ge[a]);
                let v = if inside {
                    let (i, j, k) = (
                        (c[0] - gs[0]) as usize,
                        (c[1] - gs[1]) as usize,
                        (c[2] - gs[2]) as usize,
                    );
                    data[i + gd[0] * (j + gd[1] * k)]
                } else {
                    ds.cell_value(b.level, c)
                };
                out.push(scale.encode(v));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::layout;
    use crate::transfer::Scale;
    use glam::DVec3;

    #[test]
    fn borders_continue_the_field() {
        let (ds, l) = layout();
        let v = l.fill(&ds, Scale::Linear);
        // The linear field is reproduced in every stored texel, borders included, except
        // where the border leaves the domain (constant extrapolation).
        let h = &ds.hierarchy;
        for b in &l.bricks {
            let dx = h.cell_size(b.level);
            let s = b.stored();
            for z in 0..s[2] as i64 {
                for y in 0..s[1] as i64 {
                    for x in 0..s[0] as i64 {
                        let c = [b.start[0] + x - 1, b.start[1] + y - 1, b.start[2] + z - 1];
                        let dims = h.level_dims(b.level);
                        if (0..3).any(|a| c[a] < 0 || c[a] >= dims[a]) {
                            continue;
                        }
                        let p = (DVec3::new(c[0] as f64, c[1] as f64, c[2] as f64) + 0.5) * dx;
                        let want = 1.0 + p.x + 2.0 * p.y + 3.0 * p.z;
                        let at = b.atlas[0] as usize
                            + x as usize
                            + l.atlas_dims[0] as usize
                                * (b.atlas[1] as usize
                                    + y as usize
                                    + l.atlas_dims[1] as usize
                                        * (b.atlas[2] as usize + z as usize));
                        assert!(
                            (v.atlas[at] as f64 - want).abs() < 1e-5,
                            "brick {b:?} texel {x},{y},{z}"
                        );
                    }
                }
            }
        }
        assert!(v
            .leaf_ranges
            .iter()
            .all(|r| r[0] <= r[1] && r[0] > 0.9 && r[1] < 7.1));
    }
}
