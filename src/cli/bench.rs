//! `amrcast bench`: median time per frame, samples per second, and the raw-sampling and
//! uniform-grid baselines; with `--synthetic`, whole commands timed on a generated dataset
//! (`synthetic.rs`); with `--serve N`, N headless viewers dragging on an in-process `amrcast
//! serve` (`bench_serve.rs`); with `--composite`, the cost of compositing over MPI ranks
//! (`bench_composite.rs`).

use super::args::RenderOptions;
use crate::camera::Camera;
use crate::error::Result;
use crate::gpu::{GpuContext, OffscreenTarget, VolumeRenderer};
use crate::tile_stats::TileStats;
use crate::tiles::TileLists;
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
    /// Instead of timing frames: start `amrcast serve` in this process (on 127.0.0.1, any free
    /// port) and connect N headless viewers at once (default 1), each dragging (orbit messages,
    /// 60 per second) for --drag-seconds at --size (default 1024x768); print each one's frames
    /// per second while dragging, input-to-frame latency (median, 90th percentile), time from
    /// the last input to the final frame, frames and bytes received, and peak memory.
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "1", value_parser = clap::value_parser!(u32).range(1..=64), conflicts_with = "synthetic")]
    pub serve: Option<u32>,
    /// With --serve: how long each viewer drags, in seconds.
    #[arg(long, value_name = "S", default_value_t = 5.0, requires = "serve")]
    pub drag_seconds: f64,
    /// Instead of timing frames: what compositing a frame rendered by several processes
    /// costs at 1024x1024 and 4096x2048 (rounds, bytes each rank sends); under mpirun (built
    /// with --features mpi) the exchange itself, timed over --frames frames.
    #[arg(long, conflicts_with_all = ["synthetic", "serve"])]
    pub composite: bool,
    /// Cut every grid into grids of at most N cells per axis first (the same field in many
    /// small patches, as codes with small blocks write it: a test of many leaves).
    #[arg(long, value_name = "N")]
    pub split_grids: Option<usize>,
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

/// Renders `frames` frames of each of `renderers` after two warm-up frames each, taking the
/// renderers in turn frame by frame so that a change in the machine's load (these are shared
/// machines) falls on all of them alike; returns each one's median time.
pub fn time_frames(
    ctx: &GpuContext,
    renderers: &[&VolumeRenderer],
    cam: &Camera,
    size: (u32, u32),
    frames: usize,
) -> Result<Vec<BenchResult>> {
    let target = OffscreenTarget::new(ctx, size.0, size.1)?;
    let rays = cam.ray_model(size.0, size.1)?;
    let frame = |renderer: &VolumeRenderer| -> Result<f64> {
        let t = Instant::now();
        // In passes when the bricks exceed --gpu-memory (one pass, as `encode`, otherwise).
        renderer.render_passes(ctx, &target.region(), &rays, [0, 0], None)?;
        ctx.wait()?;
        Ok(t.elapsed().as_secs_f64() * 1e3)
    };
    for r in renderers {
        frame(r)?;
        frame(r)?;
        r.reset_sample_count(ctx);
    }
    let mut times = vec![Vec::new(); renderers.len()];
    for _ in 0..frames.max(1) {
        for (r, t) in renderers.iter().zip(&mut times) {
            t.push(frame(r)?);
        }
    }
    renderers
        .iter()
        .zip(times)
        .map(|(r, mut times)| {
            let samples = r.sample_count(ctx)? / times.len() as u64;
            times.sort_by(f64::total_cmp);
            Ok(BenchResult {
                median_ms: times[times.len() / 2],
                samples_per_frame: samples,
            })
        })
        .collect()
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
    if args.composite {
        return Ok(super::bench_composite::bench_composite(args.frames)?);
    }
    if let Some(viewers) = args.serve {
        return Ok(super::bench_serve::bench_serve(
            &args.opts,
            viewers as usize,
            args.drag_seconds,
        )?);
    }
    #[cfg(feature = "mpi")]
    if let Some(done) = super::bench_ranks::bench_if_launched(args) {
        return done;
    }
    let request = args.opts.request();
    let settings = &request.settings;
    let size = request.size;
    let t = Instant::now();
    let mut ds = request.data.load()?;
    crate::slice::flat::refuse(&ds.hierarchy, &ds.name, "bench")?;
    if let Some(n) = args.split_grids {
        ds = ds.split_grids(n)?;
    }
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let ctx = GpuContext::new()?;
    let t = Instant::now();
    let gpu_memory = request.data.memory.gpu;
    // Shared with the renderer, not copied: the baseline below reads the same field.
    let ds = std::sync::Arc::new(ds);
    let renderer = VolumeRenderer::with_source(&ctx, ds.clone(), settings, gpu_memory)?;
    let upload_ms = t.elapsed().as_secs_f64() * 1e3;
    let h = &ds.hierarchy;
    let cam = request.camera(h.domain_left, h.domain_right)?;
    let base = if args.no_baseline {
        None
    } else {
        Some(uniform_baseline(&ctx, &ds, settings)?)
    };
    let mut timed = vec![&renderer];
    timed.extend(base.as_ref().map(|(_, b)| b));
    let results = time_frames(&ctx, &timed, &cam, size, args.frames)?;
    let r = &results[0];
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
    print_tiles("tiles:         ", &renderer, &cam, size)?;
    print_raw_sampling(&ctx, &renderer, size, args.frames, r)?;
    if let (Some((cells, base)), Some(b)) = (&base, results.get(1)) {
        println!(
            "uniform grid:   {} cells, {} leaves, {:.1} ms, {} samples per frame, {:.1} M samples/s (frames timed in turn with the AMR frames)",
            cells,
            base.layout.leaves.len(),
            b.median_ms,
            b.samples_per_frame,
            b.samples_per_second() / 1e6
        );
        print_tiles("uniform tiles: ", base, &cam, size)?;
        println!(
            "AMR overhead:   {:.2}x the time per sample of the uniform grid",
            b.samples_per_second() / r.samples_per_second()
        );
    }
    Ok(())
}

/// The tile lists of one frame and what its rays do with them (see [`TileStats`]).
pub fn tile_stats(renderer: &VolumeRenderer, cam: &Camera, size: (u32, u32)) -> Result<TileStats> {
    let layout = &renderer.layout;
    let h = &renderer.hierarchy;
    let rays = cam
        .ray_model(size.0, size.1)?
        .to_frame(layout.origin, layout.scale);
    let cells: Vec<f32> = layout
        .leaves
        .iter()
        .map(|l| (h.cell_size(layout.bricks[l.brick].level) / layout.scale).min_element() as f32)
        .collect();
    let size = [size.0, size.1];
    let vis = renderer.residency().node_visible.clone();
    let lists = TileLists::build(layout, &renderer.leaf_boxes, &vis, &rays, size);
    let spc = renderer.prepared.settings.samples_per_cell;
    Ok(TileStats::measure(
        &lists,
        &renderer.leaf_boxes,
        &cells,
        &rays,
        size,
        spc,
    ))
}

fn print_tiles(
    label: &str,
    renderer: &VolumeRenderer,
    cam: &Camera,
    size: (u32, u32),
) -> Result<()> {
    let s = tile_stats(renderer, cam, size)?;
    println!(
        "{label} {:.1} leaves per tile list (longest {}), {:.1} slab tests per ray, {:.0}% of them miss, {:.1} samples per leaf crossed (without early termination)",
        s.mean_list(),
        s.max_list,
        s.slab_tests as f64 / s.rays.max(1) as f64,
        100.0 * s.miss_fraction(),
        s.samples_per_hit()
    );
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
/// ready to render with the same settings; and its number of cells.
fn uniform_baseline(
    ctx: &GpuContext,
    ds: &crate::amr::AmrDataset,
    settings: &crate::render::RenderSettings,
) -> Result<(usize, VolumeRenderer)> {
    let h = &ds.hierarchy;
    let root: usize = h.root_dims.iter().product();
    let f = (h.num_cells() as f64 / root as f64).cbrt();
    let uniform = ds.resample_uniform(
        h.root_dims
            .map(|d| ((d as f64 * f).round() as usize).max(1)),
    )?;
    let cells = uniform.hierarchy.num_cells();
    Ok((cells, VolumeRenderer::new(ctx, &uniform, settings)?))
}
