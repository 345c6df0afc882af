//! A small reader for HDF5 files in the original format (superblock version 0 or 1: symbol-table
//! groups, version-1 object headers, contiguous or compact data), which is what Enzo runs with
//! HDF5 1.4-1.8 wrote. `hdf5-reader` 0.12.1 misreads the version-2 data-layout message of such
//! files (it skips 3 reserved bytes instead of 5, so the data address is wrong and its size
//! computation overflows), so those files are read here. Every read is bounds-checked against
//! the file length; nothing from the file sizes an allocation without a check.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

/// `Unsupported`: a feature of newer files; the caller may try `hdf5-reader` instead.
#[derive(Debug)]
pub enum LegacyError {
    Unsupported(String),
    Bad(String),
}

impl std::fmt::Display for LegacyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LegacyError::Unsupported(s) => write!(f, "unsupported HDF5 feature: {s}"),
            LegacyError::Bad(s) => f.write_str(s),
        }
    }
}

pub type LResult<T> = std::result::Result<T, LegacyError>;

fn bad<T>(s: impl Into<String>) -> LResult<T> {
    Err(LegacyError::Bad(s.into()))
}

/// Metadata read from object headers is capped at this many bytes per read.
const MAX_META: u64 = 64 << 20;

#[derive(Clone, Debug, PartialEq)]
pub enum Dtype {
    Float { size: usize, big_endian: bool },
    Other(String),
}

#[derive(Clone, Debug)]
enum Layout {
    Contiguous { addr: u64, size: Option<u64> },
    Compact(Vec<u8>),
    Other(String),
}

#[derive(Clone, Debug)]
pub struct DatasetMeta {
    pub shape: Vec<u64>,
    pub dtype: Dtype,
    layout: Layout,
}

pub struct LegacyFile {
    file: File,
    len: u64,
    base: u64,
    osz: usize,
    lsz: usize,
    root: u64,
    /// Members of the groups already read (by header address), so that looking up every
    /// grid's dataset does not walk the root group's B-tree again each time.
    groups: HashMap<u64, HashMap<String, u64>>,
}

fn uint(b: &[u8], pos: usize, n: usize) -> LResult<u64> {
    let s = b
        .get(pos..pos.saturating_add(n))
        .ok_or_else(|| LegacyError::Bad("structure runs past its block".into()))?;
    Ok(s.iter().rev().fold(0u64, |acc, &x| (acc << 8) | x as u64))
}

fn undefined(addr: u64, osz: usize) -> bool {
    addr == if osz >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * osz)) - 1
    }
}

impl LegacyFile {
    /// Opens `file` if its superblock (at 0, 512, 1024, ...) is version 0 or 1;
    /// `Ok(None)` for a newer HDF5 file.
    pub fn open(mut file: File) -> LResult<Option<Self>> {
        let len = file
            .metadata()
            .map_err(|e| LegacyError::Bad(e.to_string()))?
            .len();
        let mut at = 0u64;
        let sig = loop {
            if at + 8 > len {
                return bad("not an HDF5 file (no HDF5 signature)");
            }
            let mut s = [0u8; 8];
            file.seek(SeekFrom::Start(at))
                .and_then(|_| file.read_exact(&mut s))
                .map_err(|e| LegacyError::Bad(e.to_string()))?;
            if &s == b"\x89HDF\r\n\x1a\n" {
                break at;
            }
            at = if at == 0 { 512 } else { at * 2 };
        };
        let mut sb = vec![0u8; (len - sig).min(256) as usize];
        file.seek(SeekFrom::Start(sig))
            .and_then(|_| file.read_exact(&mut sb))
            .map_err(|e| LegacyError::Bad(e.to_string()))?;
        let version = *sb
            .get(8)
            .ok_or_else(|| LegacyError::Bad("truncated superblock".into()))?;
        if version > 1 {
            return Ok(None);
        }
        let osz = uint(&sb, 13, 1)? as usize;
        let lsz = uint(&sb, 14, 1)? as usize;
        if ![2, 4, 8].contains(&osz) || ![2, 4, 8].contains(&lsz) {
            return bad(format!(
                "bad superblock (offset size {osz}, length size {lsz})"
            ));
        }
        let mut p = if version == 0 { 24 } else { 28 };
        let base = uint(&sb, p, osz)?;
        let eof = uint(&sb, p + 2 * osz, osz)?;
        p += 4 * osz; // base, free space, end of file, driver info
        let root = uint(&sb, p + osz, osz)?; // root symbol table entry: name offset, header
        let base = if base == 0 { sig } else { base };
        if !undefined(eof, osz) && base.saturating_add(eof) > len {
            return bad(format!(
                "truncated file: the superblock says {} bytes but the file has {len}",
                base.saturating_add(eof)
            ));
        }
        Ok(Some(LegacyFile {
            file,
            len,
            base,
            osz,
            lsz,
            root,
            groups: HashMap::new(),
        }))
    }

    fn read_at(&mut self, addr: u64, n: u64) -> LResult<Vec<u8>> {
        let start = self.base.checked_add(addr);
        let end = start.and_then(|s| s.checked_add(n));
        match (start, end) {
            (Some(s), Some(e)) if e <= self.len => {
                let mut buf = vec![0u8; n as usize];
                self.file
                    .seek(SeekFrom::Start(s))
                    .and_then(|_| self.file.read_exact(&mut buf))
                    .map_err(|err| match err.kind() {
                        // Cut short since it was opened.
                        std::io::ErrorKind::UnexpectedEof => LegacyError::Bad(format!(
                            "truncated file: it ends before byte {e} (it had {} bytes when opened)",
                            self.len
                        )),
                        _ => LegacyError::Bad(err.to_string()),
                    })?;
                Ok(buf)
            }
            _ => bad(format!(
                "truncated or corrupt: needs {n} bytes at offset {addr} but the file has {} bytes",
                self.len
            )),
        }
    }

    /// The messages of the version-1 object header at `addr`: (type, data).
    fn messages(&mut self, addr: u64) -> LResult<Vec<(u16, Vec<u8>)>> {
        let h = self.read_at(addr, 16)?;
        if &h[0..4] == b"OHDR" {
            return Err(LegacyError::Unsupported("version-2 object header".into()));
        }
        if h[0] != 1 {
            return bad(format!(
                "bad object header at offset {addr} (version {})",
                h[0]
            ));
        }
        let size = uint(&h, 8, 4)?;
        let mut blocks = vec![(addr + 16, size)];
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut total = 0u64;
        while let Some((a, s)) = blocks.pop() {
            total = total.saturating_add(s);
            if !seen.insert(a) || total > MAX_META || seen.len() > 4096 {
                return bad(format!(
                    "object header at offset {addr} is corrupt (loops or is too large)"
                ));
            }
            let buf = self.read_at(a, s)?;
            let mut p = 0usize;
            while p + 8 <= buf.len() {
                let ty = uint(&buf, p, 2)? as u16;
                let sz = uint(&buf, p + 2, 2)? as usize;
                let flags = buf[p + 4];
                let data = buf
                    .get(p + 8..p + 8 + sz)
                    .ok_or_else(|| {
                        LegacyError::Bad(format!(
                            "object header at offset {addr}: message runs past its block"
                        ))
                    })?
                    .to_vec();
                if ty == 0x10 {
                    let ca = uint(&data, 0, self.osz)?;
                    let cl = uint(&data, self.osz, self.lsz)?;
                    blocks.push((ca, cl));
                } else if flags & 0x02 != 0 && matches!(ty, 1 | 3 | 8) {
                    return Err(LegacyError::Unsupported(
                        "shared object header message".into(),
                    ));
                } else {
                    out.push((ty, data));
                }
                p += 8 + sz;
            }
        }
        Ok(out)
    }

    /// Name -> object header address of the members of the group whose header is `addr`.
    fn members(&mut self, addr: u64) -> LResult<Vec<(String, u64)>> {
        let msgs = self.messages(addr)?;
        let Some((_, st)) = msgs.iter().find(|(t, _)| *t == 0x11) else {
            if msgs.iter().any(|(t, _)| *t == 0x06 || *t == 0x02) {
                return Err(LegacyError::Unsupported("link-message group".into()));
            }
            return bad(format!("object at offset {addr} is not a group"));
        };
        let (osz, lsz) = (self.osz, self.lsz);
        let btree = uint(st, 0, osz)?;
        let heap = uint(st, osz, osz)?;
        let hh = self.read_at(heap, (8 + 2 * lsz + osz) as u64)?;
        if &hh[0..4] != b"HEAP" {
            return bad(format!("bad local heap at offset {heap}"));
        }
        let data_size = uint(&hh, 8, lsz)?;
        let data_addr = uint(&hh, 8 + 2 * lsz, osz)?;
        if data_size > MAX_META {
            return bad(format!("local heap at offset {heap} is too large"));
        }
        let names = self.read_at(data_addr, data_size)?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        self.walk_btree(btree, 0, &names, &mut seen, &mut out)?;
        Ok(out)
    }

    fn walk_btree(
        &mut self,
        node: u64,
        depth: usize,
        names: &[u8],
        seen: &mut HashSet<u64>,
        out: &mut Vec<(String, u64)>,
    ) -> LResult<()> {
        if depth > 32 || !seen.insert(node) {
            return bad(format!("group B-tree at offset {node} loops"));
        }
        let (osz, lsz) = (self.osz, self.lsz);
        let h = self.read_at(node, (8 + 2 * osz) as u64)?;
        if &h[0..4] == b"SNOD" {
            return self.read_snod(node, names, out);
        }
        if &h[0..4] != b"TREE" || h[4] != 0 {
            return bad(format!("bad group B-tree node at offset {node}"));
        }
        let level = h[5];
        let used = uint(&h, 6, 2)? as usize;
        let body = self.read_at(
            node + (8 + 2 * osz) as u64,
            (used * (lsz + osz) + lsz) as u64,
        )?;
        for i in 0..used {
            let child = uint(&body, lsz + i * (lsz + osz), osz)?;
            if level > 0 {
                self.walk_btree(child, depth + 1, names, seen, out)?;
            } else {
                if !seen.insert(child) {
                    return bad(format!(
                        "symbol table node at offset {child} is listed twice"
                    ));
                }
                self.read_snod(child, names, out)?;
            }
        }
        Ok(())
    }

    fn read_snod(&mut self, node: u64, names: &[u8], out: &mut Vec<(String, u64)>) -> LResult<()> {
        let osz = self.osz;
        let h = self.read_at(node, 8)?;
        if &h[0..4] != b"SNOD" {
            return bad(format!("bad symbol table node at offset {node}"));
        }
        let n = uint(&h, 6, 2)? as usize;
        let entry = 2 * osz + 24;
        let body = self.read_at(node + 8, (n * entry) as u64)?;
        for i in 0..n {
            let off = uint(&body, i * entry, osz)? as usize;
            let hdr = uint(&body, i * entry + osz, osz)?;
            let tail = names.get(off..).ok_or_else(|| {
                LegacyError::Bad(format!("name offset {off} is outside the local heap"))
            })?;
            let end = tail.iter().position(|&c| c == 0).unwrap_or(tail.len());
            out.push((String::from_utf8_lossy(&tail[..end]).into_owned(), hdr));
        }
        Ok(())
    }

    /// The object header address at `/a/b/c`.
    fn lookup(&mut self, path: &str) -> LResult<u64> {
        let mut addr = self.root;
        for part in path.split('/').filter(|s| !s.is_empty()) {
            if !self.groups.contains_key(&addr) {
                let members = self.members(addr)?.into_iter().collect();
                self.groups.insert(addr, members);
            }
            addr = self
                .groups
                .get(&addr)
                .and_then(|m| m.get(part))
                .copied()
                .ok_or_else(|| LegacyError::Bad(format!("'{part}' not found")))?;
        }
        Ok(addr)
    }

    fn dataset_meta(&mut self, addr: u64) -> LResult<Option<DatasetMeta>> {
        let msgs = self.messages(addr)?;
        let (osz, lsz) = (self.osz, self.lsz);
        let (mut shape, mut dtype, mut layout) = (None, None, None);
        for (t, d) in &msgs {
            match t {
                0x01 => shape = Some(dataspace(d, lsz)?),
                0x03 => dtype = Some(datatype(d)?),
                0x08 => layout = Some(data_layout(d, osz, lsz)?),
                _ => {}
            }
        }
        match (shape, dtype, layout) {
            (Some(shape), Some(dtype), Some(layout)) => Ok(Some(DatasetMeta {
                shape,
                dtype,
                layout,
            })),
            _ => Ok(None),
        }
    }

    /// The datasets of group `group`: name and metadata.
    pub fn datasets(&mut self, group: &str) -> LResult<Vec<(String, DatasetMeta)>> {
        let addr = self.lookup(group)?;
        let mut out = Vec::new();
        for (name, a) in self.members(addr)? {
            if let Some(m) = self.dataset_meta(a)? {
                out.push((name, m));
            }
        }
        Ok(out)
    }

    pub fn dataset(&mut self, path: &str) -> LResult<DatasetMeta> {
        let addr = self.lookup(path)?;
        self.dataset_meta(addr)?
            .ok_or_else(|| LegacyError::Bad("not a dataset".into()))
    }

    /// The values of a dataset of 32- or 64-bit floats (either byte order), whose shape the
    /// caller has checked, as f32.
    pub fn read_f32(&mut self, meta: &DatasetMeta) -> LResult<Vec<f32>> {
        let (size, big_endian) = match &meta.dtype {
            Dtype::Float { size, big_endian } => (*size, *big_endian),
            Dtype::Other(s) => {
                return bad(format!(
                    "unsupported element type ({s}; expected 32- or 64-bit floats)"
                ))
            }
        };
        if size != 4 && size != 8 {
            return bad(format!("unsupported {size}-byte floats"));
        }
        let bytes = self.read_bytes(meta)?;
        Ok(decode_floats(&bytes, size == 8, big_endian))
    }

    /// The raw bytes of a dataset whose shape the caller has checked.
    pub fn read_bytes(&mut self, meta: &DatasetMeta) -> LResult<Vec<u8>> {
        let Dtype::Float { size, .. } = &meta.dtype else {
            return bad("not a floating-point dataset");
        };
        let n = meta
            .shape
            .iter()
            .try_fold(*size as u64, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| LegacyError::Bad("dataset size overflows".into()))?;
        match &meta.layout {
            Layout::Compact(b) => {
                if (b.len() as u64) < n {
                    return bad("compact data is shorter than the dataset");
                }
                Ok(b[..n as usize].to_vec())
            }
            Layout::Contiguous { addr, size } => {
                if undefined(*addr, self.osz) {
                    return bad("the dataset has no data written");
                }
                if size.is_some_and(|s| s < n) {
                    return bad("stored size is smaller than the dataset");
                }
                self.read_at(*addr, n)
            }
            Layout::Other(s) => Err(LegacyError::Unsupported(s.clone())),
        }
    }
}

/// The dimensions in a dataspace message (type 0x01).
fn dataspace(d: &[u8], lsz: usize) -> LResult<Vec<u64>> {
    let v = uint(d, 0, 1)?;
    let nd = uint(d, 1, 1)? as usize;
    let start = match v {
        1 => 8,
        2 => 4,
        _ => return Err(LegacyError::Unsupported(format!("dataspace version {v}"))),
    };
    if nd > 32 {
        return bad(format!("dataspace of rank {nd}"));
    }
    (0..nd)
        .map(|i| uint(d, start + i * lsz, lsz))
        .collect::<LResult<Vec<u64>>>()
}

/// The element type in a datatype message (type 0x03).
fn datatype(d: &[u8]) -> LResult<Dtype> {
    let class = uint(d, 0, 1)? & 0x0f;
    let bits = uint(d, 1, 1)?;
    let size = uint(d, 4, 4)? as usize;
    Ok(if class == 1 && bits & 0x40 == 0 {
        Dtype::Float {
            size,
            big_endian: bits & 1 == 1,
        }
    } else {
        Dtype::Other(format!("HDF5 datatype class {class}, {size} bytes"))
    })
}

/// Compact data: `n` bytes at `at` of a layout message.
fn compact(d: &[u8], at: usize, n: usize) -> LResult<Layout> {
    let bytes = d
        .get(at..at.saturating_add(n))
        .ok_or_else(|| LegacyError::Bad("compact data runs past its message".into()))?;
    Ok(Layout::Compact(bytes.to_vec()))
}

/// Where the data lie, from a data-layout message (type 0x08).
fn data_layout(d: &[u8], osz: usize, lsz: usize) -> LResult<Layout> {
    let v = uint(d, 0, 1)?;
    Ok(match v {
        1 | 2 => {
            let nd = uint(d, 1, 1)? as usize;
            let class = uint(d, 2, 1)?;
            let mut p = 8;
            let addr = if class != 0 {
                p += osz;
                uint(d, 8, osz)?
            } else {
                0
            };
            p += 4 * nd;
            match class {
                0 => {
                    let n = uint(d, p, 4)? as usize;
                    compact(d, p + 4, n)?
                }
                1 => Layout::Contiguous { addr, size: None },
                c => Layout::Other(format!("layout class {c}")),
            }
        }
        3 => match uint(d, 1, 1)? {
            0 => {
                let n = uint(d, 2, 2)? as usize;
                compact(d, 4, n)?
            }
            1 => Layout::Contiguous {
                addr: uint(d, 2, osz)?,
                size: Some(uint(d, 2 + osz, lsz)?),
            },
            c => Layout::Other(format!("layout class {c}")),
        },
        v => Layout::Other(format!("layout version {v}")),
    })
}

/// Decodes 4-byte (or, `wide`, 8-byte) floats of either byte order to f32.
pub(crate) fn decode_floats(bytes: &[u8], wide: bool, big_endian: bool) -> Vec<f32> {
    if wide {
        return bytes
            .chunks_exact(8)
            .map(|c| {
                let a = [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]];
                (if big_endian {
                    f64::from_be_bytes(a)
                } else {
                    f64::from_le_bytes(a)
                }) as f32
            })
            .collect();
    }
    bytes
        .chunks_exact(4)
        .map(|c| {
            let a = [c[0], c[1], c[2], c[3]];
            if big_endian {
                f32::from_be_bytes(a)
            } else {
                f32::from_le_bytes(a)
            }
        })
        .collect()
}
