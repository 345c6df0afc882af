//! `amrcast view` end to end under Xvfb, driven by xdotool: the window appears with its title,
//! F12 saves a full-resolution screenshot, a drag orbits the view, Esc quits with status 0.
//! Skipped (with a message) where Xvfb or xdotool is missing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `view --annotate`.
#[path = "viewer/annotated.rs"]
mod annotated;
/// A 2-D dataset: its image, panned and zoomed.
#[path = "viewer/flat.rs"]
mod flat;
/// The window's size and layout when it opens.
#[path = "viewer/opening.rs"]
mod opening;
/// The X screen's pixels and a window's geometry.
#[path = "viewer/screen.rs"]
mod screen;
/// The slice view's screenshot and logged command.
#[path = "viewer/slice_view.rs"]
mod slice_view;
/// Dropping files onto the window (XDND).
#[path = "viewer/xdnd.rs"]
mod xdnd;

const BIN: &str = env!("CARGO_BIN_EXE_amrcast");
const W: u32 = 200;
const H: u32 = 150;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Stops and reaps a child when dropped (by its own id): SIGTERM first, so that Xvfb removes
/// its socket and lock file, then SIGKILL.
struct Reaped(Child);
impl Drop for Reaped {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.0.id().to_string()])
                .status();
            let t = Instant::now();
            while t.elapsed() < Duration::from_secs(3) {
                if let Ok(Some(_)) = self.0.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Xvfb with a screen of `screen` ("WxH") on a free display number; returns it and the
/// server.
fn xvfb(screen: &str) -> (String, Reaped) {
    // Tests of this binary run in parallel: each takes its own numbers, so that two of them
    // never start a server on the same display (the loser's server exits, but its test could
    // meanwhile find the winner's).
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let base = 50 + std::process::id() % 400;
    loop {
        let n = base + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n >= base + 100 {
            break;
        }
        if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            || Path::new(&format!("/tmp/.X{n}-lock")).exists()
        {
            continue;
        }
        let child = Command::new("Xvfb")
            .args([
                &format!(":{n}"),
                "-screen",
                "0",
                &format!("{screen}x24"),
                "-nolisten",
                "tcp",
                // Without it the server resets whenever its last client disconnects (each
                // xdotool call), and a client connecting during the reset is refused.
                "-noreset",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting Xvfb");
        let mut server = Reaped(child);
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(20) {
            // The socket appears before the server takes connections: wait until a client
            // gets an answer.
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && Command::new("xdotool")
                    .arg("getdisplaygeometry")
                    .env("DISPLAY", format!(":{n}"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            {
                return (format!(":{n}"), server);
            }
            if let Ok(Some(_)) = server.0.try_wait() {
                break; // lost a race for this number
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    panic!("no free X display for Xvfb");
}

fn xdotool(display: &str, args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .output()
        .expect("running xdotool");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn wait_for<T>(what: &str, secs: u64, mut f: impl FnMut() -> Option<T>) -> T {
    let t = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            t.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn pngs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    v.sort();
    v
}

/// CPU seconds (user and system, all threads) that process `pid` has used so far.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name, which is in parentheses: utime and stime are the
    // 12th and 13th, in clock ticks.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    let out = Command::new("getconf").arg("CLK_TCK").output().unwrap();
    let per_s: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    ticks / per_s
}

fn stderr_of(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Takes a screenshot with F12 and returns the new PNG, checked for size and content: the
/// whole window with the panel hidden, else the part right of the panel.
fn screenshot(display: &str, dir: &Path, log: &Path, panel: bool) -> image::RgbaImage {
    screenshot_of(display, dir, log, panel, (W, H))
}

/// [`screenshot`] of a window of `size`.
fn screenshot_of(
    display: &str,
    dir: &Path,
    log: &Path,
    panel: bool,
    (ww, wh): (u32, u32),
) -> image::RgbaImage {
    let before = pngs(dir);
    xdotool(display, &["key", "F12"]);
    let path = wait_for("the screenshot", 180, || {
        pngs(dir).into_iter().find(|p| !before.contains(p))
    });
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("amrcast-") && name.len() >= "amrcast-YYYYmmdd-HHMMSS.png".len(),
        "{name}"
    );
    assert!(
        stderr_of(log).contains(&name),
        "the path is logged: {}",
        stderr_of(log)
    );
    let img = image::open(&path).unwrap().to_rgba8();
    let (w, h) = img.dimensions();
    if panel {
        assert!(
            h == wh && w < ww && w > ww / 4,
            "the volume beside the panel: {w}x{h} in a {ww}x{wh} window"
        );
    } else {
        assert_eq!((w, h), (ww, wh), "full window resolution");
    }
    let lit = img
        .pixels()
        .filter(|p| p.0[..3].iter().any(|&c| c > 20))
        .count();
    let colours: std::collections::HashSet<[u8; 4]> = img.pixels().map(|p| p.0).collect();
    assert!(lit > (w * h / 20) as usize, "not blank: {lit} lit pixels");
    assert!(colours.len() > 30, "{} colours", colours.len());
    img
}

/// Runs the render command logged with the last screenshot and checks that its image is
/// `shot` within 2 levels; returns the command.
fn check_logged_command(dir: &Path, log: &Path, shot: &image::RgbaImage) -> String {
    let line = stderr_of(log)
        .lines()
        .rfind(|l| l.contains("the same view offscreen: "))
        .unwrap()
        .to_string();
    let command = line.split("the same view offscreen: ").nth(1).unwrap();
    let command = command.trim_end_matches(')').replacen("amrcast", BIN, 1);
    let out = Command::new("sh")
        .arg("-c")
        .arg(&command)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let offscreen = image::open(dir.join("view.png")).unwrap().to_rgba8();
    assert_eq!(offscreen.dimensions(), shot.dimensions());
    let worst = offscreen
        .as_raw()
        .iter()
        .zip(shot.as_raw())
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(
        worst <= 2,
        "render and screenshot differ by {worst}: {command}"
    );
    std::fs::remove_file(dir.join("view.png")).unwrap();
    command
}

/// A viewer on the demo in an X server of its own, its files in a temporary folder. Fields drop
/// in order: the viewer, then its server, then the folder.
struct Session {
    viewer: Reaped,
    window: String,
    display: String,
    _server: Reaped,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl Session {
    /// Starts Xvfb and the viewer; `None`, with a message, where Xvfb or xdotool is missing.
    fn start() -> Option<Session> {
        if !have("Xvfb") || !have("xdotool") {
            eprintln!("skipping: the viewer test needs Xvfb and xdotool");
            return None;
        }
        let (display, server) = xvfb("640x480");
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("stderr.txt");
        let size = format!("{W}x{H}");
        let args = ["--size", &size, "--mode", "mip"];
        let (viewer, window) = start_viewer(&display, dir.path(), &log, &args);
        Some(Session {
            viewer,
            window,
            display,
            _server: server,
            log,
            dir,
        })
    }
}

/// Starts `amrcast view` on the demo with `args` in `dir` (info messages on), its stderr in
/// `log`; returns it and its window once that is shown, titled, focused, with the pointer over
/// it.
fn start_viewer(display: &str, dir: &Path, log: &Path, args: &[&str]) -> (Reaped, String) {
    start_viewer_titled(display, dir, log, args, "amrcast - demo - Density")
}

/// [`start_viewer`] on a window whose title is `title`.
fn start_viewer_titled(
    display: &str,
    dir: &Path,
    log: &Path,
    args: &[&str],
    title: &str,
) -> (Reaped, String) {
    let child = Command::new(BIN)
        .arg("view")
        .args(args)
        .current_dir(dir)
        .env("DISPLAY", display)
        .env("RUST_LOG", "warn,wgpu_hal=off,amrcast=info")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let mut viewer = Reaped(child);
    let window = wait_for("the window", 180, || {
        if let Ok(Some(status)) = viewer.0.try_wait() {
            panic!("the viewer exited with {status}: {}", stderr_of(log));
        }
        let id = xdotool(display, &["search", "--onlyvisible", "--name", "^amrcast"]);
        (!id.is_empty()).then(|| id.lines().next().unwrap().to_string())
    });
    assert_eq!(xdotool(display, &["getwindowname", &window]), title);
    // Keyboard focus on the window (there is no window manager), pointer over it.
    xdotool(display, &["windowfocus", "--sync", &window]);
    xdotool(display, &["mousemove", "--window", &window, "100", "75"]);
    (viewer, window)
}

#[test]
fn view_window_screenshots_orbit_and_quit() {
    let Some(mut s) = Session::start() else {
        return;
    };
    let first = screenshot(&s.display, s.dir.path(), &s.log, true);
    // The panel's view reproduces offscreen too, at the size of the volume beside the panel.
    check_logged_command(s.dir.path(), &s.log, &first);
    // Once the image is refined, an untouched window costs no CPU: no redraw loop.
    let pid = s.viewer.0.id();
    let idle = wait_for("the viewer to go idle", 120, || {
        let used = cpu_seconds(pid);
        std::thread::sleep(Duration::from_secs(2));
        let used = cpu_seconds(pid) - used;
        (used < 0.1).then_some(used)
    });
    assert!(idle < 0.1, "{idle} s of CPU in 2 s");
    // Hide the panel: the volume takes the whole window. Then orbit by dragging across it.
    xdotool(&s.display, &["key", "Tab"]);
    let before = screenshot(&s.display, s.dir.path(), &s.log, false);
    xdotool(
        &s.display,
        &[
            "mousemove",
            "--window",
            &s.window,
            "60",
            "75",
            "mousedown",
            "1",
        ],
    );
    for x in (70..=150).step_by(10) {
        xdotool(
            &s.display,
            &["mousemove", "--window", &s.window, &x.to_string(), "80"],
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    xdotool(&s.display, &["mouseup", "1"]);
    let second = screenshot(&s.display, s.dir.path(), &s.log, false);
    let mean: f64 = before
        .as_raw()
        .iter()
        .zip(second.as_raw())
        .map(|(a, b)| a.abs_diff(*b) as f64)
        .sum::<f64>()
        / before.as_raw().len() as f64;
    assert!(
        mean > 3.0,
        "the orbit changed the image: mean difference {mean:.2}"
    );
    // The logged render command reproduces the screenshot offscreen.
    let command = check_logged_command(s.dir.path(), &s.log, &second);
    assert!(!command.contains("--stereo"), "{command}");
    // K records the camera in amrcast-path.toml, which `movie` reads.
    xdotool(&s.display, &["key", "k"]);
    let path_file = s.dir.path().join("amrcast-path.toml");
    wait_for("the path file", 60, || path_file.exists().then_some(()));
    let text = std::fs::read_to_string(&path_file).unwrap();
    assert!(
        text.contains("frames = 1") && text.contains("[[keyframe]]"),
        "{text}"
    );
    let path = amrcast::path::CameraPath::load(&path_file, amrcast::camera::Lens::Plane).unwrap();
    assert_eq!(path.frames, 1);
    // S twice: anaglyph, then side by side; the screenshot holds both eyes, left and right,
    // showing nearly the same image (they differ by the small stereo disparity).
    xdotool(&s.display, &["key", "s"]);
    xdotool(&s.display, &["key", "s"]);
    let pair = screenshot(&s.display, s.dir.path(), &s.log, false);
    let half = (W / 2) as usize;
    let (mut diff, mut lit) = (0.0, 0usize);
    for y in 0..H as usize {
        let row = &pair.as_raw()[y * W as usize * 4..][..W as usize * 4];
        let (l, r) = row.split_at(half * 4);
        diff += l
            .iter()
            .zip(r)
            .map(|(a, b)| a.abs_diff(*b) as f64)
            .sum::<f64>();
        lit += l
            .chunks(4)
            .filter(|p| p[..3].iter().any(|&c| c > 20))
            .count();
        lit += r
            .chunks(4)
            .filter(|p| p[..3].iter().any(|&c| c > 20))
            .count();
    }
    let mean = diff / (H as usize * half * 4) as f64;
    assert!(mean < 8.0, "the two halves differ by {mean:.2} on average");
    assert!(lit > (W * H / 20) as usize, "{lit} lit pixels");
    let half_mono =
        image::imageops::resize(&second, W / 2, H, image::imageops::FilterType::Triangle);
    let squeezed: f64 = (0..H as usize)
        .map(|y| {
            let l = &pair.as_raw()[y * W as usize * 4..][..half * 4];
            let m = &half_mono.as_raw()[y * half * 4..][..half * 4];
            l.iter()
                .zip(m)
                .map(|(a, b)| a.abs_diff(*b) as f64)
                .sum::<f64>()
        })
        .sum::<f64>()
        / (H as usize * half * 4) as f64;
    assert!(
        squeezed > 3.0,
        "each eye has square pixels, not the mono view squeezed ({squeezed:.2})"
    );
    let command = check_logged_command(s.dir.path(), &s.log, &pair);
    assert!(
        command.contains(&format!("--size={}x{H}", W / 2))
            && command.contains("--stereo=parallel")
            && command.contains("--stereo-layout=side-by-side"),
        "{command}"
    );
    // Resizing to a sliver and then to another size: the volume follows the window.
    xdotool(&s.display, &["key", "s"]);
    for size in [["1", "1"], ["260", "180"]] {
        xdotool(
            &s.display,
            &["windowsize", "--sync", &s.window, size[0], size[1]],
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    screenshot_of(&s.display, s.dir.path(), &s.log, false, (260, 180));
    // Esc quits cleanly.
    xdotool(&s.display, &["key", "Escape"]);
    let status = wait_for("the viewer to quit", 60, || s.viewer.0.try_wait().unwrap());
    assert!(
        status.success(),
        "exit status {status}: {}",
        stderr_of(&s.log)
    );
    // Only the screenshots, the path file and the log are left: no temporary files.
    assert_eq!(pngs(s.dir.path()).len(), 5);
    assert_eq!(std::fs::read_dir(s.dir.path()).unwrap().count(), 7);
}

#[test]
fn view_without_a_display_is_one_clear_error() {
    let out = Command::new(BIN)
        .args(["view"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("cannot open a window"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_dropped_dataset_opens_and_a_failing_one_keeps_the_current() {
    let Some(s) = Session::start() else {
        return;
    };
    let id: u32 = s.window.parse().unwrap();
    let demo = screenshot(&s.display, s.dir.path(), &s.log, true);
    // A file that is no dataset: one line naming it, and the demo stays.
    let bad = s.dir.path().join("notes.txt");
    std::fs::write(&bad, "not a dataset\n").unwrap();
    xdnd::drop_file(&s.display, id, &bad, 100, 75);
    let line = wait_for("the error", 60, || {
        let log = stderr_of(&s.log);
        log.lines()
            .find(|l| l.contains("cannot open"))
            .map(str::to_string)
    });
    assert!(
        line.contains("notes.txt") && line.contains("keeping the current dataset"),
        "{line}"
    );
    assert_eq!(line.matches("notes.txt").count(), 1, "{line}");
    assert_eq!(
        xdotool(&s.display, &["getwindowname", &s.window]),
        "amrcast - demo - Density"
    );
    // The Enzo dataset: the title names it, the volume shows it, and the logged render
    // command (with its path) reproduces the view.
    let enzo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/moving7_0010/moving7_0010");
    xdnd::drop_file(&s.display, id, &enzo, 100, 75);
    wait_for("the dataset to open", 120, || {
        let title = xdotool(&s.display, &["getwindowname", &s.window]);
        (title == "amrcast - moving7_0010 - Density").then_some(())
    });
    let shot = screenshot(&s.display, s.dir.path(), &s.log, true);
    let mean: f64 = demo
        .as_raw()
        .iter()
        .zip(shot.as_raw())
        .map(|(a, b)| a.abs_diff(*b) as f64)
        .sum::<f64>()
        / demo.as_raw().len() as f64;
    assert!(mean > 3.0, "another image: mean difference {mean:.2}");
    let command = check_logged_command(s.dir.path(), &s.log, &shot);
    assert!(command.contains("moving7_0010"), "{command}");
}
