//! Time series: the datasets a `--datasets` pattern matches, which frame shows which, and one
//! colour scale over all of them.

use crate::error::{Error, Result};
use crate::session::DataSpec;
use crate::transfer::Scale;
use std::path::{Path, PathBuf};

/// Index of the dataset that frame `k` of `frames` shows, of `datasets` in time order.
pub fn dataset_for_frame(k: usize, frames: usize, datasets: usize) -> usize {
    ((k as u128 * datasets as u128) / frames.max(1) as u128) as usize
}

/// Files matching `pattern` (`*` and `?` in any component), sorted. A `FILE.h5:/dataset`
/// pattern matches the files and keeps the dataset part.
pub fn expand_pattern(pattern: &str) -> Result<Vec<PathBuf>> {
    let (files, inner) = match pattern.find(":/") {
        // (not a drive letter)
        Some(i) if i > 1 => (&pattern[..i], Some(&pattern[i..])),
        _ => (pattern, None),
    };
    let found = expand_files(files)?;
    if found.is_empty() {
        return Err(Error::Settings(format!(
            "--datasets '{pattern}' matches no file"
        )));
    }
    Ok(match inner {
        None => found,
        Some(inner) => found
            .into_iter()
            .map(|p| PathBuf::from(format!("{}{inner}", p.display())))
            .collect(),
    })
}

fn expand_files(pattern: &str) -> Result<Vec<PathBuf>> {
    let path = Path::new(pattern);
    let mut found: Vec<PathBuf> = vec![PathBuf::new()];
    for comp in path.components() {
        let part = comp.as_os_str().to_string_lossy().into_owned();
        if !part.contains(['*', '?']) {
            found = found.into_iter().map(|p| p.join(&part)).collect();
            continue;
        }
        let mut next = Vec::new();
        for base in &found {
            let dir = if base.as_os_str().is_empty() {
                Path::new(".")
            } else {
                base.as_path()
            };
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if (name.starts_with('.') && !part.starts_with('.')) || !wildcard(&part, &name) {
                    continue;
                }
                next.push(base.join(name));
            }
        }
        found = next;
    }
    let mut found: Vec<PathBuf> = found.into_iter().filter(|p| p.exists()).collect();
    found.sort();
    Ok(found)
}

/// `*` (any run) and `?` (one character) matching of a whole name.
fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// Transfer-function bounds for a time series: the field's range over all datasets.
pub fn series_bounds(data: &DataSpec, scale: Scale, datasets: &[PathBuf]) -> Result<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for path in datasets {
        // Streamed grid by grid: the series' range needs no whole field in memory.
        let (field, _) = data.with_dataset(path).open_field()?;
        let s = field.stats()?;
        let floor = scale.floor(&s);
        if !floor.is_nan() {
            lo = lo.min(floor as f64);
            hi = hi.max(s.max as f64);
        }
    }
    if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
        return Err(Error::Settings(format!(
            "the field's range over the {} datasets is {lo}..{hi}, which cannot set the colour scale; give --bounds MIN,MAX",
            datasets.len()
        )));
    }
    Ok((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_map_to_datasets_in_order() {
        let m: Vec<usize> = (0..6).map(|k| dataset_for_frame(k, 6, 3)).collect();
        assert_eq!(m, [0, 0, 1, 1, 2, 2]);
        let m: Vec<usize> = (0..4).map(|k| dataset_for_frame(k, 4, 4)).collect();
        assert_eq!(m, [0, 1, 2, 3]);
    }

    #[test]
    fn patterns_match_whole_names() {
        assert!(wildcard("DD00??", "DD0012"));
        assert!(!wildcard("DD00??", "DD0012.cpu0000"));
        assert!(wildcard("DD00*", "DD0012.cpu0000"));
        assert!(wildcard("*", ""));
        assert!(!wildcard("a*b", "acbx"));
        let dir = tempfile::tempdir().unwrap();
        for d in ["DD0002", "DD0001", "DD0010"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
            std::fs::write(dir.path().join(d).join(d), "").unwrap();
            std::fs::write(dir.path().join(d).join(format!("{d}.hierarchy")), "").unwrap();
        }
        let pat = format!("{}/DD00*/DD00??", dir.path().display());
        let got = expand_pattern(&pat).unwrap();
        let names: Vec<String> = got
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["DD0001/DD0001", "DD0002/DD0002", "DD0010/DD0010"]);
        assert!(expand_pattern(&format!("{}/nothing*", dir.path().display())).is_err());
    }
}
