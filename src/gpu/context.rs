//! The wgpu instance, adapter, device and queue, created from the environment
//! (`WGPU_BACKEND=gl|vulkan`, `WGPU_ADAPTER_NAME`, `WGPU_POWER_PREF`).

use crate::error::{Error, Result};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long to wait for the GPU to finish a submission: software adapters are slow.
pub const GPU_TIMEOUT: Duration = Duration::from_secs(300);

/// A device and what the renderer needs to know about it. Clones share the device (wgpu's
/// handles are reference-counted), so sessions of several datasets can share one adapter.
#[derive(Clone)]
pub struct GpuContext {
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    /// R32Float textures can be sampled with linear filtering.
    pub float32_filterable: bool,
    /// The first error wgpu reported outside an error scope, not yet taken. Without a handler
    /// wgpu panics on such an error; with it the caller turns it into one clear error.
    uncaptured: Arc<Mutex<Option<String>>>,
}

impl GpuContext {
    /// Opens the adapter the environment selects, with the adapter's own limits.
    pub fn new() -> Result<Self> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = pollster::block_on(wgpu::util::initialize_adapter_from_env_or_default(&instance, None))
            .map_err(|e| Error::Gpu(format!("no usable graphics adapter ({e}); install Mesa (llvmpipe) or lavapipe, or set WGPU_BACKEND=gl|vulkan")))?;
        Self::from_adapter(adapter)
    }

    pub fn from_adapter(adapter: wgpu::Adapter) -> Result<Self> {
        // AMRCAST_NO_FLOAT32_FILTER=1 forces the manual-trilinear path (as on GL) for testing.
        let features = if std::env::var_os("AMRCAST_NO_FLOAT32_FILTER").is_some() {
            wgpu::Features::empty()
        } else {
            adapter.features() & wgpu::Features::FLOAT32_FILTERABLE
        };
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("amrcast"),
            required_features: features,
            required_limits: adapter.limits(),
            experimental_features: wgpu::ExperimentalFeatures::disabled(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        }))
        .map_err(|e| {
            Error::Gpu(format!(
                "cannot open the adapter '{}': {e}",
                adapter.get_info().name
            ))
        })?;
        let uncaptured = Arc::new(Mutex::new(None));
        let slot = uncaptured.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            log::error!("GPU error: {e}");
            let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert_with(|| one_line(&e.to_string()));
        }));
        Ok(GpuContext {
            uncaptured,
            float32_filterable: features.contains(wgpu::Features::FLOAT32_FILTERABLE),
            adapter,
            device,
            queue,
        })
    }

    /// A 2D texture of `size` texels, one mip level, one sample.
    pub fn texture_2d(
        &self,
        label: &str,
        size: [u32; 2],
        format: wgpu::TextureFormat,
        usage: wgpu::TextureUsages,
    ) -> wgpu::Texture {
        self.device.create_texture(&wgpu::TextureDescriptor {
            label: Some(label),
            size: wgpu::Extent3d {
                width: size[0],
                height: size[1],
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage,
            view_formats: &[],
        })
    }

    /// "name (backend)" for reports.
    pub fn describe(&self) -> String {
        let i = self.adapter.get_info();
        format!("{} ({:?}, {:?})", i.name, i.backend, i.device_type)
    }

    /// Waits for all submitted work, with a generous timeout; an error when wgpu reported one
    /// since the last check.
    pub fn wait(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: Some(GPU_TIMEOUT),
            })
            .map_err(|e| Error::Gpu(format!("waiting for the GPU failed: {e}")))?;
        self.check()
    }

    /// An error when wgpu reported one outside an error scope since the last check.
    pub fn check(&self) -> Result<()> {
        let mut slot = self.uncaptured.lock().unwrap_or_else(|p| p.into_inner());
        match slot.take() {
            Some(e) => Err(Error::Gpu(e)),
            None => Ok(()),
        }
    }

    /// Runs `f`, turning any validation or out-of-memory error it causes into an `Error`.
    pub fn checked<T>(&self, what: &str, f: impl FnOnce() -> T) -> Result<T> {
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let out = f();
        if let Some(e) = pollster::block_on(oom.pop()) {
            return Err(Error::Gpu(format!("{what}: out of GPU memory: {e}")));
        }
        if let Some(e) = pollster::block_on(validation.pop()) {
            return Err(Error::Gpu(format!("{what}: {e}")));
        }
        Ok(out)
    }
}

/// wgpu's multi-line error report ("Validation Error", "Caused by:", the causes) as one line.
fn one_line(report: &str) -> String {
    report
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "Caused by:")
        .collect::<Vec<_>>()
        .join(": ")
}
