//! `amrcast slice`: the field on a plane, to PNG (and NPY) files.

use super::args::{names, parse_size, parse_vec3, ColourArgs, DataArgs};
use super::render::check_output;
use crate::annotate::{Annotation, Annotations};
use crate::error::{Error, Result};
use crate::render::Interpolation;
use crate::session::Outputs;
use crate::slice::{Axis, PlaneSpec, SliceRequest};
use clap::Args;
use glam::DVec3;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Clone, Debug)]
pub struct SliceArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Slice across this axis, at --coord. The image shows x right and y up across z, (y, z)
    /// across x, (z, x) across y, as yt's SlicePlot.
    #[arg(long, value_parser = names::<Axis>(), help_heading = "Plane")]
    pub axis: Option<Axis>,
    /// Position of the --axis plane, in domain (code) units like the camera options
    /// (default: --center's coordinate along --axis).
    #[arg(long, allow_hyphen_values = true, help_heading = "Plane")]
    pub coord: Option<f64>,
    /// Oblique plane: its normal X,Y,Z (with --center). Right, up and normal are
    /// right-handed; up is the up of the axis nearest the normal (or --up) made
    /// perpendicular to it, so a normal along an axis gives that axis's slice.
    #[arg(long, value_parser = parse_vec3, allow_hyphen_values = true, help_heading = "Plane")]
    pub normal: Option<DVec3>,
    /// The point X,Y,Z at the image's centre, domain units, inside the domain. With --axis
    /// (as yt's SlicePlot center=): the view is centred on its other two coordinates, and
    /// the plane is at its coordinate along the axis unless --coord is given; with --width,
    /// zoom into any region. With --normal: a point of the plane.
    #[arg(long, value_parser = parse_vec3, allow_hyphen_values = true, help_heading = "Plane")]
    pub center: Option<DVec3>,
    /// Oblique plane: the image's up direction X,Y,Z (made perpendicular to the normal).
    #[arg(long, value_parser = parse_vec3, allow_hyphen_values = true, help_heading = "Plane")]
    pub up: Option<DVec3>,
    /// Extent of the image along its longer side, domain units (default: the whole domain's
    /// cross-section).
    #[arg(long)]
    pub width: Option<f64>,
    /// Image size WxH.
    #[arg(long, value_parser = parse_size, default_value = "512x512")]
    pub size: (u32, u32),
    #[command(flatten)]
    pub colours: ColourArgs,
    /// Linear: trilinear in the finest level's cell centres, as the ray caster samples;
    /// nearest: the finest cell's stored value, as yt's slices show it.
    #[arg(long, value_parser = names::<Interpolation>(), default_value_t = Interpolation::Linear)]
    pub interpolation: Interpolation,
    /// Each pixel the exact area average of the finest cells under it (as yt's fixed-resolution
    /// buffers), instead of the value at its centre; planes across x, y or z.
    #[arg(long)]
    pub antialias: bool,
    /// Annotations, comma-separated: grids and domain (each grid's and the domain's section by
    /// the plane, grids coloured by level), colorbar (in a panel at the right: the PNG is that
    /// much wider), scale (a scale bar in the dataset's length unit, else code units), axes
    /// (the plane's right and up axes). --values stays unannotated.
    #[arg(long, value_delimiter = ',', value_parser = names::<Annotation>(), value_name = "NAMES")]
    pub annotate: Vec<Annotation>,
    /// Output PNG (pixels outside the domain are black).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write the values as NPY: float32 (H, W) in field units, row 0 at the top (the
    /// largest up coordinate), NaN outside the domain.
    #[arg(long)]
    pub values: Option<PathBuf>,
}

impl SliceArgs {
    /// The plane the options ask for in a domain centred on `middle`: an error unless exactly
    /// one of --axis (with --coord, --center, both or neither: the domain's middle) and
    /// --normal/--center is given, complete.
    pub fn plane(&self, middle: DVec3) -> Result<PlaneSpec> {
        let oblique = self.normal.is_some() || self.up.is_some();
        match (self.axis, self.coord, self.normal, self.center) {
            (Some(_), _, _, _) if oblique => Err(Error::Settings(
                "give either --axis (with --coord or --center) or --normal and --center, not both"
                    .into(),
            )),
            (None, Some(_), _, _) => Err(Error::Settings("--coord needs --axis".into())),
            (Some(axis), coord, None, center) => {
                match coord.or(center.map(|c| c[axis.index()])) {
                    Some(coord) => Ok(PlaneSpec::Axis {
                        axis,
                        coord,
                        center,
                    }),
                    None => Ok(PlaneSpec::Axis {
                        axis,
                        coord: middle[axis.index()],
                        center,
                    }),
                }
            }
            (None, None, Some(normal), Some(center)) => Ok(PlaneSpec::Oblique {
                normal,
                center,
                up: self.up,
            }),
            (None, None, Some(_), None) => Err(Error::Settings("--normal needs --center".into())),
            (None, None, None, Some(_)) => Err(Error::Settings(
                "--center needs --axis or --normal".into(),
            )),
            _ if self.up.is_some() => Err(Error::Settings(
                "--up needs --normal and --center".into(),
            )),
            _ => Err(Error::Settings(
                "no slice plane: give --axis x|y|z and --coord C, or --normal X,Y,Z and --center X,Y,Z"
                    .into(),
            )),
        }
    }

    /// The library's request, in a domain centred on `middle`.
    pub fn request(&self, middle: DVec3) -> Result<SliceRequest> {
        Ok(SliceRequest {
            plane: self.plane(middle)?,
            width: self.width,
            size: self.size,
            interpolation: self.interpolation,
        })
    }
}

/// `amrcast slice`.
pub fn slice(args: &SliceArgs) -> anyhow::Result<()> {
    // The options are checked before the data are read (the domain's middle only fills in
    // --coord), and the plane is placed in the domain once they are.
    args.request(DVec3::ZERO)?;
    let outputs = Outputs::new(&args.output, args.values.as_deref(), None);
    for path in outputs.all() {
        check_output(path)?;
    }
    let (ds, metadata) = args.data.spec().load_with_metadata()?;
    let h = &ds.hierarchy;
    let request = args.request(h.domain_center())?;
    // A bad plane or width fails here, before the look is resolved.
    request.frame(h.domain_left, h.domain_right)?;
    let prepared = crate::slice::prepare(&ds, &args.colours.tf())?;
    prepared.print_warnings(&ds.field.name);
    let t = Instant::now();
    let image = match args.antialias {
        true => crate::slice::area_slice(&ds, &request)?,
        false => crate::slice::slice(&ds, &request)?,
    };
    log::info!(
        "sliced {}x{} pixels in {:.1} ms",
        request.size.0,
        request.size.1,
        t.elapsed().as_secs_f64() * 1e3
    );
    let annotations = Annotations::from_list(&args.annotate);
    let figure = crate::slice::figure::figure_of(annotations, &ds, &metadata);
    crate::slice::figure::write(&image, &prepared, figure.as_ref(), &outputs)?;
    Ok(())
}
