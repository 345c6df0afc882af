//! `amrcast movie` over MPI ranks (`--features mpi`): every frame made by all the ranks (each
//! renders its piece of the one dataset, the parts are composited), rank 0 writing the files.
//! Rank 0 alone checks the output directory and decides which frames are left to render; the
//! ranks then go through the same frames. Time series, annotations and `--encode` are refused.

use super::{camera_path, check, frames_to_do, select_frames, FrameFiles, MovieJob, Progress};
use crate::cluster::comm::Cluster;
use crate::cluster::frame::PieceSession;
use crate::error::{Error, Result};
use crate::gpu::OffscreenTarget;
use crate::session::write_images;
use crate::stereo::StereoRig;

/// Renders `job` with all of `cluster`'s ranks.
pub fn movie_ranks(job: &MovieJob, cluster: &Cluster) -> Result<()> {
    let (path_file, request, series) = check(job)?;
    let refused = if series.is_some() {
        Some("--datasets")
    } else if job.encode.is_some() {
        Some("--encode (encode the frames afterwards)")
    } else if job.annotate.any() {
        Some("annotations")
    } else {
        None
    };
    if let Some(what) = refused {
        return Err(Error::Settings(format!(
            "{what}: not supported by a movie over several MPI ranks yet (run one process)"
        )));
    }
    let files = FrameFiles {
        stereo: job.stereo,
        values: job.values,
        size: request.size,
    };
    let (path, first, path_text) = camera_path(job, path_file.as_deref(), &request, &|r| {
        r.data.open_field()
    })?;
    drop(first);
    let selected = select_frames(path.frames, job.frames, job.shard)?;
    let lead = cluster.rank() == 0;
    let todo = cluster.checkpoint(match lead {
        true => frames_to_do(job, &request, &path_text, &files, &selected, path.frames),
        false => Ok(Vec::new()),
    })?;
    let todo = cluster.broadcast_list(todo);
    if todo.is_empty() {
        return Ok(());
    }
    let session = PieceSession::open(cluster, &request.data, &request.settings)?;
    if session.flat {
        return Err(Error::Settings(
            "a 2-D dataset is rendered by one process: run the movie without mpirun".into(),
        ));
    }
    let (w, h) = request.size;
    let target = cluster.checkpoint(OffscreenTarget::new(&session.ctx, w, h))?;
    let rig = files.stereo.as_ref().map(|(rig, _)| rig);
    let mut progress = lead.then(|| Progress::new(todo.len()));
    for &k in &todo {
        let cam = path.frame_camera(k);
        let display = session.display_for(&cam)?;
        let mut images = Vec::new();
        for rays in StereoRig::views(rig, &cam, w, h)? {
            images.extend(session.render_rays(cluster, &target, &rays, display)?.0);
        }
        let outputs = files.outputs(&job.output, k);
        cluster.checkpoint(match lead {
            true => write_images(&images, &outputs),
            false => Ok(()),
        })?;
        if let (Some(p), Some(png)) = (&mut progress, outputs.pngs.last()) {
            p.frame_done(png);
        }
    }
    if let Some(p) = progress {
        p.finish();
    }
    Ok(())
}
