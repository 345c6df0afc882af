//! What a Chombo file says about itself: the root group's levels, component names and space
//! dimension (`Chombo_global/SpaceDim`, 2 or 3), its coordinate system (PLUTO's `geometry`
//! attribute: only Cartesian files are read), and per level group `level_N` its `dx`,
//! `ref_ratio`, `prob_domain` and `boxes`.

use super::records::{box_attr, boxes, IBox};
use crate::error::{Error, Result};
use crate::formats::hdf5::H5File;
use hdf5_reader::group::Group;
use std::path::Path;

pub(super) const ROOT: &str = "the root group";

/// The root group's description of the file.
pub(super) struct Root {
    pub num_levels: u32,
    /// `component_N`, `num_components` of them.
    pub components: Vec<String>,
    /// `Chombo_global/SpaceDim`: 2 or 3.
    pub dim: usize,
}

/// What one level group says, before any cross-level check.
pub(super) struct Level {
    pub dx: f64,
    /// The ratio to the next level as written (the finest level's is often 1).
    pub ref_ratio: Option<i64>,
    pub domain: IBox,
    pub boxes: Vec<IBox>,
}

/// The root group's `num_levels`, `component_N` names and `Chombo_global/SpaceDim`.
pub(super) fn read_root(file: &H5File, g: &Group, path: &Path) -> Result<Root> {
    let [num_levels] = file.attr_n::<i64, 1>(g, "num_levels", ROOT)?;
    if !(1..=31).contains(&num_levels) {
        return Err(Error::format(
            path,
            format!("num_levels is {num_levels}, expected 1..=31"),
        ));
    }
    let [num_components] = file.attr_n::<i64, 1>(g, "num_components", ROOT)?;
    if !(1..=100_000).contains(&num_components) {
        return Err(Error::format(
            path,
            format!("num_components is {num_components}, expected at least 1"),
        ));
    }
    let mut components = Vec::with_capacity(num_components as usize);
    for c in 0..num_components {
        let name = format!("component_{c}");
        let v = file.attr_strings(&file.attr(g, &name, ROOT)?, ROOT)?;
        components.push(v.into_iter().next().unwrap_or_default());
    }
    let global = file.group(g, "Chombo_global", ROOT)?;
    let [dim] = file.attr_n::<i64, 1>(&global, "SpaceDim", "group 'Chombo_global'")?;
    if !(2..=3).contains(&dim) {
        return Err(Error::format(
            path,
            format!("SpaceDim is {dim}: only 2-D and 3-D Chombo files are supported"),
        ));
    }
    Ok(Root {
        num_levels: num_levels as u32,
        components,
        dim: dim as usize,
    })
}

/// PLUTO's coordinate systems, by the number of its `geometry` attribute.
fn geometry_name(g: i64) -> &'static str {
    match g {
        1 => "Cartesian",
        2 => "cylindrical",
        3 => "polar",
        4 => "spherical",
        _ => "unknown",
    }
}

/// Refuses files whose level groups say they are not Cartesian: PLUTO writes `geometry`
/// (1 Cartesian, 2 cylindrical, 3 polar, 4 spherical) on every level group, and its index
/// space is then (r, phi, ...), not x and y.
pub(super) fn check_cartesian(file: &H5File, g: &Group, path: &Path) -> Result<()> {
    let l0 = file.group(g, "level_0", ROOT)?;
    let Some(a) = file.try_attr(&l0, "geometry", "group 'level_0'")? else {
        return Ok(());
    };
    let geometry = file.attr_i64s(&a, "group 'level_0'")?;
    match geometry.as_slice() {
        [1] => Ok(()),
        [n] => Err(Error::format(
            path,
            format!(
                "{} coordinates (level_0 attribute 'geometry' is {n}, as PLUTO writes them) are not supported: only Cartesian Chombo files can be rendered",
                geometry_name(*n)
            ),
        )),
        v => Err(Error::format(
            path,
            format!("level_0 attribute 'geometry' is {v:?}, expected one number"),
        )),
    }
}

/// Group `level_{l}`: `dx`, `ref_ratio`, `prob_domain` and `boxes` in a file of `dim`
/// dimensions.
pub(super) fn read_level(
    file: &H5File,
    g: &Group,
    path: &Path,
    l: u32,
    dim: usize,
) -> Result<Level> {
    let name = format!("level_{l}");
    let lg = file.group(g, &name, ROOT)?;
    let w = format!("group '{name}'");
    let [dx] = file.attr_n::<f64, 1>(&lg, "dx", &w)?;
    if !(dx.is_finite() && dx > 0.0) {
        return Err(Error::format(
            path,
            format!("{w}: dx is {dx}, expected a positive number"),
        ));
    }
    let ref_ratio = match file.try_attr(&lg, "ref_ratio", &w)? {
        Some(a) => file.attr_i64s(&a, &w)?.first().copied(),
        None => None,
    };
    let domain = box_attr(file, &file.attr(&lg, "prob_domain", &w)?, &w, dim)?;
    let bds = file.dataset(&lg, "boxes", &w)?;
    if bds.ndim() != 1 {
        return Err(Error::format(
            path,
            format!(
                "{w}: dataset 'boxes' has shape {:?}, expected 1-D",
                bds.shape()
            ),
        ));
    }
    file.checked_len(&bds, &format!("{w}: dataset 'boxes'"))?;
    let raw = bds
        .read_raw_bytes()
        .map_err(file.context(format!("{w}: cannot read dataset 'boxes'")))?;
    let boxes = boxes(bds.dtype(), &raw, dim)
        .map_err(|e| Error::format(path, format!("{w}: dataset 'boxes': {e}")))?;
    Ok(Level {
        dx,
        ref_ratio,
        domain,
        boxes,
    })
}

/// The `time` attribute of group `level_0`, else of the root group, where present.
pub(super) fn read_time(file: &H5File, g: &Group) -> Result<Option<f64>> {
    let l0 = file.group(g, "level_0", ROOT)?;
    for (group, w) in [(&l0, "group 'level_0'"), (g, ROOT)] {
        if let Some(a) = file.try_attr(group, "time", w)? {
            return Ok(file.attr_f64s(&a, w)?.first().copied());
        }
    }
    Ok(None)
}
