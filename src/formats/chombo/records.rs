//! Chombo's compound records, read by member name whatever the record's size or padding
//! (2-D codes write 16 bytes of members in 20- or 28-byte records): boxes
//! `lo_i, lo_j[, lo_k], hi_i, hi_j[, hi_k]` (inclusive cell indices) and IntVects
//! `intvecti, intvectj[, intvectk]` (ghost widths).

use crate::error::Result;
use crate::formats::hdf5::{compound_ints, H5File};
use hdf5_reader::{Attribute, Datatype};

/// A box of cells, inclusive: `[lo_i, lo_j, lo_k, hi_i, hi_j, hi_k]`; a 2-D box has
/// `lo_k == hi_k == 0`.
pub(super) type IBox = [i64; 6];

const BOX_3D: [&str; 6] = ["lo_i", "lo_j", "lo_k", "hi_i", "hi_j", "hi_k"];
const BOX_2D: [&str; 4] = ["lo_i", "lo_j", "hi_i", "hi_j"];
const INTVECT_3D: [&str; 3] = ["intvecti", "intvectj", "intvectk"];
const INTVECT_2D: [&str; 2] = ["intvecti", "intvectj"];

/// The box records of `raw` (records of `dtype`) in a file of `dim` (2 or 3) dimensions.
/// Errors are plain messages; the caller says where.
pub(super) fn boxes(
    dtype: &Datatype,
    raw: &[u8],
    dim: usize,
) -> std::result::Result<Vec<IBox>, String> {
    let boxes = if dim == 2 {
        let v = compound_ints(dtype, raw, &BOX_2D)?;
        v.into_iter()
            .map(|[a, b, c, d]| [a, b, 0, c, d, 0])
            .collect()
    } else {
        compound_ints(dtype, raw, &BOX_3D)?
    };
    // Chombo's indices are ints: larger ones are damage, and would overflow the arithmetic
    // on them.
    match boxes.iter().flatten().find(|v| v.unsigned_abs() >= 1 << 31) {
        Some(v) => Err(format!("a box index {v} is beyond Chombo's 32-bit range")),
        None => Ok(boxes),
    }
}

/// A box attribute (`prob_domain`) of group `where_`: exactly one record.
pub(super) fn box_attr(file: &H5File, a: &Attribute, where_: &str, dim: usize) -> Result<IBox> {
    let v = boxes(&a.datatype, &a.raw_data, dim)
        .map_err(|e| file.error(format!("attribute '{}' on {where_}: {e}", a.name)))?;
    match v.as_slice() {
        [b] => Ok(*b),
        _ => Err(file.error(format!(
            "attribute '{}' on {where_} holds {} boxes, expected 1",
            a.name,
            v.len()
        ))),
    }
}

/// A ghost width (`outputGhost` of group `where_`): an IntVect compound, `dim` integers or
/// one integer for every axis; z is 0 in 2-D.
pub(super) fn ghost_attr(
    file: &H5File,
    a: &Attribute,
    where_: &str,
    dim: usize,
) -> Result<[usize; 3]> {
    let what = || format!("attribute '{}' on {where_}", a.name);
    let v: Vec<i64> = match &a.datatype {
        Datatype::Compound { .. } => {
            let first = |r: std::result::Result<Vec<Vec<i64>>, String>| {
                r.map(|v| v.into_iter().next().unwrap_or_default())
                    .map_err(|e| file.error(format!("{}: {e}", what())))
            };
            if dim == 2 {
                first(compound_ints(&a.datatype, &a.raw_data, &INTVECT_2D).map(to_vecs))?
            } else {
                first(compound_ints(&a.datatype, &a.raw_data, &INTVECT_3D).map(to_vecs))?
            }
        }
        _ => file.attr_i64s(a, where_)?,
    };
    let v: Vec<i64> = match v.as_slice() {
        [g] => vec![*g; dim],
        _ => v,
    };
    if v.len() != dim || !v.iter().all(|g| (0..=64).contains(g)) {
        return Err(file.error(format!(
            "{} is {v:?}, expected {dim} widths in 0..=64",
            what()
        )));
    }
    let mut g = [0usize; 3];
    for (o, &w) in g.iter_mut().zip(&v) {
        *o = w as usize;
    }
    Ok(g)
}

fn to_vecs<const N: usize>(v: Vec<[i64; N]>) -> Vec<Vec<i64>> {
    v.into_iter().map(|r| r.to_vec()).collect()
}
