//! A 2-D dataset opens as its image (the volume view is not offered), its screenshot is the
//! logged command's image, and the wheel zooms into it.

use super::{check_logged_command, have, screenshot_of, start_viewer_titled, xdotool, xvfb};
use hdf5_writer::{DatasetBuilder, Hdf5Builder, WriteOptions};
use std::path::Path;

/// A 2-D HDF5 dataset of 64x48 cells, a smooth pattern; returns its `FILE:/dataset` spec.
fn fixture(dir: &Path) -> String {
    let (nx, ny) = (64usize, 48usize);
    let values: Vec<f32> = (0..ny)
        .flat_map(|j| (0..nx).map(move |i| 1.0 + ((i * i + 3 * j * j) % 97) as f32))
        .collect();
    let bytes = Hdf5Builder::new()
        .dataset(DatasetBuilder::typed_data("rho", vec![ny as u64, nx as u64], &values).unwrap())
        .into_plan()
        .unwrap()
        .encode(WriteOptions::default())
        .unwrap();
    let path = dir.join("flat.h5");
    std::fs::write(&path, bytes).unwrap();
    format!("{}:/rho", path.display())
}

#[test]
fn a_2d_dataset_shows_its_image_and_the_wheel_zooms() {
    if !have("Xvfb") || !have("xdotool") {
        eprintln!("skipping: the viewer test needs Xvfb and xdotool");
        return;
    }
    let (display, _server) = xvfb("640x480");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.txt");
    let spec = fixture(dir.path());
    let args = [spec.as_str(), "--size", "320x240", "--colormap", "viridis"];
    let title = "amrcast - flat - rho";
    let (_viewer, window) = start_viewer_titled(&display, dir.path(), &log, &args, title);
    xdotool(&display, &["key", "Tab"]);
    let shot = screenshot_of(&display, dir.path(), &log, false, (320, 240));
    let command = check_logged_command(dir.path(), &log, &shot);
    assert!(
        command.contains(" slice ") && command.contains(" --axis=z "),
        "{command}"
    );
    // V would show the volume: a 2-D dataset stays its image.
    xdotool(&display, &["key", "v"]);
    let again = screenshot_of(&display, dir.path(), &log, false, (320, 240));
    assert_eq!(again.as_raw(), shot.as_raw());
    // Two clicks of the wheel up zoom in about the centre.
    xdotool(&display, &["mousemove", "--window", &window, "160", "120"]);
    xdotool(&display, &["click", "--repeat", "2", "4"]);
    let zoomed = screenshot_of(&display, dir.path(), &log, false, (320, 240));
    let command = check_logged_command(dir.path(), &log, &zoomed);
    assert!(command.contains(" --width="), "{command}");
    let differ = zoomed
        .pixels()
        .zip(shot.pixels())
        .filter(|(a, b)| a.0 != b.0)
        .count();
    assert!(differ > 320 * 240 / 4, "{differ} pixels changed");
    // K records the zoomed view as a keyframe: a movie along it shows the same image.
    xdotool(&display, &["key", "k"]);
    let path = dir.path().join("amrcast-path.toml");
    super::wait_for("the keyframe", 60, || path.exists().then_some(()));
    let frames = dir.path().join("frames");
    let out = std::process::Command::new(super::BIN)
        .args(["movie", path.to_str().unwrap(), &spec, "--size", "320x240"])
        .args(["--colormap", "viridis", "-o", frames.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let frame = image::open(frames.join("frame_00000.png"))
        .unwrap()
        .to_rgba8();
    let worst = frame
        .as_raw()
        .iter()
        .zip(zoomed.as_raw())
        .map(|(a, b)| a.abs_diff(*b))
        .max();
    assert!(worst <= Some(2), "the movie's frame differs by {worst:?}");
}
