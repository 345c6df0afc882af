//! `amrcast bench --serve N`: every viewer drags and reports, and each ends on one final
//! frame of the size asked.

use std::process::Command;

#[test]
fn bench_serve_reports_every_viewer() {
    let out = Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args([
            "bench",
            "--serve",
            "2",
            "--drag-seconds",
            "0.5",
            "--size",
            "64x48",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for viewer in ["viewer 1:", "viewer 2:"] {
        let line = text
            .lines()
            .skip_while(|l| !l.starts_with(viewer))
            .take(2)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(line.contains("frames/s while dragging"), "{text}");
        assert!(
            line.contains("after the last input"),
            "no final frame: {text}"
        );
        assert!(line.contains("1 png 64x48"), "{text}");
    }
    assert!(
        text.contains("overall:") && text.contains("peak memory:"),
        "{text}"
    );
    let refused = Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(["bench", "--serve", "1", "--drag-seconds", "-1"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
}
