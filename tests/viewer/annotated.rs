//! `view --annotate colorbar,grids`: the panel's toggles start from the option, the logged
//! `render` command carries them, and F12's screenshot is that command's image, with a colour
//! bar (viridis from its bottom to its top) at the image's right edge that the plain render
//! lacks.

use super::{check_logged_command, have, screenshot_of, start_viewer, stderr_of, xvfb};
use std::process::Command;

/// Viridis at its ends (matplotlib's table).
const VIRIDIS_LOW: [u8; 3] = [68, 1, 84];
const VIRIDIS_HIGH: [u8; 3] = [253, 231, 37];

fn near(p: &[u8], c: [u8; 3]) -> bool {
    p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 30)
}

/// The columns of `img` right of `x0` holding viridis' top colour above its bottom colour
/// (rows apart by at least a quarter of the height).
fn colorbar_columns(img: &image::RgbaImage, x0: u32) -> Vec<u32> {
    let (w, h) = img.dimensions();
    (x0..w)
        .filter(|&x| {
            let rows = |c| (0..h).filter(move |&y| near(&img.get_pixel(x, y).0[..3], c));
            match (rows(VIRIDIS_HIGH).min(), rows(VIRIDIS_LOW).max()) {
                (Some(top), Some(bottom)) => bottom > top + h / 4,
                _ => false,
            }
        })
        .collect()
}

#[test]
fn annotate_option_reaches_the_screenshot_and_the_logged_command() {
    if !have("Xvfb") || !have("xdotool") {
        eprintln!("skipping: the viewer test needs Xvfb and xdotool");
        return;
    }
    let (display, _server) = xvfb("640x480");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.txt");
    let args = ["--size", "320x240", "--annotate", "colorbar,grids"];
    let (_viewer, _window) = start_viewer(&display, dir.path(), &log, &args);
    // The panel hidden: the screenshot is the whole window.
    super::xdotool(&display, &["key", "Tab"]);
    let shot = screenshot_of(&display, dir.path(), &log, false, (320, 240));
    let command = check_logged_command(dir.path(), &log, &shot);
    assert!(
        command.contains(" --annotate=grids,colorbar "),
        "{command}\n{}",
        stderr_of(&log)
    );
    // The same view without annotations: no colour bar there; the screenshot has one at its
    // right edge.
    let plain = command.replace(" --annotate=grids,colorbar", "");
    let out = Command::new("sh")
        .arg("-c")
        .arg(&plain)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{plain}");
    let plain = image::open(dir.path().join("view.png")).unwrap().to_rgba8();
    let bar = colorbar_columns(&shot, 320 * 3 / 4);
    assert!(!bar.is_empty(), "colour bar columns {bar:?}");
    assert!(colorbar_columns(&plain, 320 * 3 / 4).is_empty());
    // The grids' outlines change pixels left of the bar too.
    let changed = (0..240)
        .flat_map(|y| (0..200).map(move |x| (x, y)))
        .filter(|&(x, y)| shot.get_pixel(x, y).0 != plain.get_pixel(x, y).0)
        .count();
    assert!(changed > 200, "{changed} pixels changed by the grid lines");
}
