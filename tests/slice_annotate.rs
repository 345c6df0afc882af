//! `amrcast slice --annotate`: grid and domain sections where the grids' edges are, the
//! colour bar's panel, and the command line.

mod common;
use common::*;
use glam::DVec3;
use std::process::Command;

use amrcast::annotate::colorbar::{bar_box, ColorbarSpec};
use amrcast::annotate::outlines::LEVEL_COLOURS;
use amrcast::annotate::{text_size, Annotations, Canvas, FigureData};
use amrcast::render::Interpolation;
use amrcast::render::{DisplaySettings, Mode};
use amrcast::session::Rendered;
use amrcast::slice::{figure, slice, Axis, PlaneSpec, SliceImage, SliceRequest};
use amrcast::transfer::{Colormap, Scale, TransferFunction};

/// Unit cube, 8^3 root cells; a level-1 grid across z = 0.3, one beside it, one above.
fn layout() -> amrcast::amr::AmrHierarchy {
    hierarchy(
        [8, 8, 8],
        &[
            (1, [0.25, 0.25, 0.25], [0.75, 0.75, 0.625]),
            (1, [0.0, 0.75, 0.0], [0.25, 1.0, 0.5]),
            (2, [0.375, 0.4375, 0.375], [0.5625, 0.625, 0.5]),
        ],
    )
}

fn data(h: &amrcast::amr::AmrHierarchy) -> FigureData {
    FigureData {
        hierarchy: h.clone(),
        field: "Density".into(),
        field_units: None,
        cm_per_unit: None,
    }
}

fn take(plane: PlaneSpec, width: Option<f64>, size: (u32, u32)) -> SliceImage {
    let ds = dataset(layout(), blob);
    let request = SliceRequest {
        plane,
        width,
        size,
        interpolation: Interpolation::Nearest,
    };
    slice(&ds, &request).unwrap()
}

/// `annotations` drawn on a black image of `s`'s size.
fn on_black(s: &SliceImage, annotations: Annotations) -> Canvas {
    let (w, h) = s.size();
    let black = [0, 0, 0, 255].repeat((w * h) as usize);
    let display = DisplaySettings {
        mode: Mode::Projection,
        colormap: Colormap::Viridis,
        scale: Scale::Linear,
        bounds: (0.0, 1.0),
        depth: 1.0,
    };
    figure::annotate(s, black, &display, &annotations, &data(&layout())).unwrap()
}

/// Distance (pixels) from `p` to the segment `a..b`.
fn distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    amrcast::annotate::outlines::segment_distance(p, a, b).0
}

#[test]
fn grid_outlines_of_an_axis_slice_lie_on_the_grids_edges() {
    // 64 pixels over the unit square: pixel edges at multiples of 1/64.
    let z = 0.3;
    let s = take(
        PlaneSpec::Axis {
            axis: Axis::Z,
            coord: z,
            center: None,
        },
        None,
        (64, 64),
    );
    let grids = Annotations {
        grids: true,
        ..Annotations::default()
    };
    let canvas = on_black(&s, grids);
    // The grids the plane z = 0.3 cuts: the root, the two level-1 grids; each edge in
    // pixels (x = 64 x, y = 64 (1 - y)).
    let mut edges = Vec::new();
    for g in layout()
        .grids
        .iter()
        .filter(|g| g.left.z <= z && z < g.right.z)
    {
        let px = |x: f64, y: f64| [64.0 * x, 64.0 * (1.0 - y)];
        let c = [
            px(g.left.x, g.left.y),
            px(g.right.x, g.left.y),
            px(g.right.x, g.right.y),
            px(g.left.x, g.right.y),
        ];
        for k in 0..4 {
            edges.push((c[k], c[(k + 1) % 4], g.level));
        }
    }
    assert_eq!(edges.len(), 12);
    // A line 1.25 pixels wide covers the pixels whose centre is within 1.125 of it.
    let reach = 0.5 * amrcast::annotate::outlines::LINE_WIDTH + 0.5;
    for y in 0..64 {
        for x in 0..64 {
            let p = [x as f64 + 0.5, y as f64 + 0.5];
            let d = edges
                .iter()
                .map(|&(a, b, _)| distance(p, a, b))
                .fold(f64::INFINITY, f64::min);
            let lit = canvas.pixel(x, y)[..3] != [0, 0, 0];
            assert_eq!(lit, d < reach, "pixel {x},{y}: {d} from the nearest edge");
        }
    }
    // Level 1's left edge x = 0.25 is column 16's left side: columns 15 and 16 each
    // 62.5% covered, in level 1's colour.
    let want = LEVEL_COLOURS[1].map(|c| c * 0.625 * 255.0);
    for x in [15, 16] {
        let got = canvas.pixel(x, 32);
        for c in 0..3 {
            assert!(
                (got[c] as f32 - want[c]).abs() <= 1.5,
                "{x}: {got:?} vs {want:?}"
            );
        }
    }
}

#[test]
fn the_domain_outline_of_an_oblique_slice_follows_the_data_edge() {
    let plane = PlaneSpec::Oblique {
        normal: DVec3::new(0.3, -0.5, 1.0),
        center: DVec3::new(0.47, 0.52, 0.44),
        up: None,
    };
    let s = take(plane, Some(2.2), (90, 70));
    let domain = Annotations {
        domain: true,
        ..Annotations::default()
    };
    let canvas = on_black(&s, domain);
    let (w, h) = (90i64, 70i64);
    let nan = |x: i64, y: i64| {
        !(0..w).contains(&x) || !(0..h).contains(&y) || s.values[(y * w + x) as usize].is_nan()
    };
    let mut edge = 0;
    for y in 0..h {
        for x in 0..w {
            let differs = |dx: i64, dy: i64| nan(x + dx, y + dy) != nan(x, y);
            let lit = canvas.pixel(x as u32, y as u32)[..3] != [0, 0, 0];
            // Beside the data's edge (it passes within a pixel): on the line.
            if [(1, 0), (-1, 0), (0, 1), (0, -1)]
                .iter()
                .any(|&(dx, dy)| differs(dx, dy))
            {
                assert!(lit, "pixel {x},{y} beside the domain's edge is not drawn");
                edge += 1;
            }
            // Two pixels from it: off.
            if !(-2..=2).any(|dy| (-2..=2).any(|dx| differs(dx, dy))) {
                assert!(!lit, "pixel {x},{y} far from the domain's edge is drawn");
            }
        }
    }
    assert!(edge > 150, "{edge} edge pixels");
}

#[test]
fn the_colour_bar_sits_in_a_panel_beside_the_slice_and_follows_its_colormap() {
    let ds = dataset(layout(), blob);
    let request = SliceRequest {
        plane: PlaneSpec::Axis {
            axis: Axis::X,
            coord: 0.5,
            center: None,
        },
        width: None,
        size: (200, 160),
        interpolation: Interpolation::Linear,
    };
    let s = slice(&ds, &request).unwrap();
    let tf = TransferFunction {
        colormap: Colormap::Magma,
        ..TransferFunction::default()
    };
    let prepared = amrcast::slice::prepare(&ds, &tf).unwrap();
    let rendered = Rendered::slice(&s, &prepared);
    let colorbar = Annotations {
        colorbar: true,
        ..Annotations::default()
    };
    let plain = rendered.rgba8();
    let fig = figure::annotate(
        &s,
        plain.clone(),
        &rendered.display,
        &colorbar,
        &data(&layout()),
    )
    .unwrap();
    assert_eq!(fig.height, 160);
    let panel_w = fig.width - 200;
    assert!((60..=100).contains(&panel_w), "panel {panel_w} wide");
    // The slice's pixels are untouched.
    for y in 0..160 {
        let row = (y * fig.width * 4) as usize;
        assert_eq!(
            &fig.rgba[row..row + 800],
            &plain[y as usize * 800..(y as usize + 1) * 800]
        );
    }
    // The strip, in the panel, runs through magma from the upper bound down.
    let spec = ColorbarSpec::for_slice(&rendered.display, "Density", None);
    assert_eq!(spec.title, "Density (code units)");
    let b = bar_box(&spec, (panel_w, 160), text_size(200, 160));
    let x = 200 + ((b.x0 + b.x1) * 0.5) as u32;
    for y in b.y0 as u32..b.y1 as u32 {
        let f = 1.0 - (y as f64 + 0.5 - b.y0 as f64) / (b.y1 - b.y0) as f64;
        let want = Colormap::Magma.eval(f).map(|c| c * 255.0);
        let got = fig.pixel(x, y);
        for c in 0..3 {
            assert!(
                (got[c] as f32 - want[c]).abs() <= 3.0,
                "row {y}: {got:?} vs {want:?}"
            );
        }
    }
}

#[test]
fn the_command_annotates_the_png_and_not_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let base = [
        "slice",
        "tests/data/enzo_h5py_sb0/DD0003",
        "--axis",
        "y",
        "--coord",
        "0.4",
        "--size",
        "120x100",
    ];
    let plain = amrcast(&[&base[..], &["-o", &p("a.png"), "--values", &p("a.npy")]].concat());
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let all = "domain,grids,colorbar,scale,axes";
    let args = [
        "-o",
        &p("b.png"),
        "--values",
        &p("b.npy"),
        "--annotate",
        all,
    ];
    let ann = amrcast(&[&base[..], &args].concat());
    assert!(
        ann.status.success(),
        "{}",
        String::from_utf8_lossy(&ann.stderr)
    );
    assert_eq!(
        std::fs::read(p("a.npy")).unwrap(),
        std::fs::read(p("b.npy")).unwrap()
    );
    let (a, b) = (
        image::open(p("a.png")).unwrap().to_rgba8(),
        image::open(p("b.png")).unwrap().to_rgba8(),
    );
    assert_eq!(a.dimensions(), (120, 100));
    assert!(b.width() > 120 && b.height() == 100, "{:?}", b.dimensions());
    let changed = (0..100)
        .flat_map(|y| (0..120).map(move |x| (x, y)))
        .filter(|&(x, y)| a.get_pixel(x, y) != b.get_pixel(x, y))
        .count();
    assert!(changed > 400, "{changed} pixels annotated");
}

fn amrcast(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap()
}
