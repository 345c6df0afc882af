//! The option groups commands flatten: data (dataset, field), look (mode, colours, opacity),
//! camera (lens, placement, size) and stereo. Each converts into the library's own type; the
//! option names are a contract other tools rely on (see the README).

use crate::annotate::{Annotation, Annotations};
use crate::camera::{CameraSpec, Lens, View};
use crate::error::{Error, Result};
use crate::gpu::MemoryBudget;
use crate::names::Named;
use crate::render::{Interpolation, Mode, RenderSettings};
use crate::session::{DataSpec, RenderRequest};
use crate::slice::{Axis, PlaneSpec};
use crate::stereo::{Anaglyph, Layout, Packing, Projection, StereoRig};
use crate::transfer::{default_layers, layers, Colormap, Scale, TransferFunction};
use clap::builder::{PossibleValue, PossibleValuesParser, StringValueParser, TypedValueParser};
use clap::Args;
use glam::DVec3;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::str::FromStr;

/// Parses an enum through its one names table ([`crate::names`]): the values `--help` lists
/// and the error for an unknown name (one line) both come from it.
#[derive(Clone, Copy)]
pub struct NamesParser<T>(PhantomData<fn() -> T>);

pub fn names<T>() -> NamesParser<T> {
    NamesParser(PhantomData)
}

impl<T> TypedValueParser for NamesParser<T>
where
    T: Named + FromStr<Err = Error>,
{
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<T, clap::Error> {
        StringValueParser::new()
            .try_map(|s| s.parse::<T>())
            .parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            T::all().iter().map(|v| PossibleValue::new(v.name())),
        ))
    }
}

/// `on` or `off` as a bool.
fn on_off() -> impl TypedValueParser<Value = bool> {
    PossibleValuesParser::new(["on", "off"]).map(|s| s == "on")
}

/// The dataset and the field.
#[derive(Args, Clone, Debug)]
pub struct DataArgs {
    /// Dataset to open (Enzo parameter file, .athdf, Chombo HDF5, AMReX plotfile directory,
    /// FILE.h5:/dataset); the built-in demo when omitted.
    pub dataset: Option<PathBuf>,
    /// Field to render (default: Density, else the first field).
    #[arg(long)]
    pub field: Option<String>,
}

impl DataArgs {
    pub fn spec(&self) -> DataSpec {
        DataSpec {
            dataset: self.dataset.clone(),
            field: self.field.clone(),
            memory: Default::default(),
        }
    }
}

/// How much memory rendering may take: data larger than these budgets is read grid by grid
/// and rendered in passes, to the same image.
#[derive(Args, Clone, Debug, Default)]
pub struct MemoryArgs {
    /// GPU memory for the field's bricks, e.g. 512MiB or 2GiB (default: a quarter of the
    /// machine's memory on a CPU adapter, 4GiB on a GPU). Bricks beyond it are loaded pass
    /// by pass.
    #[arg(long, value_name = "SIZE", value_parser = bytes)]
    pub gpu_memory: Option<u64>,
    /// Host memory for the grids read from the files (default 512MiB).
    #[arg(long, value_name = "SIZE", value_parser = bytes)]
    pub host_memory: Option<u64>,
}

impl MemoryArgs {
    pub fn budget(&self) -> MemoryBudget {
        MemoryBudget {
            gpu: self.gpu_memory,
            host: self.host_memory,
        }
    }
}

fn bytes(s: &str) -> Result<u64, String> {
    crate::gpu::parse_bytes(s)
}

/// How values become an image: mode and transfer function.
#[derive(Args, Clone, Debug)]
pub struct LookArgs {
    /// What is accumulated along each ray.
    #[arg(long, value_parser = names::<Mode>(), default_value_t = Mode::Composite)]
    pub mode: Mode,
    #[command(flatten)]
    pub colours: ColourArgs,
    /// Multiplier of the transfer function's opacity (extinction).
    #[arg(long, default_value_t = 1.0)]
    pub opacity: f64,
    /// Samples per cell of the level a ray crosses.
    #[arg(long, default_value_t = 1.0)]
    pub samples_per_cell: f64,
    /// Trilinear sampling (seamless), or nearest: each finest cell drawn as a constant, as yt
    /// shows it.
    #[arg(long, value_parser = names::<Interpolation>(), default_value_t = Interpolation::Linear)]
    pub interpolation: Interpolation,
    /// Jittered sampling in composite and MIP: each pixel's samples at an offset of its own
    /// (a hash of the pixel), so close-up views show no banding; off: at the middle of each
    /// step.
    #[arg(long, value_name = "on|off", value_parser = on_off(), default_value = "on", action = clap::ArgAction::Set)]
    pub jitter: bool,
    /// yt-style Gaussian layers evenly spread over the bounds: their number, instead of the
    /// default layers (over the upper 70% of the range); 0 for the opacity ramp.
    #[arg(long)]
    pub layers: Option<usize>,
    /// Width (standard deviation) of each layer as a fraction of the bounds' range.
    #[arg(long, default_value_t = 0.02)]
    pub layer_width: f64,
}

impl LookArgs {
    pub fn settings(&self) -> RenderSettings {
        RenderSettings {
            mode: self.mode,
            tf: TransferFunction {
                opacity: self.opacity,
                layers: match self.layers {
                    None => default_layers(),
                    Some(n) => layers(n, self.layer_width),
                },
                ..self.colours.tf()
            },
            samples_per_cell: self.samples_per_cell,
            interpolation: self.interpolation,
            jitter: self.jitter,
        }
    }
}

/// How values map to colours: colormap, bounds and scale (renders and slices).
#[derive(Args, Clone, Debug)]
pub struct ColourArgs {
    /// Colours of the transfer function (matplotlib's maps, as yt uses).
    #[arg(long, value_parser = names::<Colormap>(), default_value_t = Colormap::Viridis)]
    pub colormap: Colormap,
    /// Transfer-function bounds MIN,MAX in field units (default: the field's range).
    #[arg(long, value_parser = parse_bounds, allow_hyphen_values = true)]
    pub bounds: Option<(f64, f64)>,
    /// How values map to the colormap.
    #[arg(long, value_parser = names::<Scale>(), default_value_t = Scale::Log)]
    pub scale: Scale,
}

impl ColourArgs {
    /// The default transfer function with these colours.
    pub fn tf(&self) -> TransferFunction {
        TransferFunction {
            colormap: self.colormap,
            scale: self.scale,
            bounds: self.bounds,
            ..TransferFunction::default()
        }
    }
}

/// The camera and the image size.
#[derive(Args, Clone, Debug)]
pub struct CameraArgs {
    /// Plane-parallel (orthographic) lens or a pinhole.
    #[arg(long, value_parser = names::<Lens>(), default_value_t = Lens::Plane)]
    pub lens: Lens,
    /// On-axis view framing the whole domain (default z).
    #[arg(long, value_parser = names::<View>(), allow_hyphen_values = true)]
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
    /// Image size WxH [default: 512x512] (view: the window's initial size; by default one that
    /// fits the monitor).
    #[arg(long, value_parser = parse_size)]
    pub size: Option<(u32, u32)>,
}

/// The image size when `--size` is not given.
pub const DEFAULT_SIZE: (u32, u32) = (512, 512);

impl CameraArgs {
    pub fn spec(&self) -> CameraSpec {
        CameraSpec {
            lens: self.lens,
            view: self.view,
            position: self.camera_position,
            focus: self.focus,
            up: self.up,
            width: self.width,
            fov: self.fov,
        }
    }
}

/// The groups of every command that renders one camera: data, look and camera.
#[derive(Args, Clone, Debug)]
pub struct RenderOptions {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub memory: MemoryArgs,
    #[command(flatten)]
    pub look: LookArgs,
    #[command(flatten)]
    pub camera: CameraArgs,
}

impl RenderOptions {
    pub fn request(&self) -> RenderRequest {
        RenderRequest {
            data: DataSpec {
                memory: self.memory.budget(),
                ..self.data.spec()
            },
            settings: self.look.settings(),
            camera: self.camera.spec(),
            size: self.camera.size.unwrap_or(DEFAULT_SIZE),
        }
    }
}

/// Annotations drawn on the image.
#[derive(Args, Clone, Debug, Default)]
pub struct AnnotateArgs {
    /// Annotations, comma-separated: domain (the domain's box), grids (grid outlines coloured
    /// by level), colorbar, scale (a scale bar in the dataset's length unit, else code units),
    /// axes (an x/y/z triad). In composite mode the volume in front of a line hides it; in mip
    /// and projection modes lines are drawn over the image. --values stays unannotated.
    #[arg(long, value_delimiter = ',', value_parser = names::<Annotation>(), value_name = "NAMES")]
    pub annotate: Vec<Annotation>,
}

impl AnnotateArgs {
    pub fn annotations(&self) -> Annotations {
        Annotations::from_list(&self.annotate)
    }
}

/// Slice planes drawn inside the 3-D render.
#[derive(Args, Clone, Debug, Default)]
pub struct SlicePlaneArgs {
    /// A slice plane shown in the volume, coloured by the field on it (the render's colormap,
    /// scale, bounds and interpolation): x=C, y=C or z=C (domain units, as --focus), or
    /// NX,NY,NZ@X,Y,Z (a normal and a point). Repeat for several. Opaque; the volume in front
    /// of it is composited over it, the volume behind it is hidden. Composite mode only.
    /// --values stays the volume alone.
    #[arg(long, value_parser = parse_plane, allow_hyphen_values = true, value_name = "PLANE")]
    pub slice_plane: Vec<PlaneSpec>,
}

/// Parses `x=C`, `y=C`, `z=C` or `NX,NY,NZ@X,Y,Z`.
pub fn parse_plane(s: &str) -> std::result::Result<PlaneSpec, String> {
    let usage = "give x=C, y=C, z=C or NX,NY,NZ@X,Y,Z (a normal and a point)";
    if let Some((normal, center)) = s.split_once('@') {
        let normal = parse_vec3(normal).map_err(|e| format!("normal {e}: {usage}"))?;
        let center = parse_vec3(center).map_err(|e| format!("point {e}: {usage}"))?;
        if normal.length() == 0.0 {
            return Err(format!("'{s}': the normal is zero"));
        }
        return Ok(PlaneSpec::Oblique {
            normal,
            center,
            up: None,
        });
    }
    let (axis, coord) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not a plane: {usage}"))?;
    let axis = axis
        .trim()
        .parse::<Axis>()
        .map_err(|_| format!("'{s}': '{axis}' is not x, y or z: {usage}"))?;
    match coord.trim().parse::<f64>() {
        Ok(coord) if coord.is_finite() => Ok(PlaneSpec::Axis {
            axis,
            coord,
            center: None,
        }),
        _ => Err(format!("'{s}': '{coord}' is not a number: {usage}")),
    }
}

/// Stereo pairs (see the README's Stereo section and [`crate::stereo`]).
#[derive(Args, Clone, Debug, Default)]
pub struct StereoArgs {
    /// Render a stereo pair: parallel (off-axis frusta sharing one image rectangle at the focal
    /// distance; no vertical parallax) | toe-in (each eye turned to the focus, like yt's stereo
    /// lens). --size is the size of each eye.
    #[arg(long, value_parser = names::<Projection>(), help_heading = "Stereo")]
    pub stereo: Option<Projection>,
    /// separate (OUT_L.png and OUT_R.png) | side-by-side (left eye left) | top-bottom (left eye
    /// on top) | anaglyph (red-cyan, left eye red) | interleaved (rows; left eye on even rows).
    /// Whatever the layout, --values VALUES.npy writes VALUES_L.npy and VALUES_R.npy.
    #[arg(long, value_parser = names::<Layout>(), help_heading = "Stereo")]
    pub stereo_layout: Option<Layout>,
    /// Squeeze side-by-side or top-bottom to the size of one eye (half side-by-side for 3D TVs).
    #[arg(long, help_heading = "Stereo")]
    pub half: bool,
    /// Anaglyph colours: dubois (least-squares, default) | plain (red from the left eye, green
    /// and blue from the right).
    #[arg(long, value_parser = names::<Anaglyph>(), help_heading = "Stereo")]
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

/// Parses `X,Y,Z` (three finite numbers).
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

/// Parses `WxH` (each side from 1 to 16384).
pub fn parse_size(s: &str) -> std::result::Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("'{s}' is not WxH"))?;
    let (w, h) = (w.trim().parse::<u32>(), h.trim().parse::<u32>());
    match (w, h) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 && w <= 16384 && h <= 16384 => Ok((w, h)),
        _ => Err(format!("'{s}' is not WxH with sides from 1 to 16384")),
    }
}

#[cfg(test)]
mod tests;
