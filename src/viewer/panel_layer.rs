//! The panel as a layer: egui draws it into a texture of the window's size only when its
//! triangles change, and every frame copies that texture over the window.
//!
//! On a CPU adapter drawing the panel's few thousand anti-aliased triangles costs about 30 ms
//! per 1024x768 frame (llvmpipe), more than ray casting gets while the view moves, and the
//! panel rarely changes while the user drags the volume. Copying the layer costs one texel
//! fetch per pixel of its content. The result is the same as drawing egui straight into the
//! window: egui blends premultiplied colours, and "over" is associative, so its triangles
//! blended into a transparent layer and the layer blended over the volume give each pixel the
//! same colour.

use crate::gpu::context::GpuContext;
use egui::epaint::{ClippedPrimitive, Primitive};

/// The shader that copies the layer over the window.
pub const OVERLAY_WGSL: &str = include_str!("../../shaders/overlay.wgsl");

/// A window-sized texture that holds the panel as egui last drew it.
pub struct PanelLayer {
    format: wgpu::TextureFormat,
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::RenderPipeline,
    /// The texture, its size in pixels and the bind group that reads it.
    texture: Option<(wgpu::Texture, [u32; 2], wgpu::BindGroup)>,
    /// What the texture holds: the primitives and the points-to-pixels scale they were drawn
    /// with.
    drawn: Option<(Vec<ClippedPrimitive>, f32)>,
    /// Pixels the drawn primitives cover, `[x, y, width, height]`; `None` when they cover none.
    covered: Option<[u32; 4]>,
}

impl PanelLayer {
    /// A layer for windows whose surface has `format` (egui's renderer must draw that format).
    pub fn new(ctx: &GpuContext, format: wgpu::TextureFormat) -> Self {
        let device = &ctx.device;
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("overlay"),
            source: wgpu::ShaderSource::Wgsl(OVERLAY_WGSL.into()),
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("overlay"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Texture {
                    sample_type: wgpu::TextureSampleType::Float { filterable: false },
                    view_dimension: wgpu::TextureViewDimension::D2,
                    multisampled: false,
                },
                count: None,
            }],
        });
        let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("overlay"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("overlay"),
            layout: Some(&pl),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        PanelLayer {
            format,
            layout,
            pipeline,
            texture: None,
            drawn: None,
            covered: None,
        }
    }

    /// Brings the layer up to date: when `jobs` differ from what it holds, or the screen's
    /// size or scale changed, or `textures_changed` (egui updated a texture its triangles may
    /// sample), egui's `renderer` draws them into it. Returns egui's own command buffers, to
    /// be submitted before `encoder`'s.
    pub fn update(
        &mut self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        renderer: &mut egui_wgpu::Renderer,
        jobs: &[ClippedPrimitive],
        screen: &egui_wgpu::ScreenDescriptor,
        textures_changed: bool,
    ) -> Vec<wgpu::CommandBuffer> {
        let size = screen.size_in_pixels;
        let ppp = screen.pixels_per_point;
        if self.texture.as_ref().is_none_or(|(_, s, _)| *s != size) {
            let texture = ctx.texture_2d(
                "panel layer",
                size,
                self.format,
                wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            );
            let view = texture.create_view(&Default::default());
            let bind = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("overlay"),
                layout: &self.layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&view),
                }],
            });
            self.texture = Some((texture, size, bind));
            self.drawn = None;
        }
        let unchanged = self
            .drawn
            .as_ref()
            .is_some_and(|(d, s)| *s == ppp && same_primitives(d, jobs));
        if unchanged && !textures_changed {
            return Vec::new();
        }
        let cmds = renderer.update_buffers(&ctx.device, &ctx.queue, encoder, jobs, screen);
        let (texture, _, _) = self.texture.as_ref().expect("created above");
        let view = texture.create_view(&Default::default());
        {
            let mut pass = encoder
                .begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("panel layer"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &view,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                            store: wgpu::StoreOp::Store,
                        },
                    })],
                    ..Default::default()
                })
                .forget_lifetime();
            renderer.render(&mut pass, jobs, screen);
        }
        self.covered = covered_pixels(jobs, ppp, size);
        self.drawn = Some((jobs.to_vec(), ppp));
        cmds
    }

    /// Draws the layer over the target of `pass`, which has the size of the last update's
    /// screen; only the pixels its primitives cover.
    pub fn record(&self, pass: &mut wgpu::RenderPass<'_>) {
        let (Some((_, size, bind)), Some([x, y, w, h])) = (&self.texture, self.covered) else {
            return;
        };
        pass.set_viewport(0.0, 0.0, size[0] as f32, size[1] as f32, 0.0, 1.0);
        pass.set_scissor_rect(x, y, w, h);
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, bind, &[]);
        pass.draw(0..3, 0..1);
        pass.set_scissor_rect(0, 0, size[0], size[1]);
    }
}

/// Whether two lists of primitives draw the same: the same meshes with the same clip
/// rectangles (paint callbacks, which the panel does not use, never compare equal).
pub fn same_primitives(a: &[ClippedPrimitive], b: &[ClippedPrimitive]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| {
            a.clip_rect == b.clip_rect
                && matches!((&a.primitive, &b.primitive), (Primitive::Mesh(m), Primitive::Mesh(n)) if m == n)
        })
}

/// The pixel rectangle `[x, y, width, height]` of a `size` screen that covers every vertex of
/// `jobs` within its clip rectangle, at `ppp` pixels per point; `None` when nothing is left.
pub fn covered_pixels(jobs: &[ClippedPrimitive], ppp: f32, size: [u32; 2]) -> Option<[u32; 4]> {
    let mut r = egui::Rect::NOTHING;
    for job in jobs {
        let bounds = match &job.primitive {
            Primitive::Mesh(m) => m.calc_bounds(),
            Primitive::Callback(_) => job.clip_rect,
        };
        r = r.union(bounds.intersect(job.clip_rect));
    }
    if !r.is_positive() {
        return None;
    }
    let x0 = (r.min.x * ppp).floor().clamp(0.0, size[0] as f32) as u32;
    let y0 = (r.min.y * ppp).floor().clamp(0.0, size[1] as f32) as u32;
    let x1 = (r.max.x * ppp).ceil().clamp(0.0, size[0] as f32) as u32;
    let y1 = (r.max.y * ppp).ceil().clamp(0.0, size[1] as f32) as u32;
    (x1 > x0 && y1 > y0).then_some([x0, y0, x1 - x0, y1 - y0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{pos2, Color32, Rect};

    fn quad(r: Rect, clip: Rect) -> ClippedPrimitive {
        let mut mesh = egui::Mesh::default();
        mesh.add_colored_rect(r, Color32::RED);
        ClippedPrimitive {
            clip_rect: clip,
            primitive: Primitive::Mesh(mesh),
        }
    }

    #[test]
    fn the_covered_pixels_hold_every_clipped_vertex() {
        let screen = Rect::from_min_max(pos2(0.0, 0.0), pos2(500.0, 400.0));
        let panel = quad(
            Rect::from_min_max(pos2(0.0, 0.0), pos2(200.5, 400.0)),
            screen,
        );
        // A popup partly outside its clip rectangle, which cuts it at x = 260.
        let popup = quad(
            Rect::from_min_max(pos2(150.0, 50.25), pos2(300.0, 80.0)),
            Rect::from_min_max(pos2(0.0, 0.0), pos2(260.0, 400.0)),
        );
        // Scale 2: points to pixels, rounded outward, clamped to the 1000x800 screen.
        assert_eq!(
            covered_pixels(std::slice::from_ref(&panel), 2.0, [1000, 800]),
            Some([0, 0, 401, 800])
        );
        assert_eq!(
            covered_pixels(&[panel.clone(), popup.clone()], 2.0, [1000, 800]),
            Some([0, 0, 520, 800])
        );
        assert_eq!(
            covered_pixels(std::slice::from_ref(&popup), 1.0, [1000, 800]),
            Some([150, 50, 110, 30])
        );
        // Nothing drawn, or all of it clipped away or off screen.
        assert_eq!(covered_pixels(&[], 1.0, [1000, 800]), None);
        let hidden = quad(
            Rect::from_min_max(pos2(10.0, 10.0), pos2(20.0, 20.0)),
            Rect::from_min_max(pos2(30.0, 30.0), pos2(40.0, 40.0)),
        );
        assert_eq!(covered_pixels(&[hidden], 1.0, [1000, 800]), None);
        let off = quad(
            Rect::from_min_max(pos2(600.0, 10.0), pos2(700.0, 20.0)),
            Rect::EVERYTHING,
        );
        assert_eq!(covered_pixels(&[off], 1.0, [500, 400]), None);
        // Equal lists are the same; a moved vertex or clip rectangle is not.
        assert!(same_primitives(
            &[panel.clone(), popup.clone()],
            &[panel.clone(), popup.clone()]
        ));
        assert!(!same_primitives(
            std::slice::from_ref(&panel),
            &[panel.clone(), popup]
        ));
        let mut moved = panel.clone();
        if let Primitive::Mesh(m) = &mut moved.primitive {
            m.vertices[0].pos.x += 1.0;
        }
        assert!(!same_primitives(std::slice::from_ref(&panel), &[moved]));
        let mut clipped = panel.clone();
        clipped.clip_rect = Rect::from_min_max(pos2(0.0, 0.0), pos2(100.0, 100.0));
        assert!(!same_primitives(&[panel], &[clipped]));
    }
}
