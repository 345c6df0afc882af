//! The text pieces of AMReX's headers: a line reader whose errors name the file and the line
//! ([`Lines`]), index boxes `((lo) (hi) (type))` ([`IndexBox`], [`parse_boxes`]) and integer
//! vectors `(i,j,k)`.

use crate::error::{Error, Result};
use std::fmt::Display;
use std::path::Path;
use std::str::FromStr;

/// The most cells along one axis of any level's domain (2^31, what AMReX's `int` indices hold).
pub(super) const MAX_INDEX: i64 = 1 << 31;

/// A cell box of one level, `lo..=hi` per axis, padded to 3-D with zeros (so a 2-D box is one
/// cell along z); `kind` is AMReX's index type per axis (0 cell-centred, 1 nodal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexBox {
    pub lo: [i64; 3],
    pub hi: [i64; 3],
    pub kind: [i64; 3],
}

impl IndexBox {
    /// Cells along each axis.
    pub fn dims(&self) -> [usize; 3] {
        [0, 1, 2].map(|a| (self.hi[a] - self.lo[a] + 1).max(0) as usize)
    }

    /// Cells in the box (saturating: a damaged header's absurd box never overflows).
    pub fn cells(&self) -> u64 {
        self.dims()
            .iter()
            .fold(1u64, |n, &d| n.saturating_mul(d as u64))
    }

    /// The box grown by `g` cells on each side of the first `dim` axes.
    pub fn grow(&self, g: [i64; 3], dim: usize) -> IndexBox {
        let mut b = *self;
        for (a, g) in g.iter().enumerate().take(dim) {
            b.lo[a] -= g;
            b.hi[a] += g;
        }
        b
    }

    /// `lo <= hi` on every axis and indices AMReX can hold.
    pub fn is_sane(&self) -> bool {
        (0..3).all(|a| {
            let inside = |v: i64| -MAX_INDEX < v && v < MAX_INDEX;
            self.lo[a] <= self.hi[a] && inside(self.lo[a]) && inside(self.hi[a])
        })
    }

    /// Written the way AMReX writes boxes: `((0,0,0) (15,15,15) (0,0,0))` (`dim` axes).
    pub fn text(&self, dim: usize) -> String {
        let v = |x: &[i64; 3]| {
            let s: Vec<String> = x[..dim].iter().map(|n| n.to_string()).collect();
            format!("({})", s.join(","))
        };
        format!("({} {} {})", v(&self.lo), v(&self.hi), v(&self.kind))
    }
}

/// An integer vector `(i,j,k)` of `dim` entries, padded with zeros.
pub(super) fn parse_intvect(s: &str, dim: usize) -> Option<[i64; 3]> {
    let inner = s.trim().strip_prefix('(')?.strip_suffix(')')?;
    let v: Vec<i64> = inner
        .split(',')
        .map(|t| t.trim().parse().ok())
        .collect::<Option<_>>()?;
    if v.len() != dim {
        return None;
    }
    let mut out = [0; 3];
    out[..dim].copy_from_slice(&v);
    Some(out)
}

/// The top-level parenthesised groups of `s`, in order (`None` when parentheses do not
/// balance or text lies between groups).
pub(super) fn groups(s: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    out.push(&s[start..=i]);
                }
            }
            c if depth == 0 && !c.is_whitespace() => return None,
            _ => {}
        }
    }
    (depth == 0).then_some(out)
}

/// One box `((lo) (hi) (type))` of `dim` axes.
pub(super) fn parse_box(s: &str, dim: usize) -> Option<IndexBox> {
    let inner = s.trim().strip_prefix('(')?.strip_suffix(')')?;
    match groups(inner)?.as_slice() {
        [lo, hi, kind] => Some(IndexBox {
            lo: parse_intvect(lo, dim)?,
            hi: parse_intvect(hi, dim)?,
            kind: parse_intvect(kind, dim)?,
        }),
        _ => None,
    }
}

/// Every box on a line such as the plotfile header's per-level domains.
pub(super) fn parse_boxes(s: &str, dim: usize) -> Option<Vec<IndexBox>> {
    groups(s)?.into_iter().map(|g| parse_box(g, dim)).collect()
}

/// A real number as C++ or Fortran writes it (`1.5e-3`, `1.5d-3`, `nan`).
pub(super) fn parse_real(s: &str) -> Option<f64> {
    s.parse()
        .ok()
        .or_else(|| s.replace(['d', 'D'], "e").parse().ok())
}

/// A text file read line by line.
pub(super) struct Lines<'a> {
    path: &'a Path,
    lines: std::str::Lines<'a>,
    /// 1-based number of the last line returned (0 before the first).
    number: usize,
}

impl<'a> Lines<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Lines {
            path,
            lines: text.lines(),
            number: 0,
        }
    }

    /// An error of the file at the last line read: "FILE: line N: msg".
    pub fn error(&self, msg: impl Display) -> Error {
        Error::format(self.path, format!("line {}: {msg}", self.number))
    }

    /// The next line, trimmed; `what` names what it should hold, for the error at the end of
    /// the file.
    pub fn next(&mut self, what: &str) -> Result<&'a str> {
        match self.lines.next() {
            Some(l) => {
                self.number += 1;
                Ok(l.trim())
            }
            None => Err(Error::format(
                self.path,
                format!(
                    "the file ends after line {} where {what} was expected",
                    self.number
                ),
            )),
        }
    }

    /// The next line that is not blank.
    pub fn next_nonblank(&mut self, what: &str) -> Result<&'a str> {
        loop {
            let l = self.next(what)?;
            if !l.is_empty() {
                return Ok(l);
            }
        }
    }

    /// The next line as exactly one value.
    pub fn value<T: FromStr>(&mut self, what: &str) -> Result<T> {
        let l = self.next(what)?;
        l.parse()
            .map_err(|_| self.error(format!("expected {what}, found '{}'", clip(l))))
    }

    /// The next line as whitespace-separated reals; `count` of them when given.
    pub fn reals(&mut self, what: &str, count: Option<usize>) -> Result<Vec<f64>> {
        let l = self.next(what)?;
        let v: Option<Vec<f64>> = l.split_whitespace().map(parse_real).collect();
        match v {
            Some(v) if count.is_none_or(|n| n == v.len()) => Ok(v),
            _ => Err(self.error(format!(
                "expected {what}{}, found '{}'",
                count.map_or(String::new(), |n| format!(" ({n} numbers)")),
                clip(l)
            ))),
        }
    }

    /// The next line as whitespace-separated integers; `count` of them when given.
    pub fn ints(&mut self, what: &str, count: Option<usize>) -> Result<Vec<i64>> {
        let l = self.next(what)?;
        let v: Option<Vec<i64>> = l.split_whitespace().map(|t| t.parse().ok()).collect();
        match v {
            Some(v) if count.is_none_or(|n| n == v.len()) => Ok(v),
            _ => Err(self.error(format!(
                "expected {what}{}, found '{}'",
                count.map_or(String::new(), |n| format!(" ({n} integers)")),
                clip(l)
            ))),
        }
    }
}

/// `s` cut to 80 characters for messages.
pub(super) fn clip(s: &str) -> String {
    if s.chars().count() <= 80 {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(80).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_parse_in_two_and_three_dimensions() {
        let b = parse_box("((0,-2,4) (15,15,15) (0,0,0))", 3).unwrap();
        assert_eq!(b.lo, [0, -2, 4]);
        assert_eq!(b.dims(), [16, 18, 12]);
        assert_eq!(b.text(3), "((0,-2,4) (15,15,15) (0,0,0))");
        let b = parse_box("((0,0) (31,7) (0,1))", 2).unwrap();
        assert_eq!(
            (b.hi, b.kind, b.dims()),
            ([31, 7, 0], [0, 1, 0], [32, 8, 1])
        );
        let huge = parse_box("((0,0,0) (2000000000,2000000000,2000000000) (0,0,0))", 3);
        assert_eq!(huge.unwrap().cells(), u64::MAX);
        let two = parse_boxes("((0,0) (3,3) (0,0)) ((0,0) (7,7) (0,0)) ", 2).unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!(two[1].hi, [7, 7, 0]);
        for bad in [
            "((0,0,0) (15,15) (0,0,0))",
            "((0,0,0) (15,15,15))",
            "((0,0,0) (1,1,x) (0,0,0))",
            "((0,0,0) (1,1,1) (0,0,0)",
            "x((0,0,0) (1,1,1) (0,0,0))",
        ] {
            assert!(parse_box(bad, 3).is_none(), "{bad}");
        }
    }

    #[test]
    fn reals_accept_fortran_exponents() {
        assert_eq!(parse_real("1.5d-3"), Some(1.5e-3));
        assert_eq!(parse_real("0.10000000000000001"), Some(0.1));
        assert_eq!(parse_real("x"), None);
    }

    #[test]
    fn line_errors_name_the_file_and_line() {
        let p = Path::new("plt/Header");
        let mut l = Lines::new(p, "3\nabc\n");
        assert_eq!(l.value::<usize>("a count").unwrap(), 3);
        let e = l.value::<usize>("the dimension").unwrap_err().to_string();
        assert_eq!(e, "plt/Header: line 2: expected the dimension, found 'abc'");
        let e = l.next("the time").unwrap_err().to_string();
        assert!(
            e.contains("ends after line 2 where the time was expected"),
            "{e}"
        );
    }
}
