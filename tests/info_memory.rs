//! `amrcast info` holds a few grids at a time, never a whole field: a data source whose grids
//! are computed on demand, and an allocator that tracks the bytes of large allocations alive,
//! so the test measures what `info` keeps, not how long it takes.
//!
//! (One test in this binary: the allocator counts every thread's allocations.)

use amrcast::amr::{AmrField, AmrGrid, AmrHierarchy};
use amrcast::formats::{DataSource, Metadata};
use glam::DVec3;
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Allocations from this size on are counted (a grid below is 1 MiB).
const LARGE: usize = 256 << 10;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let live = LIVE.fetch_add(n, Ordering::SeqCst) + n;
    PEAK.fetch_max(live, Ordering::SeqCst);
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, as the system allocator requires.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && layout.size() >= LARGE {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() && layout.size() >= LARGE {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() >= LARGE {
            LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        }
        // SAFETY: `ptr` came from this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc` and `alloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if layout.size() >= LARGE {
                LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
            }
            if new_size >= LARGE {
                grew(new_size);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// 64 root grids of 64^3 cells (1 MiB of f32 each, 64 MiB a field), values computed when a
/// grid is read: `Density` = 1 + the grid's number + x, `Speed` = its negative.
struct OnDemand {
    meta: Metadata,
    hierarchy: AmrHierarchy,
}

const N: usize = 64;

impl OnDemand {
    fn new() -> Self {
        let mut grids = Vec::new();
        for k in 0..4 {
            for j in 0..4 {
                for i in 0..4 {
                    let left = DVec3::new(i as f64, j as f64, k as f64) / 4.0;
                    grids.push(AmrGrid {
                        id: grids.len() as u64 + 1,
                        level: 0,
                        left,
                        right: left + 0.25,
                        dims: [N; 3],
                    });
                }
            }
        }
        OnDemand {
            meta: Metadata {
                format: "test".into(),
                name: "on-demand".into(),
                ..Metadata::default()
            },
            hierarchy: AmrHierarchy::new(DVec3::ZERO, DVec3::ONE, [4 * N; 3], 2, grids).unwrap(),
        }
    }

    fn grid(&self, name: &str, n: usize) -> Vec<f32> {
        let sign = if name == "Speed" { -1.0 } else { 1.0 };
        (0..N * N * N)
            .map(|c| sign * (1.0 + n as f32 + (c % N) as f32 / N as f32))
            .collect()
    }
}

impl DataSource for OnDemand {
    fn metadata(&self) -> &Metadata {
        &self.meta
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }
    fn field_names(&self) -> Vec<String> {
        vec!["Density".into(), "Speed".into()]
    }
    fn read_field(&self, name: &str) -> amrcast::Result<AmrField> {
        let data = (0..self.hierarchy.grids.len())
            .map(|n| self.grid(name, n))
            .collect();
        Ok(AmrField::new(name, data))
    }
    fn read_grid(&self, name: &str, n: usize) -> amrcast::Result<Vec<f32>> {
        Ok(self.grid(name, n))
    }
}

#[test]
fn info_holds_a_few_grids_not_the_field() {
    let grid_bytes = N * N * N * 4;
    let source = OnDemand::new();
    // The allocator sees a field read whole.
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let whole = source.read_field("Density").unwrap();
    let field_peak = PEAK.load(Ordering::SeqCst) - before;
    assert!(field_peak >= 64 * grid_bytes, "{field_peak}");
    drop(whole);

    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let info = amrcast::info::info_from_source(Path::new("on-demand"), &source).unwrap();
    let peak = PEAK.load(Ordering::SeqCst) - before;
    assert!(
        peak >= grid_bytes && peak <= 4 * grid_bytes,
        "info held {peak} bytes at most; a grid is {grid_bytes}, the field {}",
        64 * grid_bytes
    );

    // And the ranges are the field's.
    assert_eq!(info.total_cells, 64 * N * N * N);
    let d = &info.field_ranges[0];
    assert_eq!(
        (d.name.as_str(), d.min, d.max),
        ("Density", Some(1.0), Some(64.0 + 63.0 / 64.0))
    );
    assert_eq!((d.min_positive, d.non_finite), (Some(1.0), 0));
    let s = &info.field_ranges[1];
    assert_eq!(
        (s.min, s.max, s.min_positive),
        (Some(-64.0 - 63.0 / 64.0), Some(-1.0), None)
    );
}
