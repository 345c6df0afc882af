//! Command-line options and the `render` and `bench` commands.
//!
//! The option names are a contract that other tools depend on: see the README.

use crate::amr::AmrDataset;
use crate::camera::{Camera, Lens, View, DEFAULT_FOV};
use crate::error::{Error, Result};
use crate::gpu::{render_image, render_stereo_pair, GpuContext, OffscreenTarget, VolumeRenderer};
use crate::render::{depth_along, Mode, RenderSettings};
use crate::stereo::{compose, eye_path, Anaglyph, Eye, Layout, Packing, Projection, StereoRig};
use crate::transfer::{layers, Colormap, Scale, TransferFunction};
use clap::Args;
use glam::DVec3;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options shared by every command that renders.
#[derive(Args, Clone, Debug)]
pub struct RenderOptions {
    /// Dataset to open (Enzo parameter file, .athdf, Chombo HDF5, FILE.h5:/dataset); the
    /// built-in demo when omitted.
    pub dataset: Option<PathBuf>,
    /// Field to render (default: Density, else the first field).
    #[arg(long)]
    pub field: Option<String>,
    /// composite | mip | projection
    #[arg(long, default_value = "composite")]
    pub mode: Mode,
    /// plane | perspective
    #[arg(long, default_value = "plane")]
    pub lens: Lens,
    /// On-axis view framing the whole domain: x | y | z | -x | -y | -z (default z).
    #[arg(long, allow_hyphen_values = true)]
    pub view: Option<View>,
    /// Camera position X,Y,Z in domain units (instead of --view).
    #[arg(long, value_parser = parse_vec3, allow_hyphen_values = true)]
    pub camera_position: Option<DVec3>,
    /// Point the camera looks at, X,Y,Z (default: the domain centre).
    #[arg(long, value_parser = parse_vec3, allow_hyphen_values = true)]
    pub focus: Option<DVec3>,
    /// Up vector X,Y,Z.
    #[arg(long, value_parser = parse_vec3, allow_hyphen_values = true)]
    pub up: Option<DVec3>,
    /// Plane lens: width of the image plane in domain units.
    #[arg(long)]
    pub width: Option<f64>,
    /// Perspective lens: vertical field of view in degrees.
    #[arg(long)]
    pub fov: Option<f64>,
    /// Image size WxH.
    #[arg(long, value_parser = parse_size, default_value = "512x512")]
    pub size: (u32, u32),
    /// viridis | inferno | magma | plasma | cividis | turbo | cubehelix | gray
    #[arg(long, default_value = "viridis")]
    pub colormap: Colormap,
    /// Transfer-function bounds MIN,MAX in field units (default: the field's range).
    #[arg(long, value_parser = parse_bounds, allow_hyphen_values = true)]
    pub bounds: Option<(f64, f64)>,
    /// log | linear
    #[arg(long, default_value = "log")]
    pub scale: Scale,
    /// Multiplier of the transfer function's opacity (extinction).
    #[arg(long, default_value_t = 1.0)]
    pub opacity: f64,
    /// Samples per cell of the level a ray crosses.
    #[arg(long, default_value_t = 1.0)]
    pub samples_per_cell: f64,
    /// yt-style Gaussian layers instead of the opacity ramp: their number.
    #[arg(long, default_value_t = 0)]
    pub layers: usize,
    /// Width (standard deviation) of each layer as a fraction of the bounds' range.
    #[arg(long, default_value_t = 0.02)]
    pub layer_width: f64,
}

#[derive(Args, Clone, Debug)]
pub struct RenderArgs {
    #[command(flatten)]
    pub opts: RenderOptions,
    /// Output PNG.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write the raw float image as NPY (projection: integral, mip: maximum, both (H, W);
    /// composite: premultiplied RGBA, (H, W, 4)). With --stereo, whatever the layout:
    /// VALUES_L.npy and VALUES_R.npy, one per eye at --size.
    #[arg(long)]
    pub values: Option<PathBuf>,
    #[command(flatten)]
    pub stereo: StereoArgs,
}

/// Stereo pairs (see the README's Stereo section and [`crate::stereo`]).
#[derive(Args, Clone, Debug, Default)]
pub struct StereoArgs {
    /// Render a stereo pair: parallel (off-axis frusta sharing one image rectangle at the focal
    /// distance; no vertical parallax) | toe-in (each eye turned to the focus, like yt's stereo
    /// lens). --size is the size of each eye.
    #[arg(long, help_heading = "Stereo")]
    pub stereo: Option<Projection>,
    /// separate (OUT_L.png and OUT_R.png) | side-by-side (left eye left) | top-bottom (left eye
    /// on top) | anaglyph (red-cyan, left eye red) | interleaved (rows; left eye on even rows).
    /// Whatever the layout, --values VALUES.npy writes VALUES_L.npy and VALUES_R.npy.
    #[arg(long, help_heading = "Stereo")]
    pub stereo_layout: Option<Layout>,
    /// Squeeze side-by-side or top-bottom to the size of one eye (half side-by-side for 3D TVs).
    #[arg(long, help_heading = "Stereo")]
    pub half: bool,
    /// Anaglyph colours: dubois (least-squares, default) | plain (red from the left eye, green
    /// and blue from the right).
    #[arg(long, help_heading = "Stereo")]
    pub anaglyph: Option<Anaglyph>,
    /// Distance between the eyes in domain units (default: the focal distance / 30). Plane
    /// lens: the eyes' rays differ by the stereo angle 2 atan(E / 2D), D the focal distance.
    #[arg(long, allow_hyphen_values = true, help_heading = "Stereo")]
    pub eye_separation: Option<f64>,
    /// Distance from the camera along its view to the zero-parallax plane, domain units
    /// (default: the distance to the focus).
    #[arg(long, allow_hyphen_values = true, help_heading = "Stereo")]
    pub focal_distance: Option<f64>,
}

impl StereoArgs {
    /// The rig and the packing (`None`: separate files) asked for; `None` for a mono image. An
    /// error for stereo options without `--stereo` and for options that do not fit together.
    pub fn resolve(&self) -> Result<Option<(StereoRig, Option<Packing>)>> {
        let Some(projection) = self.stereo else {
            let given = [
                (self.stereo_layout.is_some(), "--stereo-layout"),
                (self.half, "--half"),
                (self.anaglyph.is_some(), "--anaglyph"),
                (self.eye_separation.is_some(), "--eye-separation"),
                (self.focal_distance.is_some(), "--focal-distance"),
            ];
            return match given.iter().find(|(g, _)| *g) {
                Some((_, name)) => Err(Error::Settings(format!(
                    "{name} needs --stereo parallel or --stereo toe-in"
                ))),
                None => Ok(None),
            };
        };
        let rig = StereoRig {
            projection,
            eye_separation: self.eye_separation,
            focal_distance: self.focal_distance,
        };
        rig.validate()?;
        let packing = self
            .stereo_layout
            .unwrap_or_default()
            .packing(self.half, self.anaglyph)?;
        Ok(Some((rig, packing)))
    }
}

#[derive(Args, Clone, Debug)]
pub struct BenchArgs {
    #[command(flatten)]
    pub opts: RenderOptions,
    /// Timed frames after the warm-up.
    #[arg(long, default_value_t = 10)]
    pub frames: usize,
    /// Skip the uniform-grid comparison.
    #[arg(long)]
    pub no_baseline: bool,
}

pub fn parse_vec3(s: &str) -> std::result::Result<DVec3, String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| format!("'{s}' is not X,Y,Z"))?;
    match v[..] {
        [x, y, z] if v.iter().all(|c| c.is_finite()) => Ok(DVec3::new(x, y, z)),
        _ => Err(format!("'{s}' is not X,Y,Z (three finite numbers)")),
    }
}

fn parse_bounds(s: &str) -> std::result::Result<(f64, f64), String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| format!("'{s}' is not MIN,MAX"))?;
    match v[..] {
        [lo, hi] if lo.is_finite() && hi.is_finite() && lo < hi => Ok((lo, hi)),
        [_, _] => Err(format!("'{s}': MIN must be below MAX")),
        _ => Err(format!("'{s}' is not MIN,MAX")),
    }
}

fn parse_size(s: &str) -> std::result::Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("'{s}' is not WxH"))?;
    let (w, h) = (w.trim().parse::<u32>(), h.trim().parse::<u32>());
    match (w, h) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 && w <= 16384 && h <= 16384 => Ok((w, h)),
        _ => Err(format!("'{s}' is not WxH with sides from 1 to 16384")),
    }
}

impl RenderOptions {
    pub fn settings(&self) -> RenderSettings {
        RenderSettings {
            mode: self.mode,
            tf: TransferFunction {
                colormap: self.colormap,
                scale: self.scale,
                bounds: self.bounds,
                opacity: self.opacity,
                layers: if self.layers > 0 {
                    layers(self.layers, self.layer_width)
                } else {
                    Vec::new()
                },
                points: Vec::new(),
            },
            samples_per_cell: self.samples_per_cell,
        }
    }

    /// The camera these options describe for a domain `lo..hi`.
    pub fn camera(&self, lo: DVec3, hi: DVec3) -> Result<Camera> {
        let (w, h) = self.size;
        let aspect = w as f64 / h as f64;
        let mut cam = match (self.view, self.camera_position) {
            (Some(_), Some(_)) => {
                return Err(Error::Settings(
                    "give either --view or --camera-position, not both".into(),
                ))
            }
            (view, None) => {
                let mut cam = Camera::framing(view.unwrap_or(View::Z), self.lens, lo, hi, aspect);
                if let Some(f) = self.focus {
                    cam.position += f - cam.focus;
                    cam.focus = f;
                }
                cam
            }
            (None, Some(position)) => {
                let focus = self.focus.unwrap_or((lo + hi) * 0.5);
                let dir = (focus - position).normalize_or_zero();
                let up = if dir.cross(DVec3::Y).length() > 1e-6 {
                    DVec3::Y
                } else {
                    DVec3::Z
                };
                Camera {
                    position,
                    focus,
                    up,
                    lens: self.lens,
                    width: (hi - lo).length(),
                    fov: DEFAULT_FOV,
                }
            }
        };
        if let Some(up) = self.up {
            cam.up = up;
        }
        if let Some(width) = self.width {
            cam.width = width;
        }
        if let Some(fov) = self.fov {
            cam.fov = fov;
        }
        cam.basis()?;
        Ok(cam)
    }
}

/// Opens the dataset (or the demo) and reads the field.
pub fn load_dataset(opts: &RenderOptions) -> Result<AmrDataset> {
    match &opts.dataset {
        None => crate::demo::demo_dataset(opts.field.as_deref()),
        Some(path) => {
            let source = crate::formats::open(path)?;
            crate::formats::load(source.as_ref(), opts.field.as_deref())
        }
    }
}

/// `amrcast render`.
pub fn render(args: &RenderArgs) -> anyhow::Result<()> {
    let stereo = args.stereo.resolve()?;
    let mut outputs = vec![];
    match &stereo {
        Some((_, None)) => outputs.extend(Eye::BOTH.map(|e| eye_path(&args.output, e))),
        _ => outputs.push(args.output.clone()),
    }
    if let Some(v) = &args.values {
        match &stereo {
            Some(_) => outputs.extend(Eye::BOTH.map(|e| eye_path(v, e))),
            None => outputs.push(v.clone()),
        }
    }
    for path in &outputs {
        check_output(path)?;
    }
    let opts = &args.opts;
    let settings = opts.settings();
    let ds = load_dataset(opts)?;
    let (lo, hi) = (ds.hierarchy.domain_left, ds.hierarchy.domain_right);
    let cam = opts.camera(lo, hi)?;
    let (w, hgt) = opts.size;
    let rays = cam.ray_model(w, hgt)?;
    if let Some((rig, packing)) = stereo {
        return render_pair(args, ds, &cam, &rig, packing);
    }
    let ctx = GpuContext::new()?;
    let renderer = VolumeRenderer::new(&ctx, &ds, &settings)?;
    renderer.prepared.print_warnings(&ds.field.name);
    // The values live on the GPU now: free the host copy before rendering.
    drop(ds);
    let t = Instant::now();
    let image = render_image(&ctx, &renderer, &rays, w, hgt)?;
    log::info!(
        "rendered {w}x{hgt} in {:.1} ms on {}",
        t.elapsed().as_secs_f64() * 1e3,
        ctx.describe()
    );
    let (f, _, _) = cam.basis()?;
    let rgba = image.to_rgba8(&renderer.prepared, depth_along(f, lo, hi));
    crate::output::write_png_rgba8(&args.output, w, hgt, &rgba)?;
    if let Some(path) = &args.values {
        let (shape, data) = image.values(renderer.prepared.encoding);
        crate::output::write_npy_f32(path, &shape, &data)?;
    }
    Ok(())
}

/// `amrcast render --stereo`: both eyes with one renderer, then the layout's files.
fn render_pair(
    args: &RenderArgs,
    ds: AmrDataset,
    cam: &Camera,
    rig: &StereoRig,
    packing: Option<Packing>,
) -> anyhow::Result<()> {
    let (w, hgt) = args.opts.size;
    // Bad stereo settings fail here, before the GPU starts.
    for eye in Eye::BOTH {
        rig.eye_rays(cam, w, hgt, eye)?;
    }
    log::info!(
        "stereo: eye separation {:.6}, zero-parallax distance {:.6}, stereo angle {:.4} degrees",
        rig.eye_separation(cam)?,
        rig.focal_distance(cam)?,
        rig.stereo_angle(cam)?.to_degrees()
    );
    let (lo, hi) = (ds.hierarchy.domain_left, ds.hierarchy.domain_right);
    let ctx = GpuContext::new()?;
    let renderer = VolumeRenderer::new(&ctx, &ds, &args.opts.settings())?;
    renderer.prepared.print_warnings(&ds.field.name);
    drop(ds);
    // One normalising depth for both eyes (the mono view's), so their colours match.
    let (f, _, _) = cam.basis()?;
    let depth = depth_along(f, lo, hi);
    let t = Instant::now();
    let images = render_stereo_pair(&ctx, &renderer, rig, cam, w, hgt)?;
    log::info!(
        "rendered both eyes, {w}x{hgt} each, in {:.1} ms on {}",
        t.elapsed().as_secs_f64() * 1e3,
        ctx.describe()
    );
    let mut rgba = Vec::with_capacity(2);
    for (eye, image) in Eye::BOTH.into_iter().zip(&images) {
        if let Some(path) = &args.values {
            let (shape, data) = image.values(renderer.prepared.encoding);
            crate::output::write_npy_f32(&eye_path(path, eye), &shape, &data)?;
        }
        rgba.push(image.to_rgba8(&renderer.prepared, depth));
    }
    match packing {
        None => {
            for (eye, pixels) in Eye::BOTH.into_iter().zip(&rgba) {
                crate::output::write_png_rgba8(&eye_path(&args.output, eye), w, hgt, pixels)?;
            }
        }
        Some(packing) => {
            let (pixels, pw, ph) = compose(packing, &rgba[0], &rgba[1], w, hgt)?;
            crate::output::write_png_rgba8(&args.output, pw, ph, &pixels)?;
        }
    }
    Ok(())
}

/// Fails early, before any work, when an output cannot be written.
fn check_output(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("directory {} does not exist", dir.display()),
            ),
        ));
    }
    if path.is_dir() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "is a directory"),
        ));
    }
    Ok(())
}

/// Timing of repeated renders of one dataset.
#[derive(Clone, Debug)]
pub struct BenchResult {
    pub median_ms: f64,
    pub samples_per_frame: u64,
}

impl BenchResult {
    pub fn samples_per_second(&self) -> f64 {
        self.samples_per_frame as f64 / (self.median_ms * 1e-3)
    }
}

/// Renders `frames` frames after two warm-up frames; returns the median time.
pub fn time_frames(
    ctx: &GpuContext,
    renderer: &VolumeRenderer,
    cam: &Camera,
    size: (u32, u32),
    frames: usize,
) -> Result<BenchResult> {
    let target = OffscreenTarget::new(ctx, size.0, size.1)?;
    let rays = cam.ray_model(size.0, size.1)?;
    let frame = || -> Result<f64> {
        let t = Instant::now();
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        renderer.encode(ctx, &mut enc, &target.region(), &rays);
        ctx.queue.submit([enc.finish()]);
        ctx.wait()?;
        Ok(t.elapsed().as_secs_f64() * 1e3)
    };
    frame()?;
    frame()?;
    renderer.reset_sample_count(ctx);
    let mut times = (0..frames.max(1))
        .map(|_| frame())
        .collect::<Result<Vec<f64>>>()?;
    let samples = renderer.sample_count(ctx)? / times.len() as u64;
    times.sort_by(f64::total_cmp);
    Ok(BenchResult {
        median_ms: times[times.len() / 2],
        samples_per_frame: samples,
    })
}

/// `amrcast bench`.
pub fn bench(args: &BenchArgs) -> anyhow::Result<()> {
    let opts = &args.opts;
    let settings = opts.settings();
    let t = Instant::now();
    let ds = load_dataset(opts)?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let ctx = GpuContext::new()?;
    let t = Instant::now();
    let renderer = VolumeRenderer::new(&ctx, &ds, &settings)?;
    let upload_ms = t.elapsed().as_secs_f64() * 1e3;
    let h = &ds.hierarchy;
    let cam = opts.camera(h.domain_left, h.domain_right)?;
    let r = time_frames(&ctx, &renderer, &cam, opts.size, args.frames)?;
    println!("adapter:        {}", ctx.describe());
    println!(
        "dataset:        {} ({} grids, {} levels, {} cells, field {})",
        ds.name,
        h.grids.len(),
        h.max_level() + 1,
        h.num_cells(),
        ds.field.name
    );
    println!(
        "bricks:         {} bricks, {} leaves, tree depth {}, atlas {}x{}x{}",
        renderer.layout.bricks.len(),
        renderer.layout.leaves.len(),
        renderer.layout.depth,
        renderer.layout.atlas_dims[0],
        renderer.layout.atlas_dims[1],
        renderer.layout.atlas_dims[2]
    );
    println!("load:           {load_ms:.1} ms");
    println!("bricks+upload:  {upload_ms:.1} ms");
    println!(
        "frame:          {:.1} ms median over {} frames at {}x{} ({:?}, {:?})",
        r.median_ms, args.frames, opts.size.0, opts.size.1, opts.mode, opts.lens
    );
    println!(
        "samples:        {} per frame, {:.1} M samples/s",
        r.samples_per_frame,
        r.samples_per_second() / 1e6
    );
    let steps = (r.samples_per_frame / (opts.size.0 as u64 * opts.size.1 as u64)).max(1) as u32;
    let raw = crate::gpu::sampling_bench::raw_sampling_seconds(
        &ctx,
        &renderer,
        opts.size,
        steps,
        args.frames,
    )?;
    let raw_rate = (steps as f64 * opts.size.0 as f64 * opts.size.1 as f64) / raw;
    println!(
        "raw sampling:   {:.1} ms for the same number of samples marched straight through the atlas, {:.1} M samples/s ({:.2}x faster per sample than the ray caster)",
        raw * 1e3,
        raw_rate / 1e6,
        raw_rate / r.samples_per_second()
    );
    if !args.no_baseline {
        let root: usize = h.root_dims.iter().product();
        let f = (h.num_cells() as f64 / root as f64).cbrt();
        let uniform = ds.resample_uniform(
            h.root_dims
                .map(|d| ((d as f64 * f).round() as usize).max(1)),
        )?;
        let base = VolumeRenderer::new(&ctx, &uniform, &settings)?;
        let b = time_frames(&ctx, &base, &cam, opts.size, args.frames)?;
        println!(
            "uniform grid:   {} cells, {:.1} ms, {} samples per frame, {:.1} M samples/s",
            uniform.hierarchy.num_cells(),
            b.median_ms,
            b.samples_per_frame,
            b.samples_per_second() / 1e6
        );
        println!(
            "AMR overhead:   {:.2}x the time per sample of the uniform grid",
            b.samples_per_second() / r.samples_per_second()
        );
    }
    Ok(())
}
