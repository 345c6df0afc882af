"""The scene's camera: moves change the image as they should."""

import numpy as np
import pytest

import amrcast
from conftest import blob


def asymmetric():
    """A field with a bright blob off the centre, in x, y and z."""
    data = np.asfortranarray(blob(24, centre=(0.3, 0.6, 0.45)))
    return amrcast.from_grids([dict(left_edge=(0, 0, 0), right_edge=(1, 1, 1), level=0, data=data)],
                              size=(48, 40), jitter=False, interpolation="nearest",
                              samples_per_cell=4)


def test_orbit_180_about_up_mirrors_a_mip():
    sc = asymmetric()
    front = sc.render(mode="mip").values
    sc.camera.orbit(180)
    back = sc.render(mode="mip").values
    assert not np.allclose(front, front[:, ::-1])
    np.testing.assert_allclose(back, front[:, ::-1], rtol=1e-5)
    assert sc.camera.position[2] < 0.5 < sc.camera.focus[2] + 1e-9


def test_orbit_about_an_axis_and_reset():
    sc = asymmetric()
    z = sc.render(mode="projection").values
    sc.camera.orbit(90, axis=(0, 1, 0))  # from +z to +x, y up: the view along x
    np.testing.assert_allclose(sc.camera.position[1:], (0.5, 0.5), atol=1e-9)
    assert sc.camera.position[0] > 1.0
    along_x = sc.render(mode="projection").values
    sc.camera.reset("z")
    np.testing.assert_allclose(sc.render(mode="projection").values, z, rtol=1e-6)
    assert not np.allclose(along_x, z)


def test_zoom_magnifies_about_the_focus():
    sc = asymmetric()
    wide = sc.render(mode="mip", size=(63, 63)).values
    width = sc.camera.width
    sc.camera.zoom(2)
    assert sc.camera.width == pytest.approx(width / 2)
    close = sc.render(mode="mip", size=(63, 63)).values
    # Zoomed 2x, odd pixels of the close image sit on the centres of the wide image's middle
    # pixels: the same rays, the same nearest cells.
    np.testing.assert_allclose(close[1::2, 1::2], wide[16:47, 16:47], rtol=1e-5)
    with pytest.raises(ValueError, match="zoom factor -1 must be positive"):
        sc.camera.zoom(-1)


def test_pan_moves_the_view_by_a_fraction_of_the_image():
    sc = asymmetric()
    before = sc.render(mode="mip", size=(64, 64)).values
    focus = np.array(sc.camera.focus)
    sc.camera.pan(0.25, 0.0)
    after = sc.render(mode="mip", size=(64, 64)).values
    assert np.array(sc.camera.focus)[0] == pytest.approx(focus[0] + 0.25 * sc.camera.width)
    # The camera moved right by 16 pixels: the scene moved left.
    np.testing.assert_allclose(after[:, :48], before[:, 16:], rtol=1e-5)


def test_properties_and_lens_switch():
    sc = asymmetric()
    cam = sc.camera
    assert cam.lens == "plane"
    assert cam.focus == pytest.approx((0.5, 0.5, 0.5))
    cam.lens = "perspective"
    assert cam.lens == "perspective"
    cam.fov = 40
    assert cam.fov == 40
    # Pixels outside the data are NaN in a MIP's values; the data fills less of a wider view.
    narrow = np.isnan(sc.render(mode="mip").values).sum()
    cam.fov = 60
    assert np.isnan(sc.render(mode="mip").values).sum() > narrow
    cam.position = (0.5, 0.5, 3.0)
    assert cam.position == pytest.approx((0.5, 0.5, 3.0))
    with pytest.raises(ValueError, match="camera position and focus must differ"):
        cam.position = cam.focus
    with pytest.raises(ValueError, match=r"unknown lens .fisheye. \(expected plane or perspective\)"):
        cam.lens = "fisheye"


def test_camera_keywords_place_the_camera_and_it_stays():
    sc = asymmetric()
    x = sc.render(mode="mip", view="x").values
    assert sc.camera.position[0] > 1.0
    np.testing.assert_array_equal(sc.render(mode="mip").values, x)


def test_an_unmoved_camera_frames_each_size_as_the_command_line():
    sc = asymmetric()
    sc.render(size=(100, 50))
    assert sc.camera.width == pytest.approx(amrcast.from_grids(
        [dict(left_edge=(0, 0, 0), right_edge=(1, 1, 1), level=0, data=blob(4))],
        size=(100, 50)).camera.width)


def test_negative_numbers_are_values_not_flags():
    sc = asymmetric()
    # The command line's own message, not clap's "unexpected argument '-1'".
    with pytest.raises(ValueError, match="opacity -1 must be zero or positive"):
        sc.render(opacity=-1)
    img = sc.render(mode="mip", camera_position=(-2.0, 0.5, 0.5), focus=(0.5, 0.5, 0.5))
    assert sc.camera.position == pytest.approx((-2.0, 0.5, 0.5))
    assert np.isfinite(img.values).any()
