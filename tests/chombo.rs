//! Chombo HDF5 reading: fixtures written with hdf5-writer in the layout Chombo uses
//! (compound `boxes` and `prob_domain`, `data:offsets=0`, `data:datatype=0`, ghost cells).

mod common;

use amrcast::formats::chombo::{self, ChomboReader};
use amrcast::formats::{load, DataSource};
use amrcast::Error;
use common::read_grid::assert_read_grid_matches;
use glam::DVec3;
use hdf5_writer::{
    AttributeBuilder, ByteOrder, CompoundField, DatasetBuilder, Datatype, Hdf5Builder, WriteOptions,
};
use std::path::{Path, PathBuf};

const GHOST_VALUE: f64 = -999.0;

/// The stored value of component `c` at global cell (i, j, k) of `level`: exact in f32.
fn value(c: usize, level: usize, i: i64, j: i64, k: i64) -> f64 {
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

/// Chombo's box compound: `lo_i, lo_j, lo_k, hi_i, hi_j, hi_k` as i32.
fn box_type() -> Datatype {
    let names = ["lo_i", "lo_j", "lo_k", "hi_i", "hi_j", "hi_k"];
    Datatype::Compound {
        size: 24,
        fields: names
            .iter()
            .enumerate()
            .map(|(n, name)| int_member(name, 4 * n as u32))
            .collect(),
    }
}

fn ints_bytes(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn box_attr(name: &str, b: [i32; 6]) -> AttributeBuilder {
    AttributeBuilder::new(name, box_type(), Vec::<u64>::new(), ints_bytes(&b))
}

/// Chombo's IntVect compound `intvecti, intvectj, intvectk`.
fn intvect_attr(name: &str, v: [i32; 3]) -> AttributeBuilder {
    let t = Datatype::Compound {
        size: 12,
        fields: vec![
            int_member("intvecti", 0),
            int_member("intvectj", 4),
            int_member("intvectk", 8),
        ],
    };
    AttributeBuilder::new(name, t, Vec::<u64>::new(), ints_bytes(&v))
}

struct Level {
    dx: f64,
    ref_ratio: i32,
    domain: [i32; 6],
    boxes: Vec<[i32; 6]>,
    /// Ghost width written to this level's `data_attributes/outputGhost` (None: not written).
    ghost: Option<[i32; 3]>,
}

/// Two levels: level 0 (8^3, dx 1/8) in two boxes split at i = 4; level 1 (dx 1/16) with a box
/// straddling that split and one in the corner. Ghost width 1 written on both levels.
fn two_levels() -> Vec<Level> {
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

const COMPONENTS: [&str; 2] = ["density", "pressure"];

/// A Chombo file in the making: root attributes, group attributes and datasets that tests may
/// replace before writing.
struct Fixture {
    attrs: Vec<AttributeBuilder>,
    group_attrs: Vec<(String, AttributeBuilder)>,
    datasets: Vec<(String, DatasetBuilder)>,
    /// Per level: the offsets and data as generated (for tests that corrupt them).
    offsets: Vec<Vec<i64>>,
    data: Vec<Vec<f64>>,
}

impl Fixture {
    fn new(levels: &[Level]) -> Self {
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
                    AttributeBuilder::scalar("SpaceDim", 3i32).unwrap(),
                ),
                (
                    "Chombo_global".into(),
                    AttributeBuilder::scalar("testReal", 0.0f64).unwrap(),
                ),
            ],
            datasets: Vec::new(),
            offsets: Vec::new(),
            data: Vec::new(),
        };
        for (l, lev) in levels.iter().enumerate() {
            let g = format!("level_{l}");
            f.group_attrs
                .push((g.clone(), AttributeBuilder::scalar("dx", lev.dx).unwrap()));
            f.group_attrs.push((
                g.clone(),
                AttributeBuilder::scalar("ref_ratio", lev.ref_ratio).unwrap(),
            ));
            f.group_attrs.push((
                g.clone(),
                AttributeBuilder::scalar("time", 0.75f64).unwrap(),
            ));
            f.group_attrs
                .push((g.clone(), box_attr("prob_domain", lev.domain)));
            if let Some(gh) = lev.ghost {
                f.group_attrs.push((
                    format!("{g}/data_attributes"),
                    intvect_attr("outputGhost", gh),
                ));
                f.group_attrs.push((
                    format!("{g}/data_attributes"),
                    AttributeBuilder::scalar("comps", COMPONENTS.len() as i32).unwrap(),
                ));
            }
            let gh = lev.ghost.unwrap_or([0; 3]).map(|v| v as i64);
            let mut offsets = vec![0i64];
            let mut data = Vec::new();
            for b in &lev.boxes {
                let lo = [b[0], b[1], b[2]].map(|v| v as i64);
                let hi = [b[3], b[4], b[5]].map(|v| v as i64);
                for c in 0..COMPONENTS.len() {
                    for k in lo[2] - gh[2]..=hi[2] + gh[2] {
                        for j in lo[1] - gh[1]..=hi[1] + gh[1] {
                            for i in lo[0] - gh[0]..=hi[0] + gh[0] {
                                let inside = (lo[0]..=hi[0]).contains(&i)
                                    && (lo[1]..=hi[1]).contains(&j)
                                    && (lo[2]..=hi[2]).contains(&k);
                                data.push(if inside {
                                    value(c, l, i, j, k)
                                } else {
                                    GHOST_VALUE
                                });
                            }
                        }
                    }
                }
                offsets.push(data.len() as i64);
            }
            let boxes: Vec<i32> = lev.boxes.iter().flatten().copied().collect();
            f.set_dataset(
                &format!("{g}/boxes"),
                DatasetBuilder::new(
                    format!("{g}/boxes"),
                    box_type(),
                    vec![lev.boxes.len() as u64],
                )
                .raw_data(ints_bytes(&boxes)),
            );
            f.set_offsets(l, &offsets);
            f.set_data(l, &data);
            f.offsets.push(offsets);
            f.data.push(data);
        }
        f
    }
    fn set_dataset(&mut self, name: &str, d: DatasetBuilder) {
        self.datasets.retain(|x| x.0 != name);
        self.datasets.push((name.to_string(), d));
    }
    fn set_offsets(&mut self, level: usize, offsets: &[i64]) {
        let name = format!("level_{level}/data:offsets=0");
        let d =
            DatasetBuilder::typed_data(name.clone(), vec![offsets.len() as u64], offsets).unwrap();
        self.set_dataset(&name, d);
    }
    fn set_data(&mut self, level: usize, data: &[f64]) {
        let name = format!("level_{level}/data:datatype=0");
        let d = DatasetBuilder::typed_data(name.clone(), vec![data.len() as u64], data).unwrap();
        self.set_dataset(&name, d);
    }
    fn set_attr(&mut self, a: AttributeBuilder) {
        self.attrs.retain(|x| x.name() != a.name());
        self.attrs.push(a);
    }
    fn drop_attr(&mut self, name: &str) {
        self.attrs.retain(|x| x.name() != name);
    }
    fn set_group_attr(&mut self, group: &str, a: AttributeBuilder) {
        self.group_attrs
            .retain(|x| !(x.0 == group && x.1.name() == a.name()));
        self.group_attrs.push((group.to_string(), a));
    }
    fn write(self, path: &Path) -> PathBuf {
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

#[test]
fn hierarchy_follows_boxes_and_prob_domain() {
    let dir = tempfile::tempdir().unwrap();
    let path = Fixture::new(&two_levels()).write(&dir.path().join("plt0010.3d.hdf5"));
    assert!(chombo::looks_like(&path));
    let src = amrcast::formats::open_hdf5_format(&path).unwrap().unwrap();
    assert_eq!(src.metadata().format, "chombo");
    let r = ChomboReader::open(&path).unwrap();
    assert_eq!(r.boxes_per_level(), vec![2, 2]);
    assert_eq!(r.metadata().format, "chombo");
    assert_eq!(r.metadata().time, Some(0.75));
    assert_eq!(r.field_names(), vec!["density", "pressure"]);
    let h = r.hierarchy();
    assert_eq!(h.domain_left, DVec3::ZERO);
    assert_eq!(h.domain_right, DVec3::ONE);
    assert_eq!(h.root_dims, [8, 8, 8]);
    assert_eq!(h.refinement_ratios(), vec![2; h.max_level() as usize]);
    assert_eq!(h.max_level(), 1);
    let summary: Vec<(u32, DVec3, DVec3, [usize; 3])> = h
        .grids
        .iter()
        .map(|g| (g.level, g.left, g.right, g.dims))
        .collect();
    assert_eq!(
        summary,
        vec![
            (0, DVec3::ZERO, DVec3::new(0.5, 1.0, 1.0), [4, 8, 8]),
            (0, DVec3::new(0.5, 0.0, 0.0), DVec3::ONE, [4, 8, 8]),
            // dx * lo .. dx * (hi + 1) at dx = 1/16: straddles the two level-0 boxes.
            (
                1,
                DVec3::new(0.375, 0.25, 0.25),
                DVec3::new(0.625, 0.5, 0.5),
                [4, 4, 4]
            ),
            (1, DVec3::ZERO, DVec3::new(0.125, 0.125, 0.25), [2, 2, 4]),
        ]
    );
}

#[test]
fn ghost_cells_are_stripped_and_values_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = Fixture::new(&two_levels()).write(&dir.path().join("g.hdf5"));
    let src = chombo::open(&path).unwrap();
    for (c, name) in COMPONENTS.iter().enumerate() {
        let ds = load(src.as_ref(), Some(name)).unwrap();
        let h = &ds.hierarchy;
        for (n, g) in h.grids.iter().enumerate() {
            let (s, _) = h.index_box(n);
            assert_eq!(ds.field.data[n].len(), g.num_cells());
            assert!(
                ds.field.data[n].iter().all(|&v| v != GHOST_VALUE as f32),
                "ghost value left in grid {n}"
            );
            for k in 0..g.dims[2] {
                for j in 0..g.dims[1] {
                    for i in 0..g.dims[0] {
                        let want = value(
                            c,
                            g.level as usize,
                            s[0] + i as i64,
                            s[1] + j as i64,
                            s[2] + k as i64,
                        );
                        assert_eq!(
                            ds.grid_value(n, i, j, k),
                            want as f32,
                            "{name} grid {n} {i},{j},{k}"
                        );
                    }
                }
            }
        }
        // Spot checks with literal numbers: level-1 box (6,4,4)-(9,7,7), its cell (1,2,3) is
        // global (7,6,7); level-0 box 1 starts at i = 4.
        assert_eq!(
            ds.grid_value(2, 1, 2, 3),
            (c * 100_000 + 10_000 + 7 + 120 + 2800) as f32
        );
        assert_eq!(ds.grid_value(1, 0, 0, 0), (c * 100_000 + 4) as f32);
    }
}

#[test]
fn read_grid_equals_read_field_with_and_without_ghosts() {
    let dir = tempfile::tempdir().unwrap();
    let path = Fixture::new(&two_levels()).write(&dir.path().join("rg.hdf5"));
    let r = ChomboReader::open(&path).unwrap();
    assert_eq!(assert_read_grid_matches(&r, None), 2 * 4);
    // Level-1 box 0 (6,4,4)-(9,7,7), its cell (1,2,3): global (7,6,7).
    let v = r.read_grid("pressure", 2).unwrap();
    assert_eq!(v[1 + 4 * (2 + 4 * 3)], value(1, 1, 7, 6, 7) as f32);
    let e = r.read_grid("rho", 0).unwrap_err();
    assert!(matches!(e, Error::UnknownField { .. }), "{e}");
    for ghost in [None, Some([2, 0, 1])] {
        let mut levels = two_levels();
        for l in &mut levels {
            l.ghost = ghost;
        }
        let path = Fixture::new(&levels).write(&dir.path().join("rg2.hdf5"));
        let r = ChomboReader::open(&path).unwrap();
        assert_eq!(assert_read_grid_matches(&r, None), 2 * 4);
    }
}

#[test]
fn read_grid_of_a_file_truncated_after_open_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = Fixture::new(&two_levels()).write(&dir.path().join("t.hdf5"));
    let r = ChomboReader::open(&path).unwrap();
    let full = std::fs::read(&path).unwrap();
    // Cut in the middle of level 0's first box (found by its first row of active cells):
    // every box is then an error naming the file and the grid.
    let row: Vec<u8> = (0..4)
        .flat_map(|i| value(0, 0, i, 0, 0).to_le_bytes())
        .collect();
    let at = full.windows(32).position(|w| w == row).unwrap();
    std::fs::write(&path, &full[..at + 16]).unwrap();
    for n in 0..4 {
        let msg = r.read_grid("density", n).unwrap_err().to_string();
        assert!(
            msg.contains(&format!("t.hdf5: grid {n} ")) && msg.contains("truncated"),
            "{msg}"
        );
    }
    let e = r.read_field("pressure").unwrap_err().to_string();
    assert!(e.contains("t.hdf5"), "{e}");
}

#[test]
fn ghost_width_falls_back_to_level_0_then_zero() {
    let dir = tempfile::tempdir().unwrap();
    // Level 1 written with ghost 1 but no data_attributes: level 0's width applies.
    let mut levels = two_levels();
    let f = Fixture::new(&levels);
    levels[1].ghost = None;
    let mut g = Fixture::new(&levels);
    // Keep level 1's data (with ghosts) from the first fixture.
    g.set_offsets(1, &f.offsets[1]);
    g.set_data(1, &f.data[1]);
    let path = g.write(&dir.path().join("fallback.hdf5"));
    let ds = load(chombo::open(&path).unwrap().as_ref(), Some("density")).unwrap();
    assert_eq!(ds.grid_value(3, 1, 1, 3), value(0, 1, 1, 1, 3) as f32);

    // No ghost attribute anywhere: no ghost cells.
    let mut levels = two_levels();
    for l in &mut levels {
        l.ghost = None;
    }
    let path = Fixture::new(&levels).write(&dir.path().join("noghost.hdf5"));
    let ds = load(chombo::open(&path).unwrap().as_ref(), Some("pressure")).unwrap();
    assert_eq!(ds.grid_value(0, 3, 7, 7), value(1, 0, 3, 7, 7) as f32);
    assert_eq!(ds.grid_value(2, 0, 0, 0), value(1, 1, 6, 4, 4) as f32);

    // Ghost width 2 on x only.
    let mut levels = two_levels();
    for l in &mut levels {
        l.ghost = Some([2, 0, 1]);
    }
    let path = Fixture::new(&levels).write(&dir.path().join("ghost201.hdf5"));
    let ds = load(chombo::open(&path).unwrap().as_ref(), Some("density")).unwrap();
    assert_eq!(ds.grid_value(2, 3, 3, 3), value(0, 1, 9, 7, 7) as f32);
    assert!(ds
        .field
        .data
        .iter()
        .flat_map(|d| d.iter())
        .all(|&v| v != GHOST_VALUE as f32));
}

fn open_err(path: &Path) -> String {
    let e = ChomboReader::open(path)
        .err()
        .expect("the file must be refused");
    let msg = e.to_string();
    assert!(
        msg.contains(&path.file_name().unwrap().to_string_lossy().to_string()),
        "{msg}"
    );
    msg
}

#[test]
fn inconsistent_offsets_and_short_data_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Offsets that give box 0 fewer values than 2 components of 6x6x6 need.
    let mut f = Fixture::new(&two_levels());
    let mut off = f.offsets[1].clone();
    off[1] -= 10;
    f.set_offsets(1, &off);
    let msg = open_err(&f.write(&dir.path().join("off.hdf5")));
    assert!(msg.contains("level_1 box 0"), "{msg}");
    assert!(msg.contains("need 432"), "{msg}");

    // One offset too few.
    let mut f = Fixture::new(&two_levels());
    let off = f.offsets[0][..2].to_vec();
    f.set_offsets(0, &off);
    let msg = open_err(&f.write(&dir.path().join("count.hdf5")));
    assert!(
        msg.contains("has 2 entries for 2 boxes (expected 3)"),
        "{msg}"
    );

    // Data shorter than the offsets say.
    let mut f = Fixture::new(&two_levels());
    let data = f.data[1][..f.data[1].len() - 1].to_vec();
    f.set_data(1, &data);
    let msg = open_err(&f.write(&dir.path().join("short.hdf5")));
    assert!(
        msg.contains("level_1 box 1") && msg.contains("beyond the"),
        "{msg}"
    );

    // A box outside the level's prob_domain.
    let mut levels = two_levels();
    levels[1].boxes[1] = [14, 14, 14, 17, 17, 17];
    let msg = open_err(&Fixture::new(&levels).write(&dir.path().join("outside.hdf5")));
    assert!(msg.contains("outside the level's prob_domain"), "{msg}");

    // A fine box not inside the coarser level (domain has a hole at level 0).
    let mut levels = two_levels();
    levels[0].boxes.pop();
    let msg = open_err(&Fixture::new(&levels).write(&dir.path().join("hole.hdf5")));
    assert!(
        msg.contains("not inside its parent level") || msg.contains("root level must cover"),
        "{msg}"
    );
}

#[test]
fn refinement_ratio_must_be_uniform() {
    let dir = tempfile::tempdir().unwrap();
    let mut levels = two_levels();
    levels.push(Level {
        dx: 0.0625 / 4.0,
        ref_ratio: 4,
        domain: [0, 0, 0, 63, 63, 63],
        boxes: vec![[28, 20, 20, 31, 23, 23]],
        ghost: Some([1, 1, 1]),
    });
    levels[1].ref_ratio = 4;
    let msg = open_err(&Fixture::new(&levels).write(&dir.path().join("ratios.hdf5")));
    assert!(
        msg.contains("different ratios (2 below level_1, 4 from level_1 to level_2)"),
        "{msg}"
    );

    // ref_ratio that disagrees with the dx of the levels.
    let mut levels = two_levels();
    levels[0].ref_ratio = 4;
    let msg = open_err(&Fixture::new(&levels).write(&dir.path().join("refratio.hdf5")));
    assert!(
        msg.contains("level_0 ref_ratio is 4 but its dx and level_1's differ by a factor 2"),
        "{msg}"
    );

    // Three levels, all refined by 2: accepted.
    let mut levels = two_levels();
    levels.push(Level {
        dx: 0.03125,
        ref_ratio: 2,
        domain: [0, 0, 0, 31, 31, 31],
        boxes: vec![[14, 10, 10, 17, 13, 13]],
        ghost: Some([1, 1, 1]),
    });
    let path = Fixture::new(&levels).write(&dir.path().join("three.hdf5"));
    let ds = load(chombo::open(&path).unwrap().as_ref(), Some("density")).unwrap();
    assert_eq!(ds.hierarchy.max_level(), 2);
    assert_eq!(
        ds.hierarchy.grids[4].left,
        DVec3::new(14.0, 10.0, 10.0) / 32.0
    );
    assert_eq!(ds.grid_value(4, 3, 2, 1), value(0, 2, 17, 12, 11) as f32);
}

#[test]
fn missing_and_mistyped_metadata_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new(&two_levels());
    f.drop_attr("num_components");
    let msg = open_err(&f.write(&dir.path().join("a.hdf5")));
    assert!(
        msg.contains("missing attribute 'num_components' on the root group"),
        "{msg}"
    );

    let mut f = Fixture::new(&two_levels());
    f.drop_attr("component_1");
    let msg = open_err(&f.write(&dir.path().join("b.hdf5")));
    assert!(msg.contains("missing attribute 'component_1'"), "{msg}");

    let mut f = Fixture::new(&two_levels());
    f.set_attr(AttributeBuilder::scalar("num_levels", 2.0f64).unwrap());
    let msg = open_err(&f.write(&dir.path().join("c.hdf5")));
    assert!(
        msg.contains("'num_levels'") && msg.contains("expected integers"),
        "{msg}"
    );

    let mut f = Fixture::new(&two_levels());
    f.set_group_attr(
        "level_0",
        AttributeBuilder::vector("prob_domain", &[0i32, 0, 0, 7, 7, 7]).unwrap(),
    );
    let msg = open_err(&f.write(&dir.path().join("d.hdf5")));
    assert!(
        msg.contains("'prob_domain' on group 'level_0'") && msg.contains("expected a compound"),
        "{msg}"
    );

    let mut f = Fixture::new(&two_levels());
    f.set_group_attr(
        "Chombo_global",
        AttributeBuilder::scalar("SpaceDim", 2i32).unwrap(),
    );
    let msg = open_err(&f.write(&dir.path().join("e.hdf5")));
    assert!(msg.contains("SpaceDim is 2: only 3-D"), "{msg}");

    let mut f = Fixture::new(&two_levels());
    f.set_attr(AttributeBuilder::scalar("num_levels", 3i32).unwrap());
    let msg = open_err(&f.write(&dir.path().join("f.hdf5")));
    assert!(msg.contains("missing group 'level_2'"), "{msg}");

    let mut f = Fixture::new(&two_levels());
    f.datasets.retain(|d| d.0 != "level_1/boxes");
    let msg = open_err(&f.write(&dir.path().join("g.hdf5")));
    assert!(
        msg.contains("missing dataset 'boxes' in group 'level_1'"),
        "{msg}"
    );
}

#[test]
fn missing_truncated_and_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = ChomboReader::open(&dir.path().join("nope.hdf5"))
        .err()
        .unwrap();
    assert!(
        matches!(e, Error::Io { .. }) && e.to_string().contains("nope.hdf5"),
        "{e}"
    );
    assert!(!chombo::looks_like(&dir.path().join("nope.hdf5")));

    let path = Fixture::new(&two_levels()).write(&dir.path().join("full.hdf5"));
    let bytes = std::fs::read(&path).unwrap();
    for keep in [10, 300, bytes.len() / 2, bytes.len() - 1] {
        let cut = dir.path().join(format!("cut{keep}.hdf5"));
        std::fs::write(&cut, &bytes[..keep]).unwrap();
        let r = ChomboReader::open(&cut).and_then(|r| r.read_field("density").map(|_| ()));
        let e = r.expect_err("truncated");
        assert!(e.to_string().contains(&format!("cut{keep}.hdf5")), "{e}");
    }

    let other = dir.path().join("other.h5");
    std::fs::write(
        &other,
        Hdf5Builder::new()
            .dataset(DatasetBuilder::typed_data("level_0/x", vec![1], &[1.0f32]).unwrap())
            .into_plan()
            .unwrap()
            .encode(WriteOptions::default())
            .unwrap(),
    )
    .unwrap();
    // level_0 but no num_levels.
    assert!(!chombo::looks_like(&other));
    let msg = open_err(&other);
    assert!(msg.contains("missing attribute 'num_levels'"), "{msg}");
}

#[test]
fn unknown_field_lists_the_components() {
    let dir = tempfile::tempdir().unwrap();
    let path = Fixture::new(&two_levels()).write(&dir.path().join("u.hdf5"));
    let e = chombo::open(&path).unwrap().read_field("rho").unwrap_err();
    assert!(matches!(e, Error::UnknownField { .. }));
    assert!(e.to_string().contains("density, pressure"), "{e}");
}

/// Writes the two-level fixture to `$AMRCAST_FIXTURE_DIR` for checking with other readers (yt):
/// `AMRCAST_FIXTURE_DIR=/tmp/fx cargo test --test chombo -- --ignored`.
#[test]
#[ignore]
fn write_fixture_for_external_check() {
    let Some(dir) = std::env::var_os("AMRCAST_FIXTURE_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    Fixture::new(&two_levels()).write(&dir.join("two_levels.3d.hdf5"));
}
