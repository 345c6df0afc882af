//! Dropping files onto a window the way a file manager does (the XDND protocol, version 5),
//! from a client of our own: a drag source that offers `text/uri-list`.

use std::path::Path;
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask, PropMode,
    SelectionNotifyEvent, WindowClass, SELECTION_NOTIFY_EVENT,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::CURRENT_TIME;

/// Drags `file` over `window` on `display` at (x, y) of the screen and drops it; returns
/// when the window says it has finished (its `XdndFinished`).
pub fn drop_file(display: &str, window: u32, file: &Path, x: i16, y: i16) {
    let (conn, screen) = RustConnection::connect(Some(display)).expect("connecting to X");
    let root = conn.setup().roots[screen].root;
    let atom = |name: &str| {
        conn.intern_atom(false, name.as_bytes())
            .unwrap()
            .reply()
            .unwrap()
            .atom
    };
    let [enter, position, status, drop, finished, selection, copy, uri_list] = [
        "XdndEnter",
        "XdndPosition",
        "XdndStatus",
        "XdndDrop",
        "XdndFinished",
        "XdndSelection",
        "XdndActionCopy",
        "text/uri-list",
    ]
    .map(atom);
    // The source: a window that owns the drag's selection and receives the replies.
    let source = conn.generate_id().unwrap();
    conn.create_window(
        0,
        source,
        root,
        0,
        0,
        1,
        1,
        0,
        WindowClass::INPUT_ONLY,
        0,
        &CreateWindowAux::new(),
    )
    .unwrap();
    conn.set_selection_owner(source, selection, CURRENT_TIME)
        .unwrap();
    let send = |kind: u32, data: [u32; 5]| {
        let event = ClientMessageEvent::new(32, window, kind, data);
        conn.send_event(false, window, EventMask::NO_EVENT, event)
            .unwrap();
        conn.flush().unwrap();
    };
    // A URI: the characters that would end or escape it percent-encoded.
    let path = file.display().to_string();
    let path = path.replace('%', "%25").replace(' ', "%20");
    let uri = format!("file://{path}\r\n");
    // Answers the window's requests for the selection until a message of type `until`
    // arrives; returns its data.
    let pump = |until: u32| {
        let t = Instant::now();
        loop {
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "the window did not answer the drag"
            );
            let Some(event) = conn.poll_for_event().unwrap() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            match event {
                Event::SelectionRequest(r) => {
                    conn.change_property8(
                        PropMode::REPLACE,
                        r.requestor,
                        r.property,
                        uri_list,
                        uri.as_bytes(),
                    )
                    .unwrap();
                    let notify = SelectionNotifyEvent {
                        response_type: SELECTION_NOTIFY_EVENT,
                        sequence: 0,
                        time: r.time,
                        requestor: r.requestor,
                        selection: r.selection,
                        target: r.target,
                        property: r.property,
                    };
                    conn.send_event(false, r.requestor, EventMask::NO_EVENT, notify)
                        .unwrap();
                    conn.flush().unwrap();
                }
                Event::ClientMessage(m) if m.type_ == until => return m.data.as_data32(),
                _ => {}
            }
        }
    };
    send(enter, [source, 5 << 24, uri_list, 0, 0]);
    send(
        position,
        [
            source,
            0,
            ((x as u32) << 16) | y as u16 as u32,
            CURRENT_TIME,
            copy,
        ],
    );
    let accepted = pump(status);
    assert_eq!(accepted[1] & 1, 1, "the window accepts the file");
    send(drop, [source, 0, CURRENT_TIME, 0, 0]);
    pump(finished);
}
