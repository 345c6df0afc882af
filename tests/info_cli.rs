//! `amrcast info` end to end, on the real moving7 Enzo output.

use std::path::{Path, PathBuf};
use std::process::Command;

fn moving7() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/moving7_0010/moving7_0010")
}

fn amrcast(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[test]
fn info_json_on_moving7() {
    let p = moving7();
    let out = amrcast(&["info", "--json", p.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "one JSON object: {stdout}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["format"], "enzo");
    assert_eq!(v["name"], "moving7_0010");
    assert_eq!(v["num_grids"], 10);
    assert_eq!(v["max_level"], 7);
    assert_eq!(v["root_dims"], serde_json::json!([16, 16, 16]));
    assert_eq!(v["dimensionality"], 3);
    assert_eq!(v["refine_by"], 2);
    assert_eq!(v["refinement_ratios"], serde_json::json!(vec![2; 7]));
    assert_eq!(
        v["grids_per_level"],
        serde_json::json!([1, 3, 1, 1, 1, 1, 1, 1])
    );
    assert_eq!(
        v["cells_per_level"],
        serde_json::json!([4096, 2640, 8000, 8000, 4096, 1728, 1000, 800])
    );
    assert_eq!(v["total_cells"], 30360);
    assert_eq!(v["domain_left_edge"], serde_json::json!([0.0, 0.0, 0.0]));
    assert_eq!(v["domain_right_edge"], serde_json::json!([1.0, 1.0, 1.0]));
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for f in ["Density", "Temperature", "Dark_Matter_Density"] {
        assert!(fields.contains(&f), "{fields:?}");
    }
    let density = v["field_ranges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Density")
        .unwrap();
    // yt 4.4.3: 0.09875256568193436 .. 256954.46875 in code units.
    // (f32 values: JSON carries their shortest decimal form.)
    assert_eq!(
        density["min"].as_f64().unwrap() as f32,
        0.09875256568193436_f64 as f32
    );
    assert_eq!(
        density["max"].as_f64().unwrap() as f32,
        256954.46875_f64 as f32
    );
    assert_eq!(density["non_finite"], 0);
    let du = v["units"]["density"].as_f64().unwrap();
    assert!((du / 6.235329974609323e-27 - 1.0).abs() < 1e-9, "{du}");
    assert!((v["time"].as_f64().unwrap() - 0.81751317119117).abs() < 1e-14);
}

#[test]
fn info_text_on_moving7_directory() {
    let p = moving7();
    let dir = p.parent().unwrap();
    let out = amrcast(&["info", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("moving7_0010 (enzo)"), "{s}");
    assert!(
        s.contains("root grid: 16 x 16 x 16 cells, refined by 2"),
        "{s}"
    );
    assert!(
        s.contains("grids:     10 on 8 levels (max level 7), 30360 cells"),
        "{s}"
    );
    assert!(s.contains("        7      1         800"), "{s}");
    assert!(s.contains("density   6.235330e-27 g/cm^3"), "{s}");
    let dens = s
        .lines()
        .find(|l| l.trim_start().starts_with("Density "))
        .unwrap();
    assert!(dens.contains("9.875257e-2 .. 2.569545e5"), "{dens}");
    assert!(s.contains("Dark_Matter_Density"), "{s}");
}

#[test]
fn info_on_missing_file_is_one_line_error() {
    let out = amrcast(&["info", "/nonexistent/DD0046/DD0046"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("amrcast: error: "), "{err}");
    assert!(err.contains("/nonexistent/DD0046/DD0046"), "{err}");
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn info_on_broken_hierarchy_names_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let src = moving7().parent().unwrap().to_path_buf();
    for f in [
        "moving7_0010",
        "moving7_0010.hierarchy",
        "moving7_0010.cpu0000",
    ] {
        std::fs::copy(src.join(f), tmp.path().join(f)).unwrap();
    }
    let h = tmp.path().join("moving7_0010.hierarchy");
    let text = std::fs::read_to_string(&h).unwrap().replacen(
        "GridEndIndex      = 12 14 14",
        "GridEndIndex      = 12 14",
        1,
    );
    std::fs::write(&h, text).unwrap();
    let out = amrcast(&["info", tmp.path().join("moving7_0010").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("moving7_0010.hierarchy: line 49: grid 3: two values where GridRank = 3")
            && err.contains("needs three"),
        "{err}"
    );
}
