//! The panel as a layer: egui draws it into a texture of the window's size only when its
//! triangles change, and only where they change, and every frame copies that texture over the
//! window.
//!
//! On a CPU adapter drawing the panel's few thousand anti-aliased triangles costs about 30 ms
//! per 1024x768 frame (llvmpipe), more than ray casting gets while the view moves, and the
//! panel rarely changes while the user drags the volume. Copying the layer costs one texel
//! fetch per pixel of its content. The result is the same as drawing egui straight into the
//! window: egui blends premultiplied colours, and "over" is associative, so its triangles
//! blended into a transparent layer and the layer blended over the volume give each pixel the
//! same colour.
//!
//! Where the triangles change (a control point dragged in the transfer-function editor, a
//! readout's text) is the union of the triangles that one drawing has and the other has not.
//! Only that rectangle of the layer is cleared and drawn again, with every primitive clipped to
//! it, so each of its pixels gets all the triangles that cover it, in order.

use crate::gpu::context::GpuContext;
use crate::gpu::display::{fragment_texture, screen_pipeline};
use egui::epaint::{ClippedPrimitive, Primitive};
use egui::Rect;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Below this share of the covered area a change is drawn again in its rectangle alone;
/// above it the whole layer is.
const PARTIAL_MAX_SHARE: f32 = 0.5;

/// The triangles of a drawing: for each distinct one (its primitive's place in the list, clip
/// rectangle and texture, and its three vertices), the points it can touch (its bounds within
/// the clip rectangle) and how many times it is drawn.
pub type Triangles = HashMap<u64, (Rect, u32)>;

/// The shader that copies the layer over the window.
pub const OVERLAY_WGSL: &str = include_str!("../../shaders/overlay.wgsl");

/// A window-sized texture that holds the panel as egui last drew it.
pub struct PanelLayer {
    format: wgpu::TextureFormat,
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::RenderPipeline,
    /// The texture, its size in pixels and the bind group that reads it.
    texture: Option<(wgpu::Texture, [u32; 2], wgpu::BindGroup)>,
    /// What the texture holds: the primitives, their triangles and the points-to-pixels scale
    /// they were drawn with.
    drawn: Option<(Vec<ClippedPrimitive>, Triangles, f32)>,
    /// Pixels the drawn primitives cover, `[x, y, width, height]`; `None` when they cover none.
    covered: Option<[u32; 4]>,
    /// Pixels the last update drew again (all it covers, or the change alone); `None` when it
    /// had nothing to draw.
    last_drawn: Option<[u32; 4]>,
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
            entries: &[fragment_texture(0, false)],
        });
        let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("overlay"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = screen_pipeline(
            device,
            "overlay",
            &pl,
            &module,
            "fs_main",
            format,
            Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
        );
        PanelLayer {
            format,
            layout,
            pipeline,
            texture: None,
            drawn: None,
            covered: None,
            last_drawn: None,
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
        self.fit_texture(ctx, size);
        if let Some((d, _, s)) = &self.drawn {
            if *s == ppp && !textures_changed && same_primitives(d, jobs) {
                self.last_drawn = None;
                return Vec::new();
            }
        }
        let triangles = triangles(jobs);
        self.covered = covered_pixels(jobs, ppp, size);
        // The pixels to draw again: the change alone, or everything.
        let partial = match &self.drawn {
            Some((_, old, s)) if *s == ppp && !textures_changed => {
                let changed = changed_rect(old, &triangles);
                let px = pixel_rect(changed, ppp, size);
                let whole = self.covered.map_or(0.0, |[_, _, w, h]| (w * h) as f32);
                px.filter(|r| ((r[2] * r[3]) as f32) < PARTIAL_MAX_SHARE * whole)
            }
            _ => None,
        };
        self.last_drawn = partial.or(self.covered);
        let clipped;
        let (drawn, load) = match partial {
            Some([x, y, w, h]) => {
                // Transparent again where the change is, then only that part drawn.
                self.clear_pixels(ctx, [x, y, w, h]);
                let r = Rect::from_min_size(
                    egui::pos2(x as f32 / ppp, y as f32 / ppp),
                    egui::vec2(w as f32 / ppp, h as f32 / ppp),
                );
                clipped = clip_to(jobs, r);
                (&clipped[..], wgpu::LoadOp::Load)
            }
            None => (jobs, wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT)),
        };
        let cmds = renderer.update_buffers(&ctx.device, &ctx.queue, encoder, drawn, screen);
        self.draw_into(encoder, renderer, drawn, screen, load);
        self.drawn = Some((jobs.to_vec(), triangles, ppp));
        cmds
    }

    /// A new, empty texture when the screen is not `size` pixels.
    fn fit_texture(&mut self, ctx: &GpuContext, size: [u32; 2]) {
        if self.texture.as_ref().is_some_and(|(_, s, _)| *s == size) {
            return;
        }
        let texture = ctx.texture_2d(
            "panel layer",
            size,
            self.format,
            wgpu::TextureUsages::RENDER_ATTACHMENT
                | wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::COPY_DST,
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

    /// Makes pixels `[x, y, w, h]` of the texture transparent.
    fn clear_pixels(&self, ctx: &GpuContext, [x, y, w, h]: [u32; 4]) {
        let (texture, _, _) = self.texture.as_ref().expect("fitted before");
        let texel = self.format.block_copy_size(None).unwrap_or(4);
        ctx.queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture,
                mip_level: 0,
                origin: wgpu::Origin3d { x, y, z: 0 },
                aspect: wgpu::TextureAspect::All,
            },
            &vec![0u8; (w * h * texel) as usize],
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(w * texel),
                rows_per_image: None,
            },
            wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
        );
    }

    /// Records egui's drawing of `jobs` (its buffers updated) into the texture, which is
    /// first cleared or kept as `load` says.
    fn draw_into(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        renderer: &egui_wgpu::Renderer,
        jobs: &[ClippedPrimitive],
        screen: &egui_wgpu::ScreenDescriptor,
        load: wgpu::LoadOp<wgpu::Color>,
    ) {
        let (texture, _, _) = self.texture.as_ref().expect("fitted before");
        let view = texture.create_view(&Default::default());
        let mut pass = encoder
            .begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("panel layer"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load,
                        store: wgpu::StoreOp::Store,
                    },
                })],
                ..Default::default()
            })
            .forget_lifetime();
        renderer.render(&mut pass, jobs, screen);
    }

    /// Pixels the last [`update`](Self::update) drew again, `[x, y, width, height]`: all the
    /// layer covers, or only where its triangles changed; `None` when nothing changed.
    pub fn last_drawn(&self) -> Option<[u32; 4]> {
        self.last_drawn
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

/// The triangles of `jobs` (see [`Triangles`]); a paint callback counts as one triangle over
/// its clip rectangle.
pub fn triangles(jobs: &[ClippedPrimitive]) -> Triangles {
    let mut out = Triangles::new();
    for (i, job) in jobs.iter().enumerate() {
        let clip = job.clip_rect;
        let mut key = std::collections::hash_map::DefaultHasher::new();
        i.hash(&mut key);
        for v in [clip.min.x, clip.min.y, clip.max.x, clip.max.y] {
            v.to_bits().hash(&mut key);
        }
        let Primitive::Mesh(mesh) = &job.primitive else {
            let e = out.entry(key.finish()).or_insert((clip, 0));
            e.1 += 1;
            continue;
        };
        mesh.texture_id.hash(&mut key);
        for t in mesh.indices.chunks_exact(3) {
            let mut h = key.clone();
            let mut bounds = Rect::NOTHING;
            for &i in t {
                let v = &mesh.vertices[i as usize];
                for c in [v.pos.x, v.pos.y, v.uv.x, v.uv.y] {
                    c.to_bits().hash(&mut h);
                }
                v.color.to_array().hash(&mut h);
                bounds.extend_with(v.pos);
            }
            let e = out.entry(h.finish()).or_insert((bounds.intersect(clip), 0));
            e.1 += 1;
        }
    }
    out
}

/// The points where two drawings differ: the union of the triangles drawn a different number
/// of times; `Rect::NOTHING` when they draw the same.
pub fn changed_rect(old: &Triangles, new: &Triangles) -> Rect {
    let mut r = Rect::NOTHING;
    for (a, b) in [(old, new), (new, old)] {
        for (k, (bounds, n)) in a {
            if b.get(k).is_none_or(|(_, m)| m != n) && bounds.is_positive() {
                r = r.union(*bounds);
            }
        }
    }
    r
}

/// `jobs` with every clip rectangle cut down to `r` (in points), those left empty dropped.
pub fn clip_to(jobs: &[ClippedPrimitive], r: Rect) -> Vec<ClippedPrimitive> {
    jobs.iter()
        .filter_map(|j| {
            let clip = j.clip_rect.intersect(r);
            clip.is_positive().then(|| ClippedPrimitive {
                clip_rect: clip,
                primitive: j.primitive.clone(),
            })
        })
        .collect()
}

/// `r` (in points) in pixels of a `size` screen at `ppp`, rounded outward and clamped:
/// `[x, y, width, height]`, or `None` when nothing is left.
fn pixel_rect(r: Rect, ppp: f32, size: [u32; 2]) -> Option<[u32; 4]> {
    if !r.is_positive() {
        return None;
    }
    let x0 = (r.min.x * ppp).floor().clamp(0.0, size[0] as f32) as u32;
    let y0 = (r.min.y * ppp).floor().clamp(0.0, size[1] as f32) as u32;
    let x1 = (r.max.x * ppp).ceil().clamp(0.0, size[0] as f32) as u32;
    let y1 = (r.max.y * ppp).ceil().clamp(0.0, size[1] as f32) as u32;
    (x1 > x0 && y1 > y0).then_some([x0, y0, x1 - x0, y1 - y0])
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
        let b = bounds.intersect(job.clip_rect);
        if b.is_positive() {
            r = r.union(b);
        }
    }
    pixel_rect(r, ppp, size)
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

    #[test]
    fn the_changed_rectangle_holds_what_appeared_and_what_went() {
        let screen = Rect::from_min_max(pos2(0.0, 0.0), pos2(500.0, 400.0));
        let a = quad(
            Rect::from_min_max(pos2(10.0, 10.0), pos2(50.0, 30.0)),
            screen,
        );
        let b = quad(
            Rect::from_min_max(pos2(100.0, 200.0), pos2(120.0, 220.0)),
            screen,
        );
        let moved = quad(
            Rect::from_min_max(pos2(100.0, 250.0), pos2(120.0, 270.0)),
            screen,
        );
        let before = triangles(&[a.clone(), b.clone()]);
        assert_eq!(changed_rect(&before, &before), Rect::NOTHING);
        // b moved down: its old and its new place.
        let after = triangles(&[a.clone(), moved]);
        assert_eq!(
            changed_rect(&before, &after),
            Rect::from_min_max(pos2(100.0, 200.0), pos2(120.0, 270.0))
        );
        // A mesh drawn twice blends twice: a change.
        let mut twice = a.clone();
        if let Primitive::Mesh(m) = &mut twice.primitive {
            m.append(m.clone());
        }
        assert_eq!(
            changed_rect(&triangles(std::slice::from_ref(&a)), &triangles(&[twice])),
            Rect::from_min_max(pos2(10.0, 10.0), pos2(50.0, 30.0))
        );
        // Clipping to a rectangle keeps the primitives whose clip rectangles reach into it,
        // clipped to it.
        let r = Rect::from_min_max(pos2(0.0, 0.0), pos2(60.0, 20.0));
        let mut c = b.clone();
        c.clip_rect = Rect::from_min_max(pos2(80.0, 0.0), pos2(200.0, 400.0));
        let clipped = clip_to(&[a, b, c], r);
        assert_eq!(clipped.len(), 2);
        assert!(clipped.iter().all(|j| j.clip_rect == r));
    }
}
