//! `open` and `list`: refused without `--data-root`; with one, the datasets under it are
//! listed and open, and paths leaving it (`..`, absolute, links pointing out) are refused
//! without changing the open dataset.

use super::common::enzo::moving7_copy;
use super::{ask, command, demo, rt, start, viewer, Url, PATIENCE, SIZE};
use amrcast::serve::client::{Connection, Incoming};
use amrcast::serve::ServeOptions;
use serde_json::json;

#[test]
fn open_is_refused_without_a_data_root() {
    let url = demo();
    rt().block_on(async {
        let (mut conn, texts, _) = viewer(&url, SIZE).await;
        assert_eq!(texts[0]["data_root"], false, "{}", texts[0]);
        let path = super::common::enzo::moving7_copy().1;
        for p in ["moving7_0010".to_string(), path.display().to_string()] {
            let reply = ask(&mut conn, json!({"type": "open", "seq": 2, "path": p})).await;
            assert_eq!(reply["type"], "error", "open {p}: {reply}");
        }
        conn.close().await;
    });
}

/// Sends `open` of `path` and reads until its `error` (skipping `loading`); a `dataset`
/// meanwhile fails the test.
async fn refused(conn: &mut Connection, seq: u64, path: &str) -> String {
    conn.send(&json!({"type": "open", "seq": seq, "path": path}))
        .await
        .unwrap();
    loop {
        match conn.recv(PATIENCE).await.unwrap() {
            Incoming::Text(v) if v["type"] == "error" => {
                return v["message"].as_str().unwrap_or_default().to_string()
            }
            Incoming::Text(v) if v["type"] == "loading" => {}
            other => panic!("open {path}: {other:?} where an error was due"),
        }
    }
}

#[test]
fn open_inside_the_data_root_and_nothing_outside() {
    let (root, _) = moving7_copy();
    let (outside, outside_param) = moving7_copy();
    let root_path = root.path().canonicalize().unwrap();
    std::os::unix::fs::symlink(outside.path(), root_path.join("escape")).unwrap();
    std::os::unix::fs::symlink(&outside_param, root_path.join("link_0010")).unwrap();
    let server = start(ServeOptions {
        data_root: Some(root_path.clone()),
        ..ServeOptions::default()
    });
    let url = Url::of(&server);
    let outside_name = outside
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    rt().block_on(async {
        let (mut conn, texts, _) = viewer(&url, SIZE).await;
        assert_eq!(texts[0]["data_root"], true, "{}", texts[0]);
        let list = ask(&mut conn, json!({"type": "list"})).await;
        assert_eq!(list["type"], "datasets", "{list}");
        let paths: Vec<&str> = list["paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let found = paths
            .iter()
            .find(|p| p.starts_with("moving7_0010"))
            .unwrap_or_else(|| panic!("moving7_0010 not listed: {list}"));
        for p in &paths {
            assert!(
                !p.starts_with("escape") && !p.starts_with("link_0010"),
                "listed outside the root: {p}"
            );
        }
        conn.send(&json!({"type": "open", "seq": 2, "path": found}))
            .await
            .unwrap();
        let ds = conn.recv_kind("dataset", PATIENCE).await.unwrap();
        assert!(
            ds["name"].as_str().unwrap().contains("moving7_0010"),
            "{ds}"
        );
        assert!(
            ds["path"]
                .as_str()
                .is_some_and(|p| p.contains("moving7_0010")),
            "{ds}"
        );
        let state = conn.recv_kind("state", PATIENCE).await.unwrap();
        assert!(state["histogram"]["counts"].as_array().is_some(), "{state}");
        let f = conn.recv_final(2, PATIENCE).await.unwrap();
        assert_eq!((f.header.width, f.header.height), SIZE);
        let opened = command(&mut conn).await;
        assert!(opened.contains("moving7_0010"), "{opened}");
        let refusals: Vec<String> = vec![
            format!("../{outside_name}/moving7_0010"),
            "sub/../../moving7_0010".into(),
            outside_param.display().to_string(),
            root_path.join("moving7_0010").display().to_string(),
            "escape/moving7_0010".into(),
            "link_0010".into(),
            "no_such_dataset".into(),
        ];
        for (k, p) in refusals.iter().enumerate() {
            let why = refused(&mut conn, 3 + k as u64, p).await;
            assert!(!why.is_empty(), "{p}");
            assert!(
                !why.contains(&outside_name) || p.contains(&outside_name),
                "the error leaks the outside path: {why}"
            );
        }
        assert_eq!(
            command(&mut conn).await,
            opened,
            "a refused open changed the view"
        );
        conn.close().await;
    });
    server.stop();
}
