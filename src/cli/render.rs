//! `amrcast render`: one image, or a stereo pair, to PNG (and NPY) files.

use super::args::{RenderOptions, StereoArgs};
use crate::error::{Error, Result};
use crate::session::{write_images, Outputs, Session};
use crate::stereo::Eye;
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Instant;

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

/// `amrcast render`.
pub fn render(args: &RenderArgs) -> anyhow::Result<()> {
    let stereo = args.stereo.resolve()?;
    let outputs = Outputs::new(
        &args.output,
        args.values.as_deref(),
        stereo.as_ref().map(|(_, packing)| *packing),
    );
    for path in outputs.all() {
        check_output(path)?;
    }
    let request = args.opts.request();
    let ds = request.data.load()?;
    let (lo, hi) = (ds.hierarchy.domain_left, ds.hierarchy.domain_right);
    let cam = request.camera(lo, hi)?;
    let size = request.size;
    // A bad camera or stereo setting fails here, before the GPU starts.
    cam.ray_model(size.0, size.1)?;
    if let Some((rig, _)) = &stereo {
        for eye in Eye::BOTH {
            rig.eye_rays(&cam, size.0, size.1, eye)?;
        }
        log::info!(
            "stereo: eye separation {:.6}, zero-parallax distance {:.6}, stereo angle {:.4} degrees",
            rig.eye_separation(&cam)?,
            rig.focal_distance(&cam)?,
            rig.stereo_angle(&cam)?.to_degrees()
        );
    }
    let session = Session::new(crate::gpu::GpuContext::new()?, &ds, &request.settings)?;
    // The values live on the GPU now: free the host copy before rendering.
    drop(ds);
    let t = Instant::now();
    let images = match &stereo {
        None => vec![session.render(&cam, size)?],
        Some((rig, _)) => session.render_stereo(rig, &cam, size)?.to_vec(),
    };
    log::info!(
        "rendered {} image(s) of {}x{} in {:.1} ms on {}",
        images.len(),
        size.0,
        size.1,
        t.elapsed().as_secs_f64() * 1e3,
        session.ctx.describe()
    );
    write_images(&images, &outputs)?;
    Ok(())
}

/// Fails early, before any work, when an output cannot be written.
pub(super) fn check_output(path: &Path) -> Result<()> {
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
