//! The viewer's camera and settings as `amrcast render` command-line flags, so a view found by
//! hand can be reproduced offscreen.

use crate::camera::{Camera, Lens};
use crate::render::{Mode, RenderSettings};
use crate::stereo::{Anaglyph, Packing, Projection, StereoRig};
use crate::transfer::{Colormap, Scale};
use std::path::Path;

fn vec3(v: glam::DVec3) -> String {
    // `{}` prints the shortest text that parses back to the same f64.
    format!("{},{},{}", v.x, v.y, v.z)
}

pub fn lens_name(lens: Lens) -> &'static str {
    match lens {
        Lens::Plane => "plane",
        Lens::Perspective => "perspective",
    }
}

pub fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Composite => "composite",
        Mode::Mip => "mip",
        Mode::Projection => "projection",
    }
}

pub fn scale_name(scale: Scale) -> &'static str {
    match scale {
        Scale::Log => "log",
        Scale::Linear => "linear",
    }
}

pub fn colormap_name(c: Colormap) -> &'static str {
    match c {
        Colormap::Viridis => "viridis",
        Colormap::Inferno => "inferno",
        Colormap::Magma => "magma",
        Colormap::Plasma => "plasma",
        Colormap::Cividis => "cividis",
        Colormap::Turbo => "turbo",
        Colormap::Cubehelix => "cubehelix",
        Colormap::Gray => "gray",
    }
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
        format!("--lens={}", lens_name(cam.lens)),
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

/// Everything but the transfer function's edited opacity: dataset, field, size (of each eye
/// with stereo), camera, stereo, mode and the transfer function's flags. The second value is
/// false when the opacity was edited in the viewer in a way no flag can express.
pub fn render_command(
    dataset: Option<&Path>,
    field: &str,
    size: (u32, u32),
    cam: &Camera,
    stereo: Option<(&StereoRig, Packing)>,
    settings: &RenderSettings,
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
    words.push(format!("--mode={}", mode_name(settings.mode)));
    words.push(format!("--colormap={}", colormap_name(tf.colormap)));
    words.push(format!("--scale={}", scale_name(tf.scale)));
    if let Some((lo, hi)) = tf.bounds {
        words.push(format!("--bounds={lo},{hi}"));
    }
    words.push(format!("--opacity={}", tf.opacity));
    words.push(format!("--samples-per-cell={}", settings.samples_per_cell));
    // Layers made by --layers N --layer-width W are reproducible; anything else is not.
    let mut exact = tf.points.is_empty();
    if !tf.layers.is_empty() {
        let n = tf.layers.len();
        let w = tf.layers[0].width;
        if tf.layers == crate::transfer::layers(n, w) {
            words.push(format!("--layers={n}"));
            words.push(format!("--layer-width={w}"));
        } else {
            exact = false;
        }
    }
    words.push("-o".into());
    words.push("view.png".into());
    (words.join(" "), exact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{RenderOptions, StereoArgs};
    use crate::transfer::{layers, TransferFunction};
    use clap::Parser;
    use glam::DVec3;

    #[derive(Parser)]
    struct Args {
        #[command(flatten)]
        opts: RenderOptions,
        #[command(flatten)]
        stereo: StereoArgs,
        #[arg(short)]
        o: Option<String>,
    }

    fn parse_all(line: &str) -> Args {
        // The test lines hold no quoted words.
        let words: Vec<&str> = line.split(' ').skip(1).collect();
        Args::try_parse_from(words).unwrap()
    }

    fn parse(line: &str) -> RenderOptions {
        parse_all(line).opts
    }

    #[test]
    fn stereo_flags_round_trip_through_the_real_options() {
        let cam = Camera::framing(
            crate::camera::View::X,
            Lens::Perspective,
            DVec3::ZERO,
            DVec3::ONE,
            1.0,
        );
        let settings = RenderSettings::default();
        let rigs = [
            StereoRig::new(Projection::Parallel),
            StereoRig {
                projection: Projection::Parallel,
                eye_separation: Some(0.1 / 3.0),
                focal_distance: Some(2.5e-3 / 7.0),
            },
            StereoRig {
                projection: Projection::ToeIn,
                eye_separation: Some(0.0),
                focal_distance: None,
            },
        ];
        let packings = [
            Packing::Anaglyph(Anaglyph::Dubois),
            Packing::Anaglyph(Anaglyph::Plain),
            Packing::SideBySide { half: false },
            Packing::TopBottom { half: true },
        ];
        for rig in &rigs {
            for packing in packings {
                let (line, _) = render_command(
                    None,
                    "Density",
                    (150, 200),
                    &cam,
                    Some((rig, packing)),
                    &settings,
                );
                let args = parse_all(&line);
                assert_eq!(
                    args.stereo.resolve().unwrap(),
                    Some((*rig, Some(packing))),
                    "{line}"
                );
                assert_eq!(args.opts.size, (150, 200));
            }
        }
        // Without stereo, no stereo flag.
        let (line, _) = render_command(None, "Density", (8, 8), &cam, None, &settings);
        assert!(!line.contains("stereo"), "{line}");
        assert_eq!(parse_all(&line).stereo.resolve().unwrap(), None);
    }

    #[test]
    fn camera_flags_round_trip_through_the_real_options() {
        let (lo, hi) = (DVec3::ZERO, DVec3::new(2.0, 1.0, 1.0));
        let cams = [
            Camera {
                position: DVec3::new(-3.123456789012345, 2.0e-7, 5.5),
                focus: DVec3::new(0.1, -0.2, 1.0 / 3.0),
                up: DVec3::new(0.1, 0.9, -0.3).normalize(),
                lens: Lens::Perspective,
                width: 0.7,
                fov: 37.5,
            },
            Camera {
                lens: Lens::Plane,
                width: 1e-3 / 7.0,
                ..Camera::framing(crate::camera::View::NegY, Lens::Plane, lo, hi, 1.0)
            },
        ];
        for cam in cams {
            let settings = RenderSettings {
                mode: Mode::Mip,
                tf: TransferFunction {
                    colormap: Colormap::Magma,
                    scale: Scale::Linear,
                    bounds: Some((-0.5, 2.25)),
                    opacity: 3.5,
                    layers: layers(3, 0.05),
                    points: Vec::new(),
                },
                samples_per_cell: 2.0,
            };
            let (line, exact) = render_command(None, "Density", (300, 200), &cam, None, &settings);
            assert!(exact);
            let opts = parse(&line);
            assert_eq!(opts.camera(lo, hi).unwrap(), cam, "{line}");
            assert_eq!(opts.settings(), settings, "{line}");
            assert_eq!(opts.size, (300, 200));
            assert_eq!(opts.field.as_deref(), Some("Density"));
            assert!(opts.dataset.is_none());
        }
    }

    #[test]
    fn edited_opacity_is_reported_as_not_expressible() {
        let cam = Camera::framing(
            crate::camera::View::Z,
            Lens::Plane,
            DVec3::ZERO,
            DVec3::ONE,
            1.0,
        );
        let mut settings = RenderSettings::default();
        settings.tf.points = vec![[0.0, 0.0], [1.0, 0.5]];
        let (_, exact) = render_command(None, "Density", (8, 8), &cam, None, &settings);
        assert!(!exact);
        settings.tf.points.clear();
        settings.tf.layers = layers(2, 0.1);
        settings.tf.layers[0].alpha = 0.7;
        assert!(!render_command(None, "Density", (8, 8), &cam, None, &settings).1);
    }

    #[test]
    fn paths_with_spaces_are_quoted() {
        assert_eq!(shell_word("a b/it's"), "'a b/it'\\''s'");
        assert_eq!(shell_word("DD0046/DD0046"), "DD0046/DD0046");
    }
}
