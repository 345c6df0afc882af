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
