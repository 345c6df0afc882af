//! A streaming HDF5 writer for large `f32` arrays: the file's metadata (superblock, groups,
//! dataset headers) is laid out from the datasets' names and shapes alone and written first,
//! then the values are appended dataset after dataset, so a file of many gigabytes is written
//! holding only the values at hand. `hdf5-writer` encodes a whole file in memory; this writer
//! emits the same bytes as it does for a plan of little-endian `f32` datasets (superblock
//! version 2, compact new-style groups, contiguous storage), which the tests check.

use crate::error::{Error, Result};
use hdf5_writer::jenkins_lookup3;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const MAGIC: [u8; 8] = [0x89, b'H', b'D', b'F', 0x0d, 0x0a, 0x1a, 0x0a];
const UNDEFINED: u64 = u64::MAX;
const SUPERBLOCK_SIZE: u64 = 48;
const MSG_DATASPACE: u8 = 0x01;
const MSG_LINK_INFO: u8 = 0x02;
const MSG_DATATYPE: u8 = 0x03;
const MSG_FILL_VALUE: u8 = 0x05;
const MSG_LINK: u8 = 0x06;
const MSG_DATA_LAYOUT: u8 = 0x08;
const MSG_GROUP_INFO: u8 = 0x0a;
/// Fill value message: space allocated late, fill value written if set.
const FILL_LATE_IFSET: u8 = 2 | (2 << 2);

/// One dataset of a streamed file: its path (`Name` or `Group/Name`) and shape (slowest axis
/// first, as HDF5 stores it: `[nz, ny, nx]` for an x-fastest grid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamDataset {
    pub path: String,
    pub shape: Vec<u64>,
}

impl StreamDataset {
    pub fn new(path: impl Into<String>, shape: impl Into<Vec<u64>>) -> Self {
        StreamDataset {
            path: path.into(),
            shape: shape.into(),
        }
    }

    fn values(&self) -> u64 {
        self.shape.iter().product()
    }
}

/// The file's metadata bytes and where each dataset's values go.
struct Layout {
    metadata: Vec<u8>,
    /// Bytes of values of each dataset, in order; each starts at the previous one's end
    /// rounded up to 8 bytes, the first at the end of `metadata`.
    sizes: Vec<u64>,
    eof: u64,
}

/// Writes an HDF5 file of `f32` datasets whose values arrive in order: all of the first
/// dataset's (as stored, last axis fastest), then the second's, and so on.
pub struct StreamWriter {
    path: PathBuf,
    out: BufWriter<File>,
    sizes: Vec<u64>,
    eof: u64,
    /// Dataset being written and its bytes written so far.
    current: usize,
    done: u64,
    /// Bytes written to the file so far.
    pos: u64,
}

impl StreamWriter {
    /// Creates `path` (replacing a file there) and writes its metadata.
    pub fn create(path: &Path, datasets: &[StreamDataset]) -> Result<Self> {
        let layout = layout(datasets).map_err(|e| Error::format(path, e))?;
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(&layout.metadata)
            .map_err(|e| Error::io(path, e))?;
        let mut w = StreamWriter {
            path: path.to_path_buf(),
            out,
            sizes: layout.sizes,
            eof: layout.eof,
            current: 0,
            done: 0,
            pos: layout.metadata.len() as u64,
        };
        w.skip_full()?;
        Ok(w)
    }

    /// Appends `values` to the datasets, moving on to the next dataset as each fills up.
    pub fn write(&mut self, mut values: &[f32]) -> Result<()> {
        let mut bytes = Vec::with_capacity(values.len().min(1 << 18) * 4);
        while !values.is_empty() {
            let Some(&size) = self.sizes.get(self.current) else {
                return Err(Error::format(
                    &self.path,
                    format!("{} values beyond the last dataset", values.len()),
                ));
            };
            let room = ((size - self.done) / 4) as usize;
            let n = values.len().min(room).min(1 << 18);
            bytes.clear();
            bytes.extend(values[..n].iter().flat_map(|v| v.to_le_bytes()));
            self.put(&bytes)?;
            self.done += bytes.len() as u64;
            values = &values[n..];
            self.skip_full()?;
        }
        Ok(())
    }

    /// Checks that every dataset got all its values, pads the file to its end and flushes it;
    /// returns the file's size in bytes.
    pub fn finish(mut self) -> Result<u64> {
        if self.current < self.sizes.len() {
            return Err(Error::format(
                &self.path,
                format!(
                    "dataset {} of {} is missing {} values",
                    self.current + 1,
                    self.sizes.len(),
                    (self.sizes[self.current] - self.done) / 4
                ),
            ));
        }
        self.pad_to(self.eof)?;
        self.out.flush().map_err(|e| Error::io(&self.path, e))?;
        Ok(self.pos)
    }

    /// Moves past datasets that are complete, padding to the next one's start.
    fn skip_full(&mut self) -> Result<()> {
        while self
            .sizes
            .get(self.current)
            .is_some_and(|&s| self.done == s)
        {
            self.current += 1;
            self.done = 0;
            self.pad_to(align8(self.pos))?;
        }
        Ok(())
    }

    fn pad_to(&mut self, to: u64) -> Result<()> {
        let zeros = [0u8; 8];
        while self.pos < to {
            let n = (to - self.pos).min(8) as usize;
            self.put(&zeros[..n])?;
        }
        Ok(())
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|e| Error::io(&self.path, e))?;
        self.pos += bytes.len() as u64;
        Ok(())
    }
}

fn align8(v: u64) -> u64 {
    v.div_ceil(8) * 8
}

/// Splits `Group/Name` into its group and name; errors for other paths.
fn split(path: &str) -> std::result::Result<(Option<&str>, &str), String> {
    let parts: Vec<&str> = path.split('/').collect();
    match parts[..] {
        [name] if !name.is_empty() => Ok((None, name)),
        [group, name] if !group.is_empty() && !name.is_empty() => Ok((Some(group), name)),
        _ => Err(format!(
            "dataset path '{path}': expected 'Name' or 'Group/Name'"
        )),
    }
}

/// The groups of `datasets` (sorted by name, as `hdf5-writer` places them), after checking
/// the paths.
fn groups(datasets: &[StreamDataset]) -> std::result::Result<Vec<&str>, String> {
    let mut groups = BTreeSet::new();
    let mut names = BTreeSet::new();
    for d in datasets {
        let (group, _) = split(&d.path)?;
        if !names.insert(d.path.as_str()) {
            return Err(format!("dataset '{}' given twice", d.path));
        }
        if d.shape.is_empty() || d.shape.len() > 32 {
            return Err(format!("dataset '{}': rank must be 1 to 32", d.path));
        }
        groups.extend(group);
    }
    if let Some(g) = groups.iter().find(|g| names.contains(*g)) {
        return Err(format!("'{g}' is both a group and a dataset"));
    }
    Ok(groups.into_iter().collect())
}

/// The links (name, address) of the root group (its groups, then its datasets) and of the
/// other groups, given the groups' and datasets' header addresses.
struct Links<'a> {
    groups: Vec<&'a str>,
    datasets: &'a [StreamDataset],
}

impl Links<'_> {
    fn members(&self, group: Option<&str>, d_addr: &[u64]) -> Vec<(String, u64)> {
        self.datasets
            .iter()
            .zip(d_addr)
            .filter_map(|(d, &a)| {
                let (g, name) = split(&d.path).ok()?;
                (g == group).then(|| (name.to_string(), a))
            })
            .collect()
    }

    fn root(&self, g_addr: &[u64], d_addr: &[u64]) -> Vec<(String, u64)> {
        let mut links: Vec<(String, u64)> = self
            .groups
            .iter()
            .zip(g_addr)
            .map(|(g, &a)| (g.to_string(), a))
            .collect();
        links.extend(self.members(None, d_addr));
        links
    }
}

/// Lays the file out as `hdf5-writer` does: superblock, root group header, group headers (by
/// name), dataset headers (in order), then the values (in order, each 8-byte aligned).
fn layout(datasets: &[StreamDataset]) -> std::result::Result<Layout, String> {
    let links = Links {
        groups: groups(datasets)?,
        datasets,
    };
    // Header sizes do not depend on the addresses in them: place them with zeros first.
    let zeros_g = vec![0; links.groups.len()];
    let zeros_d = vec![0; datasets.len()];
    let mut next = SUPERBLOCK_SIZE;
    let root_addr = next;
    next = align8(next + group_header(&links.root(&zeros_g, &zeros_d))?.len() as u64);
    let mut g_addr = Vec::with_capacity(links.groups.len());
    for &g in &links.groups {
        g_addr.push(next);
        next = align8(next + group_header(&links.members(Some(g), &zeros_d))?.len() as u64);
    }
    let mut d_addr = Vec::with_capacity(datasets.len());
    for d in datasets {
        d_addr.push(next);
        next = align8(next + dataset_header(d, 0, 0)?.len() as u64);
    }
    let data_start = next;
    let mut sizes = Vec::with_capacity(datasets.len());
    let mut data_addr = Vec::with_capacity(datasets.len());
    for d in datasets {
        let size = d.values().checked_mul(4).ok_or("dataset too large")?;
        data_addr.push(if size == 0 { UNDEFINED } else { next });
        sizes.push(size);
        next = align8(next + size);
    }
    let eof = next;

    let mut metadata = superblock(root_addr, eof);
    let mut place = |at: u64, bytes: Vec<u8>| {
        metadata.resize(at as usize, 0);
        metadata.extend_from_slice(&bytes);
    };
    place(root_addr, group_header(&links.root(&g_addr, &d_addr))?);
    for (&g, &at) in links.groups.iter().zip(&g_addr) {
        place(at, group_header(&links.members(Some(g), &d_addr))?);
    }
    for (n, d) in datasets.iter().enumerate() {
        place(d_addr[n], dataset_header(d, data_addr[n], sizes[n])?);
    }
    metadata.resize(data_start as usize, 0);
    Ok(Layout {
        metadata,
        sizes,
        eof,
    })
}

fn superblock(root: u64, eof: u64) -> Vec<u8> {
    let mut b = Vec::with_capacity(SUPERBLOCK_SIZE as usize);
    b.extend_from_slice(&MAGIC);
    b.extend_from_slice(&[2, 8, 8, 0]);
    b.extend_from_slice(&0u64.to_le_bytes());
    b.extend_from_slice(&UNDEFINED.to_le_bytes());
    b.extend_from_slice(&eof.to_le_bytes());
    b.extend_from_slice(&root.to_le_bytes());
    let sum = jenkins_lookup3(&b);
    b.extend_from_slice(&sum.to_le_bytes());
    b
}

/// The byte width (as HDF5's 2-bit size flag) and the bytes of an unsigned size field.
fn sized(value: u64) -> (u8, Vec<u8>) {
    let (flag, width) = match value {
        0..=0xff => (0, 1),
        0x100..=0xffff => (1, 2),
        0x1_0000..=0xffff_ffff => (2, 4),
        _ => (3, 8),
    };
    (flag, value.to_le_bytes()[..width].to_vec())
}

/// A version-2 object header holding `messages` (type, payload).
fn object_header(messages: &[(u8, Vec<u8>)]) -> std::result::Result<Vec<u8>, String> {
    let mut body = Vec::new();
    for (kind, payload) in messages {
        let len = u16::try_from(payload.len()).map_err(|_| "header message too large")?;
        body.push(*kind);
        body.extend_from_slice(&len.to_le_bytes());
        body.push(0);
        body.extend_from_slice(payload);
    }
    let (flag, size) = sized(body.len() as u64);
    let mut b = b"OHDR".to_vec();
    b.extend_from_slice(&[2, flag]);
    b.extend_from_slice(&size);
    b.extend_from_slice(&body);
    let sum = jenkins_lookup3(&b);
    b.extend_from_slice(&sum.to_le_bytes());
    Ok(b)
}

/// A new-style group with its links stored in the header.
fn group_header(links: &[(String, u64)]) -> std::result::Result<Vec<u8>, String> {
    let mut link_info = vec![0, 0];
    link_info.extend_from_slice(&UNDEFINED.to_le_bytes());
    link_info.extend_from_slice(&UNDEFINED.to_le_bytes());
    let mut messages = vec![(MSG_LINK_INFO, link_info), (MSG_GROUP_INFO, vec![0, 0])];
    for (name, address) in links {
        if !name.is_ascii() {
            return Err(format!("link name '{name}' is not ASCII"));
        }
        let (flag, len) = sized(name.len() as u64);
        let mut m = vec![1, flag];
        m.extend_from_slice(&len);
        m.extend_from_slice(name.as_bytes());
        m.extend_from_slice(&address.to_le_bytes());
        messages.push((MSG_LINK, m));
    }
    object_header(&messages)
}

/// A contiguous little-endian `f32` dataset whose values lie at `address`.
fn dataset_header(
    d: &StreamDataset,
    address: u64,
    size: u64,
) -> std::result::Result<Vec<u8>, String> {
    let mut space = vec![2, d.shape.len() as u8, 0, 1];
    for &n in &d.shape {
        space.extend_from_slice(&n.to_le_bytes());
    }
    // Class 1 (float) version 1; IEEE mantissa normalisation, sign bit 31.
    let class: u32 = 1 | (1 << 4) | ((0x20 | (31 << 8)) << 8);
    let mut dtype = class.to_le_bytes().to_vec();
    dtype.extend_from_slice(&4u32.to_le_bytes());
    dtype.extend_from_slice(&0u16.to_le_bytes());
    dtype.extend_from_slice(&32u16.to_le_bytes());
    dtype.extend_from_slice(&[23, 8, 0, 23]);
    dtype.extend_from_slice(&127u32.to_le_bytes());
    let mut layout = vec![3, 1];
    layout.extend_from_slice(&address.to_le_bytes());
    layout.extend_from_slice(&size.to_le_bytes());
    object_header(&[
        (MSG_DATASPACE, space),
        (MSG_DATATYPE, dtype),
        (MSG_FILL_VALUE, vec![3, FILL_LATE_IFSET]),
        (MSG_DATA_LAYOUT, layout),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdf5_writer::{ByteOrder, DatasetBuilder, Hdf5Builder, WriteOptions};

    fn values(n: u64, seed: f32) -> Vec<f32> {
        (0..n).map(|i| seed + i as f32 * 0.25).collect()
    }

    /// Streams `datasets` (values from [`values`]) in pieces of `piece` values.
    fn stream(dir: &Path, datasets: &[StreamDataset], piece: usize) -> Vec<u8> {
        let path = dir.join("s.h5");
        let mut w = StreamWriter::create(&path, datasets).unwrap();
        let all: Vec<f32> = datasets
            .iter()
            .enumerate()
            .flat_map(|(n, d)| values(d.values(), n as f32))
            .collect();
        for c in all.chunks(piece) {
            w.write(c).unwrap();
        }
        let size = w.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(size, bytes.len() as u64);
        bytes
    }

    fn reference(datasets: &[StreamDataset]) -> Vec<u8> {
        let mut b = Hdf5Builder::new();
        for (n, d) in datasets.iter().enumerate() {
            let v = values(d.values(), n as f32);
            b = b.dataset(
                DatasetBuilder::typed_with_order::<f32>(
                    &d.path,
                    d.shape.clone(),
                    ByteOrder::LittleEndian,
                )
                .data(&v)
                .unwrap(),
            );
        }
        b.into_plan()
            .unwrap()
            .encode(WriteOptions::default())
            .unwrap()
    }

    fn enzo_like() -> Vec<StreamDataset> {
        vec![
            StreamDataset::new("Grid00000002/Density", [3, 5, 7]),
            StreamDataset::new("Grid00000001/Density", [4, 4, 4]),
            StreamDataset::new("Grid00000001/Temperature", [4, 4, 4]),
            StreamDataset::new("Grid00000002/Temperature", [3, 5, 7]),
            StreamDataset::new("top", [5]),
            StreamDataset::new("Grid00000003/Density", [1, 1, 1]),
        ]
    }

    #[test]
    fn same_bytes_as_hdf5_writer_whatever_the_pieces() {
        let tmp = tempfile::tempdir().unwrap();
        let ds = enzo_like();
        let want = reference(&ds);
        for piece in [1, 3, 64, 1000] {
            assert!(stream(tmp.path(), &ds, piece) == want, "pieces of {piece}");
        }
        // Many links: the header's size field grows past one byte.
        let many: Vec<StreamDataset> = (0..40)
            .map(|n| StreamDataset::new(format!("G/field_with_a_long_name_{n}"), [2, 3]))
            .collect();
        assert!(stream(tmp.path(), &many, 7) == reference(&many));
    }

    #[test]
    fn hdf5_reader_reads_the_values_back() {
        let tmp = tempfile::tempdir().unwrap();
        let ds = enzo_like();
        stream(tmp.path(), &ds, 10);
        let f = crate::formats::hdf5::H5File::open_plain(&tmp.path().join("s.h5")).unwrap();
        for (n, d) in ds.iter().enumerate() {
            let set = f.dataset_at(&format!("/{}", d.path)).unwrap();
            assert_eq!(set.shape(), &d.shape[..]);
            let mut got = vec![0f32; d.values() as usize];
            set.read_into(&mut got).unwrap();
            assert_eq!(got, values(d.values(), n as f32), "{}", d.path);
        }
    }

    #[test]
    fn wrong_amounts_and_paths_are_errors_naming_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("x.h5");
        let ds = [StreamDataset::new("G/a", [2, 2])];
        let mut w = StreamWriter::create(&path, &ds).unwrap();
        w.write(&[1.0; 3]).unwrap();
        let e = w.finish().unwrap_err().to_string();
        assert!(e.contains("x.h5") && e.contains("missing 1 values"), "{e}");
        let mut w = StreamWriter::create(&path, &ds).unwrap();
        let e = w.write(&[1.0; 5]).unwrap_err().to_string();
        assert!(e.contains("1 values beyond the last dataset"), "{e}");
        for bad in ["a/b/c", "/a", "a/", ""] {
            let e = StreamWriter::create(&path, &[StreamDataset::new(bad, [1])])
                .err()
                .unwrap()
                .to_string();
            assert!(e.contains("x.h5") && e.contains("expected 'Name'"), "{e}");
        }
        let twice = [StreamDataset::new("a", [1]), StreamDataset::new("a", [2])];
        let e = StreamWriter::create(&path, &twice).err().unwrap();
        assert!(e.to_string().contains("given twice"), "{e}");
    }
}
