//! The HTTP side: the page and the WebSocket need the token (compared whole, whatever its
//! length), the script does not, other paths are 404, foreign origins are refused, and every
//! response forbids caching and referrers.

use super::{demo, get, upgrade, Response};

/// Wrong tokens: none, empty, one digit changed (same length), one digit more or less.
fn wrong_tokens(token: &str) -> Vec<Option<String>> {
    let last = token.chars().last().unwrap();
    let flipped = if last == '0' { '1' } else { '0' };
    vec![
        None,
        Some(String::new()),
        Some(format!("{}{flipped}", &token[..token.len() - 1])),
        Some(format!("{token}0")),
        Some(token[..token.len() - 1].to_string()),
        Some(token.to_uppercase()).filter(|t| t != token),
    ]
}

fn query(token: &Option<String>) -> String {
    token
        .as_ref()
        .map_or(String::new(), |t| format!("?token={t}"))
}

fn assert_private(r: &Response, what: &str) {
    assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{what}");
}

#[test]
fn the_page_and_the_socket_need_the_token() {
    let url = demo();
    assert_eq!(url.token.len(), 64, "256 bits as hex digits");
    assert!(url.token.chars().all(|c| c.is_ascii_hexdigit()));
    let good = Some(url.token.clone());
    let page = get(url.addr, &format!("/{}", query(&good)), &[]);
    assert_eq!(page.status, 200);
    assert_private(&page, "the page");
    let ws = get(url.addr, &format!("/ws{}", query(&good)), &upgrade());
    assert_eq!(ws.status, 101, "the upgrade with the token");
    for token in wrong_tokens(&url.token) {
        let q = query(&token);
        let r = get(url.addr, &format!("/{q}"), &[]);
        assert_eq!(r.status, 403, "the page with {q:?}");
        assert_private(&r, "a refused page");
        let r = get(url.addr, &format!("/ws{q}"), &upgrade());
        assert_eq!(r.status, 403, "the upgrade with {q:?}");
        let r = get(url.addr, &format!("/ws{q}"), &[]);
        assert_eq!(r.status, 403, "a plain GET of /ws with {q:?}");
    }
}

#[test]
fn the_script_needs_no_token_and_other_paths_are_404() {
    let url = demo();
    for path in ["/viewer.js", "/viewer.css"] {
        let r = get(url.addr, path, &[]);
        assert_eq!(r.status, 200, "{path}");
        assert_private(&r, path);
    }
    let q = format!("?token={}", url.token);
    for path in ["/nope", "/index.html/..", "/ws/x", "/viewer.js/x", "/.."] {
        let r = get(url.addr, &format!("{path}{q}"), &[]);
        assert_eq!(r.status, 404, "{path}");
        assert_private(&r, path);
    }
}

#[test]
fn a_foreign_origin_is_refused() {
    let url = demo();
    let path = format!("/ws?token={}", url.token);
    let port = url.addr.port();
    let own = format!("http://{}", url.addr);
    let with = |origin: Option<&str>| {
        let mut h = upgrade();
        if let Some(o) = origin {
            h.push(("Origin", o));
        }
        get(url.addr, &path, &h).status
    };
    assert_eq!(with(None), 101, "no Origin (a script, not a browser)");
    assert_eq!(with(Some(&own)), 101, "the server's own origin {own}");
    for foreign in [
        "http://evil.example".to_string(),
        format!("http://evil.example:{port}"),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        format!("http://localhost.evil.example:{port}"),
        "null".to_string(),
        format!("{own}.evil.example"),
    ] {
        assert_eq!(with(Some(&foreign)), 403, "Origin {foreign}");
    }
}

#[test]
fn the_client_connects_only_with_the_token() {
    let url = demo();
    super::rt().block_on(async {
        let bad = url.page.replace(&url.token, &"0".repeat(64));
        let e = amrcast::serve::client::Connection::connect(&bad)
            .await
            .err()
            .expect("a wrong token is refused");
        assert!(e.to_string().contains("403"), "{e}");
        let e = amrcast::serve::client::Connection::connect_with(
            &url.page,
            Some("http://evil.example"),
        )
        .await
        .err()
        .expect("a foreign origin is refused");
        assert!(e.to_string().contains("403"), "{e}");
        let conn = amrcast::serve::client::Connection::connect(&url.page)
            .await
            .unwrap();
        conn.close().await;
    });
}
