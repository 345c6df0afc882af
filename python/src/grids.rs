//! NumPy grids into the AMR model ([`amrcast::amr::InMemoryField`]).
//!
//! Convention (as yt's): a grid's values are an array of shape `(nx, ny, nz)` indexed
//! `[i, j, k]`, x first. amrcast stores x fastest, so a float32 array whose memory already
//! has x fastest (Fortran order, which is what yt's Enzo and many other grids are) is read in
//! place without a copy, the array kept alive by the scene; any other layout (C order, strided
//! views) is copied once into amrcast's order. The values must not be changed while a scene
//! uses them.

use crate::errors::value_error;
use amrcast::amr::{ExternalValues, GridArray, GridInput};
use glam::DVec3;
use numpy::{PyArray3, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A Fortran-ordered float32 array's memory, read in place; the array is kept alive here.
struct NumpyValues {
    _array: Py<PyArray3<f32>>,
    ptr: *const f32,
    len: usize,
}

// SAFETY: the pointer is into the memory of `_array`, which this struct keeps alive (numpy
// does not move or free an array's data while a reference to it exists), and it is only read.
unsafe impl Send for NumpyValues {}
// SAFETY: as above; shared access is read-only.
unsafe impl Sync for NumpyValues {}

impl ExternalValues for NumpyValues {
    fn values(&self) -> &[f32] {
        // SAFETY: `ptr` points at `len` aligned f32 values kept alive by `_array` (see the
        // constructor: a Fortran-contiguous, aligned, native float32 array).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// A grid's values as given: ready (read in place, or copied from a strided view), or a
/// C-ordered array still to transpose (which can happen on another thread).
pub enum Layout {
    Ready(GridArray),
    C(CArray),
}

/// A C-ordered float32 array to transpose, kept alive while its memory is read.
pub struct CArray {
    array: Py<PyArray3<f32>>,
    ptr: *const f32,
    dims: [usize; 3],
}

// SAFETY: `ptr` points into the memory of `array`, which this struct keeps alive; the memory
// is only read.
unsafe impl Send for CArray {}
// SAFETY: as above; shared access is read-only.
unsafe impl Sync for CArray {}

impl CArray {
    /// The values with x fastest (no Python call: the GIL need not be held).
    pub fn transpose(&self) -> GridArray {
        let len = self.dims.iter().product();
        // SAFETY: `len` aligned f32 values of a C-contiguous array kept alive by `self.array`.
        let src = unsafe { std::slice::from_raw_parts(self.ptr, len) };
        GridArray::new(x_fastest_from_c(src, self.dims).into(), None)
    }

    /// Gives the array back (to be dropped with the GIL held).
    pub fn into_array(self) -> Py<PyArray3<f32>> {
        self.array
    }
}

/// Grid `n`'s values and dimensions: read in place when the layout allows, else to copy
/// with x fastest.
pub fn layout(n: usize, data: &Bound<'_, PyAny>) -> PyResult<([usize; 3], Layout)> {
    let arr = data.cast::<PyArrayDyn<f32>>().map_err(|_| {
        value_error(format!(
            "grid {n}: data must be a float32 NumPy array of shape (nx, ny, nz)"
        ))
    })?;
    let shape = arr.shape().to_vec();
    let [nx, ny, nz] = shape[..] else {
        return Err(value_error(format!(
            "grid {n}: data has shape {shape:?}; give a 3-D array of shape (nx, ny, nz) (nz = 1 for 2-D data)"
        )));
    };
    let dims = [nx, ny, nz];
    let arr3 = arr.cast::<PyArray3<f32>>()?;
    let cells = nx * ny * nz;
    if cells > 0 && arr3.is_aligned() && arr3.is_fortran_contiguous() {
        let values = NumpyValues {
            _array: arr3.clone().unbind(),
            ptr: arr3.data() as *const f32,
            len: cells,
        };
        let ready = GridArray::external(std::sync::Arc::new(values));
        return Ok((dims, Layout::Ready(ready)));
    }
    if cells > 0 && arr3.is_aligned() && arr3.is_c_contiguous() {
        let c = CArray {
            array: arr3.clone().unbind(),
            ptr: arr3.data() as *const f32,
            dims,
        };
        return Ok((dims, Layout::C(c)));
    }
    // Any other layout: reversed axes (k, j, i) in logical order are i fastest.
    let ro = arr3.readonly();
    let copy: Vec<f32> = ro.as_array().t().iter().copied().collect();
    Ok((dims, Layout::Ready(GridArray::new(copy.into(), None))))
}

/// Grid `n`'s values, copied now (with the GIL released) when they must be.
fn grid_values(n: usize, data: &Bound<'_, PyAny>) -> PyResult<([usize; 3], GridArray)> {
    match layout(n, data)? {
        (dims, Layout::Ready(values)) => Ok((dims, values)),
        (dims, Layout::C(c)) => {
            let values = data.py().detach(|| c.transpose());
            drop(c.into_array());
            Ok((dims, values))
        }
    }
}

/// Cells from which a C-ordered grid is transposed on several threads.
const PARALLEL_CELLS: usize = 1 << 20;

/// The values of a C-ordered `(nx, ny, nz)` array (z fastest) with x fastest: planes of
/// `K` z values at a time, so each source run of `K` values is read once, on up to 8 threads
/// for large grids (each writes its own planes).
pub fn x_fastest_from_c(src: &[f32], [nx, ny, nz]: [usize; 3]) -> Vec<f32> {
    const K: usize = 16;
    let plane = nx * ny;
    let mut out = vec![0.0f32; src.len()];
    let stride = ny * nz;
    let fill = |c: usize, dst: &mut [f32]| {
        let k0 = c * K;
        // Rows of x written in order; the source lines of one (j, K planes) stay in cache.
        for j in 0..ny {
            for (dk, plane_out) in dst.chunks_exact_mut(plane).enumerate() {
                let base = j * nz + k0 + dk;
                let col = src[base..].iter().step_by(stride);
                for (d, v) in plane_out[nx * j..nx * (j + 1)].iter_mut().zip(col) {
                    *d = *v;
                }
            }
        }
    };
    let threads = match src.len() >= PARALLEL_CELLS {
        true => std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
        false => 1,
    };
    let mut chunks: Vec<(usize, &mut [f32])> = out.chunks_mut(plane * K).enumerate().collect();
    let per = chunks.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        while !chunks.is_empty() {
            let rest = chunks.split_off(per.min(chunks.len()));
            let batch = std::mem::replace(&mut chunks, rest);
            s.spawn(|| batch.into_iter().for_each(|(c, dst)| fill(c, dst)));
        }
    });
    out
}

/// Grid `n`'s level: an integer from 0 to 30.
pub fn level(n: usize, v: &Bound<'_, PyAny>) -> PyResult<u32> {
    let level: i64 = v
        .extract()
        .map_err(|_| value_error(format!("grid {n}: level must be an integer")))?;
    if !(0..=30).contains(&level) {
        return Err(value_error(format!(
            "grid {n}: level {level} must lie in 0..=30"
        )));
    }
    Ok(level as u32)
}

/// A 3-vector from any sequence of three numbers.
pub fn edge(n: usize, what: &str, v: &Bound<'_, PyAny>) -> PyResult<DVec3> {
    let v: Vec<f64> = v
        .extract()
        .map_err(|_| value_error(format!("grid {n}: {what} must be three numbers (x, y, z)")))?;
    match v[..] {
        [x, y, z] => Ok(DVec3::new(x, y, z)),
        _ => Err(value_error(format!(
            "grid {n}: {what} has {} numbers; give three (x, y, z)",
            v.len()
        ))),
    }
}

/// One grid from its dict: `left_edge`, `right_edge`, `level` and `data`.
fn grid(n: usize, item: &Bound<'_, PyAny>) -> PyResult<GridInput> {
    let d = item.cast::<PyDict>().map_err(|_| {
        value_error(format!(
            "grid {n}: give a dict with left_edge, right_edge, level and data"
        ))
    })?;
    let get = |key: &str| -> PyResult<Bound<'_, PyAny>> {
        d.get_item(key)?
            .ok_or_else(|| value_error(format!("grid {n}: no '{key}'")))
    };
    for key in d.keys() {
        let key: String = key.extract()?;
        if !["left_edge", "right_edge", "level", "data"].contains(&key.as_str()) {
            return Err(value_error(format!(
                "grid {n}: unknown key '{key}' (give left_edge, right_edge, level and data)"
            )));
        }
    }
    let level = level(n, &get("level")?)?;
    let (dims, values) = grid_values(n, &get("data")?)?;
    Ok(GridInput {
        left: edge(n, "left_edge", &get("left_edge")?)?,
        right: edge(n, "right_edge", &get("right_edge")?)?,
        level,
        dims,
        values,
    })
}

/// The grids of a `from_grids` call.
pub fn grids(items: &Bound<'_, PyAny>) -> PyResult<Vec<GridInput>> {
    let mut out = Vec::new();
    for (n, item) in items.try_iter()?.enumerate() {
        out.push(grid(n, &item?)?);
    }
    Ok(out)
}
