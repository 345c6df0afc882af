//! The viewer's camera and settings as `amrcast render` command-line flags, so a view found by
//! hand can be reproduced offscreen.

use crate::annotate::Annotations;
use crate::camera::Camera;
use crate::render::{Interpolation, RenderSettings};
use crate::stereo::{Anaglyph, Packing, Projection, StereoRig};
use std::path::Path;

fn vec3(v: glam::DVec3) -> String {
    // `{}` prints the shortest text that parses back to the same f64.
    format!("{},{},{}", v.x, v.y, v.z)
}

/// Quotes `s` for a POSIX shell when it holds anything but plain characters.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./,:=+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The camera as flags: `--camera-position`, `--focus`, `--up`, `--lens`, `--width`, `--fov`
/// (each as `--flag=value`, so negative numbers need no care).
pub fn camera_flags(cam: &Camera) -> Vec<String> {
    vec![
        format!("--camera-position={}", vec3(cam.position)),
        format!("--focus={}", vec3(cam.focus)),
        format!("--up={}", vec3(cam.up)),
        format!("--lens={}", cam.lens.name()),
        format!("--width={}", cam.width),
        format!("--fov={}", cam.fov),
    ]
}

/// A stereo rig and packing as `--stereo`, `--stereo-layout`, `--half`, `--anaglyph`,
/// `--eye-separation` and `--focal-distance` (the last two only when set: the defaults are
/// the same in `render`).
pub fn stereo_flags(rig: &StereoRig, packing: Packing) -> Vec<String> {
    let projection = match rig.projection {
        Projection::Parallel => "parallel",
        Projection::ToeIn => "toe-in",
    };
    let mut words = vec![format!("--stereo={projection}")];
    let (layout, half) = match packing {
        Packing::SideBySide { half } => ("side-by-side", half),
        Packing::TopBottom { half } => ("top-bottom", half),
        Packing::Anaglyph(_) => ("anaglyph", false),
        Packing::Interleaved => ("interleaved", false),
    };
    words.push(format!("--stereo-layout={layout}"));
    if half {
        words.push("--half".into());
    }
    if let Packing::Anaglyph(a) = packing {
        words.push(format!(
            "--anaglyph={}",
            match a {
                Anaglyph::Plain => "plain",
                Anaglyph::Dubois => "dubois",
            }
        ));
    }
    if let Some(e) = rig.eye_separation {
        words.push(format!("--eye-separation={e}"));
    }
    if let Some(d) = rig.focal_distance {
        words.push(format!("--focal-distance={d}"));
    }
    words
}

/// `--annotate=a,b,...` for the annotations shown; `None` when none is.
pub fn annotate_flag(annotations: &Annotations) -> Option<String> {
    let names: Vec<&str> = annotations.kinds().iter().map(|a| a.name()).collect();
    (!names.is_empty()).then(|| format!("--annotate={}", names.join(",")))
}

/// `command` (a [`render_command`]) with `--slice-plane AXIS=COORD` before its output, which
/// stays its last words.
pub fn with_slice_plane(command: &str, axis: crate::slice::Axis, coord: f64) -> String {
    let output = " -o view.png";
    let head = command.strip_suffix(output).unwrap_or(command);
    format!("{head} --slice-plane={}={coord}{output}", axis.name())
}

/// The viewer's slice view as an `amrcast slice` command: dataset, field, size, the plane
/// (`--axis`, `--center`, `--width`) and the colouring (`--colormap`, `--scale`, `--bounds`,
/// `--interpolation`).
pub fn slice_command(
    dataset: Option<&Path>,
    field: &str,
    size: (u32, u32),
    slice: &super::slice_view::SliceView,
    settings: &RenderSettings,
) -> String {
    let mut words = vec!["amrcast".to_string(), "slice".to_string()];
    if let Some(d) = dataset {
        words.push(shell_word(&d.to_string_lossy()));
    }
    words.push(format!("--field={}", shell_word(field)));
    words.push(format!("--size={}x{}", size.0, size.1));
    words.push(format!("--axis={}", slice.axis.name()));
    words.push(format!("--center={}", vec3(slice.center)));
    if let Some(w) = slice.width {
        words.push(format!("--width={w}"));
    }
    let tf = &settings.tf;
    words.push(format!("--colormap={}", tf.colormap.name()));
    words.push(format!("--scale={}", tf.scale.name()));
    if let Some((lo, hi)) = tf.bounds {
        words.push(format!("--bounds={lo},{hi}"));
    }
    if settings.interpolation != Interpolation::Linear {
        words.push(format!("--interpolation={}", settings.interpolation.name()));
    }
    words.push("-o".into());
    words.push("view.png".into());
    words.join(" ")
}

/// Everything but the transfer function's edited opacity: dataset, field, size (of each eye
/// with stereo), camera, stereo, mode, the transfer function's flags and the annotations. The
/// second value is false when the opacity was edited in the viewer in a way no flag can
/// express.
pub fn render_command(
    dataset: Option<&Path>,
    field: &str,
    size: (u32, u32),
    cam: &Camera,
    stereo: Option<(&StereoRig, Packing)>,
    settings: &RenderSettings,
    annotations: &Annotations,
) -> (String, bool) {
    let mut words = vec!["amrcast".to_string(), "render".to_string()];
    if let Some(d) = dataset {
        words.push(shell_word(&d.to_string_lossy()));
    }
    words.push(format!("--field={}", shell_word(field)));
    words.push(format!("--size={}x{}", size.0, size.1));
    words.extend(camera_flags(cam));
    if let Some((rig, packing)) = stereo {
        words.extend(stereo_flags(rig, packing));
    }
    let tf = &settings.tf;
    words.push(format!("--mode={}", settings.mode.name()));
    words.push(format!("--colormap={}", tf.colormap.name()));
    words.push(format!("--scale={}", tf.scale.name()));
    if let Some((lo, hi)) = tf.bounds {
        words.push(format!("--bounds={lo},{hi}"));
    }
    words.push(format!("--opacity={}", tf.opacity));
    words.push(format!("--samples-per-cell={}", settings.samples_per_cell));
    if settings.interpolation != Interpolation::Linear {
        words.push(format!("--interpolation={}", settings.interpolation.name()));
    }
    if !settings.jitter {
        words.push("--jitter=off".into());
    }
    // The default layers need no flag, no layers is --layers=0, layers made by --layers N
    // --layer-width W are reproducible; anything else is not.
    let mut exact = tf.points.is_empty();
    if tf.layers.is_empty() {
        words.push("--layers=0".into());
    } else if tf.layers != crate::transfer::default_layers() {
        let n = tf.layers.len();
        let w = tf.layers[0].width;
        if tf.layers == crate::transfer::layers(n, w) {
            words.push(format!("--layers={n}"));
            words.push(format!("--layer-width={w}"));
        } else {
            exact = false;
        }
    }
    words.extend(annotate_flag(annotations));
    words.push("-o".into());
    words.push("view.png".into());
    (words.join(" "), exact)
}

/// A [`render_command`] as the Python package's call on `receiver`:
/// `amrcast render D --field=F --size=640x480 --lens=plane -o view.png` becomes
/// `receiver.render(size=(640, 480), lens="plane")` (the dataset and field are the scene's
/// own, the output is the returned image). Numbers and comma lists stay numbers and tuples.
pub fn python_call(command: &str, receiver: &str) -> String {
    let head = command.strip_suffix(" -o view.png").unwrap_or(command);
    let args: Vec<String> = split_words(head)
        .iter()
        .filter_map(|w| w.strip_prefix("--"))
        .filter(|flag| !flag.starts_with("field="))
        .map(|flag| match flag.split_once('=') {
            Some((name, value)) => {
                format!("{}={}", name.replace('-', "_"), python_value(name, value))
            }
            None => format!("{}=True", flag.replace('-', "_")),
        })
        .collect();
    format!("{receiver}.render({})", args.join(", "))
}

/// Shell words of a command [`render_command`] wrote: plain, or single-quoted with `'\''`.
fn split_words(s: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in s.chars() {
        match c {
            '\'' => (quoted, any) = (!quoted, true),
            '\\' if !quoted => {}
            ' ' if !quoted => {
                if any || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => word.push(c),
        }
    }
    if any || !word.is_empty() {
        words.push(word);
    }
    words
}

/// A flag's value as a Python literal: a number, a tuple of numbers (`1,2,3`; `--size`'s
/// `WxH`), or a string.
fn python_value(name: &str, value: &str) -> String {
    let number = |s: &str| s.parse::<f64>().is_ok_and(f64::is_finite);
    let parts: Vec<&str> = match name {
        "size" => value.split('x').collect(),
        _ => value.split(',').collect(),
    };
    if parts.len() > 1 && parts.iter().all(|p| number(p)) {
        format!("({})", parts.join(", "))
    } else if number(value) {
        value.to_string()
    } else {
        format!("{value:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_becomes_a_python_call() {
        let line = "amrcast render 'my data' --field='gas density' --size=640x480 \
                    --camera-position=0.5,-1,2 --lens=perspective --opacity=1.5 --half \
                    --scale=log -o view.png";
        assert_eq!(
            python_call(line, "sc"),
            "sc.render(size=(640, 480), camera_position=(0.5, -1, 2), \
             lens=\"perspective\", opacity=1.5, half=True, scale=\"log\")"
        );
    }

    #[test]
    fn paths_with_spaces_are_quoted() {
        assert_eq!(shell_word("a b/it's"), "'a b/it'\\''s'");
        assert_eq!(shell_word("DD0046/DD0046"), "DD0046/DD0046");
    }
}
