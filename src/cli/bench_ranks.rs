//! `amrcast bench` started by an MPI launcher on several ranks (`--features mpi`): frames made
//! by all the ranks together (each renders its piece, the parts are composited, rank 0 gets
//! the frame), timed on rank 0; also the slowest rank's render and the exchange's cost.

use super::bench::BenchArgs;
use crate::cluster::comm::{Cluster, ExchangeReport};
use crate::cluster::frame::PieceSession;
use crate::error::Result;
use crate::gpu::OffscreenTarget;
use std::time::Instant;

/// Times frames over the ranks when a launcher started more than one; `None` otherwise (the
/// caller benchmarks alone). Only rank 0 prints; on an error every rank exits with status 1
/// ([`Cluster::finish`]).
pub fn bench_if_launched(args: &BenchArgs) -> Option<anyhow::Result<()>> {
    Cluster::run_if_launched(|cluster| bench_ranks(args, cluster)).map(Ok)
}

fn bench_ranks(args: &BenchArgs, cluster: &Cluster) -> Result<()> {
    let request = args.opts.request();
    let t = Instant::now();
    let session = PieceSession::open(cluster, &request.data, &request.settings)?;
    let open_ms = t.elapsed().as_secs_f64() * 1e3;
    let (lo, hi) = session.domain;
    let cam = request.camera(lo, hi)?;
    let size = request.size;
    let rays = cam.ray_model(size.0, size.1)?;
    let target = cluster.checkpoint(OffscreenTarget::new(&session.ctx, size.0, size.1))?;
    let display = session.display_for(&cam)?;
    // Per frame: the whole frame's time and this rank's render time.
    let mut frames = Vec::new();
    let mut report = ExchangeReport::default();
    for i in 0..args.frames.max(1) + 2 {
        let t = Instant::now();
        let (_, r, render_ms) = session.render_rays_timed(cluster, &target, &rays, display)?;
        if i >= 2 {
            frames.push((t.elapsed().as_secs_f64() * 1e3, render_ms));
        }
        report = r;
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let frame_ms = median(frames.iter().map(|f| f.0).collect());
    let render_ms = median(frames.iter().map(|f| f.1).collect());
    let all = cluster.all_gather_f64(&[render_ms, report.bytes_sent as f64]);
    if cluster.rank() == 0 {
        let slowest = all.chunks_exact(2).map(|c| c[0]).fold(0.0, f64::max);
        let sent = all.chunks_exact(2).map(|c| c[1]).fold(0.0, f64::max);
        println!("adapter:        {} (rank 0)", session.ctx.describe());
        println!("ranks:          {}", cluster.size());
        println!("open+upload:    {open_ms:.1} ms (rank 0)");
        println!(
            "frame:          {frame_ms:.1} ms median over {} frames at {}x{} ({:?}, {:?}), made by {} ranks",
            frames.len(),
            size.0,
            size.1,
            request.settings.mode,
            cam.lens,
            cluster.size()
        );
        println!("piece render:   {slowest:.1} ms median on the slowest rank");
        println!(
            "compositing:    {} rounds, at most {} sent per rank",
            report.rounds,
            indicatif::HumanBytes(sent as u64)
        );
    }
    Ok(())
}
