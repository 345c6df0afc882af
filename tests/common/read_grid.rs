//! The check every reader's `read_grid` must pass: each grid read alone equals that grid of the
//! whole field, value for value (bit for bit, NaN included).

use amrcast::formats::DataSource;

/// For every field (or the `fields` given) and every grid of `src`: `read_grid(f, n)` equals
/// `read_field(f).data[n]`; grid indices past the end are errors. Returns the grids compared.
pub fn assert_read_grid_matches(src: &dyn DataSource, fields: Option<&[&str]>) -> usize {
    let names: Vec<String> = match fields {
        Some(f) => f.iter().map(|s| s.to_string()).collect(),
        None => src.field_names(),
    };
    assert!(!names.is_empty(), "no fields to compare");
    let grids = src.hierarchy().grids.len();
    let mut compared = 0;
    for name in &names {
        let field = src
            .read_field(name)
            .unwrap_or_else(|e| panic!("read_field({name}): {e}"));
        assert_eq!(field.data.len(), grids);
        for (n, whole) in field.data.iter().enumerate() {
            let alone = src
                .read_grid(name, n)
                .unwrap_or_else(|e| panic!("read_grid({name}, {n}): {e}"));
            assert_eq!(
                alone.len(),
                src.hierarchy().grids[n].num_cells(),
                "{name} grid {n}"
            );
            let same = alone
                .iter()
                .zip(whole.iter())
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{name} grid {n}: read_grid differs from read_field");
            compared += 1;
        }
        let e = src.read_grid(name, grids).unwrap_err().to_string();
        assert!(e.contains(&format!("no grid {grids}")), "{e}");
    }
    compared
}
