//! Rendering one image with several processes (MPI ranks): sort-last rendering for data larger
//! than one node.
//!
//! - [`pieces`]: the kd-tree's leaves divided among ranks into compact pieces of about equal
//!   cell count, separated by planes, and the pieces' front-to-back order for a camera.
//! - [`schedule`]: how the ranks' partial images are composited (binary swap, radix-k), with
//!   [`crate::composite`]'s step.
//! - [`piece_field`]: a rank's lazily read field with the statistics of the whole.
//!
//! These are free of GPU and MPI code. With the `mpi` cargo feature, [`comm`] talks MPI
//! (status exchanges that turn one rank's failure into every rank's error, the exchange of
//! image parts) and [`frame`] renders a rank's piece and composites a frame through it.

pub mod piece_field;
pub mod pieces;
pub mod schedule;

#[cfg(feature = "mpi")]
pub mod comm;
#[cfg(feature = "mpi")]
pub mod frame;

pub use pieces::Pieces;
pub use schedule::Schedule;
