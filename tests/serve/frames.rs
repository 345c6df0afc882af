//! The messages a viewer gets: `hello`, then `dataset` and `state`; frames of the size asked
//! (final ones exactly that size, PNG; interactive ones no larger, JPEG) whose seq never goes
//! back; and a screenshot equal to what `amrcast render` writes for the server's `command`.

use super::{command, demo, max_diff, orbit, rt, viewer, PATIENCE};
use amrcast::serve::client::{Connection, Image, ImageKind, Incoming};
use serde_json::{json, Value};

/// Checks an image against the view size asked for; returns its seq.
fn check(i: &Image, size: (u32, u32)) -> u64 {
    let h = &i.header;
    assert_eq!(h.kind, ImageKind::Frame, "{h:?}");
    assert_eq!(h.id, None, "{h:?}");
    assert_eq!(h.view, [size.0, size.1], "{h:?}");
    let file = image::ImageReader::new(std::io::Cursor::new(&i.data))
        .with_guessed_format()
        .unwrap();
    let format = match file.format() {
        Some(image::ImageFormat::Png) => "png",
        Some(image::ImageFormat::Jpeg) => "jpeg",
        other => panic!("not a PNG or JPEG ({other:?}): {h:?}"),
    };
    let own = (format, file.into_dimensions().unwrap());
    assert_eq!(own, (h.format.as_str(), (h.width, h.height)), "{h:?}");
    if h.is_final {
        assert_eq!(
            (h.format.as_str(), h.width, h.height),
            ("png", size.0, size.1)
        );
        let png = i.decode_png().unwrap();
        assert_eq!(png.dimensions(), size);
    } else {
        assert_eq!(h.format, "jpeg", "{h:?}");
        assert!(h.width <= size.0 && h.height <= size.1, "{h:?}");
        assert!(h.width >= 1 && h.height >= 1, "{h:?}");
    }
    assert!(h.render_ms.is_finite() && h.render_ms >= 0.0, "{h:?}");
    h.seq
}

fn vec3(v: &Value) -> [f64; 3] {
    let a: Vec<f64> = v
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    a.try_into()
        .unwrap_or_else(|_| panic!("not 3 numbers: {v}"))
}

/// The `hello`, `dataset` and `state` of the demo.
fn check_openings(texts: &[Value]) {
    let kinds: Vec<&str> = texts.iter().filter_map(|v| v["type"].as_str()).collect();
    assert_eq!(
        kinds.get(..3),
        Some(&["hello", "dataset", "state"][..]),
        "{kinds:?}"
    );
    let hello = &texts[0];
    assert_eq!(hello["version"], 1, "{hello}");
    assert_eq!(hello["shared"], false, "{hello}");
    assert_eq!(hello["data_root"], false, "{hello}");
    let ds = &texts[1];
    assert_eq!(ds["path"], Value::Null, "the demo has no path: {ds}");
    let fields: Vec<&str> = ds["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(fields.contains(&ds["field"].as_str().unwrap()), "{ds}");
    assert_eq!(ds["dimensionality"], 3, "{ds}");
    let (lo, hi) = (vec3(&ds["domain"][0]), vec3(&ds["domain"][1]));
    assert!((0..3).all(|k| lo[k] < hi[k]), "{ds}");
    let range = [
        ds["range"][0].as_f64().unwrap(),
        ds["range"][1].as_f64().unwrap(),
    ];
    assert!(range[0] < range[1], "{ds}");
    let state = &texts[2];
    let camera = &state["camera"];
    let (position, focus) = (vec3(&camera["position"]), vec3(&camera["focus"]));
    assert_ne!(position, focus, "{state}");
    vec3(&camera["up"]);
    let bounds = &state["look"]["bounds"];
    assert!(
        bounds[0].as_f64().unwrap() < bounds[1].as_f64().unwrap(),
        "{state}"
    );
    let histogram = &state["histogram"];
    let counts = histogram["counts"].as_array().unwrap();
    assert_eq!(counts.len(), 128, "{state}");
    assert!(counts.iter().any(|c| c.as_u64().unwrap() > 0), "{state}");
}

#[test]
fn hello_dataset_state_then_frames_of_the_size_asked() {
    let url = demo();
    rt().block_on(async {
        let size = (200, 150);
        let mut conn = Connection::connect(&url.page).await.unwrap();
        conn.send(&json!({"type": "resize", "seq": 1, "width": size.0, "height": size.1}))
            .await
            .unwrap();
        let mut before = Vec::new();
        let want = |m: &Incoming| matches!(m, Incoming::Image(i) if i.header.is_final && i.header.seq >= 1);
        let first = conn.recv_until(PATIENCE, want, |m| before.push(m)).await.unwrap();
        assert_eq!(before.first().and_then(Incoming::kind), Some("hello"), "hello comes first");
        let texts: Vec<Value> = before
            .iter()
            .filter_map(|m| match m {
                Incoming::Text(v) => Some(v.clone()),
                _ => None,
            })
            .collect();
        check_openings(&texts);
        let Incoming::Image(first) = first else { unreachable!() };
        let mut seq = check(&first, size);
        // One orbit: a reduced frame first (JPEG), then the final one (PNG).
        conn.send(&json!({"type": "orbit", "seq": 2, "dx": 30, "dy": 10})).await.unwrap();
        let Incoming::Image(i) = conn.recv(PATIENCE).await.unwrap() else {
            panic!("an orbit's reply is a frame");
        };
        assert!(!i.header.is_final, "the first frame after an input is interactive");
        assert_eq!(check(&i, size), 2);
        // A drag: seq never goes back and ends at the last input's.
        for s in 3..=12 {
            conn.send(&json!({"type": "orbit", "seq": s, "dx": 4, "dy": -2})).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(15)).await;
        }
        loop {
            match conn.recv(PATIENCE).await.unwrap() {
                Incoming::Image(i) => {
                    let s = check(&i, size);
                    assert!(s >= seq, "seq went back from {seq} to {s}");
                    seq = s;
                    if i.header.is_final && s == 12 {
                        break;
                    }
                }
                Incoming::Text(v) => panic!("no text expected while orbiting: {v}"),
                Incoming::Closed => panic!("closed"),
            }
        }
        // Another size.
        conn.send(&json!({"type": "resize", "seq": 13, "width": 96, "height": 64}))
            .await
            .unwrap();
        let f = conn.recv_final(13, PATIENCE).await.unwrap();
        check(&f, (96, 64));
        conn.close().await;
    });
}

/// Splits a command line into words: spaces separate, single and double quotes group,
/// a backslash escapes the next character outside single quotes.
fn words(line: &str) -> Vec<String> {
    let (mut out, mut word, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, ' ' | '\t' | '\n') => {
                if any {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, '\'' | '"') => (quote, any) = (Some(c), true),
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => word.push(c),
            (_, c) => {
                word.extend(if c == '\\' { chars.next() } else { Some(c) });
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

/// Runs the `amrcast render` command `line` in `dir`, writing the image to `dir/shot.png`
/// instead of its own output; returns that image.
fn render(line: &str, dir: &std::path::Path) -> image::RgbaImage {
    let mut w = words(line);
    assert_eq!(w.first().map(String::as_str), Some("amrcast"), "{line}");
    assert_eq!(w.get(1).map(String::as_str), Some("render"), "{line}");
    let out = dir.join("shot.png");
    match w.iter().position(|a| a == "-o" || a == "--output") {
        Some(k) => w[k + 1] = out.display().to_string(),
        None => w.extend(["-o".into(), out.display().to_string()]),
    }
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(&w[1..])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "amrcast {}", w[1..].join(" "));
    image::open(&out).unwrap().to_rgba8()
}

#[test]
fn a_screenshot_is_what_render_writes_for_the_command() {
    let url = demo();
    let dir = tempfile::tempdir().unwrap();
    let size = (120, 90);
    let (shot, line, last) = rt().block_on(async {
        let (mut conn, _, _) = viewer(&url, size).await;
        orbit(&mut conn, 2, 40.0, 25.0).await;
        let look = json!({"type": "look", "seq": 3, "colormap": "magma", "opacity": 2.0, "layers": 6});
        conn.send(&look).await.unwrap();
        let last = conn.recv_final(3, PATIENCE).await.unwrap();
        let line = command(&mut conn).await;
        conn.send(&json!({"type": "screenshot", "id": 7})).await.unwrap();
        let want = |m: &Incoming| matches!(m, Incoming::Image(i) if i.header.kind == ImageKind::Screenshot);
        let Incoming::Image(shot) = conn.recv_until(PATIENCE, want, |_| {}).await.unwrap() else {
            unreachable!()
        };
        conn.close().await;
        (shot, line, last)
    });
    let h = &shot.header;
    assert_eq!(h.id, Some(7), "{h:?}");
    assert_eq!(
        (h.format.as_str(), h.width, h.height),
        ("png", size.0, size.1),
        "{h:?}"
    );
    for part in ["--colormap=magma", "--opacity=2", "--layers=6"] {
        assert!(line.contains(part), "the command misses {part}: {line}");
    }
    let ours = shot.decode_png().unwrap();
    let theirs = render(&line, dir.path());
    assert_eq!(ours.dimensions(), theirs.dimensions(), "{line}");
    let worst = max_diff(&ours, &theirs);
    assert!(
        worst <= 1,
        "a channel differs by {worst} levels from `{line}`"
    );
    let worst = max_diff(&ours, &last.decode_png().unwrap());
    assert!(
        worst <= 1,
        "the final frame differs by {worst} levels from the screenshot"
    );
    let colours: std::collections::HashSet<[u8; 4]> = ours.pixels().map(|p| p.0).collect();
    assert!(
        colours.len() > 20,
        "the screenshot has {} colours",
        colours.len()
    );
}

#[test]
fn words_split_like_a_shell() {
    assert_eq!(
        words(r#"amrcast render 'a b' "c d" e\ f --x=1"#),
        ["amrcast", "render", "a b", "c d", "e f", "--x=1"]
    );
    assert_eq!(words(" x  '' y "), ["x", "", "y"]);
}
