//! `--shared`: every viewer's input moves the one camera and look, and the others follow it.

use super::{command, max_diff, orbit, rt, start, viewer, Url, PATIENCE, SIZE};
use amrcast::serve::client::{Connection, Incoming};
use amrcast::serve::ServeOptions;
use image::RgbaImage;
use serde_json::{json, Value};

/// Reads `conn` until a final frame whose pixels are `pixels` (within a level); returns the
/// `state` messages that came meanwhile.
async fn follows(conn: &mut Connection, pixels: &RgbaImage) -> Vec<Value> {
    let mut states = Vec::new();
    loop {
        match conn.recv(PATIENCE).await.unwrap() {
            Incoming::Text(v) if v["type"] == "state" => states.push(v),
            Incoming::Image(i)
                if i.header.is_final && max_diff(&i.decode_png().unwrap(), pixels) <= 1 =>
            {
                return states
            }
            Incoming::Closed => panic!("closed"),
            _ => {}
        }
    }
}

#[test]
fn shared_viewers_follow_each_other() {
    let server = start(ServeOptions {
        shared: true,
        ..ServeOptions::default()
    });
    let url = Url::of(&server);
    rt().block_on(async {
        let (mut a, texts_a, first_a) = viewer(&url, SIZE).await;
        let (mut b, _, first_b) = viewer(&url, SIZE).await;
        assert_eq!(texts_a[0]["shared"], true, "{}", texts_a[0]);
        // (Equal within a level: the same view's final frame may be rendered in one pass or in
        // bands.)
        let (pa, pb) = (first_a.decode_png().unwrap(), first_b.decode_png().unwrap());
        assert!(max_diff(&pa, &pb) <= 1, "one view, one image");
        // A orbits: B's frames follow to A's final image.
        let fa = orbit(&mut a, 2, 60.0, 20.0).await;
        let pixels = fa.decode_png().unwrap();
        assert!(max_diff(&pixels, &pa) > 1, "the orbit changed the image");
        follows(&mut b, &pixels).await;
        assert_eq!(command(&mut a).await, command(&mut b).await);
        // B changes the look: A gets its state and follows to B's final image.
        let look = json!({"type": "look", "seq": 2, "colormap": "inferno"});
        b.send(&look).await.unwrap();
        let fb = b.recv_final(2, PATIENCE).await.unwrap();
        let pixels = fb.decode_png().unwrap();
        let states = follows(&mut a, &pixels).await;
        assert!(
            states.iter().any(|s| s["look"]["colormap"] == "inferno"),
            "{states:?}"
        );
        a.close().await;
        b.close().await;
    });
    server.stop();
}
