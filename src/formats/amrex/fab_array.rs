//! A level's FabArray header, `Level_N/Cell_H` (AMReX's `VisMF::Header`):
//!
//! ```text
//! 1                                   version (1; 2-4: FABs without their own headers)
//! 0                                   how it was written
//! 2                                   components
//! 0                                   ghost cells (or an IntVect (1,1,0))
//! (2 0                                the BoxArray: count, then one box per line
//! ((0,0,0) (7,15,15) (0,0,0))
//! ((8,0,0) (15,15,15) (0,0,0))
//! )
//! 2                                   where each FAB is: file (beside Cell_H), byte offset
//! FabOnDisk: Cell_D_00000 0
//! FabOnDisk: Cell_D_00000 16494
//! ```
//!
//! then per-FAB minima and maxima (not read), and for versions 2-4 the real descriptor of the
//! data on the last line (version 1 FABs carry it in their own header line).

use super::fab::RealFormat;
use super::text::{clip, parse_box, parse_intvect, IndexBox, Lines};
use crate::error::{Error, Result};
use std::path::Path;

/// Where one FAB lies: its file (relative to the `Cell_H` directory) and byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FabOnDisk {
    pub file: String,
    pub offset: u64,
}

/// A parsed `Cell_H`.
#[derive(Clone, Debug, PartialEq)]
pub struct FabArrayHeader {
    pub version: i64,
    pub ncomp: usize,
    /// Ghost cells per axis stored around each box (zeros past the dimension).
    pub ngrow: [i64; 3],
    /// The valid boxes, one per FAB.
    pub boxes: Vec<IndexBox>,
    pub fabs: Vec<FabOnDisk>,
    /// Versions 2-4: the format of every FAB's data (which then has no header line).
    pub real: Option<RealFormat>,
}

/// Parses the FabArray header `text` of `path` for a plotfile of dimension `dim`.
pub fn parse_fab_array(path: &Path, text: &str, dim: usize) -> Result<FabArrayHeader> {
    let mut l = Lines::new(path, text);
    let version: i64 = l.value("the FabArray header version")?;
    if !(1..=4).contains(&version) {
        return Err(l.error(format!(
            "FabArray header version {version}; expected 1 to 4"
        )));
    }
    let _how: i64 = l.value("how the FABs were written")?;
    let ncomp: usize = l.value("the number of components")?;
    let ngrow = parse_ngrow(&mut l, dim)?;
    let boxes = parse_box_array(&mut l, dim)?;
    let count: usize = {
        let line = l.next_nonblank("the number of FabOnDisk lines")?;
        line.parse().map_err(|_| {
            l.error(format!(
                "expected the number of FabOnDisk lines, found '{}'",
                clip(line)
            ))
        })?
    };
    if count != boxes.len() {
        return Err(l.error(format!(
            "{count} FabOnDisk lines announced for {} boxes",
            boxes.len()
        )));
    }
    let fabs = (0..count)
        .map(|n| parse_fab_on_disk(&mut l, n))
        .collect::<Result<Vec<_>>>()?;
    let real = if version >= 2 {
        let last = text
            .lines()
            .rev()
            .find(|s| !s.trim().is_empty())
            .unwrap_or("");
        let (real, rest) = RealFormat::parse(last.trim()).map_err(|e| {
            Error::format(
                path,
                format!(
                    "version {version}: the last line should be the data's real descriptor: {e}"
                ),
            )
        })?;
        if !rest.trim().is_empty() {
            return Err(Error::format(
                path,
                format!("unexpected text '{}' after the real descriptor", clip(rest)),
            ));
        }
        Some(real)
    } else {
        None
    };
    Ok(FabArrayHeader {
        version,
        ncomp,
        ngrow,
        boxes,
        fabs,
        real,
    })
}

/// The ghost width: one integer for every axis, or an IntVect.
fn parse_ngrow(l: &mut Lines, dim: usize) -> Result<[i64; 3]> {
    let line = l.next("the ghost width")?;
    let g = match line.parse::<i64>() {
        Ok(n) => {
            let mut g = [0; 3];
            g[..dim].fill(n);
            Some(g)
        }
        Err(_) => parse_intvect(line, dim),
    };
    match g {
        Some(g) if g.iter().all(|&n| (0..=64).contains(&n)) => Ok(g),
        _ => Err(l.error(format!(
            "expected the ghost width (0 to 64, or a vector such as (1,1,1)), found '{}'",
            clip(line)
        ))),
    }
}

/// `(N hash`, N boxes one per line, `)`.
fn parse_box_array(l: &mut Lines, dim: usize) -> Result<Vec<IndexBox>> {
    let line = l.next("the BoxArray's '(count 0' line")?;
    let count = line
        .strip_prefix('(')
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse::<usize>().ok())
        .ok_or_else(|| {
            l.error(format!(
                "expected the BoxArray's '(count 0' line, found '{}'",
                clip(line)
            ))
        })?;
    if count == 0 || count > 10_000_000 {
        return Err(l.error(format!("{count} boxes; expected 1 to 10000000")));
    }
    let mut boxes = Vec::with_capacity(count.min(1 << 16));
    for n in 0..count {
        let line = l.next(&format!("box {n} of {count}"))?;
        let b = parse_box(line, dim)
            .filter(IndexBox::is_sane)
            .ok_or_else(|| {
                l.error(format!(
                    "expected box {n} of {count} (a {dim}-D box such as {}), found '{}'",
                    if dim == 2 {
                        "((0,0) (15,15) (0,0))"
                    } else {
                        "((0,0,0) (15,15,15) (0,0,0))"
                    },
                    clip(line)
                ))
            })?;
        boxes.push(b);
    }
    let close = l.next("the ')' closing the BoxArray")?;
    if close != ")" {
        return Err(l.error(format!(
            "expected the ')' closing the BoxArray of {count} boxes, found '{}'",
            clip(close)
        )));
    }
    Ok(boxes)
}

/// `FabOnDisk: FILE OFFSET`.
fn parse_fab_on_disk(l: &mut Lines, n: usize) -> Result<FabOnDisk> {
    let line = l.next(&format!("FabOnDisk line {n}"))?;
    match line.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["FabOnDisk:", file, offset] => match offset.parse::<u64>() {
            Ok(offset) => Ok(FabOnDisk {
                file: file.to_string(),
                offset,
            }),
            Err(_) => Err(l.error(format!(
                "FabOnDisk line {n}: the offset '{}' is not a byte offset",
                clip(offset)
            ))),
        },
        _ => Err(l.error(format!(
            "expected 'FabOnDisk: FILE OFFSET' for FAB {n}, found '{}'",
            clip(line)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CELL_H: &str = "1\n0\n2\n0\n(2 0\n((0,0,0) (7,15,15) (0,0,0))\n\
        ((8,0,0) (15,15,15) (0,0,0))\n)\n2\nFabOnDisk: Cell_D_00000 0\n\
        FabOnDisk: Cell_D_00001 16494\n\n2,2\n1.0e+00,2.0e+00,\n1.0e+00,2.0e+00,\n\n\
        2,2\n3.0e+00,4.0e+00,\n3.0e+00,4.0e+00,\n\n";

    #[test]
    fn a_cell_header_parses() {
        let h = parse_fab_array(Path::new("Cell_H"), CELL_H, 3).unwrap();
        assert_eq!((h.version, h.ncomp, h.ngrow), (1, 2, [0; 3]));
        assert_eq!(h.boxes[1].lo, [8, 0, 0]);
        assert_eq!(h.fabs[1].file, "Cell_D_00001");
        assert_eq!(h.fabs[1].offset, 16494);
        assert_eq!(h.real, None);
        let v2 = "2\n0\n1\n(1,1)\n(1 0\n((0,0) (3,3) (0,0))\n)\n1\nFabOnDisk: Cell_D_00000 0\n\n\
            ((8, (64 11 52 0 1 12 0 1023)),(8, (1 2 3 4 5 6 7 8)))\n";
        let h = parse_fab_array(Path::new("Cell_H"), v2, 2).unwrap();
        assert_eq!(h.ngrow, [1, 1, 0]);
        let real = h.real.unwrap();
        assert_eq!((real.bytes, real.little_endian), (8, false));
    }

    #[test]
    fn damaged_cell_headers_say_what_is_wrong() {
        let cases = [
            ("(2 0", "(3 0", "line 8: expected box 2 of 3"),
            (
                "\n2\nFab",
                "\n3\nFab",
                "line 9: 3 FabOnDisk lines announced for 2 boxes",
            ),
            (
                "Cell_D_00001 16494",
                "Cell_D_00001 x",
                "the offset 'x' is not a byte offset",
            ),
            (
                "(7,15,15)",
                "(7,15)",
                "line 6: expected box 0 of 2 (a 3-D box",
            ),
            ("\n0\n(2", "\n-1\n(2", "line 4: expected the ghost width"),
        ];
        for (from, to, want) in cases {
            assert!(CELL_H.contains(from), "{from}");
            let text = CELL_H.replacen(from, to, 1);
            let e = parse_fab_array(Path::new("Level_0/Cell_H"), &text, 3)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("Level_0/Cell_H: ") && e.contains(want), "{e}");
        }
    }
}
