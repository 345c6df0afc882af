//! Athena++ fixtures written with hdf5-writer in the layout Athena++ uses: root attributes,
//! `Levels`, `LogicalLocations`, face coordinates and the `prim` and `cons` data datasets of
//! the given leaf blocks, 3-D or 2-D (`MeshBlockSize` 1 along x3).

use glam::DVec3;
use hdf5_writer::{AttributeBuilder, ByteOrder, DatasetBuilder, Hdf5Builder, WriteOptions};
use std::path::{Path, PathBuf};

pub type Leaf = (u32, [i64; 3]);

/// The values the fixtures store: linear `rho` (so restriction is exact at parent centres),
/// nonlinear `press` and `Etot`.
pub fn rho(p: DVec3) -> f64 {
    1.0 + p.x + 2.0 * p.y + 3.0 * p.z
}
pub fn press(p: DVec3) -> f64 {
    p.x * p.x + p.y * p.z + 10.0
}
pub fn etot(p: DVec3) -> f64 {
    (p.x * 3.0).sin() + p.y * p.y * p.z
}

/// An Athena++ file in the making: attributes and datasets that tests may replace.
pub struct Fixture {
    pub attrs: Vec<AttributeBuilder>,
    pub datasets: Vec<(String, DatasetBuilder)>,
    pub order: ByteOrder,
}

impl Fixture {
    pub fn set_attr(&mut self, a: AttributeBuilder) {
        self.attrs.retain(|x| x.name() != a.name());
        self.attrs.push(a);
    }
    pub fn drop_attr(&mut self, name: &str) {
        self.attrs.retain(|x| x.name() != name);
    }
    pub fn set_dataset(&mut self, name: &str, d: DatasetBuilder) {
        self.datasets.retain(|x| x.0 != name);
        self.datasets.push((name.to_string(), d));
    }
    pub fn write(self, path: &Path) -> PathBuf {
        let mut b = Hdf5Builder::new();
        for a in self.attrs {
            b = b.attribute(a);
        }
        for (_, d) in self.datasets {
            b = b.dataset(d);
        }
        let bytes = b
            .into_plan()
            .unwrap()
            .encode(WriteOptions {
                byte_order: self.order,
                ..Default::default()
            })
            .unwrap();
        std::fs::write(path, bytes).unwrap();
        path.to_path_buf()
    }
}

pub fn data<T: hdf5_writer::H5WriteElement>(
    name: &str,
    shape: Vec<u64>,
    v: &[T],
    order: ByteOrder,
) -> DatasetBuilder {
    DatasetBuilder::typed_with_order::<T>(name, shape, order)
        .data(v)
        .unwrap()
}

/// Builds the file for `leaves` on a root grid of `root` cells in blocks of `mb` cells over
/// `[lo, hi]`; `prim` holds rho and press, `cons` holds Etot (f32, in `order`).
pub fn fixture(
    leaves: &[Leaf],
    root: [i64; 3],
    mb: [i64; 3],
    lo: [f64; 3],
    hi: [f64; 3],
    order: ByteOrder,
) -> Fixture {
    let nb = leaves.len();
    let max_level = leaves.iter().map(|l| l.0).max().unwrap_or(0);
    let nrb = [0, 1, 2].map(|a| root[a] / mb[a]);
    let mut levels = Vec::new();
    let mut locs = Vec::new();
    let mut faces: [Vec<f32>; 3] = Default::default();
    let mut prim = [Vec::new(), Vec::new()];
    let mut cons = Vec::new();
    for &(level, loc) in leaves {
        levels.push(level as i32);
        locs.extend_from_slice(&loc);
        // A 2-D mesh (one cell along x3) is refined along x1 and x2 only.
        let ratio = |a: usize| if a == 2 && root[2] == 1 { 1i64 } else { 2 };
        let w = [0, 1, 2].map(|a| (hi[a] - lo[a]) / (nrb[a] * ratio(a).pow(level)) as f64);
        let left = [0, 1, 2].map(|a| lo[a] + loc[a] as f64 * w[a]);
        let dx = [0, 1, 2].map(|a| w[a] / mb[a] as f64);
        for a in 0..3 {
            for i in 0..=mb[a] {
                faces[a].push((left[a] + i as f64 * dx[a]) as f32);
            }
        }
        for k in 0..mb[2] {
            for j in 0..mb[1] {
                for i in 0..mb[0] {
                    let p = DVec3::new(
                        left[0] + (i as f64 + 0.5) * dx[0],
                        left[1] + (j as f64 + 0.5) * dx[1],
                        left[2] + (k as f64 + 0.5) * dx[2],
                    );
                    prim[0].push(rho(p) as f32);
                    prim[1].push(press(p) as f32);
                    cons.push(etot(p) as f32);
                }
            }
        }
    }
    let prim: Vec<f32> = prim.concat();
    let shape = |nv: u64| vec![nv, nb as u64, mb[2] as u64, mb[1] as u64, mb[0] as u64];
    let attrs = vec![
        AttributeBuilder::vector("RootGridX1", &[lo[0], hi[0], 1.0]).unwrap(),
        AttributeBuilder::vector("RootGridX2", &[lo[1], hi[1], 1.0]).unwrap(),
        AttributeBuilder::vector("RootGridX3", &[lo[2], hi[2], 1.0]).unwrap(),
        AttributeBuilder::vector("RootGridSize", &root.map(|v| v as i32)).unwrap(),
        AttributeBuilder::vector("MeshBlockSize", &mb.map(|v| v as i32)).unwrap(),
        AttributeBuilder::scalar("NumMeshBlocks", nb as i32).unwrap(),
        AttributeBuilder::scalar("MaxLevel", max_level as i32).unwrap(),
        AttributeBuilder::scalar("Time", 2.5f64).unwrap(),
        AttributeBuilder::scalar("NumCycles", 100i32).unwrap(),
        AttributeBuilder::fixed_string("Coordinates", "cartesian"),
        AttributeBuilder::fixed_string_vector("DatasetNames", &["prim", "cons"]).unwrap(),
        AttributeBuilder::vector("NumVariables", &[2i32, 1]).unwrap(),
        AttributeBuilder::fixed_string_vector("VariableNames", &["rho", "press", "Etot"]).unwrap(),
    ];
    let datasets = vec![
        (
            "Levels".to_string(),
            data("Levels", vec![nb as u64], &levels, order),
        ),
        (
            "LogicalLocations".to_string(),
            data("LogicalLocations", vec![nb as u64, 3], &locs, order),
        ),
        (
            "x1f".to_string(),
            data("x1f", vec![nb as u64, mb[0] as u64 + 1], &faces[0], order),
        ),
        (
            "x2f".to_string(),
            data("x2f", vec![nb as u64, mb[1] as u64 + 1], &faces[1], order),
        ),
        (
            "x3f".to_string(),
            data("x3f", vec![nb as u64, mb[2] as u64 + 1], &faces[2], order),
        ),
        ("prim".to_string(), data("prim", shape(2), &prim, order)),
        ("cons".to_string(), data("cons", shape(1), &cons, order)),
    ];
    Fixture {
        attrs,
        datasets,
        order,
    }
}
