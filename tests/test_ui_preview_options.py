"""The preview honours the take's generation options exactly as `render` does."""

import shutil

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from talkface_studio.core.project_file import load_project  # noqa: E402
from talkface_studio.pipeline.take_compute import TakeCompute  # noqa: E402

pytestmark = pytest.mark.gui


def test_preview_keeps_the_portrait_expression_when_asked(demo_dir, tmp_path):
    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    take = load_project(path).takes[0]
    compute = TakeCompute()
    _, neutral = compute.preview_frame(take, path, 0, 256)
    take.generation.options["neutralize_portrait"] = False
    _, kept = compute.preview_frame(take, path, 0, 256)

    def gap(lm):
        return float(np.linalg.norm(lm[13, :2] - lm[14, :2]))  # inner-lip midpoints

    assert gap(kept) > gap(neutral) + 1.5  # the demo portrait's own parted smile stays when kept
