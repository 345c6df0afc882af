//! The built-in demo dataset, used when no dataset is given: a synthetic cosmological halo.
//!
//! The domain is `[0, 1]^3` with a 64^3 root level (eight 32^3 grids) and three levels refined
//! by 2. The gas has a cuspy NFW-like main halo (density up to ~1e4), a few subhalos, filaments
//! of enhanced density converging on the halo from the domain faces, and a low-density
//! background (~1e-3) with mild value noise. Refinement follows the density like an AMR code's
//! would: at each level, cells of that level above a threshold are flagged, the next level's
//! index space is tiled into 16^3 blocks, blocks holding flagged cells are kept and merged into
//! boxes. Only cells inside the current level's grids are flagged, so the result is properly
//! nested by construction.
//!
//! Every cell holds the analytic field at its centre, so levels agree with each other. Fields:
//! `Density`, `Temperature` (K: a hot halo with a cool core and an accretion shock, cold
//! filaments and background) and `x-velocity` (km/s, signed: infall, rotation, turbulence).
//! Everything is deterministic (an integer hash, no RNG).

mod geometry;
mod model;
mod noise;
pub mod synthetic;

use crate::amr::{AmrDataset, AmrField, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::{self, DataSource, Metadata};
use geometry::build_hierarchy;
use glam::DVec3;
use model::{FieldKind, Model};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The fields the demo provides, in order.
pub const FIELDS: [&str; 3] = ["Density", "Temperature", "x-velocity"];

/// The built-in demo dataset: geometry built once, fields computed on request.
pub struct Demo {
    metadata: Metadata,
    hierarchy: AmrHierarchy,
    model: Model,
}

impl Demo {
    /// Builds the demo's grid hierarchy (a fraction of a second in a release build).
    pub fn new() -> Result<Self> {
        let model = Model::new();
        let hierarchy = build_hierarchy(&model)?;
        Ok(Demo {
            metadata: Metadata {
                format: "demo".into(),
                name: "demo".into(),
                time: None,
                units: Default::default(),
            },
            hierarchy,
            model,
        })
    }

    /// The field `kind` at the cell centres of grid `n`, x fastest.
    fn grid_values(&self, kind: FieldKind, n: usize) -> Vec<f32> {
        let h = &self.hierarchy;
        let g = &h.grids[n];
        let (s, _) = h.index_box(n);
        let dims = h.level_dims(g.level);
        let inv = [0, 1, 2].map(|a| 1.0 / dims[a] as f64);
        let mut v = Vec::with_capacity(g.num_cells());
        for k in 0..g.dims[2] {
            let z = (s[2] as f64 + k as f64 + 0.5) * inv[2];
            for j in 0..g.dims[1] {
                let y = (s[1] as f64 + j as f64 + 0.5) * inv[1];
                for i in 0..g.dims[0] {
                    let x = (s[0] as f64 + i as f64 + 0.5) * inv[0];
                    v.push(self.model.field(kind, DVec3::new(x, y, z)) as f32);
                }
            }
        }
        v
    }
}

/// The kind of the field called `name`.
fn field_kind(name: &str) -> Result<FieldKind> {
    match FIELDS.iter().position(|f| *f == name) {
        Some(0) => Ok(FieldKind::Density),
        Some(1) => Ok(FieldKind::Temperature),
        Some(2) => Ok(FieldKind::XVelocity),
        _ => Err(Error::UnknownField {
            name: name.to_string(),
            available: FIELDS.join(", "),
        }),
    }
}

impl DataSource for Demo {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }

    fn field_names(&self) -> Vec<String> {
        FIELDS.iter().map(|s| s.to_string()).collect()
    }

    fn read_field(&self, name: &str) -> Result<AmrField> {
        let kind = field_kind(name)?;
        let data = par_map(self.hierarchy.grids.len(), |n| self.grid_values(kind, n));
        Ok(AmrField::new(name, data))
    }

    /// Computes grid `n` only.
    fn read_grid(&self, name: &str, n: usize) -> Result<Vec<f32>> {
        let kind = field_kind(name)?;
        if n >= self.hierarchy.grids.len() {
            return Err(formats::no_grid(name, n, self.hierarchy.grids.len()));
        }
        Ok(self.grid_values(kind, n))
    }
}

/// The demo dataset with `field` loaded (the default field, `Density`, when `None`).
pub fn demo_dataset(field: Option<&str>) -> Result<AmrDataset> {
    formats::load(&Demo::new()?, field)
}

/// Runs `f(0..n)` on all cores (work shared grid by grid) and returns the results in order.
fn par_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .clamp(1, 16)
        .min(n.max(1));
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut parts: Vec<(usize, T)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        mine.push((i, f(i)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    parts.sort_by_key(|(i, _)| *i);
    parts.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::CENTER;

    #[test]
    fn density_spans_decades_and_peaks_at_the_finest_level() {
        let ds = demo_dataset(None).unwrap();
        assert_eq!(ds.field.name, "Density");
        assert_eq!(ds.name, "demo");
        let s = ds.stats();
        assert_eq!(s.non_finite, 0);
        assert_eq!(s.non_positive, 0);
        assert!(s.min > 5e-4 && s.min < 3e-3, "min {}", s.min);
        assert!(s.max > 3e3 && s.max < 3e4, "max {}", s.max);
        assert!((s.max / s.min).log10() > 6.0);
        let (mut best, mut at) = (f32::MIN, 0);
        for (n, d) in ds.field.data.iter().enumerate() {
            for &v in d.iter() {
                if v > best {
                    best = v;
                    at = n;
                }
            }
        }
        assert_eq!(ds.hierarchy.grids[at].level, 3);
        // The halo centre is a finest cell centre holding the maximum.
        assert_eq!(ds.sample(DVec3::from(CENTER)), best);
    }

    #[test]
    fn deterministic() {
        let a = Demo::new().unwrap();
        let b = Demo::new().unwrap();
        assert_eq!(a.hierarchy().grids, b.hierarchy().grids);
        let fa = a.read_field("x-velocity").unwrap();
        let fb = b.read_field("x-velocity").unwrap();
        assert_eq!(fa.data, fb.data);
    }

    #[test]
    fn read_grid_computes_the_grid_read_field_computes() {
        let demo = Demo::new().unwrap();
        let grids = demo.hierarchy().grids.len();
        for name in FIELDS {
            let field = demo.read_field(name).unwrap();
            for n in 0..grids {
                let alone = demo.read_grid(name, n).unwrap();
                assert_eq!(&alone[..], &field.data[n][..], "{name} grid {n}");
            }
            let e = demo.read_grid(name, grids).unwrap_err().to_string();
            assert!(e.contains(&format!("no grid {grids}")), "{e}");
        }
        assert!(matches!(
            demo.read_grid("Pressure", 0),
            Err(Error::UnknownField { .. })
        ));
    }

    #[test]
    fn unknown_field_is_reported() {
        let e = demo_dataset(Some("Pressure")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("Pressure") && msg.contains("Temperature"),
            "{msg}"
        );
    }

    #[test]
    #[ignore]
    fn print_stats() {
        let t0 = std::time::Instant::now();
        let demo = Demo::new().unwrap();
        let t1 = t0.elapsed();
        let d = demo.read_field("Density").unwrap();
        let t2 = t0.elapsed();
        let h = demo.hierarchy();
        for l in 0..=h.max_level() {
            let g: Vec<_> = h.grids.iter().filter(|g| g.level == l).collect();
            let cells: usize = g.iter().map(|g| g.num_cells()).sum();
            let maxd = g
                .iter()
                .map(|g| *g.dims.iter().max().unwrap())
                .max()
                .unwrap();
            eprintln!(
                "level {l}: {} grids, {cells} cells, largest extent {maxd}",
                g.len()
            );
        }
        let s = crate::amr::field_stats(d.data.iter().map(|v| &v[..]));
        eprintln!(
            "total {} cells; geometry {t1:?}, +density {t2:?}; {s:?}",
            h.num_cells()
        );
        for f in FIELDS {
            let t = std::time::Instant::now();
            let d = demo.read_field(f).unwrap();
            let s = crate::amr::field_stats(d.data.iter().map(|v| &v[..]));
            eprintln!("{f}: {:?} {s:?}", t.elapsed());
        }
    }
}
