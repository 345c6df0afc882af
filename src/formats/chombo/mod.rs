//! Chombo HDF5 files (Chombo, BISICLES, mushy-layer, PLUTO, EBAMRPoisson, Orion2, ...):
//! 2-D and 3-D cell-centred plotfiles, and checkpoints that keep each variable in datasets
//! of its own.
//!
//! Root attributes `num_levels`, `num_components`, `component_N` and group `Chombo_global`
//! (`SpaceDim`, 2 or 3); per level a group `level_N` with `dx`, `ref_ratio`, `prob_domain`
//! and `boxes` ([`header`], box records by member name: [`records`]). The levels' ratios may
//! differ and a 2-D file is one cell thick ([`geometry`]); where each field's values lie and
//! the ghost cells around them is [`layout`]. Files in other coordinates than Cartesian are
//! refused, naming them.

mod geometry;
mod header;
mod layout;
mod records;

use crate::amr::{AmrField, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::hdf5::{has_attr, has_member, probe_root, select_range, stem, H5File};
use crate::formats::{catch_panic, within, DataSource, Metadata};
use geometry::BoxData;
use hdf5_reader::Dataset;
use layout::{stored_dims, FieldLoc, Store};
use std::path::Path;

/// An opened Chombo file.
pub struct ChomboReader {
    file: H5File,
    metadata: Metadata,
    hierarchy: AmrHierarchy,
    /// The fields, in the file's order.
    fields: Vec<FieldLoc>,
    stores: Vec<Store>,
    /// Per hierarchy grid.
    boxes: Vec<BoxData>,
}

/// Opens a Chombo HDF5 file.
pub fn open(path: &Path) -> Result<Box<dyn DataSource>> {
    Ok(Box::new(ChomboReader::open(path)?))
}

/// Cheap check by content: an HDF5 file whose root group has a `Chombo_global` group (every
/// Chombo writer's), or a `level_0` group and a `num_levels` attribute.
pub fn looks_like(path: &Path) -> bool {
    probe_root(path).is_some_and(|g| {
        has_member(&g, "Chombo_global") || (has_member(&g, "level_0") && has_attr(&g, "num_levels"))
    })
}

impl ChomboReader {
    /// Opens a Chombo plotfile (or checkpoint); a panic on damaged data becomes an error.
    pub fn open(path: &Path) -> Result<Self> {
        catch_panic(|| Self::read(path), |msg| Error::format(path, msg))
    }

    fn read(path: &Path) -> Result<Self> {
        let file = H5File::open(path)?;
        let g = file.root()?;
        let root = header::read_root(&file, &g, path)?;
        header::check_cartesian(&file, &g, path)?;
        let levels = (0..root.num_levels)
            .map(|l| header::read_level(&file, &g, path, l, root.dim))
            .collect::<Result<Vec<_>>>()?;
        let ratios = geometry::ratios(path, &levels, root.dim)?;
        let (hierarchy, boxes) = geometry::hierarchy(path, &levels, &ratios, root.dim)?;
        let (stores, fields) = layout::read_layout(&file, &g, path, &root, &boxes)?;
        let time = header::read_time(&file, &g)?;
        Ok(ChomboReader {
            file,
            metadata: Metadata {
                format: "chombo".into(),
                name: stem(path),
                time,
                units: Default::default(),
            },
            hierarchy,
            fields,
            stores,
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

    /// Whether the file keeps each variable in datasets of its own (a checkpoint) rather than
    /// all components in `data:datatype=0` (a plotfile).
    pub fn is_checkpoint(&self) -> bool {
        self.stores.iter().any(|s| s.name != "data")
    }

    fn field(&self, name: &str) -> Result<&FieldLoc> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| Error::UnknownField {
                name: name.to_string(),
                available: self.field_names().join(", "),
            })
    }

    /// Every box of field `f`, each through [`ChomboReader::read_box`].
    fn read_all(&self, f: &FieldLoc) -> Result<AmrField> {
        let datasets = (0..=self.hierarchy.max_level())
            .map(|l| self.level_data(l, f))
            .collect::<Result<Vec<_>>>()?;
        let data = (0..self.boxes.len())
            .map(|n| {
                let ds = &datasets[self.boxes[n].level as usize];
                self.read_box(ds, n, f)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AmrField::new(&f.name, data))
    }

    /// The dataset of level `l` that holds field `f`.
    fn level_data(&self, l: u32, f: &FieldLoc) -> Result<Dataset> {
        let g = self.file.root()?;
        let w = format!("level_{l}");
        let lg = self.file.group(&g, &w, header::ROOT)?;
        let name = self.stores[f.store].data_name();
        self.file.dataset(&lg, &name, &format!("group '{w}'"))
    }

    /// Field `f` on hierarchy grid `n`, from its level's dataset `ds`: one range read at the
    /// box's offset, ghost cells stripped.
    fn read_box(&self, ds: &Dataset, n: usize, f: &FieldLoc) -> Result<Vec<f32>> {
        let b = &self.boxes[n];
        let sl = &self.stores[f.store].levels[b.level as usize];
        let (d, gh) = (b.dims, sl.ghost);
        let s = stored_dims(d, gh);
        let len = s.iter().product::<usize>() as u64;
        let start = sl.offsets[b.index] + f.comp as u64 * len;
        let what = format!("field '{}'", f.name);
        let grid = || format!("grid {n} (level_{} box {})", b.level, b.index);
        let raw = self
            .file
            .read_f32(ds, Some(&select_range(start, len)), &what)
            .map_err(|e| within(e, grid()))?;
        if raw.len() as u64 != len {
            return Err(self.file.error(format!(
                "{}: {what}: read {} values, expected {len}",
                grid(),
                raw.len()
            )));
        }
        crate::formats::crop(&raw, s, gh, d).ok_or_else(|| {
            let msg = format!("{}: {what}: the ghost cells do not fit the values", grid());
            self.file.error(msg)
        })
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
        self.fields.iter().map(|f| f.name.clone()).collect()
    }
    fn read_field(&self, name: &str) -> Result<AmrField> {
        let f = self.field(name)?;
        catch_panic(
            || self.read_all(f),
            |msg| self.file.error(format!("field '{name}': {msg}")),
        )
    }
    /// One box's component: a range of its level's dataset.
    fn read_grid(&self, name: &str, n: usize) -> Result<Vec<f32>> {
        let f = self.field(name)?;
        let b = self
            .boxes
            .get(n)
            .ok_or_else(|| crate::formats::no_grid(name, n, self.boxes.len()))?;
        let read = || {
            let ds = self
                .level_data(b.level, f)
                .map_err(|e| within(e, format!("grid {n}")))?;
            self.read_box(&ds, n, f)
        };
        catch_panic(read, |msg| {
            self.file.error(format!("grid {n}: field '{name}': {msg}"))
        })
    }
}
