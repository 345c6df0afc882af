//! Enzo grid by grid: a dataset spread over many `.cpuNNNN` files (written with hdf5-writer)
//! read one grid at a time, lazily (a file is opened only when a grid in it is read), from
//! several threads at once, and data files damaged after the dataset was opened.

mod common;
use common::enzo::moving7_copy;

use amrcast::formats::enzo::EnzoSource;
use amrcast::formats::DataSource;
use common::read_grid::assert_read_grid_matches;
use hdf5_writer::{DatasetBuilder, Hdf5Builder, WriteOptions};
use std::path::{Path, PathBuf};

/// One grid of the many-file dataset: (id, level, left, right, cells).
#[derive(Clone, Copy, Debug)]
struct Spec {
    id: u64,
    level: u32,
    left: [f64; 3],
    right: [f64; 3],
    dims: [usize; 3],
}

/// `files` level-0 slabs along x, one per cpu file (root `2 * files x 8 x 8` cells on the unit
/// cube), each with two level-1 children in the same file: grids `3f + 1` (slab), `3f + 2`
/// and `3f + 3` live in `DD0003.cpu{f:04}`.
fn specs(files: usize) -> Vec<Spec> {
    let mut out = Vec::new();
    for f in 0..files {
        let (x0, x1) = (f as f64 / files as f64, (f + 1) as f64 / files as f64);
        let id = 3 * f as u64;
        out.push(Spec {
            id: id + 1,
            level: 0,
            left: [x0, 0.0, 0.0],
            right: [x1, 1.0, 1.0],
            dims: [2, 8, 8],
        });
        out.push(Spec {
            id: id + 2,
            level: 1,
            left: [x0, 0.0, 0.0],
            right: [x1, 0.25, 0.5],
            dims: [4, 4, 8],
        });
        out.push(Spec {
            id: id + 3,
            level: 1,
            left: [x0, 0.5, 0.75],
            right: [x1, 1.0, 1.0],
            dims: [4, 8, 4],
        });
    }
    out
}

/// Density of cell (i, j, k) of grid `id`: different on every cell of every grid (exact in f32).
fn density(id: u64, i: usize, j: usize, k: usize) -> f32 {
    (id * 1000 + (i + 10 * j + 100 * k) as u64) as f32
}

fn grid_values(s: &Spec, f: impl Fn(usize, usize, usize) -> f32) -> Vec<f32> {
    let mut v = Vec::with_capacity(s.dims.iter().product());
    for k in 0..s.dims[2] {
        for j in 0..s.dims[1] {
            for i in 0..s.dims[0] {
                v.push(f(i, j, k));
            }
        }
    }
    v
}

fn block(s: &Spec, file: usize) -> String {
    let d = s.dims;
    let (l, r) = (s.left, s.right);
    format!(
        "\nGrid = {}\nGridRank = 3\nGridDimension = {} {} {}\nGridStartIndex = 0 0 0\n\
         GridEndIndex = {} {} {}\nGridLeftEdge = {} {} {}\nGridRightEdge = {} {} {}\n\
         Time = 1.5\nNumberOfBaryonFields = 2\nFieldType = 0 4\n\
         BaryonFileName = /scratch/run/DD0003/DD0003.cpu{file:04}\nNumberOfParticles = 0\n",
        s.id,
        d[0],
        d[1],
        d[2],
        d[0] - 1,
        d[1] - 1,
        d[2] - 1,
        l[0],
        l[1],
        l[2],
        r[0],
        r[1],
        r[2]
    )
}

/// The hierarchy of [`specs`] in Enzo's depth-first order with its pointers.
fn hierarchy(specs: &[Spec]) -> String {
    let files = specs.len() / 3;
    let mut h = String::new();
    for f in 0..files {
        let id = 3 * f as u64 + 1;
        let next = if f + 1 < files { id + 3 } else { 0 };
        h += &block(&specs[3 * f], f);
        h += &format!(
            "Pointer: Grid[{id}]->NextGridThisLevel = {next}\n\
             Pointer: Grid[{id}]->NextGridNextLevel = {}\n",
            id + 1
        );
        h += &block(&specs[3 * f + 1], f);
        h += &format!(
            "Pointer: Grid[{}]->NextGridThisLevel = {}\nPointer: Grid[{}]->NextGridNextLevel = 0\n",
            id + 1,
            id + 2,
            id + 1
        );
        h += &block(&specs[3 * f + 2], f);
        h += &format!(
            "Pointer: Grid[{}]->NextGridThisLevel = 0\nPointer: Grid[{}]->NextGridNextLevel = 0\n",
            id + 2,
            id + 2
        );
    }
    h
}

const PARAMS: &str = "InitialTime = 1.5\nTopGridRank = 3\nDomainLeftEdge = 0 0 0\n\
    DomainRightEdge = 1 1 1\nRefineBy = 2\n";

/// Writes the dataset of `files` cpu files into `dir`; returns its parameter file. Per grid:
/// Density (f32, [`density`]) and Temperature (f64, twice it). `skip(id, field)`: a dataset not
/// to write.
fn write_dataset(dir: &Path, files: usize, skip: &dyn Fn(u64, &str) -> bool) -> PathBuf {
    let param = dir.join("DD0003");
    let params = format!("{PARAMS}TopGridDimensions = {} 8 8\n", 2 * files);
    std::fs::write(&param, params).unwrap();
    std::fs::write(dir.join("DD0003.hierarchy"), hierarchy(&specs(files))).unwrap();
    let specs = specs(files);
    for f in 0..files {
        let mut b = Hdf5Builder::new();
        for s in &specs[3 * f..3 * f + 3] {
            let shape = vec![s.dims[2] as u64, s.dims[1] as u64, s.dims[0] as u64];
            let d = grid_values(s, |i, j, k| density(s.id, i, j, k));
            let t: Vec<f64> = d.iter().map(|&v| 2.0 * v as f64).collect();
            let group = format!("Grid{:08}", s.id);
            if !skip(s.id, "Density") {
                let name = format!("{group}/Density");
                b = b.dataset(DatasetBuilder::typed_data(name, shape.clone(), &d).unwrap());
            }
            if !skip(s.id, "Temperature") {
                let name = format!("{group}/Temperature");
                b = b.dataset(DatasetBuilder::typed_data(name, shape, &t).unwrap());
            }
        }
        let bytes = b
            .into_plan()
            .unwrap()
            .encode(WriteOptions::default())
            .unwrap();
        std::fs::write(dir.join(format!("DD0003.cpu{f:04}")), bytes).unwrap();
    }
    param
}

fn cpu_file(dir: &Path, f: usize) -> PathBuf {
    dir.join(format!("DD0003.cpu{f:04}"))
}

/// The hierarchy index of grid `id` (the hierarchy keeps the file's order).
fn index_of(src: &dyn DataSource, id: u64) -> usize {
    src.hierarchy()
        .grids
        .iter()
        .position(|g| g.id == id)
        .unwrap()
}

#[test]
fn many_files_read_whole_and_grid_by_grid() {
    let tmp = tempfile::tempdir().unwrap();
    let param = write_dataset(tmp.path(), 4, &|_, _| false);
    let src = EnzoSource::open(&param).unwrap();
    let h = src.hierarchy();
    assert_eq!(h.grids.len(), 12);
    assert_eq!(h.max_level(), 1);
    assert_eq!(src.field_names(), ["Density", "Temperature"]);
    // Only the first file was looked at (for the field names), and it is not kept open.
    assert_eq!(src.open_data_files(), 0);
    for s in specs(4) {
        let n = index_of(&src, s.id);
        assert_eq!(h.grids[n].level, s.level);
        assert_eq!(h.grids[n].dims, s.dims);
        let want = grid_values(&s, |i, j, k| density(s.id, i, j, k));
        assert_eq!(src.read_grid("Density", n).unwrap(), want, "grid {}", s.id);
        let t = src.read_grid("Temperature", n).unwrap();
        assert_eq!(t, want.iter().map(|v| 2.0 * v).collect::<Vec<_>>());
    }
    assert_eq!(src.open_data_files(), 4);
    assert_eq!(assert_read_grid_matches(&src, None), 2 * 12);
    // A point in grid 6 (file 1's second child): its cell (1, 2, 0).
    let ds = amrcast::formats::load(&src, Some("Density")).unwrap();
    let p = glam::DVec3::new(0.25 + 1.5 / 16.0, 0.5 + 2.5 / 16.0, 0.75 + 0.5 / 16.0);
    assert_eq!(ds.sample(p), density(6, 1, 2, 0));
}

#[test]
fn files_are_opened_only_when_a_grid_in_them_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let param = write_dataset(tmp.path(), 4, &|_, _| false);
    let src = EnzoSource::open(&param).unwrap();
    // After opening: file 1 deleted, file 3 cut in half; files 0 and 2 are all that is read.
    std::fs::remove_file(cpu_file(tmp.path(), 1)).unwrap();
    let f3 = std::fs::read(cpu_file(tmp.path(), 3)).unwrap();
    std::fs::write(cpu_file(tmp.path(), 3), &f3[..f3.len() / 2]).unwrap();
    for s in specs(4).iter().filter(|s| matches!(s.id, 1..=3 | 7..=9)) {
        let n = index_of(&src, s.id);
        let want = grid_values(s, |i, j, k| density(s.id, i, j, k));
        assert_eq!(src.read_grid("Density", n).unwrap(), want, "grid {}", s.id);
    }
    assert_eq!(src.open_data_files(), 2);
    // Grid 5 lives in the deleted file, grid 11 in the cut one.
    let e = src
        .read_grid("Density", index_of(&src, 5))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("DD0003.cpu0001: grid 5: cannot open the data file") && e.contains("No such"),
        "{e}"
    );
    let e = src
        .read_grid("Temperature", index_of(&src, 11))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("DD0003.cpu0003: grid 11: ") && e.contains("truncated"),
        "{e}"
    );
    let e = src.read_field("Density").unwrap_err().to_string();
    assert!(e.contains("DD0003.cpu0001: grid 4: "), "{e}");
    assert_eq!(src.open_data_files(), 2);
}

#[test]
fn missing_and_misshapen_datasets_name_the_file_and_grid() {
    let tmp = tempfile::tempdir().unwrap();
    let param = write_dataset(tmp.path(), 4, &|id, f| id == 8 && f == "Temperature");
    let src = EnzoSource::open(&param).unwrap();
    let e = src
        .read_grid("Temperature", index_of(&src, 8))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("DD0003.cpu0002: grid 8: /Grid00000008/Temperature"),
        "{e}"
    );
    assert!(src.read_grid("Temperature", index_of(&src, 7)).is_ok());
    // A grid whose hierarchy entry says other cells than its datasets hold: grid 12 (4x8x4
    // cells in the file) made 4x8x2.
    let mut sp = specs(4);
    sp[11].dims[2] = 2;
    sp[11].right[2] = 0.875;
    std::fs::write(tmp.path().join("DD0003.hierarchy"), hierarchy(&sp)).unwrap();
    let src = EnzoSource::open(&param).unwrap();
    let e = src
        .read_grid("Density", index_of(&src, 12))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("DD0003.cpu0003: grid 12: ") && e.contains("does not match"),
        "{e}"
    );
}

#[test]
fn threads_read_grids_at_once_through_a_bounded_set_of_open_files() {
    // 12 files of 3 grids: more files than the reader keeps open (8 by default; then 2).
    let tmp = tempfile::tempdir().unwrap();
    let param = write_dataset(tmp.path(), 12, &|_, _| false);
    for (limit, src) in [
        (8, EnzoSource::open(&param).unwrap()),
        (2, EnzoSource::open(&param).unwrap().with_open_files(2)),
    ] {
        let field = src.read_field("Density").unwrap();
        let grids = src.hierarchy().grids.len();
        assert_eq!(grids, 36);
        std::thread::scope(|s| {
            for t in 0..6usize {
                let (src, field) = (&src, &field);
                s.spawn(move || {
                    for round in 0..4 {
                        for m in 0..grids {
                            // Each thread walks the grids in its own order.
                            let n = (m * 7 + t * 5 + round) % grids;
                            let v = src.read_grid("Density", n).unwrap();
                            assert_eq!(&v[..], &field.data[n][..], "thread {t} grid {n}");
                        }
                    }
                });
            }
        });
        let open = src.open_data_files();
        assert!(
            (1..=limit).contains(&open),
            "{open} files open (limit {limit})"
        );
    }
}

/// A copy of moving7 (Enzo 1.3, old-format HDF5) in a temporary directory.
#[test]
fn data_file_truncated_while_streaming_is_an_error() {
    // Old format: grid 1 is read (the file is then open), the file is cut in the middle of
    // the data, and every grid stored past the cut is an error naming the file and the grid.
    let (_tmp, p) = moving7_copy();
    let src = EnzoSource::open(&p).unwrap();
    let first = src.read_grid("Density", 0).unwrap();
    let data = p.with_file_name("moving7_0010.cpu0000");
    let full = std::fs::read(&data).unwrap();
    std::fs::write(&data, &full[..full.len() / 2]).unwrap();
    assert_eq!(src.read_grid("Density", 0).unwrap(), first);
    let mut failed = Vec::new();
    for f in src.field_names() {
        for n in 0..src.hierarchy().grids.len() {
            if let Err(e) = src.read_grid(&f, n) {
                let id = src.hierarchy().grids[n].id;
                let msg = e.to_string();
                assert!(
                    msg.contains(&format!("moving7_0010.cpu0000: grid {id}: "))
                        && msg.contains("truncated"),
                    "{msg}"
                );
                failed.push((f.clone(), id));
            }
        }
    }
    assert!(failed.len() > 10, "{failed:?}");

    // New format, the file opened and then cut.
    let tmp = tempfile::tempdir().unwrap();
    let param = write_dataset(tmp.path(), 4, &|_, _| false);
    let src = EnzoSource::open(&param).unwrap();
    src.read_grid("Density", index_of(&src, 4)).unwrap();
    let f1 = std::fs::read(cpu_file(tmp.path(), 1)).unwrap();
    std::fs::write(cpu_file(tmp.path(), 1), &f1[..f1.len() * 2 / 3]).unwrap();
    let e = src
        .read_grid("Temperature", index_of(&src, 6))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("DD0003.cpu0001: grid 6: ") && e.contains("truncated"),
        "{e}"
    );
}

#[test]
fn hdf5_reader_panic_on_a_damaged_header_is_an_error() {
    // In moving7's data file, the dataspace message of grid 7's Temperature gets the "shared"
    // flag: the old-format reader hands the dataset to hdf5-reader, which misreads the
    // version-2 layout message of such files and overflows computing its size (a panic in
    // builds with overflow checks, as tests are).
    let (_tmp, p) = moving7_copy();
    let src = EnzoSource::open(&p).unwrap();
    let data = p.with_file_name("moving7_0010.cpu0000");
    let mut bytes = std::fs::read(&data).unwrap();
    const FLAGS: usize = 1_166_472;
    // Message type 1 (dataspace), 32 bytes, flags 0.
    assert_eq!(bytes[FLAGS - 4..FLAGS + 1], [1, 0, 32, 0, 0]);
    bytes[FLAGS] = 0x02;
    std::fs::write(&data, &bytes).unwrap();
    let mut failed = Vec::new();
    for f in src.field_names() {
        for n in 0..src.hierarchy().grids.len() {
            if let Err(e) = src.read_grid(&f, n) {
                let id = src.hierarchy().grids[n].id;
                let msg = e.to_string();
                assert!(
                    msg.contains(&format!("moving7_0010.cpu0000: grid {id}: ")),
                    "{msg}"
                );
                failed.push(msg);
            }
        }
    }
    assert_eq!(failed.len(), 1, "{failed:#?}");
    let e = src.read_field(&failed_field(&failed[0])).unwrap_err();
    assert_eq!(e.to_string(), failed[0]);
}

/// The field named in a message "...: /GridNNNNNNNN/<field>: ...".
fn failed_field(msg: &str) -> String {
    let at = msg.find("/Grid").unwrap();
    let rest = &msg[at + 1..];
    let start = rest.find('/').unwrap() + 1;
    let end = rest[start..].find(':').unwrap() + start;
    rest[start..end].to_string()
}
