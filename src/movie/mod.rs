//! `amrcast movie`: image sequences along a camera path.
//!
//! - One transfer function for the whole sequence, fixed before the first frame: from
//!   `--bounds`, else from the field's range (for a time series, the range over all datasets).
//!   Frames are never normalised on their own.
//! - Resumable: every file is written to a temporary file and renamed into place, so a frame
//!   file exists only when complete; a rerun skips the frames whose files exist and removes the
//!   temporary files that a killed run left for the frames it renders.
//! - Cluster-friendly: `--frames A..B` and `--shard I/N` select the frames of one task.

pub mod encode;
mod flat;
pub mod frames;
mod progress;
#[cfg(feature = "mpi")]
pub mod ranks;
pub mod series;

pub use encode::{encode, find_ffmpeg};
pub use frames::{
    frame_eye_file, frame_file, parse_frame_range, parse_shard, select_frames, FrameFiles,
    FrameRange, Shard,
};
pub use series::{dataset_for_frame, expand_pattern};

use crate::amr::FieldSource;
use crate::annotate::Annotations;
use crate::error::{Error, Result};
use crate::figure::{render_annotated_eyes, write_annotated, FigureData};
use crate::formats::Metadata;
use crate::gpu::{GpuContext, OffscreenTarget};
use crate::path::CameraPath;
use crate::session::{write_images, RenderRequest, Session};
use crate::stereo::{Packing, StereoRig};
use progress::Progress;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A movie to render: what the command line's `movie` options come down to.
#[derive(Clone, Debug)]
pub struct MovieJob {
    /// Camera path file (TOML); `None` with `zoom_in` / `orbit`.
    pub path: Option<PathBuf>,
    /// Data, look, size, and the start camera of a `zoom_in` / `orbit` path.
    pub request: RenderRequest,
    /// Stereo rig and packing (`None`: separate files per eye); `None` for mono.
    pub stereo: Option<(StereoRig, Option<Packing>)>,
    /// Output directory (created when missing).
    pub output: PathBuf,
    /// Also write each frame's raw values as NPY.
    pub values: bool,
    pub frames: Option<FrameRange>,
    pub shard: Option<Shard>,
    /// Shorthand path: zoom in by this factor toward the focus.
    pub zoom_in: Option<f64>,
    /// Shorthand path: orbit this many degrees about the focus.
    pub orbit: Option<f64>,
    /// Frames of a shorthand path.
    pub count: usize,
    /// Time series: a pattern of datasets spread over the frames.
    pub datasets: Option<String>,
    /// Video to encode with ffmpeg after rendering.
    pub encode: Option<PathBuf>,
    pub fps: f64,
    /// Annotations drawn on every frame (mono only).
    pub annotate: Annotations,
}

/// Frames of one dataset: ray-cast with one upload, or of a 2-D dataset, its images.
enum FrameRenderer {
    Volume(Box<VolumeFrames>),
    Flat(Box<FlatJob>),
}

/// Frames of a 2-D dataset, and the GPU context to hand back for the next dataset.
struct FlatJob {
    frames: flat::FlatFrames,
    ctx: GpuContext,
    files: FrameFiles,
}

/// Frames of one dataset, rendered with one upload.
struct VolumeFrames {
    session: Session,
    target: OffscreenTarget,
    files: FrameFiles,
    /// The annotations and what they need of the data, when there are any.
    figure: Option<(Annotations, FigureData)>,
}

impl FrameRenderer {
    fn new(
        ctx: GpuContext,
        (field, metadata): (Arc<dyn FieldSource>, Metadata),
        job: &MovieJob,
        files: FrameFiles,
    ) -> Result<Self> {
        if crate::slice::flat::is_flat(field.hierarchy()) {
            let settings = &job.request.settings;
            let frames = flat::FlatFrames::new(
                (field.as_ref(), metadata),
                &settings.tf,
                settings.interpolation,
                job.annotate,
                job.stereo.is_some(),
            )?;
            let job = FlatJob { frames, ctx, files };
            return Ok(FrameRenderer::Flat(Box::new(job)));
        }
        let frames = VolumeFrames::new(ctx, (field, metadata), job, files)?;
        Ok(FrameRenderer::Volume(Box::new(frames)))
    }

    /// Renders frame `k` and writes its files; returns the last PNG written.
    fn render(&self, path: &CameraPath, dir: &Path, k: usize) -> Result<PathBuf> {
        match self {
            FrameRenderer::Volume(v) => v.render(path, dir, k),
            FrameRenderer::Flat(f) => {
                let outputs = f.files.outputs(dir, k);
                f.frames
                    .render(&path.frame_camera(k), f.files.size, &outputs)?;
                Ok(outputs.pngs.last().cloned().unwrap_or_default())
            }
        }
    }

    /// Hands the GPU context back for the next dataset.
    fn into_context(self) -> GpuContext {
        match self {
            FrameRenderer::Volume(v) => v.session.ctx,
            FrameRenderer::Flat(f) => f.ctx,
        }
    }
}

impl VolumeFrames {
    fn new(
        ctx: GpuContext,
        (field, metadata): (Arc<dyn FieldSource>, Metadata),
        job: &MovieJob,
        files: FrameFiles,
    ) -> Result<Self> {
        let figure = job
            .annotate
            .any()
            .then(|| (job.annotate, FigureData::new(field.as_ref(), &metadata)));
        let gpu = job.request.data.memory.gpu;
        let session = Session::with_source(ctx, field, &job.request.settings, gpu)?;
        let (w, h) = job.request.size;
        let target = OffscreenTarget::new(&session.ctx, w, h)?;
        Ok(VolumeFrames {
            session,
            target,
            files,
            figure,
        })
    }

    /// Renders frame `k` (one image, or one per eye) and writes its files: the values first,
    /// then the PNGs, the last of which marks the frame complete. Returns that last PNG.
    fn render(&self, path: &CameraPath, dir: &Path, k: usize) -> Result<PathBuf> {
        let outputs = self.files.outputs(dir, k);
        if let Some((annotations, data)) = &self.figure {
            let cam = path.frame_camera(k);
            let values = self.files.values;
            let rig = self.files.stereo.as_ref().map(|(rig, _)| rig);
            let images = render_annotated_eyes(
                &self.session,
                &self.target,
                rig,
                &cam,
                annotations,
                data,
                values,
                None,
            )?;
            write_annotated(&images, self.files.size, &outputs)?;
            return Ok(outputs.pngs.last().cloned().unwrap_or_default());
        }
        let rig = self.files.stereo.as_ref().map(|(rig, _)| rig);
        let images = self
            .session
            .render_eyes(&self.target, rig, &path.frame_camera(k))?;
        write_images(&images, &outputs)?;
        Ok(outputs.pngs.last().cloned().unwrap_or_default())
    }
}

/// Which positional is what: `PATH.toml [DATASET]`, or with a shorthand only `[DATASET]`.
/// Returns the path file and the dataset.
fn positionals(job: &MovieJob) -> Result<(Option<PathBuf>, Option<PathBuf>)> {
    let shorthand = job.zoom_in.is_some() || job.orbit.is_some();
    let dataset = &job.request.data.dataset;
    match (shorthand, &job.path, dataset) {
        (true, Some(_), Some(_)) => Err(Error::Settings(
            "--zoom-in / --orbit build the camera path: give no PATH.toml, only the dataset".into(),
        )),
        (true, Some(p), None) if p.extension().is_some_and(|e| e == "toml") => {
            Err(Error::Settings(format!(
                "give either the path file {} or --zoom-in / --orbit, not both",
                p.display()
            )))
        }
        (true, p, d) => Ok((None, p.clone().or(d.clone()))),
        (false, None, _) => Err(Error::Settings(
            "give a camera path PATH.toml, or --zoom-in FACTOR / --orbit DEGREES".into(),
        )),
        (false, Some(p), d) => Ok((Some(p.clone()), d.clone())),
    }
}

/// Checks the options that do not need the data; returns the path file, the request with
/// the dataset to open (the first of a series), and the series.
fn check(job: &MovieJob) -> Result<(Option<PathBuf>, RenderRequest, Option<Vec<PathBuf>>)> {
    let (path_file, dataset) = positionals(job)?;
    if path_file.is_some() && job.request.camera.places_camera() {
        return Err(Error::Settings(
            "the path file sets the camera: --view, --camera-position, --focus, --up, --width and --fov apply only to --zoom-in / --orbit".into(),
        ));
    }
    if !(job.fps.is_finite() && job.fps > 0.0) {
        return Err(Error::Settings(format!(
            "--fps {} must be positive",
            job.fps
        )));
    }
    if let (Some(video), Some((_, None))) = (&job.encode, &job.stereo) {
        return Err(Error::Settings(format!(
            "--encode {} needs one image per frame: with --stereo, choose a --stereo-layout other than separate",
            video.display()
        )));
    }
    let series = match (&job.datasets, &dataset) {
        (Some(_), Some(d)) => {
            return Err(Error::Settings(format!(
                "give either a dataset ({}) or --datasets, not both",
                d.display()
            )))
        }
        (Some(pattern), None) => Some(expand_pattern(pattern)?),
        (None, _) => None,
    };
    let mut request = job.request.clone();
    request.data.dataset = series.as_ref().map(|s| s[0].clone()).or(dataset);
    Ok((path_file, request, series))
}

/// Data a front end already holds, for [`movie_of`]: a field (instead of the job's dataset)
/// and a GPU context (instead of opening one).
#[derive(Clone, Default)]
pub struct MovieData {
    pub field: Option<(Arc<dyn FieldSource>, Metadata)>,
    pub ctx: Option<GpuContext>,
}

/// The camera path (from the path file, or a shorthand from the first dataset's domain), the
/// first dataset when it was opened for it, and the path's text for the settings record.
type PlannedPath = (CameraPath, Option<OpenField>, String);

/// A field opened for rendering, with what its reader knows of the dataset.
type OpenField = (Arc<dyn FieldSource>, Metadata);

/// `open` opens the field (the job's dataset, or data a front end holds).
fn camera_path(
    job: &MovieJob,
    path_file: Option<&Path>,
    request: &RenderRequest,
    open: &dyn Fn(&RenderRequest) -> Result<OpenField>,
) -> Result<PlannedPath> {
    // The path file's text, read once: parsed here and recorded in the settings record.
    if let Some(p) = path_file {
        let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
        let path =
            CameraPath::parse(&text, request.camera.lens).map_err(|what| Error::format(p, what))?;
        return Ok((path, None, text));
    }
    let ds = open(request)?;
    let h = ds.0.hierarchy();
    let start = request.camera(h.domain_left, h.domain_right)?;
    let path = CameraPath::shorthand(
        job.count,
        start,
        job.zoom_in.unwrap_or(1.0),
        job.orbit.unwrap_or(0.0),
    )?;
    let text = format!(
        "zoom_in = {:?}\norbit = {:?}\ncount = {}\n",
        job.zoom_in, job.orbit, job.count
    );
    Ok((path, Some(ds), text))
}

/// Creates the output directory, checks or writes the settings record, and returns the
/// selected frames still to render (see [`frames_to_render`]).
fn frames_to_do(
    job: &MovieJob,
    request: &RenderRequest,
    path_text: &str,
    files: &FrameFiles,
    selected: &[usize],
    total: usize,
) -> Result<Vec<usize>> {
    let dir = &job.output;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    check_settings_record(dir, &settings_record(job, request, path_text))?;
    frames_to_render(files, dir, selected, total)
}

/// `amrcast movie`.
pub fn movie(job: &MovieJob) -> Result<()> {
    movie_of(job, MovieData::default())
}

/// [`movie`] of a field already open (the Python package's scenes) on a context already open:
/// the same frames and files; a time series (`datasets`) needs the job's own datasets.
pub fn movie_of(job: &MovieJob, data: MovieData) -> Result<()> {
    if let (Some(_), Some(pattern)) = (&data.field, &job.datasets) {
        return Err(Error::Settings(format!(
            "--datasets {pattern} renders datasets from files: it does not apply to data already open"
        )));
    }
    let open = |request: &RenderRequest| match &data.field {
        Some(field) => Ok(field.clone()),
        None => request.data.open_field(),
    };
    let context = || match &data.ctx {
        Some(ctx) => Ok(ctx.clone()),
        None => GpuContext::new(),
    };
    let (path_file, request, series) = check(job)?;
    let files = FrameFiles {
        stereo: job.stereo,
        values: job.values,
        size: request.size,
    };
    let ffmpeg = job.encode.as_ref().map(|_| find_ffmpeg()).transpose()?;
    let (path, first, path_text) = camera_path(job, path_file.as_deref(), &request, &open)?;
    let selected = select_frames(path.frames, job.frames, job.shard)?;
    let dir = &job.output;
    let todo = frames_to_do(job, &request, &path_text, &files, &selected, path.frames)?;
    if !todo.is_empty() {
        let mut progress = Progress::new(todo.len());
        let mut render = |fr: &FrameRenderer, frames: &[usize]| -> Result<()> {
            for &k in frames {
                progress.frame_done(&fr.render(&path, dir, k)?);
            }
            Ok(())
        };
        match &series {
            None => {
                // One upload, one transfer function for the whole movie.
                let ds = match first {
                    Some(ds) => ds,
                    None => open(&request)?,
                };
                let fr = FrameRenderer::new(context()?, ds, job, files)?;
                render(&fr, &todo)?;
            }
            Some(list) => {
                drop(first);
                let job = with_series_bounds(job, &request, list)?;
                let mut ctx = context()?;
                for (d, frames) in group_by_dataset(&todo, path.frames, list.len()) {
                    let ds = request.data.with_dataset(&list[d]).open_field()?;
                    let fr = FrameRenderer::new(ctx, ds, &job, files)?;
                    render(&fr, &frames)?;
                    ctx = fr.into_context();
                }
            }
        }
        progress.finish();
    }
    if let (Some(video), Some(ffmpeg)) = (&job.encode, &ffmpeg) {
        encode(ffmpeg, dir, path.frames, job.fps, video)?;
        eprintln!("amrcast: wrote {}", video.display());
    }
    Ok(())
}

/// The selected frames that are not complete yet, after removing the temporary files a killed
/// run left for them; prints what the run will do.
fn frames_to_render(
    files: &FrameFiles,
    dir: &Path,
    selected: &[usize],
    total: usize,
) -> Result<Vec<usize>> {
    let mut todo = Vec::new();
    for &k in selected {
        if !files.complete(dir, k)? {
            todo.push(k);
        }
    }
    let stale = frames::remove_stale_temporaries(dir, &todo)?;
    eprintln!(
        "amrcast: movie of {total} frames: {} selected, {} already complete, {} to render{}",
        selected.len(),
        selected.len() - todo.len(),
        todo.len(),
        if stale > 0 {
            format!(" ({stale} unfinished temporary files removed)")
        } else {
            String::new()
        }
    );
    Ok(todo)
}

/// The job with the colour scale fixed to the range over every dataset of the series, unless
/// `--bounds` fixed it.
fn with_series_bounds(
    job: &MovieJob,
    request: &RenderRequest,
    list: &[PathBuf],
) -> Result<MovieJob> {
    let mut job = job.clone();
    let tf = &mut job.request.settings.tf;
    if tf.bounds.is_none() {
        let b = series::series_bounds(&request.data, tf.scale, list)?;
        eprintln!(
            "amrcast: colour scale fixed to the range over all {} datasets: {},{}",
            list.len(),
            b.0,
            b.1
        );
        tf.bounds = Some(b);
    }
    Ok(job)
}

/// `frames` (in order) grouped into runs that show the same dataset of `datasets`.
fn group_by_dataset(frames: &[usize], total: usize, datasets: usize) -> Vec<(usize, Vec<usize>)> {
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for &k in frames {
        let d = dataset_for_frame(k, total, datasets);
        match groups.last_mut() {
            Some((last, run)) if *last == d => run.push(k),
            _ => groups.push((d, vec![k])),
        }
    }
    groups
}

/// File in the output directory that records what its frames were rendered with.
pub const SETTINGS_FILE: &str = "movie-settings.txt";

/// Everything that decides the pixels of a frame (not which frames a task renders).
fn settings_record(job: &MovieJob, request: &RenderRequest, path_text: &str) -> String {
    // Only annotated movies record their annotations, so older records still match.
    let annotate = match job.annotate.any() {
        true => format!("# annotate: {:?}\n", job.annotate),
        false => String::new(),
    };
    format!(
        "# amrcast movie: the frames in this directory were rendered with these settings\n\
         # render options: {request:?}\n# stereo: {:?}\n# datasets: {:?}\n{annotate}\
         # camera path:\n{path_text}\n",
        job.stereo, job.datasets
    )
}

/// Writes the settings record into `dir`, or checks it against the one there: frames of
/// another movie are never mixed in, nor skipped as if complete.
fn check_settings_record(dir: &Path, record: &str) -> Result<()> {
    let file = dir.join(SETTINGS_FILE);
    match std::fs::read_to_string(&file) {
        Ok(old) if old == record => Ok(()),
        Ok(_) => Err(Error::format(
            &file,
            "the frames in this directory were rendered with other settings (camera path, dataset or render options); use another output directory, or remove the old frames and this file",
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::output::write_atomically(&file, |w| w.write_all(record.as_bytes()))
        }
        Err(e) => Err(Error::io(&file, e)),
    }
}
