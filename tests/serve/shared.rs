//! `--shared`: every viewer's input moves the one camera and look, and the others follow it.

use super::{command, orbit, rt, start, viewer, Url, PATIENCE, SIZE};
use amrcast::serve::client::{Connection, Incoming};
use amrcast::serve::ServeOptions;
use serde_json::{json, Value};

/// The camera position of a `state`.
fn position(state: &Value) -> Value {
    state["camera"]["position"].clone()
}

/// Reads `conn` until a `state` for which `moved` holds and a final frame whose pixels are
/// `pixels` (in either order); returns that state.
async fn follows(conn: &mut Connection, moved: impl Fn(&Value) -> bool, pixels: &[u8]) -> Value {
    let (mut state, mut frame) = (None, false);
    while state.is_none() || !frame {
        match conn.recv(PATIENCE).await.unwrap() {
            Incoming::Text(v) if v["type"] == "state" && moved(&v) => state = Some(v),
            Incoming::Image(i) if i.header.is_final => {
                frame |= i.decode_png().unwrap().as_raw().as_slice() == pixels;
            }
            Incoming::Closed => panic!("closed"),
            _ => {}
        }
    }
    state.unwrap()
}

#[test]
fn shared_viewers_follow_each_other() {
    let server = start(ServeOptions {
        shared: true,
        ..ServeOptions::default()
    });
    let url = Url::of(&server);
    rt().block_on(async {
        let (mut a, texts_a, _) = viewer(&url, SIZE).await;
        let (mut b, texts_b, _) = viewer(&url, SIZE).await;
        assert_eq!(texts_a[0]["shared"], true, "{}", texts_a[0]);
        let last_state = |t: &[Value]| t.iter().rev().find(|v| v["type"] == "state").cloned().unwrap();
        let before = position(&last_state(&texts_b));
        assert_eq!(position(&last_state(&texts_a)), before);
        // A orbits: B gets a state with the moved camera and A's final image.
        let fa = orbit(&mut a, 2, 60.0, 20.0).await;
        let pixels = fa.decode_png().unwrap().into_raw();
        let state = follows(&mut b, |s| position(s) != before, &pixels).await;
        assert_ne!(position(&state), before);
        assert_eq!(command(&mut a).await, command(&mut b).await);
        // B changes the look: A follows.
        b.send(&json!({"type": "look", "seq": 2, "colormap": "inferno"})).await.unwrap();
        let fb = b.recv_final(2, PATIENCE).await.unwrap();
        let pixels = fb.decode_png().unwrap().into_raw();
        follows(&mut a, |s| s["look"]["colormap"] == "inferno", &pixels).await;
        a.close().await;
        b.close().await;
    });
    server.stop();
}
