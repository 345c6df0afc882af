//! `amrcast movie` as a user runs it, on the built-in demo at small sizes: static paths,
//! shards, kill-and-resume, brightness along a zoom, time series, encoding and bad input.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn cmd(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_amrcast"));
    c.args(args).env("XDG_RUNTIME_DIR", std::env::temp_dir());
    c
}

fn amrcast(args: &[&str]) -> Output {
    cmd(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", stderr(&o));
    stderr(&o)
}

fn assert_clean_failure(o: &Output, needle: &str) {
    let e = stderr(o);
    assert!(!o.status.success(), "should fail: {e}");
    assert!(!e.contains("panicked") && !e.contains("backtrace"), "{e}");
    assert!(e.contains(needle), "expected '{needle}' in: {e}");
}

const ZOOM: &str = r#"
frames = 8
lens = "perspective"
[[keyframe]]
at = 0.0
position = [0.5, 0.5, 3.0]
focus = [0.5, 0.5, 0.5]
up = [0.0, 1.0, 0.0]
fov = 40.0
[[keyframe]]
at = 1.0
position = [0.52, 0.48, 0.6]
focus = [0.52, 0.48, 0.5]
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Names of the files in `dir`, sorted.
fn files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn pixels(path: &Path) -> Vec<u8> {
    image::open(path).unwrap().to_rgb8().into_raw()
}

fn npy(path: &Path) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap();
    npyz::NpyFile::new(&bytes[..])
        .unwrap()
        .into_vec::<f32>()
        .unwrap()
}

fn frame(dir: &Path, k: usize, ext: &str) -> PathBuf {
    dir.join(format!("frame_{k:05}.{ext}"))
}

/// The PNGs and NPYs of frames `0..n` in `a` and `b` are identical, pixel for pixel.
fn assert_same_frames(a: &Path, b: &Path, n: usize) {
    for k in 0..n {
        assert_eq!(
            pixels(&frame(a, k, "png")),
            pixels(&frame(b, k, "png")),
            "frame {k} PNG"
        );
        let (va, vb) = (npy(&frame(a, k, "npy")), npy(&frame(b, k, "npy")));
        assert!(
            va.iter().zip(&vb).all(|(x, y)| x.to_bits() == y.to_bits()),
            "frame {k} NPY"
        );
    }
}

fn all_frames(n: usize) -> BTreeSet<String> {
    (0..n)
        .flat_map(|k| [format!("frame_{k:05}.png"), format!("frame_{k:05}.npy")])
        .chain(["movie-settings.txt".to_string()])
        .collect()
}

#[test]
fn a_static_path_gives_identical_frames() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "static.toml",
        &ZOOM.replace("frames = 8", "frames = 6").replace(
            "position = [0.52, 0.48, 0.6]\nfocus = [0.52, 0.48, 0.5]",
            "position = [0.5, 0.5, 3.0]\nfocus = [0.5, 0.5, 0.5]",
        ),
    );
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    ok(amrcast(&[
        "movie", &path, "-o", o, "--size", "32x32", "--values",
    ]));
    assert_eq!(files(&out), all_frames(6));
    let first = pixels(&frame(&out, 0, "png"));
    let first_v = npy(&frame(&out, 0, "npy"));
    // Not an empty image: the demo's halo is in view.
    let mean = first.iter().map(|&b| b as f64).sum::<f64>() / first.len() as f64;
    assert!(mean > 5.0, "mean {mean}");
    for k in 1..6 {
        assert_eq!(pixels(&frame(&out, k, "png")), first, "frame {k}");
        let v = npy(&frame(&out, k, "npy"));
        assert!(v
            .iter()
            .zip(&first_v)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
    // The directory now belongs to this movie: other settings are refused, not mixed in.
    let o2 = amrcast(&[
        "movie",
        &path,
        "-o",
        o,
        "--size",
        "32x32",
        "--values",
        "--colormap",
        "magma",
    ]);
    assert_clean_failure(&o2, "rendered with other settings");
    assert_eq!(files(&out), all_frames(6));
}

#[test]
fn shards_together_give_the_full_movie_with_no_frame_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "zoom.toml", ZOOM);
    let full = dir.path().join("full");
    let sharded = dir.path().join("sharded");
    let common = ["--size", "32x32", "--values", "--mode", "mip"];
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec!["movie", path.as_str(), "-o", out.to_str().unwrap()];
        args.extend(common);
        args.extend(extra);
        ok(amrcast(&args))
    };
    run(&full, &[]);
    assert_eq!(files(&full), all_frames(8));
    let mut seen = BTreeSet::new();
    for i in 0..3 {
        let before = if sharded.exists() {
            files(&sharded)
        } else {
            BTreeSet::new()
        };
        run(&sharded, &["--shard", &format!("{i}/3")]);
        let new: BTreeSet<String> = files(&sharded)
            .difference(&before)
            .filter(|f| f.starts_with("frame_"))
            .cloned()
            .collect();
        let want: BTreeSet<String> = (0..8)
            .filter(|k| k % 3 == i)
            .flat_map(|k| [format!("frame_{k:05}.png"), format!("frame_{k:05}.npy")])
            .collect();
        assert_eq!(new, want, "shard {i}/3");
        assert!(seen.is_disjoint(&new));
        seen.extend(new);
    }
    seen.insert("movie-settings.txt".to_string());
    assert_eq!(seen, all_frames(8));
    assert_same_frames(&full, &sharded, 8);
    // A frame range with a shard: frames 2..7, every second from the first.
    let part = dir.path().join("part");
    run(&part, &["--frames", "2..7", "--shard", "1/2"]);
    assert_eq!(
        files(&part),
        [3, 5]
            .iter()
            .flat_map(|k| [format!("frame_{k:05}.png"), format!("frame_{k:05}.npy")])
            .chain(["movie-settings.txt".to_string()])
            .collect()
    );
}

#[test]
fn a_killed_run_resumes_to_the_same_frames_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "zoom.toml",
        &ZOOM.replace("frames = 8", "frames = 30"),
    );
    let common = ["--size", "32x32", "--values"];
    let one = dir.path().join("one");
    let mut args = vec!["movie", path.as_str(), "-o", one.to_str().unwrap()];
    args.extend(common);
    ok(amrcast(&args));
    assert_eq!(files(&one), all_frames(30));

    // Kill a run as soon as its second frame appears.
    let resumed = dir.path().join("resumed");
    let mut args = vec!["movie", path.as_str(), "-o", resumed.to_str().unwrap()];
    args.extend(common);
    let mut child = cmd(&args)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while !frame(&resumed, 1, "png").exists() && t.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Only complete frames (or temporaries): every PNG there decodes.
    let after_kill = files(&resumed);
    for f in after_kill.iter().filter(|f| f.ends_with(".png")) {
        assert!(f.starts_with("frame_"), "{f}");
        assert_eq!(pixels(&resumed.join(f)).len(), 32 * 32 * 3);
    }
    // Also what a kill in the middle of writing leaves: a stale temporary file, and a frame
    // whose values were written but not its image.
    std::fs::write(resumed.join(".frame_00005.png.Ab12Cd.tmp"), b"half a png").unwrap();
    let _ = std::fs::remove_file(frame(&resumed, 6, "png"));
    std::fs::copy(frame(&one, 6, "npy"), frame(&resumed, 6, "npy")).unwrap();
    let complete = after_kill
        .iter()
        .filter(|f| f.ends_with(".png") && f.as_str() != "frame_00006.png")
        .filter(|f| resumed.join(f.replace(".png", ".npy")).exists())
        .count();
    eprintln!("killed with {complete} of 30 frames complete");
    assert!(complete < 30, "the kill came too late to test anything");

    let e = ok(cmd(&args).output().unwrap());
    assert!(
        e.contains(&format!("{complete} already complete")),
        "expected {complete} complete frames skipped: {e}"
    );
    assert_eq!(files(&resumed), all_frames(30), "no temporaries left");
    assert_same_frames(&one, &resumed, 30);
    // A third run has nothing to do.
    let e = ok(cmd(&args).output().unwrap());
    assert!(e.contains("30 already complete, 0 to render"), "{e}");
}

#[test]
fn mean_brightness_changes_smoothly_along_a_zoom() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("zoom");
    ok(amrcast(&[
        "movie",
        "--zoom-in",
        "8",
        "--count",
        "12",
        "--lens",
        "perspective",
        "--size",
        "32x32",
        "-o",
        out.to_str().unwrap(),
    ]));
    let means: Vec<f64> = (0..12)
        .map(|k| {
            let p = pixels(&frame(&out, k, "png"));
            p.iter().map(|&b| b as f64).sum::<f64>() / p.len() as f64
        })
        .collect();
    eprintln!("means {means:?}");
    // The zoom goes from the whole halo to its inside: the picture does brighten overall...
    assert!(means[11] > means[0] + 10.0, "{means:?}");
    // ...but never by a jump: each step changes the mean by less than twice the larger of its
    // neighbouring steps, plus 3 of 255 (a renormalised frame jumps by tens).
    let steps: Vec<f64> = means.windows(2).map(|w| w[1] - w[0]).collect();
    for i in 0..steps.len() {
        let neighbours = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| steps.get(j))
            .fold(0.0f64, |m, s| m.max(s.abs()));
        assert!(
            steps[i].abs() <= 2.0 * neighbours + 3.0,
            "step {i}: {} vs neighbours {neighbours} ({means:?})",
            steps[i]
        );
    }
}

#[test]
fn a_time_series_uses_one_colour_scale_over_all_datasets() {
    // Two copies of the Enzo test output as a two-step series, mapped to the frames in order,
    // with the range over both fixed before the first frame.
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/enzo_h5py_sb0");
    for run in ["DD0001", "DD0002"] {
        let d = dir.path().join(run);
        std::fs::create_dir(&d).unwrap();
        for f in ["DD0003", "DD0003.cpu0000", "DD0003.hierarchy"] {
            std::fs::copy(src.join(f), d.join(f)).unwrap();
        }
    }
    let pattern = format!("{}/DD000?/DD0003", dir.path().display());
    let out = dir.path().join("series");
    let e = ok(amrcast(&[
        "movie",
        "--orbit",
        "0",
        "--count",
        "4",
        "--datasets",
        &pattern,
        "--size",
        "24x24",
        "--values",
        "--mode",
        "mip",
        "-o",
        out.to_str().unwrap(),
    ]));
    assert!(
        e.contains("colour scale fixed to the range over all 2 datasets"),
        "{e}"
    );
    assert_eq!(files(&out), all_frames(4));
    // Frames 0, 1 show the first copy, 2, 3 the second: the same data, the same camera, the
    // same colour scale, so the same pixels.
    for k in 1..4 {
        assert_eq!(
            pixels(&frame(&out, k, "png")),
            pixels(&frame(&out, 0, "png"))
        );
    }
    let v = npy(&frame(&out, 0, "npy"));
    assert!(v.iter().any(|x| x.is_finite() && *x > 0.0));
    // Equal to a single render with the range given explicitly.
    let range = e
        .lines()
        .find_map(|l| l.split("datasets: ").nth(1))
        .unwrap()
        .trim()
        .to_string();
    let single = dir.path().join("single");
    ok(amrcast(&[
        "movie",
        "--orbit",
        "0",
        "--count",
        "1",
        dir.path().join("DD0001/DD0003").to_str().unwrap(),
        "--bounds",
        &range,
        "--size",
        "24x24",
        "--values",
        "--mode",
        "mip",
        "-o",
        single.to_str().unwrap(),
    ]));
    assert_eq!(
        pixels(&frame(&single, 0, "png")),
        pixels(&frame(&out, 0, "png"))
    );
}

/// Writes a 6x6x6 uniform grid whose values run from 1 to `max` (HDF5, `/density`).
fn uniform_h5(path: &Path, max: f32) {
    use hdf5_writer::{DatasetBuilder, Hdf5Builder, WriteOptions};
    let n = 6 * 6 * 6;
    let v: Vec<f32> = (0..n)
        .map(|i| 1.0 + (max - 1.0) * i as f32 / (n - 1) as f32)
        .collect();
    let bytes = Hdf5Builder::new()
        .dataset(DatasetBuilder::typed_data("density", vec![6, 6, 6], &v).unwrap())
        .into_plan()
        .unwrap()
        .encode(WriteOptions::default())
        .unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_time_series_is_coloured_by_its_range_over_all_outputs() {
    // Output 1 runs to 10, output 2 to 100: frame 0 (output 1) must be coloured with the range
    // 1..100, not with its own 1..10.
    let dir = tempfile::tempdir().unwrap();
    uniform_h5(&dir.path().join("t1.h5"), 10.0);
    uniform_h5(&dir.path().join("t2.h5"), 100.0);
    let common = [
        "--orbit", "0", "--scale", "linear", "--mode", "mip", "--size", "16x16",
    ];
    let run = |out: &Path, extra: &[&str]| {
        let mut a = vec!["movie", "-o", out.to_str().unwrap()];
        a.extend(common);
        a.extend(extra);
        ok(amrcast(&a))
    };
    let series = dir.path().join("series");
    let pattern = format!("{}/t?.h5:/density", dir.path().display());
    let e = run(&series, &["--count", "2", "--datasets", &pattern]);
    assert!(e.contains("range over all 2 datasets: 1,100"), "{e}");
    let t1 = format!("{}/t1.h5:/density", dir.path().display());
    let global = dir.path().join("global");
    run(&global, &["--count", "1", &t1, "--bounds", "1,100"]);
    let own = dir.path().join("own");
    run(&own, &["--count", "1", &t1]);
    let f0 = pixels(&frame(&series, 0, "png"));
    assert_eq!(f0, pixels(&frame(&global, 0, "png")));
    assert_ne!(f0, pixels(&frame(&own, 0, "png")));
    // The brightest pixel of output 1 sits a tenth of the way up the range, not at the top.
    let (g, o) = (
        f0.chunks(3).map(|p| p[1]).max().unwrap(),
        pixels(&frame(&own, 0, "png"))
            .chunks(3)
            .map(|p| p[1])
            .max()
            .unwrap(),
    );
    eprintln!("green of the maximum: {g} with the series range, {o} alone");
    assert!(
        g + 60 < o,
        "green of the maximum: {g} with the series range, {o} alone"
    );
    // Frame 1 shows output 2, whose maximum reaches the top of the range.
    let f1 = pixels(&frame(&series, 1, "png"));
    assert_eq!(f1.chunks(3).map(|p| p[1]).max().unwrap(), o);
}

#[cfg(unix)]
#[test]
fn encode_pipes_every_frame_to_ffmpeg_or_says_it_is_missing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "zoom.toml",
        &ZOOM.replace("frames = 8", "frames = 3"),
    );
    let out = dir.path().join("frames");
    let video = dir.path().join("movie.mp4");
    let empty = dir.path().join("empty-bin");
    std::fs::create_dir(&empty).unwrap();
    let args = [
        "movie",
        path.as_str(),
        "--size",
        "16x16",
        "-o",
        out.to_str().unwrap(),
        "--encode",
        video.to_str().unwrap(),
    ];
    let o = cmd(&args).env("PATH", &empty).output().unwrap();
    assert_clean_failure(&o, "ffmpeg, which is not on PATH");
    assert!(!out.exists() || files(&out).is_empty(), "nothing rendered");

    // A stand-in ffmpeg that stores what it is sent in the output file (its last argument).
    let fake = dir.path().join("bin");
    std::fs::create_dir(&fake).unwrap();
    let script = fake.join("ffmpeg");
    std::fs::write(
        &script,
        "#!/bin/sh\nfor a; do last=$a; done\ncat > \"$last\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path_var = format!(
        "{}:{}",
        fake.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    ok(cmd(&args).env("PATH", &path_var).output().unwrap());
    let sent = std::fs::read(&video).unwrap();
    let frames: Vec<u8> = (0..3)
        .flat_map(|k| std::fs::read(frame(&out, k, "png")).unwrap())
        .collect();
    assert_eq!(sent, frames, "every frame, in order");
    assert!(!files(dir.path()).iter().any(|f| f.contains("partial")));

    // A shard's frames alone cannot be encoded.
    let part = dir.path().join("part");
    let o = cmd(&[
        "movie",
        path.as_str(),
        "--size",
        "16x16",
        "-o",
        part.to_str().unwrap(),
        "--shard",
        "0/2",
        "--encode",
        video.to_str().unwrap(),
    ])
    .env("PATH", &path_var)
    .output()
    .unwrap();
    assert_clean_failure(&o, "1 are missing");
}

#[test]
fn bad_input_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let o = out.to_str().unwrap();
    let bad = write(
        dir.path(),
        "bad.toml",
        &ZOOM.replace("fov = 40.0", "fov = 40.0\nzoom = 2"),
    );
    assert_clean_failure(&amrcast(&["movie", &bad, "-o", o]), "bad.toml");
    assert_clean_failure(&amrcast(&["movie", &bad, "-o", o]), "zoom");
    let order = write(
        dir.path(),
        "order.toml",
        &ZOOM.replace("at = 1.0", "at = 0.0"),
    );
    assert_clean_failure(
        &amrcast(&["movie", &order, "-o", o]),
        "keyframe[1].at = 0: keyframes must be in increasing order",
    );
    let good = write(dir.path(), "good.toml", ZOOM);
    for (args, needle) in [
        (vec!["--shard", "3/3"], "not I/N"),
        (vec!["--frames", "9.."], "selects no frame"),
        (vec!["--frames", "4..2"], "empty frame range"),
        (vec!["--view", "x"], "the path file sets the camera"),
        (vec!["--zoom-in", "4"], "not both"),
    ] {
        let mut a = vec!["movie", good.as_str(), "-o", o, "--size", "8x8"];
        a.extend(args);
        assert_clean_failure(&amrcast(&a), needle);
    }
    assert_clean_failure(&amrcast(&["movie", "-o", o]), "give a camera path");
    assert!(
        !out.exists(),
        "a failed command creates no output directory"
    );
    assert_clean_failure(
        &amrcast(&["movie", "--zoom-in", "0", "-o", o, "--size", "8x8"]),
        "must be positive",
    );
    assert_clean_failure(
        &amrcast(&[
            "movie",
            "--orbit",
            "30",
            "--datasets",
            "/nonexistent/DD*",
            "-o",
            o,
        ]),
        "matches no file",
    );
}

fn eye_frame(dir: &Path, k: usize, eye: &str, ext: &str) -> PathBuf {
    dir.join(format!("frame_{k:05}_{eye}.{ext}"))
}

#[test]
fn stereo_movies_write_both_eyes_or_one_packed_frame_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "zoom.toml",
        &ZOOM.replace("frames = 8", "frames = 3"),
    );
    let run = |name: &str, extra: &[&str]| -> (PathBuf, String) {
        let out = dir.path().join(name);
        let mut args = vec![
            "movie",
            &path,
            "-o",
            out.to_str().unwrap(),
            "--size",
            "32x24",
        ];
        args.extend_from_slice(extra);
        let log = ok(amrcast(&args));
        (out, log)
    };
    let (sep, _) = run("sep", &["--stereo", "parallel", "--values"]);
    let expected: BTreeSet<String> = (0..3)
        .flat_map(|k| {
            ["L", "R"].into_iter().flat_map(move |e| {
                [
                    format!("frame_{k:05}_{e}.png"),
                    format!("frame_{k:05}_{e}.npy"),
                ]
            })
        })
        .chain(["movie-settings.txt".to_string()])
        .collect();
    assert_eq!(files(&sep), expected);
    for k in 0..3 {
        let (l, r) = (
            pixels(&eye_frame(&sep, k, "L", "png")),
            pixels(&eye_frame(&sep, k, "R", "png")),
        );
        assert_eq!(l.len(), 32 * 24 * 3);
        assert_ne!(l, r, "frame {k}: the eyes see the same image");
        assert_eq!(npy(&eye_frame(&sep, k, "L", "npy")).len(), 32 * 24 * 4);
    }

    // A second run finds every frame complete.
    let (_, log) = run("sep", &["--stereo", "parallel", "--values"]);
    assert!(log.contains("3 already complete, 0 to render"), "{log}");

    // Side by side: one image per frame, the left eye in the left half.
    let (sbs, _) = run(
        "sbs",
        &["--stereo", "parallel", "--stereo-layout", "side-by-side"],
    );
    let expected: BTreeSet<String> = (0..3)
        .map(|k| format!("frame_{k:05}.png"))
        .chain(["movie-settings.txt".to_string()])
        .collect();
    assert_eq!(files(&sbs), expected);
    for k in 0..3 {
        let img = image::open(frame(&sbs, k, "png")).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (64, 24));
        let left = image::open(eye_frame(&sep, k, "L", "png"))
            .unwrap()
            .to_rgb8();
        let right = image::open(eye_frame(&sep, k, "R", "png"))
            .unwrap()
            .to_rgb8();
        for (x, y, p) in img.enumerate_pixels() {
            let want = if x < 32 {
                left.get_pixel(x, y)
            } else {
                right.get_pixel(x - 32, y)
            };
            assert_eq!(p, want, "frame {k} pixel ({x}, {y})");
        }
    }

    // Zero eye separation: both eyes see the mono movie.
    let (mono, _) = run("mono", &[]);
    let (zero, _) = run("zero", &["--stereo", "parallel", "--eye-separation", "0"]);
    for k in 0..3 {
        let m = pixels(&frame(&mono, k, "png"));
        for e in ["L", "R"] {
            let z = pixels(&eye_frame(&zero, k, e, "png"));
            let worst = z.iter().zip(&m).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
            assert!(worst <= 1, "frame {k} eye {e}: {worst}");
        }
    }

    // Separate files cannot be encoded into one video.
    let out = dir.path().join("enc");
    let o = amrcast(&[
        "movie",
        &path,
        "-o",
        out.to_str().unwrap(),
        "--stereo",
        "parallel",
        "--encode",
        "x.mp4",
    ]);
    assert_clean_failure(&o, "--stereo-layout");
}
