//! An in-process viewer ([`LocalViewer`], what the Jupyter widget uses) on a hub holding a
//! dataset built in memory: the same messages as a WebSocket viewer, one frame at a time until
//! the transport acknowledges it, the same refusals, and `command` as a Python call.

use super::{max_diff, PATIENCE};
use amrcast::gpu::GpuContext;
use amrcast::serve::client::Image;
use amrcast::serve::connection::Outgoing;
use amrcast::serve::datasets::Loaded;
use amrcast::serve::hub::{Hub, HubOptions};
use amrcast::serve::local::LocalViewer;
use amrcast::serve::view::DataKey;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A hub on the demo's dataset, held as a Python scene would hold it: in memory, no path.
fn hub() -> Arc<Hub> {
    let ctx = GpuContext::new().unwrap();
    let ds = amrcast::session::DataSpec::default().load().unwrap();
    let key = DataKey {
        path: None,
        field: ds.field.name.clone(),
    };
    let fields = vec![ds.field.name.clone()];
    let settings = Default::default();
    let loaded = Loaded::new(
        &ctx,
        key,
        Arc::new(ds),
        "scene".into(),
        None,
        fields,
        &settings,
    )
    .unwrap();
    let options = HubOptions {
        python_receiver: Some("sc".into()),
        ..HubOptions::default()
    };
    Hub::start(ctx, loaded, options).unwrap()
}

enum Got {
    Text(Value),
    Frame(Image),
}

fn next(v: &LocalViewer, patience: Duration) -> Option<Got> {
    match v.recv(patience)? {
        Outgoing::Text(t) => Some(Got::Text(serde_json::from_str(&t).unwrap())),
        Outgoing::Image { bytes, .. } => {
            Some(Got::Frame(Image::parse(&bytes, Instant::now()).unwrap()))
        }
    }
}

/// Messages until the final frame for `seq` (acknowledging every frame); the texts seen.
fn until_final(v: &LocalViewer, seq: u64) -> (Vec<Value>, Image) {
    let mut texts = Vec::new();
    loop {
        match next(v, PATIENCE).expect("a message before the patience runs out") {
            Got::Text(t) => texts.push(t),
            Got::Frame(f) => {
                v.frame_delivered();
                if f.header.is_final && f.header.seq >= seq {
                    return (texts, f);
                }
            }
        }
    }
}

fn send(v: &LocalViewer, msg: Value) {
    v.send(&msg.to_string());
}

#[test]
fn a_local_viewer_speaks_the_protocol_one_frame_at_a_time() {
    let hub = hub();
    let v = LocalViewer::connect(hub.clone()).unwrap();
    assert_eq!(hub.viewers(), 1);
    send(
        &v,
        json!({"type": "resize", "seq": 1, "width": 96, "height": 64}),
    );
    let (texts, first) = until_final(&v, 1);
    let kinds: Vec<&str> = texts.iter().filter_map(|t| t["type"].as_str()).collect();
    assert_eq!(&kinds[..3], ["hello", "dataset", "state"], "{texts:?}");
    assert_eq!(texts[1]["name"], "scene");
    assert_eq!((first.header.width, first.header.height), (96, 64));

    // An orbit: a first frame comes, and nothing more until it is acknowledged.
    send(
        &v,
        json!({"type": "orbit", "seq": 2, "dx": 40.0, "dy": 0.0}),
    );
    let frame = loop {
        match next(&v, PATIENCE).expect("a frame") {
            Got::Frame(f) => break f,
            Got::Text(t) => assert_ne!(t["type"], "error", "{t}"),
        }
    };
    assert_eq!(frame.header.seq, 2);
    assert!(
        v.recv(Duration::from_millis(600)).is_none(),
        "no frame before the ack"
    );
    v.frame_delivered();
    let (_, moved) = until_final(&v, 2);
    let (a, b) = (first.decode_png().unwrap(), moved.decode_png().unwrap());
    assert!(max_diff(&a, &b) > 1, "the orbit changed the image");

    // `command` is the scene's render call with this view.
    send(&v, json!({"type": "command"}));
    let text = loop {
        if let Got::Text(t) = next(&v, PATIENCE).expect("the command") {
            if t["type"] == "command" {
                break t["text"].as_str().unwrap().to_string();
            }
        }
    };
    assert!(text.starts_with("sc.render(size=(96, 64)"), "{text}");
    assert!(
        text.contains("size=(96, 64)") && text.contains("camera_position=("),
        "{text}"
    );

    drop(v);
    assert_eq!(hub.viewers(), 0);
}

#[test]
fn a_local_viewer_is_refused_what_a_socket_viewer_is() {
    let v = LocalViewer::connect(hub()).unwrap();
    send(
        &v,
        json!({"type": "resize", "seq": 1, "width": 64, "height": 48}),
    );
    until_final(&v, 1);
    let errors = |v: &LocalViewer| {
        let mut out = Vec::new();
        while let Some(got) = next(v, Duration::from_millis(300)) {
            match got {
                Got::Text(t) if t["type"] == "error" => out.push(t["message"].to_string()),
                Got::Frame(_) => v.frame_delivered(),
                Got::Text(_) => {}
            }
        }
        out
    };
    v.send("{not json");
    v.send(&"x".repeat(amrcast::serve::protocol::MAX_MESSAGE_BYTES + 1));
    send(&v, json!({"type": "open", "seq": 2, "path": "other"}));
    send(
        &v,
        json!({"type": "field", "seq": 3, "name": "Temperature"}),
    );
    let e = errors(&v);
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(e[1].contains("refused"), "{e:?}");
    assert!(e[2].contains("opens no other datasets"), "{e:?}");
    assert!(e[3].contains("no field 'Temperature' in scene"), "{e:?}");
}
