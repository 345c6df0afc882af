//! What a misbehaving client gets: an `error` for each malformed message and no change, the
//! connection closed for an oversized one, throttling for a flood; and a viewer that leaves
//! mid-frame is forgotten. Another viewer keeps being served throughout.

use super::{command, demo, eventually, orbit, rt, start, text, viewer, Url, PATIENCE, SIZE};
use amrcast::serve::client::{Connection, Incoming};
use amrcast::serve::ServeOptions;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

/// Messages the protocol refuses, each with what makes it wrong.
fn malformed() -> Vec<(&'static str, Message)> {
    let t = |s: &str| Message::text(s.to_string());
    vec![
        ("not JSON", t("orbit 3 4")),
        ("empty", t("")),
        ("JSON null", t("null")),
        ("an array", t("[1, 2]")),
        ("no type", t(r#"{"seq": 2, "dx": 1, "dy": 1}"#)),
        ("unknown type", t(r#"{"type": "warp", "seq": 2}"#)),
        (
            "unknown field",
            t(r#"{"type": "orbit", "seq": 2, "dx": 1, "dy": 1, "dz": 1}"#),
        ),
        (
            "seq a string",
            t(r#"{"type": "orbit", "seq": "2", "dx": 1, "dy": 1}"#),
        ),
        (
            "dx a string",
            t(r#"{"type": "orbit", "seq": 2, "dx": "1", "dy": 1}"#),
        ),
        ("dx missing", t(r#"{"type": "orbit", "seq": 2, "dy": 1}"#)),
        (
            "NaN",
            t(r#"{"type": "orbit", "seq": 2, "dx": NaN, "dy": 1}"#),
        ),
        (
            "Infinity",
            t(r#"{"type": "pan", "seq": 2, "dx": Infinity, "dy": 1}"#),
        ),
        (
            "1e400",
            t(r#"{"type": "orbit", "seq": 2, "dx": 1e400, "dy": 1}"#),
        ),
        (
            "zoom 101 steps",
            t(r#"{"type": "zoom", "seq": 2, "steps": 101}"#),
        ),
        (
            "zoom 1e300 steps",
            t(r#"{"type": "zoom", "seq": 2, "steps": 1e300}"#),
        ),
        (
            "width 15",
            t(r#"{"type": "resize", "seq": 2, "width": 15, "height": 100}"#),
        ),
        (
            "width 4097",
            t(r#"{"type": "resize", "seq": 2, "width": 4097, "height": 100}"#),
        ),
        (
            "height 1e308",
            t(r#"{"type": "resize", "seq": 2, "width": 100, "height": 1e308}"#),
        ),
        (
            "width -100",
            t(r#"{"type": "resize", "seq": 2, "width": -100, "height": 100}"#),
        ),
        (
            "unknown view",
            t(r#"{"type": "reset", "seq": 2, "view": "w"}"#),
        ),
        (
            "unknown colormap",
            t(r#"{"type": "look", "seq": 2, "colormap": "jet2"}"#),
        ),
        (
            "opacity 0",
            t(r#"{"type": "look", "seq": 2, "opacity": 0}"#),
        ),
        (
            "opacity 1e9",
            t(r#"{"type": "look", "seq": 2, "opacity": 1e9}"#),
        ),
        (
            "bounds reversed",
            t(r#"{"type": "look", "seq": 2, "bounds": [5, 1]}"#),
        ),
        (
            "bounds of one",
            t(r#"{"type": "look", "seq": 2, "bounds": [1]}"#),
        ),
        (
            "samples 0.01",
            t(r#"{"type": "look", "seq": 2, "samples_per_cell": 0.01}"#),
        ),
        (
            "layers 33",
            t(r#"{"type": "look", "seq": 2, "layers": 33}"#),
        ),
        (
            "points unsorted",
            t(r#"{"type": "look", "seq": 2, "points": [[0.6, 0.1], [0.2, 0.3]]}"#),
        ),
        (
            "point above 1",
            t(r#"{"type": "look", "seq": 2, "points": [[0.5, 1.5]]}"#),
        ),
        ("fov 171", t(r#"{"type": "look", "seq": 2, "fov": 171}"#)),
        (
            "unknown mode",
            t(r#"{"type": "look", "seq": 2, "mode": "xray"}"#),
        ),
        (
            "unknown look field",
            t(r#"{"type": "look", "seq": 2, "gamma": 2}"#),
        ),
        (
            "unknown field name",
            t(r#"{"type": "field", "seq": 2, "name": "NoSuchField"}"#),
        ),
        ("binary", Message::binary(vec![1u8, 2, 3, 4])),
    ]
}

#[test]
fn malformed_messages_get_an_error_and_change_nothing() {
    let url = demo();
    rt().block_on(async {
        let (mut a, _, _) = viewer(&url, SIZE).await;
        let (mut b, _, _) = viewer(&url, SIZE).await;
        let before = command(&mut a).await;
        for (what, msg) in malformed() {
            a.send_raw(msg).await.unwrap();
            // A view at rest sends no frames: the next message is the reply (an unknown field
            // is refused without reading; `loading` is skipped all the same).
            let mut reply = text(a.recv(PATIENCE).await.unwrap());
            while reply["type"] == "loading" {
                reply = text(a.recv(PATIENCE).await.unwrap());
            }
            assert_eq!(reply["type"], "error", "{what}: {reply}");
            assert!(
                reply["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{what}"
            );
        }
        assert_eq!(command(&mut a).await, before, "the errors changed the view");
        // Both viewers still work.
        let f = orbit(&mut b, 2, 20.0, 0.0).await;
        assert_eq!((f.header.width, f.header.height), SIZE);
        let f = orbit(&mut a, 2, 20.0, 0.0).await;
        assert_eq!((f.header.width, f.header.height), SIZE);
        assert_ne!(
            command(&mut a).await,
            before,
            "an orbit changes the command"
        );
        // An oversized message: refused with an error, or the connection closed.
        let big = format!(
            r#"{{"type":"look","seq":3,"colormap":"{}"}}"#,
            "x".repeat(100 << 10)
        );
        let _ = a.send_raw(Message::text(big)).await;
        match a.recv(PATIENCE).await {
            Ok(Incoming::Closed) | Err(_) => {}
            Ok(Incoming::Text(v)) => assert_eq!(v["type"], "error", "{v}"),
            Ok(Incoming::Image(i)) => panic!("an image after a 100 KiB message: {:?}", i.header),
        }
        let f = orbit(&mut b, 3, 0.0, 20.0).await;
        assert_eq!((f.header.width, f.header.height), SIZE);
        b.close().await;
    });
}

#[test]
fn a_look_the_data_cannot_take_is_refused_and_the_look_in_force_is_stated() {
    let url = demo();
    rt().block_on(async {
        let (mut a, texts, _) = viewer(&url, SIZE).await;
        let first = texts.iter().rev().find(|t| t["type"] == "state").unwrap();
        let bounds = first["look"]["bounds"].clone();
        assert!(bounds[0].as_f64().unwrap() > 0.0, "{first}");
        // Valid JSON in range, but no log of -5: the dataset refuses it.
        let look = json!({"type": "look", "seq": 2, "scale": "log", "bounds": [-5.0, 1.0]});
        a.send(&look).await.unwrap();
        let e = a.recv_kind("error", PATIENCE).await.unwrap();
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("cannot use that look"),
            "{e}"
        );
        let state = a.recv_kind("state", PATIENCE).await.unwrap();
        assert_eq!(state["look"]["bounds"], bounds, "{state}");
        assert_eq!(state["look"]["scale"], "log", "{state}");
        let f = orbit(&mut a, 3, 20.0, 0.0).await;
        assert_eq!((f.header.width, f.header.height), SIZE);
        a.close().await;
    });
}

/// The error messages a flood of `n` orbits gets, and the total messages received (read
/// until a final frame reflecting one of them, or the connection closing).
async fn flood(conn: &mut Connection, n: u64) -> Vec<String> {
    for seq in 2..2 + n {
        let msg = json!({"type": "orbit", "seq": seq, "dx": 0.25, "dy": 0.0});
        if conn.send(&msg).await.is_err() {
            break;
        }
    }
    let mut errors = Vec::new();
    // The view ends at rest: wait for a final frame after the last error.
    loop {
        match conn.recv(PATIENCE).await.unwrap() {
            Incoming::Text(v) if v["type"] == "error" => {
                errors.push(v["message"].as_str().unwrap_or_default().to_string())
            }
            Incoming::Image(i) if i.header.is_final && !errors.is_empty() => return errors,
            Incoming::Closed => return errors,
            _ => {}
        }
    }
}

#[test]
fn a_flood_is_throttled_and_others_are_still_served() {
    let url = demo();
    rt().block_on(async {
        let (mut a, _, _) = viewer(&url, SIZE).await;
        let (mut b, _, _) = viewer(&url, SIZE).await;
        let errors = flood(&mut a, 2000).await;
        assert!(!errors.is_empty(), "2000 messages at once got no error");
        let lower = errors[0].to_lowercase();
        assert!(
            ["too many", "throttl", "rate", "dropped", "fast"]
                .iter()
                .any(|w| lower.contains(w)),
            "the error does not say why: {}",
            errors[0]
        );
        let f = orbit(&mut b, 2, 15.0, 5.0).await;
        assert_eq!((f.header.width, f.header.height), SIZE);
        b.close().await;
    });
}

#[test]
fn a_viewer_leaving_mid_frame_is_forgotten() {
    let server = start(ServeOptions::default());
    let url = Url::of(&server);
    let rt = rt();
    let (mut a, _, _) = rt.block_on(viewer(&url, SIZE));
    let mut b = rt.block_on(Connection::connect(&url.page)).unwrap();
    assert!(
        eventually(|| server.viewers() == 2),
        "two viewers connected"
    );
    rt.block_on(async {
        // A large frame, so that it is still being rendered when the viewer goes.
        let resize = json!({"type": "resize", "seq": 1, "width": 2048, "height": 1536});
        b.send(&resize).await.unwrap();
        b.send(&json!({"type": "orbit", "seq": 2, "dx": 5, "dy": 5}))
            .await
            .unwrap();
    });
    drop(b);
    assert!(
        eventually(|| server.viewers() == 1),
        "the viewer that left is still counted: {}",
        server.viewers()
    );
    rt.block_on(async {
        orbit(&mut a, 2, 10.0, 0.0).await;
        a.close().await;
    });
    assert!(
        eventually(|| server.viewers() == 0),
        "{} viewers",
        server.viewers()
    );
    server.stop();
}
