//! The viewer's logged `amrcast render` command parses back, through these very options,
//! to the camera and settings it was made from.
use super::*;
use crate::camera::Camera;
use crate::viewer::render_flags::render_command;
use clap::Parser;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    opts: RenderOptions,
    #[command(flatten)]
    stereo: StereoArgs,
    #[command(flatten)]
    annotate: AnnotateArgs,
    #[command(flatten)]
    planes: SlicePlaneArgs,
    #[arg(short)]
    o: Option<String>,
}

fn parse_all(line: &str) -> Args {
    // The test lines hold no quoted words.
    let words: Vec<&str> = line.split(' ').skip(1).collect();
    Args::try_parse_from(words).unwrap()
}

#[test]
fn the_viewers_slice_plane_round_trips_through_render() {
    let cam = Camera::framing(
        crate::camera::View::X,
        Lens::Plane,
        DVec3::ZERO,
        DVec3::ONE,
        1.0,
    );
    let settings = RenderSettings::default();
    let (line, _) = render_command(
        None,
        "Density",
        (8, 8),
        &cam,
        None,
        &settings,
        &Annotations::default(),
    );
    let line = crate::viewer::render_flags::with_slice_plane(&line, Axis::Y, 0.375);
    assert!(line.ends_with(" -o view.png"), "{line}");
    let args = parse_all(&line);
    let plane = PlaneSpec::Axis {
        axis: Axis::Y,
        coord: 0.375,
        center: None,
    };
    assert_eq!(args.planes.slice_plane, vec![plane]);
    assert_eq!(
        args.opts.request().camera(DVec3::ZERO, DVec3::ONE).unwrap(),
        cam
    );
}

#[test]
fn slice_planes_parse_from_an_axis_or_a_normal_and_point() {
    assert_eq!(
        parse_plane("z=0.25"),
        Ok(PlaneSpec::Axis {
            axis: Axis::Z,
            coord: 0.25,
            center: None,
        })
    );
    assert_eq!(
        parse_plane("1,1,0@0.5,0.5,-1e-3"),
        Ok(PlaneSpec::Oblique {
            normal: DVec3::new(1.0, 1.0, 0.0),
            center: DVec3::new(0.5, 0.5, -1e-3),
            up: None
        })
    );
    for (bad, says) in [
        ("w=1", "'w' is not x, y or z"),
        ("z=big", "'big' is not a number"),
        ("0,0,0@1,1,1", "the normal is zero"),
        ("1,2@1,1,1", "is not X,Y,Z"),
        ("0.5", "is not a plane"),
    ] {
        let e = parse_plane(bad).unwrap_err();
        assert!(e.contains(says), "{bad}: {e}");
    }
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
                &Annotations::default(),
            );
            let args = parse_all(&line);
            assert_eq!(
                args.stereo.resolve().unwrap(),
                Some((*rig, Some(packing))),
                "{line}"
            );
            assert_eq!(args.opts.request().size, (150, 200));
        }
    }
    // Without stereo, no stereo flag.
    let (line, _) = render_command(
        None,
        "Density",
        (8, 8),
        &cam,
        None,
        &settings,
        &Annotations::default(),
    );
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
    let looks = Interpolation::ALL.iter().rev().zip([false, true]);
    for (cam, (interpolation, jitter)) in cams.into_iter().zip(looks) {
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
            interpolation: *interpolation,
            jitter,
        };
        let (line, exact) = render_command(
            None,
            "Density",
            (300, 200),
            &cam,
            None,
            &settings,
            &Annotations::default(),
        );
        assert!(exact);
        // The default is left out.
        assert_eq!(
            line.contains("--interpolation=nearest"),
            *interpolation == Interpolation::Nearest,
            "{line}"
        );
        assert!(!line.contains("--interpolation=linear"), "{line}");
        assert_eq!(line.contains("--jitter=off"), !jitter, "{line}");
        assert!(!line.contains("--jitter=on"), "{line}");
        let opts = parse(&line);
        assert_eq!(opts.request().camera(lo, hi).unwrap(), cam, "{line}");
        assert_eq!(opts.look.settings(), settings, "{line}");
        assert_eq!(opts.camera.size, Some((300, 200)));
        assert_eq!(opts.data.field.as_deref(), Some("Density"));
        assert!(opts.data.dataset.is_none());
    }
}

#[test]
fn the_default_layers_and_the_ramp_round_trip() {
    let cam = Camera::framing(
        crate::camera::View::Z,
        Lens::Plane,
        DVec3::ZERO,
        DVec3::ONE,
        1.0,
    );
    let default = RenderSettings::default();
    assert_eq!(default.tf.layers, crate::transfer::default_layers());
    let ramp = RenderSettings {
        tf: TransferFunction {
            layers: Vec::new(),
            ..Default::default()
        },
        ..Default::default()
    };
    for (settings, flag) in [(default, None), (ramp, Some("--layers=0"))] {
        let (line, exact) = render_command(
            None,
            "Density",
            (8, 8),
            &cam,
            None,
            &settings,
            &Annotations::default(),
        );
        assert!(exact, "{line}");
        assert_eq!(line.contains("--layers"), flag.is_some(), "{line}");
        if let Some(f) = flag {
            assert!(line.contains(f), "{line}");
        }
        assert_eq!(parse(&line).look.settings(), settings, "{line}");
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
    let (_, exact) = render_command(
        None,
        "Density",
        (8, 8),
        &cam,
        None,
        &settings,
        &Annotations::default(),
    );
    assert!(!exact);
    settings.tf.points.clear();
    settings.tf.layers = layers(2, 0.1);
    settings.tf.layers[0].alpha = 0.7;
    assert!(
        !render_command(
            None,
            "Density",
            (8, 8),
            &cam,
            None,
            &settings,
            &Annotations::default()
        )
        .1
    );
}

#[test]
fn annotation_toggles_round_trip_through_the_real_options() {
    let cam = Camera::framing(
        crate::camera::View::Z,
        Lens::Plane,
        DVec3::ZERO,
        DVec3::ONE,
        1.0,
    );
    let settings = RenderSettings::default();
    // Every subset of the five toggles.
    for bits in 0u32..32 {
        let on = |i: u32| bits & (1 << i) != 0;
        let shown = Annotations {
            domain: on(0),
            grids: on(1),
            colorbar: on(2),
            scale: on(3),
            axes: on(4),
        };
        let (line, exact) =
            render_command(None, "Density", (64, 48), &cam, None, &settings, &shown);
        assert!(exact, "{line}");
        assert_eq!(line.contains("--annotate="), shown.any(), "{line}");
        let args = parse_all(&line);
        assert_eq!(args.annotate.annotations(), shown, "{line}");
        assert_eq!(args.opts.look.settings(), settings, "{line}");
    }
    let all = Annotations {
        domain: true,
        grids: true,
        colorbar: true,
        scale: true,
        axes: true,
    };
    let (line, _) = render_command(None, "Density", (8, 8), &cam, None, &settings, &all);
    assert!(
        line.contains(" --annotate=domain,grids,colorbar,scale,axes -o view.png"),
        "{line}"
    );
}
