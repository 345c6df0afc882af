//! FLASH HDF5 reading: files written by tests/common/flash_writer.rs in the layout FLASH 4
//! writes (the fixtures under tests/data/flash/ are its output, checked here to stay so), read
//! back value for value, through the command line, and refused with clear errors when broken.

mod common;
#[path = "common/flash_writer.rs"]
mod flash_writer;

use amrcast::amr::AmrDataset;
use amrcast::formats::flash::{self, FlashReader};
use amrcast::formats::{load, DataSource};
use amrcast::render::Interpolation;
use amrcast::slice::value_at;
use common::read_grid::assert_read_grid_matches;
use flash_writer::{value, FlashFile, Spec, Value};
use glam::DVec3;
use hdf5_writer::DatasetBuilder;
use std::path::{Path, PathBuf};

const DATA: &str = "tests/data/flash";

/// A 3-D plot file (single precision): 2^3 root blocks of 8^3 cells on the unit cube, two
/// roots refined and one of their children refined again (levels 0-2, finest cell 1/64).
fn sedov3d() -> FlashFile {
    FlashFile::new(Spec {
        dimensionality: 3,
        nb: [8, 8, 8],
        root_blocks: [2, 2, 2],
        lo: [0.0; 3],
        hi: [1.0; 3],
        refine: vec![(0, [0, 0, 0]), (0, [1, 1, 0]), (1, [1, 1, 1])],
        vars: vec!["dens".into(), "pres".into()],
        checkpoint: false,
        time: 0.25,
    })
}

/// A 3-D checkpoint (double precision): blocks of 8x4x4 cells, 1x2x2 roots on the unit cube
/// (cubic cells of 1/8), levels 0-2.
fn blast3d() -> FlashFile {
    FlashFile::new(Spec {
        dimensionality: 3,
        nb: [8, 4, 4],
        root_blocks: [1, 2, 2],
        lo: [0.0; 3],
        hi: [1.0; 3],
        refine: vec![(0, [0, 1, 1]), (1, [1, 2, 3])],
        vars: vec!["dens".into(), "velx".into(), "ener".into()],
        checkpoint: true,
        time: 1.5,
    })
}

/// A 2-D plot file: 3x2 root blocks of 8x8 cells on [0, 1.5] x [0, 1], levels 0-2.
fn sod2d() -> FlashFile {
    FlashFile::new(Spec {
        dimensionality: 2,
        nb: [8, 8, 1],
        root_blocks: [3, 2, 1],
        lo: [0.0; 3],
        hi: [1.5, 1.0, 1.0],
        refine: vec![(0, [1, 0, 0]), (1, [3, 1, 0])],
        vars: vec!["dens".into(), "pres".into(), "velx".into()],
        checkpoint: false,
        time: 0.2,
    })
}

/// The committed fixtures and what writes them.
fn fixtures() -> Vec<(&'static str, FlashFile)> {
    vec![
        ("sedov3d_hdf5_plt_cnt_0002", sedov3d()),
        ("blast3d_hdf5_chk_0001", blast3d()),
        ("sod2d_hdf5_plt_cnt_0001", sod2d()),
    ]
}

fn fixture(name: &str) -> PathBuf {
    Path::new(DATA).join(name)
}

/// Rewrites tests/data/flash/ (run when the writer changes, then rerun
/// scripts/yt_flash_reference.py).
#[test]
#[ignore]
fn write_fixtures() {
    std::fs::create_dir_all(DATA).unwrap();
    for (name, f) in fixtures() {
        f.write(&fixture(name));
    }
}

#[test]
fn the_committed_fixtures_are_what_the_writer_writes() {
    for (name, f) in fixtures() {
        let stored = std::fs::read(fixture(name)).unwrap();
        assert!(
            stored == f.bytes(),
            "{name} differs from the writer's output: run `cargo test --test flash -- --ignored write_fixtures`"
        );
    }
}

/// The leaf of `f` holding `p` and the global index of its cell there.
fn leaf_cell(f: &FlashFile, p: DVec3) -> (u32, [i64; 3]) {
    let s = &f.spec;
    for (b, blk) in f.blocks.iter().enumerate() {
        if !blk.children.is_empty() {
            continue;
        }
        let (lo, hi) = f.edges(b);
        let d = s.dimensionality as usize;
        if (0..d).all(|a| p[a] >= lo[a] && p[a] < hi[a]) {
            let ijk = [0, 1, 2].map(|a| {
                if a >= d {
                    return 0;
                }
                let cells = (s.root_blocks[a] * s.nb[a]) << blk.level;
                let w = (s.hi[a] - s.lo[a]) / cells as f64;
                ((p[a] - s.lo[a]) / w).floor() as i64
            });
            return (blk.level, ijk);
        }
    }
    panic!("no leaf at {p}");
}

/// Every grid read alone holds its block's values exactly; every point of a lattice through
/// the domain shows its leaf's value (nearest).
fn check_values(path: &Path, f: &FlashFile) {
    let src = FlashReader::open(path).unwrap();
    let h = src.hierarchy();
    assert_eq!(h.grids.len(), f.blocks.len());
    for (n, g) in h.grids.iter().enumerate() {
        let b = g.id as usize;
        assert_eq!(g.level, f.blocks[b].level, "grid {n}");
        let (mut lo, mut hi) = f.edges(b);
        if f.spec.dimensionality == 2 {
            (lo[2], hi[2]) = (h.domain_left.z, h.domain_right.z);
        }
        assert_eq!(g.left, DVec3::from(lo), "grid {n}");
        assert_eq!(g.right, DVec3::from(hi), "grid {n}");
        for (v, name) in f.spec.vars.iter().enumerate() {
            let want: Vec<f32> = f.block_values(v, b).iter().map(|&x| x as f32).collect();
            assert_eq!(src.read_grid(name, n).unwrap(), want, "{name} grid {n}");
        }
    }
    assert_read_grid_matches(&src, None);
    for (v, name) in f.spec.vars.iter().enumerate() {
        let ds: AmrDataset = load(&src, Some(name)).unwrap();
        let (lo, hi) = (DVec3::from(f.spec.lo), DVec3::from(f.spec.hi));
        let steps = 37;
        let mut checked = 0;
        for k in 0..steps {
            for j in 0..steps {
                for i in 0..steps {
                    let t = DVec3::new(i as f64, j as f64, k as f64) + 0.5;
                    let mut p = lo + (hi - lo) * t / steps as f64;
                    if f.spec.dimensionality == 2 {
                        p.z = 0.5 * (h.domain_left.z + h.domain_right.z);
                    }
                    let (level, ijk) = leaf_cell(f, p);
                    let got = value_at(&ds, p, Interpolation::Nearest);
                    assert_eq!(got, value(v, level, ijk) as f32, "{name} at {p}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, steps * steps * steps);
    }
}

#[test]
fn a_3d_plot_file_reads_as_written() {
    let path = fixture("sedov3d_hdf5_plt_cnt_0002");
    assert!(flash::looks_like(&path));
    let src = amrcast::formats::open(&path).unwrap();
    assert_eq!(src.metadata().format, "flash");
    assert_eq!(src.metadata().name, "sedov3d_hdf5_plt_cnt_0002");
    assert_eq!(src.metadata().time, Some(0.25));
    assert_eq!(src.field_names(), ["dens", "pres"]);
    let h = src.hierarchy();
    assert_eq!(h.root_dims, [16, 16, 16]);
    assert_eq!(h.max_level(), 2);
    let per_level: Vec<usize> = (0..3)
        .map(|l| h.grids.iter().filter(|g| g.level == l).count())
        .collect();
    assert_eq!(per_level, [8, 16, 8]);
    assert!(h.grids.windows(2).all(|w| w[0].level <= w[1].level));
    let r = FlashReader::open(&path).unwrap();
    assert_eq!(r.node_types(), [29, 2, 1]);
    check_values(&path, &sedov3d());
}

#[test]
fn a_3d_checkpoint_of_non_cubic_blocks_reads_as_written() {
    let path = fixture("blast3d_hdf5_chk_0001");
    let src = FlashReader::open(&path).unwrap();
    assert_eq!(src.metadata().time, Some(1.5));
    assert_eq!(src.field_names(), ["dens", "velx", "ener"]);
    assert_eq!(src.hierarchy().root_dims, [8, 8, 8]);
    assert_eq!(src.node_types(), [18, 1, 1]);
    check_values(&path, &blast3d());
}

#[test]
fn a_2d_plot_file_reads_as_one_cell_thick() {
    let path = fixture("sod2d_hdf5_plt_cnt_0001");
    let src = amrcast::formats::open(&path).unwrap();
    assert_eq!(src.metadata().format, "flash");
    assert_eq!(src.metadata().time, Some(0.2));
    let h = src.hierarchy();
    assert_eq!(h.root_dims, [24, 16, 1]);
    assert_eq!(h.dimensionality(), 2);
    assert_eq!(h.ratio(0), [2, 2, 1]);
    assert_eq!(h.ratio(1), [2, 2, 1]);
    assert_eq!(h.refinement_ratios(), [2, 2]);
    // The file's z range (zmin, zmax), every grid one cell thick across it.
    assert_eq!((h.domain_left.z, h.domain_right.z), (0.0, 1.0));
    for g in &h.grids {
        assert_eq!(g.dims, [8, 8, 1]);
        assert_eq!((g.left.z, g.right.z), (0.0, 1.0));
    }
    let r = FlashReader::open(&path).unwrap();
    assert_eq!(r.node_types(), [12, 1, 1]);
    check_values(&path, &sod2d());
}

#[test]
fn a_2d_file_without_a_z_range_is_one_level_0_cell_thick() {
    let mut f = sod2d();
    f.set_param("real runtime parameters", "zmax", Value::Real(0.0));
    f.spec.hi[2] = 0.0;
    let dir = tempfile::tempdir().unwrap();
    let path = f.write(&dir.path().join("flat_hdf5_plt_cnt_0000"));
    let r = FlashReader::open(&path).unwrap();
    let h = r.hierarchy();
    // Level-0 cells are 1.5 / 24 wide along x.
    assert_eq!((h.domain_left.z, h.domain_right.z), (0.0, 0.0625));
    check_values(&path, &f);
}

#[test]
fn units_follow_flash_s_unit_system() {
    let length = |edit: &dyn Fn(&mut FlashFile)| {
        let mut f = sod2d();
        edit(&mut f);
        let dir = tempfile::tempdir().unwrap();
        let path = f.write(&dir.path().join("u_hdf5_plt_cnt_0000"));
        let r = FlashReader::open(&path).unwrap();
        assert_eq!(r.metadata().units.get("time"), Some(&1.0));
        r.metadata().units.get("length").copied()
    };
    assert_eq!(length(&|_| {}), Some(1.0));
    let mks = Value::Str("MKS".into());
    assert_eq!(
        length(&|f| f.set_param("string runtime parameters", "pc_unitsBase", mks.clone())),
        Some(100.0)
    );
    let cosmo = Value::Logical(true);
    assert_eq!(
        length(&|f| f.set_param("logical runtime parameters", "useCosmology", cosmo.clone())),
        None
    );
}

#[test]
fn detection_is_by_content() {
    let dir = tempfile::tempdir().unwrap();
    // Any name: a FLASH file called .h5 opens as FLASH.
    let path = sedov3d().write(&dir.path().join("renamed.h5"));
    assert!(flash::looks_like(&path));
    assert_eq!(
        amrcast::formats::open(&path).unwrap().metadata().format,
        "flash"
    );
    // `bounding box` alone does not make a FLASH file.
    let bb = DatasetBuilder::typed_data("bounding box", vec![1u64, 3, 2], &[0.0f64; 6]).unwrap();
    let bytes = hdf5_writer::Hdf5Builder::new()
        .dataset(bb)
        .into_plan()
        .unwrap()
        .encode(hdf5_writer::WriteOptions::default())
        .unwrap();
    let other = dir.path().join("other.h5");
    std::fs::write(&other, bytes).unwrap();
    assert!(!flash::looks_like(&other));
    let e = amrcast::formats::open(&other).err().unwrap().to_string();
    assert!(
        e.contains("not a supported dataset") && e.contains("FLASH"),
        "{e}"
    );
}

#[test]
fn a_uniform_grid_file_and_a_2d_bounding_box_of_two_axes_read() {
    // FLASH's uniform grid: one level of iprocs x jprocs x kprocs blocks, no nblockx.
    let mut f = FlashFile::new(Spec {
        refine: vec![],
        ..blast3d().spec
    });
    for p in [
        "nblockx",
        "nblocky",
        "nblockz",
        "lrefine_min",
        "lrefine_max",
    ] {
        f.remove_param("integer runtime parameters", p);
    }
    for (p, v) in [("iprocs", 1), ("jprocs", 2), ("kprocs", 2)] {
        f.set_param("integer runtime parameters", p, Value::Int(v));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = f.write(&dir.path().join("ug_hdf5_chk_0000"));
    assert_eq!(FlashReader::open(&path).unwrap().hierarchy().grids.len(), 4);
    check_values(&path, &f);
    // A 2-D file whose `bounding box` has the two axes of its dimensionality.
    let mut f = sod2d();
    let mut bb = Vec::new();
    for b in 0..f.blocks.len() {
        let (lo, hi) = f.edges(b);
        bb.extend([lo[0] as f32, hi[0] as f32, lo[1] as f32, hi[1] as f32]);
    }
    let n = f.blocks.len() as u64;
    let d = DatasetBuilder::typed_data("bounding box", vec![n, 2, 2], &bb).unwrap();
    f.set_dataset("bounding box", d);
    let path = f.write(&dir.path().join("bb2_hdf5_plt_cnt_0000"));
    check_values(&path, &f);
}

/// `f` with `edit` applied, written to a temporary file; the error opening it.
fn open_error(f: FlashFile, edit: impl FnOnce(&mut FlashFile)) -> String {
    let mut f = f;
    edit(&mut f);
    let dir = tempfile::tempdir().unwrap();
    let path = f.write(&dir.path().join("broken_hdf5_chk_0001"));
    let e = match amrcast::formats::open(&path) {
        Ok(_) => panic!("a broken file opened"),
        Err(e) => e.to_string(),
    };
    assert!(
        e.contains("broken_hdf5_chk_0001"),
        "the error names the file: {e}"
    );
    e
}

fn ints(name: &str, shape: Vec<u64>, v: &[i32]) -> DatasetBuilder {
    DatasetBuilder::typed_data(name, shape, v).unwrap()
}

#[test]
fn missing_datasets_are_named() {
    for name in [
        "node type",
        "unknown names",
        "refine level",
        "integer scalars",
    ] {
        let e = open_error(blast3d(), |f| f.remove_dataset(name));
        assert!(e.contains(&format!("missing dataset '{name}'")), "{e}");
    }
    let e = open_error(blast3d(), |f| f.remove_dataset("velx"));
    assert!(
        e.contains("variable 'velx'") && e.contains("no dataset"),
        "{e}"
    );
    let e = open_error(blast3d(), |f| {
        f.remove_param("real runtime parameters", "ymax")
    });
    assert!(e.contains("missing real runtime parameter 'ymax'"), "{e}");
    let e = open_error(blast3d(), |f| f.remove_param("integer scalars", "nzb"));
    assert!(e.contains("missing integer scalar 'nzb'"), "{e}");
}

#[test]
fn inconsistent_block_counts_are_refused() {
    let e = open_error(blast3d(), |f| {
        f.set_dataset("node type", ints("node type", vec![3], &[1, 1, 1]))
    });
    assert!(
        e.contains("'node type' has shape [3]") && e.contains("20 blocks"),
        "{e}"
    );
    let e = open_error(blast3d(), |f| {
        f.set_param("integer scalars", "globalnumblocks", Value::Int(21))
    });
    assert!(
        e.contains("'globalnumblocks' is 21") && e.contains("20 blocks"),
        "{e}"
    );
    let e = open_error(blast3d(), |f| {
        let d = DatasetBuilder::typed_data("dens", vec![19u64, 4, 4, 8], &vec![0f64; 19 * 128]);
        f.set_dataset("dens", d.unwrap())
    });
    assert!(e.contains("dataset 'dens' has shape [19, 4, 4, 8]"), "{e}");
    // Four root blocks along y on a domain twice as tall: the same lattice, but 8 roots
    // where the file has 4.
    let e = open_error(blast3d(), |f| {
        f.set_param("integer runtime parameters", "nblocky", Value::Int(4));
        f.set_param("real runtime parameters", "ymax", Value::Real(2.0));
    });
    assert!(
        e.contains("4 blocks of refine level 1 do not tile") && e.contains("8 root"),
        "{e}"
    );
    let e = open_error(blast3d(), |f| {
        f.set_param("integer runtime parameters", "nblockx", Value::Int(3))
    });
    assert!(
        e.contains("block 0 (refine level 1) spans 0..1 along x") && e.contains("not one block"),
        "{e}"
    );
}

/// The bounding boxes of `f` with block `b`'s edited by `edit`.
fn moved_box(f: &FlashFile, b: usize, edit: impl Fn(&mut [f64; 6])) -> DatasetBuilder {
    let mut bb = Vec::new();
    for k in 0..f.blocks.len() {
        let (lo, hi) = f.edges(k);
        let mut e = [lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]];
        if k == b {
            edit(&mut e);
        }
        bb.extend(e);
    }
    DatasetBuilder::typed_data("bounding box", vec![f.blocks.len() as u64, 3, 2], &bb).unwrap()
}

#[test]
fn blocks_outside_the_domain_or_off_the_lattice_are_refused() {
    let e = open_error(blast3d(), |f| {
        let d = moved_box(f, 3, |e| {
            e[0] += 1.0;
            e[1] += 1.0
        });
        f.set_dataset("bounding box", d)
    });
    assert!(
        e.contains("block 3 (refine level 1)") && e.contains("outside the domain"),
        "{e}"
    );
    let e = open_error(blast3d(), |f| {
        let d = moved_box(f, 5, |e| e[2] += 0.01);
        f.set_dataset("bounding box", d)
    });
    assert!(
        e.contains("block 5 (refine level 2)") && e.contains("not one block"),
        "{e}"
    );
    // Block 1 moved onto block 0.
    let e = open_error(blast3d(), |f| {
        let (lo, hi) = f.edges(0);
        let d = moved_box(f, 1, |e| *e = [lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]]);
        f.set_dataset("bounding box", d)
    });
    assert!(e.contains("blocks 0 and 1 both lie"), "{e}");
}

#[test]
fn node_types_must_match_the_tree() {
    let f = blast3d();
    let leaf_parent = f
        .blocks
        .iter()
        .position(|b| !b.children.is_empty())
        .unwrap();
    let n = f.blocks.len();
    let e = open_error(blast3d(), |f| {
        let mut nt: Vec<i32> = f.blocks.iter().map(|b| b.node_type(&f.blocks)).collect();
        nt[leaf_parent] = 1;
        f.set_dataset("node type", ints("node type", vec![n as u64], &nt))
    });
    assert!(e.contains("(leaf) but 8 finer blocks lie inside it"), "{e}");
    let e = open_error(blast3d(), |f| {
        let mut nt: Vec<i32> = f.blocks.iter().map(|b| b.node_type(&f.blocks)).collect();
        nt[n - 1] = 2;
        f.set_dataset("node type", ints("node type", vec![n as u64], &nt))
    });
    assert!(e.contains("(not a leaf) but 0 of its 8 children"), "{e}");
    let e = open_error(blast3d(), |f| {
        let nt = vec![7; n];
        f.set_dataset("node type", ints("node type", vec![n as u64], &nt))
    });
    assert!(e.contains("node type 7"), "{e}");
}

#[test]
fn non_cartesian_geometry_and_old_or_1d_files_are_refused() {
    let e = open_error(sedov3d(), |f| {
        f.set_param(
            "string runtime parameters",
            "geometry",
            Value::Str("cylindrical".into()),
        )
    });
    assert!(
        e.contains("FLASH geometry 'cylindrical' is not supported"),
        "{e}"
    );
    let e = open_error(sedov3d(), |f| {
        f.set_param("integer scalars", "dimensionality", Value::Int(1))
    });
    assert!(e.contains("1-D FLASH file"), "{e}");
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let bytes = blast3d().bytes();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged_hdf5_chk_0001");
    let mut opened = 0;
    for cut in (0..bytes.len()).step_by(bytes.len() / 97) {
        let mut b = bytes.clone();
        for x in &mut b[cut..(cut + 16).min(bytes.len())] {
            *x ^= 0x5a;
        }
        std::fs::write(&path, &b).unwrap();
        match FlashReader::open(&path) {
            Ok(r) => {
                opened += 1;
                for name in r.field_names() {
                    let _ = r.read_field(&name);
                }
            }
            Err(e) => assert!(e.to_string().contains("damaged_hdf5_chk_0001"), "{e}"),
        }
    }
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let e = FlashReader::open(&path).err().unwrap().to_string();
    assert!(e.contains("truncated"), "{e}");
    eprintln!("{opened} of the damaged files still opened");
}
