//! `Image`: a rendered image (or a packed stereo pair) with its colouring, as the command
//! line writes it: `.save(path)` writes the same PNG (to a temporary file renamed into place),
//! `.values` the same float32 array as `--values`, `.rgba` the PNG's pixels.

use crate::errors::guarded;
use amrcast::session::{write_images, Outputs, Rendered};
use amrcast::stereo::{compose, Packing};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use std::path::PathBuf;

/// One image, or a stereo pair packed into one picture (side by side, top-bottom, anaglyph,
/// interleaved).
#[pyclass(module = "amrcast._amrcast", name = "Image", frozen)]
pub struct Image {
    /// One image, or the left and right eyes of a packed pair.
    pub(crate) images: Vec<Rendered>,
    pub(crate) packing: Option<Packing>,
}

impl Image {
    pub fn mono(image: Rendered) -> Image {
        Image {
            images: vec![image],
            packing: None,
        }
    }

    /// The 8-bit RGBA pixels and their size (the packed picture for a packed pair).
    fn pixels(&self) -> amrcast::Result<(Vec<u8>, u32, u32)> {
        let (w, h) = self.images[0].size();
        match (self.packing, &self.images[..]) {
            (Some(p), [l, r]) => compose(p, &l.rgba8(), &r.rgba8(), w, h),
            _ => Ok((self.images[0].rgba8(), w, h)),
        }
    }

    fn values_array<'py>(py: Python<'py>, image: &Rendered) -> PyResult<Bound<'py, PyAny>> {
        let (shape, data) = image.values();
        Ok(PyArray1::from_vec(py, data).reshape(shape)?.into_any())
    }
}

#[pymethods]
impl Image {
    /// (width, height) in pixels of the picture `save` writes.
    #[getter]
    fn size(&self, py: Python<'_>) -> PyResult<(u32, u32)> {
        let (_, w, h) = guarded(py, || self.pixels())?;
        Ok((w, h))
    }

    /// The raw float32 values, as `amrcast render --values` writes them: projection (H, W)
    /// integrals, mip (H, W) maxima, composite (H, W, 4) premultiplied RGBA; row 0 at the top.
    /// A packed stereo pair gives a tuple (left, right).
    #[getter]
    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.images.len() == 1 {
            return Self::values_array(py, &self.images[0]);
        }
        let eyes = self
            .images
            .iter()
            .map(|i| Self::values_array(py, i))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyTuple::new(py, eyes)?.into_any())
    }

    /// The PNG's pixels: uint8 (H, W, 4), row 0 at the top.
    #[getter]
    fn rgba<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (pixels, w, h) = guarded(py, || self.pixels())?;
        let shape = [h as usize, w as usize, 4];
        Ok(PyArray1::from_vec(py, pixels).reshape(shape)?.into_any())
    }

    /// The two eyes of a packed stereo pair as images of their own; `None` for one image.
    #[getter]
    fn eyes(&self) -> Option<(Image, Image)> {
        match &self.images[..] {
            [l, r] => Some((Image::mono(l.clone()), Image::mono(r.clone()))),
            _ => None,
        }
    }

    /// Writes the PNG to `path` (a temporary file renamed into place), and with `values` the
    /// raw values as NPY (a packed pair: `VALUES_L.npy` and `VALUES_R.npy`).
    #[pyo3(signature = (path, values=None))]
    fn save(&self, py: Python<'_>, path: PathBuf, values: Option<PathBuf>) -> PyResult<()> {
        let stereo = (self.images.len() == 2).then_some(self.packing);
        let outputs = Outputs::new(&path, values.as_deref(), stereo);
        guarded(py, || write_images(&self.images, &outputs))
    }

    /// The PNG's bytes, for Jupyter's rich display.
    fn _repr_png_<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = guarded(py, || {
            let (pixels, w, h) = self.pixels()?;
            let mut out = Vec::new();
            amrcast::output::encode_png_rgba8(&mut out, w, h, &pixels)
                .map_err(|e| amrcast::Error::Settings(format!("PNG encoding failed: {e}")))?;
            Ok(out)
        })?;
        Ok(PyBytes::new(py, &bytes))
    }

    fn __repr__(&self) -> String {
        let (w, h) = self.images[0].size();
        let mode = self.images[0].image.mode.name();
        match self.packing {
            Some(p) => format!("<amrcast.Image stereo pair {w}x{h} per eye, {mode}, {p:?}>"),
            None => format!("<amrcast.Image {w}x{h} {mode}>"),
        }
    }
}
