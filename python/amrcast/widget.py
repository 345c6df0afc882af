"""The Jupyter widget: ``scene.show()``.

The page side is the browser client of ``amrcast serve`` (the same JavaScript, the same
controls, the same frame protocol); the renderer runs in the kernel's process. Messages travel
through the widget's comm (anywidget), not a network port, so the widget works wherever the
notebook does: JupyterLab, Notebook 7, VS Code, local or remote.

Each view of the widget on the page is one viewer of the scene's render hub, with its own camera
and look. A background thread per view forwards the hub's messages and frames to the page; a
frame is not followed by the next until the page has acknowledged it, so frames never queue in
the notebook's channel.
"""

from __future__ import annotations

import json
import pathlib
import threading
from typing import Any, Dict, Optional

import anywidget
import traitlets

from . import _amrcast

_ESM = _amrcast.viewer_js() + "\n" + (pathlib.Path(__file__).with_name("widget.js")).read_text()
_CSS = _amrcast.viewer_css() + "\n.amc-widget { width: 100%; min-height: 240px; }\n"


class Viewer(anywidget.AnyWidget):
    """An interactive view of a scene: drag to orbit, right- or shift-drag to pan, the wheel
    zooms; the side panel has the look, the transfer function over the field's histogram,
    stereo, the view as a ``scene.render(...)`` call and a full-resolution screenshot."""

    _esm = _ESM
    _css = _CSS
    height = traitlets.Int(560).tag(sync=True)

    def __init__(self, hub: "_amrcast.Hub", height: int = 560, **kwargs: Any) -> None:
        super().__init__(height=height, **kwargs)
        self._hub = hub
        self._views: Dict[str, "_View"] = {}
        self._lock = threading.Lock()
        self.state: Optional[Dict[str, Any]] = None
        """The newest ``state`` message of any view: its camera, look and histogram."""
        self.on_msg(self._on_msg)

    @property
    def views(self) -> int:
        """Views of this widget connected to the renderer now."""
        with self._lock:
            return len(self._views)

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("v"), str):
            return
        v = content["v"]
        with self._lock:
            view = self._views.get(v)
        if content.get("open") and view is None and len(v) <= 64:
            view = _View(self, v)
            with self._lock:
                self._views[v] = view
            view.start()
        elif view is None:
            return
        elif isinstance(content.get("t"), str):
            view.viewer.send(content["t"])
        elif content.get("ack"):
            view.viewer.frame_delivered()
        elif content.get("close"):
            self._drop(v)

    def _drop(self, v: str) -> None:
        with self._lock:
            view = self._views.pop(v, None)
        if view is not None:
            view.stop()

    def close(self) -> None:
        """Disconnects every view and closes the widget."""
        with self._lock:
            views = list(self._views.values())
            self._views.clear()
        for view in views:
            view.stop()
        super().close()


class _View:
    """One view on the page: a viewer of the hub and the thread forwarding its messages."""

    def __init__(self, widget: Viewer, v: str) -> None:
        self.widget = widget
        self.v = v
        self.viewer = _amrcast.LocalViewer(widget._hub)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._forward, name=f"amrcast-view-{v}", daemon=True)

    def start(self) -> None:
        self.widget.send({"v": self.v, "opened": 1})
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout=2.0)
        self.viewer.close()

    def _forward(self) -> None:
        while not self.stopping.is_set():
            out = self.viewer.recv(0.25)
            if out is None:
                if self.viewer.closed:
                    self.widget.send({"v": self.v, "closed": ": the renderer stopped"})
                    return
                continue
            if isinstance(out, str):
                msg = json.loads(out)
                if msg.get("type") == "state":
                    self.widget.state = msg
                self.widget.send({"v": self.v, "t": out})
            else:
                data, frame = out
                self.widget.send({"v": self.v, "image": 1, "frame": frame}, buffers=[data])
