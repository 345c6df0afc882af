//! `amrcast render`: one image, or a stereo pair, to PNG (and NPY) files.

use super::args::{AnnotateArgs, RenderOptions, SlicePlaneArgs, StereoArgs, DEFAULT_SIZE};
use crate::amr::{AmrDataset, FieldSource};
use crate::annotate::GeometryLayer;
use crate::camera::{Camera, RayModel};
use crate::error::{Error, Result};
use crate::figure::{
    check_planes_mode, planes_layer, render_annotated_eyes, write_annotated, FigureData,
};
use crate::gpu::OffscreenTarget;
use crate::render::RenderSettings;
use crate::session::{write_images, Outputs, RenderRequest, Session};
use crate::slice::{flat, PlaneSpec};
use crate::stereo::{Eye, StereoRig};
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Arc;
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
    #[command(flatten)]
    pub annotate: AnnotateArgs,
    #[command(flatten)]
    pub planes: SlicePlaneArgs,
    /// 2-D datasets: each pixel the exact area average of the finest cells under it (as yt's
    /// fixed-resolution buffers), instead of the value at its centre.
    #[arg(long)]
    pub antialias: bool,
}

/// `amrcast render`.
pub fn render(args: &RenderArgs) -> anyhow::Result<()> {
    #[cfg(feature = "mpi")]
    if let Some(done) = super::render_mpi::render_if_launched(args) {
        return done;
    }
    let stereo = args.stereo.resolve()?;
    let outputs = Outputs::new(
        &args.output,
        args.values.as_deref(),
        stereo.as_ref().map(|(_, packing)| *packing),
    );
    for path in outputs.all() {
        check_output(path)?;
    }
    let annotations = args.annotate.annotations();
    let planes = &args.planes.slice_plane;
    let request = args.opts.request();
    // The field is read grid by grid as bricks need it, except for slice planes and 2-D
    // datasets, which are sampled on the CPU.
    let (field, metadata) = request.data.open_field()?;
    if crate::slice::flat::is_flat(field.hierarchy()) {
        let flat = FlatRender {
            field,
            metadata,
            stereo: stereo.is_some(),
            outputs: &outputs,
        };
        return Ok(render_flat(args, &request, flat)?);
    }
    check_volume_options(args, stereo.is_some(), &request, &metadata.name)?;
    let in_memory = match planes.is_empty() {
        true => None,
        false => Some(Arc::new(AmrDataset::read_all(field.as_ref())?)),
    };
    let field = match &in_memory {
        Some(ds) => ds.clone() as Arc<dyn FieldSource>,
        None => field,
    };
    let figure = (annotations.any() || !planes.is_empty())
        .then(|| FigureData::new(field.as_ref(), &metadata));
    let h = field.hierarchy();
    let cam = request.camera(h.domain_left, h.domain_right)?;
    let size = request.size;
    // A bad camera, stereo setting or plane fails here, before the GPU starts.
    let rays = cam.ray_model(size.0, size.1)?;
    let plane_layer = match &in_memory {
        Some(ds) => slice_planes(ds, planes, &request.settings, &rays, size)?,
        None => None,
    };
    drop(in_memory);
    if let Some((rig, _)) = &stereo {
        check_stereo(rig, &cam, size)?;
    }
    let gpu = crate::gpu::GpuContext::new()?;
    let session = Session::with_source(gpu, field, &request.settings, request.data.memory.gpu)?;
    let t = Instant::now();
    if let Some(data) = &figure {
        let target = OffscreenTarget::new(&session.ctx, size.0, size.1)?;
        let wants_values = args.values.is_some();
        let rig = stereo.as_ref().map(|(rig, _)| rig);
        let images = render_annotated_eyes(
            &session,
            &target,
            rig,
            &cam,
            &annotations,
            data,
            wants_values,
            plane_layer.as_ref(),
        )?;
        log::info!(
            "rendered {} annotated image(s) of {}x{} in {:.1} ms",
            images.len(),
            size.0,
            size.1,
            t.elapsed().as_secs_f64() * 1e3
        );
        write_annotated(&images, size, &outputs)?;
        return Ok(());
    }
    let rig = stereo.as_ref().map(|(rig, _)| rig);
    Ok(render_plain(&session, rig, &cam, size, &outputs)?)
}

/// Renders the image (or the stereo pair through `rig`) without annotations and writes it.
fn render_plain(
    session: &Session,
    rig: Option<&StereoRig>,
    cam: &Camera,
    size: (u32, u32),
    outputs: &Outputs,
) -> Result<()> {
    let t = Instant::now();
    let images = match rig {
        None => vec![session.render(cam, size)?],
        Some(rig) => session.render_stereo(rig, cam, size)?.to_vec(),
    };
    log::info!(
        "rendered {} image(s) of {}x{} in {:.1} ms on {}",
        images.len(),
        size.0,
        size.1,
        t.elapsed().as_secs_f64() * 1e3,
        session.ctx.describe()
    );
    write_images(&images, outputs)
}

/// Fails for options that do not go together on a volume: --slice-plane with stereo or outside
/// the composite mode, --antialias (2-D datasets only).
fn check_volume_options(
    args: &RenderArgs,
    stereo: bool,
    request: &RenderRequest,
    name: &str,
) -> Result<()> {
    if !args.planes.slice_plane.is_empty() {
        if stereo {
            return Err(Error::Settings(
                "--slice-plane does not work with --stereo yet".into(),
            ));
        }
        check_planes_mode(&request.settings)?;
    }
    if args.antialias {
        let what = "--antialias applies to 2-D datasets (and to `amrcast slice`)";
        return Err(Error::Settings(format!("{name}: {what}")));
    }
    Ok(())
}

/// `render` of a 2-D dataset: the field as an image ([`crate::slice::flat`]), at `--size` or
/// else the domain's aspect with the default size's longer side, framed by the camera options.
fn render_flat(args: &RenderArgs, request: &RenderRequest, job: FlatRender) -> Result<()> {
    let what = "is a 2-D dataset, rendered as an image of its field";
    let refuse = |option: &str| {
        Err(Error::Settings(format!(
            "{} {what}: {option} does not apply",
            job.metadata.name
        )))
    };
    if job.stereo {
        return refuse("--stereo");
    }
    if !args.planes.slice_plane.is_empty() {
        return refuse("--slice-plane");
    }
    let ds = AmrDataset::read_all(job.field.as_ref())?;
    let h = &ds.hierarchy;
    let size = match args.opts.camera.size {
        Some(size) => size,
        None => flat::fitted_size(h, DEFAULT_SIZE.0.max(DEFAULT_SIZE.1)),
    };
    let cam = request.camera.camera(h.domain_left, h.domain_right, size)?;
    let slice = flat::through_camera(h, &cam, size, request.settings.interpolation);
    slice.frame(h.domain_left, h.domain_right)?;
    let prepared = crate::slice::prepare(&ds, &request.settings.tf)?;
    prepared.print_warnings(&ds.field.name);
    let t = Instant::now();
    let image = match args.antialias {
        true => crate::slice::area_slice(&ds, &slice)
            .map_err(|e| Error::Settings(format!("{e} (the image's up, --up, along x or y)")))?,
        false => crate::slice::slice(&ds, &slice)?,
    };
    log::info!(
        "2-D dataset: {}x{} image of its field in {:.1} ms",
        size.0,
        size.1,
        t.elapsed().as_secs_f64() * 1e3
    );
    let annotations = args.annotate.annotations();
    let figure = crate::slice::figure::figure_of(annotations, &ds, &job.metadata);
    crate::slice::figure::write(&image, &prepared, figure.as_ref(), job.outputs)
}

/// What [`render_flat`] needs besides the options: the field opened, whether stereo was asked
/// for, and the outputs.
struct FlatRender<'a> {
    field: Arc<dyn FieldSource>,
    metadata: crate::formats::Metadata,
    stereo: bool,
    outputs: &'a Outputs,
}

/// The `--slice-plane` planes as the ray caster's geometry layer (`None` without planes).
fn slice_planes(
    ds: &AmrDataset,
    planes: &[PlaneSpec],
    settings: &RenderSettings,
    rays: &RayModel,
    size: (u32, u32),
) -> Result<Option<GeometryLayer>> {
    if planes.is_empty() {
        return Ok(None);
    }
    let t = Instant::now();
    let layer = planes_layer(ds, planes, settings, rays, size)?;
    log::info!(
        "slice planes: {:.1} ms on the CPU",
        t.elapsed().as_secs_f64() * 1e3
    );
    Ok(Some(layer))
}

/// Fails early, before the GPU starts, when either eye's camera is impossible; logs the rig.
pub(super) fn check_stereo(rig: &StereoRig, cam: &Camera, size: (u32, u32)) -> Result<()> {
    for eye in Eye::BOTH {
        rig.eye_rays(cam, size.0, size.1, eye)?;
    }
    log::info!(
        "stereo: eye separation {:.6}, zero-parallax distance {:.6}, stereo angle {:.4} degrees",
        rig.eye_separation(cam)?,
        rig.focal_distance(cam)?,
        rig.stereo_angle(cam)?.to_degrees()
    );
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
