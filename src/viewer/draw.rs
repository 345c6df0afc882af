//! Drawing and presenting a frame: the shown image through the display pass into the volume's
//! part of the window (one item per eye, or one anaglyph item), the panel layer over it, in one
//! render pass onto a frame of the window's surface.

use super::eyes::{eye_views, level_regions, EyeView};
use super::slice_view::Showing;
use super::stereo_mode::{self, StereoMode};
use super::ui::PanelFrame;
use super::App;
use crate::gpu::display::{DisplayItem, Rect};
use crate::gpu::OffscreenTarget;
use std::time::Instant;

/// The display items of a frame: each eye's level-`d` region of `shown` stretched over its
/// viewport within `volume`; in anaglyph mode one item that combines both eyes.
fn display_items<'a>(
    shown: &'a OffscreenTarget,
    volume: Rect,
    eyes: &[EyeView],
    d: u32,
    stereo: StereoMode,
) -> Vec<DisplayItem<'a>> {
    let mut items: Vec<DisplayItem> = level_regions(eyes, d)
        .into_iter()
        .map(|(eye, src)| DisplayItem {
            image: &shown.view,
            src,
            dst: Rect {
                offset: [
                    eye.viewport.offset[0] + volume.offset[0],
                    eye.viewport.offset[1] + volume.offset[1],
                ],
                size: eye.viewport.size,
            },
            anaglyph: None,
        })
        .collect();
    if stereo == StereoMode::Anaglyph {
        // One draw: the left eye's region combined with the right eye's.
        let right = items.pop().expect("two eyes");
        items[0].anaglyph = Some((right.src.offset, stereo_mode::ANAGLYPH));
    }
    items
}

impl App {
    /// Draws the shown image and the panel onto the window and presents them; returns the
    /// milliseconds spent acquiring the frame, or `None` when the window had no frame to give
    /// (a redraw is requested instead).
    pub(super) fn draw_frame(&mut self, panel: &PanelFrame) -> anyhow::Result<Option<f64>> {
        let g = self.gfx.as_mut().expect("graphics");
        let t_acquire = Instant::now();
        let Some(frame) = g.surface.acquire(&g.session.ctx)? else {
            g.free_textures(&panel.free);
            g.window().request_redraw();
            return Ok(None);
        };
        let acquire_ms = super::ms_since(t_acquire);
        let [vw, vh] = g.volume.size;
        let eyes = eye_views(&self.cam, self.stereo, &self.rig, vw, vh)?;
        let d = self.progressive.shown.max(1);
        let (items, settings) = match (self.showing, &g.slice) {
            (Showing::Slice, Some(slice)) => (
                vec![DisplayItem {
                    image: &slice.view,
                    src: Rect {
                        offset: [0, 0],
                        size: [slice.size.0, slice.size.1],
                    },
                    dst: g.volume,
                    anaglyph: None,
                }],
                crate::slice::SliceImage::display(&g.session.renderer.prepared),
            ),
            _ => (
                display_items(&g.shown, g.volume, &eyes, d, self.stereo),
                g.session.display_for(&self.cam)?,
            ),
        };
        let mut enc = g
            .session
            .ctx
            .device
            .create_command_encoder(&Default::default());
        let volume = g.display.prepare(
            &g.session.ctx,
            &mut enc,
            &items,
            &settings,
            Some(g.shown_version),
        );
        let (sw, sh) = g.surface.size();
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: [sw, sh],
            pixels_per_point: panel.pixels_per_point,
        };
        let mut cmds = g.panel_layer.update(
            &g.session.ctx,
            &mut enc,
            &mut g.egui_renderer,
            &panel.jobs,
            &screen,
            panel.textures_changed,
        );
        {
            // The volume, then the panel over it, in one render pass.
            let mut pass =
                crate::gpu::display::clearing_pass(&mut enc, "volume and panel", &frame.view);
            g.display.record(&mut pass, &volume);
            g.panel_layer.record(&mut pass);
        }
        cmds.push(enc.finish());
        g.session.ctx.queue.submit(cmds);
        g.surface.present(&g.session.ctx, frame);
        g.session.ctx.check()?;
        g.free_textures(&panel.free);
        Ok(Some(acquire_ms))
    }
}
