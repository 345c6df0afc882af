//! Any HDF5 file with a 3-D numeric dataset, read as one uniform grid:
//! `amrcast render file.h5:/path/to/dataset`.
//!
//! The dataset's shape is (nz, ny, nx) in C order, so x varies fastest as the model wants. The
//! domain is the unit cube scaled by the aspect ratio: its lower corner is the origin and its
//! upper corner is `[nx, ny, nz] / max(nx, ny, nz)`. Any integer or floating-point type in
//! either byte order is converted to `f32`.
//!
//! This module also holds the small HDF5 helpers the Athena++ and Chombo readers share
//! (opening with clear errors, typed attribute and dataset reads, compound decoding).

use crate::amr::{AmrField, AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::{DataSource, Metadata};
use glam::DVec3;
use hdf5_reader::group::Group;
use hdf5_reader::{
    Attribute, ByteOrder, Dataset, Datatype, H5Type, Hdf5File, SliceInfo, SliceInfoElem,
};
use std::path::{Path, PathBuf};

/// The most values one read may produce (16 GiB of `f32`): a guard against absurd sizes
/// declared by damaged files before anything is allocated.
pub(crate) const MAX_VALUES: u64 = 1 << 32;

// ---------------------------------------------------------------------------------------------
// Shared HDF5 helpers
// ---------------------------------------------------------------------------------------------

/// Opens an HDF5 file: a missing or unreadable file is an I/O error, anything else that stops
/// the file from opening is a format error naming the file.
pub(crate) fn open_file(path: &Path) -> Result<Hdf5File> {
    // Check existence first so "no such file" is reported as such, whatever the library does.
    if let Err(e) = std::fs::metadata(path) {
        return Err(Error::io(path, e));
    }
    let file = Hdf5File::open(path).map_err(|e| match e {
        hdf5_reader::error::Error::Io(io) if io.kind() != std::io::ErrorKind::UnexpectedEof => {
            Error::io(path, io)
        }
        e => Error::format(path, format!("not a readable HDF5 file: {e}")),
    })?;
    // Like libhdf5: a file shorter than the end-of-file address its superblock records has
    // been cut short (an interrupted copy or write), whatever part of it a read touches.
    let sb = file.superblock();
    let len = file.storage().len();
    let eof = sb.base_address.saturating_add(sb.eof_address);
    if sb.eof_address != u64::MAX && eof > len {
        return Err(Error::format(
            path,
            format!("truncated HDF5 file: it holds {len} bytes but its superblock says {eof}"),
        ));
    }
    Ok(file)
}

/// Whether an HDF5 library error (under any context wrappers) says an object was not found.
pub(crate) fn is_not_found(e: &hdf5_reader::error::Error) -> bool {
    use hdf5_reader::error::Error as H;
    match e {
        H::Context { source, .. } => is_not_found(source),
        H::GroupNotFound(_) | H::DatasetNotFound(_) | H::AttributeNotFound(_) => true,
        _ => false,
    }
}

/// Wraps an error from the HDF5 library with what was being read.
pub(crate) fn h5err(
    path: &Path,
    what: impl std::fmt::Display,
) -> impl Fn(hdf5_reader::error::Error) -> Error + '_ {
    let what = what.to_string();
    move |e| Error::format(path, format!("{what}: {e}"))
}

/// The root group.
pub(crate) fn root(path: &Path, file: &Hdf5File) -> Result<Group> {
    file.root_group()
        .map_err(h5err(path, "cannot read the root group"))
}

/// A named sub-group of `parent` (`where_` names the parent in messages).
pub(crate) fn subgroup(path: &Path, parent: &Group, name: &str, where_: &str) -> Result<Group> {
    parent.group(name).map_err(|e| match e {
        e if is_not_found(&e) => Error::format(path, format!("missing group '{name}' in {where_}")),
        e => Error::format(path, format!("cannot read group '{name}' in {where_}: {e}")),
    })
}

/// Whether `parent` has a member (group or dataset) called `name`.
pub(crate) fn has_member(parent: &Group, name: &str) -> bool {
    parent
        .member_names()
        .map(|(g, d)| g.iter().chain(d.iter()).any(|n| n == name))
        .unwrap_or(false)
}

/// A named dataset of `parent`.
pub(crate) fn dataset(path: &Path, parent: &Group, name: &str, where_: &str) -> Result<Dataset> {
    parent.dataset(name).map_err(|e| match e {
        e if is_not_found(&e) => {
            Error::format(path, format!("missing dataset '{name}' in {where_}"))
        }
        e => Error::format(
            path,
            format!("cannot read dataset '{name}' in {where_}: {e}"),
        ),
    })
}

/// A named attribute, `None` when absent.
pub(crate) fn try_attr(
    path: &Path,
    group: &Group,
    name: &str,
    where_: &str,
) -> Result<Option<Attribute>> {
    let attrs = group.attributes().map_err(h5err(
        path,
        format!("cannot read the attributes of {where_}"),
    ))?;
    Ok(attrs.into_iter().find(|a| a.name == name))
}

/// A named attribute that must be present.
pub(crate) fn attr(path: &Path, group: &Group, name: &str, where_: &str) -> Result<Attribute> {
    try_attr(path, group, name, where_)?
        .ok_or_else(|| Error::format(path, format!("missing attribute '{name}' on {where_}")))
}

/// Numeric element types: every one the HDF5 library reads, converted to `f64` or `i64`.
pub(crate) trait Numeric: H5Type + Copy {
    fn to_f64(self) -> f64;
    /// `None` for floating-point types and values outside `i64`.
    fn to_i64(self) -> Option<i64>;
}

macro_rules! numeric_int {
    ($($t:ty),*) => {$(
        impl Numeric for $t {
            fn to_f64(self) -> f64 { self as f64 }
            fn to_i64(self) -> Option<i64> { i64::try_from(self).ok() }
        }
    )*};
}
numeric_int!(i8, u8, i16, u16, i32, u32, i64, u64);

impl Numeric for f32 {
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_i64(self) -> Option<i64> {
        None
    }
}
impl Numeric for f64 {
    fn to_f64(self) -> f64 {
        self
    }
    fn to_i64(self) -> Option<i64> {
        None
    }
}

/// A short description of a datatype for messages ("big-endian f32", "string", ...).
pub(crate) fn describe(dtype: &Datatype) -> String {
    let order = |o: &ByteOrder| match o {
        ByteOrder::LittleEndian => "little-endian",
        ByteOrder::BigEndian => "big-endian",
    };
    match dtype {
        Datatype::FixedPoint {
            size,
            signed,
            byte_order,
        } => format!(
            "{} {}{}",
            order(byte_order),
            if *signed { "i" } else { "u" },
            *size as u32 * 8
        ),
        Datatype::FloatingPoint { size, byte_order } => {
            format!("{} f{}", order(byte_order), *size as u32 * 8)
        }
        Datatype::String { .. } => "string".into(),
        Datatype::VarLen { .. } => "variable-length".into(),
        Datatype::Compound { .. } => "compound".into(),
        Datatype::Array { .. } => "array".into(),
        Datatype::Enum { .. } => "enum".into(),
        Datatype::Opaque { .. } => "opaque".into(),
        Datatype::Reference { .. } => "reference".into(),
        Datatype::Bitfield { .. } => "bitfield".into(),
    }
}

/// Calls `$body` with `$T` set to the Rust type of a numeric datatype, or evaluates `$other`.
macro_rules! with_numeric_type {
    ($dtype:expr, $T:ident => $body:expr, $other:expr) => {
        match $dtype {
            Datatype::FloatingPoint { size: 4, .. } => {
                type $T = f32;
                $body
            }
            Datatype::FloatingPoint { size: 8, .. } => {
                type $T = f64;
                $body
            }
            Datatype::FixedPoint {
                size: 1,
                signed: true,
                ..
            } => {
                type $T = i8;
                $body
            }
            Datatype::FixedPoint {
                size: 1,
                signed: false,
                ..
            } => {
                type $T = u8;
                $body
            }
            Datatype::FixedPoint {
                size: 2,
                signed: true,
                ..
            } => {
                type $T = i16;
                $body
            }
            Datatype::FixedPoint {
                size: 2,
                signed: false,
                ..
            } => {
                type $T = u16;
                $body
            }
            Datatype::FixedPoint {
                size: 4,
                signed: true,
                ..
            } => {
                type $T = i32;
                $body
            }
            Datatype::FixedPoint {
                size: 4,
                signed: false,
                ..
            } => {
                type $T = u32;
                $body
            }
            Datatype::FixedPoint {
                size: 8,
                signed: true,
                ..
            } => {
                type $T = i64;
                $body
            }
            Datatype::FixedPoint {
                size: 8,
                signed: false,
                ..
            } => {
                type $T = u64;
                $body
            }
            _ => $other,
        }
    };
}

/// Whether a datatype is one of the numeric types the readers convert.
pub(crate) fn is_numeric(dtype: &Datatype) -> bool {
    with_numeric_type!(dtype, T => { let _ = std::mem::size_of::<T>(); true }, false)
}

/// A numeric attribute (scalar or 1-D) as `f64`.
pub(crate) fn attr_f64s(path: &Path, a: &Attribute, where_: &str) -> Result<Vec<f64>> {
    let what = || format!("attribute '{}' on {where_}", a.name);
    let values: Result<Vec<f64>, hdf5_reader::error::Error> = with_numeric_type!(
        &a.datatype,
        T => a.read_1d::<T>().map(|v| v.into_iter().map(Numeric::to_f64).collect()),
        return Err(Error::format(
            path,
            format!("{} has type {}, expected numbers", what(), describe(&a.datatype)),
        ))
    );
    values.map_err(|e| Error::format(path, format!("cannot read {}: {e}", what())))
}

/// An integer attribute (scalar or 1-D) as `i64`; floating-point types are refused.
pub(crate) fn attr_i64s(path: &Path, a: &Attribute, where_: &str) -> Result<Vec<i64>> {
    let what = || format!("attribute '{}' on {where_}", a.name);
    let wrong = || {
        Error::format(
            path,
            format!(
                "{} has type {}, expected integers",
                what(),
                describe(&a.datatype)
            ),
        )
    };
    if !matches!(a.datatype, Datatype::FixedPoint { .. }) {
        return Err(wrong());
    }
    let values: Result<Vec<Option<i64>>, hdf5_reader::error::Error> = with_numeric_type!(
        &a.datatype,
        T => a.read_1d::<T>().map(|v| v.into_iter().map(Numeric::to_i64).collect()),
        return Err(wrong())
    );
    let values = values.map_err(|e| Error::format(path, format!("cannot read {}: {e}", what())))?;
    values
        .into_iter()
        .map(|v| {
            v.ok_or_else(|| Error::format(path, format!("{} holds a value beyond i64", what())))
        })
        .collect()
}

/// A numeric attribute holding exactly `N` values.
pub(crate) fn attr_f64_n<const N: usize>(
    path: &Path,
    group: &Group,
    name: &str,
    where_: &str,
) -> Result<[f64; N]> {
    let a = attr(path, group, name, where_)?;
    let v = attr_f64s(path, &a, where_)?;
    <[f64; N]>::try_from(v.as_slice()).map_err(|_| {
        Error::format(
            path,
            format!(
                "attribute '{name}' on {where_} has {} values, expected {N}",
                v.len()
            ),
        )
    })
}

/// An integer attribute holding exactly `N` values.
pub(crate) fn attr_i64_n<const N: usize>(
    path: &Path,
    group: &Group,
    name: &str,
    where_: &str,
) -> Result<[i64; N]> {
    let a = attr(path, group, name, where_)?;
    let v = attr_i64s(path, &a, where_)?;
    <[i64; N]>::try_from(v.as_slice()).map_err(|_| {
        Error::format(
            path,
            format!(
                "attribute '{name}' on {where_} has {} values, expected {N}",
                v.len()
            ),
        )
    })
}

/// A string attribute (scalar or 1-D) as strings, trailing NULs and spaces removed.
pub(crate) fn attr_strings(path: &Path, a: &Attribute, where_: &str) -> Result<Vec<String>> {
    if !matches!(
        a.datatype,
        Datatype::String { .. } | Datatype::VarLen { .. }
    ) {
        return Err(Error::format(
            path,
            format!(
                "attribute '{}' on {where_} has type {}, expected strings",
                a.name,
                describe(&a.datatype)
            ),
        ));
    }
    let v = if a.shape.is_empty() {
        a.read_string().map(|s| vec![s])
    } else {
        a.read_strings()
    };
    let v = v.map_err(|e| {
        Error::format(
            path,
            format!("cannot read attribute '{}' on {where_}: {e}", a.name),
        )
    })?;
    Ok(v.into_iter()
        .map(|s| s.trim_end_matches(['\0', ' ']).to_string())
        .collect())
}

/// Number of elements a dataset declares, refused above [`MAX_VALUES`].
pub(crate) fn checked_len(path: &Path, ds: &Dataset, what: &str) -> Result<u64> {
    let n = ds
        .shape()
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= MAX_VALUES)
        .ok_or_else(|| {
            Error::format(path, format!("{what} has an absurd shape {:?}", ds.shape()))
        })?;
    Ok(n)
}

fn read_typed<T: Numeric, U>(
    ds: &Dataset,
    sel: Option<&SliceInfo>,
    conv: impl Fn(T) -> U,
) -> std::result::Result<Vec<U>, hdf5_reader::error::Error> {
    let a = match sel {
        Some(s) => ds.read_slice::<T>(s)?,
        None => ds.read_array::<T>()?,
    };
    Ok(a.iter().map(|&v| conv(v)).collect())
}

fn read_with<U>(
    path: &Path,
    ds: &Dataset,
    sel: Option<&SliceInfo>,
    what: &str,
    conv_f: fn(f64) -> U,
) -> Result<Vec<U>> {
    let r = with_numeric_type!(
        ds.dtype(),
        T => read_typed::<T, U>(ds, sel, |v| conv_f(v.to_f64())),
        return Err(Error::format(
            path,
            format!("{what} has type {}, expected numbers", describe(ds.dtype())),
        ))
    );
    r.map_err(|e| Error::format(path, format!("cannot read {what}: {e}")))
}

/// Reads a numeric dataset (or a selection of it) converted to `f32`, in C order.
pub(crate) fn read_f32(
    path: &Path,
    ds: &Dataset,
    sel: Option<&SliceInfo>,
    what: &str,
) -> Result<Vec<f32>> {
    if sel.is_none() {
        checked_len(path, ds, what)?;
    }
    // f32 data is read as f32 directly (the common case), other types through f64.
    if matches!(ds.dtype(), Datatype::FloatingPoint { size: 4, .. }) {
        return read_typed::<f32, f32>(ds, sel, |v| v)
            .map_err(|e| Error::format(path, format!("cannot read {what}: {e}")));
    }
    read_with(path, ds, sel, what, |v| v as f32)
}

/// Reads a numeric dataset converted to `f64`, in C order.
pub(crate) fn read_f64(path: &Path, ds: &Dataset, what: &str) -> Result<Vec<f64>> {
    checked_len(path, ds, what)?;
    read_with(path, ds, None, what, |v| v)
}

/// Reads an integer dataset as `i64`, in C order; floating-point data is refused.
pub(crate) fn read_i64(path: &Path, ds: &Dataset, what: &str) -> Result<Vec<i64>> {
    checked_len(path, ds, what)?;
    let wrong = || {
        Error::format(
            path,
            format!(
                "{what} has type {}, expected integers",
                describe(ds.dtype())
            ),
        )
    };
    if !matches!(ds.dtype(), Datatype::FixedPoint { .. }) {
        return Err(wrong());
    }
    let r: std::result::Result<Vec<Option<i64>>, _> = with_numeric_type!(
        ds.dtype(),
        T => read_typed::<T, Option<i64>>(ds, None, Numeric::to_i64),
        return Err(wrong())
    );
    r.map_err(|e| Error::format(path, format!("cannot read {what}: {e}")))?
        .into_iter()
        .map(|v| v.ok_or_else(|| Error::format(path, format!("{what} holds a value beyond i64"))))
        .collect()
}

/// A selection of whole trailing axes: `Index(i)` on the leading `fixed` axes, then everything.
pub(crate) fn select(fixed: &[SliceInfoElem], ndim: usize) -> SliceInfo {
    let mut selections = fixed.to_vec();
    while selections.len() < ndim {
        selections.push(SliceInfoElem::Slice {
            start: 0,
            end: u64::MAX,
            step: 1,
        });
    }
    SliceInfo { selections }
}

fn decode_int(bytes: &[u8], dtype: &Datatype) -> Option<i64> {
    let Datatype::FixedPoint {
        size,
        signed,
        byte_order,
    } = dtype
    else {
        return None;
    };
    let n = *size as usize;
    if !(1..=8).contains(&n) || bytes.len() < n {
        return None;
    }
    let mut le = [0u8; 8];
    for (i, b) in le.iter_mut().enumerate().take(n) {
        *b = match byte_order {
            ByteOrder::LittleEndian => bytes[i],
            ByteOrder::BigEndian => bytes[n - 1 - i],
        };
    }
    if *signed && le[n - 1] & 0x80 != 0 {
        for b in le.iter_mut().skip(n) {
            *b = 0xff;
        }
    }
    let v = i64::from_le_bytes(le);
    if !*signed && n == 8 && v < 0 {
        return None;
    }
    Some(v)
}

/// Decodes records of a compound type of integer members into `N` integers each, members
/// picked by name (`names`); records are `raw` as stored (each member in its own byte order).
pub(crate) fn compound_ints<const N: usize>(
    dtype: &Datatype,
    raw: &[u8],
    names: &[&str; N],
) -> std::result::Result<Vec<[i64; N]>, String> {
    let Datatype::Compound { size, fields } = dtype else {
        return Err(format!(
            "type {}, expected a compound of integers",
            describe(dtype)
        ));
    };
    let size = *size as usize;
    if size == 0 || !raw.len().is_multiple_of(size) {
        return Err(format!(
            "{} bytes do not hold whole {size}-byte records",
            raw.len()
        ));
    }
    let mut members = Vec::with_capacity(N);
    for name in names {
        let f = fields.iter().find(|f| f.name == *name).ok_or_else(|| {
            let have: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            format!(
                "compound lacks member '{name}' (members: {})",
                have.join(", ")
            )
        })?;
        if !matches!(f.datatype, Datatype::FixedPoint { .. }) {
            return Err(format!(
                "member '{name}' has type {}, expected an integer",
                describe(&f.datatype)
            ));
        }
        members.push(f);
    }
    raw.chunks_exact(size)
        .map(|rec| {
            let mut out = [0i64; N];
            for (o, f) in out.iter_mut().zip(&members) {
                let start = f.byte_offset as usize;
                *o = rec
                    .get(start..)
                    .and_then(|b| decode_int(b, &f.datatype))
                    .ok_or_else(|| format!("member '{}' lies outside its record", f.name))?;
            }
            Ok(out)
        })
        .collect()
}

/// The file stem, for titles.
pub(crate) fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Paths of the datasets in the file (depth-first, bounded), with their shapes: for messages.
fn list_datasets(file: &Hdf5File) -> Vec<(String, Vec<u64>)> {
    fn walk(g: &Group, prefix: &str, depth: usize, out: &mut Vec<(String, Vec<u64>)>) {
        if depth > 8 || out.len() >= 50 {
            return;
        }
        let Ok((groups, datasets)) = g.members() else {
            return;
        };
        for d in datasets {
            if out.len() >= 50 {
                return;
            }
            out.push((format!("{prefix}/{}", d.name()), d.shape().to_vec()));
        }
        for sub in groups {
            walk(&sub, &format!("{prefix}/{}", sub.name()), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    if let Ok(r) = file.root_group() {
        walk(&r, "", 0, &mut out);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The uniform-grid reader
// ---------------------------------------------------------------------------------------------

/// One 3-D dataset of an HDF5 file as a single uniform grid.
pub struct Hdf5Uniform {
    path: PathBuf,
    dataset: String,
    field: String,
    file: Hdf5File,
    metadata: Metadata,
    hierarchy: AmrHierarchy,
}

/// Opens `dataset` (an HDF5 path such as `/fields/density`) of the file at `path`.
pub fn open(path: &Path, dataset: &str) -> Result<Box<dyn DataSource>> {
    Ok(Box::new(Hdf5Uniform::open(path, dataset)?))
}

/// Splits `FILE:/path/in/file` into the file and the dataset path. The split is at the first
/// `:/` whose prefix names an existing file, else at the first `:/`; `None` without one.
pub fn split_spec(spec: &str) -> Option<(PathBuf, String)> {
    let splits: Vec<usize> = spec.match_indices(":/").map(|(i, _)| i).collect();
    let pick = splits
        .iter()
        .copied()
        .find(|&i| Path::new(&spec[..i]).is_file())
        .or_else(|| splits.first().copied())?;
    if pick == 0 {
        return None;
    }
    Some((PathBuf::from(&spec[..pick]), spec[pick + 1..].to_string()))
}

impl Hdf5Uniform {
    pub fn open(path: &Path, dataset: &str) -> Result<Self> {
        let file = open_file(path)?;
        let name = dataset.trim_matches('/');
        if name.is_empty() {
            return Err(Error::format(
                path,
                "no dataset path given (use FILE:/path/to/dataset)",
            ));
        }
        let ds = file.dataset(name).map_err(|e| match e {
            e if is_not_found(&e) => {
                let found: Vec<String> = list_datasets(&file)
                    .into_iter()
                    .filter(|(_, s)| s.len() == 3)
                    .map(|(p, s)| format!("{p} {s:?}"))
                    .collect();
                Error::format(
                    path,
                    format!(
                        "no dataset '/{name}' in the file; 3-D datasets found: {}",
                        if found.is_empty() {
                            "none".to_string()
                        } else {
                            found.join(", ")
                        }
                    ),
                )
            }
            e => Error::format(path, format!("cannot open dataset '/{name}': {e}")),
        })?;
        let shape = ds.shape().to_vec();
        if shape.len() != 3 {
            return Err(Error::format(
                path,
                format!(
                    "dataset '/{name}' has shape {shape:?} ({}-D); a uniform grid needs a 3-D dataset",
                    shape.len()
                ),
            ));
        }
        if shape.contains(&0) {
            return Err(Error::format(
                path,
                format!("dataset '/{name}' has shape {shape:?} with an empty axis"),
            ));
        }
        checked_len(path, &ds, &format!("dataset '/{name}'"))?;
        if !is_numeric(ds.dtype()) {
            return Err(Error::format(
                path,
                format!(
                    "dataset '/{name}' has type {}; only integer and floating-point data can be rendered",
                    describe(ds.dtype())
                ),
            ));
        }
        // (nz, ny, nx) in C order.
        let dims = [shape[2] as usize, shape[1] as usize, shape[0] as usize];
        let m = *dims.iter().max().unwrap_or(&1) as f64;
        let right = DVec3::new(dims[0] as f64 / m, dims[1] as f64 / m, dims[2] as f64 / m);
        let grid = AmrGrid {
            id: 0,
            level: 0,
            left: DVec3::ZERO,
            right,
            dims,
        };
        let hierarchy = AmrHierarchy::new(DVec3::ZERO, right, dims, 2, vec![grid])
            .map_err(|e| Error::format(path, e.to_string()))?;
        let field = name.rsplit('/').next().unwrap_or(name).to_string();
        Ok(Hdf5Uniform {
            path: path.to_path_buf(),
            dataset: name.to_string(),
            field,
            file,
            metadata: Metadata {
                format: "hdf5".into(),
                name: stem(path),
                time: None,
                units: Default::default(),
            },
            hierarchy,
        })
    }

    /// The dataset's path inside the file (without the leading `/`).
    pub fn dataset_path(&self) -> &str {
        &self.dataset
    }
}

impl DataSource for Hdf5Uniform {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }
    fn field_names(&self) -> Vec<String> {
        vec![self.field.clone()]
    }
    fn read_field(&self, name: &str) -> Result<AmrField> {
        if name != self.field {
            return Err(Error::UnknownField {
                name: name.to_string(),
                available: self.field.clone(),
            });
        }
        let what = format!("dataset '/{}'", self.dataset);
        let ds = self
            .file
            .dataset(&self.dataset)
            .map_err(h5err(&self.path, format!("cannot open {what}")))?;
        let values = read_f32(&self.path, &ds, None, &what)?;
        let cells = self.hierarchy.grids[0].num_cells();
        if values.len() != cells {
            return Err(Error::format(
                &self.path,
                format!("{what} holds {} values, expected {cells}", values.len()),
            ));
        }
        Ok(AmrField {
            name: self.field.clone(),
            data: vec![values],
        })
    }
}
