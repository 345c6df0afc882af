//! `amrcast bench --synthetic`: a generated Enzo dataset, `info` and `render` timed on it as
//! child processes; the kept dataset reused; bad requests and failing children reported.

use std::process::{Command, Output};

fn amrcast(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The table's row for `command`: its wall time (s) and peak memory (its text).
fn row<'a>(stdout: &'a str, command: &str) -> (f64, &'a str) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(command))
        .unwrap_or_else(|| panic!("no row '{command}' in:\n{stdout}"));
    let rest = line[command.len()..].trim();
    let (wall, memory) = rest.split_once(" s ").unwrap();
    (wall.trim().parse().unwrap(), memory.trim())
}

#[test]
fn times_info_and_render_on_a_kept_dataset_then_reuses_it() {
    let tmp = tempfile::tempdir().unwrap();
    let keep = tmp.path().join("synthetic");
    let k = keep.to_str().unwrap();
    let o = amrcast(&[
        "bench",
        "--synthetic",
        "13K",
        "--keep",
        k,
        "--",
        "--mode",
        "mip",
        "--size",
        "48x32",
    ]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    assert!(
        err.contains("writing a synthetic Enzo dataset of 12800 cells"),
        "{err}"
    );
    let (wall, memory) = row(&out, "info DATASET");
    // A 13K-cell info can take under the 5 ms the table shows as 0.00 s.
    assert!(wall >= 0.0 && memory.ends_with("iB"), "{out}");
    let (_, memory) = row(&out, "render DATASET --mode mip --size 48x32 -o tmp.png");
    assert!(memory.ends_with("iB"), "{out}");

    // The kept dataset: Enzo's files, readable, 25 grids on 4 levels.
    let param = keep.join("DD0000");
    for f in ["DD0000.hierarchy", "DD0000.cpu0000", "DD0000.cpu0007"] {
        assert!(keep.join(f).is_file(), "{f}");
    }
    let src = amrcast::formats::open(&param).unwrap();
    assert_eq!(src.hierarchy().grids.len(), 25);
    assert_eq!(src.hierarchy().num_cells(), 12_800);

    // Run again: reused, not written; the default render size.
    let o = amrcast(&["bench", "--synthetic", "13K", "--keep", k]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    assert!(err.contains("reusing") && !err.contains("writing"), "{err}");
    row(&out, "render DATASET --size 512x512 -o tmp.png");
}

#[test]
fn bad_requests_and_failing_commands_are_reported() {
    let o = amrcast(&["bench", "--synthetic", "1000"]);
    let err = text(&o.stderr);
    assert!(!o.status.success() && err.contains("1600 to"), "{err}");
    let o = amrcast(&["bench", "--synthetic", "lots"]);
    assert!(!o.status.success() && text(&o.stderr).contains("not a cell count"));
    let o = amrcast(&["bench", "--keep", "/tmp/x"]);
    assert!(!o.status.success() && text(&o.stderr).contains("--synthetic"));
    // A render that fails: the table says so and bench fails, naming the command.
    let o = amrcast(&["bench", "--synthetic", "2K", "--", "--field", "Nope"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(!o.status.success(), "{out}\n{err}");
    assert!(out.contains("(failed: exit status: 1)"), "{out}");
    assert!(
        err.contains("failed: amrcast render DATASET --size 512x512 --field Nope -o tmp.png"),
        "{err}"
    );
    let (_, _) = row(&out, "info DATASET");
}
