//! The HDF5 helper layer every reader uses over `hdf5-reader`: an open file that carries its
//! path ([`H5File`]), so that every error names the file; typed attribute and dataset reads
//! with clear messages; hyperslab selections; compound decoding.
//!
//! Messages say what was being read (`where_` names the group an object was looked up in,
//! `what` the object itself) and are [`Error::Format`]s of the file.

use crate::error::{Error, Result};
use hdf5_reader::group::Group;
use hdf5_reader::{
    Attribute, ByteOrder, Dataset, Datatype, H5Type, Hdf5File, SliceInfo, SliceInfoElem,
};
use std::fmt::Display;
use std::path::{Path, PathBuf};

/// The most values one read may produce (16 GiB of `f32`): a guard against absurd sizes
/// declared by damaged files before anything is allocated.
pub(crate) const MAX_VALUES: u64 = 1 << 32;

/// Calls `$body` with `$T` set to the Rust type of a numeric datatype, or evaluates `$other`.
macro_rules! with_numeric_type {
    ($dtype:expr, $T:ident => $body:expr, $other:expr) => {
        numeric_match!($dtype, $T, $body, $other, [
            (true, 4, _) => f32, (true, 8, _) => f64,
            (false, 1, true) => i8, (false, 1, false) => u8,
            (false, 2, true) => i16, (false, 2, false) => u16,
            (false, 4, true) => i32, (false, 4, false) => u32,
            (false, 8, true) => i64, (false, 8, false) => u64
        ])
    };
}

/// [`with_numeric_type`]'s match, one arm per `numeric_key` pattern and Rust type.
macro_rules! numeric_match {
    ($dtype:expr, $T:ident, $body:expr, $other:expr, [$($key:pat => $t:ty),*]) => {
        match numeric_key($dtype) {
            $(Some($key) => {
                type $T = $t;
                $body
            })*
            _ => $other,
        }
    };
}

/// `(floating point, size in bytes, signed)` of a numeric datatype.
fn numeric_key(dtype: &Datatype) -> Option<(bool, u8, bool)> {
    match dtype {
        Datatype::FloatingPoint { size, .. } => Some((true, *size, true)),
        Datatype::FixedPoint { size, signed, .. } => Some((false, *size, *signed)),
        _ => None,
    }
}

/// An error of the HDF5 library.
pub(crate) type H5Error = hdf5_reader::error::Error;

/// An open HDF5 file and its path.
pub(crate) struct H5File {
    path: PathBuf,
    file: Hdf5File,
}

impl H5File {
    /// Opens an HDF5 file: a missing or unreadable file is an I/O error, anything else that
    /// stops the file from opening (a cut-short file included) is a format error.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        // Check existence first so "no such file" is reported as such, whatever the library does.
        if let Err(e) = std::fs::metadata(path) {
            return Err(Error::io(path, e));
        }
        let file = Hdf5File::open(path).map_err(|e| match e {
            H5Error::Io(io) if io.kind() != std::io::ErrorKind::UnexpectedEof => {
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
        Ok(H5File {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Opens an HDF5 file with only the library's own checks, returning its error as is (for
    /// callers whose messages wrap it).
    pub(crate) fn open_plain(path: &Path) -> std::result::Result<Self, H5Error> {
        Ok(H5File {
            path: path.to_path_buf(),
            file: Hdf5File::open(path)?,
        })
    }

    /// A format error of this file.
    pub(crate) fn error(&self, what: impl Into<String>) -> Error {
        Error::format(&self.path, what)
    }

    /// Wraps an error from the HDF5 library with what was being read: "`what`: cause".
    pub(crate) fn context(&self, what: impl Display) -> impl Fn(H5Error) -> Error + '_ {
        let what = what.to_string();
        move |e| self.error(format!("{what}: {e}"))
    }

    /// The root group.
    pub(crate) fn root(&self) -> Result<Group> {
        self.file
            .root_group()
            .map_err(self.context("cannot read the root group"))
    }

    /// The group at an absolute path (`Grid00000001`, `/a/b`).
    pub(crate) fn group_at(&self, path: &str) -> std::result::Result<Group, H5Error> {
        self.file.group(path)
    }

    /// The dataset at an absolute path (`/Grid00000001/Density`).
    pub(crate) fn dataset_at(&self, path: &str) -> std::result::Result<Dataset, H5Error> {
        self.file.dataset(path)
    }

    /// A named sub-group of `parent` (`where_` names the parent in messages).
    pub(crate) fn group(&self, parent: &Group, name: &str, where_: &str) -> Result<Group> {
        parent
            .group(name)
            .map_err(|e| self.lookup_error(e, "group", name, where_))
    }

    /// A named dataset of `parent`.
    pub(crate) fn dataset(&self, parent: &Group, name: &str, where_: &str) -> Result<Dataset> {
        parent
            .dataset(name)
            .map_err(|e| self.lookup_error(e, "dataset", name, where_))
    }

    fn lookup_error(&self, e: H5Error, kind: &str, name: &str, where_: &str) -> Error {
        if is_not_found(&e) {
            self.error(format!("missing {kind} '{name}' in {where_}"))
        } else {
            self.error(format!("cannot read {kind} '{name}' in {where_}: {e}"))
        }
    }

    /// A named attribute, `None` when absent.
    pub(crate) fn try_attr(
        &self,
        group: &Group,
        name: &str,
        where_: &str,
    ) -> Result<Option<Attribute>> {
        let attrs = group
            .attributes()
            .map_err(self.context(format!("cannot read the attributes of {where_}")))?;
        Ok(attrs.into_iter().find(|a| a.name == name))
    }

    /// A named attribute that must be present.
    pub(crate) fn attr(&self, group: &Group, name: &str, where_: &str) -> Result<Attribute> {
        self.try_attr(group, name, where_)?
            .ok_or_else(|| self.error(format!("missing attribute '{name}' on {where_}")))
    }

    /// A numeric attribute (scalar or 1-D) as `f64`.
    pub(crate) fn attr_f64s(&self, a: &Attribute, where_: &str) -> Result<Vec<f64>> {
        let what = || format!("attribute '{}' on {where_}", a.name);
        let values: std::result::Result<Vec<f64>, H5Error> = with_numeric_type!(
            &a.datatype,
            T => a.read_1d::<T>().map(|v| v.into_iter().map(Numeric::to_f64).collect()),
            return Err(self.error(format!(
                "{} has type {}, expected numbers",
                what(),
                describe(&a.datatype)
            )))
        );
        values.map_err(|e| self.error(format!("cannot read {}: {e}", what())))
    }

    /// An integer attribute (scalar or 1-D) as `i64`; floating-point types are refused.
    pub(crate) fn attr_i64s(&self, a: &Attribute, where_: &str) -> Result<Vec<i64>> {
        let what = || format!("attribute '{}' on {where_}", a.name);
        let wrong = || {
            self.error(format!(
                "{} has type {}, expected integers",
                what(),
                describe(&a.datatype)
            ))
        };
        if !matches!(a.datatype, Datatype::FixedPoint { .. }) {
            return Err(wrong());
        }
        let values: std::result::Result<Vec<Option<i64>>, H5Error> = with_numeric_type!(
            &a.datatype,
            T => a.read_1d::<T>().map(|v| v.into_iter().map(Numeric::to_i64).collect()),
            return Err(wrong())
        );
        let values = values.map_err(|e| self.error(format!("cannot read {}: {e}", what())))?;
        values
            .into_iter()
            .map(|v| v.ok_or_else(|| self.error(format!("{} holds a value beyond i64", what()))))
            .collect()
    }

    /// A numeric attribute holding exactly `N` values: `f64` from any numeric type, `i64`
    /// from integers.
    pub(crate) fn attr_n<T: AttrNumber, const N: usize>(
        &self,
        group: &Group,
        name: &str,
        where_: &str,
    ) -> Result<[T; N]> {
        let a = self.attr(group, name, where_)?;
        let v = T::read(self, &a, where_)?;
        <[T; N]>::try_from(v.as_slice()).map_err(|_| {
            self.error(format!(
                "attribute '{name}' on {where_} has {} values, expected {N}",
                v.len()
            ))
        })
    }

    /// A string attribute (scalar or 1-D) as strings, trailing NULs and spaces removed.
    pub(crate) fn attr_strings(&self, a: &Attribute, where_: &str) -> Result<Vec<String>> {
        if !matches!(
            a.datatype,
            Datatype::String { .. } | Datatype::VarLen { .. }
        ) {
            return Err(self.error(format!(
                "attribute '{}' on {where_} has type {}, expected strings",
                a.name,
                describe(&a.datatype)
            )));
        }
        let v = if a.shape.is_empty() {
            a.read_string().map(|s| vec![s])
        } else {
            a.read_strings()
        };
        let v = v.map_err(|e| {
            self.error(format!(
                "cannot read attribute '{}' on {where_}: {e}",
                a.name
            ))
        })?;
        Ok(v.into_iter()
            .map(|s| s.trim_end_matches(['\0', ' ']).to_string())
            .collect())
    }

    /// Number of elements a dataset declares, refused above [`MAX_VALUES`].
    pub(crate) fn checked_len(&self, ds: &Dataset, what: &str) -> Result<u64> {
        ds.shape()
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d))
            .filter(|&n| n <= MAX_VALUES)
            .ok_or_else(|| self.error(format!("{what} has an absurd shape {:?}", ds.shape())))
    }

    /// Reads a numeric dataset (or a selection of it) converted to `f32`, in C order.
    pub(crate) fn read_f32(
        &self,
        ds: &Dataset,
        sel: Option<&SliceInfo>,
        what: &str,
    ) -> Result<Vec<f32>> {
        if sel.is_none() {
            self.checked_len(ds, what)?;
        }
        // f32 data is read as f32 directly (the common case), other types through f64.
        if matches!(ds.dtype(), Datatype::FloatingPoint { size: 4, .. }) {
            return read_typed::<f32, f32>(ds, sel, |v| v)
                .map_err(|e| self.error(format!("cannot read {what}: {}", h5_message(&e))));
        }
        self.read_with(ds, sel, what, |v| v as f32)
    }

    /// Reads a numeric dataset converted to `f64`, in C order.
    pub(crate) fn read_f64(&self, ds: &Dataset, what: &str) -> Result<Vec<f64>> {
        self.checked_len(ds, what)?;
        self.read_with(ds, None, what, |v| v)
    }

    /// Reads an integer dataset as `i64`, in C order; floating-point data is refused.
    pub(crate) fn read_i64(&self, ds: &Dataset, what: &str) -> Result<Vec<i64>> {
        self.checked_len(ds, what)?;
        let wrong = || {
            self.error(format!(
                "{what} has type {}, expected integers",
                describe(ds.dtype())
            ))
        };
        if !matches!(ds.dtype(), Datatype::FixedPoint { .. }) {
            return Err(wrong());
        }
        let r: std::result::Result<Vec<Option<i64>>, _> = with_numeric_type!(
            ds.dtype(),
            T => read_typed::<T, Option<i64>>(ds, None, Numeric::to_i64),
            return Err(wrong())
        );
        r.map_err(|e| self.error(format!("cannot read {what}: {}", h5_message(&e))))?
            .into_iter()
            .map(|v| v.ok_or_else(|| self.error(format!("{what} holds a value beyond i64"))))
            .collect()
    }

    fn read_with<U>(
        &self,
        ds: &Dataset,
        sel: Option<&SliceInfo>,
        what: &str,
        conv_f: fn(f64) -> U,
    ) -> Result<Vec<U>> {
        let r = with_numeric_type!(
            ds.dtype(),
            T => read_typed::<T, U>(ds, sel, |v| conv_f(v.to_f64())),
            return Err(self.error(format!(
                "{what} has type {}, expected numbers",
                describe(ds.dtype())
            )))
        );
        r.map_err(|e| self.error(format!("cannot read {what}: {}", h5_message(&e))))
    }
}

/// The element types of [`H5File::attr_n`].
pub(crate) trait AttrNumber: Copy {
    fn read(file: &H5File, a: &Attribute, where_: &str) -> Result<Vec<Self>>;
}

impl AttrNumber for f64 {
    fn read(file: &H5File, a: &Attribute, where_: &str) -> Result<Vec<Self>> {
        file.attr_f64s(a, where_)
    }
}

impl AttrNumber for i64 {
    fn read(file: &H5File, a: &Attribute, where_: &str) -> Result<Vec<Self>> {
        file.attr_i64s(a, where_)
    }
}

/// Whether an HDF5 library error (under any context wrappers) says an object was not found.
pub(crate) fn is_not_found(e: &H5Error) -> bool {
    match e {
        H5Error::Context { source, .. } => is_not_found(source),
        H5Error::GroupNotFound(_) | H5Error::DatasetNotFound(_) | H5Error::AttributeNotFound(_) => {
            true
        }
        _ => false,
    }
}

/// An error of the HDF5 library as a message that says "truncated" when a read ran past the
/// end of the file: a file cut short after it was opened (`open` checks the length first).
pub(crate) fn h5_message(e: &H5Error) -> String {
    fn ends_early(e: &H5Error) -> bool {
        match e {
            H5Error::Context { source, .. } => ends_early(source),
            H5Error::Io(io) => io.kind() == std::io::ErrorKind::UnexpectedEof,
            _ => false,
        }
    }
    match ends_early(e) {
        true => format!("truncated file (shorter than when it was opened): {e}"),
        false => e.to_string(),
    }
}

/// Whether `parent` has a member (group or dataset) called `name`.
pub(crate) fn has_member(parent: &Group, name: &str) -> bool {
    parent
        .member_names()
        .map(|(g, d)| g.iter().chain(d.iter()).any(|n| n == name))
        .unwrap_or(false)
}

/// The root group of the HDF5 file at `path`, `None` when it cannot be read: for cheap format
/// checks.
pub(crate) fn probe_root(path: &Path) -> Option<Group> {
    Hdf5File::open(path).ok()?.root_group().ok()
}

/// Whether `group` has an attribute called `name` (`false` when they cannot be read).
pub(crate) fn has_attr(group: &Group, name: &str) -> bool {
    group
        .attributes()
        .map(|attrs| attrs.iter().any(|a| a.name == name))
        .unwrap_or(false)
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

/// Whether a datatype is one of the numeric types the readers convert.
pub(crate) fn is_numeric(dtype: &Datatype) -> bool {
    with_numeric_type!(dtype, T => { let _ = std::mem::size_of::<T>(); true }, false)
}

fn read_typed<T: Numeric, U>(
    ds: &Dataset,
    sel: Option<&SliceInfo>,
    conv: impl Fn(T) -> U,
) -> std::result::Result<Vec<U>, H5Error> {
    let a = match sel {
        Some(s) => ds.read_slice::<T>(s)?,
        None => ds.read_array::<T>()?,
    };
    Ok(a.iter().map(|&v| conv(v)).collect())
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

/// A selection of `len` consecutive values from `start` of a 1-D dataset.
pub(crate) fn select_range(start: u64, len: u64) -> SliceInfo {
    SliceInfo {
        selections: vec![SliceInfoElem::Slice {
            start,
            end: start + len,
            step: 1,
        }],
    }
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
    int_from_bytes(bytes.get(..*size as usize)?, *signed, byte_order)
}

/// A two's-complement or unsigned integer of 1 to 8 bytes in `order` (`None` for other
/// sizes, or an unsigned 8-byte value beyond `i64`).
pub(crate) fn int_from_bytes(b: &[u8], signed: bool, order: &ByteOrder) -> Option<i64> {
    let n = b.len();
    if !(1..=8).contains(&n) {
        return None;
    }
    let mut le = [0u8; 8];
    for (i, v) in le.iter_mut().enumerate().take(n) {
        *v = match order {
            ByteOrder::LittleEndian => b[i],
            ByteOrder::BigEndian => b[n - 1 - i],
        };
    }
    if signed && le[n - 1] & 0x80 != 0 {
        le[n..].fill(0xff);
    }
    let v = i64::from_le_bytes(le);
    (signed || n < 8 || v >= 0).then_some(v)
}

/// Decodes records of a compound type of integer members into `N` integers each, members
/// picked by name (`names`); records are `raw` as stored (each member in its own byte order).
/// Errors are plain messages; the caller says where.
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
