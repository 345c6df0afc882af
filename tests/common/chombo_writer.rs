//! Chombo HDF5 files written with hdf5-writer in the layouts codes use: compound `boxes` and
//! `prob_domain` (2-D or 3-D members, records padded or not), `data:offsets=0` and
//! `data:datatype=0` with stored ghost cells (`outputGhost` in `data_attributes` or on the
//! level group), or a checkpoint's datasets per variable. Tests change the levels, options
//! and any attribute or dataset before writing.

use hdf5_writer::{
    AttributeBuilder, ByteOrder, CompoundField, DatasetBuilder, Datatype, Hdf5Builder, WriteOptions,
};
use std::path::{Path, PathBuf};

/// The value of every stored ghost cell: never in a field read correctly.
pub const GHOST_VALUE: f64 = -999.0;

pub const COMPONENTS: [&str; 2] = ["density", "pressure"];

/// The stored value of component `c` at global cell (i, j, k) of `level`: exact in f32.
pub fn value(c: usize, level: usize, i: i64, j: i64, k: i64) -> f64 {
    (c * 100_000 + level * 10_000) as f64 + i as f64 + 20.0 * j as f64 + 400.0 * k as f64
}

fn int_member(name: &str, offset: u32) -> CompoundField {
    CompoundField {
        name: name.into(),
        byte_offset: offset,
        datatype: Datatype::FixedPoint {
            size: 4,
            signed: true,
            byte_order: ByteOrder::LittleEndian,
        },
    }
}

/// A compound of i32 members `names`, in `size` bytes (at least 4 per member: the rest is
/// padding, as BISICLES and Chombo's 2-D plotfiles write it).
fn int_compound(names: &[&str], size: u32) -> Datatype {
    Datatype::Compound {
        size,
        fields: names
            .iter()
            .enumerate()
            .map(|(n, name)| int_member(name, 4 * n as u32))
            .collect(),
    }
}

pub fn ints_bytes(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// How the file is laid out.
#[derive(Clone, Debug)]
pub struct Options {
    /// `SpaceDim`: 2 or 3 (boxes keep their 3-D form; 2-D files write lo/hi i and j only).
    pub dim: usize,
    /// Bytes per box record (`None`: packed, 4 per member).
    pub record_size: Option<u32>,
    /// `outputGhost` on the level group rather than in `data_attributes`.
    pub ghost_on_level_group: bool,
    /// A checkpoint: each component in `NAME:datatype=0` (with `NAME:offsets=0` and
    /// `NAME_attributes`), no `data:datatype=0`, and a face-centred `advVel` beside them.
    pub checkpoint: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dim: 3,
            record_size: None,
            ghost_on_level_group: false,
            checkpoint: false,
        }
    }
}

impl Options {
    fn box_type(&self) -> Datatype {
        let names: &[&str] = match self.dim {
            2 => &["lo_i", "lo_j", "hi_i", "hi_j"],
            _ => &["lo_i", "lo_j", "lo_k", "hi_i", "hi_j", "hi_k"],
        };
        let packed = 4 * names.len() as u32;
        int_compound(names, self.record_size.unwrap_or(packed))
    }
    /// A box's record: 2-D boxes drop their k entries.
    fn box_ints(&self, b: [i32; 6]) -> Vec<i32> {
        match self.dim {
            2 => vec![b[0], b[1], b[3], b[4]],
            _ => b.to_vec(),
        }
    }
    fn boxes_bytes(&self, boxes: &[[i32; 6]]) -> Vec<u8> {
        let size = match self.box_type() {
            Datatype::Compound { size, .. } => size as usize,
            _ => unreachable!(),
        };
        let mut out = Vec::new();
        for b in boxes {
            let mut rec = ints_bytes(&self.box_ints(*b));
            rec.resize(size, 0xAB);
            out.extend(rec);
        }
        out
    }
    pub fn box_attr(&self, name: &str, b: [i32; 6]) -> AttributeBuilder {
        AttributeBuilder::new(
            name,
            self.box_type(),
            Vec::<u64>::new(),
            self.boxes_bytes(&[b]),
        )
    }
    /// Chombo's IntVect compound `intvecti, intvectj[, intvectk]`.
    pub fn intvect_attr(&self, name: &str, v: [i32; 3]) -> AttributeBuilder {
        let names = ["intvecti", "intvectj", "intvectk"];
        let t = int_compound(&names[..self.dim], 4 * self.dim as u32);
        AttributeBuilder::new(name, t, Vec::<u64>::new(), ints_bytes(&v[..self.dim]))
    }
}

pub struct Level {
    pub dx: f64,
    pub ref_ratio: i32,
    pub domain: [i32; 6],
    pub boxes: Vec<[i32; 6]>,
    /// Ghost width written as `outputGhost` (None: not written); `ghost`, the width the code
    /// computed with, is written one wider beside it (readers must ignore it).
    pub ghost: Option<[i32; 3]>,
}

/// Two levels: level 0 (8^3, dx 1/8) in two boxes split at i = 4; level 1 (dx 1/16) with a box
/// straddling that split and one in the corner. Ghost width 1 written on both levels.
pub fn two_levels() -> Vec<Level> {
    vec![
        Level {
            dx: 0.125,
            ref_ratio: 2,
            domain: [0, 0, 0, 7, 7, 7],
            boxes: vec![[0, 0, 0, 3, 7, 7], [4, 0, 0, 7, 7, 7]],
            ghost: Some([1, 1, 1]),
        },
        Level {
            dx: 0.0625,
            ref_ratio: 2,
            domain: [0, 0, 0, 15, 15, 15],
            boxes: vec![[6, 4, 4, 9, 7, 7], [0, 0, 0, 1, 1, 3]],
            ghost: Some([1, 1, 1]),
        },
    ]
}

/// A Chombo file in the making: root attributes, group attributes and datasets that tests may
/// replace before writing.
pub struct Fixture {
    pub opts: Options,
    pub attrs: Vec<AttributeBuilder>,
    pub group_attrs: Vec<(String, AttributeBuilder)>,
    pub datasets: Vec<(String, DatasetBuilder)>,
    /// Per level: the offsets and data as generated (plotfiles; for tests that corrupt them).
    pub offsets: Vec<Vec<i64>>,
    pub data: Vec<Vec<f64>>,
}

/// Per component, box `b`'s values with `gh` ghost cells (valued [`GHOST_VALUE`]) around:
/// `dim` axes, i fastest.
fn box_values(l: usize, b: &[i32; 6], gh: [i64; 3], dim: usize) -> Vec<Vec<f64>> {
    let lo = [b[0], b[1], b[2]].map(|v| v as i64);
    let hi = [b[3], b[4], b[5]].map(|v| v as i64);
    let gk = if dim == 2 { 0 } else { gh[2] };
    (0..COMPONENTS.len())
        .map(|c| {
            let mut v = Vec::new();
            for k in lo[2] - gk..=hi[2] + gk {
                for j in lo[1] - gh[1]..=hi[1] + gh[1] {
                    for i in lo[0] - gh[0]..=hi[0] + gh[0] {
                        let inside = (lo[0]..=hi[0]).contains(&i)
                            && (lo[1]..=hi[1]).contains(&j)
                            && (lo[2]..=hi[2]).contains(&k);
                        v.push(if inside {
                            value(c, l, i, j, k)
                        } else {
                            GHOST_VALUE
                        });
                    }
                }
            }
            v
        })
        .collect()
}

impl Fixture {
    pub fn new(levels: &[Level]) -> Self {
        Self::with(levels, Options::default())
    }

    pub fn with(levels: &[Level], opts: Options) -> Self {
        let mut f = Fixture {
            attrs: vec![
                AttributeBuilder::scalar("num_levels", levels.len() as i32).unwrap(),
                AttributeBuilder::scalar("num_components", COMPONENTS.len() as i32).unwrap(),
                AttributeBuilder::fixed_string("component_0", COMPONENTS[0]),
                AttributeBuilder::fixed_string("component_1", COMPONENTS[1]),
                AttributeBuilder::fixed_string("filetype", "VanillaAMRFileType"),
            ],
            group_attrs: vec![
                (
                    "Chombo_global".into(),
                    AttributeBuilder::scalar("SpaceDim", opts.dim as i32).unwrap(),
                ),
                (
                    "Chombo_global".into(),
                    AttributeBuilder::scalar("testReal", 0.0f64).unwrap(),
                ),
            ],
            datasets: Vec::new(),
            offsets: Vec::new(),
            data: Vec::new(),
            opts,
        };
        for (l, lev) in levels.iter().enumerate() {
            f.level(l, lev);
        }
        f
    }

    /// Group `level_{l}`: its attributes, boxes and values.
    fn level(&mut self, l: usize, lev: &Level) {
        let g = format!("level_{l}");
        let o = self.opts.clone();
        for a in [
            AttributeBuilder::scalar("dx", lev.dx).unwrap(),
            AttributeBuilder::scalar("ref_ratio", lev.ref_ratio).unwrap(),
            AttributeBuilder::scalar("time", 0.75f64).unwrap(),
            o.box_attr("prob_domain", lev.domain),
        ] {
            self.group_attrs.push((g.clone(), a));
        }
        let name = format!("{g}/boxes");
        let d = DatasetBuilder::new(name.clone(), o.box_type(), vec![lev.boxes.len() as u64])
            .raw_data(o.boxes_bytes(&lev.boxes));
        self.set_dataset(&name, d);
        let gh = lev.ghost.unwrap_or([0; 3]).map(|v| v as i64);
        let per_box: Vec<Vec<Vec<f64>>> = lev
            .boxes
            .iter()
            .map(|b| box_values(l, b, gh, o.dim))
            .collect();
        let stores: Vec<(String, Vec<usize>)> = match o.checkpoint {
            false => vec![("data".into(), (0..COMPONENTS.len()).collect())],
            true => COMPONENTS
                .iter()
                .enumerate()
                .map(|(c, n)| (n.to_string(), vec![c]))
                .collect(),
        };
        for (store, comps) in stores {
            let mut offsets = vec![0i64];
            let mut data = Vec::new();
            for b in &per_box {
                for &c in &comps {
                    data.extend_from_slice(&b[c]);
                }
                offsets.push(data.len() as i64);
            }
            let attrs = match store.as_str() {
                "data" => format!("{g}/data_attributes"),
                v => format!("{g}/{v}_attributes"),
            };
            self.store_attrs(&g, &attrs, lev.ghost, comps.len());
            self.set_values(&format!("{g}/{store}"), &offsets, &data);
            if store == "data" {
                self.offsets.push(offsets);
                self.data.push(data);
            }
        }
        if o.checkpoint {
            // Face-centred: one more value per axis, and not a cell field.
            let n: usize = lev.boxes.len() * 100;
            self.set_values(&format!("{g}/advVel"), &[0, n as i64], &vec![0.5; n]);
            let w = format!("{g}/advVel_attributes");
            self.group_attrs.push((
                w.clone(),
                AttributeBuilder::fixed_string("objectType", "unknown"),
            ));
            self.group_attrs
                .push((w, AttributeBuilder::scalar("comps", 1i32).unwrap()));
        }
    }

    /// The attribute group of a store: `comps`, `objectType`, `ghost` (one wider than what
    /// is stored) and `outputGhost` (here or, as asked, on the level group `g`).
    fn store_attrs(&mut self, g: &str, attrs: &str, ghost: Option<[i32; 3]>, comps: usize) {
        let o = self.opts.clone();
        let mut push = |group: &str, a| self.group_attrs.push((group.to_string(), a));
        push(
            attrs,
            AttributeBuilder::scalar("comps", comps as i32).unwrap(),
        );
        push(
            attrs,
            AttributeBuilder::fixed_string("objectType", "FArrayBox"),
        );
        if let Some(gh) = ghost {
            push(attrs, o.intvect_attr("ghost", gh.map(|v| v + 1)));
            let at = if o.ghost_on_level_group { g } else { attrs };
            push(at, o.intvect_attr("outputGhost", gh));
        }
    }

    /// `{prefix}:offsets=0` and `{prefix}:datatype=0`.
    fn set_values(&mut self, prefix: &str, offsets: &[i64], data: &[f64]) {
        let on = format!("{prefix}:offsets=0");
        let d = DatasetBuilder::typed_data(on.clone(), vec![offsets.len() as u64], offsets);
        self.set_dataset(&on, d.unwrap());
        let dn = format!("{prefix}:datatype=0");
        let d = DatasetBuilder::typed_data(dn.clone(), vec![data.len() as u64], data);
        self.set_dataset(&dn, d.unwrap());
    }
    pub fn set_dataset(&mut self, name: &str, d: DatasetBuilder) {
        self.datasets.retain(|x| x.0 != name);
        self.datasets.push((name.to_string(), d));
    }
    pub fn set_offsets(&mut self, level: usize, offsets: &[i64]) {
        let name = format!("level_{level}/data:offsets=0");
        let d =
            DatasetBuilder::typed_data(name.clone(), vec![offsets.len() as u64], offsets).unwrap();
        self.set_dataset(&name, d);
    }
    pub fn set_data(&mut self, level: usize, data: &[f64]) {
        let name = format!("level_{level}/data:datatype=0");
        let d = DatasetBuilder::typed_data(name.clone(), vec![data.len() as u64], data).unwrap();
        self.set_dataset(&name, d);
    }
    pub fn set_attr(&mut self, a: AttributeBuilder) {
        self.attrs.retain(|x| x.name() != a.name());
        self.attrs.push(a);
    }
    pub fn drop_attr(&mut self, name: &str) {
        self.attrs.retain(|x| x.name() != name);
    }
    pub fn set_group_attr(&mut self, group: &str, a: AttributeBuilder) {
        self.group_attrs
            .retain(|x| !(x.0 == group && x.1.name() == a.name()));
        self.group_attrs.push((group.to_string(), a));
    }
    pub fn write(self, path: &Path) -> PathBuf {
        let mut b = Hdf5Builder::new();
        for a in self.attrs {
            b = b.attribute(a);
        }
        for (g, a) in self.group_attrs {
            b = b.group_attribute(g, a);
        }
        for (_, d) in self.datasets {
            b = b.dataset(d);
        }
        let bytes = b
            .into_plan()
            .unwrap()
            .encode(WriteOptions::default())
            .unwrap();
        std::fs::write(path, bytes).unwrap();
        path.to_path_buf()
    }
}
