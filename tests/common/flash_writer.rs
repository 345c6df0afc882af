//! A writer of FLASH 3/4 HDF5 files (file format version 9, PARAMESH) for tests, following
//! the layout of FLASH's IO unit ("HDF5 file format" table of the FLASH 4 and Flash-X user
//! guides) as yt's FLASH frontend reads it:
//!
//! - `sim info`: one `sim_info_t` record (`file format version` int, then fixed strings:
//!   `setup call`[400], `file creation time`, `flash version`, `build date`, `build dir`,
//!   `build machine`[80], `cflags`, `fflags`[400], `setup time stamp`, `build time stamp`[80]);
//! - `integer|real|string|logical scalars|runtime parameters`: records `{ name: char[80]
//!   (blank-padded Fortran string), value: int | double | char[80] | int }`;
//! - `unknown names`: `(nvar, 1)` 4-character strings; one dataset per variable shaped
//!   `(nblocks, nzb, nyb, nxb)`, single precision in plot files, double in checkpoints;
//! - `refine level` (1-based), `node type` (1 leaf, 2 parent, 3 ancestor), `which child`,
//!   `proc number`, `gid` (`(nblocks, 2 ndim + 1 + 2^ndim)`: neighbours -x +x -y +y [-z +z],
//!   parent, children; 1-based, -1 none, -32 an outflow domain boundary), and `coordinates`,
//!   `block size` `(nblocks, 3)` and `bounding box` `(nblocks, 3, 2)`: single precision in plot
//!   files (FLASH's default), double in checkpoints.
//!
//! Blocks are written depth first (a block, then its children in x-fastest order), roots in
//! x-fastest order. Every cell holds [`value`]: parents hold their own level's values, not the
//! mean of their children, so that what an image shows tells which level it came from.
#![allow(dead_code)]

use hdf5_writer::{
    ByteOrder, CompoundField, DatasetBuilder, Datatype, Hdf5Builder, StringEncoding, StringPadding,
    StringSize, WriteOptions,
};
use std::path::{Path, PathBuf};

/// FLASH's `MAX_STRING_LENGTH`.
const NAME_LEN: usize = 80;

/// What to write.
#[derive(Clone, Debug)]
pub struct Spec {
    /// 2 or 3.
    pub dimensionality: u32,
    /// `nxb, nyb, nzb` (`nzb` 1 in 2-D).
    pub nb: [usize; 3],
    /// `nblockx, nblocky, nblockz`.
    pub root_blocks: [usize; 3],
    /// `xmin, ymin, zmin` and `xmax, ymax, zmax`.
    pub lo: [f64; 3],
    pub hi: [f64; 3],
    /// The blocks refined, as (level from 0, logical location at that level).
    pub refine: Vec<(u32, [i64; 3])>,
    /// Variable names (4 characters).
    pub vars: Vec<String>,
    /// A checkpoint (double precision everywhere) rather than a plot file (single).
    pub checkpoint: bool,
    pub time: f64,
}

/// The value of variable `var` in the cell `ijk` (global index at `level`): an integer, exact
/// in single precision, that tells the variable, the level and the cell apart.
pub fn value(var: usize, level: u32, ijk: [i64; 3]) -> f64 {
    ((var + 1) * 10_000 + level as usize * 1000) as f64
        + ijk[0] as f64
        + 3.0 * ijk[1] as f64
        + 5.0 * ijk[2] as f64
}

/// One block of the tree.
#[derive(Clone, Debug)]
pub struct Block {
    pub level: u32,
    pub loc: [i64; 3],
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// 1-based position among its parent's children (x fastest), -1 for a root.
    pub which_child: i32,
}

impl Block {
    /// 1 leaf, 2 parent (of leaves only), 3 ancestor.
    pub fn node_type(&self, blocks: &[Block]) -> i32 {
        if self.children.is_empty() {
            1
        } else if self.children.iter().all(|&c| blocks[c].children.is_empty()) {
            2
        } else {
            3
        }
    }
}

/// A table value.
#[derive(Clone, Debug)]
pub enum Value {
    Int(i32),
    Real(f64),
    Str(String),
    Logical(bool),
}

/// A FLASH file in the making: its tables and blocks, and datasets that tests replace or
/// remove before writing.
pub struct FlashFile {
    pub spec: Spec,
    pub blocks: Vec<Block>,
    /// `(table, name, value)`, table as "integer scalars" etc.
    pub params: Vec<(String, String, Value)>,
    overrides: Vec<(String, Option<DatasetBuilder>)>,
}

fn str_type(len: usize) -> Datatype {
    Datatype::String {
        size: StringSize::Fixed(len as u32),
        encoding: StringEncoding::Ascii,
        padding: StringPadding::NullTerminate,
    }
}

fn i32_type() -> Datatype {
    Datatype::FixedPoint {
        size: 4,
        signed: true,
        byte_order: ByteOrder::LittleEndian,
    }
}

fn f64_type() -> Datatype {
    Datatype::FloatingPoint {
        size: 8,
        byte_order: ByteOrder::LittleEndian,
    }
}

/// `s` in `len` bytes, blank-padded (a Fortran string).
fn blank_padded(s: &str, len: usize) -> Vec<u8> {
    let mut b = s.as_bytes()[..s.len().min(len)].to_vec();
    b.resize(len, b' ');
    b
}

/// The children of the block at `(level, loc)` in x-fastest order.
fn child_locs(dims: u32, loc: [i64; 3]) -> Vec<[i64; 3]> {
    (0..1usize << dims)
        .map(|o| {
            let off = [o & 1, (o >> 1) & 1, (o >> 2) & 1].map(|v| v as i64);
            [0, 1, 2].map(|a| 2 * loc[a] + off[a])
        })
        .collect()
}

impl FlashFile {
    pub fn new(spec: Spec) -> Self {
        let mut blocks = Vec::new();
        let r = spec.root_blocks.map(|v| v as i64);
        for k in 0..r[2] {
            for j in 0..r[1] {
                for i in 0..r[0] {
                    add_tree(&spec, &mut blocks, 0, [i, j, k], None, -1);
                }
            }
        }
        for &(level, loc) in &spec.refine {
            assert!(
                blocks.iter().any(|b| b.level == level && b.loc == loc),
                "refined block {level} {loc:?} is not in the tree"
            );
        }
        let params = default_params(&spec, blocks.len(), &blocks);
        FlashFile {
            spec,
            blocks,
            params,
            overrides: Vec::new(),
        }
    }

    /// Sets a table entry (replacing one of that name).
    pub fn set_param(&mut self, table: &str, name: &str, v: Value) {
        self.params.retain(|p| !(p.0 == table && p.1 == name));
        self.params.push((table.into(), name.into(), v));
    }

    pub fn remove_param(&mut self, table: &str, name: &str) {
        self.params.retain(|p| !(p.0 == table && p.1 == name));
    }

    /// Replaces the dataset of the builder's name.
    pub fn set_dataset(&mut self, name: &str, d: DatasetBuilder) {
        self.overrides.retain(|o| o.0 != name);
        self.overrides.push((name.into(), Some(d)));
    }

    pub fn remove_dataset(&mut self, name: &str) {
        self.overrides.retain(|o| o.0 != name);
        self.overrides.push((name.into(), None));
    }

    /// Block `b`'s lower and upper corner (z the domain's in 2-D).
    pub fn edges(&self, b: usize) -> ([f64; 3], [f64; 3]) {
        let s = &self.spec;
        let blk = &self.blocks[b];
        let (mut lo, mut hi) = (s.lo, s.hi);
        for a in 0..s.dimensionality as usize {
            let w = (s.hi[a] - s.lo[a]) / (s.root_blocks[a] as f64 * (1u64 << blk.level) as f64);
            lo[a] = s.lo[a] + blk.loc[a] as f64 * w;
            hi[a] = lo[a] + w;
        }
        (lo, hi)
    }

    /// Variable `var` on block `b`, x fastest.
    pub fn block_values(&self, var: usize, b: usize) -> Vec<f64> {
        let s = &self.spec;
        let blk = &self.blocks[b];
        let nb = s.nb.map(|v| v as i64);
        let mut v = Vec::with_capacity(s.nb.iter().product());
        for k in 0..nb[2] {
            for j in 0..nb[1] {
                for i in 0..nb[0] {
                    let g = [i, j, k];
                    let ijk = [0, 1, 2].map(|a| blk.loc[a] * nb[a] + g[a]);
                    v.push(value(var, blk.level, ijk));
                }
            }
        }
        v
    }

    /// Every dataset of the file by name, overrides applied.
    fn datasets(&self) -> Vec<(String, DatasetBuilder)> {
        let mut all = vec![("sim info".to_string(), sim_info())];
        for kind in ["integer", "real", "string", "logical"] {
            for suffix in ["scalars", "runtime parameters"] {
                let table = format!("{kind} {suffix}");
                let rows: Vec<&(String, String, Value)> =
                    self.params.iter().filter(|p| p.0 == table).collect();
                if !rows.is_empty() {
                    all.push((table.clone(), param_table(&table, kind, &rows)));
                }
            }
        }
        all.extend(self.grid_datasets());
        for (name, o) in &self.overrides {
            all.retain(|d| d.0 != *name);
            if let Some(d) = o {
                all.push((name.clone(), d.clone()));
            }
        }
        all
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut b = Hdf5Builder::new();
        for (_, d) in self.datasets() {
            b = b.dataset(d);
        }
        b.into_plan()
            .unwrap()
            .encode(WriteOptions::default())
            .unwrap()
    }

    pub fn write(&self, path: &Path) -> PathBuf {
        std::fs::write(path, self.bytes()).unwrap();
        path.to_path_buf()
    }
}

/// Adds the block at `(level, loc)` and, where `spec.refine` says so, its subtree.
fn add_tree(
    spec: &Spec,
    blocks: &mut Vec<Block>,
    level: u32,
    loc: [i64; 3],
    parent: Option<usize>,
    which_child: i32,
) -> usize {
    let me = blocks.len();
    blocks.push(Block {
        level,
        loc,
        parent,
        children: Vec::new(),
        which_child,
    });
    if spec.refine.contains(&(level, loc)) {
        for (c, cl) in child_locs(spec.dimensionality, loc).into_iter().enumerate() {
            let k = add_tree(spec, blocks, level + 1, cl, Some(me), c as i32 + 1);
            blocks[me].children.push(k);
        }
    }
    me
}

/// The scalars and runtime parameters FLASH writes that yt reads, and a few more.
fn default_params(s: &Spec, n: usize, blocks: &[Block]) -> Vec<(String, String, Value)> {
    use Value::*;
    let max_level = blocks.iter().map(|b| b.level).max().unwrap_or(0) as i32 + 1;
    let mut p: Vec<(&str, String, Value)> = vec![
        ("integer scalars", "nxb".into(), Int(s.nb[0] as i32)),
        ("integer scalars", "nyb".into(), Int(s.nb[1] as i32)),
        ("integer scalars", "nzb".into(), Int(s.nb[2] as i32)),
        (
            "integer scalars",
            "dimensionality".into(),
            Int(s.dimensionality as i32),
        ),
        ("integer scalars", "globalnumblocks".into(), Int(n as i32)),
        ("integer scalars", "nstep".into(), Int(100)),
        ("integer scalars", "nprocs".into(), Int(1)),
        ("real scalars", "time".into(), Real(s.time)),
        ("real scalars", "dt".into(), Real(1e-3)),
        ("real scalars", "dtold".into(), Real(1e-3)),
        ("real scalars", "redshift".into(), Real(0.0)),
        ("logical scalars", "restart".into(), Logical(false)),
        ("integer runtime parameters", "lrefine_min".into(), Int(1)),
        (
            "integer runtime parameters",
            "lrefine_max".into(),
            Int(max_level),
        ),
        (
            "integer runtime parameters",
            "nblockx".into(),
            Int(s.root_blocks[0] as i32),
        ),
        (
            "integer runtime parameters",
            "nblocky".into(),
            Int(s.root_blocks[1] as i32),
        ),
        (
            "integer runtime parameters",
            "nblockz".into(),
            Int(s.root_blocks[2] as i32),
        ),
        ("real runtime parameters", "gamma".into(), Real(1.4)),
        ("real runtime parameters", "cfl".into(), Real(0.8)),
        (
            "string runtime parameters",
            "geometry".into(),
            Str("cartesian".into()),
        ),
        (
            "string runtime parameters",
            "basenm".into(),
            Str("amrcast_".into()),
        ),
        (
            "logical runtime parameters",
            "restart".into(),
            Logical(false),
        ),
        (
            "logical runtime parameters",
            "plotfilegridquantitydp".into(),
            Logical(s.checkpoint),
        ),
    ];
    let file_kind = if s.checkpoint {
        "checkpointfilenumber"
    } else {
        "plotfilenumber"
    };
    p.push(("integer scalars", file_kind.into(), Int(1)));
    for (a, axis) in ["x", "y", "z"].iter().enumerate() {
        p.push((
            "real runtime parameters",
            format!("{axis}min"),
            Real(s.lo[a]),
        ));
        p.push((
            "real runtime parameters",
            format!("{axis}max"),
            Real(s.hi[a]),
        ));
        p.push((
            "string runtime parameters",
            format!("{axis}l_boundary_type"),
            Str("outflow".into()),
        ));
    }
    if !s.checkpoint {
        for (i, v) in s.vars.iter().enumerate() {
            p.push((
                "string runtime parameters",
                format!("plot_var_{}", i + 1),
                Str(v.clone()),
            ));
        }
    }
    p.into_iter()
        .map(|(t, n, v)| (t.to_string(), n, v))
        .collect()
}

/// A `(name, value)` table of `kind`.
fn param_table(table: &str, kind: &str, rows: &[&(String, String, Value)]) -> DatasetBuilder {
    let (vtype, vsize) = match kind {
        "real" => (f64_type(), 8),
        "string" => (str_type(NAME_LEN), NAME_LEN),
        _ => (i32_type(), 4),
    };
    let t = Datatype::Compound {
        size: (NAME_LEN + vsize) as u32,
        fields: vec![
            CompoundField {
                name: "name".into(),
                byte_offset: 0,
                datatype: str_type(NAME_LEN),
            },
            CompoundField {
                name: "value".into(),
                byte_offset: NAME_LEN as u32,
                datatype: vtype,
            },
        ],
    };
    let mut raw = Vec::new();
    for (_, name, v) in rows {
        raw.extend(blank_padded(name, NAME_LEN));
        match v {
            Value::Int(i) => raw.extend(i.to_le_bytes()),
            Value::Logical(b) => raw.extend((*b as i32).to_le_bytes()),
            Value::Real(r) => raw.extend(r.to_le_bytes()),
            Value::Str(s) => raw.extend(blank_padded(s, NAME_LEN)),
        }
    }
    DatasetBuilder::new(table, t, vec![rows.len() as u64]).raw_data(raw)
}

/// `sim info`: FLASH's `sim_info_t`.
fn sim_info() -> DatasetBuilder {
    let members: [(&str, usize, &str); 10] = [
        ("setup call", 400, "./setup Sedov -auto +parallelIO"),
        ("file creation time", NAME_LEN, "01-01-2024  00:00.00"),
        ("flash version", NAME_LEN, "FLASH 4.6.2"),
        ("build date", NAME_LEN, "01-01-2024"),
        ("build dir", NAME_LEN, "/amrcast/object"),
        ("build machine", NAME_LEN, "amrcast-tests"),
        ("cflags", 400, "-O2"),
        ("fflags", 400, "-O2"),
        ("setup time stamp", NAME_LEN, "01-01-2024"),
        ("build time stamp", NAME_LEN, "01-01-2024"),
    ];
    let mut fields = vec![CompoundField {
        name: "file format version".into(),
        byte_offset: 0,
        datatype: i32_type(),
    }];
    let mut raw = 9i32.to_le_bytes().to_vec();
    for (name, len, text) in members {
        fields.push(CompoundField {
            name: name.into(),
            byte_offset: raw.len() as u32,
            datatype: str_type(len),
        });
        let mut b = text.as_bytes().to_vec();
        b.resize(len, 0);
        raw.extend(b);
    }
    let t = Datatype::Compound {
        size: raw.len() as u32,
        fields,
    };
    DatasetBuilder::new("sim info", t, vec![1u64]).raw_data(raw)
}

impl FlashFile {
    /// `unknown names`, the variables, and the block datasets.
    fn grid_datasets(&self) -> Vec<(String, DatasetBuilder)> {
        let s = &self.spec;
        let n = self.blocks.len() as u64;
        let names: Vec<u8> = s.vars.iter().flat_map(|v| blank_padded(v, 4)).collect();
        let unknown =
            DatasetBuilder::new("unknown names", str_type(4), vec![s.vars.len() as u64, 1])
                .raw_data(names);
        let mut out = vec![("unknown names".to_string(), unknown)];
        let shape = vec![n, s.nb[2] as u64, s.nb[1] as u64, s.nb[0] as u64];
        for (v, name) in s.vars.iter().enumerate() {
            let vals: Vec<f64> = (0..self.blocks.len())
                .flat_map(|b| self.block_values(v, b))
                .collect();
            out.push((name.clone(), self.reals(name, shape.clone(), &vals)));
        }
        let ints = |name: &str, shape: Vec<u64>, v: Vec<i32>| {
            (
                name.to_string(),
                DatasetBuilder::typed_data(name, shape, &v).unwrap(),
            )
        };
        let blocks = &self.blocks;
        out.push(ints(
            "refine level",
            vec![n],
            blocks.iter().map(|b| b.level as i32 + 1).collect(),
        ));
        out.push(ints(
            "node type",
            vec![n],
            blocks.iter().map(|b| b.node_type(blocks)).collect(),
        ));
        out.push(ints(
            "which child",
            vec![n],
            blocks.iter().map(|b| b.which_child).collect(),
        ));
        out.push(ints("proc number", vec![n], vec![0; blocks.len()]));
        let gid = self.gid();
        out.push(ints("gid", vec![n, (gid.len() / blocks.len()) as u64], gid));
        let (mut bb, mut centre, mut size) = (Vec::new(), Vec::new(), Vec::new());
        for b in 0..blocks.len() {
            let (lo, hi) = self.edges(b);
            for a in 0..3 {
                bb.extend([lo[a], hi[a]]);
                centre.push(0.5 * (lo[a] + hi[a]));
                size.push(hi[a] - lo[a]);
            }
        }
        for (name, shape, v) in [
            ("bounding box", vec![n, 3, 2], bb),
            ("coordinates", vec![n, 3], centre),
            ("block size", vec![n, 3], size),
        ] {
            out.push((name.to_string(), self.reals(name, shape, &v)));
        }
        out
    }

    /// Real data: double precision in a checkpoint, single in a plot file.
    fn reals(&self, name: &str, shape: Vec<u64>, v: &[f64]) -> DatasetBuilder {
        if self.spec.checkpoint {
            DatasetBuilder::typed_data(name, shape, v).unwrap()
        } else {
            let f: Vec<f32> = v.iter().map(|&x| x as f32).collect();
            DatasetBuilder::typed_data(name, shape, &f).unwrap()
        }
    }

    /// `gid`: per block, neighbours (-x +x -y +y [-z +z]), parent, children; 1-based.
    fn gid(&self) -> Vec<i32> {
        let d = self.spec.dimensionality as usize;
        let find = |level: u32, loc: [i64; 3]| {
            self.blocks
                .iter()
                .position(|b| b.level == level && b.loc == loc)
        };
        let mut gid = Vec::new();
        for b in &self.blocks {
            for a in 0..d {
                let extent = self.spec.root_blocks[a] as i64 * (1 << b.level);
                for step in [-1i64, 1] {
                    let mut l = b.loc;
                    l[a] += step;
                    gid.push(if l[a] < 0 || l[a] >= extent {
                        -32
                    } else {
                        find(b.level, l).map_or(-1, |i| i as i32 + 1)
                    });
                }
            }
            gid.push(b.parent.map_or(-1, |p| p as i32 + 1));
            for c in 0..1usize << d {
                gid.push(b.children.get(c).map_or(-1, |&k| k as i32 + 1));
            }
        }
        gid
    }
}
