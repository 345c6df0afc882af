"""from_yt: the same images as the command line on the same file, yt's sample generators
against the CPU reference renderer and against yt's own projections."""

import numpy as np
import pytest

import amrcast
from conftest import MOVING7, read_png

yt = pytest.importorskip("yt")
yt.set_log_level(40)


def check_same_as_cli(img, png, npy):
    """PNG within 1 level, values within 1e-5 relative (of the image's largest value)."""
    theirs = np.load(npy)
    ours = img.values
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    # A MIP's pixels that meet no data are NaN in both.
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    ok = ~np.isnan(theirs)
    scale = float(np.abs(theirs[ok]).max())
    assert scale > 0
    assert np.abs(ours[ok] - theirs[ok]).max() <= 1e-5 * scale
    diff = np.abs(img.rgba.astype(int) - read_png(png).astype(int))
    assert diff.max() <= 1


@pytest.mark.parametrize("options", [
    dict(mode="composite"),
    dict(mode="mip", view="x", colormap="inferno"),
    dict(mode="projection", lens="perspective", camera_position=(1.6, 1.3, 1.9)),
])
def test_from_yt_renders_the_same_image_as_the_command_line(cli, tmp_path, options):
    ds = yt.load(str(MOVING7))
    sc = amrcast.from_yt(ds, ("enzo", "Density"))
    assert sc.field == "Density"
    assert sc.cells == amrcast.open(MOVING7).cells
    img = sc.render(size=(96, 64), **options)
    args = []
    for k, v in options.items():
        v = ",".join(map(str, v)) if isinstance(v, tuple) else v
        args += [f"--{k.replace('_', '-')}", v]
    png, npy = tmp_path / "cli.png", tmp_path / "cli.npy"
    cli("render", MOVING7, "--field", "Density", "--size", "96x64", *args, "-o", png, "--values", npy)
    check_same_as_cli(img, png, npy)
    # amrcast's own reader, through the package: the same image again.
    own = amrcast.open(MOVING7, field="Density").render(size=(96, 64), **options)
    check_same_as_cli(own, png, npy)


def test_units_are_the_users(tmp_path):
    ds = yt.load(str(MOVING7))
    code = amrcast.from_yt(ds, ("gas", "density"), units="code_mass/code_length**3")
    cgs = amrcast.from_yt(ds, ("gas", "density"))
    ratio = cgs.stats()[1] / code.stats()[1]
    expected = float(ds.quan(1.0, "code_mass/code_length**3").in_units("g/cm**3"))
    assert ratio == pytest.approx(expected, rel=1e-5)
    assert code.stats()[1] == pytest.approx(amrcast.open(MOVING7).stats()[1], rel=1e-6)


def generated():
    """yt's grid-based generators: an AMR dataset, explicit AMR grids, a uniform grid."""
    from yt.loaders import load_amr_grids, load_uniform_grid
    from yt.testing import fake_amr_ds

    out = {"fake_amr_ds": fake_amr_ds(fields=[("gas", "density")], units=["g/cm**3"])}
    rng = np.random.default_rng(7)
    grids = [
        dict(left_edge=[0.0] * 3, right_edge=[1.0] * 3, level=0, dimensions=[16] * 3),
        dict(left_edge=[0.25] * 3, right_edge=[0.75] * 3, level=1, dimensions=[16] * 3),
        dict(left_edge=[0.375] * 3, right_edge=[0.5] * 3, level=2, dimensions=[8] * 3),
    ]
    for g in grids:
        g["density"] = (rng.random(g["dimensions"]) + 0.5, "g/cm**3")
    out["load_amr_grids"] = load_amr_grids(grids, [16] * 3)
    dens = np.fromfunction(lambda i, j, k: 1.0 + i + 2 * j + 3 * k, (12, 10, 8))
    out["load_uniform_grid"] = load_uniform_grid({"density": (dens, "g/cm**3")}, dens.shape,
                                                 bbox=np.array([[0, 1.2], [0, 1.0], [0, 0.8]]))
    for ds in out.values():
        ds.add_field(("gas", "smooth"), function=smooth, sampling_type="cell", units="g/cm**3")
    return out


def smooth(field, data):
    """A smooth field yt computes from the cell centres (the densities above are noise)."""
    x, y, z = (data["index", a].d for a in "xyz")
    r2 = (x - 0.45) ** 2 + (y - 0.55) ** 2 + (z - 0.4) ** 2
    return data.ds.arr(0.2 + np.exp(-r2 / 0.05) + 0.3 * x, "g/cm**3")


@pytest.mark.parametrize("name", ["fake_amr_ds", "load_amr_grids", "load_uniform_grid"])
@pytest.mark.parametrize("mode", ["projection", "mip", "composite"])
def test_generated_datasets_match_the_cpu_reference(name, mode):
    ds = generated()[name]
    sc = amrcast.from_yt(ds, ("gas", "smooth"), size=(40, 32), jitter=False)
    for camera in [dict(), dict(view="x", lens="perspective")]:
        gpu = sc.render(mode=mode, **camera).values
        cpu = sc.render(mode=mode, device="cpu", **camera).values
        # As tests/gpu_vs_cpu.rs: the mean error under 1% of the mean value (MIP: where a ray
        # met data, which must be the same pixels).
        np.testing.assert_array_equal(np.isnan(gpu), np.isnan(cpu))
        ok = ~np.isnan(cpu)
        err = np.abs(gpu[ok] - cpu[ok]).mean()
        mag = np.abs(cpu[ok]).mean()
        print(f"{name} {mode} {camera}: mean error {err / mag:.2e} of the mean value")
        assert mag > 0
        assert err < 0.01 * mag, (name, mode, camera)


# The relative L1 distance of amrcast's nearest-cell projection from yt's projection, per
# generator (measured: see python/README.md); yt's buffer averages the cells under each pixel,
# amrcast's takes each pixel's centre, so pixels are chosen no finer than the finest cells.
PROJECTION_TOLERANCE = 5e-3


@pytest.mark.parametrize("name", ["fake_amr_ds", "load_amr_grids", "load_uniform_grid"])
@pytest.mark.parametrize("axis", ["x", "z"])
def test_projections_match_yts(name, axis):
    ds = generated()[name]
    sc = amrcast.from_yt(ds, ("gas", "density"))
    lo, hi = ds.domain_left_edge.d, ds.domain_right_edge.d
    h, v = {"x": (1, 2), "z": (0, 1)}[axis]
    # Pixels of the finest cells' size (or larger), on their lattice.
    dx = min(g.dds.d.min() for g in ds.index.grids)
    nh, nv = (int(round((hi[a] - lo[a]) / dx)) for a in (h, v))
    ours = sc.render(mode="projection", interpolation="nearest", samples_per_cell=4,
                     lens="plane", view=axis, size=(nh, nv), width=hi[h] - lo[h]).values
    frb = ds.proj(("gas", "density"), axis).to_frb((hi[h] - lo[h], "code_length"), (nh, nv),
                                                   height=(hi[v] - lo[v], "code_length"))
    # yt: g/cm**2 with code_length in cm; amrcast: the field (g/cm**3) times domain units.
    per_cm = float(ds.quan(1.0, "code_length").in_units("cm"))
    theirs = np.asarray(frb[("gas", "density")].in_units("g/cm**2")) / per_cm
    theirs = theirs[::-1]  # yt's row 0 is at the bottom, amrcast's at the top
    assert ours.shape == theirs.shape
    l1 = np.abs(ours - theirs).sum() / np.abs(theirs).sum()
    print(f"{name} along {axis}: relative L1 {l1:.2e}")
    assert l1 < PROJECTION_TOLERANCE
