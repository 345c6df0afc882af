#!/usr/bin/env python3
"""Writes yt's slice and projection fixed-resolution buffers that tests/slice_yt.rs compares
amrcast with: tests/data/yt/*.npy, float32, plus tests/data/yt/README.md (the yt version and
every reference's parameters).

Run from the repository root with a Python that has yt and h5py:
    python scripts/yt_reference.py

Conventions of the arrays (yt's own): shape (ny, nx), row 0 at the *lowest* vertical
coordinate, column 0 at the lowest horizontal one; the image axes are yt's (x right, y up
across z; (y, z) across x; (z, x) across y). Pixel (i, j) covers
[x0 + j dx, x0 + (j+1) dx) x [y0 + i dy, y0 + (i+1) dy) with dx = width / nx. Values are the
field as stored, in code units: ("enzo", "Density") for slices; for projections the unweighted
line integral in code_density * code_length, amrcast's "field times domain units" (yt
integrates ("gas", "density") in g/cm^2, divided here by code_density * code_length in cgs).

yt's buffers are antialiased (each pixel the area-weighted mean of the cells it overlaps),
amrcast's slices and nearest-cell projections take each pixel's centre. The two agree where
every pixel lies inside one finest cell (a cell at least as large as a pixel, edges aligned),
so every slice is either at a resolution no finer than the data it crosses, or zoomed on a
window aligned with the finest cells there. A whole-domain projection crosses every level in
some columns: the test renders it at the finest cells' resolution and averages each pixel's
block, which is what yt's antialiasing computes (see the README).
"""
import json
import os
import sys

import numpy as np
import yt
from yt.visualization.fixed_resolution import FixedResolutionBuffer

OUT = os.path.join("tests", "data", "yt")
MOVING7 = os.path.join("tests", "data", "moving7_0010", "moving7_0010")
SYNTH = os.path.join("tests", "data", "enzo_h5py_sb0", "DD0003")
AXES = "xyz"
# yt's image axes for a slice or projection across each axis: (horizontal, vertical).
IMAGE_AXES = {0: (1, 2), 1: (2, 0), 2: (0, 1)}
# The peak of moving7_0010: a window of 64 x 64 level-7 cells (1/2048 each), aligned with them.
PEAK = dict(center=(0.75, 0.75, 0.75), width=0.03125, size=64)

# name: (dataset, kind, axis, coord (slices), centre, width, pixels)
REFERENCES = {
    "moving7_slice_z": (MOVING7, "slice", 2, 0.7, (0.5, 0.5, 0.5), 1.0, 128),
    "moving7_slice_x": (MOVING7, "slice", 0, 0.6, (0.5, 0.5, 0.5), 1.0, 64),
    "moving7_slice_y": (MOVING7, "slice", 1, 0.6, (0.5, 0.5, 0.5), 1.0, 64),
    "moving7_slice_peak": (MOVING7, "slice", 2, 0.7507, PEAK["center"], PEAK["width"], PEAK["size"]),
    "moving7_proj_z": (MOVING7, "proj", 2, None, (0.5, 0.5, 0.5), 1.0, 128),
    "moving7_proj_x": (MOVING7, "proj", 0, None, (0.5, 0.5, 0.5), 1.0, 64),
    "moving7_proj_peak": (MOVING7, "proj", 2, None, PEAK["center"], PEAK["width"], PEAK["size"]),
    "synthetic_slice_z": (SYNTH, "slice", 2, 0.45, (0.5, 0.5, 0.5), 1.0, 64),
    "synthetic_proj_y": (SYNTH, "proj", 1, None, (0.5, 0.5, 0.5), 1.0, 64),
}
FIELD = ("enzo", "Density")
GAS = ("gas", "density")


def buffer(ds, kind, axis, coord, center, width, n):
    h, v = IMAGE_AXES[axis]
    bounds = (
        center[h] - width / 2, center[h] + width / 2,
        center[v] - width / 2, center[v] + width / 2,
    )
    if kind == "slice":
        frb = FixedResolutionBuffer(ds.slice(axis, coord), bounds, (n, n))
        arr = frb[FIELD].in_units("code_mass/code_length**3")
    else:
        # yt labels the projection of a code-unit field "cm * code_density" while its numbers
        # are code_density * code_length; project the physical density (g/cm^2) and convert.
        frb = FixedResolutionBuffer(ds.proj(GAS, axis), bounds, (n, n))
        unit = ds.quan(1.0, "code_mass/code_length**3") * ds.quan(1.0, "code_length")
        arr = (frb[GAS] / unit.in_units("g/cm**2")).in_units("dimensionless")
    return np.asarray(arr, dtype=np.float32), bounds


def main():
    yt.set_log_level(40)
    os.makedirs(OUT, exist_ok=True)
    datasets = {}
    meta = {}
    for name, (path, kind, axis, coord, center, width, n) in REFERENCES.items():
        ds = datasets.setdefault(path, yt.load(path))
        arr, bounds = buffer(ds, kind, axis, coord, center, width, n)
        np.save(os.path.join(OUT, name + ".npy"), arr)
        meta[name] = dict(dataset=path, kind=kind, axis=AXES[axis], coord=coord,
                          center=center, width=width, size=n, bounds=bounds)
        print(f"{name}: {arr.shape} min {np.nanmin(arr):.4g} max {np.nanmax(arr):.4g}")
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("# yt's reference buffers\n\n")
        f.write(f"Written by `scripts/yt_reference.py` with yt {yt.__version__}, "
                f"numpy {np.__version__}, Python {sys.version.split()[0]}. "
                "Field `(\"enzo\", \"Density\")` in code units; arrays (ny, nx) float32, "
                "row 0 at the lowest vertical coordinate (see the script's docstring).\n\n")
        f.write("```json\n" + json.dumps(meta, indent=1) + "\n```\n")


if __name__ == "__main__":
    main()
