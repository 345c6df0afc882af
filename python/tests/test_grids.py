"""from_grids and open: layouts, validation messages, arrays read in place, options."""

import numpy as np
import pytest

import amrcast
from conftest import MOVING7, blob, two_level


def test_fortran_float32_arrays_are_read_in_place_and_c_arrays_match():
    f = amrcast.from_grids(two_level("F"), field="rho")
    c = amrcast.from_grids(two_level("C"), field="rho")
    assert f.grids_in_place == 2
    assert c.grids_in_place == 0
    assert f.grids_per_level == [1, 1]
    assert f.cells == 2 * 16 ** 3
    assert f.domain == ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    a = f.render(mode="mip", size=(48, 32)).values
    b = c.render(mode="mip", size=(48, 32)).values
    assert a.shape == (32, 48) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)


def test_index_convention_is_x_first():
    """data[i, j, k] is the cell at x index i: a field rising along x only, seen along z,
    rises to the right of a projection."""
    n = 8
    x = (np.arange(n) + 0.5) / n
    data = np.broadcast_to(x[:, None, None], (n, n, n)).astype(np.float32)
    sc = amrcast.from_grids([dict(left_edge=(0, 0, 0), right_edge=(1, 1, 1), level=0, data=data)])
    v = sc.render(mode="projection", size=(8, 8), interpolation="nearest", samples_per_cell=4).values
    np.testing.assert_allclose(v[3], x, rtol=1e-3)
    np.testing.assert_allclose(v[:, 2], np.full(n, x[2]), rtol=1e-3)


def test_other_dtypes_and_big_endian_are_converted():
    data = blob(8).astype(">f8")
    sc = amrcast.from_grids([dict(left_edge=(0, 0, 0), right_edge=(1, 1, 1), level=0, data=data)])
    lo, hi, _, bad, _ = sc.stats()
    assert (lo, hi) == pytest.approx((float(data.min()), float(data.max())), rel=1e-6)
    assert bad == 0


def test_nan_is_kept_and_counted():
    data = np.asfortranarray(blob(8))
    data[1, 2, 3] = np.nan
    data[2, 2, 2] = np.inf
    sc = amrcast.from_grids([dict(left_edge=(0, 0, 0), right_edge=(1, 1, 1), level=0, data=data)])
    assert sc.stats()[3] == 2
    with pytest.warns(UserWarning, match="field 'field' has 2 NaN or infinite values; they are drawn transparent"):
        assert np.isfinite(sc.render(mode="mip", size=(16, 16)).values).all()


def grid(left, right, level, n):
    return dict(left_edge=left, right_edge=right, level=level, data=np.ones((n, n, n), np.float32))


def test_bad_shapes_are_value_errors():
    g = grid((0, 0, 0), (1, 1, 1), 0, 4)
    g["data"] = np.ones((4, 4), np.float32)
    with pytest.raises(ValueError, match=r"grid 0: data has shape \[4, 4\]; give a 3-D array"):
        amrcast.from_grids([g])
    # 5 cells across a level-1 grid whose edges hold 4 of level 1.
    bad = [grid((0, 0, 0), (1, 1, 1), 0, 4), grid((0.25,) * 3, (0.75,) * 3, 1, 5)]
    with pytest.raises(ValueError, match=r"grid 2 \(level 1\): cell size .* differs from .* that of grid 1 of the same level"):
        amrcast.from_grids([bad[0], grid((0, 0, 0), (0.5,) * 3, 1, 4), bad[1]])
    with pytest.raises(ValueError, match="not in a whole-number ratio"):
        amrcast.from_grids(bad)
    with pytest.raises(ValueError, match="grid 0: no 'data'"):
        amrcast.from_grids([dict(left_edge=(0, 0, 0), right_edge=(1, 1, 1), level=0)])
    with pytest.raises(ValueError, match="grid 0: left_edge has 2 numbers"):
        amrcast.from_grids([dict(grid((0, 0, 0), (1, 1, 1), 0, 4), left_edge=(0, 0))])


def test_overlapping_grids_are_refused():
    grids = [
        grid((0, 0, 0), (1, 1, 1), 0, 8),
        grid((0.25,) * 3, (0.5,) * 3, 1, 4),
        grid((0.375,) * 3, (0.625,) * 3, 1, 4),
    ]
    with pytest.raises(ValueError, match="invalid AMR data: grid 1 and grid 2 of level 1 overlap"):
        amrcast.from_grids(grids)


def test_a_fine_grid_outside_its_parents_is_refused():
    grids = [
        grid((0, 0, 0), (1, 1, 1), 0, 8),
        grid((0, 0, 0), (0.5,) * 3, 1, 8),
        grid((0.5,) * 3, (0.625,) * 3, 2, 4),
    ]
    with pytest.raises(ValueError, match=r"grid 2 of level 2 .* is not inside its parent level 1"):
        amrcast.from_grids(grids)


def test_a_root_level_with_a_hole_is_refused():
    grids = [grid((0, 0, 0), (0.5, 0.5, 0.5), 0, 4)]
    with pytest.raises(ValueError, match="the root level must cover the domain"):
        amrcast.from_grids(grids, domain_left_edge=(0, 0, 0), domain_right_edge=(1, 1, 1))


def test_open_of_a_missing_file_names_it(tmp_path):
    missing = tmp_path / "nowhere" / "DD0001"
    with pytest.raises(FileNotFoundError, match=str(missing)):
        amrcast.open(missing)


def test_open_reads_amrcasts_own_formats():
    sc = amrcast.open(MOVING7, field="Density")
    assert sc.field == "Density"
    assert sc.grids_per_level[0] == 1 and len(sc.grids_per_level) == 8
    with pytest.raises(ValueError, match="unknown field 'Nope'; available fields: .*Density"):
        amrcast.open(MOVING7, field="Nope")


def test_options_take_the_command_lines_names_and_messages():
    sc = amrcast.from_grids(two_level())
    with pytest.raises(ValueError, match="invalid value 'sideways' for '--mode <MODE>'"):
        sc.render(mode="sideways")
    with pytest.raises(ValueError, match="is not WxH with sides from 1 to 16384"):
        sc.render(size=(0, 10))
    with pytest.raises(ValueError, match="MIN must be below MAX"):
        sc.render(bounds=(2, 1))
    with pytest.raises(ValueError, match="give either --view or --camera-position, not both"):
        sc.render(view="x", camera_position=(3, 3, 3))
    with pytest.raises(ValueError, match="--half needs --stereo parallel or --stereo toe-in"):
        sc.render(half=True)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour_map'"):
        sc.render(colour_map="inferno")
    with pytest.raises(ValueError, match="samples per cell 0 must lie in"):
        sc.render(samples_per_cell=0)
    with pytest.raises(ValueError, match="a scene holds one field"):
        sc.render(field="other")
    with pytest.raises(ValueError, match="opacity_points: control points must be sorted by t"):
        sc.render(opacity_points=[(0.5, 0.1), (0.2, 0.3)])
    # Bad scene options fail when the scene is made.
    with pytest.raises(ValueError, match="invalid value 'rainbow' for '--colormap <COLORMAP>'"):
        amrcast.from_grids(two_level(), colormap="rainbow")


def test_scene_options_are_kept_and_overridden_per_render():
    sc = amrcast.from_grids(two_level(), mode="mip", size=(40, 30))
    assert sc.render().values.shape == (30, 40)
    assert sc.render(mode="composite").values.shape == (30, 40, 4)
    assert sc.render(size=(20, 10)).values.shape == (10, 20)
    assert sc.options["mode"] == "mip"
    # None is the option's default for that call.
    assert sc.render(mode=None).values.shape == (30, 40, 4)


def test_opacity_points_shape_the_transfer_function():
    sc = amrcast.from_grids(two_level(), size=(32, 32), scale="linear")
    clear = sc.render(opacity_points=[(0.0, 0.0), (1.0, 0.0)]).values
    assert np.abs(clear).max() == 0.0
    some = sc.render(opacity_points=[(0.0, 0.0), (0.5, 0.2), (1.0, 0.6)]).values
    assert some[..., 3].max() > 0.1


def test_the_cpu_reference_matches_the_gpu():
    sc = amrcast.from_grids(two_level(), size=(40, 40), jitter=False)
    for mode in ["mip", "projection", "composite"]:
        gpu = sc.render(mode=mode).values
        cpu = sc.render(mode=mode, device="cpu").values
        np.testing.assert_allclose(gpu, cpu, rtol=2e-3, atol=2e-4, err_msg=mode)


def test_a_panic_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="amrcast: internal error: a deliberate panic"):
        amrcast._amrcast._panic_for_tests()


def test_a_2d_dataset_is_an_image_of_its_field():
    """One cell thick and not refined in z: rendered as its field, x right and y up."""
    nx, ny = 16, 8
    x = (np.arange(nx) + 0.5) * 2.0 / nx
    y = (np.arange(ny) + 0.5) * 1.0 / ny
    root = (x[:, None] + 10 * y[None, :])[:, :, None].astype(np.float32)
    xf = 0.5 + (np.arange(8) + 0.5) * 0.5 / 8
    yf = 0.25 + (np.arange(8) + 0.5) * 0.5 / 8
    fine = (xf[:, None] + 10 * yf[None, :])[:, :, None].astype(np.float32)
    sc = amrcast.from_grids([
        dict(left_edge=(0, 0, 0), right_edge=(2, 1, 0.1), level=0, data=root),
        dict(left_edge=(0.5, 0.25, 0), right_edge=(1.0, 0.75, 0.1), level=1, data=fine),
    ], scale="linear")
    img = sc.render(interpolation="nearest")
    assert img.size == (512, 256)
    v = img.values
    assert v.shape == (256, 512)
    # Pixel (row 200, column 100) lies at x = 100.5 / 256, y = 1 - 200.5 / 256: a root cell.
    i, j = int(100.5 / 256 * nx / 2), int((1 - 200.5 / 256) * ny)
    assert v[200, 100] == pytest.approx(root[i, j, 0])
    # Pixel (row 100, column 180): x = 0.705, y = 0.607, a fine cell.
    i, j = int((180.5 / 256 - 0.5) * 16), int((1 - 100.5 / 256 - 0.25) * 16)
    assert v[100, 180] == pytest.approx(fine[i, j, 0])
    with pytest.raises(ValueError, match="2-D dataset.*--stereo does not apply"):
        sc.render(stereo="parallel")


def test_layouts_of_a_large_grid_give_the_same_image():
    """C order (transposed on several threads above a million cells), Fortran order (read in
    place) and a strided view (copied element by element) hold the same cells."""
    rng = np.random.default_rng(3)
    base = rng.random((2 * 130, 96, 90), dtype=np.float32)
    views = {"C": np.ascontiguousarray(base[::2]), "F": np.asfortranarray(base[::2]),
             "strided": base[::2]}
    images = {}
    for name, data in views.items():
        sc = amrcast.from_grids([dict(left_edge=(0, 0, 0), right_edge=(1.3, 0.96, 0.9), level=0,
                                      data=data)], mode="mip", size=(65, 48), view="y")
        assert sc.grids_in_place == (1 if name == "F" else 0)
        images[name] = sc.render().values
    np.testing.assert_array_equal(images["C"], images["F"])
    np.testing.assert_array_equal(images["strided"], images["F"])


def test_a_grid_list_copies_c_arrays_in_the_background_to_the_same_scene():
    grids = two_level("C")
    grids[1]["data"] = np.asfortranarray(grids[1]["data"])
    listed = amrcast._amrcast.GridList()
    for g in grids:
        listed.add(g["left_edge"], g["right_edge"], g["level"], g["data"])
    assert len(listed) == 2
    a = amrcast.Scene(amrcast._amrcast.from_grids(listed, "rho", "list"))
    b = amrcast.from_grids(grids, field="rho")
    assert a.grids_in_place == b.grids_in_place == 1
    np.testing.assert_array_equal(a.render(mode="mip", size=(40, 40)).values,
                                  b.render(mode="mip", size=(40, 40)).values)
    with pytest.raises(ValueError, match="grid 0: data has shape"):
        amrcast._amrcast.GridList().add((0, 0, 0), (1, 1, 1), 0, np.ones((4, 4), np.float32))


def test_rendering_releases_the_gil():
    """Python code runs in another thread while a render is in Rust: a counter advances while
    a (slow, CPU reference) render runs; with the GIL held it could not move until the end."""
    import threading

    sc = amrcast.from_grids(two_level(), size=(256, 256), device="cpu")
    started = threading.Event()

    def work():
        started.set()
        sc.render()

    t = threading.Thread(target=work)
    t.start()
    started.wait()
    n = 0
    while t.is_alive():
        n += 1
    t.join()
    assert n > 1000
