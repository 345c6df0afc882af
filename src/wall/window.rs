//! Window mode of `amrcast wall`: one borderless fullscreen window per screen and eye on the
//! screen's monitor (a plain window of the screen's size where no monitor is given), or one
//! window split into viewports (`--single-window`). Every output is ray-cast into its region of
//! the window's float target, then the viewer's [`DisplayPass`] draws the target onto the
//! window. The windows' surfaces (acquiring and presenting frames, reading one back for F12)
//! are the window layer's, [`WindowSurface`], which the viewer uses too.
//!
//! Keys: W/S move the head forward/back, A/D left/right, Q/E down/up (5 cm steps, refused when
//! an eye would leave the front of a screen); arrows turn the data about the focus (5 deg);
//! `+`/`-` and the mouse wheel scale the data; dragging with the left button turns it; R resets;
//! P prints the state (head and placement) as JSON; F12 saves what each window shows as
//! `wall-window-N.png` in the working directory (N from 0); Escape quits.

use crate::amr::AmrDataset;
use crate::error::Error;
use crate::gpu::display::{DisplayPass, DisplaySettings, Rect};
use crate::gpu::surface::WindowSurface;
use crate::gpu::{OffscreenTarget, RenderTarget};
use crate::render::RenderSettings;
use crate::session::Session;
use crate::wall::config::{Eye, Wall};
use crate::wall::offscreen::tile_display;
use crate::wall::state::WallState;
use anyhow::{anyhow, Context};
use glam::{DQuat, DVec3};
use std::sync::Arc;
use winit::application::ApplicationHandler;
use winit::dpi::{PhysicalPosition, PhysicalSize};
use winit::event::{ElementState, MouseButton, MouseScrollDelta, WindowEvent};
use winit::event_loop::{ActiveEventLoop, EventLoop};
use winit::keyboard::{KeyCode, PhysicalKey};
use winit::window::{Fullscreen, Window, WindowId};

/// Head step per key press, metres.
const HEAD_STEP: f64 = 0.05;
/// Data turn per arrow key press, degrees.
const TURN_STEP: f64 = 5.0;
/// Data turn per dragged pixel, degrees.
const DRAG_DEG_PER_PIXEL: f64 = 0.25;

/// One screen-and-eye image inside a window.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Output {
    screen: usize,
    eye: Eye,
    offset: [u32; 2],
    size: [u32; 2],
}

/// Where each output goes: one window per output, or all in one window.
/// Returns per window: (title, size, desktop position, monitor, outputs).
type Layout = Vec<(
    String,
    [u32; 2],
    Option<[i32; 2]>,
    Option<usize>,
    Vec<Output>,
)>;

fn layout(wall: &Wall, single: bool) -> Layout {
    let outputs: Vec<(usize, Eye)> = wall
        .screens
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.eyes.iter().map(move |&e| (i, e)))
        .collect();
    if !single {
        return outputs
            .into_iter()
            .map(|(i, eye)| {
                let s = &wall.screens[i];
                (
                    format!("amrcast wall: {}_{}", s.name, eye.name()),
                    s.size,
                    s.offset,
                    s.monitor,
                    vec![Output {
                        screen: i,
                        eye,
                        offset: [0, 0],
                        size: s.size,
                    }],
                )
            })
            .collect();
    }
    // One window: at the screens' offsets when every screen has one and shows one image,
    // otherwise side by side in a row.
    let by_offset = wall
        .screens
        .iter()
        .all(|s| s.offset.is_some() && s.eyes.len() == 1);
    let mut placed = Vec::new();
    let mut x = 0u32;
    for (i, eye) in outputs {
        let s = &wall.screens[i];
        let offset = if by_offset {
            let o = s.offset.unwrap_or_default();
            [o[0], o[1]]
        } else {
            let o = [x as i32, 0];
            x += s.size[0];
            o
        };
        placed.push((i, eye, offset, s.size));
    }
    let min = placed
        .iter()
        .fold([i32::MAX; 2], |m, p| [m[0].min(p.2[0]), m[1].min(p.2[1])]);
    let mut size = [1u32, 1u32];
    let outputs = placed
        .into_iter()
        .map(|(screen, eye, o, s)| {
            let offset = [(o[0] - min[0]) as u32, (o[1] - min[1]) as u32];
            size = [size[0].max(offset[0] + s[0]), size[1].max(offset[1] + s[1])];
            Output {
                screen,
                eye,
                offset,
                size: s,
            }
        })
        .collect();
    vec![("amrcast wall".into(), size, None, None, outputs)]
}

struct Win {
    surface: WindowSurface,
    target: OffscreenTarget,
    outputs: Vec<Output>,
    /// The window shows a single output that fills it (follows resizes).
    fills: bool,
}

struct Gfx {
    session: Session,
    display: DisplayPass,
    colours: DisplaySettings,
    wins: Vec<Win>,
}

struct App {
    wall: Wall,
    state: WallState,
    initial: WallState,
    ds: Option<AmrDataset>,
    settings: RenderSettings,
    single: bool,
    gfx: Option<Gfx>,
    error: Option<anyhow::Error>,
    cursor: Option<PhysicalPosition<f64>>,
    dragging: bool,
    /// Windows whose next frame is saved as a PNG.
    screenshots: Vec<WindowId>,
}

/// Opens the windows and runs until Escape or every window is closed.
pub fn run(
    wall: Wall,
    state: WallState,
    ds: AmrDataset,
    settings: RenderSettings,
    single: bool,
) -> anyhow::Result<()> {
    let event_loop = EventLoop::new().map_err(|e| {
        anyhow!(
            "cannot open windows ({}); use --offscreen DIR on machines without a display",
            crate::viewer::no_display::window_error_reason(&e.to_string())
        )
    })?;
    let mut app = App {
        wall,
        state,
        initial: state,
        ds: Some(ds),
        settings,
        single,
        gfx: None,
        error: None,
        cursor: None,
        dragging: false,
        screenshots: Vec::new(),
    };
    event_loop.run_app(&mut app)?;
    match app.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

impl Win {
    fn id(&self) -> WindowId {
        self.surface.window().id()
    }
}

impl App {
    fn init(&mut self, event_loop: &ActiveEventLoop) -> anyhow::Result<()> {
        let monitors: Vec<_> = event_loop.available_monitors().collect();
        let mut windows = Vec::new();
        for (title, size, position, monitor, outputs) in layout(&self.wall, self.single) {
            let mut attrs = Window::default_attributes()
                .with_title(title.clone())
                .with_inner_size(PhysicalSize::new(size[0], size[1]));
            if let Some(p) = position {
                attrs = attrs.with_position(PhysicalPosition::new(p[0], p[1]));
            }
            let fills = outputs.len() == 1 && !self.single;
            if let Some(m) = monitor {
                let handle = monitors.get(m).cloned().ok_or_else(|| {
                    Error::Settings(format!(
                        "{title}: monitor {m} does not exist ({} monitors, counted from 0)",
                        monitors.len()
                    ))
                })?;
                attrs = attrs
                    .with_decorations(false)
                    .with_fullscreen(Some(Fullscreen::Borderless(Some(handle))));
            }
            let window = Arc::new(
                event_loop
                    .create_window(attrs)
                    .with_context(|| format!("cannot open the window '{title}'"))?,
            );
            windows.push((window, outputs, fills));
        }
        let (ctx, surfaces) = WindowSurface::open(
            event_loop,
            windows.iter().map(|(w, _, _)| w.clone()).collect(),
            wgpu::TextureUsages::COPY_SRC,
        )?;
        let format = surfaces[0].format();
        let ds = self.ds.take().context("the dataset was already uploaded")?;
        let display = DisplayPass::new(&ctx, format);
        let session = Session::new(ctx, &ds, &self.settings)?;
        drop(ds);
        let colours = tile_display(&session, &self.state);
        let ctx = &session.ctx;
        let mut wins = Vec::new();
        for ((_, mut outputs, fills), surface) in windows.into_iter().zip(surfaces) {
            let (w, h) = surface.size();
            let target = OffscreenTarget::new(ctx, w, h)?;
            if fills {
                outputs[0].size = [w, h];
            }
            wins.push(Win {
                surface,
                target,
                outputs,
                fills,
            });
        }
        self.gfx = Some(Gfx {
            session,
            display,
            colours,
            wins,
        });
        self.redraw_all();
        Ok(())
    }

    fn redraw_all(&self) {
        if let Some(g) = &self.gfx {
            for w in &g.wins {
                w.surface.window().request_redraw();
            }
        }
    }

    fn resize(&mut self, id: WindowId, size: PhysicalSize<u32>) -> anyhow::Result<()> {
        let Some(g) = &mut self.gfx else {
            return Ok(());
        };
        let Some(w) = g.wins.iter_mut().find(|w| w.id() == id) else {
            return Ok(());
        };
        w.surface.resize(&g.session.ctx, size.width, size.height);
        let (width, height) = w.surface.size();
        w.target = OffscreenTarget::new(&g.session.ctx, width, height)?;
        if w.fills {
            w.outputs[0].size = [width, height];
        }
        w.surface.window().request_redraw();
        Ok(())
    }

    fn draw(&mut self, id: WindowId) -> anyhow::Result<()> {
        let Some(g) = &mut self.gfx else {
            return Ok(());
        };
        let Some(n) = g.wins.iter().position(|w| w.id() == id) else {
            return Ok(());
        };
        let w = &mut g.wins[n];
        let Some(frame) = w.surface.acquire(&g.session.ctx)? else {
            return Ok(());
        };
        let mut enc = g
            .session
            .ctx
            .device
            .create_command_encoder(&Default::default());
        for o in &w.outputs {
            // Clip to the window; the screen's rays always span the whole output.
            let (tw, th) = (w.target.width, w.target.height);
            if o.offset[0] + o.size[0] > tw || o.offset[1] + o.size[1] > th {
                continue;
            }
            let mut screen = self.wall.screens[o.screen].clone();
            screen.size = o.size;
            let rays = self.state.rays(&screen, o.eye);
            g.session.renderer.encode(
                &g.session.ctx,
                &mut enc,
                &RenderTarget {
                    view: &w.target.view,
                    offset: o.offset,
                    size: o.size,
                },
                &rays,
            );
        }
        let whole = Rect {
            offset: [0, 0],
            size: [w.target.width, w.target.height],
        };
        let colours = g.colours;
        let mut show = |enc: &mut wgpu::CommandEncoder, onto: &wgpu::TextureView| {
            g.display.draw(
                &g.session.ctx,
                enc,
                &w.target.view,
                whole,
                &colours,
                onto,
                whole,
            )
        };
        show(&mut enc, &frame.view);
        let shot = self.screenshots.contains(&id);
        let readback = shot.then(|| {
            w.surface
                .record_readback(&g.session.ctx, &mut enc, &frame, show)
        });
        g.session.ctx.queue.submit([enc.finish()]);
        if let Some(readback) = readback {
            self.screenshots.retain(|&s| s != id);
            let (width, height, rgba) = readback.read(&g.session.ctx)?;
            let path = std::path::PathBuf::from(format!("wall-window-{n}.png"));
            crate::output::write_png_rgba8(&path, width, height, &rgba)?;
            println!("saved {}", path.display());
        }
        w.surface.present(&g.session.ctx, frame);
        Ok(())
    }

    /// Moves the head by `d` (head axes: x right, y up, z forward), unless an eye would leave
    /// the front of a screen.
    fn move_head(&mut self, d: DVec3) {
        let h = self.state.head;
        let up = h.right().cross(h.forward).normalize();
        let p = h.position + h.right() * d.x + up * d.y + h.forward.normalize() * d.z;
        let mut wall = self.wall.clone();
        wall.head = h;
        match wall.set_head_position(p) {
            Ok(()) => {
                self.state.head.position = p;
                self.redraw_all();
            }
            Err(e) => log::warn!("head not moved: {e}"),
        }
    }

    /// Turns the data about the focus by `deg` degrees about the room axis `axis`.
    fn turn(&mut self, axis: DVec3, deg: f64) {
        let q = DQuat::from_axis_angle(axis.normalize(), deg.to_radians());
        self.state.placement.orientation = (q * self.state.placement.orientation).normalize();
        self.redraw_all();
    }

    fn zoom(&mut self, factor: f64) {
        self.state.placement.scale *= factor;
        self.redraw_all();
    }

    fn key(&mut self, event_loop: &ActiveEventLoop, code: KeyCode) {
        let h = self.state.head;
        let up = h.right().cross(h.forward).normalize();
        match code {
            KeyCode::Escape => event_loop.exit(),
            KeyCode::KeyW => self.move_head(DVec3::Z * HEAD_STEP),
            KeyCode::KeyS => self.move_head(-DVec3::Z * HEAD_STEP),
            KeyCode::KeyD => self.move_head(DVec3::X * HEAD_STEP),
            KeyCode::KeyA => self.move_head(-DVec3::X * HEAD_STEP),
            KeyCode::KeyE => self.move_head(DVec3::Y * HEAD_STEP),
            KeyCode::KeyQ => self.move_head(-DVec3::Y * HEAD_STEP),
            KeyCode::ArrowLeft => self.turn(up, -TURN_STEP),
            KeyCode::ArrowRight => self.turn(up, TURN_STEP),
            KeyCode::ArrowUp => self.turn(h.right(), -TURN_STEP),
            KeyCode::ArrowDown => self.turn(h.right(), TURN_STEP),
            KeyCode::Equal | KeyCode::NumpadAdd => self.zoom(1.1),
            KeyCode::Minus | KeyCode::NumpadSubtract => self.zoom(1.0 / 1.1),
            KeyCode::KeyR => {
                self.state = self.initial;
                self.redraw_all();
            }
            KeyCode::F12 => {
                if let Some(g) = &self.gfx {
                    self.screenshots = g.wins.iter().map(Win::id).collect();
                }
                self.redraw_all();
            }
            KeyCode::KeyP => match serde_json::to_string(&self.state) {
                Ok(s) => println!("{s}"),
                Err(e) => log::warn!("cannot print the state: {e}"),
            },
            _ => {}
        }
    }

    fn fail(&mut self, event_loop: &ActiveEventLoop, e: anyhow::Error) {
        self.error = Some(e);
        event_loop.exit();
    }
}

impl ApplicationHandler for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.gfx.is_none() && self.error.is_none() {
            if let Err(e) = self.init(event_loop) {
                self.fail(event_loop, e);
            }
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, id: WindowId, event: WindowEvent) {
        match event {
            WindowEvent::CloseRequested => {
                if let Some(g) = &mut self.gfx {
                    g.wins.retain(|w| w.id() != id);
                    if g.wins.is_empty() {
                        event_loop.exit();
                    }
                }
            }
            WindowEvent::Resized(size) => {
                if let Err(e) = self.resize(id, size) {
                    self.fail(event_loop, e);
                }
            }
            WindowEvent::RedrawRequested => {
                if let Err(e) = self.draw(id) {
                    self.fail(event_loop, e);
                }
            }
            WindowEvent::KeyboardInput { event, .. } if event.state == ElementState::Pressed => {
                if let PhysicalKey::Code(code) = event.physical_key {
                    self.key(event_loop, code);
                }
            }
            WindowEvent::MouseInput {
                state,
                button: MouseButton::Left,
                ..
            } => self.dragging = state == ElementState::Pressed,
            WindowEvent::CursorMoved { position, .. } => {
                if let (true, Some(last)) = (self.dragging, self.cursor) {
                    let (dx, dy) = (position.x - last.x, position.y - last.y);
                    let h = self.state.head;
                    let up = h.right().cross(h.forward).normalize();
                    if dx != 0.0 {
                        self.turn(up, dx * DRAG_DEG_PER_PIXEL);
                    }
                    if dy != 0.0 {
                        self.turn(h.right(), dy * DRAG_DEG_PER_PIXEL);
                    }
                }
                self.cursor = Some(position);
            }
            WindowEvent::MouseWheel { delta, .. } => {
                let lines = match delta {
                    MouseScrollDelta::LineDelta(_, y) => y as f64,
                    MouseScrollDelta::PixelDelta(p) => p.y / 40.0,
                };
                self.zoom(1.1f64.powf(lines));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_window_layouts() {
        let text = r#"
[viewer]
position = [0.0, 0.0, 2.0]
[[screen]]
name = "a"
lower_left = [-1.0, -0.5, 0.0]
lower_right = [0.0, -0.5, 0.0]
upper_left = [-1.0, 0.5, 0.0]
size = [40, 30]
eyes = ["left", "right"]
[[screen]]
name = "b"
lower_left = [0.0, -0.5, 0.0]
lower_right = [1.0, -0.5, 0.0]
upper_left = [0.0, 0.5, 0.0]
size = [20, 10]
"#;
        let wall = Wall::parse_toml(text).unwrap();
        // One window per output.
        let l = layout(&wall, false);
        assert_eq!(l.len(), 3);
        assert_eq!(l[1].0, "amrcast wall: a_right");
        assert_eq!(l[2].1, [20, 10]);
        // Side by side.
        let l = layout(&wall, true);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].1, [100, 30]);
        let offsets: Vec<[u32; 2]> = l[0].4.iter().map(|o| o.offset).collect();
        assert_eq!(offsets, [[0, 0], [40, 0], [80, 0]]);
        // At the screens' desktop offsets, shifted to the window's origin.
        let text = text
            .replace("eyes = [\"left\", \"right\"]", "offset = [100, 50]")
            .replace("size = [20, 10]", "size = [20, 10]\noffset = [140, 70]");
        let l = layout(&Wall::parse_toml(&text).unwrap(), true);
        assert_eq!(l[0].1, [60, 30]);
        let offsets: Vec<[u32; 2]> = l[0].4.iter().map(|o| o.offset).collect();
        assert_eq!(offsets, [[0, 0], [40, 20]]);
    }
}
