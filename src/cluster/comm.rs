//! The MPI side of rendering with several processes: starting MPI when a launcher started this
//! process, status exchanges that turn one rank's failure into the same error on every rank,
//! the statistics every rank needs, and the exchange of image parts that
//! [`super::schedule`] plans.
//!
//! A rank that fails reports its error at the next status exchange ([`Cluster::checkpoint`]),
//! where every rank learns it and stops with it. A rank that dies makes the launcher end the
//! job. A rank that hangs is caught by a watchdog: a rank that waits for the others longer than
//! `AMRCAST_MPI_TIMEOUT` seconds (default 1800) prints why and exits, which ends the job.

use super::schedule::Schedule;
use crate::amr::FieldStats;
use crate::composite::composite_pixels_behind;
use crate::error::{Error, Result};
use crate::render::{FloatImage, Mode};
use mpi::point_to_point::send_receive_into;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bytes of one rank's status in an exchange (a flag and the start of its error message).
const STATUS_BYTES: usize = 2048;

/// Environment variables that MPI launchers (mpirun and mpiexec of OpenMPI and MPICH, Slurm's
/// srun with PMI or PMIx) set in the processes they start.
const LAUNCHER_VARS: [&str; 5] = [
    "OMPI_COMM_WORLD_SIZE",
    "PMI_SIZE",
    "PMI_RANK",
    "PMIX_RANK",
    "MPI_LOCALNRANKS",
];

/// Whether a launcher started this process; `AMRCAST_MPI=0` or `1` overrides the guess.
pub fn launched() -> bool {
    match std::env::var("AMRCAST_MPI").as_deref() {
        Ok("0") => false,
        Ok("1") => true,
        _ => LAUNCHER_VARS.iter().any(|v| std::env::var_os(v).is_some()),
    }
}

/// This process's place among the ranks of one render.
pub struct Cluster {
    world: SimpleCommunicator,
    watchdog: Arc<Watchdog>,
    // Dropped last: finalizes MPI.
    _universe: mpi::environment::Universe,
}

/// What one compositing exchange cost this rank.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExchangeReport {
    pub rounds: usize,
    /// Bytes this rank sent to other ranks in the rounds.
    pub bytes_sent: u64,
    /// Bytes of its finished part this rank then sent to rank 0 (which writes the image).
    pub bytes_gathered: u64,
}

impl Cluster {
    /// Starts MPI when a launcher started this process (`None` otherwise: one process).
    pub fn init() -> Option<Cluster> {
        if !launched() {
            return None;
        }
        let universe = mpi::initialize()?;
        let world = universe.world();
        let timeout = std::env::var("AMRCAST_MPI_TIMEOUT")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|t| *t > 0.0)
            .unwrap_or(1800.0);
        let watchdog = Watchdog::start(
            world.rank() as usize,
            world.size() as usize,
            Duration::from_secs_f64(timeout),
        );
        Some(Cluster {
            world,
            watchdog,
            _universe: universe,
        })
    }

    pub fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    pub fn size(&self) -> usize {
        self.world.size() as usize
    }

    /// Runs `work` on every rank when a launcher started more than one, then
    /// [`Cluster::finish`]es it; `None` when there is no launcher or one rank (the caller runs
    /// the command alone).
    pub fn run_if_launched(work: impl FnOnce(&Cluster) -> Result<()>) -> Option<()> {
        let cluster = Cluster::init()?;
        if cluster.size() < 2 {
            return None;
        }
        let result = work(&cluster);
        cluster.finish(result);
        Some(())
    }

    /// Ends a command that every rank ran: on an error (the same on every rank: a
    /// checkpoint's) rank 0 prints it, then the ranks wait for each other, finalize MPI and
    /// exit with status 1, so that the one message is out before the launcher ends the job.
    pub fn finish(self, result: Result<()>) {
        let Err(e) = result else {
            return;
        };
        if self.rank() == 0 {
            eprintln!("amrcast: error: {e}");
        }
        self.waiting("finishing", || self.world.barrier());
        drop(self);
        std::process::exit(1);
    }

    /// Runs `f`, a wait for the other ranks, under the watchdog.
    fn waiting<T>(&self, what: &'static str, f: impl FnOnce() -> T) -> T {
        self.watchdog.arm(what);
        let out = f();
        self.watchdog.disarm();
        out
    }

    /// Exchanges every rank's status: `Ok` on every rank when all succeeded, else on every
    /// rank the error of the first rank that failed, naming it (and the others that failed).
    pub fn checkpoint<T>(&self, result: Result<T>) -> Result<T> {
        let n = self.size();
        let mut mine = vec![0u8; STATUS_BYTES];
        if let Err(e) = &result {
            mine[0] = 1;
            let text = e.to_string();
            let mut end = text.len().min(STATUS_BYTES - 1);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            mine[1..1 + end].copy_from_slice(&text.as_bytes()[..end]);
        }
        let mut all = vec![0u8; STATUS_BYTES * n];
        self.waiting("exchanging status", || {
            self.world.all_gather_into(&mine[..], &mut all[..])
        });
        let failed: Vec<(usize, String)> = all
            .chunks_exact(STATUS_BYTES)
            .enumerate()
            .filter(|(_, s)| s[0] == 1)
            .map(|(r, s)| {
                let text = &s[1..];
                let len = text.iter().position(|&b| b == 0).unwrap_or(text.len());
                (r, String::from_utf8_lossy(&text[..len]).into_owned())
            })
            .collect();
        let Some((rank, cause)) = failed.first().cloned() else {
            return result;
        };
        let others: Vec<String> = failed[1..].iter().map(|(r, _)| r.to_string()).collect();
        let cause = match others.len() {
            0 => cause,
            _ => format!("{cause} (ranks {} failed too)", others.join(", ")),
        };
        Err(Error::Rank {
            rank,
            ranks: n,
            cause,
        })
    }

    /// Rank 0's `list` on every rank (the others' `list` is ignored).
    pub fn broadcast_list(&self, list: Vec<usize>) -> Vec<usize> {
        let data: Vec<u64> = list.iter().map(|&v| v as u64).collect();
        self.broadcast(data)
            .into_iter()
            .map(|v| v as usize)
            .collect()
    }

    /// Rank 0's `bytes` on every rank (the others' `bytes` are ignored).
    pub fn broadcast_bytes(&self, bytes: Vec<u8>) -> Vec<u8> {
        self.broadcast(bytes)
    }

    fn broadcast<T: Equivalence + Copy + Default>(&self, data: Vec<T>) -> Vec<T> {
        let root = self.world.process_at_rank(0);
        let mut len = data.len() as u64;
        self.waiting("receiving rank 0's data", || root.broadcast_into(&mut len));
        let mut data = match self.rank() {
            0 => data,
            _ => vec![T::default(); len as usize],
        };
        self.waiting("receiving rank 0's data", || {
            root.broadcast_into(&mut data[..])
        });
        data
    }

    /// Every rank's `mine` (one length on all), rank after rank.
    pub fn all_gather_f64(&self, mine: &[f64]) -> Vec<f64> {
        let mut all = vec![0f64; mine.len() * self.size()];
        self.waiting("gathering figures", || {
            self.world.all_gather_into(mine, &mut all[..])
        });
        all
    }

    /// The statistics of the whole field from every rank's share.
    pub fn all_stats(&self, mine: &FieldStats) -> FieldStats {
        let pack = [
            mine.min as f64,
            mine.max as f64,
            mine.min_positive as f64,
            mine.non_finite as f64,
            mine.non_positive as f64,
        ];
        let mut all = vec![0f64; 5 * self.size()];
        self.waiting("exchanging statistics", || {
            self.world.all_gather_into(&pack[..], &mut all[..])
        });
        let parts: Vec<FieldStats> = all
            .chunks_exact(5)
            .map(|p| FieldStats {
                min: p[0] as f32,
                max: p[1] as f32,
                min_positive: p[2] as f32,
                non_finite: p[3] as usize,
                non_positive: p[4] as usize,
            })
            .collect();
        super::piece_field::merge_stats(&parts)
    }

    /// Composites every rank's `image` (one size and mode on all) in the front-to-back order
    /// `order` (ranks) with [`Schedule`]'s rounds; rank 0 gathers the finished parts and gets
    /// the image, the others `None`.
    pub fn composite(
        &self,
        image: FloatImage,
        order: &[usize],
    ) -> Result<(Option<FloatImage>, ExchangeReport)> {
        let me = self.rank();
        let position = order
            .iter()
            .position(|&r| r == me)
            .ok_or_else(|| Error::Settings(format!("rank {me} is missing from the order")))?;
        let schedule = Schedule::new(self.size());
        let (mode, n, width, height) = (image.mode, image.pixels.len(), image.width, image.height);
        let mut px = image.pixels;
        let mut report = ExchangeReport::default();
        let rank_of = |p: usize| self.world.process_at_rank(order[p] as i32);
        self.watchdog.arm("compositing");
        for round in schedule.rounds(position, n) {
            let k = round.members.len();
            let mine = round.parts[round.me].clone();
            let mut received: Vec<Vec<[f32; 4]>> = vec![Vec::new(); k];
            for j in 1..k {
                let (to, from) = ((round.me + j) % k, (round.me + k - j) % k);
                let send = pack(mode, &px[round.parts[to].clone()]);
                let mut buf = vec![0f32; channels(mode) * mine.len()];
                send_receive_into(
                    &send[..],
                    &rank_of(round.members[to]),
                    &mut buf[..],
                    &rank_of(round.members[from]),
                );
                report.bytes_sent += 4 * send.len() as u64;
                received[from] = unpack(mode, &buf);
            }
            let mut acc = match round.me {
                0 => px[mine.clone()].to_vec(),
                _ => std::mem::take(&mut received[0]),
            };
            for (m, part) in received.iter().enumerate().skip(1) {
                let part = if m == round.me {
                    &px[mine.clone()]
                } else {
                    part
                };
                composite_pixels_behind(mode, &mut acc, part);
            }
            px[mine].copy_from_slice(&acc);
            report.rounds += 1;
        }
        let done = schedule.final_part(position, n);
        let out = if me == 0 {
            for (p, &rank) in order.iter().enumerate().filter(|(p, _)| *p != position) {
                let part = schedule.final_part(p, n);
                let mut buf = vec![0f32; channels(mode) * part.len()];
                self.world
                    .process_at_rank(rank as i32)
                    .receive_into(&mut buf[..]);
                px[part].copy_from_slice(&unpack(mode, &buf));
            }
            Some(FloatImage {
                width,
                height,
                mode,
                pixels: px,
            })
        } else {
            let send = pack(mode, &px[done]);
            self.world.process_at_rank(0).send(&send[..]);
            report.bytes_gathered = 4 * send.len() as u64;
            None
        };
        self.watchdog.disarm();
        Ok((out, report))
    }
}

/// Channels of a pixel that carry something: composite RGBA, MIP the maximum and whether
/// there is one, projection the integral.
fn channels(mode: Mode) -> usize {
    match mode {
        Mode::Composite => 4,
        Mode::Mip => 2,
        Mode::Projection => 1,
    }
}

/// The channels of `pixels` that carry something, pixel after pixel: what ranks exchange.
fn pack(mode: Mode, pixels: &[[f32; 4]]) -> Vec<f32> {
    let c = channels(mode);
    pixels.iter().flat_map(|p| p[..c].iter().copied()).collect()
}

/// Pixels from [`pack`]'s channels (the others zero, as the renderer leaves them).
fn unpack(mode: Mode, data: &[f32]) -> Vec<[f32; 4]> {
    let c = channels(mode);
    data.chunks_exact(c)
        .map(|v| {
            let mut p = [0.0; 4];
            p[..c].copy_from_slice(v);
            p
        })
        .collect()
}

/// Ends the process when a rank waits for the others too long: a rank that hung (or died
/// where the launcher does not notice) must not leave the others waiting for ever.
struct Watchdog {
    /// What is being waited for and since when.
    waiting: Mutex<Option<(&'static str, Instant)>>,
    timeout: Duration,
}

impl Watchdog {
    fn start(rank: usize, ranks: usize, timeout: Duration) -> Arc<Watchdog> {
        let dog = Arc::new(Watchdog {
            waiting: Mutex::new(None),
            timeout,
        });
        let watched = Arc::downgrade(&dog);
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(200));
            let Some(dog) = watched.upgrade() else {
                return;
            };
            let state = *dog.waiting.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((what, since)) = state {
                if since.elapsed() > dog.timeout {
                    eprintln!(
                        "amrcast: error: rank {rank} of {ranks}: {} s {what} without an answer from every rank (one hung or died; AMRCAST_MPI_TIMEOUT sets the limit)",
                        dog.timeout.as_secs_f64()
                    );
                    std::process::exit(1);
                }
            }
        });
        dog
    }

    fn arm(&self, what: &'static str) {
        *self.waiting.lock().unwrap_or_else(|e| e.into_inner()) = Some((what, Instant::now()));
    }

    fn disarm(&self) {
        *self.waiting.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
