//! Where each field's values lie. A plotfile holds every component in one dataset per level,
//! `data:datatype=0`; a checkpoint (mushy-layer's, for one) holds each variable in its own,
//! `NAME:datatype=0`, with `NAME:offsets=0` and a group `NAME_attributes` (`comps`,
//! `objectType`, `outputGhost`). Either way (a [`Store`]), entry `b` of the offsets is where
//! box `b`'s values start: `comps` consecutive blocks of its cells with `outputGhost` ghost
//! cells on each side, i fastest. Ghost cells are stripped when a box is read; the ghost
//! width is `outputGhost` of the store's attribute group, else of the level group, else
//! level 0's, else none (`ghost`, the width the code computed with, says nothing about what
//! was written).

use super::geometry::BoxData;
use super::header::{Root, ROOT};
use super::records::ghost_attr;
use crate::error::{Error, Result};
use crate::formats::hdf5::{describe, has_member, is_numeric, H5File};
use hdf5_reader::group::Group;
use std::path::Path;

/// The plotfile's one store.
const PLOTFILE: &str = "data";

/// A set of datasets (one per level) holding `comps` components of every box.
#[derive(Debug)]
pub(super) struct Store {
    /// `data`, or a checkpoint's variable name: the datasets are `{name}:datatype=0`.
    pub name: String,
    pub comps: usize,
    /// Per level: where each box's values start, and the ghost width stored around them.
    pub levels: Vec<StoreLevel>,
}

#[derive(Debug)]
pub(super) struct StoreLevel {
    pub offsets: Vec<u64>,
    pub ghost: [usize; 3],
}

impl Store {
    pub fn data_name(&self) -> String {
        format!("{}:datatype=0", self.name)
    }
    fn offsets_name(&self) -> String {
        format!("{}:offsets=0", self.name)
    }
    fn attributes_name(&self) -> String {
        match self.name.as_str() {
            PLOTFILE => "data_attributes".into(),
            v => format!("{v}_attributes"),
        }
    }
}

/// The stores to read (dataset name, components) and the fields they hold.
type Plan = (Vec<(String, usize)>, Vec<FieldLoc>);

/// A field: component `comp` of store `store`.
#[derive(Clone, Debug)]
pub(super) struct FieldLoc {
    pub name: String,
    pub store: usize,
    pub comp: usize,
}

/// Values stored per box: its cells with `ghost` more on each side.
pub(super) fn stored_dims(dims: [usize; 3], ghost: [usize; 3]) -> [usize; 3] {
    [0, 1, 2].map(|a| dims[a] + 2 * ghost[a])
}

/// The stores and fields of the file, their offsets read and checked against `boxes`.
pub(super) fn read_layout(
    file: &H5File,
    g: &Group,
    path: &Path,
    root: &Root,
    boxes: &[BoxData],
) -> Result<(Vec<Store>, Vec<FieldLoc>)> {
    let l0 = file.group(g, "level_0", ROOT)?;
    let (stores, fields) = if has_member(&l0, "data:datatype=0") {
        plotfile(root)
    } else {
        checkpoint(file, &l0, path, root)?
    };
    let stores = stores
        .into_iter()
        .map(|s| read_store(file, g, path, root, s, boxes))
        .collect::<Result<Vec<_>>>()?;
    Ok((stores, fields))
}

fn plotfile(root: &Root) -> Plan {
    let fields = root
        .components
        .iter()
        .enumerate()
        .map(|(c, name)| FieldLoc {
            name: name.clone(),
            store: 0,
            comp: c,
        })
        .collect();
    (vec![(PLOTFILE.to_string(), root.components.len())], fields)
}

/// A checkpoint's cell-centred variables (`objectType` `FArrayBox`) and their components'
/// names: the variable's own for one component, else `x`, `y`, `z` before it where the root
/// lists those names (mushy-layer's `xDarcy velocity`), else `NAME_0`, `NAME_1`, ...
fn checkpoint(file: &H5File, l0: &Group, path: &Path, root: &Root) -> Result<Plan> {
    let (_, datasets) = l0
        .member_names()
        .map_err(file.context("cannot list the members of group 'level_0'"))?;
    let vars: Vec<&str> = datasets
        .iter()
        .filter_map(|d| d.strip_suffix(":datatype=0"))
        .collect();
    if vars.is_empty() {
        return Err(file.error("missing dataset 'data:datatype=0' in group 'level_0'"));
    }
    let mut stores = Vec::new();
    let mut fields = Vec::new();
    for var in vars {
        let w = format!("group 'level_0/{var}_attributes'");
        let attrs = file.group(l0, &format!("{var}_attributes"), "group 'level_0'")?;
        if let Some(a) = file.try_attr(&attrs, "objectType", &w)? {
            let t = file.attr_strings(&a, &w)?;
            if t.first().map(String::as_str) != Some("FArrayBox") {
                continue; // face-centred data (objectType "unknown") is not a cell field
            }
        }
        let [comps] = file.attr_n::<i64, 1>(&attrs, "comps", &w)?;
        if !(1..=100_000).contains(&comps) {
            return Err(file.error(format!("attribute 'comps' on {w} is {comps}")));
        }
        let comps = comps as usize;
        let axes = ["x", "y", "z"];
        let prefixed = comps == root.dim
            && (0..comps).all(|c| root.components.contains(&format!("{}{var}", axes[c])));
        for c in 0..comps {
            let name = match axes.get(c).filter(|_| prefixed) {
                _ if comps == 1 => var.to_string(),
                Some(a) => format!("{a}{var}"),
                None => format!("{var}_{c}"),
            };
            fields.push(FieldLoc {
                name,
                store: stores.len(),
                comp: c,
            });
        }
        stores.push((var.to_string(), comps));
    }
    if stores.is_empty() {
        return Err(Error::format(
            path,
            "this is a Chombo checkpoint file (per-variable datasets, none of them cell-centred data); amrcast reads plotfiles, which hold 'data:datatype=0'",
        ));
    }
    // The root's order where it lists the field, the file's after.
    let rank = |f: &FieldLoc| {
        let p = root.components.iter().position(|n| *n == f.name);
        p.unwrap_or(usize::MAX)
    };
    fields.sort_by_key(rank);
    Ok((stores, fields))
}

/// The ghost width written in `outputGhost` of group `attrs_name` inside `lg`, else of `lg`.
fn written_ghost(
    file: &H5File,
    lg: &Group,
    level: &str,
    attrs_name: &str,
    dim: usize,
) -> Result<Option<[usize; 3]>> {
    if has_member(lg, attrs_name) {
        let w = format!("group '{level}/{attrs_name}'");
        let ag = file.group(lg, attrs_name, &format!("group '{level}'"))?;
        if let Some(a) = file.try_attr(&ag, "outputGhost", &w)? {
            return ghost_attr(file, &a, &w, dim).map(Some);
        }
    }
    let w = format!("group '{level}'");
    match file.try_attr(lg, "outputGhost", &w)? {
        Some(a) => ghost_attr(file, &a, &w, dim).map(Some),
        None => Ok(None),
    }
}

/// Store `name` of `comps` components: per level its offsets and ghost width, checked
/// against the boxes and the length of its data.
fn read_store(
    file: &H5File,
    g: &Group,
    path: &Path,
    root: &Root,
    (name, comps): (String, usize),
    boxes: &[BoxData],
) -> Result<Store> {
    let mut store = Store {
        name,
        comps,
        levels: Vec::new(),
    };
    let mut ghost0 = None;
    for l in 0..root.num_levels {
        let level = format!("level_{l}");
        let w = format!("group '{level}'");
        let lg = file.group(g, &level, ROOT)?;
        let written = written_ghost(file, &lg, &level, &store.attributes_name(), root.dim)?;
        let ghost = written.or(ghost0).unwrap_or([0; 3]);
        if l == 0 {
            ghost0 = written;
        }
        let ods = file.dataset(&lg, &store.offsets_name(), &w)?;
        let offsets = file.read_i64(&ods, &format!("{w}: dataset '{}'", store.offsets_name()))?;
        let data = store.data_name();
        let dds = file.dataset(&lg, &data, &w)?;
        if dds.ndim() != 1 || !is_numeric(dds.dtype()) {
            return Err(Error::format(
                path,
                format!(
                    "{w}: dataset '{data}' has shape {:?} and type {}, expected 1-D numbers",
                    dds.shape(),
                    describe(dds.dtype())
                ),
            ));
        }
        let data_len = dds.shape().first().copied().unwrap_or(0);
        let lb: Vec<&BoxData> = boxes.iter().filter(|b| b.level == l).collect();
        let offsets = check_offsets(path, &store, (l, ghost), &lb, &offsets, data_len)?;
        store.levels.push(StoreLevel { offsets, ghost });
    }
    Ok(store)
}

/// The offsets of level `l`'s boxes `lb` (ghost width `ghost`), checked: one per box and
/// one more, each box given exactly its values, all within the `data_len` values stored.
fn check_offsets(
    path: &Path,
    store: &Store,
    (l, ghost): (u32, [usize; 3]),
    lb: &[&BoxData],
    offsets: &[i64],
    data_len: u64,
) -> Result<Vec<u64>> {
    let (on, dn) = (store.offsets_name(), store.data_name());
    let nb = lb.len();
    if offsets.len() != nb + 1 {
        return Err(Error::format(
            path,
            format!(
                "level_{l}: dataset '{on}' has {} entries for {nb} boxes (expected {})",
                offsets.len(),
                nb + 1
            ),
        ));
    }
    for (b, bd) in lb.iter().enumerate() {
        let s = stored_dims(bd.dims, ghost);
        let need = (s.iter().product::<usize>() as u64).saturating_mul(store.comps as u64);
        let (o0, o1) = (offsets[b], offsets[b + 1]);
        if o0 < 0 || o1 < o0 || (o1 - o0) as u64 != need {
            return Err(Error::format(
                path,
                format!(
                    "level_{l} box {b}: '{on}' gives it values {o0}..{o1} ({} values), but {} components of {s:?} cells (ghost {ghost:?}) need {need}",
                    o1.saturating_sub(o0),
                    store.comps
                ),
            ));
        }
        if o1 as u64 > data_len {
            return Err(Error::format(
                path,
                format!("level_{l} box {b}: its values end at {o1}, beyond the {data_len} values of '{dn}'"),
            ));
        }
    }
    Ok(offsets.iter().map(|&o| o as u64).collect())
}
