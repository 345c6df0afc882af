//! What an X screen shows: the root window's pixels, read from the server (as `import -window
//! root` or `xwd -root` would), and the geometry of a window.

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
use x11rb::rust_connection::RustConnection;

/// The whole screen of `display` as RGB (a 24-bit TrueColor visual, as Xvfb's `WxHx24`).
pub fn capture(display: &str) -> image::RgbImage {
    let (conn, screen) = RustConnection::connect(Some(display)).expect("connecting to X");
    let root = &conn.setup().roots[screen];
    let (w, h) = (root.width_in_pixels, root.height_in_pixels);
    let reply = conn
        .get_image(ImageFormat::Z_PIXMAP, root.root, 0, 0, w, h, !0)
        .unwrap()
        .reply()
        .unwrap();
    assert_eq!(reply.depth, 24, "a 24-bit screen");
    let data = reply.data;
    // 32 bits per pixel, little-endian BGRX; rows padded to 32 bits, which they already are.
    let stride = data.len() / h as usize;
    assert!(stride >= 4 * w as usize, "{stride} bytes per row of {w}");
    image::RgbImage::from_fn(w as u32, h as u32, |x, y| {
        let p = &data[y as usize * stride + 4 * x as usize..][..3];
        image::Rgb([p[2], p[1], p[0]])
    })
}

/// The position and size of `window` on the screen of `display`: (x, y, width, height).
pub fn window_geometry(display: &str, window: u32) -> (i32, i32, u32, u32) {
    let (conn, _) = RustConnection::connect(Some(display)).expect("connecting to X");
    let g = conn.get_geometry(window).unwrap().reply().unwrap();
    let at = conn
        .translate_coordinates(window, g.root, 0, 0)
        .unwrap()
        .reply()
        .unwrap();
    (
        at.dst_x as i32,
        at.dst_y as i32,
        g.width as u32,
        g.height as u32,
    )
}
