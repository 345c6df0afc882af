//! A 3-D dataset of any HDF5 file as one uniform grid.

mod common;

use amrcast::formats::uniform::{self, split_spec};
use amrcast::formats::{load, open_hdf5_format};
use amrcast::Error;
use common::read_grid::assert_read_grid_matches;
use glam::DVec3;
use hdf5_writer::{ByteOrder, DatasetBuilder, Hdf5Builder, WriteOptions};
use std::path::{Path, PathBuf};

/// Writes a file; hdf5-writer needs every numeric dataset of a file in the file's byte order.
fn write(path: &Path, b: Hdf5Builder, byte_order: ByteOrder) {
    let bytes = b
        .into_plan()
        .unwrap()
        .encode(WriteOptions {
            byte_order,
            ..Default::default()
        })
        .unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Value of cell (i, j, k) in the fixtures: its flat index in x-fastest order.
fn expected(i: usize, j: usize, k: usize) -> f32 {
    (i + 4 * (j + 3 * k)) as f32
}

/// A little-endian file with datasets of shape (nz, ny, nx) = (2, 3, 4) in several types, each
/// holding its flat C-order index, plus a 2-D and a string dataset.
fn fixture(dir: &Path) -> PathBuf {
    let path = dir.join("cube.h5");
    let n = 2 * 3 * 4;
    let f64s: Vec<f64> = (0..n).map(|v| v as f64).collect();
    let f32s: Vec<f32> = (0..n).map(|v| v as f32).collect();
    let i16s: Vec<i16> = (0..n).map(|v| v as i16).collect();
    let u8s: Vec<u8> = (0..n).map(|v| v as u8).collect();
    let u64s: Vec<u64> = (0..n).map(|v| v as u64).collect();
    write(
        &path,
        Hdf5Builder::new()
            .dataset(DatasetBuilder::typed_data("fields/density", vec![2, 3, 4], &f64s).unwrap())
            .dataset(DatasetBuilder::typed_data("fields/temp", vec![2, 3, 4], &f32s).unwrap())
            .dataset(DatasetBuilder::typed_data("ints/i16", vec![2, 3, 4], &i16s).unwrap())
            .dataset(DatasetBuilder::typed_data("ints/u8", vec![2, 3, 4], &u8s).unwrap())
            .dataset(
                DatasetBuilder::typed_data("ints/u64_chunked", vec![2, 3, 4], &u64s)
                    .unwrap()
                    .chunked(vec![1, 3, 2]),
            )
            .dataset(DatasetBuilder::typed_data("flat", vec![3, 4], &f32s[..12]).unwrap())
            .dataset(DatasetBuilder::typed_data("line", vec![12], &f32s[..12]).unwrap())
            .dataset(
                DatasetBuilder::fixed_string_data("names", vec![2, 3, 4], &vec!["a"; n]).unwrap(),
            ),
        ByteOrder::LittleEndian,
    );
    path
}

/// The same values in a big-endian file (f32, i16 and f64).
fn big_endian_fixture(dir: &Path) -> PathBuf {
    let path = dir.join("cube_be.h5");
    let n = 2 * 3 * 4;
    let be = ByteOrder::BigEndian;
    let f32s: Vec<f32> = (0..n).map(|v| v as f32).collect();
    let i16s: Vec<i16> = (0..n).map(|v| v as i16).collect();
    let f64s: Vec<f64> = (0..n).map(|v| v as f64).collect();
    write(
        &path,
        Hdf5Builder::new()
            .dataset(
                DatasetBuilder::typed_with_order::<f32>("temp_be", vec![2, 3, 4], be)
                    .data(&f32s)
                    .unwrap(),
            )
            .dataset(
                DatasetBuilder::typed_with_order::<i16>("i16_be", vec![2, 3, 4], be)
                    .data(&i16s)
                    .unwrap(),
            )
            .dataset(
                DatasetBuilder::typed_with_order::<f64>("f64_be", vec![2, 3, 4], be)
                    .data(&f64s)
                    .unwrap(),
            ),
        be,
    );
    path
}

#[test]
fn uniform_grid_geometry_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path());
    let src = uniform::open(&path, "/fields/density").unwrap();
    assert_eq!(src.metadata().format, "hdf5");
    assert_eq!(src.metadata().name, "cube");
    assert_eq!(src.field_names(), vec!["density".to_string()]);
    let h = src.hierarchy();
    assert_eq!(h.root_dims, [4, 3, 2]);
    assert_eq!(h.grids.len(), 1);
    assert_eq!(h.grids[0].dims, [4, 3, 2]);
    assert_eq!(h.domain_left, DVec3::ZERO);
    // Aspect: dims / max(dims).
    assert_eq!(h.domain_right, DVec3::new(1.0, 0.75, 0.5));
    assert_eq!(h.cell_size(0), DVec3::splat(0.25));

    let ds = load(src.as_ref(), None).unwrap();
    for (i, j, k) in [(0, 0, 0), (3, 0, 0), (1, 2, 0), (2, 1, 1), (3, 2, 1)] {
        assert_eq!(
            ds.grid_value(0, i, j, k),
            expected(i, j, k),
            "cell {i},{j},{k}"
        );
    }
    // x fastest: the second stored value is cell (1, 0, 0).
    assert_eq!(ds.field.data[0][1], 1.0);
    assert_eq!(ds.field.data[0][4], expected(0, 1, 0));
    assert_eq!(ds.field.data[0][12], expected(0, 0, 1));
}

#[test]
fn read_grid_is_the_whole_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path());
    for name in ["/fields/density", "/ints/u64_chunked", "/ints/i16"] {
        let src = uniform::open(&path, name).unwrap();
        assert_eq!(assert_read_grid_matches(src.as_ref(), None), 1);
        let v = src.read_grid(&src.field_names()[0], 0).unwrap();
        assert_eq!(v[1 + 4 * (2 + 3)], expected(1, 2, 1));
    }
    let src = uniform::open(&big_endian_fixture(dir.path()), "/f64_be").unwrap();
    assert_eq!(assert_read_grid_matches(src.as_ref(), None), 1);
    let e = src.read_grid("temp", 0).unwrap_err();
    assert!(matches!(e, Error::UnknownField { .. }), "{e}");
}

#[test]
fn every_numeric_type_and_byte_order_converts() {
    let dir = tempfile::tempdir().unwrap();
    let le = fixture(dir.path());
    let be = big_endian_fixture(dir.path());
    for (path, name) in [
        (&le, "fields/temp"),
        (&le, "ints/i16"),
        (&le, "ints/u8"),
        (&le, "ints/u64_chunked"),
        (&le, "/fields/density"),
        (&be, "temp_be"),
        (&be, "i16_be"),
        (&be, "/f64_be"),
    ] {
        let src = uniform::open(path, name).unwrap();
        let field = src.field_names().remove(0);
        assert_eq!(field, name.rsplit('/').next().unwrap());
        let f = src.read_field(&field).unwrap();
        let want: Vec<f32> = (0..24).map(|v| v as f32).collect();
        assert_eq!(f.data, vec![want.into()], "{name}");
    }
}

#[test]
fn unknown_field_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path());
    let src = uniform::open(&path, "fields/density").unwrap();
    let e = src.read_field("pressure").unwrap_err();
    assert!(matches!(e, Error::UnknownField { .. }), "{e}");
    assert!(e.to_string().contains("density"), "{e}");
}

#[test]
fn missing_dataset_names_path_and_lists_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path());
    let e = uniform::open(&path, "/fields/nope").err().unwrap();
    let msg = e.to_string();
    assert!(matches!(e, Error::Format { .. }), "{msg}");
    assert!(msg.contains("cube.h5"), "{msg}");
    assert!(msg.contains("no dataset '/fields/nope'"), "{msg}");
    assert!(msg.contains("/fields/density [2, 3, 4]"), "{msg}");
    // A missing group on the way is the same error.
    let e = uniform::open(&path, "/nogroup/x").err().unwrap();
    assert!(e.to_string().contains("no dataset '/nogroup/x'"), "{e}");
    let e = uniform::open(&path, "/").err().unwrap();
    assert!(e.to_string().contains("no dataset path"), "{e}");
}

/// A 2-D dataset (ny, nx) is a 2-D dataset of the model: one cell thick, x fastest.
#[test]
fn a_2d_dataset_is_one_cell_thick() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path());
    let src = uniform::open(&path, "flat").unwrap();
    let h = src.hierarchy();
    assert_eq!(h.dimensionality(), 2);
    assert_eq!(h.root_dims, [4, 3, 1]);
    assert_eq!(h.domain_right, DVec3::new(1.0, 0.75, 0.25));
    let values = src.read_grid("flat", 0).unwrap();
    assert_eq!(values, (0..12).map(|v| v as f32).collect::<Vec<_>>());
}

#[test]
fn non_2d_or_3d_and_non_numeric_datasets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path());
    let e = uniform::open(&path, "line").err().unwrap();
    assert!(e.to_string().contains("[12] (1-D)"), "{e}");
    assert!(e.to_string().contains("needs a 2-D or 3-D dataset"), "{e}");
    let e = uniform::open(&path, "names").err().unwrap();
    assert!(e.to_string().contains("type string"), "{e}");
}

#[test]
fn missing_and_truncated_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.h5");
    let e = uniform::open(&missing, "/x").err().unwrap();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    assert!(e.to_string().contains("missing.h5"), "{e}");

    let path = fixture(dir.path());
    let bytes = std::fs::read(&path).unwrap();
    for keep in [0, 7, 40, bytes.len() / 3, bytes.len() - 50] {
        let cut = dir.path().join(format!("cut{keep}.h5"));
        std::fs::write(&cut, &bytes[..keep]).unwrap();
        // Open or read: either step may notice, neither may panic.
        let r = uniform::open(&cut, "/fields/density")
            .and_then(|s| s.read_field("density").map(|_| ()));
        let e = r.expect_err(&format!("truncated to {keep} bytes"));
        assert!(e.to_string().contains(&format!("cut{keep}.h5")), "{e}");
        if keep > 100 {
            assert!(e.to_string().contains("truncated HDF5 file"), "{e}");
        }
    }

    let text = dir.path().join("text.h5");
    std::fs::write(&text, "not hdf5 at all, just some text that is long enough").unwrap();
    let e = uniform::open(&text, "/x").err().unwrap();
    assert!(e.to_string().contains("not a readable HDF5 file"), "{e}");
}

#[test]
fn spec_splitting() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path());
    let spec = format!("{}:/fields/density", path.display());
    assert_eq!(
        split_spec(&spec),
        Some((path.clone(), "/fields/density".to_string()))
    );
    // Chombo-style names with ':' after the split point stay in the dataset path.
    let spec = format!("{}:/level_0/data:datatype=0", path.display());
    assert_eq!(
        split_spec(&spec),
        Some((path, "/level_0/data:datatype=0".to_string()))
    );
    assert_eq!(split_spec("plain.h5"), None);
}

#[test]
fn dispatch_by_spec() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path());
    let spec = format!("{}:/ints/u8", path.display());
    let src = open_hdf5_format(Path::new(&spec)).unwrap().unwrap();
    assert_eq!(src.metadata().format, "hdf5");
    assert_eq!(src.field_names(), vec!["u8".to_string()]);
    // A plain HDF5 file is none of the AMR formats; a missing plain path is not either.
    assert!(open_hdf5_format(&path).is_none());
    assert!(open_hdf5_format(&dir.path().join("missing.h5")).is_none());
}
