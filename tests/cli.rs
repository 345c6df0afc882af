//! The `amrcast` binary as a user runs it: outputs, the values file, and bad input.

use std::path::Path;
use std::process::{Command, Output};

fn amrcast(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A failure: non-zero exit, one `amrcast: error:` line, no panic or backtrace.
fn assert_clean_failure(o: &Output, needle: &str) {
    let e = stderr(o);
    assert!(!o.status.success(), "should fail: {e}");
    assert!(!e.contains("panicked") && !e.contains("backtrace"), "{e}");
    assert!(e.contains(needle), "expected '{needle}' in: {e}");
}

fn read_npy(path: &Path) -> (Vec<u64>, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape = npy.shape().to_vec();
    (shape, npy.into_vec::<f32>().unwrap())
}

#[test]
fn render_writes_png_and_values_in_the_contract_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("proj.png");
    let npy = dir.path().join("proj.npy");
    let o = amrcast(&[
        "render",
        "--mode",
        "projection",
        "--view",
        "z",
        "--size",
        "64x48",
        "--values",
        npy.to_str().unwrap(),
        "-o",
        png.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let img = image::open(&png).unwrap();
    assert_eq!((img.width(), img.height()), (64, 48));
    let (shape, values) = read_npy(&npy);
    assert_eq!(shape, vec![48, 64]);
    assert!(values.iter().all(|v| v.is_finite() && *v >= 0.0));
    // 64x48 at width 4/3 frames the unit square with empty margins left and right.
    assert_eq!(values[24 * 64], 0.0);
    assert!(values[24 * 64 + 12] > 0.0);
    // The demo's halo sits in the middle: the centre column density beats the corner's.
    assert!(values[24 * 64 + 32] > 10.0 * values[24 * 64 + 12]);

    let npy = dir.path().join("rgba.npy");
    let o = amrcast(&[
        "render",
        "--size",
        "32x16",
        "--values",
        npy.to_str().unwrap(),
        "-o",
        png.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (shape, values) = read_npy(&npy);
    assert_eq!(shape, vec![16, 32, 4]);
    assert!(
        values
            .chunks(4)
            .all(|p| p[3] >= 0.0 && p[3] <= 1.0 && p[..3].iter().all(|c| *c <= p[3] + 1e-6)),
        "premultiplied"
    );
    // Nothing but the outputs is left in the directory.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn bad_arguments_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.png");
    let out = out.to_str().unwrap();
    assert_clean_failure(&amrcast(&["render", "--size", "0x5", "-o", out]), "WxH");
    assert_clean_failure(
        &amrcast(&["render", "--mode", "sideways", "-o", out]),
        "composite, mip or projection",
    );
    assert_clean_failure(
        &amrcast(&["render", "--bounds", "5,1", "-o", out]),
        "MIN must be below MAX",
    );
    assert_clean_failure(
        &amrcast(&["render", "--bounds", "-1,1", "--size", "8x8", "-o", out]),
        "log scale needs positive bounds",
    );
    assert_clean_failure(
        &amrcast(&[
            "render",
            "--view",
            "z",
            "--camera-position",
            "1,1,1",
            "-o",
            out,
        ]),
        "either --view or --camera-position",
    );
    assert_clean_failure(
        &amrcast(&[
            "render", "--up", "0,0,1", "--view", "z", "--size", "8x8", "-o", out,
        ]),
        "parallel",
    );
    assert_clean_failure(
        &amrcast(&["render", "--field", "Nope", "--size", "8x8", "-o", out]),
        "available fields",
    );
    assert_clean_failure(
        &amrcast(&["render", "/no/such/dataset", "-o", out]),
        "/no/such/dataset",
    );
    assert_clean_failure(
        &amrcast(&["render", "-o", "/no/such/dir/x.png"]),
        "/no/such/dir/x.png",
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "no output after failures"
    );
}

#[test]
fn renders_the_real_enzo_dataset_like_yt() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/moving7_0010/moving7_0010");
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("m7.png");
    let npy = dir.path().join("m7.npy");
    let n = 128;
    let o = amrcast(&[
        "render",
        data.to_str().unwrap(),
        "--field",
        "Density",
        "--mode",
        "projection",
        "--view",
        "z",
        "--size",
        "128x128",
        "--values",
        npy.to_str().unwrap(),
        "-o",
        png.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, v) = read_npy(&npy);
    // The image covers the unit square, so its mean is the integral of Density over the
    // domain: yt 4.4.3 gives a total of 0.22545370753 code masses (sum of density times
    // volume over the leaf cells). Trilinear interpolation moves it by about a percent.
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
    assert!((mean / 0.22545370753 - 1.0).abs() < 0.02, "{mean}");
    // The densest column is at the refined clump, (x, y) = (0.75, 0.75) in yt.
    let (i, _) = v
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .unwrap();
    let (x, y) = ((i % n) as f64 / n as f64, 1.0 - (i / n) as f64 / n as f64);
    assert!(
        (x - 0.75).abs() < 0.02 && (y - 0.75).abs() < 0.02,
        "brightest column at {x}, {y}"
    );
}

#[test]
fn bench_reports_frame_time_and_samples() {
    let o = amrcast(&["bench", "--size", "64x64", "--frames", "2", "--no-baseline"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("ms median") && out.contains("samples/s") && out.contains("adapter:"),
        "{out}"
    );
}

#[test]
fn memory_budgets_are_checked_and_a_small_one_gives_the_same_image() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.png");
    let o = out.to_str().unwrap();
    let data = "tests/data/moving7_0010/moving7_0010";
    let o1 = amrcast(&["render", data, "--gpu-memory", "12parsecs", "-o", o]);
    assert_clean_failure(&o1, "unknown size unit");
    let o2 = amrcast(&["render", data, "--gpu-memory", "1KiB", "-o", o]);
    assert_clean_failure(&o2, "holds no brick");
    // The whole field in the pool, and a pool of a few bricks: the same values.
    let npy = |name: &str| dir.path().join(name);
    for (name, extra) in [
        ("all.npy", vec![]),
        (
            "few.npy",
            vec!["--gpu-memory", "200KiB", "--host-memory", "1MiB"],
        ),
    ] {
        let mut args = vec!["render", data, "--size", "64x48", "-o", o, "--values"];
        let path = npy(name);
        args.push(path.to_str().unwrap());
        args.extend(extra);
        let r = amrcast(&args);
        assert!(r.status.success(), "{}", stderr(&r));
    }
    let (shape, all) = read_npy(&npy("all.npy"));
    let (_, few) = read_npy(&npy("few.npy"));
    assert_eq!(shape, [48, 64, 4]);
    let scale = all.iter().fold(0f32, |m, v| m.max(v.abs()));
    let diff = all
        .iter()
        .zip(&few)
        .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(scale > 0.0 && diff <= 1e-4 * scale, "{diff} of {scale}");
}
