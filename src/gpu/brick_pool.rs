//! The brick pool on the GPU: one `R32Float` 3D texture of equal slots ([`SlotPool`]), the
//! bricks loaded into it from a [`FieldSource`], and what loading taught about each leaf (the
//! range of encoded values it can sample, for empty-space skipping).
//!
//! The pool's size is a memory budget ([`MemoryBudget::gpu`], `--gpu-memory`). When every
//! brick fits, all are loaded once and renders are one pass; otherwise a render loads the
//! bricks of one pass at a time (src/gpu/passes.rs), evicting those used least recently.

use crate::amr::FieldSource;
use crate::bricks::{BrickLayout, SlotPool};
use crate::error::{Error, Result};
use crate::gpu::context::GpuContext;
use crate::transfer::Scale;

/// Bytes of queued uploads after which loading waits for the GPU to take them, so that the
/// staging copies do not pile up in host memory.
const FLUSH_BYTES: u64 = 64 << 20;

/// Memory limits of a render, in bytes; `None` takes the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryBudget {
    /// GPU memory for the brick pool (`--gpu-memory`). Default: [`default_gpu_memory`].
    pub gpu: Option<u64>,
    /// Host memory for the grids read from the files (`--host-memory`). Default:
    /// [`DEFAULT_HOST_MEMORY`].
    pub host: Option<u64>,
}

/// The default host budget for grids read from the files: 512 MiB, which fits a laptop.
pub const DEFAULT_HOST_MEMORY: u64 = 512 << 20;

/// The default GPU budget for the brick pool: a quarter of the host's memory on a CPU adapter
/// (lavapipe, llvmpipe: its "GPU memory" is host memory), 4 GiB on any other (wgpu does not
/// report how much memory a GPU has; most GPUs that render AMR data have more).
pub fn default_gpu_memory(ctx: &GpuContext) -> u64 {
    if ctx.adapter.get_info().device_type == wgpu::DeviceType::Cpu {
        host_memory_bytes().map_or(1 << 30, |m| m / 4)
    } else {
        4 << 30
    }
}

/// Total physical memory of this machine, where the system says.
fn host_memory_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Parses a size such as `512MiB`, `2GiB`, `300MB`, `1.5G` or `1048576` (bytes).
pub fn parse_bytes(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a size (e.g. 512MiB, 2GiB, 300MB)"))?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kib" => 1024.0,
        "kb" => 1e3,
        "m" | "mib" => 1024.0 * 1024.0,
        "mb" => 1e6,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "gb" => 1e9,
        "t" | "tib" => 1024f64.powi(4),
        "tb" => 1e12,
        other => {
            return Err(format!(
                "unknown size unit '{other}' in '{text}' (use KiB, MiB, GiB, KB, MB, GB)"
            ))
        }
    };
    let bytes = value * scale;
    if !(1.0..1e18).contains(&bytes) {
        return Err(format!("size '{text}' must be at least one byte"));
    }
    Ok(bytes as u64)
}

/// The pool texture, its page table, and the leaves' value ranges.
pub(crate) struct BrickPool {
    pub slots: SlotPool,
    texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    /// Per leaf: the smallest and largest valid encoded value it can sample, `[-inf, +inf]`
    /// until its brick has been loaded once (so it counts as visible).
    pub leaf_ranges: Vec<[f32; 2]>,
    brick_leaves: Vec<Vec<u32>>,
    /// Bricks loaded so far (loads after evictions count again).
    pub loads: u64,
}

impl BrickPool {
    /// An empty pool for `layout`'s bricks within `gpu_bytes`, of at most `most` slots.
    pub fn new(
        ctx: &GpuContext,
        layout: &BrickLayout,
        gpu_bytes: u64,
        most: usize,
    ) -> Result<BrickPool> {
        let slot_dims = layout.slot_dims();
        let slot_bytes = 4 * slot_dims.iter().map(|&d| d as u64).product::<u64>();
        let max_slots = (gpu_bytes / slot_bytes) as usize;
        if max_slots == 0 {
            return Err(Error::Settings(format!(
                "a GPU memory budget of {gpu_bytes} bytes holds no brick (one takes {slot_bytes})"
            )));
        }
        let max_dim = ctx.device.limits().max_texture_dimension_3d;
        let max_slots = max_slots.min(most.max(1));
        let slots = SlotPool::new(slot_dims, layout.bricks.len(), max_slots, max_dim)?;
        let [w, h, d] = slots.texture_dims();
        let texture = ctx.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("brick pool"),
            size: wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: d,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D3,
            format: wgpu::TextureFormat::R32Float,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        Ok(BrickPool {
            slots,
            view: texture.create_view(&Default::default()),
            texture,
            leaf_ranges: vec![[f32::NEG_INFINITY, f32::INFINITY]; layout.leaves.len()],
            brick_leaves: layout.brick_leaves(),
            loads: 0,
        })
    }

    /// Makes `bricks` resident, reading and uploading those that are not; returns how many
    /// were loaded.
    pub fn load(
        &mut self,
        ctx: &GpuContext,
        layout: &BrickLayout,
        source: &dyn FieldSource,
        bricks: &[usize],
        scale: Scale,
    ) -> Result<usize> {
        let mut loads = self.slots.make_resident(bricks)?;
        // By grid, then position: the grids a brick reads are then still in the cache.
        loads.sort_by_key(|&(b, _)| {
            let br = &layout.bricks[b];
            (br.grid, br.start[2], br.start[1], br.start[0])
        });
        let slot_of: std::collections::HashMap<usize, u32> = loads.iter().copied().collect();
        let order: Vec<usize> = loads.iter().map(|l| l.0).collect();
        let mut queued = 0u64;
        let threads = crate::bricks::fill_threads();
        let result = layout.fill_bricks(source, &order, scale, threads, |b, values| {
            self.upload(ctx, layout, b, slot_of[&b], values);
            for &leaf in &self.brick_leaves[b] {
                self.leaf_ranges[leaf as usize] = layout.leaf_range(leaf as usize, values);
            }
            queued += 4 * values.len() as u64;
            if queued >= FLUSH_BYTES {
                queued = 0;
                ctx.queue.submit([]);
                ctx.wait()?;
            }
            Ok(())
        });
        if let Err(e) = result {
            // The page table must not claim bricks whose values never arrived.
            self.slots.clear();
            return Err(e);
        }
        self.loads += order.len() as u64;
        Ok(order.len())
    }

    fn upload(&self, ctx: &GpuContext, layout: &BrickLayout, b: usize, slot: u32, values: &[f32]) {
        let [sx, sy, sz] = layout.bricks[b].stored();
        let [x, y, z] = self.slots.origin(slot);
        ctx.queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &self.texture,
                mip_level: 0,
                origin: wgpu::Origin3d { x, y, z },
                aspect: wgpu::TextureAspect::All,
            },
            bytemuck::cast_slice(values),
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(sx * 4),
                rows_per_image: Some(sy),
            },
            wgpu::Extent3d {
                width: sx,
                height: sy,
                depth_or_array_layers: sz,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

    #[test]
    fn sizes_parse_with_binary_and_decimal_units() {
        assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
        assert_eq!(parse_bytes("300MB"), Ok(300_000_000));
        assert_eq!(parse_bytes("1.5G"), Ok(3 << 29));
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes(" 64 KiB "), Ok(65536));
        for bad in ["", "MiB", "12 parsecs", "-5MiB", "0", "1e3MB"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
    }
}
