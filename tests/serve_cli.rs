//! `amrcast serve` from the command line: what it refuses at start (one clear error naming
//! the cause, a non-zero exit), and HTTPS with a certificate and key.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

fn amrcast() -> Command {
    Command::new(env!("CARGO_BIN_EXE_amrcast"))
}

/// A server child process, killed when dropped.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `amrcast serve ARGS` and returns it with the URL it printed.
fn serve(args: &[&str]) -> (Serving, String) {
    let mut child = amrcast()
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (Serving(child), line.trim().to_string())
}

/// Runs `amrcast serve ARGS`, expecting it to fail at start; its standard error.
fn refused(args: &[&str]) -> String {
    let out = amrcast().arg("serve").args(args).output().unwrap();
    assert!(!out.status.success(), "serve {args:?} should fail");
    assert!(
        out.stdout.is_empty(),
        "no URL is printed for a server that did not start"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_server_that_cannot_start_says_why() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let e = refused(&["--port", &port]);
    assert!(
        e.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{e}"
    );

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let e = refused(&["--port", "0", "--data-root", missing.to_str().unwrap()]);
    assert!(e.contains("nowhere"), "{e}");
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let e = refused(&["--port", "0", "--data-root", file.to_str().unwrap()]);
    assert!(e.contains("must be a folder"), "{e}");

    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, "not a certificate").unwrap();
    let key = dir.path().join("key.pem");
    let e = refused(&[
        "--port",
        "0",
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    assert!(e.contains("cert.pem"), "{e}");
    let e = refused(&["--port", "0", "--tls-cert", cert.to_str().unwrap()]);
    assert!(e.contains("--tls-key"), "{e}");

    let plt2d = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/amrex/plt2d");
    let e = refused(&["--port", "0", plt2d]);
    assert!(e.contains("is 2-D"), "{e}");
}

/// `GET path` over TLS to `port`, trusting only `cert`: the status code and the body.
fn https_get(port: u16, path: &str, cert: &rcgen::CertifiedKey<rcgen::KeyPair>) -> (u16, String) {
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = "localhost".try_into().unwrap();
    let mut conn = tokio_rustls::rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut tls = tokio_rustls::rustls::Stream::new(&mut conn, &mut tcp);
    write!(
        tls,
        "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = Vec::new();
    let _ = tls.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let code = reply
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {reply:?}"));
    (code, reply)
}

#[test]
fn with_a_certificate_and_key_the_page_is_served_over_https() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (c, k) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&c, cert.cert.pem()).unwrap();
    std::fs::write(&k, cert.signing_key.serialize_pem()).unwrap();
    let (_server, url) = serve(&[
        "--port",
        "0",
        "--tls-cert",
        c.to_str().unwrap(),
        "--tls-key",
        k.to_str().unwrap(),
    ]);
    let rest = url.strip_prefix("https://127.0.0.1:").expect(&url);
    let (port, query) = rest.split_once('/').unwrap();
    let port: u16 = port.parse().unwrap();
    let token = query.strip_prefix("?token=").unwrap();
    assert_eq!(token.len(), 64, "a 256-bit token");
    let (code, body) = https_get(port, &format!("/?token={token}"), &cert);
    assert_eq!(code, 200, "{body}");
    assert!(
        body.contains("viewer.js"),
        "the page loads its script: {body}"
    );
    assert!(body
        .to_ascii_lowercase()
        .contains("cache-control: no-store"));
    let (code, body) = https_get(port, "/?token=0", &cert);
    assert_eq!(code, 403, "{body}");
    // Plain HTTP to the TLS port gets no page (the server may close before the request is
    // even written).
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = write!(tcp, "GET /?token={token} HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut reply = Vec::new();
    let _ = tcp.read_to_end(&mut reply);
    assert!(!String::from_utf8_lossy(&reply).contains("viewer.js"));
}
