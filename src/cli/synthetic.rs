//! `amrcast bench --synthetic CELLS`: writes a synthetic Enzo dataset of about CELLS cells
//! ([`crate::demo::synthetic`]), then runs `amrcast info` and `amrcast render` on it as child
//! processes of this same binary and prints each one's wall time and peak host memory.

use crate::demo::synthetic::{layout_cells, root_cells, write_synthetic, SyntheticOptions, NAME};
use crate::error::{Error, Result};
use crate::measure::{own_peak_rss, run_measured, ChildUsage};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The file beside a kept dataset saying that it is complete, and of how many cells.
const MARKER: &str = "amrcast-synthetic.txt";

/// Parses a cell count: `536M`, `67M`, `1.5G`, `800K` (powers of 1000) or a plain number.
pub fn parse_cells(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let (num, scale) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1e3),
        Some((i, 'm' | 'M')) => (&t[..i], 1e6),
        Some((i, 'g' | 'G')) => (&t[..i], 1e9),
        _ => (t, 1.0),
    };
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v * scale < 1e15 => Ok((v * scale).round() as u64),
        _ => Err(format!(
            "'{s}' is not a cell count (e.g. 536M, 67M, 1.5G, 800K)"
        )),
    }
}

/// `amrcast bench --synthetic CELLS [--keep DIR] [-- RENDER ARGS]`.
pub fn bench_synthetic(cells: u64, keep: Option<&Path>, render_args: &[String]) -> Result<()> {
    let cells = layout_cells(root_cells(cells)?);
    let tmp = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let dir = keep.map_or_else(|| tmp.path().join("data"), Path::to_path_buf);
    let dataset = prepare(&dir, cells)?;
    let image = tmp.path().join("tmp.png");
    let shown = |args: &[String]| {
        args.join(" ")
            .replace(&dataset.display().to_string(), "DATASET")
            .replace(&image.display().to_string(), "tmp.png")
    };
    let mut render = vec!["render".to_string(), dataset.display().to_string()];
    if !render_args
        .iter()
        .any(|a| a == "--size" || a.starts_with("--size="))
    {
        render.extend(["--size".into(), "512x512".into()]);
    }
    render.extend(render_args.iter().cloned());
    render.extend(["-o".into(), image.display().to_string()]);
    let runs = [
        vec!["info".to_string(), dataset.display().to_string()],
        render,
    ];
    let exe = std::env::current_exe().map_err(|e| Error::io("amrcast", e))?;
    let mut rows = Vec::new();
    for args in &runs {
        eprintln!("amrcast: bench: running amrcast {}", args.join(" "));
        let usage = run_measured(
            Command::new(&exe)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null()),
        )?;
        rows.push((shown(args), usage));
    }
    print_table(&dataset, &rows);
    let failed: Vec<&str> = rows
        .iter()
        .filter(|(_, u)| !u.status.success())
        .map(|(c, _)| c.as_str())
        .collect();
    if !failed.is_empty() {
        return Err(Error::Settings(format!(
            "bench: failed: amrcast {}",
            failed.join("; amrcast ")
        )));
    }
    Ok(())
}

/// The dataset's parameter file in `dir`: written there unless a complete one of `cells`
/// cells already is.
fn prepare(dir: &Path, cells: u64) -> Result<PathBuf> {
    let marker = dir.join(MARKER);
    let param = dir.join(NAME);
    let expected = format!("{cells} cells\n");
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == expected) && param.is_file() {
        eprintln!("amrcast: bench: reusing {}", param.display());
        return Ok(param);
    }
    eprintln!(
        "amrcast: bench: writing a synthetic Enzo dataset of {cells} cells into {}",
        dir.display()
    );
    let _ = std::fs::remove_file(&marker);
    let t = Instant::now();
    let written = write_synthetic(dir, &SyntheticOptions::new(cells))?;
    std::fs::write(&marker, expected).map_err(|e| Error::io(&marker, e))?;
    eprintln!(
        "amrcast: bench: wrote {} in {} files in {:.1} s (peak memory {})",
        bytes(written.bytes),
        written.files.len() + 2,
        t.elapsed().as_secs_f64(),
        bytes(own_peak_rss())
    );
    Ok(written.param)
}

fn bytes(b: u64) -> String {
    indicatif::HumanBytes(b).to_string()
}

fn print_table(dataset: &Path, rows: &[(String, ChildUsage)]) {
    println!("dataset: {}", dataset.display());
    let width = rows.iter().map(|(c, _)| c.len()).max().unwrap_or(0).max(7);
    println!(
        "{:<width$}  {:>10}  {:>12}",
        "command", "wall", "peak memory"
    );
    for (cmd, u) in rows {
        let status = if u.status.success() {
            String::new()
        } else {
            format!("  (failed: {})", u.status)
        };
        println!(
            "{cmd:<width$}  {:>8.2} s  {:>12}{status}",
            u.wall.as_secs_f64(),
            bytes(u.peak_rss)
        );
    }
    let floor = rows.iter().map(|(_, u)| u.parent_rss).max().unwrap_or(0);
    if floor > 0 {
        println!(
            "(peak memory: Linux counts up to {} of amrcast bench's own memory at each start)",
            bytes(floor)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_counts() {
        assert_eq!(parse_cells("536M"), Ok(536_000_000));
        assert_eq!(parse_cells("67m"), Ok(67_000_000));
        assert_eq!(parse_cells("1.5G"), Ok(1_500_000_000));
        assert_eq!(parse_cells("800K"), Ok(800_000));
        assert_eq!(parse_cells("12800"), Ok(12_800));
        for bad in ["", "M", "-5M", "2T", "1e20", "x"] {
            assert!(parse_cells(bad).is_err(), "{bad}");
        }
    }
}
