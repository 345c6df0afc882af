//! How the viewer divides the screen: the window's initial size from the monitor, the side
//! panel's width range, and the volume's part of the window beside the panel. GPU-free, so
//! that the rules are tested without a window.

use crate::gpu::display::Rect;

/// The window's default size in logical pixels (points), when the monitor has room for it.
pub const DEFAULT_WINDOW: (f64, f64) = (1280.0, 800.0);
/// The share of a smaller monitor's width and height the window takes.
pub const MONITOR_SHARE: f64 = 0.85;
/// The size used when the monitor is unknown (no monitor reported), physical pixels.
const NO_MONITOR: (u32, u32) = (1280, 800);

/// The panel's preferred width, points (margins included).
pub const PANEL_WIDTH: f32 = 300.0;
/// The panel never grows wider than this, points, however wide the window.
pub const PANEL_MAX: f32 = 360.0;
/// The share of the window's width the panel may take on a normal window.
pub const PANEL_SHARE: f32 = 0.3;
/// On a narrow window the panel may still take this many points (so that its rows stay
/// usable), but never more than half of the window.
pub const PANEL_USABLE: f32 = 220.0;

/// The window's initial size in physical pixels: `requested` (`--size`) exactly when given;
/// else [`DEFAULT_WINDOW`] at the monitor's `scale` factor, shrunk to [`MONITOR_SHARE`] of the
/// monitor's size (physical pixels) in each direction where that is smaller.
pub fn initial_window_size(
    requested: Option<(u32, u32)>,
    monitor: Option<(u32, u32)>,
    scale: f64,
) -> (u32, u32) {
    if let Some(size) = requested {
        return size;
    }
    let Some((mw, mh)) = monitor.filter(|&(w, h)| w > 0 && h > 0) else {
        return NO_MONITOR;
    };
    let scale = if scale.is_finite() && scale > 0.0 {
        scale
    } else {
        1.0
    };
    let fit = |default: f64, monitor: u32| {
        let share = (MONITOR_SHARE * monitor as f64).floor();
        (default * scale).round().min(share).max(1.0) as u32
    };
    (fit(DEFAULT_WINDOW.0, mw), fit(DEFAULT_WINDOW.1, mh))
}

/// The widest the panel may be in a window `window_width` points wide: [`PANEL_SHARE`] of
/// it, or [`PANEL_USABLE`] points where that is more (at most half the window), and never
/// more than [`PANEL_MAX`].
pub fn panel_max_width(window_width: f32) -> f32 {
    let share = PANEL_SHARE * window_width;
    let usable = PANEL_USABLE.min(0.5 * window_width);
    share.max(usable).min(PANEL_MAX)
}

/// The panel's initial width in a window `window_width` points wide.
pub fn panel_default_width(window_width: f32) -> f32 {
    PANEL_WIDTH.min(panel_max_width(window_width))
}

/// The volume's part of a `w` x `h` window whose panel ends `panel` pixels from the left.
pub fn volume_rect(w: u32, h: u32, panel: u32) -> Rect {
    let x = panel.min(w.saturating_sub(1));
    Rect {
        offset: [x, 0],
        size: [(w - x).max(1), h.max(1)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_is_exactly_the_requested_one() {
        assert_eq!(
            initial_window_size(Some((200, 150)), Some((1600, 1000)), 1.0),
            (200, 150)
        );
        assert_eq!(
            initial_window_size(Some((3000, 3000)), Some((800, 600)), 2.0),
            (3000, 3000)
        );
    }

    #[test]
    fn default_window_fits_the_monitor() {
        // Room for 1280x800.
        assert_eq!(
            initial_window_size(None, Some((1600, 1000)), 1.0),
            (1280, 800)
        );
        assert_eq!(
            initial_window_size(None, Some((3840, 2160)), 1.0),
            (1280, 800)
        );
        // A smaller monitor: 85% of it.
        assert_eq!(initial_window_size(None, Some((800, 600)), 1.0), (680, 510));
        assert_eq!(
            initial_window_size(None, Some((1366, 768)), 1.0),
            (1161, 652)
        );
        // HiDPI: the default in points, still within the monitor.
        assert_eq!(
            initial_window_size(None, Some((3840, 2160)), 2.0),
            (2560, 1600)
        );
        assert_eq!(
            initial_window_size(None, Some((2560, 1600)), 2.0),
            (2176, 1360)
        );
        // No monitor, or a nonsensical one.
        assert_eq!(initial_window_size(None, None, 1.0), (1280, 800));
        assert_eq!(initial_window_size(None, Some((0, 0)), 1.0), (1280, 800));
        assert_eq!(
            initial_window_size(None, Some((1600, 1000)), f64::NAN),
            (1280, 800)
        );
    }

    #[test]
    fn the_volume_gets_most_of_the_width() {
        for w in [200.0f32, 300.0, 512.0, 680.0, 800.0, 1024.0, 1280.0, 2560.0] {
            let max = panel_max_width(w);
            let default = panel_default_width(w);
            assert!(default <= max && max <= PANEL_MAX, "{w}: {default} {max}");
            assert!(max <= 0.5 * w, "{w}: the panel may take {max}");
            if w >= 1000.0 {
                // Normal windows: at most 30% of the width.
                assert!(max <= PANEL_SHARE * w + 1e-3, "{w}: {max}");
            }
        }
        // The 512-pixel window gave the panel 307 pixels; now at most 220.
        assert_eq!(panel_default_width(512.0), 220.0);
        assert_eq!(panel_default_width(1280.0), 300.0);
        assert_eq!(panel_max_width(1280.0), 360.0);
        assert_eq!(panel_max_width(1000.0), 300.0);
    }

    #[test]
    fn volume_is_right_of_the_panel() {
        let r = volume_rect(1280, 800, 300);
        assert_eq!((r.offset, r.size), ([300, 0], [980, 800]));
        let r = volume_rect(1280, 800, 0);
        assert_eq!((r.offset, r.size), ([0, 0], [1280, 800]));
        // A panel wider than the window leaves one column.
        let r = volume_rect(100, 50, 400);
        assert_eq!((r.offset, r.size), ([99, 0], [1, 50]));
    }
}
