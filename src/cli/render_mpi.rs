//! `amrcast render` started by an MPI launcher (`mpirun -n N`, `srun -n N`; built with
//! `--features mpi`): sort-last rendering over the ranks ([`crate::cluster`]). Each rank reads
//! and renders its piece of the data; rank 0 writes the files. One rank, or no launcher,
//! renders as usual.

use super::render::{check_output, check_stereo, RenderArgs};
use crate::cluster::comm::Cluster;
use crate::cluster::frame::PieceSession;
use crate::error::{Error, Result};
use crate::gpu::OffscreenTarget;
use crate::session::{write_images, Outputs};
use crate::stereo::StereoRig;
use std::time::Instant;

/// Renders over the ranks when a launcher started more than one; `None` otherwise (the caller
/// renders alone). On an error rank 0 prints it and every rank exits with status 1
/// ([`Cluster::finish`]).
pub fn render_if_launched(args: &RenderArgs) -> Option<anyhow::Result<()>> {
    Cluster::run_if_launched(|cluster| render_ranks(args, cluster)).map(Ok)
}

fn render_ranks(args: &RenderArgs, cluster: &Cluster) -> Result<()> {
    let stereo = args
        .stereo
        .resolve()
        .map_err(|e| Error::Settings(e.to_string()))?;
    let outputs = Outputs::new(
        &args.output,
        args.values.as_deref(),
        stereo.as_ref().map(|(_, packing)| *packing),
    );
    refuse_unsupported(args)?;
    let first = cluster.rank() == 0;
    cluster.checkpoint(match first {
        true => outputs.all().try_for_each(|p| check_output(p)),
        false => Ok(()),
    })?;
    let request = args.opts.request();
    let session = PieceSession::open(cluster, &request.data, &request.settings)?;
    if session.flat {
        return Err(Error::Settings(
            "a 2-D dataset is rendered by one process: run it without mpirun".into(),
        ));
    }
    let (lo, hi) = session.domain;
    let cam = request.camera(lo, hi)?;
    let size = request.size;
    cam.ray_model(size.0, size.1)?;
    let rig = stereo.as_ref().map(|(rig, _)| rig);
    if let Some(rig) = rig {
        check_stereo(rig, &cam, size)?;
    }
    let target = cluster.checkpoint(OffscreenTarget::new(&session.ctx, size.0, size.1))?;
    let display = session.display_for(&cam)?;
    let t = Instant::now();
    let mut images = Vec::new();
    for rays in StereoRig::views(rig, &cam, size.0, size.1)? {
        let (image, report) = session.render_rays(cluster, &target, &rays, display)?;
        log::info!(
            "rank {}: {} compositing rounds, {} sent, {} to rank 0",
            cluster.rank(),
            report.rounds,
            indicatif::HumanBytes(report.bytes_sent),
            indicatif::HumanBytes(report.bytes_gathered)
        );
        images.extend(image);
    }
    if first {
        log::info!(
            "rendered {} image(s) of {}x{} on {} ranks in {:.1} ms",
            images.len(),
            size.0,
            size.1,
            cluster.size(),
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    cluster.checkpoint(match first {
        true => write_images(&images, &outputs),
        false => Ok(()),
    })?;
    let peaks = cluster.all_gather_f64(&[crate::measure::own_peak_rss() as f64]);
    if first {
        let peaks: Vec<String> = peaks
            .iter()
            .map(|&p| indicatif::HumanBytes(p as u64).to_string())
            .collect();
        log::info!("peak memory per rank: {}", peaks.join(", "));
    }
    Ok(())
}

/// Options a render over several ranks does not take yet (the same answer on every rank).
fn refuse_unsupported(args: &RenderArgs) -> Result<()> {
    let what = if args.annotate.annotations().any() {
        "annotations"
    } else if !args.planes.slice_plane.is_empty() {
        "--slice-plane"
    } else if args.antialias {
        "--antialias"
    } else {
        return Ok(());
    };
    Err(Error::Settings(format!(
        "{what}: not supported by a render over several MPI ranks yet (run one process)"
    )))
}
