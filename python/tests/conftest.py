"""Shared helpers of the Python package's tests: the repository's data, the `amrcast` binary,
small AMR layouts."""

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
MOVING7 = REPO / "tests" / "data" / "moving7_0010" / "moving7_0010"


def amrcast_bin() -> Path:
    """The command line's binary: $AMRCAST_BIN, else the debug build in the target dir."""
    env = os.environ.get("AMRCAST_BIN")
    if env:
        return Path(env)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return target / "debug" / "amrcast"


@pytest.fixture
def cli():
    """Runs `amrcast ARGS...` and returns its stderr; skips when the binary is not built."""
    exe = amrcast_bin()
    if not exe.exists():
        pytest.skip(f"{exe} is not built (cargo build, or set AMRCAST_BIN)")

    def run(*args):
        r = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return r.stderr

    return run


def read_png(path):
    """A PNG's RGBA pixels (H, W, 4), decoded by Pillow (which yt's matplotlib brings)."""
    Image = pytest.importorskip("PIL.Image")
    with Image.open(path) as im:
        return np.asarray(im.convert("RGBA"))


def blob(n, lo=0.0, hi=1.0, centre=(0.5, 0.5, 0.5)):
    """A smooth positive field on an n^3 grid over [lo, hi]^3, shape (n, n, n) indexed [i, j, k]."""
    x = lo + (np.arange(n) + 0.5) * (hi - lo) / n
    X, Y, Z = np.meshgrid(x, x, x, indexing="ij")
    r2 = (X - centre[0]) ** 2 + (Y - centre[1]) ** 2 + 2.0 * (Z - centre[2]) ** 2
    return (0.1 + np.exp(-r2 / 0.02) + 0.3 * X).astype(np.float32)


def two_level(order="F"):
    """A root grid of 16^3 and a level-1 grid of 16^3 over [0.25, 0.75]^3."""
    root = np.asarray(blob(16), order=order)
    fine = np.asarray(blob(16, 0.25, 0.75), order=order)
    return [
        dict(left_edge=(0, 0, 0), right_edge=(1, 1, 1), level=0, data=root),
        dict(left_edge=(0.25,) * 3, right_edge=(0.75,) * 3, level=1, data=fine),
    ]
