//! Keyword options: the command line's option names with dashes as underscores, with its
//! defaults and its validation messages.
//!
//! The Python package is a sibling front end of the command line, so the keywords are turned
//! into the command line's arguments (`mode="mip"` into `--mode mip`, `size=(640, 480)` into
//! `--size 640x480`, `half=True` into `--half`) and parsed by the same clap structs
//! ([`RenderOptions`], [`StereoArgs`], [`MovieArgs`]): one definition of every name, default
//! and error message for both. A keyword the command has no option for is a `TypeError`, as
//! for any Python function; a value the option refuses is a `ValueError` carrying clap's
//! message. Two keywords have no command-line option: `device` ("gpu", or "cpu" for the CPU
//! reference renderer) and `opacity_points` (the transfer function's opacity as control
//! points `(t, alpha)`, `t` in [0, 1] across the bounds, as the viewer's editor makes them).

use crate::errors::value_error;
use amrcast::cli::args::{RenderOptions, StereoArgs};
use amrcast::cli::movie::MovieArgs;
use amrcast::session::RenderRequest;
use amrcast::stereo::{Packing, StereoRig};
use clap::{ArgAction, CommandFactory, Parser};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString};

/// One keyword's value, as the command line takes it.
#[derive(Clone, Debug, PartialEq)]
pub enum OptValue {
    /// `None`: the option's default.
    Unset,
    Text(String),
    Flag(bool),
    Points(Vec<[f64; 2]>),
}

/// Keywords in the order given; a later one replaces an earlier one of the same name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    entries: Vec<(String, OptValue)>,
}

/// Where a render runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    Gpu,
    /// The CPU reference renderer (`amrcast::reference`): slow, for tests and small images.
    Cpu,
}

/// The camera keywords: given to `render`, they place the scene's camera.
pub const CAMERA_KEYS: [&str; 7] = [
    "lens",
    "view",
    "camera_position",
    "focus",
    "up",
    "width",
    "fov",
];

impl Options {
    /// The keywords of a call (`None`: none).
    pub fn from_kwargs(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Options> {
        let mut o = Options::default();
        if let Some(kw) = kwargs {
            for (k, v) in kw.iter() {
                let key: String = k.extract()?;
                let value = convert(&key, &v)?;
                o.set(&key, value);
            }
        }
        Ok(o)
    }

    pub fn set(&mut self, key: &str, value: OptValue) {
        self.entries.retain(|(k, _)| k != key);
        self.entries.push((key.to_string(), value));
    }

    pub fn get(&self, key: &str) -> Option<&OptValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Removes `key`, returning its value.
    pub fn take(&mut self, key: &str) -> Option<OptValue> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(i).1)
    }

    /// These options with `over`'s replacing them.
    pub fn merged(&self, over: &Options) -> Options {
        let mut o = self.clone();
        for (k, v) in &over.entries {
            o.set(k, v.clone());
        }
        o
    }

    /// Whether any of `keys` is given a value (not `None`).
    pub fn any_of(&self, keys: &[&str]) -> bool {
        keys.iter()
            .any(|k| matches!(self.get(k), Some(v) if *v != OptValue::Unset))
    }

    /// `(key, value)` pairs for `__repr__` and the scene's `options`.
    pub fn entries(&self) -> &[(String, OptValue)] {
        &self.entries
    }
}

/// A Python value as the command line's argument: numbers in Rust's shortest round-trip form,
/// sequences joined by commas (`size` by `x`).
fn convert(key: &str, v: &Bound<'_, PyAny>) -> PyResult<OptValue> {
    if v.is_none() {
        return Ok(OptValue::Unset);
    }
    if key == "opacity_points" {
        let points: Vec<(f64, f64)> = v.extract().map_err(|_| {
            PyTypeError::new_err("opacity_points takes a sequence of (t, alpha) pairs")
        })?;
        return Ok(OptValue::Points(
            points.into_iter().map(|(t, a)| [t, a]).collect(),
        ));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(OptValue::Text(s.extract::<String>()?));
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(OptValue::Flag(b.is_true()));
    }
    if let Ok(x) = v.extract::<f64>() {
        return Ok(OptValue::Text(format!("{x}")));
    }
    if let Ok(xs) = v.extract::<Vec<f64>>() {
        let sep = if key == "size" { "x" } else { "," };
        let parts: Vec<String> = xs.iter().map(|x| format!("{x}")).collect();
        return Ok(OptValue::Text(parts.join(sep)));
    }
    if let Ok(p) = v.extract::<std::path::PathBuf>() {
        return Ok(OptValue::Text(p.to_string_lossy().into_owned()));
    }
    Err(PyTypeError::new_err(format!(
        "{key}: cannot use a value of type {}",
        v.get_type().name()?
    )))
}

/// The arguments of `cmd` for `opts` (all but `skip`): `--name value` or `--flag`.
fn argv(cmd: &clap::Command, opts: &Options, skip: &[&str]) -> PyResult<Vec<String>> {
    let mut out = Vec::new();
    for (key, value) in opts.entries() {
        if skip.contains(&key.as_str()) || *value == OptValue::Unset {
            continue;
        }
        let long = key.replace('_', "-");
        let arg = cmd
            .get_arguments()
            .find(|a| !a.is_positional() && a.get_long() == Some(long.as_str()))
            .ok_or_else(|| PyTypeError::new_err(format!("unexpected keyword argument '{key}'")))?;
        let flag = matches!(arg.get_action(), ArgAction::SetTrue);
        let on_off = arg
            .get_possible_values()
            .iter()
            .any(|p| p.get_name() == "on");
        match (value, flag) {
            (OptValue::Flag(true), true) => out.push(format!("--{long}")),
            (OptValue::Flag(false), true) => {}
            // `--name=value`, so that a negative number is a value, not a flag.
            (OptValue::Flag(b), false) if on_off => {
                out.push(format!("--{long}={}", if *b { "on" } else { "off" }));
            }
            (OptValue::Text(t), false) => out.push(format!("--{long}={t}")),
            (_, true) => return Err(PyTypeError::new_err(format!("{key} takes True or False"))),
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "{key} takes a value, not True or False"
                )))
            }
        }
    }
    Ok(out)
}

/// Clap's message without its "error: " prefix and the usage and help lines after it.
fn clap_message(e: clap::Error) -> PyErr {
    let text = e.to_string();
    let first = text.split("\n\n").next().unwrap_or(&text).trim();
    value_error(first.strip_prefix("error: ").unwrap_or(first))
}

/// Parses `argv` as `T`'s arguments.
fn parse_as<T: Parser>(argv: Vec<String>) -> PyResult<T> {
    let cmd = T::command().no_binary_name(true);
    let matches = cmd.try_get_matches_from(argv).map_err(clap_message)?;
    T::from_arg_matches(&matches).map_err(clap_message)
}

/// What a render's options come down to.
pub struct Parsed {
    pub request: RenderRequest,
    pub stereo: Option<(StereoRig, Option<Packing>)>,
    pub device: Device,
}

#[derive(Parser)]
#[command(name = "amrcast")]
struct RenderKeywords {
    #[command(flatten)]
    opts: RenderOptions,
    #[command(flatten)]
    stereo: StereoArgs,
}

#[derive(Parser)]
#[command(name = "amrcast")]
struct MovieKeywords {
    #[command(flatten)]
    args: MovieArgs,
}

/// Keywords that are no command-line option.
const EXTRA: [&str; 2] = ["device", "opacity_points"];

/// Parses a render's options (the scene's merged with the call's).
pub fn parse_render(opts: &Options) -> PyResult<Parsed> {
    let args = argv(&RenderKeywords::command(), opts, &EXTRA)?;
    let k: RenderKeywords = parse_as(args)?;
    let mut request = k.opts.request();
    apply_points(opts, &mut request)?;
    let stereo = k.stereo.resolve().map_err(crate::errors::to_py)?;
    Ok(Parsed {
        request,
        stereo,
        device: device(opts)?,
    })
}

/// Parses a movie's options: `path` (a camera path file, or `None` with `zoom_in` / `orbit`)
/// and the output directory, with the scene's options merged with the call's.
pub fn parse_movie(
    path: Option<&str>,
    output: &str,
    opts: &Options,
) -> PyResult<amrcast::movie::MovieJob> {
    let mut args: Vec<String> = path.map(|p| vec![p.to_string()]).unwrap_or_default();
    args.push("--output".into());
    args.push(output.to_string());
    args.extend(argv(&MovieKeywords::command(), opts, &EXTRA)?);
    let k: MovieKeywords = parse_as(args)?;
    let mut job = k.args.job().map_err(crate::errors::to_py)?;
    apply_points(opts, &mut job.request)?;
    if device(opts)? == Device::Cpu {
        return Err(value_error(
            "movies render on the GPU: device=\"cpu\" does not apply",
        ));
    }
    Ok(job)
}

fn device(opts: &Options) -> PyResult<Device> {
    match opts.get("device") {
        None | Some(OptValue::Unset) => Ok(Device::Gpu),
        Some(OptValue::Text(t)) if t == "gpu" => Ok(Device::Gpu),
        Some(OptValue::Text(t)) if t == "cpu" => Ok(Device::Cpu),
        Some(_) => Err(value_error("device must be \"gpu\" or \"cpu\"")),
    }
}

/// Opacity control points replace the default layers (unless `layers` is given too).
fn apply_points(opts: &Options, request: &mut RenderRequest) -> PyResult<()> {
    let Some(OptValue::Points(points)) = opts.get("opacity_points") else {
        return Ok(());
    };
    check_points(points)?;
    let tf = &mut request.settings.tf;
    tf.points = points.clone();
    if !opts.any_of(&["layers"]) {
        tf.layers.clear();
    }
    Ok(())
}

/// At least one point, each in the unit square, sorted by `t`.
fn check_points(points: &[[f64; 2]]) -> PyResult<()> {
    let unit = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
    if points.is_empty() {
        return Err(value_error(
            "opacity_points: give at least one (t, alpha) point",
        ));
    }
    if !points.iter().all(|p| unit(p[0]) && unit(p[1])) {
        return Err(value_error(
            "opacity_points: control points must lie in [0, 1] x [0, 1]",
        ));
    }
    if points.windows(2).any(|w| w[1][0] < w[0][0]) {
        return Err(value_error(
            "opacity_points: control points must be sorted by t",
        ));
    }
    Ok(())
}
