//! amrcast over MPI ranks (`--features mpi`): the image `render` composites from 2, 3, 4 and 7
//! ranks' pieces equals the one-process image (PNG within one level, values within 1e-5
//! relative) in every mode, with both lenses and in stereo; a rank that cannot read its data
//! stops every rank with one error naming it; `bench` and `movie` frames made by all ranks;
//! `wall --offscreen` over 4 ranks writes the one-process tiles. Skips when `mpirun` is
//! missing.
#![cfg(feature = "mpi")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DATA: &str = "tests/data/moving7_0010/moving7_0010";
const SIZE: &str = "96x72";

fn have_mpirun() -> bool {
    let ok = Command::new("mpirun")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipping: mpirun is missing (apt-get install openmpi-bin libopenmpi-dev)");
    }
    ok
}

fn amrcast() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_amrcast"));
    c.env("XDG_RUNTIME_DIR", std::env::temp_dir());
    c
}

/// `amrcast ARGS` on `ranks` ranks.
fn mpirun(ranks: usize, args: &[String]) -> Output {
    let mut c = Command::new("mpirun");
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        c.arg("--allow-run-as-root");
    }
    c.args(["--oversubscribe", "-n", &ranks.to_string()])
        .arg(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        // OpenMPI's shared-memory transport needs more room than a container's /dev/shm;
        // the test moves little data.
        .env("OMPI_MCA_btl", "self,tcp")
        .output()
        .unwrap()
}

fn args(dir: &Path, name: &str, case: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = ["render", DATA, "--size", SIZE].map(String::from).to_vec();
    a.extend(case.iter().map(|s| s.to_string()));
    a.push("-o".into());
    a.push(dir.join(format!("{name}.png")).display().to_string());
    a.push("--values".into());
    a.push(dir.join(format!("{name}.npy")).display().to_string());
    a
}

fn npy(path: &Path) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    npyz::NpyFile::new(&bytes[..]).unwrap().into_vec().unwrap()
}

/// Largest difference over the largest value, NaN (no data) in the same places.
fn relative_difference(got: &[f32], want: &[f32]) -> f64 {
    assert_eq!(got.len(), want.len());
    assert!(got.iter().zip(want).all(|(a, b)| a.is_nan() == b.is_nan()));
    let pairs = || got.iter().zip(want).filter(|(_, b)| !b.is_nan());
    let scale = pairs().map(|(_, b)| b.abs() as f64).fold(1e-30, f64::max);
    pairs()
        .map(|(a, b)| (a - b).abs() as f64)
        .fold(0.0, f64::max)
        / scale
}

fn png_difference(got: &Path, want: &Path) -> u8 {
    let (g, w) = (image::open(got).unwrap(), image::open(want).unwrap());
    assert_eq!(g.width(), w.width());
    let (g, w) = (g.to_rgba8(), w.to_rgba8());
    g.as_raw()
        .iter()
        .zip(w.as_raw())
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap()
}

/// The files one render wrote: per eye in stereo.
fn files(dir: &Path, name: &str, stereo: bool) -> Vec<(PathBuf, PathBuf)> {
    let eyes: &[&str] = if stereo { &["_L", "_R"] } else { &[""] };
    eyes.iter()
        .map(|e| {
            (
                dir.join(format!("{name}{e}.png")),
                dir.join(format!("{name}{e}.npy")),
            )
        })
        .collect()
}

const CASES: [&[&str]; 8] = [
    &["--mode", "composite"],
    &["--mode", "mip"],
    &["--mode", "projection"],
    &[
        "--mode",
        "composite",
        "--lens",
        "perspective",
        "--camera-position",
        "1.6,1.3,1.9",
    ],
    &[
        "--mode",
        "mip",
        "--lens",
        "perspective",
        "--camera-position",
        "-0.7,0.4,0.2",
    ],
    &[
        "--mode",
        "projection",
        "--lens",
        "perspective",
        "--camera-position",
        "0.5,-1.5,0.6",
    ],
    &["--mode", "composite", "--view", "x", "--stereo", "parallel"],
    &[
        "--mode",
        "mip",
        "--lens",
        "perspective",
        "--stereo",
        "toe-in",
    ],
];

#[test]
fn ranks_composite_the_one_process_image() {
    if !have_mpirun() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in CASES.iter().enumerate() {
        let stereo = case.contains(&"--stereo");
        let one = format!("one{i}");
        let o = amrcast()
            .args(args(dir.path(), &one, case))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{case:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        for ranks in [2, 3, 4, 7] {
            let name = format!("n{ranks}_{i}");
            let o = mpirun(ranks, &args(dir.path(), &name, case));
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(o.status.success(), "{ranks} ranks, {case:?}: {err}");
            let pairs =
                files(dir.path(), &name, stereo)
                    .into_iter()
                    .zip(files(dir.path(), &one, stereo));
            for ((png, values), (png1, values1)) in pairs {
                let d = relative_difference(&npy(&values), &npy(&values1));
                let p = png_difference(&png, &png1);
                eprintln!("{ranks} ranks, {case:?}: values {d:.1e}, PNG {p} levels");
                assert!(
                    d <= 1e-5,
                    "{ranks} ranks, {case:?}: relative difference {d}"
                );
                assert!(p <= 1, "{ranks} ranks, {case:?}: PNG differs by {p} levels");
            }
        }
    }
}

#[test]
fn a_rank_that_cannot_read_its_grids_stops_every_rank_with_its_error() {
    if !have_mpirun() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let opts = amrcast::demo::synthetic::SyntheticOptions {
        cells: 20_000,
        tasks: 8,
        temperature: false,
    };
    amrcast::demo::synthetic::write_synthetic(dir.path(), &opts).unwrap();
    let dataset = dir.path().join("DD0000");
    // The grids of one task's file: cut short, so reading them fails.
    let broken = dir.path().join("DD0000.cpu0005");
    let len = std::fs::metadata(&broken).unwrap().len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&broken)
        .unwrap();
    f.set_len(len / 3).unwrap();
    let out = dir.path().join("out.png");
    let a: Vec<String> = [
        "render",
        &dataset.display().to_string(),
        "--size",
        "32x32",
        "-o",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([out.display().to_string()])
    .collect();
    let o = mpirun(4, &a);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("amrcast: error:"))
        .collect();
    assert_eq!(errors.len(), 1, "one error, from rank 0: {err}");
    assert!(
        errors[0].contains(" of 4: ") && errors[0].contains("DD0000.cpu0005"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn bench_times_frames_made_by_every_rank() {
    if !have_mpirun() {
        return;
    }
    let a: Vec<String> = [
        "bench", DATA, "--size", "48x32", "--frames", "2", "--mode", "mip",
    ]
    .map(String::from)
    .to_vec();
    let o = mpirun(3, &a);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Only rank 0 reports, once.
    assert_eq!(out.matches("frame:").count(), 1, "{out}");
    let frame = out.lines().find(|l| l.starts_with("frame:")).unwrap();
    assert!(
        frame.contains("made by 3 ranks") && frame.contains("(Mip, Plane)"),
        "{out}"
    );
    let ms: f64 = frame.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(ms > 0.0, "{out}");
    // Radix-k over 3 ranks: one round, each rank sending two thirds of a 48x32 image of two
    // floats a pixel (MIP's maximum and whether there is one).
    assert!(
        out.contains("compositing:    1 rounds, at most 8.00 KiB sent per rank"),
        "{out}"
    );
}

#[test]
fn a_movie_over_ranks_has_the_one_process_frames_and_resumes() {
    if !have_mpirun() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let movie = |out: &str| -> Vec<String> {
        let d = dir.path().join(out).display().to_string();
        let a = [
            "movie", DATA, "--orbit", "90", "--count", "3", "--size", "48x32",
        ];
        let mut a: Vec<String> = a.map(String::from).to_vec();
        a.extend(["--mode", "projection", "--values", "-o", &d].map(String::from));
        a
    };
    let o = amrcast().args(movie("one")).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = mpirun(3, &movie("three"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for k in 0..3 {
        let f = |d: &str, ext: &str| dir.path().join(d).join(format!("frame_{k:05}.{ext}"));
        let d = relative_difference(&npy(&f("three", "npy")), &npy(&f("one", "npy")));
        assert!(d <= 1e-5, "frame {k}: relative difference {d}");
        assert!(png_difference(&f("three", "png"), &f("one", "png")) <= 1);
    }
    // A second run finds every frame complete and renders none.
    let o = mpirun(3, &movie("three"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert_eq!(
        err.matches("3 already complete, 0 to render").count(),
        1,
        "{err}"
    );
}

/// Four screens, two of them stereo, one turned (a corner).
const WALL: &str = r#"
[viewer]
position = [0.0, 0.0, 2.5]
eye_separation = 0.065

[data]
scale = 1.5

[[screen]]
name = "a"
lower_left = [-1.0, -1.0, 0.0]
lower_right = [0.0, -1.0, 0.0]
upper_left = [-1.0, 0.0, 0.0]
size = [40, 40]
eyes = ["left", "right"]

[[screen]]
name = "b"
lower_left = [0.0, -1.0, 0.0]
lower_right = [1.0, -1.0, 0.0]
upper_left = [0.0, 0.0, 0.0]
size = [40, 40]

[[screen]]
name = "c"
lower_left = [-1.0, 0.0, 0.0]
lower_right = [0.0, 0.0, 0.0]
upper_left = [-1.0, 1.0, 0.0]
size = [40, 40]

[[screen]]
name = "d"
lower_left = [0.0, 0.0, 0.0]
lower_right = [1.0, 0.0, -0.5]
upper_left = [0.0, 1.0, 0.0]
size = [48, 32]
eyes = ["left", "right"]
"#;

#[test]
fn a_wall_over_four_ranks_writes_the_one_process_tiles() {
    if !have_mpirun() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wall = dir.path().join("wall.toml");
    std::fs::write(&wall, WALL).unwrap();
    let args = |out: &str| -> Vec<String> {
        let out = dir.path().join(out).display().to_string();
        let w = wall.display().to_string();
        ["wall", &w, "--offscreen", &out, "--values"]
            .map(String::from)
            .to_vec()
    };
    let o = amrcast().args(args("one")).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = mpirun(4, &args("four"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("(4 screens over 4 ranks)"), "{stdout}");
    let list = |d: &str| {
        let mut v: Vec<String> = std::fs::read_dir(dir.path().join(d))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(list("four"), list("one"));
    assert_eq!(
        list("one").len(),
        13,
        "six tiles, PNG and NPY, and the state"
    );
    // Every rank renders whole screens from the whole data with rank 0's state: the same bytes.
    for name in list("one") {
        let read = |d: &str| std::fs::read(dir.path().join(d).join(&name)).unwrap();
        assert!(read("four") == read("one"), "{name} differs");
    }
}
