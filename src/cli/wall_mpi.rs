//! `amrcast wall --offscreen` started by an MPI launcher on several ranks (`--features mpi`):
//! sort-first, each rank renders whole screens from the whole dataset. Screens are dealt round
//! robin (screen `i` to rank `i mod N`); rank 0's head, placement and transfer function are
//! broadcast, so every tile shows one consistent state; rank 0 writes `wall-state.json`, and
//! the ranks finish together. Window mode over ranks is not supported yet.

use super::wall::WallArgs;
use crate::cluster::comm::Cluster;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::session::Session;
use crate::wall::state::WallState;
use std::path::Path;

/// Renders the wall over the ranks when a launcher started more than one; `None` otherwise.
pub fn wall_if_launched(args: &WallArgs) -> Option<anyhow::Result<()>> {
    Cluster::run_if_launched(|cluster| wall_ranks(args, cluster)).map(Ok)
}

fn wall_ranks(args: &WallArgs, cluster: &Cluster) -> Result<()> {
    let Some(dir) = &args.offscreen else {
        return Err(Error::Settings(
            "a wall over several MPI ranks renders with --offscreen DIR only (window mode: one process)".into(),
        ));
    };
    let (rank, ranks) = (cluster.rank(), cluster.size());
    let opened = (|| {
        let wall = crate::wall::open(&args.wall, args.screens.as_deref(), args.head)?;
        let ds = args.data.spec().load()?;
        crate::slice::flat::refuse(&ds.hierarchy, &ds.name, "wall")?;
        let state = wall
            .state(ds.hierarchy.domain_left, ds.hierarchy.domain_right)
            .map_err(|e| Error::format(&args.wall, e))?;
        if rank == 0 && !dir.is_dir() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        Ok((wall, ds, state))
    })();
    let (wall, ds, state) = cluster.checkpoint(opened)?;
    let state = shared_state(cluster, &state)?;
    let made = GpuContext::new().and_then(|ctx| Session::new(ctx, &ds, &args.look.settings()));
    let session = cluster.checkpoint(made)?;
    drop(ds);
    let mine = |i: usize| i % ranks == rank;
    let written =
        crate::wall::offscreen::write_screens(&session, &wall, &state, dir, args.values, mine);
    let written = cluster.checkpoint(written)?;
    log::info!("rank {rank}: {} files", written.len());
    cluster.checkpoint(match rank {
        0 => crate::wall::offscreen::write_state(&state, dir).map(|_| ()),
        _ => Ok(()),
    })?;
    if rank == 0 {
        report(&wall, args.values, dir, ranks);
    }
    Ok(())
}

/// Rank 0's state on every rank (as JSON).
fn shared_state(cluster: &Cluster, state: &WallState) -> Result<WallState> {
    let json =
        serde_json::to_vec(state).map_err(|e| Error::Invalid(format!("the wall's state: {e}")))?;
    let bytes = cluster.broadcast_bytes(json);
    serde_json::from_slice(&bytes).map_err(|e| Error::Invalid(format!("the wall's state: {e}")))
}

fn report(wall: &crate::wall::config::Wall, values: bool, dir: &Path, ranks: usize) {
    let tiles: usize = wall.screens.iter().map(|s| s.eyes.len()).sum();
    let files = tiles * if values { 2 } else { 1 };
    println!(
        "wrote {files} files and wall-state.json to {} ({} screens over {ranks} ranks)",
        dir.display(),
        wall.screens.len()
    );
}
