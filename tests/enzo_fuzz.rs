//! Property tests: the Enzo text parsers (and the hierarchy build after them) never panic on
//! random or mutated input; they return a value or an error.

use amrcast::formats::enzo::{build_hierarchy, parse_hierarchy, parse_parameters, Parameters};
use proptest::prelude::*;
use std::path::Path;

fn data_dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/moving7_0010"
    ))
}

fn real_hierarchy() -> String {
    std::fs::read_to_string(data_dir().join("moving7_0010.hierarchy")).unwrap()
}

fn real_parameters() -> String {
    std::fs::read_to_string(data_dir().join("moving7_0010")).unwrap()
}

/// Values that tend to break number handling.
const NASTY: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "3",
    "-3",
    "0.5",
    "1e308",
    "-1e308",
    "1e-308",
    "nan",
    "inf",
    "-inf",
    "65536",
    "65537",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "9223372036854775807",
    "0.99999999",
    "",
    "x",
    "=",
    "Grid",
    "Pointer:",
];

#[derive(Clone, Debug)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Swap(usize, usize),
    Replace(usize, String),
    /// Replace the `k`-th whitespace-separated token of a line with a nasty value.
    Token(usize, usize, usize),
    /// Overwrite one character of a line.
    Garble(usize, usize, char),
    Truncate(usize),
    Insert(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let idx = any::<usize>();
    prop_oneof![
        idx.prop_map(Mutation::Delete),
        idx.prop_map(Mutation::Duplicate),
        (idx, idx).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (idx, "\\PC{0,40}").prop_map(|(a, s)| Mutation::Replace(a, s)),
        (idx, 0usize..8, 0..NASTY.len()).prop_map(|(a, k, v)| Mutation::Token(a, k, v)),
        (idx, idx, any::<char>()).prop_map(|(a, p, c)| Mutation::Garble(a, p, c)),
        idx.prop_map(Mutation::Truncate),
        (
            idx,
            prop_oneof![
                "\\PC{0,40}",
                Just("Grid = 11".to_string()),
                Just("Grid = 3".to_string()),
                Just("Pointer: Grid[10]->NextGridNextLevel = 1".to_string()),
                Just("Pointer: Grid[5]->NextGridThisLevel = 5".to_string()),
                Just("Pointer: Grid[99]->NextGridThisLevel = 2".to_string()),
                Just("GridEndIndex = 3 3 3".to_string()),
                Just("GridLeftEdge = 0.9 0.9 0.9".to_string()),
            ]
        )
            .prop_map(|(a, s)| Mutation::Insert(a, s)),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in muts {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        match m {
            Mutation::Delete(i) => {
                lines.remove(i % n);
            }
            Mutation::Duplicate(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::Swap(a, b) => lines.swap(a % n, b % n),
            Mutation::Replace(i, s) => lines[i % n] = s.clone(),
            Mutation::Token(i, k, v) => {
                let line = &lines[i % n];
                let mut toks: Vec<String> = line.split_whitespace().map(str::to_string).collect();
                if !toks.is_empty() {
                    let k = k % toks.len();
                    toks[k] = NASTY[*v].to_string();
                    lines[i % n] = toks.join(" ");
                }
            }
            Mutation::Garble(i, p, c) => {
                let mut chars: Vec<char> = lines[i % n].chars().collect();
                if !chars.is_empty() {
                    let p = p % chars.len();
                    chars[p] = *c;
                    lines[i % n] = chars.into_iter().collect();
                }
            }
            Mutation::Truncate(i) => lines.truncate(i % n),
            Mutation::Insert(i, s) => lines.insert(i % (n + 1), s.clone()),
        }
    }
    lines.join("\n")
}

/// Parse the hierarchy and, when that works, build it against `params` (the model's
/// validation runs on whatever the parser let through).
fn exercise_hierarchy(text: &str, params: &Parameters) {
    if let Ok(grids) = parse_hierarchy(text) {
        assert!(!grids.is_empty());
        let _ = build_hierarchy(params, &grids);
    }
}

#[test]
fn real_inputs_parse() {
    let params = parse_parameters(&real_parameters()).unwrap();
    let grids = parse_hierarchy(&real_hierarchy()).unwrap();
    assert_eq!(grids.len(), 10);
    let h = build_hierarchy(&params, &grids).unwrap();
    assert_eq!(h.max_level(), 7);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_text_never_panics(s in "\\PC{0,400}") {
        let _ = parse_parameters(&s);
        let params = parse_parameters(&real_parameters()).unwrap();
        exercise_hierarchy(&s, &params);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let s = String::from_utf8_lossy(&bytes);
        let _ = parse_parameters(&s);
        let params = parse_parameters(&real_parameters()).unwrap();
        exercise_hierarchy(&s, &params);
    }

    #[test]
    fn mutated_hierarchy_never_panics(muts in proptest::collection::vec(mutation(), 1..12)) {
        let params = parse_parameters(&real_parameters()).unwrap();
        let text = apply(&real_hierarchy(), &muts);
        exercise_hierarchy(&text, &params);
    }

    #[test]
    fn mutated_parameters_never_panic(muts in proptest::collection::vec(mutation(), 1..12)) {
        let text = apply(&real_parameters(), &muts);
        if let Ok(params) = parse_parameters(&text) {
            // The real hierarchy against odd parameters (dimensions, edges, RefineBy).
            let grids = parse_hierarchy(&real_hierarchy()).unwrap();
            let _ = build_hierarchy(&params, &grids);
        }
    }

    #[test]
    fn key_lines_with_nasty_values_never_panic(
        key in prop_oneof![
            Just("GridStartIndex"), Just("GridEndIndex"), Just("GridDimension"),
            Just("GridLeftEdge"), Just("GridRightEdge"), Just("NumberOfBaryonFields"),
            Just("GridRank"), Just("Grid"),
        ],
        vals in proptest::collection::vec(0..NASTY.len(), 0..5),
        grid in 0usize..10,
    ) {
        // Replace one key of one grid of the real hierarchy.
        let value = vals.iter().map(|&v| NASTY[v]).collect::<Vec<_>>().join(" ");
        let mut seen = 0;
        let mut out = Vec::new();
        for line in real_hierarchy().lines() {
            if line.starts_with("Grid = ") {
                seen += 1;
            }
            if seen == grid + 1 && line.split('=').next().map(str::trim) == Some(key) {
                out.push(format!("{key} = {value}"));
            } else {
                out.push(line.to_string());
            }
        }
        let params = parse_parameters(&real_parameters()).unwrap();
        exercise_hierarchy(&out.join("\n"), &params);
    }
}
