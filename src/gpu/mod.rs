//! Everything that touches wgpu: the device, the ray caster and offscreen targets.

pub mod brick_pool;
pub mod context;
pub mod display;
mod frame;
mod lists;
pub mod offscreen;
pub mod passes;
mod raycast_pipeline;
pub mod raycaster;
pub mod sampling_bench;
#[cfg(test)]
mod shader_contract;
pub mod surface;

pub use brick_pool::{default_gpu_memory, parse_bytes, MemoryBudget, DEFAULT_HOST_MEMORY};
pub use context::GpuContext;
pub use display::{DisplayPass, DisplaySettings};
pub use frame::FrameAllocations;
pub use offscreen::{render_image, OffscreenTarget};
pub use passes::PassReport;
pub use raycaster::{RenderTarget, VolumeRenderer};
