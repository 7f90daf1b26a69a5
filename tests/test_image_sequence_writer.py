"""The PNG sequence writer: frames encoded by writer threads, in order, lossless (8 and 16 bits,
RGB and RGBA), atomically moved into place; a failing frame fails the write and leaves nothing."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from talkface_studio.pipeline.export.atomic import ExportError
from talkface_studio.pipeline.export.image_sequence import ImageSequenceWriter, frame_name, read_frame


def _image(seed: int, shape, dtype):
    rng = np.random.default_rng(seed)
    top = 65535 if dtype == np.uint16 else 255
    return rng.integers(0, top + 1, size=shape).astype(dtype)


@pytest.mark.parametrize("dtype,channels", [(np.uint8, 3), (np.uint8, 4), (np.uint16, 3), (np.uint16, 4)])
def test_frames_round_trip_losslessly(tmp_path, dtype, channels):
    images = {f: _image(f, (24, 32, channels), dtype) for f in range(100, 117)}
    buffer = np.empty((24, 32, channels), dtype)
    with ImageSequenceWriter(tmp_path / "seq", "shot") as seq:
        for f, img in images.items():
            buffer[...] = img  # the caller reuses its buffer: the writer must have its own copy
            seq.write(f, buffer)
            buffer[...] = 0
    files = sorted((tmp_path / "seq").iterdir())
    assert [p.name for p in files] == [frame_name("shot", f) for f in images]
    for f, img in images.items():
        with Image.open(tmp_path / "seq" / frame_name("shot", f)) as im:
            back = np.asarray(im)
            mode = im.mode
        if dtype == np.uint8:
            assert mode == ("RGBA" if channels == 4 else "RGB")
            np.testing.assert_array_equal(back, img)
        else:  # Pillow reads 16-bit colour PNGs only as 8 bits: check with OpenCV, which keeps them
            import cv2
            raw = cv2.imread(str(tmp_path / "seq" / frame_name("shot", f)), cv2.IMREAD_UNCHANGED)
            assert raw.dtype == np.uint16 and raw.shape == img.shape
            np.testing.assert_array_equal(raw[..., [2, 1, 0] + ([3] if channels == 4 else [])], img)
    if dtype == np.uint8 and channels == 3:
        np.testing.assert_array_equal(read_frame(files[0]), images[100])


def test_a_frame_that_cannot_be_written_fails_the_sequence(tmp_path, monkeypatch):
    import errno

    real = ImageSequenceWriter.save

    def flaky(self, payload, target):  # runs in a writer thread
        if target.name == frame_name("shot", 5):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, payload, target)
    monkeypatch.setattr(ImageSequenceWriter, "save", flaky)
    with pytest.raises(ExportError, match="frame 5"):
        with ImageSequenceWriter(tmp_path / "seq", "shot") as seq:
            for f in range(12):
                seq.write(f, _image(f, (8, 8, 3), np.uint8))
    assert not (tmp_path / "seq").exists()  # the folder it made is gone, no half sequence


def test_bad_frames_are_refused(tmp_path):
    with ImageSequenceWriter(tmp_path / "seq", "shot") as seq:
        with pytest.raises(ValueError):
            seq.write(0, np.zeros((8, 8), np.uint8))
        with pytest.raises(ValueError):
            seq.write(0, np.zeros((8, 8, 3), np.float32))
        seq.write(0, np.zeros((8, 8, 3), np.uint8))
