//! FAB data in the `Cell_D_*` files: a FAB is one grid's values, all components, stored from
//! the byte offset its `Cell_H` line gives. A version-1 FAB starts with one ASCII line
//!
//! ```text
//! FAB ((8, (64 11 52 0 1 12 0 1023)),(8, (8 7 6 5 4 3 2 1)))((0,0,0) (7,15,15) (0,0,0)) 2
//! ```
//!
//! (the real descriptor: the number format, IEEE double here, and the byte order, here least
//! significant byte first; the box, ghost cells included; the number of components), then the
//! values in Fortran order (x fastest), one component after the other. [`read_component`]
//! seeks to one component of one FAB and reads only it.

use super::text::{clip, parse_box, IndexBox};
use crate::error::{Error, Result};
use crate::formats::legacy_hdf5::decode_floats;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// IEEE 754 formats as AMReX's `RealDescriptor` lists them.
const IEEE_DOUBLE: [i64; 8] = [64, 11, 52, 0, 1, 12, 0, 1023];
const IEEE_FLOAT: [i64; 8] = [32, 8, 23, 0, 1, 9, 0, 127];
/// The longest FAB header line read (a 3-D box with large indices and 100000 components fits).
const MAX_HEADER: u64 = 1024;

/// The binary format of the values: IEEE float or double, either byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RealFormat {
    /// 4 or 8.
    pub bytes: usize,
    pub little_endian: bool,
}

impl RealFormat {
    /// Parses a real descriptor `((8, (64 11 52 0 1 12 0 1023)),(8, (8 7 6 5 4 3 2 1)))` at
    /// the start of `s`; returns it and the text after it.
    pub fn parse(s: &str) -> std::result::Result<(RealFormat, &str), String> {
        let end = descriptor_end(s).ok_or_else(|| {
            format!(
                "'{}' does not start with a real descriptor such as ((8, (64 11 52 0 1 12 0 1023)),(8, (8 7 6 5 4 3 2 1)))",
                clip(s)
            )
        })?;
        let (desc, rest) = s.split_at(end);
        let nums: Vec<i64> = desc
            .split(|c: char| !c.is_ascii_digit() && c != '-')
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().map_err(|_| format!("'{t}' is not a number")))
            .collect::<std::result::Result<_, _>>()?;
        let bad = || format!("unsupported real descriptor {desc}");
        let (&nf, rest_nums) = nums.split_first().ok_or_else(bad)?;
        if nf != 8 || rest_nums.len() < 9 {
            return Err(bad());
        }
        let (format, order) = rest_nums.split_at(8);
        let bytes = if format == IEEE_DOUBLE {
            8
        } else if format == IEEE_FLOAT {
            4
        } else {
            return Err(format!(
                "{}: the number format is neither IEEE double (64 11 52 0 1 12 0 1023) nor float (32 8 23 0 1 9 0 127)",
                bad()
            ));
        };
        let (&no, order) = order.split_first().ok_or_else(bad)?;
        let ascending: Vec<i64> = (1..=bytes as i64).collect();
        let descending: Vec<i64> = ascending.iter().rev().copied().collect();
        let little_endian = if no != bytes as i64 {
            return Err(format!(
                "{}: {no} bytes ordered for {bytes}-byte reals",
                bad()
            ));
        } else if order == descending.as_slice() {
            true
        } else if order == ascending.as_slice() {
            false
        } else {
            return Err(format!(
                "{}: byte order {order:?} is neither big- nor little-endian",
                bad()
            ));
        };
        Ok((
            RealFormat {
                bytes,
                little_endian,
            },
            rest,
        ))
    }
}

/// The byte index just past the real descriptor `((...),(...))` at the start of `s`.
fn descriptor_end(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// One FAB's header line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FabHeader {
    pub real: RealFormat,
    /// The stored box, ghost cells included.
    pub bx: IndexBox,
    pub ncomp: usize,
    /// Where the values start (just past the line).
    pub data_start: u64,
}

/// Parses a FAB header line (without its newline).
pub fn parse_fab_line(line: &str, dim: usize) -> std::result::Result<FabHeader, String> {
    let rest = line.strip_prefix("FAB ").ok_or_else(|| {
        if line.starts_with("FAB:") {
            "an 8-bit FAB (FAB:), which is not supported".to_string()
        } else {
            format!("expected a FAB header line 'FAB ((...),(...))((lo) (hi) (type)) ncomp', found '{}'", clip(line))
        }
    })?;
    let (real, rest) = RealFormat::parse(rest)?;
    let rest = rest.trim();
    let box_end = descriptor_end(rest)
        .ok_or_else(|| format!("no box after the real descriptor in '{}'", clip(line)))?;
    let (bx_text, ncomp_text) = rest.split_at(box_end);
    let bx = parse_box(bx_text, dim)
        .filter(IndexBox::is_sane)
        .ok_or_else(|| format!("the box '{}' is not a {dim}-D box", clip(bx_text)))?;
    let ncomp = ncomp_text.trim().parse::<usize>().map_err(|_| {
        format!(
            "the component count '{}' is not a number",
            clip(ncomp_text.trim())
        )
    })?;
    Ok(FabHeader {
        real,
        bx,
        ncomp,
        data_start: 0,
    })
}

/// Reads the header line of the FAB at `offset` of `file` (called `path`).
pub fn read_fab_header(file: &mut File, path: &Path, offset: u64, dim: usize) -> Result<FabHeader> {
    file.seek(SeekFrom::Start(offset))
        .map_err(|e| Error::io(path, e))?;
    let mut line = Vec::new();
    BufReader::new(&mut *file)
        .take(MAX_HEADER)
        .read_until(b'\n', &mut line)
        .map_err(|e| Error::io(path, e))?;
    if line.last() != Some(&b'\n') {
        let what = if line.is_empty() {
            "the file ends before it".to_string()
        } else {
            format!(
                "no complete header line ('{}')",
                clip(&String::from_utf8_lossy(&line))
            )
        };
        return Err(Error::format(path, format!("FAB at byte {offset}: {what}")));
    }
    let text = String::from_utf8_lossy(&line[..line.len() - 1]);
    let mut h = parse_fab_line(text.trim_end_matches('\r'), dim)
        .map_err(|e| Error::format(path, format!("FAB at byte {offset}: {e}")))?;
    h.data_start = offset + line.len() as u64;
    Ok(h)
}

/// Reads `count` values of format `real` from byte `start` of `file` (called `path`);
/// `what` names them for errors (a truncated file says where it ends).
pub fn read_values(
    file: &mut File,
    path: &Path,
    start: u64,
    count: usize,
    real: RealFormat,
    what: &str,
) -> Result<Vec<f32>> {
    let len = (count as u64).saturating_mul(real.bytes as u64);
    let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if start.checked_add(len).is_none_or(|end| end > size) {
        return Err(Error::format(
            path,
            format!(
                "{what}: the file is truncated: its {count} values need bytes {start}..{}, but the file has {size} bytes",
                start.saturating_add(len)
            ),
        ));
    }
    file.seek(SeekFrom::Start(start))
        .map_err(|e| Error::io(path, e))?;
    let mut raw = vec![0u8; len as usize];
    file.read_exact(&mut raw)
        .map_err(|e| Error::format(path, format!("{what}: {e}")))?;
    Ok(decode_floats(&raw, real.bytes == 8, !real.little_endian))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_of_floats_and_doubles_in_both_orders() {
        let cases = [
            (
                "((8, (64 11 52 0 1 12 0 1023)),(8, (8 7 6 5 4 3 2 1)))",
                8,
                true,
            ),
            (
                "((8, (64 11 52 0 1 12 0 1023)),(8, (1 2 3 4 5 6 7 8)))",
                8,
                false,
            ),
            ("((8, (32 8 23 0 1 9 0 127)),(4, (4 3 2 1)))", 4, true),
            ("((8, (32 8 23 0 1 9 0 127)),(4, (1 2 3 4)))", 4, false),
        ];
        for (d, bytes, le) in cases {
            let line = format!("{d}((0,0) (1,1) (0,0)) 1");
            let (r, rest) = RealFormat::parse(&line).unwrap();
            assert_eq!((r.bytes, r.little_endian), (bytes, le), "{d}");
            assert_eq!(rest, "((0,0) (1,1) (0,0)) 1");
        }
        let e = RealFormat::parse("((8, (64 11 52 0 1 12 0 1023)),(8, (2 1 4 3 6 5 8 7)))")
            .unwrap_err();
        assert!(e.contains("neither big- nor little-endian"), "{e}");
        let e = RealFormat::parse("((8, (64 11 52 0 1 12 0 1023)),(4, (4 3 2 1)))").unwrap_err();
        assert!(e.contains("4 bytes ordered for 8-byte reals"), "{e}");
    }

    #[test]
    fn fab_lines() {
        let h = parse_fab_line(
            "FAB ((8, (64 11 52 0 1 12 0 1023)),(8, (8 7 6 5 4 3 2 1)))((0,0,0) (7,15,15) (0,0,0)) 2",
            3,
        )
        .unwrap();
        assert_eq!((h.bx.dims(), h.ncomp), ([8, 16, 16], 2));
        let e = parse_fab_line(
            "FAB ((8, (32 8 23 0 1 9 0 127)),(4, (4 3 2 1)))((0,0) (7,15) (0,0)) x",
            2,
        )
        .unwrap_err();
        assert!(e.contains("component count 'x'"), "{e}");
        assert!(parse_fab_line("FAB: 1 0 x", 3)
            .unwrap_err()
            .contains("8-bit"));
    }
}
