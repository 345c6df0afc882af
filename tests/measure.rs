//! `amrcast::measure`: a child's peak memory is the child's, whatever the parent holds.

use amrcast::measure::{own_peak_rss, run_measured, ChildUsage};
use std::process::{Command, Stdio};

const MB: u64 = 1 << 20;
const CHILD: &str = "AMRCAST_MEASURE_CHILD_BYTES";

/// Run as a child by the tests below: allocates and touches the bytes it is told.
#[test]
#[ignore]
fn allocating_child() {
    let Some(n) = std::env::var(CHILD)
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    else {
        return;
    };
    let mut v = vec![0u8; n];
    for (i, b) in v.iter_mut().enumerate().step_by(4096) {
        *b = i as u8;
    }
    std::hint::black_box(&v);
}

fn child(bytes: u64) -> ChildUsage {
    let exe = std::env::current_exe().unwrap();
    let u = run_measured(
        Command::new(exe)
            .args(["--exact", "allocating_child", "--ignored"])
            .env(CHILD, bytes.to_string())
            .stdout(Stdio::null()),
    )
    .unwrap();
    assert!(u.status.success(), "{:?}", u.status);
    u
}

#[test]
fn peak_memory_is_the_childs() {
    let big = child(200 * MB);
    assert!(big.peak_rss >= 200 * MB, "{} MB", big.peak_rss / MB);
    // The parent holding more than the child ever does: the child's figure stays small.
    let mut held = vec![1u8; 300 * MB as usize];
    for b in held.iter_mut().step_by(4096) {
        *b = 2;
    }
    std::hint::black_box(&held);
    drop(held);
    let small = child(MB);
    assert!(
        small.peak_rss < 100 * MB,
        "{} MB (parent: {} MB)",
        small.peak_rss / MB,
        small.parent_rss / MB
    );
    assert!(small.parent_rss > 0 && small.parent_rss < 100 * MB);
    // The parent's own peak was reset to its size when it started the child.
    assert!(own_peak_rss() < 200 * MB, "{}", own_peak_rss() / MB);
}

#[test]
fn exit_status_and_missing_program() {
    let u = run_measured(Command::new("sh").args(["-c", "exit 3"])).unwrap();
    assert_eq!(u.status.code(), Some(3));
    let e = run_measured(&mut Command::new("/nonexistent/amrcast")).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/amrcast"), "{e}");
}
