//! The viewer's panel layer on the GPU: a change drawn again in its rectangle alone gives the
//! same pixels as the whole new panel drawn from scratch, and the layer copied over a target
//! matches egui drawn straight into it.

mod common;
use amrcast::gpu::display::clearing_pass;
use amrcast::gpu::offscreen::Readback;
use amrcast::viewer::panel_layer::PanelLayer;
use common::gpu;
use egui::{pos2, vec2, Rect};

const SIZE: [u32; 2] = [320, 240];
const FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// A panel like the viewer's: text, a slider, a readout that changes.
struct Ui {
    ctx: egui::Context,
    renderer: egui_wgpu::Renderer,
}

impl Ui {
    fn new() -> Ui {
        let renderer =
            egui_wgpu::Renderer::new(&gpu().device, FORMAT, egui_wgpu::RendererOptions::default());
        Ui {
            ctx: egui::Context::default(),
            renderer,
        }
    }

    /// Runs a frame with `readout` and `value`, and a popup right of the panel at height
    /// `popup`; returns its primitives and whether a texture changed (uploaded).
    fn frame(
        &mut self,
        readout: &str,
        value: f32,
        popup: Option<f32>,
    ) -> (Vec<egui::ClippedPrimitive>, bool) {
        let raw = egui::RawInput {
            screen_rect: Some(Rect::from_min_size(
                pos2(0.0, 0.0),
                vec2(SIZE[0] as f32, SIZE[1] as f32),
            )),
            ..Default::default()
        };
        let mut v = value;
        let out = self.ctx.run_ui(raw, |ui| {
            egui::Panel::left("panel").show(ui, |ui| {
                ui.heading("demo - Density");
                ui.add(egui::Slider::new(&mut v, 0.0..=1.0).text("opacity"));
                ui.label(readout);
                ui.label("this view as a render command");
            });
            if let Some(y) = popup {
                egui::Area::new(egui::Id::unique("popup"))
                    .fixed_pos(pos2(250.0, y))
                    .fade_in(false)
                    .show(ui.ctx(), |ui| {
                        egui::Frame::popup(ui.style()).show(ui, |ui| ui.label("popup"));
                    });
            }
        });
        let jobs = self.ctx.tessellate(out.shapes, out.pixels_per_point);
        let mut changed = false;
        let mut textures = out.textures_delta;
        for (id, deltas) in textures.set.drain() {
            for delta in deltas {
                self.renderer
                    .update_texture(&gpu().device, &gpu().queue, id, &delta);
                changed = true;
            }
        }
        (jobs, changed)
    }

    /// Brings `layer` up to `jobs` and copies it over a black target; returns the target's
    /// bytes.
    fn draw(
        &mut self,
        layer: &mut PanelLayer,
        jobs: &[egui::ClippedPrimitive],
        changed: bool,
    ) -> Vec<u8> {
        into_target(|enc, view| {
            let cmds = layer.update(gpu(), enc, &mut self.renderer, jobs, &SCREEN, changed);
            let mut pass = clearing_pass(enc, "target", view);
            layer.record(&mut pass);
            cmds
        })
    }

    /// egui drawn straight into a black target, as the viewer did before the layer.
    fn draw_direct(&mut self, jobs: &[egui::ClippedPrimitive]) -> Vec<u8> {
        into_target(|enc, view| {
            let ctx = gpu();
            let cmds = self
                .renderer
                .update_buffers(&ctx.device, &ctx.queue, enc, jobs, &SCREEN);
            let mut pass = clearing_pass(enc, "direct", view).forget_lifetime();
            self.renderer.render(&mut pass, jobs, &SCREEN);
            cmds
        })
    }
}

const SCREEN: egui_wgpu::ScreenDescriptor = egui_wgpu::ScreenDescriptor {
    size_in_pixels: SIZE,
    pixels_per_point: 1.0,
};

/// Runs `record` on a new encoder and a new target of SIZE, submits the command buffers it returns
/// and then its own, and returns the target's bytes.
fn into_target(
    record: impl FnOnce(&mut wgpu::CommandEncoder, &wgpu::TextureView) -> Vec<wgpu::CommandBuffer>,
) -> Vec<u8> {
    let ctx = gpu();
    let target = ctx.texture_2d(
        "target",
        SIZE,
        FORMAT,
        wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
    );
    let view = target.create_view(&Default::default());
    let mut enc = ctx.device.create_command_encoder(&Default::default());
    let mut cmds = record(&mut enc, &view);
    let back = Readback::record(ctx, &mut enc, &target, 4);
    cmds.push(enc.finish());
    ctx.queue.submit(cmds);
    back.read(ctx).unwrap()
}

fn max_diff(a: &[u8], b: &[u8]) -> u8 {
    a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).max().unwrap()
}

#[test]
fn a_change_drawn_in_its_rectangle_alone_matches_the_whole_panel() {
    let mut ui = Ui::new();
    let mut layer = PanelLayer::new(gpu(), FORMAT);
    // First every text the test shows, so that the font atlas holds its glyphs and later
    // frames change triangles only.
    for (text, v, p) in [
        ("frame 47 ms, refining", 0.9, Some(100.0)),
        ("frame 40 ms", 0.5, None),
    ] {
        let (jobs, changed) = ui.frame(text, v, p);
        ui.draw(&mut layer, &jobs, changed);
    }
    // The same frame again: nothing to draw, the same pixels as a whole drawing.
    let (jobs, changed) = ui.frame("frame 40 ms", 0.5, None);
    assert!(!changed);
    let mut first = ui.draw(&mut layer, &jobs, false);
    assert_eq!(layer.last_drawn(), None);
    let mut fresh = PanelLayer::new(gpu(), FORMAT);
    assert!(max_diff(&first, &ui.draw(&mut fresh, &jobs, false)) <= 1);
    let [_, _, cw, ch] = fresh.last_drawn().expect("the whole panel");
    // Each change (a readout, a slider, a popup over the volume shown, moved and gone) is
    // drawn again in a small part of the panel, and gives the pixels of the whole new panel
    // drawn afresh, which are those of egui drawn straight into the target.
    for (text, v, p) in [
        ("frame 47 ms, refining", 0.5, None),
        ("frame 47 ms, refining", 0.9, None),
        ("frame 47 ms, refining", 0.9, Some(100.0)),
        ("frame 47 ms, refining", 0.9, Some(160.0)),
        ("frame 47 ms, refining", 0.9, None),
    ] {
        let (jobs, changed) = ui.frame(text, v, p);
        assert!(!changed);
        let partial = ui.draw(&mut layer, &jobs, false);
        let [_, _, w, h] = layer.last_drawn().expect("a change");
        assert!(w * h * 4 < cw * ch, "{w}x{h} of {cw}x{ch}");
        let whole = ui.draw(&mut PanelLayer::new(gpu(), FORMAT), &jobs, false);
        assert!(
            max_diff(&partial, &whole) <= 1,
            "{}",
            max_diff(&partial, &whole)
        );
        let direct = ui.draw_direct(&jobs);
        assert!(
            max_diff(&whole, &direct) <= 1,
            "{}",
            max_diff(&whole, &direct)
        );
        assert!(max_diff(&partial, &first) > 100, "the panel changed");
        first = partial;
    }
}
