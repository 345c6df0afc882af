//! amrcast: GPU ray casting of block-structured AMR data.
//!
//! The layers, in the order data flows through them:
//!
//! 1. **Formats** ([`formats`]): each reader opens a dataset's geometry and field list cheaply
//!    and reads one field on request, into the **AMR model** ([`amr`]: hierarchy, grids,
//!    fields); [`demo`] builds a dataset without files (and writes a synthetic Enzo one of any
//!    size), [`info`] summarises one.
//! 2. **Bricks** ([`bricks`], [`tiles`]): grids cut into bricks with borders, a kd-tree of
//!    non-overlapping leaves, and per-tile lists of the leaves a tile's rays can meet.
//! 3. **What to draw** ([`camera`], [`stereo`], [`transfer`], [`render`], [`jitter`],
//!    [`path`]): cameras and lenses reduced to ray models, stereo rigs, the transfer function,
//!    the render settings and the float image, where rays take their samples; all GPU-free,
//!    with a CPU reference renderer ([`mod@reference`]). [`slice`] takes slices (a plane's
//!    values, on the CPU) into the same float image; [`annotate`] draws annotations (3-D lines
//!    for the ray caster, 2-D overlays on colours).
//! 4. **GPU** ([`gpu`]): the device, the ray caster (long-lived state and per-frame state),
//!    offscreen targets, the display pass and window surfaces.
//! 5. **Session** ([`session`]): one field on one GPU with one look; renders a camera or a
//!    stereo rig into images that carry their colouring, and writes PNG and NPY ([`output`]);
//!    [`figure`] renders annotated images through it.
//! 6. **Front ends**, each on the session: [`movie`] (image sequences), [`wall`] (stereo
//!    walls and CAVEs), [`viewer`] (the interactive window); [`cluster`] renders one image
//!    with several processes (sort-last over MPI ranks, with the `mpi` feature).
//! 7. **Command line** ([`cli`]): the top layer, parsing options into the types above; nothing
//!    below it imports it; [`measure`] times the child processes of `amrcast bench`.

pub mod amr;
pub mod annotate;
pub mod bricks;
pub mod camera;
pub mod cli;
pub mod cluster;
pub mod composite;
pub mod demo;
pub mod error;
pub mod figure;
pub mod formats;
pub mod gpu;
pub mod info;
pub mod jitter;
pub mod measure;
pub mod movie;
pub mod names;
pub mod output;
pub mod path;
pub mod progress;
pub mod reference;
pub mod render;
pub mod serve;
pub mod session;
pub mod slice;
pub mod stereo;
pub mod tile_stats;
pub mod tiles;
pub mod transfer;
pub mod viewer;
pub mod wall;

pub use error::{Error, Result};
