//! How `amrcast view` opens without `--size`: a window that fits the screen, the volume taking
//! most of its width beside the panel, and the panel hidden and shown again (Tab, and its
//! buttons). Measured from the X server (the window's geometry, the screen's pixels) and from
//! the volume's layout as the viewer logs it.

use super::screen::{capture, window_geometry};
use super::{have, start_viewer, stderr_of, wait_for, xdotool, xvfb};
use std::path::Path;

/// egui's panel background in its dark theme (`Visuals::dark().panel_fill`).
const PANEL_FILL: [u8; 3] = [27, 27, 27];

/// The volume's layout as logged: `volume WxH at x=X in the SWxSH window` -> (x, w, h).
fn volumes(log: &Path) -> Vec<(u32, u32, u32)> {
    let parse = |line: &str| {
        let rest = line.split("] volume ").nth(1)?;
        let mut words = rest.split_whitespace();
        let (w, h) = words.next()?.split_once('x')?;
        let x = words.nth(1)?.strip_prefix("x=")?;
        Some((x.parse().ok()?, w.parse().ok()?, h.parse().ok()?))
    };
    stderr_of(log).lines().filter_map(parse).collect()
}

/// Waits until the viewer has shown a full-resolution image after its last layout change;
/// returns that layout.
fn settled(log: &Path) -> (u32, u32, u32) {
    wait_for("a full-resolution image", 180, || {
        let text = stderr_of(log);
        let last_volume = text.rfind("] volume ")?;
        text[last_volume..]
            .contains("full resolution")
            .then_some(())?;
        volumes(log).last().copied()
    })
}

/// Waits until the viewer has logged the `expected` layout and drawn it at full resolution;
/// the keys and clicks that change the layout are handled a few frames after they are sent.
fn settled_at(log: &Path, expected: (u32, u32, u32), what: &str) {
    wait_for(&format!("{what}: the layout {expected:?}"), 60, || {
        let text = stderr_of(log);
        let last_volume = text.rfind("] volume ")?;
        text[last_volume..]
            .contains("full resolution")
            .then_some(())?;
        (volumes(log).last() == Some(&expected)).then_some(())
    });
}

/// The share of the pixels in columns `x0..x1` of `img`'s rows `0..h` that are the panel's
/// background.
fn panel_share(img: &image::RgbImage, (x0, x1): (u32, u32), h: u32) -> f64 {
    let n = (x0..x1)
        .flat_map(|x| (0..h).map(move |y| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0 == PANEL_FILL)
        .count();
    n as f64 / ((x1 - x0) * h).max(1) as f64
}

/// Opens the viewer on a `screen` of Xvfb and checks the window, the layout and the screen's
/// pixels; returns the capture of the screen.
fn opens_on(screen: (u32, u32), expected: (u32, u32)) -> image::RgbImage {
    let (display, _server) = xvfb(&format!("{}x{}", screen.0, screen.1));
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.txt");
    let (mut viewer, window) = start_viewer(&display, dir.path(), &log, &[]);
    let id: u32 = window.parse().unwrap();
    let (x, y, w, h) = window_geometry(&display, id);
    assert_eq!((w, h), expected, "the window on a {screen:?} screen");
    assert!(
        x >= 0 && y >= 0 && x as u32 + w <= screen.0 && y as u32 + h <= screen.1,
        "the window at ({x}, {y}), {w}x{h}, fits the {screen:?} screen"
    );
    // The volume fills the window right of the panel, and takes most of its width.
    let (vx, vw, vh) = settled(&log);
    assert!(vx > 0, "the panel is shown: {}", stderr_of(&log));
    assert_eq!(
        (vx + vw, vh),
        (w, h),
        "the volume reaches the window's edges"
    );
    assert!(
        vw as f64 >= 0.6 * w as f64,
        "the volume is {vw} of the window's {w} pixels"
    );
    // What the screen shows: the panel's background left of the volume, none right of it,
    // and a lit volume.
    std::thread::sleep(std::time::Duration::from_millis(500)); // presented
    let shot = capture(&display);
    let name = format!("viewer-opening-{}x{}.png", screen.0, screen.1);
    shot.save(Path::new(env!("CARGO_TARGET_TMPDIR")).join(name))
        .unwrap();
    let (x, y) = (x as u32, y as u32);
    let window_shot = image::imageops::crop_imm(&shot, x, y, w, h).to_image();
    let panel = panel_share(&window_shot, (0, vx), h);
    let volume = panel_share(&window_shot, (vx, w), h);
    assert!(panel > 0.3, "{panel:.2} of the panel is its background");
    assert!(volume < 0.01, "{volume:.3} of the volume is the panel's");
    let lit = window_shot
        .enumerate_pixels()
        .filter(|&(px, _, p)| px >= vx && p.0.iter().any(|&c| c > 40))
        .count();
    assert!(
        lit > (vw * vh / 20) as usize,
        "{lit} lit pixels in the volume"
    );
    // Tab hides the panel: the volume takes the whole window.
    xdotool(&display, &["mousemove", "--window", &window, "600", "300"]);
    xdotool(&display, &["key", "Tab"]);
    settled_at(&log, (0, w, h), "the panel hidden");
    // The button at the top left shows it again, as wide as before.
    xdotool(&display, &["mousemove", "--window", &window, "20", "14"]);
    xdotool(&display, &["click", "1"]);
    settled_at(&log, (vx, vw, vh), "the panel shown again");
    xdotool(&display, &["key", "Escape"]);
    let status = wait_for("the viewer to quit", 60, || viewer.0.try_wait().unwrap());
    assert!(status.success(), "{status}: {}", stderr_of(&log));
    shot
}

#[test]
fn view_opens_fitting_the_screen_with_the_volume_most_of_the_width() {
    if !have("Xvfb") || !have("xdotool") {
        eprintln!("skipping: the viewer test needs Xvfb and xdotool");
        return;
    }
    opens_on((1600, 1000), (1280, 800));
    // A small screen: 85% of it.
    opens_on((800, 600), (680, 510));
}
