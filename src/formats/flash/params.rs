//! FLASH's name/value tables: `integer scalars`, `real scalars`, `string scalars`, `logical
//! scalars` and the four `... runtime parameters` datasets, each a 1-D compound dataset of
//! records `{ name: char[80], value: int | double | char[80] | int }` (FLASH 3 and 4, file
//! format versions 8 and 9); and the file format version from `sim info`.
//!
//! Names are Fortran strings, padded with blanks (and sometimes NULs); they are compared
//! trimmed and case-insensitively, as FLASH's own runtime parameters are.

use crate::error::Result;
use crate::formats::hdf5::{describe, has_member, int_from_bytes as int, H5File};
use hdf5_reader::group::Group;
use hdf5_reader::{ByteOrder, Datatype, StringSize};
use std::collections::HashMap;

const ROOT: &str = "the root group";

/// The kinds of value FLASH tables hold.
const KINDS: [&str; 4] = ["integer", "real", "string", "logical"];

/// One table value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    Int(i64),
    Real(f64),
    Str(String),
}

/// Every scalar and runtime parameter of a file, by table.
#[derive(Clone, Debug, Default)]
pub(super) struct Params {
    /// `"{kind} scalars"` / `"{kind} runtime parameters"` -> lower-case name -> value.
    tables: HashMap<String, HashMap<String, Value>>,
}

impl Params {
    /// Reads every table the root group holds (each is optional; the caller asks for what it
    /// needs and names the table in its error).
    pub(super) fn read(file: &H5File, root: &Group) -> Result<Self> {
        let mut tables = HashMap::new();
        for kind in KINDS {
            for suffix in ["scalars", "runtime parameters"] {
                let name = format!("{kind} {suffix}");
                if has_member(root, &name) {
                    let table = read_table(file, root, &name)?;
                    tables.insert(name, table);
                }
            }
        }
        Ok(Params { tables })
    }

    fn get(&self, table: &str, name: &str) -> Option<&Value> {
        self.tables.get(table)?.get(&name.to_ascii_lowercase())
    }

    /// An integer from `"integer {suffix}"` (`scalars` or `runtime parameters`).
    pub(super) fn int(&self, suffix: &str, name: &str) -> Option<i64> {
        match self.get(&format!("integer {suffix}"), name)? {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }

    /// A real from `"real {suffix}"`.
    pub(super) fn real(&self, suffix: &str, name: &str) -> Option<f64> {
        match self.get(&format!("real {suffix}"), name)? {
            Value::Real(v) => Some(*v),
            _ => None,
        }
    }

    /// A logical from `"logical {suffix}"` (stored as an integer, nonzero for true).
    pub(super) fn logical(&self, suffix: &str, name: &str) -> Option<bool> {
        match self.get(&format!("logical {suffix}"), name)? {
            Value::Int(v) => Some(*v != 0),
            _ => None,
        }
    }

    /// A string from `"string {suffix}"`, trimmed, with any quotes FLASH kept removed.
    pub(super) fn string(&self, suffix: &str, name: &str) -> Option<String> {
        match self.get(&format!("string {suffix}"), name)? {
            Value::Str(v) => Some(v.trim().trim_matches(['"', '\'']).trim().to_string()),
            _ => None,
        }
    }

    /// Whether the file has the table `table` ("integer scalars", ...).
    pub(super) fn has(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }
}

/// The file format version: the `file format version` member of `sim info` (FLASH 3 and 4),
/// or a `file format version` dataset (FLASH 2); `None` when neither is there.
pub(super) fn format_version(file: &H5File, root: &Group) -> Result<Option<i64>> {
    if has_member(root, "sim info") {
        let ds = file.dataset(root, "sim info", ROOT)?;
        let what = "dataset 'sim info'";
        let raw = ds
            .read_raw_bytes()
            .map_err(|e| file.error(format!("cannot read {what}: {e}")))?;
        let Datatype::Compound { size, fields } = ds.dtype() else {
            return Err(file.error(format!(
                "{what} has type {}, expected a compound",
                describe(ds.dtype())
            )));
        };
        let f = fields
            .iter()
            .find(|f| f.name == "file format version")
            .ok_or_else(|| file.error(format!("{what} has no member 'file format version'")))?;
        let rec = raw
            .get(..*size as usize)
            .ok_or_else(|| file.error(format!("{what} holds no record")))?;
        return match decode(rec, f.byte_offset as usize, &f.datatype) {
            Some(Value::Int(v)) => Ok(Some(v)),
            _ => Err(file.error(format!(
                "{what}: 'file format version' has type {}, expected an integer",
                describe(&f.datatype)
            ))),
        };
    }
    if has_member(root, "file format version") {
        let ds = file.dataset(root, "file format version", ROOT)?;
        let v = file.read_i64(&ds, "dataset 'file format version'")?;
        return Ok(v.first().copied());
    }
    Ok(None)
}

/// One table: its records' names (lower case) and values.
fn read_table(file: &H5File, root: &Group, name: &str) -> Result<HashMap<String, Value>> {
    let what = format!("dataset '{name}'");
    let ds = file.dataset(root, name, ROOT)?;
    file.checked_len(&ds, &what)?;
    let Datatype::Compound { size, fields } = ds.dtype() else {
        return Err(file.error(format!(
            "{what} has type {}, expected a compound of (name, value)",
            describe(ds.dtype())
        )));
    };
    let member = |m: &str| {
        fields.iter().find(|f| f.name == m).ok_or_else(|| {
            file.error(format!(
                "{what} has no member '{m}', expected (name, value) records"
            ))
        })
    };
    let (name_f, value_f) = (member("name")?, member("value")?);
    let raw = ds
        .read_raw_bytes()
        .map_err(|e| file.error(format!("cannot read {what}: {e}")))?;
    let size = *size as usize;
    if size == 0 || raw.len() % size != 0 {
        return Err(file.error(format!(
            "{what}: {} bytes do not hold whole {size}-byte records",
            raw.len()
        )));
    }
    let mut table = HashMap::new();
    for (n, rec) in raw.chunks_exact(size).enumerate() {
        let bad = |m: &str, t: &Datatype| {
            file.error(format!(
                "{what}: record {n}: member '{m}' ({}) cannot be read",
                describe(t)
            ))
        };
        let key = match decode(rec, name_f.byte_offset as usize, &name_f.datatype) {
            Some(Value::Str(s)) => s.trim().to_ascii_lowercase(),
            _ => return Err(bad("name", &name_f.datatype)),
        };
        let value = decode(rec, value_f.byte_offset as usize, &value_f.datatype)
            .ok_or_else(|| bad("value", &value_f.datatype))?;
        table.entry(key).or_insert(value);
    }
    Ok(table)
}

/// The value of type `t` at `offset` of a record; `None` for other types or a member that
/// does not fit in the record.
fn decode(rec: &[u8], offset: usize, t: &Datatype) -> Option<Value> {
    match t {
        Datatype::FixedPoint {
            size,
            signed,
            byte_order,
        } => {
            let b = rec.get(offset..offset + *size as usize)?;
            int(b, *signed, byte_order).map(Value::Int)
        }
        Datatype::FloatingPoint { size, byte_order } => {
            let b = rec.get(offset..offset + *size as usize)?;
            let mut le = b.to_vec();
            if matches!(byte_order, ByteOrder::BigEndian) {
                le.reverse();
            }
            match *size {
                4 => Some(Value::Real(f32::from_le_bytes(le.try_into().ok()?) as f64)),
                8 => Some(Value::Real(f64::from_le_bytes(le.try_into().ok()?))),
                _ => None,
            }
        }
        Datatype::String {
            size: StringSize::Fixed(n),
            ..
        } => {
            let b = rec.get(offset..offset + *n as usize)?;
            let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
            let s = String::from_utf8_lossy(&b[..end]);
            Some(Value::Str(s.trim_end().to_string()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_of_every_width_and_order() {
        let le = ByteOrder::LittleEndian;
        let be = ByteOrder::BigEndian;
        assert_eq!(int(&(-5i32).to_le_bytes(), true, &le), Some(-5));
        assert_eq!(int(&(-5i32).to_be_bytes(), true, &be), Some(-5));
        assert_eq!(int(&300u16.to_le_bytes(), false, &le), Some(300));
        assert_eq!(int(&u64::MAX.to_le_bytes(), false, &le), None);
        assert_eq!(int(&[], true, &le), None);
    }

    #[test]
    fn records_decode_by_member_type() {
        let mut rec = b"nxb".to_vec();
        rec.resize(80, b' ');
        rec.extend_from_slice(&16i32.to_le_bytes());
        let name = Datatype::String {
            size: StringSize::Fixed(80),
            encoding: hdf5_reader::StringEncoding::Ascii,
            padding: hdf5_reader::StringPadding::NullTerminate,
        };
        let i32le = Datatype::FixedPoint {
            size: 4,
            signed: true,
            byte_order: ByteOrder::LittleEndian,
        };
        assert_eq!(decode(&rec, 0, &name), Some(Value::Str("nxb".into())));
        assert_eq!(decode(&rec, 80, &i32le), Some(Value::Int(16)));
        // A member past the record's end.
        assert_eq!(decode(&rec, 82, &i32le), None);
        let f64be = Datatype::FloatingPoint {
            size: 8,
            byte_order: ByteOrder::BigEndian,
        };
        assert_eq!(
            decode(&1.5f64.to_be_bytes(), 0, &f64be),
            Some(Value::Real(1.5))
        );
    }
}
