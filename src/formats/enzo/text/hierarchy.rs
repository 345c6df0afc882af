//! The `.hierarchy` file ([`parse_hierarchy`]): one block of `Key = values` lines per grid,
//! 2-D (`GridRank = 2`, two values per vector) or 3-D, and the `Pointer:` lines that give
//! each grid its level and parent.

use super::pointers::{parse_pointer, resolve_tree, Pointer};
use super::{key_value, parse_num, parse_vec, to3, ParseError, MAX_AXIS_CELLS, MAX_GRID_CELLS};

/// One grid as the hierarchy file describes it, with its level and parent from the pointers.
#[derive(Clone, Debug, PartialEq)]
pub struct HierarchyGrid {
    /// The `Grid = N` number (1-based; names the HDF5 group `/GridNNNNNNNN`).
    pub id: u64,
    /// Line of the `Grid = N` line.
    pub line: usize,
    pub level: u32,
    /// `GridRank`: 2 or 3 (where absent, 2 when every vector has two values). A 2-D grid's
    /// vectors are padded to three: one cell along z (start and end 0, dimension 1), edges 0.
    pub rank: usize,
    /// The grid this one refines (`None` for root grids).
    pub parent: Option<u64>,
    /// `GridStartIndex` / `GridEndIndex` (inclusive): the active cells inside the stored array.
    pub start: [u64; 3],
    pub end: [u64; 3],
    /// `GridDimension`, the array size including ghost zones, where given.
    pub dimension: Option<[u64; 3]>,
    pub left: [f64; 3],
    pub right: [f64; 3],
    pub num_baryon_fields: u64,
    /// `BaryonFileName` as written.
    pub baryon_file: Option<String>,
}

impl HierarchyGrid {
    /// Active cells along x, y, z.
    pub fn dims(&self) -> [usize; 3] {
        [0, 1, 2].map(|a| (self.end[a] - self.start[a] + 1) as usize)
    }
    /// The HDF5 group holding this grid's fields.
    pub fn group_name(&self) -> String {
        format!("Grid{:08}", self.id)
    }
}

/// A grid block while it is read.
#[derive(Default)]
struct Block {
    id: u64,
    line: usize,
    /// `GridRank` and its line.
    rank: Option<(usize, usize)>,
    /// The first vector line with three values, and the first with two.
    three: Option<usize>,
    two: Option<usize>,
    start: Option<[u64; 3]>,
    end: Option<[u64; 3]>,
    dimension: Option<[u64; 3]>,
    left: Option<[f64; 3]>,
    right: Option<[f64; 3]>,
    num_baryon_fields: u64,
    baryon_file: Option<String>,
}

impl Block {
    /// A vector of two or three values, padded with `pad`; notes which length it had.
    fn vector<T: std::str::FromStr + Copy>(
        &mut self,
        value: &str,
        line: usize,
        key: &str,
        pad: T,
    ) -> Result<[T; 3], ParseError> {
        let n = match value.split_whitespace().count() {
            2 => 2,
            _ => 3,
        };
        let v = parse_vec(value, n, line, key)?;
        let first = if n == 2 {
            &mut self.two
        } else {
            &mut self.three
        };
        first.get_or_insert(line);
        Ok(to3(&v, pad))
    }
}

/// The grid's rank: its `GridRank`, which its vectors' lengths must agree with, or where
/// absent 2 when every vector has two values.
fn block_rank(b: &Block) -> Result<usize, ParseError> {
    match (b.rank, b.two, b.three) {
        (Some((3, rank_line)), Some(line), _) => Err(ParseError::at(
            line,
            format!(
                "grid {}: two values where GridRank = 3 (line {rank_line}) needs three",
                b.id
            ),
        )),
        (Some((r, _)), _, _) => Ok(r),
        (None, Some(_), None) => Ok(2),
        (None, Some(line), Some(_)) => Err(ParseError::at(
            line,
            format!(
                "grid {}: two values here but three on other lines, and no GridRank",
                b.id
            ),
        )),
        (None, _, _) => Ok(3),
    }
}

fn finish_block(b: Block) -> Result<HierarchyGrid, ParseError> {
    let missing = |key: &str| {
        ParseError::at(
            b.line,
            format!("grid {} has no {key} line before the next grid", b.id),
        )
    };
    let start = b.start.ok_or_else(|| missing("GridStartIndex"))?;
    let end = b.end.ok_or_else(|| missing("GridEndIndex"))?;
    let left = b.left.ok_or_else(|| missing("GridLeftEdge"))?;
    let right = b.right.ok_or_else(|| missing("GridRightEdge"))?;
    let bad = |what: String| Err(ParseError::at(b.line, format!("grid {}: {what}", b.id)));
    let rank = block_rank(&b)?;
    if rank == 2 && end[2] != start[2] {
        return bad(format!(
            "GridRank = 2 but GridStartIndex {start:?} and GridEndIndex {end:?} span more than one cell along z"
        ));
    }
    let (start, end) = match rank {
        2 => ([start[0], start[1], 0], [end[0], end[1], 0]),
        _ => (start, end),
    };
    let dimension = b.dimension.map(|d| match rank {
        2 => [d[0], d[1], 1],
        _ => d,
    });
    let mut cells: u64 = 1;
    for a in 0..3 {
        if end[a] < start[a] {
            return bad(format!(
                "GridEndIndex {end:?} is below GridStartIndex {start:?}"
            ));
        }
        let n = end[a] - start[a] + 1;
        if n > MAX_AXIS_CELLS {
            return bad(format!(
                "{n} cells along one axis is beyond the supported {MAX_AXIS_CELLS}"
            ));
        }
        cells = cells.saturating_mul(n);
        if let Some(d) = dimension.filter(|d| end[a] >= d[a]) {
            return bad(format!(
                "GridEndIndex {end:?} lies outside GridDimension {d:?}"
            ));
        }
    }
    if cells > MAX_GRID_CELLS {
        return bad(format!(
            "{cells} cells is beyond the supported {MAX_GRID_CELLS}"
        ));
    }
    if left.iter().chain(&right).any(|v| !v.is_finite()) {
        return bad("edges must be finite".into());
    }
    Ok(HierarchyGrid {
        id: b.id,
        line: b.line,
        level: 0,
        rank,
        parent: None,
        start,
        end,
        dimension,
        left,
        right,
        num_baryon_fields: b.num_baryon_fields,
        baryon_file: b.baryon_file,
    })
}

/// Parses an Enzo text hierarchy (`.hierarchy`, 2-D or 3-D runs) and derives each grid's
/// level and parent from the `Pointer:` lines, which may come after later grid blocks (Enzo
/// writes depth first).
pub fn parse_hierarchy(text: &str) -> Result<Vec<HierarchyGrid>, ParseError> {
    let mut grids: Vec<HierarchyGrid> = Vec::new();
    let mut pointers: Vec<Pointer> = Vec::new();
    let mut current: Option<Block> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(rest) = t.strip_prefix("Pointer:") {
            pointers.push(parse_pointer(rest, line)?);
            continue;
        }
        let (key, value) = key_value(t).ok_or_else(|| {
            ParseError::at(
                line,
                format!("cannot read '{}': expected 'Key = values'", shorten(t)),
            )
        })?;
        if key == "Grid" {
            if let Some(b) = current.take() {
                grids.push(finish_block(b)?);
            }
            let id: u64 = parse_num(value, line, "Grid")?;
            if id == 0 {
                return Err(ParseError::at(line, "grid numbers start at 1"));
            }
            current = Some(Block {
                id,
                line,
                ..Block::default()
            });
            continue;
        }
        let Some(b) = current.as_mut() else {
            return Err(ParseError::at(
                line,
                format!("'{key}' before the first 'Grid = N' line"),
            ));
        };
        match key {
            "GridRank" => {
                let r: u64 = parse_num(value, line, key)?;
                if r != 2 && r != 3 {
                    return Err(ParseError::at(
                        line,
                        format!("GridRank = {r}: only 2-D and 3-D grids are supported"),
                    ));
                }
                b.rank = Some((r as usize, line));
            }
            "GridStartIndex" => b.start = Some(b.vector(value, line, key, 0)?),
            "GridEndIndex" => b.end = Some(b.vector(value, line, key, 0)?),
            "GridDimension" => b.dimension = Some(b.vector(value, line, key, 1)?),
            "GridLeftEdge" => b.left = Some(b.vector(value, line, key, 0.0)?),
            "GridRightEdge" => b.right = Some(b.vector(value, line, key, 0.0)?),
            "NumberOfBaryonFields" => b.num_baryon_fields = parse_num(value, line, key)?,
            "BaryonFileName" => {
                if value.is_empty() {
                    return Err(ParseError::at(line, "BaryonFileName is empty"));
                }
                b.baryon_file = Some(value.to_string());
            }
            _ => {}
        }
    }
    if let Some(b) = current.take() {
        grids.push(finish_block(b)?);
    }
    if grids.is_empty() {
        return Err(ParseError::general(
            "no 'Grid = N' blocks: not an Enzo hierarchy",
        ));
    }
    resolve_tree(&mut grids, &pointers)?;
    Ok(grids)
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}...", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HIERARCHY: &str = "Grid = 1\nGridStartIndex = 0 0 0\nGridEndIndex = 3 3 3\n\
        GridLeftEdge = 0 0 0\nGridRightEdge = 1 1 1\nBaryonFileName = a.cpu0000\n\
        Pointer: Grid[1]->NextGridThisLevel = 0\n\
        Grid = 2\nGridStartIndex = 3 3 3\nGridEndIndex = 6 6 6\nGridDimension = 10 10 10\n\
        GridLeftEdge = 0.25 0.25 0.25\nGridRightEdge = 0.75 0.75 0.75\n\
        Pointer: Grid[2]->NextGridThisLevel = 0\nPointer: Grid[1]->NextGridNextLevel = 2\n";

    #[test]
    fn hierarchy_levels_and_parents_come_from_late_pointers() {
        let g = parse_hierarchy(HIERARCHY).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].level, g[0].parent), (0, None));
        assert_eq!((g[1].level, g[1].parent, g[1].line), (1, Some(1), 8));
        assert_eq!((g[1].dims(), g[1].dimension), ([4; 3], Some([10; 3])));
        assert_eq!(g[0].baryon_file.as_deref(), Some("a.cpu0000"));
        assert_eq!(g[1].group_name(), "Grid00000002");
    }

    #[test]
    fn hierarchy_errors_name_the_line() {
        let e = parse_hierarchy(&HIERARCHY.replace("GridEndIndex = 6 6 6\n", "")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 8: grid 2 has no GridEndIndex line before the next grid"
        );
        let e = parse_hierarchy(&HIERARCHY.replace("NextLevel = 2", "NextLevel = 3")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 15: grid 1 points to grid 3 which does not exist"
        );
        let e = parse_hierarchy(&HIERARCHY.replace("NextLevel = 2", "NextLevel = 0")).unwrap_err();
        assert!(e.what.contains("no Pointer line leads to grid 2"), "{e}");
    }

    #[test]
    fn two_d_grids_are_padded_to_one_cell_along_z() {
        let two = "Grid = 1\nTask = 0\nGridRank = 2\nGridDimension = 14 12 \n\
            GridStartIndex = 3 3 \nGridEndIndex = 10 8 \nGridLeftEdge = 0.32 0.35 \n\
            GridRightEdge = 0.36 0.38 \nBaryonFileName = /elsewhere/a.cpu0000\n\
            Pointer: Grid[1]->NextGridThisLevel = 0\n";
        let g = &parse_hierarchy(two).unwrap()[0];
        assert_eq!((g.rank, g.dims()), (2, [8, 6, 1]));
        assert_eq!(
            (g.start, g.end, g.dimension),
            ([3, 3, 0], [10, 8, 0], Some([14, 12, 1]))
        );
        assert_eq!((g.left, g.right), ([0.32, 0.35, 0.0], [0.36, 0.38, 0.0]));
        // Without GridRank, two values everywhere are a 2-D grid.
        let g = &parse_hierarchy(&two.replace("GridRank = 2\n", "")).unwrap()[0];
        assert_eq!(g.rank, 2);
        // Three values, the third one cell along z.
        let three = two
            .replace("14 12 ", "14 12 1")
            .replace("3 3 ", "3 3 0")
            .replace("10 8 ", "10 8 0")
            .replace("0.35 ", "0.35 0")
            .replace("0.38 ", "0.38 1");
        let g = &parse_hierarchy(&three).unwrap()[0];
        assert_eq!(
            (g.rank, g.dims(), g.dimension),
            (2, [8, 6, 1], Some([14, 12, 1]))
        );
        assert_eq!(g.right, [0.36, 0.38, 1.0]);
        let e = parse_hierarchy(&three.replace("GridRank = 2\n", "")).unwrap();
        assert_eq!((e[0].rank, e[0].dims()), (3, [8, 6, 1]));
        let e = parse_hierarchy(
            &two.replace("GridRank = 2\n", "")
                .replace("14 12 ", "14 12 1"),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 4: grid 1: two values here but three on other lines, and no GridRank"
        );
    }
}
