//! `amrcast movie`: image sequences along a camera path.
//!
//! - One transfer function for the whole sequence, fixed before the first frame: from
//!   `--bounds`, else from the field's range (for a time series, the range over all datasets).
//!   Frames are never normalised on their own.
//! - Resumable: every file is written to a temporary file and renamed into place, so a frame
//!   file exists only when complete; a rerun skips the frames whose files exist and removes the
//!   temporary files that a killed run left for the frames it renders.
//! - Cluster-friendly: `--frames A..B` and `--shard I/N` select the frames of one task.

use crate::camera::Camera;
use crate::cli::{load_dataset, RenderOptions, StereoArgs};
use crate::error::{Error, Result};
use crate::gpu::{GpuContext, OffscreenTarget, VolumeRenderer};
use crate::path::CameraPath;
use crate::render::depth_along;
use crate::stereo::{compose, Eye, Packing, StereoRig};
use crate::transfer::Scale;
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `amrcast movie` options.
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
}

/// A range of frame numbers; `end: None` is the end of the movie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameRange {
    pub start: usize,
    pub end: Option<usize>,
}

/// Task `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

pub fn parse_frame_range(s: &str) -> std::result::Result<FrameRange, String> {
    let bad = || format!("'{s}' is not a frame range (A..B, A..=B, A.., ..B or A)");
    let num = |x: &str| x.trim().parse::<usize>().map_err(|_| bad());
    let (start, end) = if let Some((a, b)) = s.split_once("..=") {
        (a, Some(num(b)?.checked_add(1).ok_or_else(bad)?))
    } else if let Some((a, b)) = s.split_once("..") {
        (
            a,
            if b.trim().is_empty() {
                None
            } else {
                Some(num(b)?)
            },
        )
    } else {
        let a = num(s)?;
        return Ok(FrameRange {
            start: a,
            end: Some(a + 1),
        });
    };
    let start = if start.trim().is_empty() {
        0
    } else {
        num(start)?
    };
    if end.is_some_and(|e| e <= start) {
        return Err(format!("'{s}' is an empty frame range"));
    }
    Ok(FrameRange { start, end })
}

pub fn parse_shard(s: &str) -> std::result::Result<Shard, String> {
    let bad = || format!("'{s}' is not I/N with 0 <= I < N");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (index, count) = (
        i.trim().parse::<usize>().map_err(|_| bad())?,
        n.trim().parse::<usize>().map_err(|_| bad())?,
    );
    if count == 0 || index >= count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// The frames of a movie of `total` frames that `range` and `shard` select, in order.
pub fn select_frames(
    total: usize,
    range: Option<FrameRange>,
    shard: Option<Shard>,
) -> Result<Vec<usize>> {
    let r = range.unwrap_or(FrameRange {
        start: 0,
        end: None,
    });
    let end = r.end.unwrap_or(total).min(total);
    if r.start >= end {
        return Err(Error::Settings(format!(
            "--frames selects no frame: the movie has frames 0..{total}"
        )));
    }
    let shard = shard.unwrap_or(Shard { index: 0, count: 1 });
    Ok((r.start..end)
        .filter(|k| k % shard.count == shard.index)
        .collect())
}

/// `DIR/frame_NNNNN.EXT`.
pub fn frame_file(dir: &Path, k: usize, ext: &str) -> PathBuf {
    dir.join(format!("frame_{k:05}.{ext}"))
}

/// `DIR/frame_NNNNN_L.EXT` or `_R`: one eye of a stereo frame.
pub fn frame_eye_file(dir: &Path, k: usize, eye: Eye, ext: &str) -> PathBuf {
    dir.join(format!("frame_{k:05}_{}.{ext}", eye.letter()))
}

/// The files of one frame: mono, a stereo pair in separate files, or a packed stereo image.
#[derive(Clone, Copy, Debug)]
pub struct FrameFiles {
    /// Stereo rig and packing (`None`: separate files per eye); `None` for mono.
    pub stereo: Option<(StereoRig, Option<Packing>)>,
    /// Whether NPY values are written.
    pub values: bool,
    /// Size of each rendered image (of each eye).
    pub size: (u32, u32),
}

impl FrameFiles {
    /// The PNGs of frame `k` with their sizes, in the order they are written.
    pub fn pngs(&self, dir: &Path, k: usize) -> Vec<(PathBuf, (u32, u32))> {
        let (w, h) = self.size;
        match self.stereo {
            None => vec![(frame_file(dir, k, "png"), self.size)],
            Some((_, None)) => Eye::BOTH
                .iter()
                .map(|&e| (frame_eye_file(dir, k, e, "png"), self.size))
                .collect(),
            Some((_, Some(packing))) => vec![(frame_file(dir, k, "png"), packing.size(w, h))],
        }
    }

    /// The NPYs of frame `k` (none without --values).
    pub fn npys(&self, dir: &Path, k: usize) -> Vec<PathBuf> {
        match (self.values, self.stereo) {
            (false, _) => Vec::new(),
            (true, None) => vec![frame_file(dir, k, "npy")],
            (true, Some(_)) => Eye::BOTH
                .iter()
                .map(|&e| frame_eye_file(dir, k, e, "npy"))
                .collect(),
        }
    }

    /// Whether frame `k` is already complete in `dir` (all its files exist; the PNGs have the
    /// movie's size). Files are renamed into place only once written, so existing means
    /// complete.
    pub fn complete(&self, dir: &Path, k: usize) -> Result<bool> {
        if self.npys(dir, k).iter().any(|f| !f.is_file()) {
            return Ok(false);
        }
        for (png, size) in self.pngs(dir, k) {
            if !png.is_file() {
                return Ok(false);
            }
            match image::image_dimensions(&png) {
                Ok(dims) if dims == size => {}
                Ok((w, h)) => return Err(Error::format(
                    &png,
                    format!(
                        "an existing frame of {w}x{h} pixels, but this movie's are {}x{}: use another output directory or remove the old frames",
                        size.0, size.1
                    ),
                )),
                Err(e) => {
                    log::warn!("{}: unreadable ({e}); rendering it again", png.display());
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

/// Removes the temporary files that a killed run left behind for the frames in `frames`.
fn remove_stale_temporaries(dir: &Path, frames: &[usize]) -> Result<usize> {
    let wanted: std::collections::HashSet<usize> = frames.iter().copied().collect();
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // write_atomically's temporaries: ".frame_00012.png.XXXXXX.tmp"
        let Some(rest) = name.strip_prefix(".frame_") else {
            continue;
        };
        if !name.ends_with(".tmp") {
            continue;
        }
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.parse::<usize>().is_ok_and(|k| wanted.contains(&k)) {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Index of the dataset that frame `k` of `frames` shows, of `datasets` in time order.
pub fn dataset_for_frame(k: usize, frames: usize, datasets: usize) -> usize {
    ((k as u128 * datasets as u128) / frames.max(1) as u128) as usize
}

/// Files matching `pattern` (`*` and `?` in any component), sorted. A `FILE.h5:/dataset`
/// pattern matches the files and keeps the dataset part.
pub fn expand_pattern(pattern: &str) -> Result<Vec<PathBuf>> {
    let (files, inner) = match pattern.find(":/") {
        // (not a drive letter)
        Some(i) if i > 1 => (&pattern[..i], Some(&pattern[i..])),
        _ => (pattern, None),
    };
    let found = expand_files(files)?;
    if found.is_empty() {
        return Err(Error::Settings(format!(
            "--datasets '{pattern}' matches no file"
        )));
    }
    Ok(match inner {
        None => found,
        Some(inner) => found
            .into_iter()
            .map(|p| PathBuf::from(format!("{}{inner}", p.display())))
            .collect(),
    })
}

fn expand_files(pattern: &str) -> Result<Vec<PathBuf>> {
    let path = Path::new(pattern);
    let mut found: Vec<PathBuf> = vec![PathBuf::new()];
    for comp in path.components() {
        let part = comp.as_os_str().to_string_lossy().into_owned();
        if !part.contains(['*', '?']) {
            found = found.into_iter().map(|p| p.join(&part)).collect();
            continue;
        }
        let mut next = Vec::new();
        for base in &found {
            let dir = if base.as_os_str().is_empty() {
                Path::new(".")
            } else {
                base.as_path()
            };
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if (name.starts_with('.') && !part.starts_with('.')) || !wildcard(&part, &name) {
                    continue;
                }
                next.push(base.join(name));
            }
        }
        found = next;
    }
    let mut found: Vec<PathBuf> = found.into_iter().filter(|p| p.exists()).collect();
    found.sort();
    Ok(found)
}

/// `*` (any run) and `?` (one character) matching of a whole name.
fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// The first `ffmpeg` on PATH.
pub fn find_ffmpeg() -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("ffmpeg"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Error::Settings(
                "--encode needs ffmpeg, which is not on PATH: install it (or load its module), or leave out --encode and encode the frames later".into(),
            )
        })
}

/// Progress: a bar on a terminal, one log line per frame otherwise.
enum Progress {
    Bar(indicatif::ProgressBar),
    Lines {
        start: Instant,
        total: usize,
        done: usize,
    },
}

impl Progress {
    fn new(total: usize) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{wide_bar} {pos}/{len} frames, {per_sec}, ETA {eta}",
            ) {
                bar.set_style(style);
            }
            Progress::Bar(bar)
        } else {
            Progress::Lines {
                start: Instant::now(),
                total,
                done: 0,
            }
        }
    }

    fn frame_done(&mut self, file: &Path) {
        match self {
            Progress::Bar(b) => b.inc(1),
            Progress::Lines { start, total, done } => {
                *done += 1;
                let secs = start.elapsed().as_secs_f64();
                let rate = *done as f64 / secs.max(1e-9);
                let eta = (*total - *done) as f64 / rate;
                eprintln!(
                    "amrcast: {} ({}/{}, {rate:.2} frames/s, ETA {eta:.0} s)",
                    file.display(),
                    done,
                    total
                );
            }
        }
    }

    fn finish(&self) {
        if let Progress::Bar(b) = self {
            b.finish();
        }
    }
}

/// What one frame is rendered with.
struct FrameRenderer<'a> {
    ctx: &'a GpuContext,
    renderer: &'a VolumeRenderer,
    target: OffscreenTarget,
    domain: (glam::DVec3, glam::DVec3),
    files: FrameFiles,
}

impl FrameRenderer<'_> {
    /// Renders frame `k` (one image, or one per eye) and writes its files: the values first,
    /// then the PNGs, the last of which marks the frame complete. Returns that last PNG.
    fn render(&self, cam: &Camera, dir: &Path, k: usize) -> Result<PathBuf> {
        let (w, h) = (self.target.width, self.target.height);
        let prepared = &self.renderer.prepared;
        let eyes = match &self.files.stereo {
            None => vec![cam.ray_model(w, h)?],
            Some((rig, _)) => Eye::BOTH
                .iter()
                .map(|&e| rig.eye_rays(cam, w, h, e))
                .collect::<Result<_>>()?,
        };
        // One normalising depth for both eyes (the mono view's), so their colours match.
        let (f, _, _) = cam.basis()?;
        let depth = depth_along(f, self.domain.0, self.domain.1);
        let mut rgba = Vec::with_capacity(eyes.len());
        for (rays, npy) in eyes.iter().zip(
            self.files
                .npys(dir, k)
                .into_iter()
                .map(Some)
                .chain(std::iter::repeat(None)),
        ) {
            let image = self.target.render(self.ctx, self.renderer, rays)?;
            if let Some(npy) = npy {
                let (shape, data) = image.values(prepared.encoding);
                crate::output::write_npy_f32(&npy, &shape, &data)?;
            }
            rgba.push(image.to_rgba8(prepared, depth));
        }
        let images = match &self.files.stereo {
            Some((_, Some(packing))) => {
                let (pixels, pw, ph) = compose(*packing, &rgba[0], &rgba[1], w, h)?;
                vec![(pixels, pw, ph)]
            }
            _ => rgba.into_iter().map(|p| (p, w, h)).collect(),
        };
        let mut last = PathBuf::new();
        for ((pixels, pw, ph), (png, _)) in images.iter().zip(self.files.pngs(dir, k)) {
            crate::output::write_png_rgba8(&png, *pw, *ph, pixels)?;
            last = png;
        }
        Ok(last)
    }
}

/// Transfer-function bounds for a time series: the field's range over all datasets.
fn series_bounds(opts: &RenderOptions, datasets: &[PathBuf]) -> Result<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for path in datasets {
        let ds = load_dataset(&RenderOptions {
            dataset: Some(path.clone()),
            ..opts.clone()
        })?;
        let s = ds.stats();
        let floor = match opts.scale {
            Scale::Log => s.min_positive,
            Scale::Linear => s.min,
        };
        if !floor.is_nan() {
            lo = lo.min(floor as f64);
            hi = hi.max(s.max as f64);
        }
    }
    if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
        return Err(Error::Settings(format!(
            "the field's range over the {} datasets is {lo}..{hi}, which cannot set the colour scale; give --bounds MIN,MAX",
            datasets.len()
        )));
    }
    Ok((lo, hi))
}

/// `amrcast movie`.
pub fn movie(args: &MovieArgs) -> Result<()> {
    let opts = &args.opts;
    let shorthand = args.zoom_in.is_some() || args.orbit.is_some();
    // Which positional is what: PATH.toml [DATASET], or with a shorthand only [DATASET].
    let (path_file, dataset) =
        match (shorthand, &args.path, &opts.dataset) {
            (true, Some(_), Some(_)) => return Err(Error::Settings(
                "--zoom-in / --orbit build the camera path: give no PATH.toml, only the dataset"
                    .into(),
            )),
            (true, Some(p), None) if p.extension().is_some_and(|e| e == "toml") => {
                return Err(Error::Settings(format!(
                    "give either the path file {} or --zoom-in / --orbit, not both",
                    p.display()
                )))
            }
            (true, p, d) => (None, p.clone().or(d.clone())),
            (false, None, _) => {
                return Err(Error::Settings(
                    "give a camera path PATH.toml, or --zoom-in FACTOR / --orbit DEGREES".into(),
                ))
            }
            (false, Some(p), d) => (Some(p.clone()), d.clone()),
        };
    if path_file.is_some()
        && (opts.view.is_some()
            || opts.camera_position.is_some()
            || opts.focus.is_some()
            || opts.up.is_some()
            || opts.width.is_some()
            || opts.fov.is_some())
    {
        return Err(Error::Settings(
            "the path file sets the camera: --view, --camera-position, --focus, --up, --width and --fov apply only to --zoom-in / --orbit".into(),
        ));
    }
    if !(args.fps.is_finite() && args.fps > 0.0) {
        return Err(Error::Settings(format!(
            "--fps {} must be positive",
            args.fps
        )));
    }
    let stereo = args.stereo.resolve()?;
    if let (Some(video), Some((_, None))) = (&args.encode, &stereo) {
        return Err(Error::Settings(format!(
            "--encode {} needs one image per frame: with --stereo, choose a --stereo-layout other than separate",
            video.display()
        )));
    }
    let files = FrameFiles {
        stereo,
        values: args.values,
        size: opts.size,
    };
    let ffmpeg = args.encode.as_ref().map(|_| find_ffmpeg()).transpose()?;
    let series = match (&args.datasets, &dataset) {
        (Some(_), Some(d)) => {
            return Err(Error::Settings(format!(
                "give either a dataset ({}) or --datasets, not both",
                d.display()
            )))
        }
        (Some(pattern), None) => Some(expand_pattern(pattern)?),
        (None, _) => None,
    };
    let opts = RenderOptions {
        dataset: series.as_ref().map(|s| s[0].clone()).or(dataset.clone()),
        ..opts.clone()
    };
    let settings = opts.settings();

    // The path, and the first dataset when it is needed (shorthands need the domain).
    let mut first = None;
    let path = match &path_file {
        Some(p) => CameraPath::load(p, opts.lens)?,
        None => {
            let ds = load_dataset(&opts)?;
            let (lo, hi) = (ds.hierarchy.domain_left, ds.hierarchy.domain_right);
            let start = opts.camera(lo, hi)?;
            first = Some(ds);
            CameraPath::shorthand(
                args.count,
                start,
                args.zoom_in.unwrap_or(1.0),
                args.orbit.unwrap_or(0.0),
            )?
        }
    };
    let selected = select_frames(path.frames, args.frames, args.shard)?;
    let dir = &args.output;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let path_text = match &path_file {
        Some(p) => std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?,
        None => format!(
            "zoom_in = {:?}\norbit = {:?}\ncount = {}\n",
            args.zoom_in, args.orbit, args.count
        ),
    };
    check_settings_record(
        dir,
        &settings_record(&opts, &args.stereo, &path_text, &args.datasets),
    )?;
    let mut todo = Vec::new();
    for &k in &selected {
        if !files.complete(dir, k)? {
            todo.push(k);
        }
    }
    let stale = remove_stale_temporaries(dir, &todo)?;
    eprintln!(
        "amrcast: movie of {} frames: {} selected, {} already complete, {} to render{}",
        path.frames,
        selected.len(),
        selected.len() - todo.len(),
        todo.len(),
        if stale > 0 {
            format!(" ({stale} unfinished temporary files removed)")
        } else {
            String::new()
        }
    );

    if !todo.is_empty() {
        let ctx = GpuContext::new()?;
        let mut progress = Progress::new(todo.len());
        match &series {
            None => {
                // One upload, one transfer function for the whole movie.
                let ds = match first.take() {
                    Some(ds) => ds,
                    None => load_dataset(&opts)?,
                };
                let renderer = VolumeRenderer::new(&ctx, &ds, &settings)?;
                renderer.prepared.print_warnings(&ds.field.name);
                let fr = FrameRenderer {
                    ctx: &ctx,
                    target: OffscreenTarget::new(&ctx, opts.size.0, opts.size.1)?,
                    renderer: &renderer,
                    domain: (ds.hierarchy.domain_left, ds.hierarchy.domain_right),
                    files,
                };
                drop(ds);
                for &k in &todo {
                    let file = fr.render(&path.frame_camera(k), dir, k)?;
                    progress.frame_done(&file);
                }
            }
            Some(list) => {
                drop(first.take());
                let mut settings = settings.clone();
                if settings.tf.bounds.is_none() {
                    let b = series_bounds(&opts, list)?;
                    eprintln!(
                        "amrcast: colour scale fixed to the range over all {} datasets: {},{}",
                        list.len(),
                        b.0,
                        b.1
                    );
                    settings.tf.bounds = Some(b);
                }
                let mut i = 0;
                while i < todo.len() {
                    let d = dataset_for_frame(todo[i], path.frames, list.len());
                    let group: Vec<usize> = todo[i..]
                        .iter()
                        .copied()
                        .take_while(|&k| dataset_for_frame(k, path.frames, list.len()) == d)
                        .collect();
                    i += group.len();
                    let ds = load_dataset(&RenderOptions {
                        dataset: Some(list[d].clone()),
                        ..opts.clone()
                    })?;
                    let renderer = VolumeRenderer::new(&ctx, &ds, &settings)?;
                    renderer.prepared.print_warnings(&ds.field.name);
                    let fr = FrameRenderer {
                        ctx: &ctx,
                        target: OffscreenTarget::new(&ctx, opts.size.0, opts.size.1)?,
                        renderer: &renderer,
                        domain: (ds.hierarchy.domain_left, ds.hierarchy.domain_right),
                        files,
                    };
                    drop(ds);
                    for k in group {
                        let file = fr.render(&path.frame_camera(k), dir, k)?;
                        progress.frame_done(&file);
                    }
                }
            }
        }
        progress.finish();
    }

    if let (Some(video), Some(ffmpeg)) = (&args.encode, &ffmpeg) {
        encode(ffmpeg, dir, path.frames, args.fps, video)?;
        eprintln!("amrcast: wrote {}", video.display());
    }
    Ok(())
}

/// File in the output directory that records what its frames were rendered with.
pub const SETTINGS_FILE: &str = "movie-settings.txt";

/// Everything that decides the pixels of a frame (not which frames a task renders).
fn settings_record(
    opts: &RenderOptions,
    stereo: &StereoArgs,
    path_text: &str,
    series: &Option<String>,
) -> String {
    format!(
        "# amrcast movie: the frames in this directory were rendered with these settings\n\
         # render options: {opts:?}\n# stereo: {stereo:?}\n# datasets: {series:?}\n\
         # camera path:\n{path_text}\n"
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

/// Pipes `frames` PNGs of `dir` into ffmpeg, which writes `video` (through a temporary file
/// renamed into place, so a failed encode leaves no partial video).
pub fn encode(ffmpeg: &Path, dir: &Path, frames: usize, fps: f64, video: &Path) -> Result<()> {
    let missing: Vec<usize> = (0..frames)
        .filter(|&k| !frame_file(dir, k, "png").is_file())
        .collect();
    if let Some(first) = missing.first() {
        return Err(Error::Settings(format!(
            "--encode needs all {frames} frames, but {} are missing from {} (the first is frame {first}); rerun with --encode once every shard has finished",
            missing.len(),
            dir.display()
        )));
    }
    let name = video
        .file_name()
        .ok_or_else(|| Error::Settings(format!("--encode {}: not a file name", video.display())))?
        .to_string_lossy()
        .into_owned();
    let ext = video
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "mp4".into());
    let tmp = video.with_file_name(format!(".{name}.partial.{ext}"));
    let mut cmd = std::process::Command::new(ffmpeg);
    cmd.args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(["-f", "image2pipe", "-c:v", "png", "-framerate"])
        .arg(format!("{fps}"))
        .args(["-i", "-", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]);
    if matches!(ext.as_str(), "mp4" | "mov" | "m4v" | "mkv") {
        cmd.args(["-pix_fmt", "yuv420p"]);
    }
    cmd.arg(&tmp).stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| Error::io(ffmpeg, e))?;
    let piped = (|| -> Result<()> {
        let mut stdin = child.stdin.take().expect("stdin is piped");
        for k in 0..frames {
            let file = frame_file(dir, k, "png");
            let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
            stdin.write_all(&bytes).map_err(|e| Error::io(ffmpeg, e))?;
        }
        Ok(())
    })();
    let status = child.wait().map_err(|e| Error::io(ffmpeg, e))?;
    if piped.is_err() || !status.success() {
        let _ = std::fs::remove_file(&tmp);
        piped?;
        return Err(Error::Settings(format!(
            "ffmpeg failed ({status}) encoding {}",
            video.display()
        )));
    }
    std::fs::rename(&tmp, video).map_err(|e| Error::io(video, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ranges_and_shards() {
        let r = |s: &str| parse_frame_range(s).unwrap();
        assert_eq!(select_frames(10, Some(r("2..5")), None).unwrap(), [2, 3, 4]);
        assert_eq!(
            select_frames(10, Some(r("2..=5")), None).unwrap(),
            [2, 3, 4, 5]
        );
        assert_eq!(select_frames(10, Some(r("7..")), None).unwrap(), [7, 8, 9]);
        assert_eq!(select_frames(10, Some(r("..2")), None).unwrap(), [0, 1]);
        assert_eq!(select_frames(10, Some(r("4")), None).unwrap(), [4]);
        assert_eq!(select_frames(10, Some(r("8..100")), None).unwrap(), [8, 9]);
        assert!(select_frames(10, Some(r("10..")), None).is_err());
        for bad in ["5..5", "6..2", "a..b", "1...3", ""] {
            assert!(parse_frame_range(bad).is_err(), "{bad}");
        }
        // Shards partition the selection: every frame once.
        let mut all = Vec::new();
        for i in 0..3 {
            let shard = parse_shard(&format!("{i}/3")).unwrap();
            all.extend(select_frames(10, None, Some(shard)).unwrap());
        }
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!(
            select_frames(10, Some(r("1..8")), Some(parse_shard("1/3").unwrap())).unwrap(),
            [1, 4, 7]
        );
        for bad in ["3/3", "1/0", "x/2", "1"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn frames_map_to_datasets_in_order() {
        let m: Vec<usize> = (0..6).map(|k| dataset_for_frame(k, 6, 3)).collect();
        assert_eq!(m, [0, 0, 1, 1, 2, 2]);
        let m: Vec<usize> = (0..4).map(|k| dataset_for_frame(k, 4, 4)).collect();
        assert_eq!(m, [0, 1, 2, 3]);
    }

    #[test]
    fn patterns_match_whole_names() {
        assert!(wildcard("DD00??", "DD0012"));
        assert!(!wildcard("DD00??", "DD0012.cpu0000"));
        assert!(wildcard("DD00*", "DD0012.cpu0000"));
        assert!(wildcard("*", ""));
        assert!(!wildcard("a*b", "acbx"));
        let dir = tempfile::tempdir().unwrap();
        for d in ["DD0002", "DD0001", "DD0010"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
            std::fs::write(dir.path().join(d).join(d), "").unwrap();
            std::fs::write(dir.path().join(d).join(format!("{d}.hierarchy")), "").unwrap();
        }
        let pat = format!("{}/DD00*/DD00??", dir.path().display());
        let got = expand_pattern(&pat).unwrap();
        let names: Vec<String> = got
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["DD0001/DD0001", "DD0002/DD0002", "DD0010/DD0010"]);
        assert!(expand_pattern(&format!("{}/nothing*", dir.path().display())).is_err());
    }

    #[test]
    fn stale_temporaries_of_selected_frames_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            ".frame_00003.png.abc123.tmp",
            ".frame_00004.npy.xyz.tmp",
            ".frame_00007.png.q.tmp",
            "frame_00003.png",
            "notes.tmp",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        assert_eq!(remove_stale_temporaries(dir.path(), &[3, 4]).unwrap(), 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [".frame_00007.png.q.tmp", "frame_00003.png", "notes.tmp"]
        );
    }
}
