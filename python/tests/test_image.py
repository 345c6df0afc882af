"""Image: PNG, values, RGBA, notebook display, stereo pairs."""

import numpy as np
import pytest

import amrcast
from conftest import read_png, two_level


@pytest.fixture
def scene():
    return amrcast.from_grids(two_level(), size=(40, 24), colormap="inferno")


def test_save_writes_the_rgba_and_values(scene, tmp_path):
    img = scene.render(mode="projection")
    assert img.size == (40, 24)
    rgba = img.rgba
    assert rgba.shape == (24, 40, 4) and rgba.dtype == np.uint8
    img.save(tmp_path / "p.png", values=tmp_path / "p.npy")
    np.testing.assert_array_equal(read_png(tmp_path / "p.png"), rgba)
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy"), img.values)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.npy", "p.png"]
    with pytest.raises(FileNotFoundError, match="missing"):
        img.save(tmp_path / "missing" / "x.png")


def test_repr_png_is_the_png(scene, tmp_path):
    img = scene.render()
    data = img._repr_png_()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "r.png").write_bytes(data)
    np.testing.assert_array_equal(read_png(tmp_path / "r.png"), img.rgba)
    assert "40x24 composite" in repr(img)


def test_stereo_pairs_as_the_command_line(scene, tmp_path):
    left, right = scene.render(stereo="parallel", mode="mip")
    assert left.size == right.size == (40, 24)
    assert not np.array_equal(left.values, right.values)
    packed = scene.render(stereo="parallel", stereo_layout="side-by-side", mode="mip")
    assert packed.size == (80, 24)
    np.testing.assert_array_equal(packed.rgba[:, :40], left.rgba)
    np.testing.assert_array_equal(packed.rgba[:, 40:], right.rgba)
    lv, rv = packed.values
    np.testing.assert_array_equal(lv, left.values)
    packed.save(tmp_path / "s.png", values=tmp_path / "v.npy")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.png", "v_L.npy", "v_R.npy"]
    half = scene.render(stereo="toe-in", stereo_layout="side-by-side", half=True)
    assert half.size == (40, 24)
    eyes = packed.eyes
    np.testing.assert_array_equal(eyes[1].values, right.values)
