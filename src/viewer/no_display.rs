//! One clear line when no window can be opened.

/// winit's OS errors read "os error at /path/to/winit/src/....rs:765: neither WAYLAND_DISPLAY
/// nor ... is set."; the user needs only the reason after the source location.
pub fn window_error_reason(text: &str) -> &str {
    match text.find(".rs:") {
        Some(i) => match text[i..].find(": ") {
            Some(j) => text[i + j + 2..].trim(),
            None => text,
        },
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_winits_source_location() {
        let e = "os error at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/winit-0.30.13/src/platform_impl/linux/mod.rs:765: neither WAYLAND_DISPLAY nor WAYLAND_SOCKET nor DISPLAY is set.";
        assert_eq!(
            window_error_reason(e),
            "neither WAYLAND_DISPLAY nor WAYLAND_SOCKET nor DISPLAY is set."
        );
        assert_eq!(window_error_reason("no adapter"), "no adapter");
    }
}
