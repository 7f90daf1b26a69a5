"""Plate composition without a renderer: a head region written back into the photo leaves every
other pixel alone, at the photo's density and resampled; odd sides pad; EXR keeps every level."""

from pathlib import Path

import numpy as np
import pytest

from talkface_studio.face.portrait import PortraitFit, crop_square
from talkface_studio.pipeline.export.exr_sequence import ExrSequenceWriter, read_exr, write_exr
from talkface_studio.pipeline.plate.compose import PlateCanvas, pad_to_even
from talkface_studio.pipeline.plate.source import PlateSource, render_side_for

RNG = np.random.default_rng(3)


def _source(photo, box, side):
    crop = crop_square(photo, box, side)
    fit = PortraitFit(crop, np.zeros((478, 3), np.float32), Path("photo.png"), box, "", photo.shape[1::-1])
    photo = photo.copy()
    photo.setflags(write=False)
    return PlateSource(Path("photo.png"), photo, box, fit)


def test_head_region_past_the_photo_edge_writes_only_the_photo_part():
    photo = RNG.integers(0, 256, (41, 57, 3), dtype=np.uint8)
    src = _source(photo, (-6, -4, 24, 26), 30)                 # runs past the top and left edges
    assert src.native
    head = src.portrait.image.copy()
    head[10:14, 12:15] = 0                                     # inside the photo: photo (6..8, 6..10)
    head[0:3, 0:3] = 255                                       # in the filled part outside the photo
    frame = PlateCanvas(src).place(head)
    assert frame.shape == photo.shape
    changed = np.any(frame != photo, axis=2)
    ys, xs = np.nonzero(changed)
    assert (ys.min(), ys.max(), xs.min(), xs.max()) == (6, 9, 6, 8)
    assert np.array_equal(frame[6:10, 6:9], np.zeros((4, 3, 3), np.uint8))


def test_odd_sides_pad_by_one_repeating_the_edge():
    photo = RNG.integers(0, 256, (31, 45, 3), dtype=np.uint8)
    src = _source(photo, (25, 5, 45, 25), 20)                   # touches the right edge
    canvas = PlateCanvas(src, pad_even=True)
    head = src.portrait.image.copy()
    head[:, -1] = 7
    frame = canvas.place(head)
    assert frame.shape == (32, 46, 3)
    assert np.array_equal(frame[:31, :44], photo[:, :44])       # all but the drawn column
    assert np.array_equal(frame[:, 45], frame[:, 44]) and np.array_equal(frame[31], frame[30])
    assert (frame[5:25, 45] == 7).all()                        # the padding follows the edge it repeats
    assert np.array_equal(pad_to_even(photo), np.pad(photo, ((0, 1), (0, 1), (0, 0)), mode="edge"))
    assert pad_to_even(photo[:30, :44]).shape == (30, 44, 3)


@pytest.mark.parametrize("side", [30, 90])                     # capped (resampled down) and raised
def test_resampled_head_changes_only_where_it_was_changed(side):
    photo = RNG.integers(0, 256, (80, 100, 3), dtype=np.uint8)
    src = _source(photo, (20, 10, 80, 70), side)
    assert not src.native and src.source_side == 60
    canvas = PlateCanvas(src)
    assert np.array_equal(canvas.place(src.portrait.image.copy()), photo)    # nothing drawn: the photo
    head = src.portrait.image.copy()
    a, b = side // 3, side // 2
    head[a:b, a:b] = 0
    frame = canvas.place(head).copy()
    changed = np.any(frame != photo, axis=2)
    s = 60 / side
    lo, hi = int(np.floor((a - 1) * s)) - 1, int(np.ceil((b + 1) * s)) + 1
    ys, xs = np.nonzero(changed)
    assert ys.min() >= 10 + lo and ys.max() <= 10 + hi and xs.min() >= 20 + lo and xs.max() <= 20 + hi
    middle = (10 + int((a + b) / 2 * s), 20 + int((a + b) / 2 * s))
    assert (frame[middle] < 20).all()                          # the drawn block is there, dark
    # the next frame restores what this one wrote
    assert np.array_equal(canvas.place(src.portrait.image.copy()), photo)


def test_render_side_is_the_photo_density_within_limits():
    assert render_side_for(600) == 600
    assert render_side_for(3000) == 2048 and render_side_for(3000, 1024) == 1024
    assert render_side_for(90) == 128


def test_exr_keeps_every_8_bit_level_and_the_alpha(tmp_path):
    rgb = np.stack([np.arange(256, dtype=np.uint8).reshape(16, 16)] * 3, axis=-1)
    rgb[..., 1] = rgb[..., 1][::-1]
    alpha = RNG.random((16, 16)).astype(np.float32)
    write_exr(tmp_path / "a.exr", rgb, alpha)
    back, back_alpha = read_exr(tmp_path / "a.exr")
    assert np.array_equal(back, rgb) and np.abs(back_alpha - alpha).max() < 1e-3
    write_exr(tmp_path / "b.exr", rgb)
    assert read_exr(tmp_path / "b.exr")[1] is None
    with ExrSequenceWriter(tmp_path / "seq", "t1") as seq:
        seq.write(7, (rgb, alpha))
    assert [p.name for p in (tmp_path / "seq").iterdir()] == ["t1.000007.exr"]
