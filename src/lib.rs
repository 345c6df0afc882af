//! amrcast: GPU ray casting of block-structured AMR data.
//!
//! The modules follow the data's path: [`formats`] read files into the [`amr`] model;
//! [`demo`] builds a dataset without files; [`bricks`] cuts grids into bricks with borders and a
//! kd-tree of non-overlapping leaves; [`gpu`] uploads them and ray-casts in WGSL compute
//! shaders; [`output`] writes PNG and NPY files.

pub mod amr;
pub mod error;
pub mod formats;
pub mod info;

pub use error::{Error, Result};
pub mod bricks;
pub mod camera;
pub mod cli;
pub mod demo;
pub mod gpu;
pub mod movie;
pub mod output;
pub mod path;
pub mod reference;
pub mod render;
pub mod stereo;
pub mod tiles;
pub mod transfer;
pub mod viewer;
pub mod wall;
