"""amrcast: GPU ray casting of block-structured AMR data, from Python.

Three ways to a :class:`Scene`:

- :func:`from_yt` takes any grid-based yt dataset and any field yt can compute;
- :func:`open` reads a dataset with amrcast's own readers (no yt needed);
- :func:`from_grids` takes NumPy arrays and their edges.

Keyword options are the command line's option names with dashes as underscores (``mode``,
``lens``, ``view``, ``camera_position``, ``focus``, ``up``, ``width``, ``fov``, ``size``,
``colormap``, ``bounds``, ``scale``, ``opacity``, ``samples_per_cell``, ``layers``,
``interpolation``, ``jitter``, ``stereo``, ``stereo_layout``, ...) with the same defaults and
messages; ``opacity_points=[(t, alpha), ...]`` gives the transfer function's opacity as control
points, ``device="cpu"`` renders on the CPU reference renderer. Options given to the scene are
kept; options given to :meth:`Scene.render` override them for that image.

Arrays: a grid's values have shape ``(nx, ny, nz)`` indexed ``[i, j, k]`` (as yt's); float32
arrays in Fortran order (x fastest in memory) are read in place, without a copy, and must not
change while the scene uses them; other arrays are converted once.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _amrcast
from ._amrcast import Camera, Image, adapter

__all__ = ["Scene", "Camera", "Image", "open", "from_grids", "from_yt", "adapter"]
__version__ = _amrcast.__version__


class Scene:
    """One field of one dataset with its options and camera.

    ``render(**options)`` returns an :class:`Image` (a tuple of two for a stereo pair in
    separate images); ``movie(path, output, **options)`` renders frames with the movie engine;
    ``camera`` is the scene's :class:`Camera`.
    """

    def __init__(self, scene: "_amrcast.Scene"):
        self._scene = scene

    def render(self, **options: Any) -> Union[Image, Tuple[Image, Image]]:
        """Renders an image; ``options`` override the scene's for this call."""
        return self._scene.render(**options)

    def movie(self, path: Optional[Union[str, os.PathLike]], output: Union[str, os.PathLike],
              **options: Any) -> None:
        """Renders a movie into the directory ``output``: along the camera path file ``path``
        (TOML), or with ``path=None`` along ``zoom_in=FACTOR`` / ``orbit=DEGREES`` from the
        scene's camera; the options of ``amrcast movie`` (``count``, ``frames``, ``shard``,
        ``values``, ``encode``, ``fps``, stereo)."""
        self._scene.movie(None if path is None else os.fspath(path), os.fspath(output), **options)

    def show(self, height: int = 560) -> Any:
        """The interactive Jupyter widget (JupyterLab, Notebook, VS Code; local or remote):
        the browser viewer of ``amrcast serve`` with this scene's look and camera, rendered in
        this process. Each output showing it is a view with its own camera; the panel's
        ``command`` gives the ``scene.render(...)`` call of the view shown. ``height``: pixels."""
        try:
            from .widget import Viewer
        except ImportError as e:
            raise ImportError(
                f"scene.show() needs anywidget ({e}): pip install anywidget"
            ) from e
        return Viewer(_amrcast.Hub(self._scene), height=height)

    @property
    def camera(self) -> Camera:
        return self._scene.camera

    @property
    def name(self) -> str:
        return self._scene.name

    @property
    def field(self) -> str:
        return self._scene.field

    @property
    def domain(self) -> Tuple[Tuple[float, float, float], Tuple[float, float, float]]:
        return self._scene.domain

    @property
    def grids_per_level(self) -> list:
        return self._scene.grids_per_level

    @property
    def cells(self) -> int:
        return self._scene.cells

    @property
    def grids_in_place(self) -> int:
        """Grids whose values are read in place from NumPy memory."""
        return self._scene.grids_in_place

    @property
    def options(self) -> dict:
        return self._scene.options

    def stats(self) -> Tuple[float, float, float, int, int]:
        """(min, max, smallest positive, NaN or infinite count, non-positive count)."""
        return self._scene.stats()

    def __repr__(self) -> str:
        return repr(self._scene)


def open(path: Union[str, os.PathLike], field: Optional[str] = None, **options: Any) -> Scene:
    """A scene of a dataset read by amrcast's own readers (Enzo, Athena++, Chombo, FLASH, AMReX
    plotfiles, ``FILE.h5:/dataset``); ``field`` defaults to Density, else the first field."""
    return Scene(_amrcast.open(os.fspath(path), field, **options))


def _float32(data: Any, n: int) -> np.ndarray:
    """``data`` as a native float32 array, keeping its memory order (no copy when it is one)."""
    a = np.asarray(data)
    if a.dtype != np.float32 or not a.dtype.isnative:
        if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
            raise ValueError(f"grid {n}: data of dtype {a.dtype} is not numeric")
        a = a.astype(np.float32, order="K")
    return a


def from_grids(grids: Iterable[Mapping[str, Any]], field: str = "field", name: str = "grids",
               domain_left_edge: Optional[Sequence[float]] = None,
               domain_right_edge: Optional[Sequence[float]] = None,
               domain_dimensions: Optional[Sequence[int]] = None, **options: Any) -> Scene:
    """A scene of grids given as dicts ``left_edge``, ``right_edge`` (3 numbers each),
    ``level`` (0 for the root) and ``data`` (shape ``(nx, ny, nz)``, indexed ``[i, j, k]``).

    The domain defaults to the box around the level-0 grids, which must cover it; every finer
    grid must lie inside the level below; grids of one level must not overlap. Grids are
    named by their position in the list in error messages (``grid 3``). NaN and infinite
    values are kept and drawn transparent (with a warning), as amrcast's readers do.
    """
    prepared = []
    for n, g in enumerate(grids):
        if not isinstance(g, Mapping):
            raise ValueError(f"grid {n}: give a dict with left_edge, right_edge, level and data")
        g = dict(g)
        if "data" in g:
            g["data"] = _float32(g["data"], n)
        prepared.append(g)
    return Scene(_amrcast.from_grids(
        prepared, field, name,
        None if domain_left_edge is None else [float(x) for x in domain_left_edge],
        None if domain_right_edge is None else [float(x) for x in domain_right_edge],
        None if domain_dimensions is None else [int(x) for x in domain_dimensions],
        **options))


def _plain(a: Any) -> np.ndarray:
    """A unyt array's values as a plain NumPy array (no copy)."""
    return np.asarray(getattr(a, "d", a))


def from_yt(ds: Any, field: Any, units: Optional[str] = None, **options: Any) -> Scene:
    """A scene of any grid-based yt dataset: each grid's edges, level and values of ``field``
    (any field yt can compute, e.g. ``("gas", "density")``) in ``units`` (default: the units
    yt gives the field), read grid by grid without resampling."""
    index = ds.index
    if not hasattr(index, "grids"):
        raise TypeError(f"from_yt takes grid-based yt datasets; {ds} has no grids")
    finfo = ds._get_field_info(field)
    fname = finfo.name[1] if isinstance(finfo.name, tuple) else str(finfo.name)
    # C-ordered values are transposed on a worker thread while yt reads the next grid.
    grids = _amrcast.GridList()
    for g in index.grids:
        values = g[field]
        if units is not None:
            values = values.in_units(units)
        data = _float32(_plain(values), len(grids))
        grids.add(_plain(g.LeftEdge).tolist(), _plain(g.RightEdge).tolist(), int(g.Level), data)
        g.clear_data()
    dims = [int(x) for x in ds.domain_dimensions]
    return Scene(_amrcast.from_grids(
        grids, fname, str(ds),
        _plain(ds.domain_left_edge).tolist(), _plain(ds.domain_right_edge).tolist(), dims,
        **options))
