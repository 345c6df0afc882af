//! Enzo fixtures written with hdf5-writer: datasets of either byte order in one data file,
//! beside a parameter file and a hierarchy given as text (`DD0003/DD0003`,
//! `DD0003/DD0003.hierarchy`, `DD0003/DD0003.cpu0000`).

use hdf5_writer::{ByteOrder, DatasetBuilder, Hdf5Builder, WriteOptions};
use std::path::{Path, PathBuf};

pub enum Data {
    F64(Vec<f64>, ByteOrder),
    F32(Vec<f32>, ByteOrder),
}

pub struct Ds {
    pub path: String,
    pub shape: Vec<u64>,
    pub data: Data,
}

pub fn write_h5(path: &Path, datasets: &[Ds]) {
    let mut b = Hdf5Builder::new();
    let mut byte_order = ByteOrder::LittleEndian;
    for ds in datasets {
        let builder = match &ds.data {
            Data::F64(v, o) => {
                byte_order = *o;
                DatasetBuilder::typed_with_order::<f64>(&ds.path, ds.shape.clone(), *o)
                    .data(v)
                    .unwrap()
            }
            Data::F32(v, o) => {
                byte_order = *o;
                DatasetBuilder::typed_with_order::<f32>(&ds.path, ds.shape.clone(), *o)
                    .data(v)
                    .unwrap()
            }
        };
        b = b.dataset(builder);
    }
    let bytes = b
        .into_plan()
        .unwrap()
        .encode(WriteOptions {
            byte_order,
            ..WriteOptions::default()
        })
        .unwrap();
    std::fs::write(path, bytes).unwrap();
}

pub struct Fixture {
    pub _tmp: tempfile::TempDir,
    pub param: PathBuf,
}

impl Fixture {
    pub fn dir(&self) -> PathBuf {
        self.param.parent().unwrap().to_path_buf()
    }
    pub fn hierarchy_file(&self) -> PathBuf {
        self.dir().join("DD0003.hierarchy")
    }
    pub fn data_file(&self) -> PathBuf {
        self.dir().join("DD0003.cpu0000")
    }
}

pub fn fixture_with(params: &str, hierarchy: &str, data: &[Ds]) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("DD0003");
    std::fs::create_dir(&dir).unwrap();
    let param = dir.join("DD0003");
    std::fs::write(&param, params).unwrap();
    std::fs::write(dir.join("DD0003.hierarchy"), hierarchy).unwrap();
    write_h5(&dir.join("DD0003.cpu0000"), data);
    Fixture { _tmp: tmp, param }
}

/// A copy of `tests/data/moving7_0010` in a temporary folder (to damage); returns the folder
/// and the parameter file.
pub fn moving7_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/moving7_0010");
    for f in [
        "moving7_0010",
        "moving7_0010.hierarchy",
        "moving7_0010.cpu0000",
    ] {
        std::fs::copy(src.join(f), tmp.path().join(f)).unwrap();
    }
    let p = tmp.path().join("moving7_0010");
    (tmp, p)
}
