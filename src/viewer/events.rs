//! Input and the event loop: window events go to egui first, then to the keys, the mouse
//! (orbit, pan, zoom) and dropped files; redraws are requested when something changed.

use super::loading::UserEvent;
use super::slice_view::Showing;
use super::{camera_control, App};
use crate::camera::Lens;
use std::time::{Duration, Instant};
use winit::application::ApplicationHandler;
use winit::event::{
    ElementState, KeyEvent, MouseButton, MouseScrollDelta, StartCause, WindowEvent,
};
use winit::event_loop::{ActiveEventLoop, ControlFlow};
use winit::keyboard::{Key, NamedKey};
use winit::window::WindowId;

/// Degrees an arrow key orbits by.
const ARROW_DEGREES: f64 = 5.0;

impl App {
    /// Gives `event` to egui and marks the panel for drawing when egui asks; returns whether
    /// egui wants the keyboard, and whether the pointer is over the panel (or, while the panel
    /// is hidden, over the button that shows it).
    fn egui_event(&mut self, event: &WindowEvent) -> Option<(bool, bool)> {
        let g = self.gfx.as_mut()?;
        let response = g.egui_state.on_window_event(g.surface.window(), event);
        // egui asks for a repaint after every RedrawRequested, which would redraw forever; and
        // the pointer moving over the volume changes nothing in a hidden panel, except where it
        // enters, leaves or clicks the button that shows it.
        let pointer = matches!(
            event,
            WindowEvent::CursorMoved { .. }
                | WindowEvent::CursorEntered { .. }
                | WindowEvent::CursorLeft { .. }
                | WindowEvent::MouseInput { .. }
                | WindowEvent::MouseWheel { .. }
        );
        let ppp = g.egui_ctx.pixels_per_point() as f64;
        let over_button = |p: Option<(f64, f64)>| {
            let (Some(r), Some((x, y))) = (self.show_button, p) else {
                return false;
            };
            r.contains(egui::pos2((x / ppp) as f32, (y / ppp) as f32))
        };
        let (was, now) = match event {
            WindowEvent::CursorMoved { position, .. } => (
                over_button(self.cursor),
                over_button(Some((position.x, position.y))),
            ),
            _ => (false, over_button(self.cursor)),
        };
        let redraw = matches!(event, WindowEvent::RedrawRequested);
        if response.repaint && !redraw && (self.panel_visible || !pointer || was || now) {
            self.ui_dirty = true;
            g.window().request_redraw();
        }
        let egui_keys = g.egui_ctx.egui_wants_keyboard_input();
        // egui's state is from its last frame: a hidden panel may still count as under the
        // pointer until the next one.
        let over_panel = (self.panel_visible && g.egui_ctx.egui_wants_pointer_input()) || now;
        Some((egui_keys, over_panel))
    }

    /// A key pressed outside the panel: held arrows keep orbiting; the other keys act once
    /// per press.
    fn key_pressed(&mut self, event_loop: &ActiveEventLoop, event: &KeyEvent) {
        let arrow = matches!(
            event.logical_key,
            Key::Named(
                NamedKey::ArrowLeft
                    | NamedKey::ArrowRight
                    | NamedKey::ArrowUp
                    | NamedKey::ArrowDown
            )
        );
        if arrow || !event.repeat {
            self.key(event_loop, &event.logical_key);
        }
    }

    fn key(&mut self, event_loop: &ActiveEventLoop, key: &Key) {
        let ctrl = self.modifiers.control_key();
        let step = ARROW_DEGREES.to_radians();
        let orbit =
            |app: &mut App, yaw, pitch| app.set_camera(camera_control::orbit(&app.cam, yaw, pitch));
        match key {
            Key::Named(NamedKey::Escape) => event_loop.exit(),
            Key::Named(NamedKey::F12) => self.screenshot = true,
            Key::Named(NamedKey::Tab) => self.toggle_panel(),
            Key::Named(NamedKey::ArrowLeft) => orbit(self, -step, 0.0),
            Key::Named(NamedKey::ArrowRight) => orbit(self, step, 0.0),
            Key::Named(NamedKey::ArrowUp) => orbit(self, 0.0, step),
            Key::Named(NamedKey::ArrowDown) => orbit(self, 0.0, -step),
            Key::Character(c) => match c.to_ascii_lowercase().as_str() {
                "q" => event_loop.exit(),
                "s" if ctrl => self.screenshot = true,
                "s" => self.cycle_stereo(),
                "r" => self.reset_view(),
                "p" => self.set_lens(match self.cam.lens {
                    Lens::Plane => Lens::Perspective,
                    Lens::Perspective => Lens::Plane,
                }),
                "m" => self.cycle_mode(),
                "k" => self.record_keyframe(),
                "v" => self.show(match self.showing {
                    Showing::Volume => Showing::Slice,
                    Showing::Slice => Showing::Volume,
                }),
                _ => return,
            },
            _ => return,
        }
        self.request_redraw();
    }

    /// A button pressed outside the panel starts a drag (left: orbit, right or middle: pan);
    /// releasing it ends the drag.
    fn mouse_input(&mut self, state: ElementState, button: MouseButton, over_panel: bool) {
        match state {
            ElementState::Pressed if self.drag.is_none() && !over_panel => {
                if matches!(
                    button,
                    MouseButton::Left | MouseButton::Right | MouseButton::Middle
                ) {
                    self.drag = Some(button);
                }
            }
            ElementState::Released if self.drag == Some(button) => self.drag = None,
            _ => {}
        }
    }

    fn mouse_moved(&mut self, x: f64, y: f64) {
        let last = self.cursor.replace((x, y));
        let (Some(button), Some((lx, ly))) = (self.drag, last) else {
            return;
        };
        let (dx, dy) = (x - lx, y - ly);
        if dx == 0.0 && dy == 0.0 {
            return;
        }
        let (w, h) = self.size();
        if self.showing == Showing::Slice {
            let slice = self.slice.panned(dx, dy, (w, h), &self.ds.hierarchy);
            self.set_slice(slice);
            return;
        }
        let cam = match button {
            MouseButton::Left => {
                let k = camera_control::orbit_radians_per_pixel(h);
                // Dragging right turns the scene right: the camera moves left.
                camera_control::orbit(&self.cam, -dx * k, dy * k)
            }
            _ => camera_control::pan(&self.cam, dx, dy, w, h),
        };
        self.set_camera(cam);
    }

    fn wheel(&mut self, delta: MouseScrollDelta) {
        let steps = match delta {
            MouseScrollDelta::LineDelta(_, y) => y as f64,
            MouseScrollDelta::PixelDelta(p) => p.y / 40.0,
        };
        let h = &self.ds.hierarchy;
        if steps != 0.0 && crate::slice::flat::is_flat(h) {
            // A 2-D dataset's image: the wheel zooms, as over the volume.
            let factor = camera_control::wheel_factor(steps);
            let slice = self.slice.zoomed(factor, self.size(), h);
            self.set_slice(slice);
        } else if steps != 0.0 && self.showing == Showing::Slice {
            let slice = self.slice.stepped(steps, h);
            self.set_slice(slice);
        } else if steps != 0.0 {
            let cam = camera_control::zoom(&self.cam, camera_control::wheel_factor(steps));
            self.set_camera(cam);
        }
    }
}

impl ApplicationHandler<UserEvent> for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.gfx.is_some() {
            return;
        }
        if let Err(e) = self.init(event_loop) {
            self.fatal = Some(e);
            event_loop.exit();
        }
    }

    fn new_events(&mut self, _: &ActiveEventLoop, cause: StartCause) {
        if let StartCause::ResumeTimeReached { .. } = cause {
            self.next_repaint = None;
            self.request_redraw();
        }
    }

    fn user_event(&mut self, _: &ActiveEventLoop, event: UserEvent) {
        match event {
            UserEvent::Loaded(what, result) => self.loaded(what, *result),
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        let Some((egui_keys, over_panel)) = self.egui_event(&event) else {
            return;
        };
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::Resized(size) => self.resize(size.width, size.height),
            WindowEvent::RedrawRequested => self.redraw(event_loop),
            WindowEvent::DroppedFile(path) => self.load(Some(path), None),
            WindowEvent::ModifiersChanged(m) => self.modifiers = m.state(),
            WindowEvent::KeyboardInput { event, .. }
                if event.state == ElementState::Pressed && !egui_keys =>
            {
                self.key_pressed(event_loop, &event)
            }
            WindowEvent::MouseInput { state, button, .. } => {
                self.mouse_input(state, button, over_panel)
            }
            WindowEvent::CursorMoved { position, .. } => self.mouse_moved(position.x, position.y),
            WindowEvent::CursorLeft { .. } => self.cursor = None,
            WindowEvent::MouseWheel { delta, .. } if !over_panel => self.wheel(delta),
            _ => {}
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        event_loop.set_control_flow(match self.next_repaint {
            Some(t) if t > Instant::now() && t < Instant::now() + Duration::from_secs(3600) => {
                ControlFlow::WaitUntil(t)
            }
            _ => ControlFlow::Wait,
        });
    }
}
