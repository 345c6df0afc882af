//! The hierarchy's `Pointer:` lines, which give each grid its level and parent.

use super::{HierarchyGrid, ParseError};
use std::collections::HashMap;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PointerKind {
    ThisLevel,
    NextLevel,
}

impl fmt::Display for PointerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PointerKind::ThisLevel => "NextGridThisLevel",
            PointerKind::NextLevel => "NextGridNextLevel",
        })
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Pointer {
    from: u64,
    kind: PointerKind,
    to: u64,
    line: usize,
}

/// `Pointer: Grid[a]->NextGridThisLevel = b`.
pub(super) fn parse_pointer(rest: &str, line: usize) -> Result<Pointer, ParseError> {
    let bad = || {
        ParseError::at(
            line,
            format!("cannot read pointer line 'Pointer:{rest}' (expected 'Pointer: Grid[A]->NextGridThisLevel = B' or NextGridNextLevel)"),
        )
    };
    let (lhs, rhs) = rest.split_once('=').ok_or_else(bad)?;
    let lhs = lhs.trim();
    let inner = lhs.strip_prefix("Grid[").ok_or_else(bad)?;
    let (from, field) = inner.split_once("]->").ok_or_else(bad)?;
    let from: u64 = from.trim().parse().map_err(|_| bad())?;
    let kind = match field.trim() {
        "NextGridThisLevel" => PointerKind::ThisLevel,
        "NextGridNextLevel" => PointerKind::NextLevel,
        _ => return Err(bad()),
    };
    let to: u64 = rhs.trim().parse().map_err(|_| bad())?;
    Ok(Pointer {
        from,
        kind,
        to,
        line,
    })
}

/// Sets levels and parents from the pointers: `a->NextGridNextLevel = b` makes `b` the first
/// child of `a`; `a->NextGridThisLevel = b` makes `b` a sibling of `a` (same level and parent).
/// The first grid of the file is the root of the list; every other grid must be reached from
/// it by exactly one pointer.
pub(super) fn resolve_tree(
    grids: &mut [HierarchyGrid],
    pointers: &[Pointer],
) -> Result<(), ParseError> {
    let index = index_grids(grids)?;
    let links = Links::new(grids, &index, pointers)?;
    if let Some((_, line)) = links.incoming[0] {
        return Err(ParseError::at(
            line,
            format!(
                "the pointers form a cycle: grid {} (the first grid) is pointed to",
                grids[0].id
            ),
        ));
    }
    let reached = links.walk(grids)?;
    match reached.iter().position(|r| !r) {
        Some(n) => Err(links.unreached(grids, n)),
        None => Ok(()),
    }
}

/// Grid number -> index in `grids`; a number defined twice is an error.
fn index_grids(grids: &[HierarchyGrid]) -> Result<HashMap<u64, usize>, ParseError> {
    let mut index: HashMap<u64, usize> = HashMap::with_capacity(grids.len());
    for (n, g) in grids.iter().enumerate() {
        if let Some(&m) = index.get(&g.id) {
            return Err(ParseError::at(
                g.line,
                format!(
                    "grid {} is defined twice (lines {} and {})",
                    g.id, grids[m].line, g.line
                ),
            ));
        }
        index.insert(g.id, n);
    }
    Ok(index)
}

/// The pointers between grids (by index in the grid list), with their lines.
struct Links {
    /// Per grid and kind: the grid pointed to.
    out: HashMap<(usize, PointerKind), (usize, usize)>,
    /// Per grid: the one grid that points to it.
    incoming: Vec<Option<(usize, usize)>>,
}

impl Links {
    /// Checks that pointers join existing grids, that no grid has two pointers of one kind
    /// (repeats of the same pointer are fine) and that no grid is pointed to twice.
    fn new(
        grids: &[HierarchyGrid],
        index: &HashMap<u64, usize>,
        pointers: &[Pointer],
    ) -> Result<Self, ParseError> {
        let mut out: HashMap<(usize, PointerKind), (usize, usize)> = HashMap::new();
        let mut incoming: Vec<Option<(usize, usize)>> = vec![None; grids.len()];
        for p in pointers {
            let &from = index.get(&p.from).ok_or_else(|| {
                ParseError::at(
                    p.line,
                    format!("pointer from grid {} which does not exist", p.from),
                )
            })?;
            if p.to == 0 {
                continue;
            }
            let &to = index.get(&p.to).ok_or_else(|| {
                ParseError::at(
                    p.line,
                    format!(
                        "grid {} points to grid {} which does not exist",
                        p.from, p.to
                    ),
                )
            })?;
            if let Some(&(prev, prev_line)) = out.get(&(from, p.kind)) {
                if prev != to {
                    return Err(ParseError::at(
                        p.line,
                        format!(
                            "grid {} has two {} pointers (lines {prev_line} and {})",
                            p.from, p.kind, p.line
                        ),
                    ));
                }
                continue;
            }
            if let Some((_, other_line)) = incoming[to] {
                return Err(ParseError::at(
                    p.line,
                    format!(
                        "grid {} is the target of two pointers (lines {other_line} and {})",
                        p.to, p.line
                    ),
                ));
            }
            out.insert((from, p.kind), (to, p.line));
            incoming[to] = Some((from, p.line));
        }
        Ok(Links { out, incoming })
    }

    /// Follows the pointers from the first grid, setting levels and parents; which grids were
    /// reached.
    fn walk(&self, grids: &mut [HierarchyGrid]) -> Result<Vec<bool>, ParseError> {
        let mut reached = vec![false; grids.len()];
        reached[0] = true;
        let mut stack = vec![0usize];
        while let Some(n) = stack.pop() {
            for kind in [PointerKind::ThisLevel, PointerKind::NextLevel] {
                let Some(&(m, line)) = self.out.get(&(n, kind)) else {
                    continue;
                };
                if reached[m] {
                    return Err(ParseError::at(
                        line,
                        format!("the pointers form a cycle through grid {}", grids[m].id),
                    ));
                }
                reached[m] = true;
                let (level, parent) = match kind {
                    PointerKind::ThisLevel => (grids[n].level, grids[n].parent),
                    PointerKind::NextLevel => (
                        grids[n]
                            .level
                            .checked_add(1)
                            .ok_or_else(|| ParseError::at(line, "refinement levels overflow"))?,
                        Some(grids[n].id),
                    ),
                };
                grids[m].level = level;
                grids[m].parent = parent;
                stack.push(m);
            }
        }
        Ok(reached)
    }

    /// Why grid `n` was not reached: following the incoming pointers back leads either to a
    /// grid nobody points to or around a cycle.
    fn unreached(&self, grids: &[HierarchyGrid], n: usize) -> ParseError {
        let mut seen = vec![false; grids.len()];
        let mut m = n;
        loop {
            if seen[m] {
                return ParseError::at(
                    grids[m].line,
                    format!(
                        "the pointers form a cycle through grid {} (it is not reached from grid {})",
                        grids[m].id, grids[0].id
                    ),
                );
            }
            seen[m] = true;
            match self.incoming[m] {
                Some((from, _)) => m = from,
                None => {
                    return ParseError::at(
                        grids[m].line,
                        format!(
                            "no Pointer line leads to grid {}: its level and parent are unknown",
                            grids[m].id
                        ),
                    )
                }
            }
        }
    }
}
