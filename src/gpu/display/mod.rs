//! The display pass: fullscreen-triangle render pipelines that draw a region of the ray
//! caster's `Rgba32Float` image onto a colour target (a window surface or an offscreen RGBA8
//! texture). A first pass converts the region's values to colours exactly as
//! [`FloatImage::to_rgba8`] does, into an RGBA8 texture of the region's size; a second one
//! stretches that texture over the viewport with bilinear filtering. On a CPU adapter this is
//! much cheaper than converting four texels per screen pixel when a small interactive image
//! fills a large window (lavapipe, 1024x768: about 90 ms per frame before, 35 ms after).
//!
//! [`FloatImage::to_rgba8`]: crate::render::FloatImage::to_rgba8

use crate::gpu::context::GpuContext;
use crate::stereo::Anaglyph;
use crate::transfer::{Colormap, Scale};
use wgpu::util::DeviceExt;

mod passes;
mod readback;

pub use passes::{clearing_pass, fragment_texture, screen_pipeline};
pub use readback::{display_pair_to_rgba8, display_to_rgba8};

/// The WGSL source of the display pass.
pub const DISPLAY_WGSL: &str = include_str!("../../../shaders/display.wgsl");
/// Samples of the colormap in its lookup texture.
pub const COLORMAP_SAMPLES: u32 = 1024;

/// The display pass's uniform block.
///
/// Keep in sync with `struct Params` in shaders/display.wgsl: same members, order, offsets
/// and size (checked by the tests of src/gpu/shader_contract.rs).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Params {
    pub src_offset: [f32; 2],
    pub src_size: [f32; 2],
    pub dst_offset: [f32; 2],
    pub dst_size: [f32; 2],
    pub src2_offset: [f32; 2],
    pub lo: f32,
    pub hi: f32,
    pub inv_depth: f32,
    pub mode: u32,
    pub log_scale: u32,
    pub srgb_target: u32,
    pub anaglyph: u32,
    pub _pad0: u32,
    pub _pad1: u32,
    pub _pad2: u32,
}

pub use crate::render::DisplaySettings;

/// A rectangle in pixels or texels: offset and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub offset: [u32; 2],
    pub size: [u32; 2],
}

/// One view drawn by [`DisplayPass::draw_items`]: region `src` of `image` into viewport `dst`;
/// with `anaglyph`, the right eye's region of the same size at the given offset, combined
/// red-cyan with the left eye at `src`.
#[derive(Clone, Copy)]
pub struct DisplayItem<'a> {
    pub image: &'a wgpu::TextureView,
    pub src: Rect,
    pub dst: Rect,
    pub anaglyph: Option<([u32; 2], Anaglyph)>,
}

/// The pipelines for one colour-target format, the colormap texture and the colour textures
/// of the items last drawn.
pub struct DisplayPass {
    format: wgpu::TextureFormat,
    layout: wgpu::BindGroupLayout,
    convert: wgpu::RenderPipeline,
    upscale_layout: wgpu::BindGroupLayout,
    upscale: wgpu::RenderPipeline,
    sampler: wgpu::Sampler,
    colormap: Option<(Colormap, wgpu::TextureView)>,
    /// Per item: its converted colours, at the size of its source region.
    colours: Vec<([u32; 2], wgpu::TextureView)>,
    /// What `colours` were converted from, when the caller gave an image version.
    converted: Option<Converted>,
}

/// An item's source region and anaglyph pairing.
type ItemSource = (Rect, Option<([u32; 2], Anaglyph)>);

/// The inputs of a conversion: the caller's image version, the items' regions and settings.
#[derive(Clone, Debug, PartialEq)]
struct Converted {
    version: u64,
    items: Vec<ItemSource>,
    settings: DisplaySettings,
}

/// Items ready to draw: bind groups of the second step and their viewports.
pub struct PreparedItems(Vec<(wgpu::BindGroup, Rect)>);

/// Format of the converted colours for a target of `format`: sRGB-encoded bytes either way,
/// decoded by the sampler for sRGB targets, which encode them again.
fn colour_format(format: wgpu::TextureFormat) -> wgpu::TextureFormat {
    if format.is_srgb() {
        wgpu::TextureFormat::Rgba8UnormSrgb
    } else {
        wgpu::TextureFormat::Rgba8Unorm
    }
}

impl DisplayPass {
    /// A display pass that draws onto targets of `format`.
    pub fn new(ctx: &GpuContext, format: wgpu::TextureFormat) -> Self {
        let device = &ctx.device;
        let params_entry = wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("display"),
            entries: &[
                params_entry,
                fragment_texture(1, false),
                fragment_texture(2, false),
            ],
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("display.wgsl"),
            source: wgpu::ShaderSource::Wgsl(DISPLAY_WGSL.into()),
        });
        let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("display"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let upscale_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("display upscale"),
            entries: &[
                params_entry,
                fragment_texture(3, true),
                wgpu::BindGroupLayoutEntry {
                    binding: 4,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
            ],
        });
        let upscale_pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("display upscale"),
            bind_group_layouts: &[Some(&upscale_layout)],
            immediate_size: 0,
        });
        let pipeline = |label, layout, entry, format| {
            screen_pipeline(device, label, layout, &module, entry, format, None)
        };
        let convert = pipeline("display convert", &pl, "fs_convert", colour_format(format));
        let upscale = pipeline("display upscale", &upscale_pl, "fs_upscale", format);
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("display colours"),
            address_mode_u: wgpu::AddressMode::ClampToEdge,
            address_mode_v: wgpu::AddressMode::ClampToEdge,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        DisplayPass {
            format,
            layout,
            convert,
            upscale_layout,
            upscale,
            sampler,
            colormap: None,
            colours: Vec::new(),
            converted: None,
        }
    }

    pub fn format(&self) -> wgpu::TextureFormat {
        self.format
    }

    fn colormap_view(&mut self, ctx: &GpuContext, cmap: Colormap) -> wgpu::TextureView {
        if let Some((c, view)) = &self.colormap {
            if *c == cmap {
                return view.clone();
            }
        }
        let n = COLORMAP_SAMPLES;
        let texels: Vec<[f32; 4]> = (0..n)
            .map(|i| {
                let c = cmap.eval(i as f64 / (n - 1) as f64);
                [c[0], c[1], c[2], 1.0]
            })
            .collect();
        let texture = ctx.device.create_texture_with_data(
            &ctx.queue,
            &wgpu::TextureDescriptor {
                label: Some("colormap"),
                size: wgpu::Extent3d {
                    width: n,
                    height: 1,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::Rgba32Float,
                usage: wgpu::TextureUsages::TEXTURE_BINDING,
                view_formats: &[],
            },
            wgpu::util::TextureDataOrder::LayerMajor,
            bytemuck::cast_slice(&texels),
        );
        let view = texture.create_view(&Default::default());
        self.colormap = Some((cmap, view.clone()));
        view
    }

    /// Records a render pass that clears `target` to black and draws region `src` of `image`
    /// (an `Rgba32Float` texture with `TEXTURE_BINDING`) into viewport `dst` of it.
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        &mut self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        image: &wgpu::TextureView,
        src: Rect,
        settings: &DisplaySettings,
        target: &wgpu::TextureView,
        dst: Rect,
    ) {
        self.draw_views(ctx, encoder, target, &[(image, src, dst)], settings);
    }

    /// Records a render pass that clears `target` to black and draws each `(image, src, dst)`:
    /// several views of one frame (side-by-side stereo, for instance) in one pass.
    pub fn draw_views(
        &mut self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        target: &wgpu::TextureView,
        views: &[(&wgpu::TextureView, Rect, Rect)],
        settings: &DisplaySettings,
    ) {
        let items: Vec<DisplayItem> = views
            .iter()
            .map(|&(image, src, dst)| DisplayItem {
                image,
                src,
                dst,
                anaglyph: None,
            })
            .collect();
        self.draw_items(ctx, encoder, target, &items, settings);
    }

    /// Records a render pass that clears `target` to black and draws each item (views, or
    /// anaglyph pairs).
    pub fn draw_items(
        &mut self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        target: &wgpu::TextureView,
        items: &[DisplayItem],
        settings: &DisplaySettings,
    ) {
        let prepared = self.prepare(ctx, encoder, items, settings, None);
        let mut pass = clearing_pass(encoder, "display", target);
        self.record(&mut pass, &prepared);
    }

    /// Records the first step for each item (its colours at its own size) into `encoder`;
    /// [`DisplayPass::record`] then draws them in a render pass.
    ///
    /// `image_version` is a number the caller changes whenever the images' contents change
    /// (`None`: unknown). With the same version, items and settings as the last call, the
    /// colours converted then are drawn again without converting: a window redrawn for its
    /// panel alone costs no conversion.
    pub fn prepare(
        &mut self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        items: &[DisplayItem],
        settings: &DisplaySettings,
        image_version: Option<u64>,
    ) -> PreparedItems {
        let cmap = self.colormap_view(ctx, settings.colormap);
        let items: Vec<&DisplayItem> = items
            .iter()
            .filter(|it| {
                let (src, dst) = (it.src, it.dst);
                src.size[0] > 0 && src.size[1] > 0 && dst.size[0] > 0 && dst.size[1] > 0
            })
            .collect();
        let inputs = image_version.map(|version| Converted {
            version,
            items: items.iter().map(|it| (it.src, it.anaglyph)).collect(),
            settings: *settings,
        });
        let reuse = inputs.is_some() && inputs == self.converted;
        self.converted = inputs;
        self.size_colour_textures(ctx, &items);
        // Step 1: each region's colours at its own size.
        for (it, (_, colours)) in items.iter().zip(&self.colours).filter(|_| !reuse) {
            self.convert(ctx, encoder, it, settings, &cmap, colours);
        }
        // Step 2: stretched over the viewports.
        let binds = items
            .iter()
            .zip(&self.colours)
            .map(|(it, (_, colours))| (self.upscale_bind_group(ctx, it, settings, colours), it.dst))
            .collect();
        PreparedItems(binds)
    }

    /// Keeps one colour texture per item, at the size of the item's source region.
    fn size_colour_textures(&mut self, ctx: &GpuContext, items: &[&DisplayItem]) {
        self.colours.truncate(items.len());
        for (k, it) in items.iter().enumerate() {
            if self
                .colours
                .get(k)
                .is_none_or(|(size, _)| *size != it.src.size)
            {
                let view = colour_texture(ctx, it.src.size, colour_format(self.format));
                if k < self.colours.len() {
                    self.colours[k] = (it.src.size, view);
                } else {
                    self.colours.push((it.src.size, view));
                }
            }
        }
    }

    /// Step 1 for one item: its source region's colours into `colours`, at their own size.
    fn convert(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        it: &DisplayItem,
        settings: &DisplaySettings,
        cmap: &wgpu::TextureView,
        colours: &wgpu::TextureView,
    ) {
        let at_own_size = Rect {
            offset: [0, 0],
            size: it.src.size,
        };
        let params = params_buffer(ctx, &self.params(it, settings, at_own_size));
        let bind = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("display convert"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(it.image),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::TextureView(cmap),
                },
            ],
        });
        let mut pass = clearing_pass(encoder, "display convert", colours);
        pass.set_pipeline(&self.convert);
        pass.set_bind_group(0, &bind, &[]);
        pass.draw(0..3, 0..1);
    }

    /// Step 2's bind group for one item: its converted `colours` stretched over its viewport.
    fn upscale_bind_group(
        &self,
        ctx: &GpuContext,
        it: &DisplayItem,
        settings: &DisplaySettings,
        colours: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        let params = params_buffer(ctx, &self.params(it, settings, it.dst));
        ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("display upscale"),
            layout: &self.upscale_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::TextureView(colours),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
            ],
        })
    }

    /// Draws items prepared by [`DisplayPass::prepare`] into `pass`, whose target has this
    /// pass's format: for drawing more (the viewer's panel) in the same render pass.
    pub fn record(&self, pass: &mut wgpu::RenderPass<'_>, prepared: &PreparedItems) {
        pass.set_pipeline(&self.upscale);
        for (bind, dst) in &prepared.0 {
            pass.set_viewport(
                dst.offset[0] as f32,
                dst.offset[1] as f32,
                dst.size[0] as f32,
                dst.size[1] as f32,
                0.0,
                1.0,
            );
            pass.set_bind_group(0, bind, &[]);
            pass.draw(0..3, 0..1);
        }
    }

    /// The shader's parameters for drawing `item` into viewport `dst`.
    fn params(&self, item: &DisplayItem, settings: &DisplaySettings, dst: Rect) -> Params {
        let (src2, anaglyph) = match item.anaglyph {
            None => ([0; 2], 0),
            Some((o, Anaglyph::Plain)) => (o, 1),
            Some((o, Anaglyph::Dubois)) => (o, 2),
        };
        let (lo, hi) = settings.bounds;
        Params {
            src_offset: item.src.offset.map(|v| v as f32),
            src_size: item.src.size.map(|v| v as f32),
            dst_offset: dst.offset.map(|v| v as f32),
            dst_size: dst.size.map(|v| v as f32),
            src2_offset: src2.map(|v| v as f32),
            lo,
            hi,
            inv_depth: (1.0 / settings.depth) as f32,
            mode: settings.mode.index(),
            log_scale: (settings.scale == Scale::Log) as u32,
            srgb_target: self.format.is_srgb() as u32,
            anaglyph,
            _pad0: 0,
            _pad1: 0,
            _pad2: 0,
        }
    }
}

/// A uniform buffer holding the display shader's `params`.
fn params_buffer(ctx: &GpuContext, params: &Params) -> wgpu::Buffer {
    ctx.device
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("display params"),
            contents: bytemuck::bytes_of(params),
            usage: wgpu::BufferUsages::UNIFORM,
        })
}

/// A texture for converted colours, drawn into and then sampled.
fn colour_texture(
    ctx: &GpuContext,
    size: [u32; 2],
    format: wgpu::TextureFormat,
) -> wgpu::TextureView {
    ctx.texture_2d(
        "display colours",
        size,
        format,
        wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
    )
    .create_view(&Default::default())
}
