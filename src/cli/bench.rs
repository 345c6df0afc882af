//! `amrcast bench`: median time per frame, samples per second, and the raw-sampling and
//! uniform-grid baselines; with `--synthetic`, whole commands timed on a generated dataset
//! (`synthetic.rs`).

use super::args::RenderOptions;
use crate::camera::Camera;
use crate::error::Result;
use crate::gpu::{GpuContext, OffscreenTarget, VolumeRenderer};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

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
    /// Instead of timing frames: write a synthetic Enzo dataset of about CELLS cells (536M,
    /// 67M, 1.5G: 4 levels, 25 grids in 8 .cpu files), run `amrcast info` and `amrcast
    /// render --size 512x512` on it as child processes and print each one's wall time and peak
    /// memory. Render options go after `--`; the other options of bench do not apply.
    #[arg(long, value_name = "CELLS", value_parser = super::synthetic::parse_cells, conflicts_with = "dataset")]
    pub synthetic: Option<u64>,
    /// With --synthetic: write the dataset into DIR and keep it (a complete one of the same
    /// size already there is reused); by default it goes to a temporary folder, removed after.
    #[arg(long, value_name = "DIR", requires = "synthetic")]
    pub keep: Option<PathBuf>,
    /// With --synthetic: more arguments for the timed render (after `--`), e.g.
    /// `-- --mode mip`.
    #[arg(last = true, value_name = "RENDER ARGS", requires = "synthetic")]
    pub render_args: Vec<String>,
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
    if let Some(cells) = args.synthetic {
        return Ok(super::synthetic::bench_synthetic(
            cells,
            args.keep.as_deref(),
            &args.render_args,
        )?);
    }
    let request = args.opts.request();
    let settings = &request.settings;
    let size = request.size;
    let t = Instant::now();
    let ds = request.data.load()?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let ctx = GpuContext::new()?;
    let t = Instant::now();
    let renderer = VolumeRenderer::new(&ctx, &ds, settings)?;
    let upload_ms = t.elapsed().as_secs_f64() * 1e3;
    let h = &ds.hierarchy;
    let cam = request.camera(h.domain_left, h.domain_right)?;
    let r = time_frames(&ctx, &renderer, &cam, size, args.frames)?;
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
        renderer.pool_dims()[0],
        renderer.pool_dims()[1],
        renderer.pool_dims()[2]
    );
    println!("load:           {load_ms:.1} ms");
    println!("bricks+upload:  {upload_ms:.1} ms");
    println!(
        "frame:          {:.1} ms median over {} frames at {}x{} ({:?}, {:?})",
        r.median_ms, args.frames, size.0, size.1, settings.mode, cam.lens
    );
    println!(
        "samples:        {} per frame, {:.1} M samples/s",
        r.samples_per_frame,
        r.samples_per_second() / 1e6
    );
    print_raw_sampling(&ctx, &renderer, size, args.frames, &r)?;
    if !args.no_baseline {
        print_uniform_baseline(&ctx, &ds, settings, &cam, size, args.frames, &r)?;
    }
    Ok(())
}

/// The raw-sampling line: as many samples as the ray caster took, marched straight through
/// the atlas, and how much faster per sample that is.
fn print_raw_sampling(
    ctx: &GpuContext,
    renderer: &VolumeRenderer,
    size: (u32, u32),
    frames: usize,
    r: &BenchResult,
) -> Result<()> {
    let steps = (r.samples_per_frame / (size.0 as u64 * size.1 as u64)).max(1) as u32;
    let raw = crate::gpu::sampling_bench::raw_sampling_seconds(ctx, renderer, size, steps, frames)?;
    let raw_rate = (steps as f64 * size.0 as f64 * size.1 as f64) / raw;
    println!(
        "raw sampling:   {:.1} ms for the same number of samples marched straight through the atlas, {:.1} M samples/s ({:.2}x faster per sample than the ray caster)",
        raw * 1e3,
        raw_rate / 1e6,
        raw_rate / r.samples_per_second()
    );
    Ok(())
}

/// The uniform-grid baseline: the dataset resampled to a uniform grid of about as many cells,
/// timed with the same camera, and the AMR overhead per sample.
fn print_uniform_baseline(
    ctx: &GpuContext,
    ds: &crate::amr::AmrDataset,
    settings: &crate::render::RenderSettings,
    cam: &Camera,
    size: (u32, u32),
    frames: usize,
    r: &BenchResult,
) -> Result<()> {
    let h = &ds.hierarchy;
    let root: usize = h.root_dims.iter().product();
    let f = (h.num_cells() as f64 / root as f64).cbrt();
    let uniform = ds.resample_uniform(
        h.root_dims
            .map(|d| ((d as f64 * f).round() as usize).max(1)),
    )?;
    let base = VolumeRenderer::new(ctx, &uniform, settings)?;
    let b = time_frames(ctx, &base, cam, size, frames)?;
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
    Ok(())
}
