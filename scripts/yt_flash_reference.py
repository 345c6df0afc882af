#!/usr/bin/env python3
"""Writes yt's slices and projections of the FLASH fixtures (tests/data/flash/, written by the
test writer tests/common/flash_writer.rs) that tests/flash_yt.rs compares amrcast with:
tests/data/yt/flash_*.npy, float32, plus tests/data/yt/FLASH.md (the yt version and every
reference's parameters). It first checks that yt reads every fixture's blocks to the values
the writer stores (see value()), so the files are FLASH files as yt understands them.

Run from the repository root with a Python that has yt and h5py:
    python scripts/yt_flash_reference.py

Conventions (as scripts/yt_reference.py): arrays (ny, nx), row 0 at the lowest vertical
coordinate; yt's image axes; values in code units (FLASH's are cgs: 1 cm, 1 g, 1 s), the
projections the unweighted line integral (field times code length). Every buffer has pixels no
finer than the finest cells and aligned with them, so yt's antialiased pixels and amrcast's
pixel-centre samples see the same cells.
"""
import json
import os
import sys

import h5py
import numpy as np
import yt
from yt.visualization.fixed_resolution import FixedResolutionBuffer

DATA = os.path.join("tests", "data", "flash")
OUT = os.path.join("tests", "data", "yt")
AXES = "xyz"
IMAGE_AXES = {0: (1, 2), 1: (2, 0), 2: (0, 1)}
SEDOV = os.path.join(DATA, "sedov3d_hdf5_plt_cnt_0002")
BLAST = os.path.join(DATA, "blast3d_hdf5_chk_0001")
SOD = os.path.join(DATA, "sod2d_hdf5_plt_cnt_0001")

# name: (dataset, field, kind, axis, coord (slices), bounds (h0, h1, v0, v1), (nx, ny))
REFERENCES = {
    "flash_sedov3d_slice_z": (SEDOV, "dens", "slice", 2, 0.3, (0, 1, 0, 1), (64, 64)),
    "flash_sedov3d_slice_x": (SEDOV, "pres", "slice", 0, 0.55, (0, 1, 0, 1), (64, 64)),
    "flash_sedov3d_proj_z": (SEDOV, "dens", "proj", 2, None, (0, 1, 0, 1), (64, 64)),
    "flash_sedov3d_proj_x": (SEDOV, "pres", "proj", 0, None, (0, 1, 0, 1), (128, 128)),
    "flash_blast3d_slice_y": (BLAST, "velx", "slice", 1, 0.7, (0, 1, 0, 1), (64, 64)),
    "flash_blast3d_proj_y": (BLAST, "ener", "proj", 1, None, (0, 1, 0, 1), (64, 64)),
    "flash_sod2d_slice_z": (SOD, "dens", "slice", 2, 0.5, (0, 1.5, 0, 1), (96, 64)),
    "flash_sod2d_slice_z_velx": (SOD, "velx", "slice", 2, 0.5, (0, 1.5, 0, 1), (96, 64)),
}


def value(var, level, i, j, k):
    """What tests/common/flash_writer.rs stores in a cell (global index at its level)."""
    return (var + 1) * 10000 + level * 1000 + i + 3 * j + 5 * k


def check_blocks(path):
    """yt's grids: level, edges and every cell's value as the writer wrote them."""
    ds = yt.load(path)
    with h5py.File(path, "r") as f:
        names = [n.decode().strip() for n in f["unknown names"][:, 0]]
    dims = ds.domain_dimensions
    width = (ds.domain_right_edge - ds.domain_left_edge).d
    for g in ds.index.grids:
        level = g.Level
        cell = width / (dims * 2**level)
        if ds.dimensionality == 2:
            cell[2] = width[2]
        start = np.rint((g.LeftEdge.d - ds.domain_left_edge.d) / cell).astype(int)
        n = g.ActiveDimensions
        i, j, k = np.meshgrid(*(start[a] + np.arange(n[a]) for a in range(3)), indexing="ij")
        for v, name in enumerate(names):
            got = np.asarray(g["flash", name])
            want = value(v, level, i, j, k)
            assert np.array_equal(got, want), f"{path}: grid {g.id} {name}"
    leaves = sum(1 for g in ds.index.grids if not g.Children)
    print(f"{path}: yt reads {len(ds.index.grids)} grids ({leaves} leaves), "
          f"levels 0-{ds.index.max_level}, fields {names}, time {float(ds.current_time)}: "
          "every value as written")
    return ds


def buffer(ds, field, kind, axis, coord, bounds, size):
    f = ("flash", field)
    if kind == "slice":
        frb = FixedResolutionBuffer(ds.slice(axis, coord), bounds, size)
        arr = np.asarray(frb[f].in_cgs())
    else:
        frb = FixedResolutionBuffer(ds.proj(f, axis), bounds, size)
        arr = np.asarray(frb[f].in_cgs()) / float(ds.length_unit.in_cgs())
    arr = arr.astype(np.float32)
    assert arr.shape == (size[1], size[0]), arr.shape
    return arr


def main():
    yt.set_log_level(40)
    datasets = {p: check_blocks(p) for p in (SEDOV, BLAST, SOD)}
    meta = {}
    for name, (path, field, kind, axis, coord, bounds, size) in REFERENCES.items():
        arr = buffer(datasets[path], field, kind, axis, coord, bounds, size)
        np.save(os.path.join(OUT, name + ".npy"), arr)
        meta[name] = dict(dataset=path, field=field, kind=kind, axis=AXES[axis], coord=coord,
                          bounds=bounds, size=size)
        print(f"{name}: {arr.shape} min {arr.min():.6g} max {arr.max():.6g}")
    with open(os.path.join(OUT, "FLASH.md"), "w") as f:
        f.write("# yt's reference buffers of the FLASH fixtures\n\n")
        f.write(f"Written by `scripts/yt_flash_reference.py` with yt {yt.__version__}, "
                f"h5py {h5py.__version__}, numpy {np.__version__}, Python "
                f"{sys.version.split()[0]}, from the files tests/data/flash/ (written by "
                "tests/common/flash_writer.rs), after checking that yt reads every cell of "
                "them as written. Fields `(\"flash\", NAME)` in code units; arrays (ny, nx) "
                "float32, row 0 at the lowest vertical coordinate.\n\n")
        f.write("```json\n" + json.dumps(meta, indent=1) + "\n```\n")


if __name__ == "__main__":
    main()
