#!/usr/bin/env python3
"""Checks yt's reading of the AMReX plotfile fixtures and writes its reference buffers of them.

The fixtures, tests/data/amrex/plt3d and plt2d, are written by the tests' plotfile writer
(tests/common/amrex_writer.rs, layouts and values in tests/common/amrex_fixtures.rs). This
script

1. loads each with yt and checks what yt reads against what was written: the dimension, the
   domain, the grids per level, and every cell of every grid and component against the same
   polynomials of the cell centre and level that the writer evaluated (printing the largest
   relative difference; it fails above 1e-6);
2. saves yt's slices and unweighted projections (fixed-resolution buffers, 64 x 64, float32,
   row 0 at the lowest vertical coordinate, yt's image axes) as tests/data/yt/amrex*.npy,
   which tests/amrex_yt.rs compares amrcast's images with;
3. writes tests/data/amrex/README.md with the yt version, the checks' results and every
   reference's parameters.

Run from the repository root with a Python that has yt (4.4.3 was used):
    python scripts/yt_amrex.py
"""
import json
import os
import sys

import numpy as np
import yt
from yt.visualization.fixed_resolution import FixedResolutionBuffer

DATA = os.path.join("tests", "data", "amrex")
OUT = os.path.join("tests", "data", "yt")
PLT3D = os.path.join(DATA, "plt3d")
PLT2D = os.path.join(DATA, "plt2d")
# yt's image axes for a slice or projection across each axis: (horizontal, vertical).
IMAGE_AXES = {0: (1, 2), 1: (2, 0), 2: (0, 1)}
SIZE = 64


def value3d(c, lev, x, y, z):
    """tests/common/amrex_fixtures.rs value3d, term for term."""
    if c == 0:
        return 2.0 + x + 0.5 * y * y + 0.25 * z + 0.125 * lev
    return 10.0 + 3.0 * x * y - 2.0 * z + lev


def value2d(c, lev, x, y, z):
    """tests/common/amrex_fixtures.rs value2d, term for term."""
    if c == 0:
        return 1.0 + x * x + y + 0.5 * lev
    if c == 1:
        return 5.0 + 2.0 * x - 3.0 * y * y + 0.25 * lev
    return x * y - 0.125 * lev


# name: (plotfile, kind, axis, coord (slices), field)
REFERENCES = {
    "amrex3d_slice_z_density": (PLT3D, "slice", 2, 0.8, "density"),
    "amrex3d_slice_x_temperature": (PLT3D, "slice", 0, -0.05, "temperature"),
    "amrex3d_proj_z_density": (PLT3D, "proj", 2, None, "density"),
    "amrex3d_proj_x_density": (PLT3D, "proj", 0, None, "density"),
    "amrex2d_slice_density": (PLT2D, "slice", 2, 0.5, "density"),
    "amrex2d_slice_pressure": (PLT2D, "slice", 2, 0.5, "pressure"),
}

# What the writer wrote: dimension, domain (2-D: x and y), grids per level, field names, dtype.
EXPECTED = {
    PLT3D: (3, [-1.0, -1.0, 0.0], [1.0, 1.0, 2.0], [2, 2, 2],
            ["density", "temperature"], np.float64, value3d),
    PLT2D: (2, [0.5, -0.5], [1.5, 0.5], [2, 3, 2],
            ["density", "pressure", "vx"], np.float32, value2d),
}


def check_values(path, ds):
    """Compares every cell yt reads with the writer's values; returns the largest relative
    difference per field and the cells compared."""
    dim, lo, hi, per_level, names, dtype, value = EXPECTED[path]
    assert ds.dimensionality == dim, ds.dimensionality
    assert np.allclose(ds.domain_left_edge.d[:dim], lo), ds.domain_left_edge
    assert np.allclose(ds.domain_right_edge.d[:dim], hi), ds.domain_right_edge
    levels = [int((ds.index.grid_levels[:, 0] == lev).sum()) for lev in range(len(per_level))]
    assert levels == per_level, levels
    assert [f for _, f in ds.field_list] == names, ds.field_list
    worst, cells = {}, 0
    for g in ds.index.grids:
        x, y, z = (g["index", a].d for a in "xyz")
        for c, name in enumerate(names):
            got = g["boxlib", name].d
            want = np.asarray(value(c, g.Level, x, y, z), dtype=dtype).astype(np.float64)
            rel = np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-30))
            worst[name] = max(worst.get(name, 0.0), float(rel))
        cells += g.ActiveDimensions.prod()
        g.clear_data()
    for name, rel in worst.items():
        assert rel < 1e-6, f"{path} {name}: yt reads values {rel:.3g} from those written"
    return worst, int(cells)


def buffer(ds, kind, axis, coord, field):
    h, v = IMAGE_AXES[axis]
    le, re = ds.domain_left_edge.d, ds.domain_right_edge.d
    bounds = (le[h], re[h], le[v], re[v])
    f = ("boxlib", field)
    obj = ds.slice(axis, coord) if kind == "slice" else ds.proj(f, axis)
    arr = FixedResolutionBuffer(obj, bounds, (SIZE, SIZE))[f]
    # Slices in the field's units; projections in field units times cm (code_length is 1 cm).
    return np.asarray(arr.d, dtype=np.float32), [float(b) for b in bounds], str(arr.units)


def main():
    yt.set_log_level(40)
    os.makedirs(OUT, exist_ok=True)
    datasets = {p: yt.load(p) for p in EXPECTED}
    checks = {}
    for path, ds in datasets.items():
        worst, cells = check_values(path, ds)
        checks[path] = dict(yt_class=type(ds).__name__, cells=cells,
                            largest_relative_difference=worst)
        print(f"{path}: {type(ds).__name__}, {cells} cells, largest relative difference {worst}")
    refs = {}
    for name, (path, kind, axis, coord, field) in REFERENCES.items():
        arr, bounds, units = buffer(datasets[path], kind, axis, coord, field)
        np.save(os.path.join(OUT, name + ".npy"), arr)
        refs[name] = dict(plotfile=path, kind=kind, axis="xyz"[axis], coord=coord,
                          field=field, units=units, size=SIZE, bounds=bounds)
        print(f"{name}: {arr.shape} min {arr.min():.6g} max {arr.max():.6g} ({units})")
    with open(os.path.join(DATA, "README.md"), "w") as f:
        f.write("# AMReX plotfile fixtures\n\n"
                "`plt3d` and `plt2d` are written by the tests' plotfile writer "
                "(`tests/common/amrex_writer.rs`, layouts and values in "
                "`tests/common/amrex_fixtures.rs`; `tests/amrex_yt.rs` checks they still are). "
                "They are not output of a simulation code.\n\n"
                f"`scripts/yt_amrex.py` (yt {yt.__version__}, numpy {np.__version__}, "
                f"Python {sys.version.split()[0]}) checked that yt reads every cell as written "
                "and wrote yt's buffers `tests/data/yt/amrex*.npy` (64 x 64 float32, row 0 at "
                "the lowest vertical coordinate):\n\n")
        f.write("```json\n" + json.dumps(dict(checks=checks, references=refs), indent=1)
                + "\n```\n")


if __name__ == "__main__":
    main()
