"""The widget's kernel side without a browser: the page's envelopes handed to the widget as the
comm would, and what the widget sends back captured. Checks the protocol through the notebook
transport (docs/serve-protocol.md): open, frames one at a time until acknowledged, commands as
the scene's call, several views, closing."""

from __future__ import annotations

import io
import json
import struct
import threading
import time

import numpy as np
import pytest

pytest.importorskip("anywidget", reason="anywidget is not installed")
PilImage = pytest.importorskip("PIL.Image", reason="Pillow is not installed")

import amrcast  # noqa: E402
from conftest import MOVING7  # noqa: E402

PATIENCE_S = 180.0


class Page:
    """Stands in for the page: records what the widget sends, per view."""

    def __init__(self, widget):
        self.widget = widget
        self.got = []
        self.cond = threading.Condition()
        widget.send = self._send

    def _send(self, content, buffers=None):
        with self.cond:
            self.got.append((content, buffers))
            self.cond.notify_all()

    def say(self, v, **content):
        self.widget._on_msg(self.widget, dict(v=v, **content), [])

    def text(self, v, msg):
        self.say(v, t=json.dumps(msg))

    def wait(self, what, test):
        """The first message (content, buffers) not yet taken that `test` accepts."""
        deadline = time.time() + PATIENCE_S
        with self.cond:
            while True:
                for i, (content, buffers) in enumerate(self.got):
                    if test(content, buffers):
                        del self.got[i]
                        return content, buffers
                if not self.cond.wait(timeout=max(deadline - time.time(), 0)):
                    pytest.fail(f"timed out waiting for {what}; got {self.got[-5:]}")

    def frame(self, v, final_seq=None, ack=True):
        """The next image of view `v` (the final one for `final_seq` when given), as its
        header; every frame on the way is acknowledged when `ack`."""
        while True:
            content, buffers = self.wait("a frame", lambda c, b: c.get("v") == v and c.get("image"))
            data = bytes(buffers[0])
            (n,) = struct.unpack("<I", data[:4])
            header = json.loads(data[4 : 4 + n])
            if content["frame"] and ack:
                self.say(v, ack=1)
            if final_seq is None or (header["final"] and header["seq"] >= final_seq):
                return header, data[4 + n :]

    def reply(self, v, kind):
        content, _ = self.wait(kind, lambda c, b: c.get("v") == v and isinstance(c.get("t"), str)
                               and json.loads(c["t"])["type"] == kind)
        return json.loads(content["t"])


@pytest.fixture(scope="module")
def scene():
    return amrcast.open(MOVING7, colormap="inferno")


def test_a_view_opens_gets_frames_and_closes(scene):
    w = scene.show(height=300)
    page = Page(w)
    page.say("a", open=1)
    page.wait("opened", lambda c, b: c == {"v": "a", "opened": 1})
    assert page.reply("a", "hello")["version"] == 1
    dataset = page.reply("a", "dataset")
    assert dataset["field"] == scene.field and dataset["dimensionality"] == 3
    page.text("a", {"type": "resize", "seq": 1, "width": 120, "height": 90})
    header, png = page.frame("a", final_seq=1)
    assert (header["width"], header["height"], header["format"]) == (120, 90, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert w.state is not None and w.state["look"]["colormap"] == "inferno"

    # A drag: one frame, then nothing until the page acknowledges it.
    page.text("a", {"type": "orbit", "seq": 2, "dx": 30, "dy": 0})
    header, _ = page.frame("a", ack=False)
    assert header["seq"] == 2
    time.sleep(0.8)
    with page.cond:
        assert not [c for c, _ in page.got if c.get("image")], "a frame before the ack"
    page.say("a", ack=1)
    _, png = page.frame("a", final_seq=2)

    # The panel's command is the scene's render call of this view: run, it gives the view's
    # final frame (within a level: the final frame may be refined in bands).
    page.text("a", {"type": "command"})
    call = page.reply("a", "command")["text"]
    assert call.startswith("scene.render(size=(120, 90), camera_position=("), call
    rendered = eval(call, {"scene": scene}).rgba.astype(int)
    shown = np.asarray(PilImage.open(io.BytesIO(png)).convert("RGBA")).astype(int)
    assert rendered.shape == shown.shape == (90, 120, 4)
    assert np.abs(rendered - shown).max() <= 1, np.abs(rendered - shown).max()

    page.text("a", {"type": "look", "seq": 3, "opacity": -1})
    assert "opacity" in page.reply("a", "error")["message"]
    assert w.views == 1
    page.say("a", close=1)
    assert w.views == 0
    w.close()


def test_views_are_independent_and_odd_envelopes_are_ignored(scene):
    w = scene.show()
    page = Page(w)
    for junk in ({"open": 1}, {"v": 3, "open": 1}, {"v": "x" * 65, "open": 1}, {"v": "z", "t": "{}"}):
        w._on_msg(w, junk, [])
    assert w.views == 0
    page.say("a", open=1)
    page.say("b", open=1)
    for v, size in (("a", (64, 48)), ("b", (80, 40))):
        page.text(v, {"type": "resize", "seq": 1, "width": size[0], "height": size[1]})
    for v, size in (("a", (64, 48)), ("b", (80, 40))):
        header, _ = page.frame(v, final_seq=1)
        assert (header["width"], header["height"]) == size
    assert w.views == 2
    w.close()
    assert w.views == 0
