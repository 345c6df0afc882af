//! The slice view (V): F12 saves the slice at the view's full resolution, and the logged
//! command is an `amrcast slice` command that makes the same image offscreen.

use super::{check_logged_command, have, screenshot_of, start_viewer, stderr_of, xvfb};

#[test]
fn the_slice_views_screenshot_is_the_logged_slice_command() {
    if !have("Xvfb") || !have("xdotool") {
        eprintln!("skipping: the viewer test needs Xvfb and xdotool");
        return;
    }
    let (display, _server) = xvfb("640x480");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.txt");
    let (_viewer, _window) = start_viewer(&display, dir.path(), &log, &["--size", "320x240"]);
    // The panel hidden (the screenshot is the whole window), then the slice view.
    super::xdotool(&display, &["key", "Tab"]);
    super::xdotool(&display, &["key", "v"]);
    let shot = screenshot_of(&display, dir.path(), &log, false, (320, 240));
    let command = check_logged_command(dir.path(), &log, &shot);
    assert!(
        command.contains(" slice ")
            && command.contains(" --axis=z ")
            && command.contains(" --center="),
        "{command}\n{}",
        stderr_of(&log)
    );
}

#[test]
fn a_slice_plane_in_the_volume_reaches_the_screenshot_and_the_logged_command() {
    if !have("Xvfb") || !have("xdotool") {
        eprintln!("skipping: the viewer test needs Xvfb and xdotool");
        return;
    }
    let (display, _server) = xvfb("640x480");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.txt");
    let args = [
        "--size",
        "320x240",
        "--camera-position",
        "1.9,1.5,1.7",
        "--slice-plane",
        "z=0.6",
    ];
    let (_viewer, _window) = start_viewer(&display, dir.path(), &log, &args);
    super::xdotool(&display, &["key", "Tab"]);
    let shot = screenshot_of(&display, dir.path(), &log, false, (320, 240));
    // `render --slice-plane` with the logged command gives the screenshot's pixels.
    let command = check_logged_command(dir.path(), &log, &shot);
    assert!(
        command.contains(" --slice-plane=z=0.6 -o view.png"),
        "{command}\n{}",
        stderr_of(&log)
    );
    // Seen obliquely, the plane z = 0.6 is an opaque parallelogram across the domain: the
    // render without it differs there.
    let plain = command.replace(" --slice-plane=z=0.6", "");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&plain)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{plain}");
    let volume = image::open(dir.path().join("view.png")).unwrap().to_rgba8();
    let changed = shot
        .pixels()
        .zip(volume.pixels())
        .filter(|(a, b)| a.0.iter().zip(b.0).any(|(x, y)| x.abs_diff(y) > 8))
        .count();
    assert!(changed > 200, "{changed} pixels show the plane");
}
