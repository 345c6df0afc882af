//! `amrcast bench --composite`: what compositing a sort-last frame costs, at 1024x1024 and
//! 4096x2048. Alone, the schedule's figures for 2 to 8 ranks (rounds, bytes each rank sends);
//! under an MPI launcher (`--features mpi`), the exchange itself on the ranks there, timed,
//! with the bytes every rank sent.

use crate::cluster::Schedule;
use crate::error::Result;

/// The image sizes reported.
const SIZES: [(u32, u32); 2] = [(1024, 1024), (4096, 2048)];

/// Bytes of one float pixel as the ranks exchange it.
const PIXEL_BYTES: u64 = 16;

/// `amrcast bench --composite`.
pub fn bench_composite(frames: usize) -> Result<()> {
    #[cfg(feature = "mpi")]
    if let Some(()) =
        crate::cluster::comm::Cluster::run_if_launched(|cluster| measured(cluster, frames.max(1)))
    {
        return Ok(());
    }
    let _ = frames;
    println!(
        "compositing schedule (binary swap / radix-k), composite mode: float RGBA pixels of {PIXEL_BYTES} bytes (MIP: 8, projection: 4):"
    );
    println!(
        "{:>10} {:>6} {:>8} {:>10} {:>16} {:>16}",
        "size", "ranks", "rounds", "factors", "sent per rank", "to rank 0 each"
    );
    for (w, h) in SIZES {
        let pixels = (w * h) as usize;
        for n in 2..=8 {
            let s = Schedule::new(n);
            let most = (0..n).map(|p| s.pixels_sent(p, pixels)).max().unwrap_or(0);
            let gather = (0..n)
                .map(|p| s.final_part(p, pixels).len())
                .max()
                .unwrap_or(0);
            println!(
                "{:>10} {n:>6} {:>8} {:>10} {:>16} {:>16}",
                format!("{w}x{h}"),
                s.factors.len(),
                format!("{:?}", s.factors).replace(' ', ""),
                indicatif::HumanBytes(most as u64 * PIXEL_BYTES).to_string(),
                indicatif::HumanBytes(gather as u64 * PIXEL_BYTES).to_string(),
            );
        }
    }
    Ok(())
}

/// The exchange on the launcher's ranks: `frames` timed composites of synthetic partial images
/// per size; rank 0 prints the slowest rank's median time and the most bytes any rank sent.
#[cfg(feature = "mpi")]
fn measured(cluster: &crate::cluster::comm::Cluster, frames: usize) -> Result<()> {
    use crate::render::{FloatImage, Mode};
    use std::time::Instant;
    let (rank, n) = (cluster.rank(), cluster.size());
    if rank == 0 {
        println!("compositing on {n} ranks, median of {frames} frames (slowest rank):");
        println!(
            "{:>10} {:>8} {:>16} {:>16} {:>12}",
            "size", "rounds", "sent per rank", "to rank 0 each", "ms"
        );
    }
    let order: Vec<usize> = (0..n).collect();
    for (w, h) in SIZES {
        let a = 0.5 / n as f32;
        let part = FloatImage {
            width: w,
            height: h,
            mode: Mode::Composite,
            pixels: vec![[a * (rank as f32 + 1.0) / n as f32, 0.0, a, a]; (w * h) as usize],
        };
        let mut times = Vec::new();
        let mut report = Default::default();
        for _ in 0..frames {
            // The copy is the caller's: only the exchange is timed.
            let mine = part.clone();
            let t = Instant::now();
            report = cluster.composite(mine, &order)?.1;
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        let mine = [
            times[times.len() / 2],
            report.bytes_sent as f64,
            report.bytes_gathered as f64,
        ];
        let all = cluster.all_gather_f64(&mine);
        let most = |i: usize| all.chunks_exact(3).map(|c| c[i]).fold(0.0, f64::max);
        let bytes = |b: f64| indicatif::HumanBytes(b as u64).to_string();
        if rank == 0 {
            println!(
                "{:>10} {:>8} {:>16} {:>16} {:>12.1}",
                format!("{w}x{h}"),
                report.rounds,
                bytes(most(1)),
                bytes(most(2)),
                most(0)
            );
        }
    }
    Ok(())
}
