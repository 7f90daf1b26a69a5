"""The GPU's batched path (``render/mesh_warp/batched``) run on the CPU: the same frames as the
tensor path one frame at a time, still frames included, and the look of the CPU's own path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from talkface_studio.core.errors import ValidationError
from talkface_studio.face.geometry import rotation_from_angles
from talkface_studio.render.mesh_warp.face_loops import INNER_LOWER_LIP
from talkface_studio.render.mesh_warp.renderer import GPU_BATCH, MeshWarpRenderer

PORTRAIT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"
SIZE = 256


@pytest.fixture(scope="module")
def portrait():
    from talkface_studio.face.portrait import fit_portrait
    return fit_portrait(PORTRAIT, size=SIZE)


def _take(portrait) -> np.ndarray:
    rest = np.asarray(portrait.landmarks, np.float64)
    centre = rest[:468].mean(0)
    frames = []
    for i in range(7):
        lm = rest.copy()
        lm[INNER_LOWER_LIP, 1] += 6.0 * np.sin(i)  ** 2  # the mouth opens and closes
        rot = rotation_from_angles(10 * np.sin(i), 4 * np.cos(i), 3 * np.sin(2 * i))
        frames.append((lm - centre) @ rot.T + centre + [2.0 * i, -1.0 * i, 0.0])
    frames[2] = rest  # a still frame: the plate itself, outside any window
    return np.stack(frames)


def test_batches_give_the_frames_of_one_by_one(portrait):
    lms = _take(portrait)
    one = np.stack(list(MeshWarpRenderer("cpu", batch=1).render(portrait, lms, SIZE)))
    batched = np.stack(list(MeshWarpRenderer("cpu", batch=4).render(portrait, lms, SIZE)))  # 4 + 3
    assert batched.shape == (7, SIZE, SIZE, 3) and batched.dtype == np.uint8
    np.testing.assert_array_equal(batched, one)
    own = np.stack(list(MeshWarpRenderer("cpu").render(portrait, lms, SIZE)))  # OpenCV, channels last
    diff = np.abs(own.astype(int) - batched.astype(int))
    assert diff.max() <= 4 and diff.mean() < 0.2
    assert not np.array_equal(batched[0], batched[1])  # the frames do move


def test_batch_size_choice():
    cpu = MeshWarpRenderer("cpu")
    assert cpu.batch == 1 and not cpu._tensors
    assert MeshWarpRenderer("cpu", batch=3).batch == 3
    assert MeshWarpRenderer("cpu", batch=3).version != cpu.version  # other code, other cache entries
    assert GPU_BATCH > 1
    with pytest.raises(ValidationError):
        MeshWarpRenderer("cpu", batch=-1)
