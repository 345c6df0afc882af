//! `amrcast movie` options, and the command: [`crate::movie::movie`] in one process, or over
//! MPI ranks ([`crate::movie::ranks`], `--features mpi`) under a launcher.

use super::args::{AnnotateArgs, RenderOptions, StereoArgs};
use crate::error::Result;
use crate::movie::{parse_frame_range, parse_shard, FrameRange, MovieJob, Shard};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Clone, Debug)]
pub struct MovieArgs {
    /// Camera path (TOML). Leave it out with --zoom-in / --orbit, which build a path from the
    /// camera options (--view, --camera-position, --focus, --up, --width, --fov, --lens).
    #[arg(value_name = "PATH.toml")]
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub opts: RenderOptions,
    /// Stereo movies: frame_NNNNN_L.png and _R.png (layout `separate`), or one packed
    /// frame_NNNNN.png per frame; --values writes frame_NNNNN_L.npy and _R.npy.
    #[command(flatten)]
    pub stereo: StereoArgs,
    /// Output directory (created when missing): frame_00000.png, frame_00001.png, ...
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write the raw float image of each frame as frame_NNNNN.npy (as `render --values`).
    #[arg(long)]
    pub values: bool,
    /// Frames to render: A..B (B excluded), A..=B, A.., ..B or A (0-based).
    #[arg(long, value_parser = parse_frame_range)]
    pub frames: Option<FrameRange>,
    /// Render frames I, I+N, I+2N, ... of the selection (I from 0): one task of a job array.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Shorthand path: zoom in by FACTOR toward the focus at constant apparent speed.
    #[arg(long, value_name = "FACTOR")]
    pub zoom_in: Option<f64>,
    /// Shorthand path: orbit DEGREES about the focus, around the camera's up axis.
    #[arg(long, value_name = "DEGREES", allow_hyphen_values = true)]
    pub orbit: Option<f64>,
    /// Number of frames of a --zoom-in / --orbit path.
    #[arg(long, default_value_t = 120)]
    pub count: usize,
    /// Time series: a pattern (`*` and `?` in any path component, quoted) whose matches, in
    /// sorted order, are spread over the frames in order.
    #[arg(long, value_name = "PATTERN")]
    pub datasets: Option<String>,
    /// After rendering, pipe all frames to ffmpeg to make this video (needs every frame).
    #[arg(long, value_name = "VIDEO")]
    pub encode: Option<PathBuf>,
    /// Frame rate of the --encode video.
    #[arg(long, default_value_t = 30.0)]
    pub fps: f64,
    #[command(flatten)]
    pub annotate: AnnotateArgs,
}

impl MovieArgs {
    /// The movie these options describe (an error for stereo options that do not fit).
    pub fn job(&self) -> Result<MovieJob> {
        Ok(MovieJob {
            path: self.path.clone(),
            request: self.opts.request(),
            stereo: self.stereo.resolve()?,
            output: self.output.clone(),
            values: self.values,
            frames: self.frames,
            shard: self.shard,
            zoom_in: self.zoom_in,
            orbit: self.orbit,
            count: self.count,
            datasets: self.datasets.clone(),
            encode: self.encode.clone(),
            fps: self.fps,
            annotate: self.annotate.annotations(),
        })
    }
}

/// `amrcast movie`: over the ranks when an MPI launcher started several (`--features mpi`;
/// on an error rank 0 prints it and every rank exits with status 1), else alone.
pub fn movie(args: &MovieArgs) -> anyhow::Result<()> {
    let job = args.job()?;
    #[cfg(feature = "mpi")]
    if let Some(()) = crate::cluster::comm::Cluster::run_if_launched(|cluster| {
        crate::movie::ranks::movie_ranks(&job, cluster)
    }) {
        return Ok(());
    }
    Ok(crate::movie::movie(&job)?)
}
