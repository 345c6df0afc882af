//! Shared helpers for the integration tests: synthetic datasets and one GPU context.
#![allow(dead_code)]

pub mod athena;
pub mod chombo_writer;
pub mod enzo;
pub mod external;
pub mod npy;
pub mod read_grid;

use amrcast::amr::{AmrDataset, AmrField, AmrGrid, AmrHierarchy};
use amrcast::gpu::GpuContext;
use glam::DVec3;
use std::sync::OnceLock;

/// The adapter the environment selects, shared by every test of a binary.
pub fn gpu() -> &'static GpuContext {
    static CTX: OnceLock<GpuContext> = OnceLock::new();
    CTX.get_or_init(|| {
        let ctx = GpuContext::new().expect("the GPU tests need an adapter (llvmpipe or lavapipe)");
        eprintln!("adapter: {}", ctx.describe());
        ctx
    })
}

/// A grid `(level, left, right)` on the unit cube with a root of `root` cells per axis.
pub fn hierarchy(root: [usize; 3], grids: &[(u32, [f64; 3], [f64; 3])]) -> AmrHierarchy {
    hierarchy_with_ratios(root, &[2, 2, 2, 2], grids)
}

/// [`hierarchy`] with `ratios[l]` the refinement ratio between levels `l` and `l + 1`.
pub fn hierarchy_with_ratios(
    root: [usize; 3],
    ratios: &[u32],
    grids: &[(u32, [f64; 3], [f64; 3])],
) -> AmrHierarchy {
    let mut all = vec![AmrGrid {
        id: 1,
        level: 0,
        left: DVec3::ZERO,
        right: DVec3::ONE,
        dims: root,
    }];
    for (n, &(level, l, r)) in grids.iter().enumerate() {
        let dx = DVec3::ONE
            / DVec3::new(root[0] as f64, root[1] as f64, root[2] as f64)
            / ratios[..level as usize].iter().product::<u32>() as f64;
        let cells = ((DVec3::from(r) - DVec3::from(l)) / dx).round();
        all.push(AmrGrid {
            id: n as u64 + 2,
            level,
            left: DVec3::from(l),
            right: DVec3::from(r),
            dims: [cells.x as usize, cells.y as usize, cells.z as usize],
        });
    }
    let ratios = ratios.iter().map(|&r| [r; 3]).collect();
    AmrHierarchy::with_ratios(DVec3::ZERO, DVec3::ONE, root, ratios, all).unwrap()
}

/// The field `f` sampled at every cell centre of `h`.
pub fn dataset(h: AmrHierarchy, f: impl Fn(DVec3) -> f32) -> AmrDataset {
    let data = h
        .grids
        .iter()
        .map(|g| {
            let dx = g.cell_size();
            let mut v = Vec::with_capacity(g.num_cells());
            for k in 0..g.dims[2] {
                for j in 0..g.dims[1] {
                    for i in 0..g.dims[0] {
                        v.push(f(
                            g.left + (DVec3::new(i as f64, j as f64, k as f64) + 0.5) * dx
                        ));
                    }
                }
            }
            v
        })
        .map(Into::into)
        .collect();
    AmrDataset::new(
        "test",
        h,
        AmrField {
            name: "f".into(),
            data,
        },
    )
    .unwrap()
}

/// A smooth positive blob with a few decades of contrast.
pub fn blob(p: DVec3) -> f32 {
    let c = DVec3::new(0.55, 0.45, 0.5);
    let r2 = (p - c).length_squared();
    (1e-3
        + 10.0 * (-r2 / 0.01).exp()
        + 2.0 * (-(p - DVec3::new(0.3, 0.7, 0.4)).length_squared() / 0.004).exp()) as f32
}

/// Mean absolute difference of two pixel arrays, per channel averaged.
pub fn mean_abs_diff(a: &[[f32; 4]], b: &[[f32; 4]], channels: usize) -> f64 {
    assert_eq!(a.len(), b.len());
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b) {
        for c in 0..channels {
            s += (x[c] as f64 - y[c] as f64).abs();
        }
    }
    s / (a.len() * channels) as f64
}

/// Projection of the field as stored (linear scale): line integrals to compare with analytic
/// values.
pub fn projection() -> amrcast::render::RenderSettings {
    amrcast::render::RenderSettings {
        mode: amrcast::render::Mode::Projection,
        tf: amrcast::transfer::TransferFunction {
            scale: amrcast::transfer::Scale::Linear,
            ..Default::default()
        },
        ..Default::default()
    }
}
