//! Splitting one render into passes when the bricks it needs do not all fit the pool.
//!
//! The leaves a render visits, in front-to-back order, are cut into consecutive runs whose
//! bricks fit the pool at once. Each pass samples its run's leaves and carries every pixel's
//! accumulated state to the next (see `prior` in shaders/raycast.wgsl and src/composite.rs), so
//! the passes together take the same samples in the same order as one unbounded pass.

use std::ops::Range;

/// Consecutive runs of `order` (leaves) each needing at most `capacity` distinct bricks
/// (`brick_of` a leaf). Every run holds at least one leaf; a single leaf always fits (it has
/// one brick).
pub fn split_passes(
    order: &[u32],
    brick_of: impl Fn(u32) -> usize,
    capacity: usize,
) -> Vec<Range<usize>> {
    let capacity = capacity.max(1);
    let mut passes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut start = 0;
    for (i, &leaf) in order.iter().enumerate() {
        let b = brick_of(leaf);
        if !seen.contains(&b) && seen.len() == capacity {
            passes.push(start..i);
            start = i;
            seen.clear();
        }
        seen.insert(b);
    }
    if start < order.len() {
        passes.push(start..order.len());
    }
    passes
}

/// The distinct bricks of the leaves `run`, in the order they are first met.
pub fn bricks_of(run: &[u32], brick_of: impl Fn(u32) -> usize) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    run.iter()
        .map(|&l| brick_of(l))
        .filter(|b| seen.insert(*b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_cover_the_order_in_runs_that_fit() {
        // Leaves 0..20, two leaves per brick, visited in a shuffled order.
        let order: Vec<u32> = (0..20).map(|i| (i * 7) % 20).collect();
        let brick = |l: u32| (l / 2) as usize;
        for capacity in 1..12 {
            let passes = split_passes(&order, brick, capacity);
            // Consecutive, covering, non-empty.
            assert_eq!(passes.first().unwrap().start, 0);
            assert_eq!(passes.last().unwrap().end, order.len());
            assert!(passes.windows(2).all(|w| w[0].end == w[1].start));
            assert!(passes.iter().all(|p| !p.is_empty()));
            for p in &passes {
                assert!(bricks_of(&order[p.clone()], brick).len() <= capacity);
            }
            // Greedy: a pass stops only where the next leaf's brick would not fit.
            for w in passes.windows(2) {
                let mut b = bricks_of(&order[w[0].clone()], brick);
                b.push(brick(order[w[1].start]));
                b.sort_unstable();
                b.dedup();
                assert_eq!(b.len(), capacity + 1);
            }
        }
        assert_eq!(split_passes(&order, brick, 10), vec![0..20]);
        assert!(split_passes(&[], brick, 3).is_empty());
    }
}
