"""Type stubs of amrcast's Rust extension (the package's classes; see amrcast/__init__.py)."""

from typing import Any, Iterable, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

Vec3 = Tuple[float, float, float]

class Image:
    """A rendered image, or a stereo pair packed into one picture."""

    @property
    def size(self) -> Tuple[int, int]:
        """(width, height) of the picture `save` writes."""
    @property
    def values(self) -> Union[npt.NDArray[np.float32], Tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]]:
        """float32 values as `amrcast render --values` writes them: (H, W) for projection and
        mip, (H, W, 4) premultiplied RGBA for composite; a packed pair gives (left, right)."""
    @property
    def rgba(self) -> npt.NDArray[np.uint8]:
        """The PNG's pixels, uint8 (H, W, 4), row 0 at the top."""
    @property
    def eyes(self) -> Optional[Tuple["Image", "Image"]]:
        """The eyes of a packed stereo pair; None for one image."""
    def save(self, path: str, values: Optional[str] = None) -> None:
        """Writes the PNG (and with `values` the NPY), each to a temporary file renamed into place."""
    def _repr_png_(self) -> bytes: ...

class Camera:
    """The scene's camera in domain units."""

    position: Vec3
    focus: Vec3
    up: Vec3
    lens: str
    width: float
    fov: float
    def orbit(self, degrees: float, axis: Optional[Sequence[float]] = None) -> None:
        """Turns about the focus: about the camera's up (positive: to its right) or `axis`."""
    def zoom(self, factor: float) -> None:
        """Magnifies by `factor` (above 1 zooms in)."""
    def pan(self, dx: float, dy: float) -> None:
        """Moves across the view by fractions of the image's width (right) and height (up)."""
    def reset(self, view: str = "z") -> None:
        """Frames the whole domain along `view` (x, y, z, -x, -y, -z)."""

class Scene:
    """One field with its options and camera (wrapped by amrcast.Scene)."""

    @property
    def camera(self) -> Camera: ...
    @property
    def name(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def domain(self) -> Tuple[Vec3, Vec3]: ...
    @property
    def grids_per_level(self) -> list[int]: ...
    @property
    def cells(self) -> int: ...
    @property
    def grids_in_place(self) -> int: ...
    @property
    def options(self) -> dict[str, Any]: ...
    def render(self, **options: Any) -> Union[Image, Tuple[Image, Image]]: ...
    def movie(self, path: Optional[str], output: str, **options: Any) -> None: ...
    def stats(self) -> Tuple[float, float, float, int, int]: ...

class GridList:
    """Grids added one by one (as `from_yt` reads them); C-ordered values are transposed on a
    worker thread meanwhile. Pass it to `from_grids` in place of the list of dicts."""

    def __init__(self) -> None: ...
    def add(self, left_edge: Sequence[float], right_edge: Sequence[float], level: int,
            data: npt.NDArray[np.float32]) -> None: ...
    def __len__(self) -> int: ...

def open(path: str, field: Optional[str] = None, **options: Any) -> Scene: ...
def from_grids(
    grids: Union[Iterable[Mapping[str, Any]], GridList],
    field: str,
    name: str,
    domain_left_edge: Optional[Sequence[float]] = None,
    domain_right_edge: Optional[Sequence[float]] = None,
    domain_dimensions: Optional[Sequence[int]] = None,
    **options: Any,
) -> Scene: ...
def adapter() -> str:
    """The GPU adapter renders run on."""
def _panic_for_tests() -> None:
    """Panics inside the guard of every entry point: raises RuntimeError."""

class Hub:
    """A scene's renderer for the widget: the field on the GPU and a render thread."""
    def __init__(self, scene: Scene) -> None: ...
    @property
    def viewers(self) -> int: ...
    @property
    def adapter(self) -> str: ...

class LocalViewer:
    """One view of the widget, connected to a hub (docs/serve-protocol.md)."""
    def __init__(self, hub: Hub) -> None: ...
    def send(self, text: str) -> None: ...
    def recv(self, timeout: float) -> Union[str, Tuple[bytes, bool], None]: ...
    def frame_delivered(self) -> None: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...

def viewer_js() -> str: ...
def viewer_css() -> str: ...
