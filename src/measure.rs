//! Wall time and peak memory of a child process, as `amrcast bench --synthetic` reports them
//! for the commands it runs: the child is reaped with `wait4`, whose resource usage is the
//! child's own (its peak resident set, `ru_maxrss`).
//!
//! Linux starts a child's peak at its parent's peak when it was started (exec keeps the peak
//! of the memory it replaces, which for a spawned child is the parent's). So the parent's own
//! peak is first reset to its current size (`/proc/self/clear_refs`): the child's figure then
//! counts at most the parent's resident memory at the start ([`ChildUsage::parent_rss`]) that
//! is not its own.

use crate::error::{Error, Result};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

/// How a child ran.
#[derive(Clone, Copy, Debug)]
pub struct ChildUsage {
    pub status: ExitStatus,
    /// From just before it started to its exit.
    pub wall: Duration,
    /// Its peak resident memory (bytes).
    pub peak_rss: u64,
    /// This process's resident memory when the child started (bytes): `peak_rss` is at least
    /// this much whatever the child used.
    pub parent_rss: u64,
}

/// Runs `cmd` to its end (with the standard streams it was given) and measures it.
pub fn run_measured(cmd: &mut Command) -> Result<ChildUsage> {
    let program = cmd.get_program().to_owned();
    // Best effort: without it (old kernels, no /proc) the figure is the larger of the child's
    // peak and this process's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let parent_rss = own_rss();
    let start = Instant::now();
    let child = cmd.spawn().map_err(|e| Error::io(&program, e))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data that `wait4` fills in; zero is a valid value for it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our child, not yet reaped (`child` is never waited on through std);
        // `status` and `usage` are valid for writes.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(Error::io(&program, e));
        }
    }
    let wall = start.elapsed();
    // `child` was reaped above; dropping it neither waits nor kills.
    drop(child);
    Ok(ChildUsage {
        status: ExitStatus::from_raw(status),
        wall,
        // Linux reports kilobytes.
        peak_rss: (usage.ru_maxrss.max(0) as u64) * 1024,
        parent_rss,
    })
}

/// This process's resident memory now (bytes; 0 where /proc does not say).
pub fn own_rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page.max(0) as u64
}

/// This process's own peak resident memory so far (bytes), since it started or since the last
/// [`run_measured`] reset it.
pub fn own_peak_rss() -> u64 {
    // SAFETY: as above; `getrusage` fills in `usage`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a valid pointer.
    let r = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    if r != 0 {
        return 0;
    }
    (usage.ru_maxrss.max(0) as u64) * 1024
}
