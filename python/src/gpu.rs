//! One GPU device per process: every scene renders on the context opened first (the adapter
//! the environment selects: `WGPU_BACKEND`, `WGPU_ADAPTER_NAME`, as for the command line).

use amrcast::gpu::GpuContext;
use std::sync::Mutex;

static GPU: Mutex<Option<GpuContext>> = Mutex::new(None);

/// The process's GPU context (a clone sharing the device), opened on first use; a failure is
/// not kept, so a later call tries again.
pub fn gpu() -> amrcast::Result<GpuContext> {
    let mut slot = GPU.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(ctx) = slot.as_ref() {
        return Ok(ctx.clone());
    }
    let ctx = GpuContext::new()?;
    *slot = Some(ctx.clone());
    Ok(ctx)
}

/// The adapter's description ("name (backend)"), opening the device if needed.
pub fn describe() -> amrcast::Result<String> {
    Ok(gpu()?.describe())
}
