//! Damaged AMReX plotfiles: a truncated or missing data file, headers with the wrong number of
//! boxes, unreadable numbers, a checkpoint instead of a plotfile. Each is one error naming the
//! file and the problem, never a panic.

#[path = "common/amrex_fixtures.rs"]
mod amrex_fixtures;
#[path = "common/amrex_writer.rs"]
mod amrex_writer;

use amrcast::formats;
use amrex_fixtures::{plt2d, plt3d, value2d, value3d};
use std::fs;
use std::path::{Path, PathBuf};

fn written_3d() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plt3d");
    plt3d().write(&dir, value3d).unwrap();
    (tmp, dir)
}

/// The error opening `dir`, or else reading every field of it.
fn error(dir: &Path) -> String {
    let src = match formats::open(dir) {
        Ok(s) => s,
        Err(e) => return e.to_string(),
    };
    for name in src.field_names() {
        if let Err(e) = src.read_field(&name) {
            return e.to_string();
        }
    }
    panic!("{} opened and read without an error", dir.display());
}

/// Replaces the first `from` in the text file `path` by `to`.
fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no '{from}'", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn assert_has(e: &str, parts: &[&str]) {
    eprintln!("{e}");
    assert_eq!(e.lines().count(), 1, "one line: {e}");
    for p in parts {
        assert!(e.contains(p), "'{p}' not in: {e}");
    }
}

#[test]
fn a_truncated_data_file_names_the_file_and_the_grid() {
    let (_tmp, dir) = written_3d();
    let data = dir.join("Level_1/Cell_D_00000");
    let len = fs::metadata(&data).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&data)
        .unwrap()
        .set_len(len - 100)
        .unwrap();
    let src = formats::open(&dir).unwrap();
    // The last FAB's first component is whole; its second is cut.
    assert!(src.read_grid("density", 3).is_ok());
    let e = src.read_grid("temperature", 3).unwrap_err().to_string();
    assert_has(
        &e,
        &[
            "Level_1/Cell_D_00000",
            "grid 3 (level 1 FAB 1)",
            "truncated",
            &format!("the file has {} bytes", len - 100),
        ],
    );
    assert_eq!(error(&dir), e);
    // Cut inside the second FAB's header line.
    let cell_h = fs::read_to_string(dir.join("Level_1/Cell_H")).unwrap();
    let offset: u64 = cell_h
        .lines()
        .filter(|l| l.starts_with("FabOnDisk:"))
        .nth(1)
        .unwrap()
        .split_whitespace()
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(&data)
        .unwrap()
        .set_len(offset + 20)
        .unwrap();
    let e = error(&dir);
    assert_has(
        &e,
        &[
            "Level_1/Cell_D_00000",
            "grid 3 (level 1 FAB 1)",
            &format!("FAB at byte {offset}: no complete header line"),
        ],
    );
}

#[test]
fn a_missing_data_file_is_named() {
    let (_tmp, dir) = written_3d();
    fs::remove_file(dir.join("Level_2/Cell_D_00000")).unwrap();
    let e = error(&dir);
    assert_has(
        &e,
        &[
            "Level_2/Cell_D_00000",
            "data file of level 2 FAB 0 is missing",
            "Level_2/Cell_H",
        ],
    );
    fs::remove_file(dir.join("Level_2/Cell_H")).unwrap();
    assert_has(&error(&dir), &["Level_2/Cell_H", "No such file"]);
}

#[test]
fn headers_with_the_wrong_number_of_boxes() {
    // The Header announces 3 grids on level 1 but lists 2.
    let (_tmp, dir) = written_3d();
    edit(&dir.join("Header"), "1 2 0.125\n", "1 3 0.125\n");
    assert_has(
        &error(&dir),
        &[
            "plt3d/Header: line",
            "expected level 1 grid 2's x extent 'lo hi' (2 numbers), found 'Level_1/Cell'",
        ],
    );
    // Cell_H announces 3 boxes but lists 2.
    let (_tmp, dir) = written_3d();
    edit(&dir.join("Level_1/Cell_H"), "(2 0\n", "(3 0\n");
    assert_has(
        &error(&dir),
        &["Level_1/Cell_H: line 8: expected box 2 of 3", "found ')'"],
    );
    // A Cell_H of one box where the Header has two grids.
    let (_tmp, dir) = written_3d();
    let mut one = plt3d();
    one.levels[1].boxes.truncate(1);
    one.levels[2].boxes.truncate(1);
    let other = dir.parent().unwrap().join("one");
    one.write(&other, value3d).unwrap();
    fs::copy(other.join("Level_1/Cell_H"), dir.join("Level_1/Cell_H")).unwrap();
    assert_has(
        &error(&dir),
        &[
            "Level_1/Cell_H: 1 box(es), but the plotfile's Header",
            "gives level 1 2 grids",
        ],
    );
    // Cell_H lists two FabOnDisk lines where it announces three.
    let (_tmp, dir) = written_3d();
    edit(&dir.join("Level_0/Cell_H"), ")\n2\n", ")\n3\n");
    assert_has(
        &error(&dir),
        &["Level_0/Cell_H: line 9: 3 FabOnDisk lines announced for 2 boxes"],
    );
}

#[test]
fn unreadable_numbers_name_the_file_and_line() {
    let cases: [(&str, &str, &str, &[&str]); 6] = [
        (
            "Header",
            "1 1 2 \n",
            "1 one 2 \n",
            &["plt3d/Header: line 9: expected prob_hi (3 numbers), found '1 one 2'"],
        ),
        (
            "Header",
            "HyperCLaw-V1.1\n2\n",
            "HyperCLaw-V1.1\ntwo\n",
            &["plt3d/Header: line 2: expected the number of components, found 'two'"],
        ),
        (
            "Header",
            "((0,0,0) (15,15,15) (0,0,0))",
            "((0,0,0) (15,x,15) (0,0,0))",
            &["plt3d/Header: line 11: expected 3 domain boxes"],
        ),
        (
            "Level_2/Cell_H",
            "FabOnDisk: Cell_D_00000 0",
            "FabOnDisk: Cell_D_00000 zero",
            &[
                "Level_2/Cell_H: line 10",
                "the offset 'zero' is not a byte offset",
            ],
        ),
        (
            "Level_0/Cell_H",
            "((8,0,0) (15,15,15) (0,0,0))",
            "((8,0,0) (15,15,15) (1,0,0))",
            &[
                "Level_0/Cell_H",
                "box 1 ((8,0,0) (15,15,15) (1,0,0)) is not cell-centred",
            ],
        ),
        (
            "Header",
            "\n0.125 0.125 0.125 \n",
            "\n0.125 0.125 0.25 \n",
            &["plt3d/Header", "level 0's cell size along z is 0.25"],
        ),
    ];
    for (file, from, to, want) in cases {
        let (_tmp, dir) = written_3d();
        edit(&dir.join(file), from, to);
        assert_has(&error(&dir), want);
    }
    // A FAB header line that is not one, and an offset into the middle of the values.
    let (_tmp, dir) = written_3d();
    let data = dir.join("Level_0/Cell_D_00000");
    let mut bytes = fs::read(&data).unwrap();
    bytes[6] = b'x';
    fs::write(&data, &bytes).unwrap();
    assert_has(
        &error(&dir),
        &[
            "Level_0/Cell_D_00000",
            "grid 0 (level 0 FAB 0)",
            "FAB at byte 0",
            "real descriptor",
        ],
    );
    let (_tmp, dir) = written_3d();
    edit(
        &dir.join("Level_0/Cell_H"),
        "FabOnDisk: Cell_D_00000 0\n",
        "FabOnDisk: Cell_D_00000 1000\n",
    );
    assert_has(&error(&dir), &["Level_0/Cell_D_00000", "FAB at byte 1000"]);
    // A grid whose physical box in the Header disagrees with its index box.
    let (_tmp, dir) = written_3d();
    edit(
        &dir.join("Header"),
        "1 2 0.125\n160\n-0.5 0\n",
        "1 2 0.125\n160\n-0.5 0.0625\n",
    );
    assert_has(&error(&dir), &["plt3d/Header", "level 1 grid 0 spans -0.5..0.0625 along x, but its box ((16,16,16) (31,27,31) (0,0,0))"]);
}

#[test]
fn a_checkpoint_or_another_version_is_refused_clearly() {
    let (_tmp, dir) = written_3d();
    edit(
        &dir.join("Header"),
        "HyperCLaw-V1.1",
        "CheckPointVersion_1.0",
    );
    let e = error(&dir);
    assert_has(
        &e,
        &[
            "plt3d/Header",
            "'CheckPointVersion_1.0' is an AMReX checkpoint header",
            "HyperCLaw-V1.1",
        ],
    );
    // Through the Header file itself, too.
    assert_eq!(
        formats::open(&dir.join("Header"))
            .err()
            .unwrap()
            .to_string(),
        e
    );
    // A directory with some other Header and no Level_0 is not claimed.
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("Header"), "hello\n").unwrap();
    let e = formats::open(tmp.path()).err().unwrap().to_string();
    assert_has(&e, &["not a supported dataset", "AMReX plotfile"]);
}

/// Every prefix of the Header and of a Cell_H (cut at a line), and the data file cut at many
/// lengths: an error each time, never a panic.
#[test]
fn cut_files_are_errors_never_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plt2d");
    plt2d().write(&dir, value2d).unwrap();
    for file in ["Header", "Level_1/Cell_H"] {
        let path = dir.join(file);
        let whole = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = whole.lines().collect();
        // The Cell_H's minima and maxima (after the FabOnDisk lines) are not needed.
        let needed = if file == "Header" {
            lines.len()
        } else {
            lines.iter().position(|l| l.is_empty()).unwrap()
        };
        for n in 0..needed {
            fs::write(&path, lines[..n].join("\n")).unwrap();
            let e = error(&dir);
            assert!(e.contains(file), "{file} cut to {n} lines: {e}");
        }
        fs::write(&path, &whole).unwrap();
    }
    let data = dir.join("Level_2/Cell_D_00000");
    let whole = fs::read(&data).unwrap();
    for n in (0..whole.len()).step_by(997) {
        fs::write(&data, &whole[..n]).unwrap();
        let e = error(&dir);
        assert!(e.contains("Level_2/Cell_D_00000"), "cut to {n} bytes: {e}");
    }
    fs::write(&data, &whole).unwrap();
    assert!(formats::open(&dir).unwrap().read_field("vx").is_ok());
}
