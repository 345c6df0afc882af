//! Chombo HDF5 files (Chombo, PLUTO, Orion2, ... in their 3-D cell-centred form).
//!
//! Root attributes `num_levels`, `num_components`, `component_N`; group `Chombo_global` with
//! `SpaceDim` (must be 3). Per level, group `level_N` with attributes `dx`, `ref_ratio`,
//! `prob_domain` (compound `lo_i, lo_j, lo_k, hi_i, hi_j, hi_k`, inclusive) and datasets
//! `boxes` (the same compound per box), `data:offsets=0` (`nboxes + 1` offsets into the data)
//! and `data:datatype=0` (1-D: per box, `num_components` consecutive blocks of
//! `prod(hi - lo + 1 + 2 * ghost)` values, i fastest). The ghost width is
//! `level_N/data_attributes/outputGhost` (an IntVect compound `intvecti/j/k`, or integers),
//! falling back to level 0's and then to none; ghost cells are stripped.
//!
//! Geometry follows yt: a box spans `dx * lo .. dx * (hi + 1)` and the domain is level 0's
//! `prob_domain` scaled the same way (no other origin attribute is read). The model has one
//! refinement ratio, so every pair of consecutive levels must be refined by the same ratio
//! (taken from the `dx` of the levels and checked against `ref_ratio`).

use crate::amr::{AmrField, AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::hdf5::{
    compound_ints, describe, has_attr, has_member, is_numeric, probe_root, select_range, stem,
    H5File, MAX_VALUES,
};
use crate::formats::{catch_panic, within, DataSource, Metadata};
use glam::DVec3;
use hdf5_reader::group::Group;
use hdf5_reader::{Attribute, Dataset, Datatype};
use std::path::Path;

const ROOT: &str = "the root group";
const BOX_MEMBERS: [&str; 6] = ["lo_i", "lo_j", "lo_k", "hi_i", "hi_j", "hi_k"];
const DATA: &str = "data:datatype=0";
const OFFSETS: &str = "data:offsets=0";

/// Where one box's values lie in its level's data dataset.
#[derive(Clone, Debug)]
struct BoxData {
    level: u32,
    /// Index of the box within its level.
    index: usize,
    /// Offset of its first value (component 0, ghost cells included).
    offset: u64,
    /// Active cells.
    dims: [usize; 3],
    ghost: [usize; 3],
}

impl BoxData {
    fn stored_dims(&self) -> [usize; 3] {
        [0, 1, 2].map(|a| self.dims[a] + 2 * self.ghost[a])
    }
    fn stored_len(&self) -> usize {
        self.stored_dims().iter().product()
    }
}

/// An opened Chombo file.
pub struct ChomboReader {
    file: H5File,
    metadata: Metadata,
    hierarchy: AmrHierarchy,
    components: Vec<String>,
    /// Per hierarchy grid.
    boxes: Vec<BoxData>,
}

/// Opens a Chombo HDF5 file.
pub fn open(path: &Path) -> Result<Box<dyn DataSource>> {
    Ok(Box::new(ChomboReader::open(path)?))
}

/// Cheap check: an HDF5 file whose root group has a `level_0` group and a `num_levels`
/// attribute.
pub fn looks_like(path: &Path) -> bool {
    probe_root(path).is_some_and(|g| has_member(&g, "level_0") && has_attr(&g, "num_levels"))
}

/// A box compound `[lo_i, lo_j, lo_k, hi_i, hi_j, hi_k]` from an attribute.
fn box_attr(file: &H5File, a: &Attribute, where_: &str) -> Result<[i64; 6]> {
    let v = compound_ints(&a.datatype, &a.raw_data, &BOX_MEMBERS)
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

/// The ghost width from `outputGhost`: an IntVect compound, 3 integers, or one integer.
fn ghost_attr(file: &H5File, a: &Attribute, where_: &str) -> Result<[usize; 3]> {
    let v: Vec<i64> = match &a.datatype {
        Datatype::Compound { fields, .. } => {
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            let pick = if names.contains(&"intvecti") {
                ["intvecti", "intvectj", "intvectk"]
            } else if fields.len() == 3 {
                [names[0], names[1], names[2]]
            } else {
                return Err(file.error(format!(
                    "attribute 'outputGhost' on {where_} has members {names:?}, expected intvecti, intvectj, intvectk"
                )));
            };
            let recs = compound_ints(&a.datatype, &a.raw_data, &pick)
                .map_err(|e| file.error(format!("attribute 'outputGhost' on {where_}: {e}")))?;
            recs.first().map(|r| r.to_vec()).unwrap_or_default()
        }
        _ => file.attr_i64s(a, where_)?,
    };
    let v: Vec<i64> = match v.as_slice() {
        [g] => vec![*g; 3],
        _ => v,
    };
    match v.as_slice() {
        [i, j, k] if [*i, *j, *k].iter().all(|g| (0..=64).contains(g)) => {
            Ok([*i as usize, *j as usize, *k as usize])
        }
        _ => Err(file.error(format!(
            "attribute 'outputGhost' on {where_} is {v:?}, expected 3 widths in 0..=64"
        ))),
    }
}

/// The ghost width of a level, `None` when its group does not say.
fn level_ghost(file: &H5File, level: &Group, where_: &str) -> Result<Option<[usize; 3]>> {
    if !has_member(level, "data_attributes") {
        return Ok(None);
    }
    let da_where = format!("{where_}/data_attributes");
    let da = file.group(level, "data_attributes", where_)?;
    match file.try_attr(&da, "outputGhost", &da_where)? {
        Some(a) => ghost_attr(file, &a, &da_where).map(Some),
        None => Ok(None),
    }
}

/// What the file says about one level, before any cross-level check.
struct Level {
    dx: f64,
    ref_ratio: Option<i64>,
    domain: [i64; 6],
    boxes: Vec<[i64; 6]>,
    offsets: Vec<i64>,
    data_len: u64,
    ghost: Option<[usize; 3]>,
}

/// The root group's `num_levels` and `component_N` names (`num_components` of them), after
/// checking `Chombo_global/SpaceDim`.
fn read_root(file: &H5File, g: &Group, path: &Path) -> Result<(u32, Vec<String>)> {
    let [num_levels] = file.attr_n::<i64, 1>(g, "num_levels", ROOT)?;
    if !(1..=31).contains(&num_levels) {
        return Err(Error::format(
            path,
            format!("num_levels is {num_levels}, expected 1..=31"),
        ));
    }
    let num_levels = num_levels as u32;
    let [num_components] = file.attr_n::<i64, 1>(g, "num_components", ROOT)?;
    if !(1..=100_000).contains(&num_components) {
        return Err(Error::format(
            path,
            format!("num_components is {num_components}, expected at least 1"),
        ));
    }
    let num_components = num_components as usize;
    let mut components = Vec::with_capacity(num_components);
    for c in 0..num_components {
        let name = format!("component_{c}");
        let v = file.attr_strings(&file.attr(g, &name, ROOT)?, ROOT)?;
        components.push(v.into_iter().next().unwrap_or_default());
    }
    let global = file.group(g, "Chombo_global", ROOT)?;
    let [dim] = file.attr_n::<i64, 1>(&global, "SpaceDim", "group 'Chombo_global'")?;
    if dim != 3 {
        return Err(Error::format(
            path,
            format!("SpaceDim is {dim}: only 3-D Chombo files are supported"),
        ));
    }
    Ok((num_levels, components))
}

/// Group `level_{l}`: its attributes, boxes, offsets, the length of its data and its ghost
/// width.
fn read_level(file: &H5File, g: &Group, path: &Path, l: u32) -> Result<Level> {
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
    let domain = box_attr(file, &file.attr(&lg, "prob_domain", &w)?, &w)?;
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
    let boxes = compound_ints(bds.dtype(), &raw, &BOX_MEMBERS)
        .map_err(|e| Error::format(path, format!("{w}: dataset 'boxes': {e}")))?;
    let ods = file.dataset(&lg, OFFSETS, &w)?;
    let offsets = file.read_i64(&ods, &format!("{w}: dataset '{OFFSETS}'"))?;
    let dds = file.dataset(&lg, DATA, &w)?;
    if dds.ndim() != 1 || !is_numeric(dds.dtype()) {
        return Err(Error::format(
            path,
            format!(
                "{w}: dataset '{DATA}' has shape {:?} and type {}, expected 1-D numbers",
                dds.shape(),
                describe(dds.dtype())
            ),
        ));
    }
    let data_len = dds.shape().first().copied().unwrap_or(0);
    let ghost = level_ghost(file, &lg, &w)?;
    Ok(Level {
        dx,
        ref_ratio,
        domain,
        boxes,
        offsets,
        data_len,
        ghost,
    })
}

/// The one refinement ratio, from the dx of consecutive levels, checked against ref_ratio.
fn refinement_ratio(path: &Path, levels: &[Level]) -> Result<i64> {
    let mut refine_by: Option<i64> = None;
    for l in 0..levels.len().saturating_sub(1) {
        let q = levels[l].dx / levels[l + 1].dx;
        let r = q.round();
        if !(2.0..=64.0).contains(&r) || (q - r).abs() > 1e-6 * r {
            return Err(Error::format(
                path,
                format!(
                    "level_{} dx {} and level_{} dx {} are not refined by an integer ratio of at least 2",
                    l,
                    levels[l].dx,
                    l + 1,
                    levels[l + 1].dx
                ),
            ));
        }
        let r = r as i64;
        if let Some(rr) = levels[l].ref_ratio {
            if rr != r {
                return Err(Error::format(
                    path,
                    format!(
                        "level_{l} ref_ratio is {rr} but its dx and level_{}'s differ by a factor {r}",
                        l + 1
                    ),
                ));
            }
        }
        match refine_by {
            None => refine_by = Some(r),
            Some(r0) if r0 != r => {
                return Err(Error::format(
                    path,
                    format!(
                        "levels are refined by different ratios ({r0} below level_{l}, {r} from level_{l} to level_{}); only one refinement ratio for all levels is supported",
                        l + 1
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(refine_by
        .or(levels
            .first()
            .and_then(|l| l.ref_ratio)
            .filter(|r| (2..=64).contains(r)))
        .unwrap_or(2))
}

/// The domain (left, right corners) and root cells from level 0's `prob_domain` and `dx`.
fn root_domain(path: &Path, level0: &Level) -> Result<(DVec3, DVec3, [usize; 3])> {
    let d0 = level0.domain;
    if (0..3).any(|a| d0[a + 3] < d0[a]) {
        return Err(Error::format(
            path,
            format!("level_0 prob_domain {d0:?} is empty"),
        ));
    }
    let dx0 = level0.dx;
    let domain_left = DVec3::new(d0[0] as f64, d0[1] as f64, d0[2] as f64) * dx0;
    let domain_right = DVec3::new(d0[3] as f64 + 1.0, d0[4] as f64 + 1.0, d0[5] as f64 + 1.0) * dx0;
    let root_dims = [0, 1, 2].map(|a| (d0[a + 3] - d0[a] + 1) as usize);
    if root_dims.iter().any(|&d| d > 1 << 24) {
        return Err(Error::format(
            path,
            format!("level_0 prob_domain {d0:?} is absurdly large"),
        ));
    }
    Ok((domain_left, domain_right, root_dims))
}

/// Box `b` (`bx`) of level `l` (`lev`, named `w` in messages), checked against the level's
/// domain, offsets and data; its `offset` is where its values start.
fn box_data(
    path: &Path,
    lev: &Level,
    (l, w): (usize, &str),
    (b, bx): (usize, &[i64; 6]),
    ghost: [usize; 3],
    num_components: usize,
) -> Result<BoxData> {
    let mut dims = [0usize; 3];
    for a in 0..3 {
        let (lo, hi) = (bx[a], bx[a + 3]);
        if hi < lo || hi - lo >= 1 << 24 {
            return Err(Error::format(
                path,
                format!("{w} box {b} {bx:?} has lo above hi or an absurd size"),
            ));
        }
        if lo < lev.domain[a] || hi > lev.domain[a + 3] {
            return Err(Error::format(
                path,
                format!(
                    "{w} box {b} {bx:?} lies outside the level's prob_domain {:?}",
                    lev.domain
                ),
            ));
        }
        dims[a] = (hi - lo + 1) as usize;
    }
    let bd = BoxData {
        level: l as u32,
        index: b,
        offset: 0,
        dims,
        ghost,
    };
    let len = bd.stored_len() as u64;
    let need = len
        .checked_mul(num_components as u64)
        .filter(|&n| n <= MAX_VALUES)
        .ok_or_else(|| Error::format(path, format!("{w} box {b} {bx:?} is absurdly large")))?;
    let (o0, o1) = (lev.offsets[b], lev.offsets[b + 1]);
    if o0 < 0 || o1 < o0 || (o1 - o0) as u64 != need {
        return Err(Error::format(
            path,
            format!(
                "{w} box {b} {bx:?}: '{OFFSETS}' gives it values {o0}..{o1} ({} values), but {num_components} components of {:?} cells (ghost {ghost:?}) need {need}",
                o1 - o0,
                bd.stored_dims()
            ),
        ));
    }
    if o1 as u64 > lev.data_len {
        return Err(Error::format(
            path,
            format!(
                "{w} box {b}: its values end at {o1}, beyond the {} values of '{DATA}'",
                lev.data_len
            ),
        ));
    }
    Ok(BoxData {
        offset: o0 as u64,
        ..bd
    })
}

/// The grids of every level (spaced by `refine_by` from level 0's dx) and where each one's
/// values lie.
fn build_grids(
    path: &Path,
    levels: &[Level],
    refine_by: i64,
    num_components: usize,
) -> Result<(Vec<AmrGrid>, Vec<BoxData>)> {
    let ghost0 = levels[0].ghost.unwrap_or([0; 3]);
    let dx0 = levels[0].dx;
    let mut grids = Vec::new();
    let mut boxes = Vec::new();
    let mut total: u64 = 0;
    for (l, lev) in levels.iter().enumerate() {
        let w = format!("level_{l}");
        let nb = lev.boxes.len();
        if lev.offsets.len() != nb + 1 {
            return Err(Error::format(
                path,
                format!(
                    "{w}: dataset '{OFFSETS}' has {} entries for {nb} boxes (expected {})",
                    lev.offsets.len(),
                    nb + 1
                ),
            ));
        }
        let ghost = lev.ghost.unwrap_or(ghost0);
        let dx = dx0 / (refine_by as f64).powi(l as i32);
        for (b, bx) in lev.boxes.iter().enumerate() {
            let bd = box_data(path, lev, (l, &w), (b, bx), ghost, num_components)?;
            total = total.saturating_add(bd.dims.iter().product::<usize>() as u64);
            if total > MAX_VALUES {
                return Err(Error::format(
                    path,
                    "the hierarchy holds too many cells to load",
                ));
            }
            let lo = DVec3::new(bx[0] as f64, bx[1] as f64, bx[2] as f64);
            let hi = DVec3::new(bx[3] as f64 + 1.0, bx[4] as f64 + 1.0, bx[5] as f64 + 1.0);
            grids.push(AmrGrid {
                id: grids.len() as u64,
                level: l as u32,
                left: lo * dx,
                right: hi * dx,
                dims: bd.dims,
            });
            boxes.push(bd);
        }
    }
    Ok((grids, boxes))
}

/// The `time` attribute of group `level_0`, where present.
fn read_time(file: &H5File, g: &Group) -> Result<Option<f64>> {
    let l0 = file.group(g, "level_0", ROOT)?;
    Ok(match file.try_attr(&l0, "time", "group 'level_0'")? {
        Some(a) => file.attr_f64s(&a, "group 'level_0'")?.first().copied(),
        None => None,
    })
}

impl ChomboReader {
    pub fn open(path: &Path) -> Result<Self> {
        let file = H5File::open(path)?;
        let g = file.root()?;
        let (num_levels, components) = read_root(&file, &g, path)?;
        let levels = (0..num_levels)
            .map(|l| read_level(&file, &g, path, l))
            .collect::<Result<Vec<_>>>()?;
        let refine_by = refinement_ratio(path, &levels)?;
        let (domain_left, domain_right, root_dims) = root_domain(path, &levels[0])?;
        let (grids, boxes) = build_grids(path, &levels, refine_by, components.len())?;
        let hierarchy = AmrHierarchy::new(
            domain_left,
            domain_right,
            root_dims,
            refine_by as u32,
            grids,
        )
        .map_err(|e| Error::format(path, e.to_string()))?;

        let time = read_time(&file, &g)?;
        Ok(ChomboReader {
            file,
            metadata: Metadata {
                format: "chombo".into(),
                name: stem(path),
                time,
                units: Default::default(),
            },
            hierarchy,
            components,
            boxes,
        })
    }

    /// Boxes per level as stored in the file.
    pub fn boxes_per_level(&self) -> Vec<usize> {
        let mut v = vec![0usize; self.hierarchy.max_level() as usize + 1];
        for b in &self.boxes {
            if let Some(n) = v.get_mut(b.level as usize) {
                *n += 1;
            }
        }
        v
    }
}

impl ChomboReader {
    fn component(&self, name: &str) -> Result<usize> {
        self.components
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| Error::UnknownField {
                name: name.to_string(),
                available: self.components.join(", "),
            })
    }

    /// Every box of component `name`, each through [`ChomboReader::read_box`].
    fn read_all(&self, name: &str) -> Result<AmrField> {
        let c = self.component(name)?;
        let datasets = (0..=self.hierarchy.max_level())
            .map(|l| self.level_data(l))
            .collect::<Result<Vec<_>>>()?;
        let data = (0..self.boxes.len())
            .map(|n| {
                let ds = &datasets[self.boxes[n].level as usize];
                self.read_box(ds, n, c, name)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AmrField::new(name, data))
    }

    /// Level `l`'s data dataset.
    fn level_data(&self, l: u32) -> Result<Dataset> {
        let g = self.file.root()?;
        let w = format!("level_{l}");
        let lg = self.file.group(&g, &w, ROOT)?;
        self.file.dataset(&lg, DATA, &format!("group '{w}'"))
    }

    /// Component `c` (called `name`) of hierarchy grid `n`, from its level's data dataset
    /// `ds`: one range read at the box's offset, ghost cells stripped.
    fn read_box(&self, ds: &Dataset, n: usize, c: usize, name: &str) -> Result<Vec<f32>> {
        let b = &self.boxes[n];
        let len = b.stored_len() as u64;
        let start = b.offset + c as u64 * len;
        let sel = select_range(start, len);
        let what = format!("component '{name}'");
        let grid = || format!("grid {n} (level_{} box {})", b.level, b.index);
        let raw = self
            .file
            .read_f32(ds, Some(&sel), &what)
            .map_err(|e| within(e, grid()))?;
        if raw.len() as u64 != len {
            return Err(self.file.error(format!(
                "{}: {what}: read {} values, expected {len}",
                grid(),
                raw.len()
            )));
        }
        let s = b.stored_dims();
        let (d, gh) = (b.dims, b.ghost);
        let mut v = Vec::with_capacity(d.iter().product());
        for k in 0..d[2] {
            for j in 0..d[1] {
                let row = gh[0] + s[0] * ((j + gh[1]) + s[1] * (k + gh[2]));
                v.extend_from_slice(&raw[row..row + d[0]]);
            }
        }
        Ok(v)
    }
}

impl DataSource for ChomboReader {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }
    fn field_names(&self) -> Vec<String> {
        self.components.clone()
    }
    fn read_field(&self, name: &str) -> Result<AmrField> {
        catch_panic(
            || self.read_all(name),
            |msg| self.file.error(format!("component '{name}': {msg}")),
        )
    }
    /// One box's component: a range of its level's `data:datatype=0`.
    fn read_grid(&self, name: &str, n: usize) -> Result<Vec<f32>> {
        let c = self.component(name)?;
        let b = self
            .boxes
            .get(n)
            .ok_or_else(|| crate::formats::no_grid(name, n, self.boxes.len()))?;
        let read = || {
            let ds = self
                .level_data(b.level)
                .map_err(|e| within(e, format!("grid {n}")))?;
            self.read_box(&ds, n, c, name)
        };
        catch_panic(read, |msg| {
            self.file
                .error(format!("grid {n}: component '{name}': {msg}"))
        })
    }
}
