"""Scene.movie: the movie engine's frames, from the scene's camera."""

import numpy as np

import amrcast
from conftest import read_png, two_level


def test_an_orbit_movie_starts_from_the_scenes_camera(tmp_path):
    sc = amrcast.from_grids(two_level(), size=(32, 24), mode="mip")
    sc.camera.orbit(30)
    first = sc.render()
    sc.movie(None, tmp_path, orbit=90, count=3, values=True)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["frame_00000.npy", "frame_00000.png", "frame_00001.npy", "frame_00001.png",
                     "frame_00002.npy", "frame_00002.png", "movie-settings.txt"]
    np.testing.assert_allclose(np.load(tmp_path / "frame_00000.npy"), first.values, rtol=1e-6)
    np.testing.assert_array_equal(read_png(tmp_path / "frame_00000.png"), first.rgba)
    assert not np.array_equal(np.load(tmp_path / "frame_00002.npy"), first.values)


def test_a_path_file_movie(tmp_path):
    path = tmp_path / "path.toml"
    path.write_text("""frames = 2
[[keyframe]]
at = 0.0
width = 1.5
position = [0.5, 0.5, 3.0]
focus = [0.5, 0.5, 0.5]
[[keyframe]]
at = 1.0
position = [3.0, 0.5, 0.5]
focus = [0.5, 0.5, 0.5]
""")
    sc = amrcast.from_grids(two_level(), size=(16, 16), view="x")
    out = tmp_path / "frames"
    sc.movie(path, out)
    assert (out / "frame_00001.png").exists()
