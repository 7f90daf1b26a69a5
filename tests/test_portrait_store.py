"""What is slow to derive from a portrait (the renderer's head matte and fold shading, stage 1's
neutralized identity) is kept on disk between processes and gives exactly what deriving it again
gives; a damaged entry is derived again, and an entry never builds a class the caller did not list."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from talkface_studio import portrait_store as prepared_store
from talkface_studio.render.registry import get_renderer

PORTRAIT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"
SIZE = 128


@pytest.fixture(scope="module")
def portrait():
    from talkface_studio.face.portrait import fit_portrait
    return fit_portrait(PORTRAIT, size=256)


def _frames(portrait) -> np.ndarray:
    lm = np.asarray(portrait.landmarks, np.float64) * SIZE / portrait.image.shape[0]
    moved = lm.copy()
    moved[:, 0] += 3.0
    moved[13:15, 1] += 2.0
    return np.stack(list(get_renderer("mesh_warp", device="cpu").render(portrait, np.stack([lm, moved]), SIZE)))


def test_stored_preparation_renders_the_same_frames(portrait, tmp_path, monkeypatch):
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("TALKFACE_PORTRAIT_CACHE", "0")
    fresh = _frames(portrait)
    assert not (tmp_path / "portraits").exists()
    monkeypatch.setenv("TALKFACE_PORTRAIT_CACHE", "1")
    first = _frames(portrait)  # prepares and stores
    entries = sorted(p.name.split("-")[0] for p in (tmp_path / "portraits").glob("*.npz"))
    assert entries == ["folds", "head"]
    calls = []
    real = prepared_store.stored

    def spy(kind, key, compute, classes=()):
        calls.append(kind)
        return real(kind, key, lambda: pytest.fail(f"{kind} was prepared again"), classes)
    monkeypatch.setattr("talkface_studio.render.mesh_warp.renderer.stored", spy)
    again = _frames(portrait)  # a new renderer (a new process, as far as its caches go)
    assert calls == ["head", "folds"]
    np.testing.assert_array_equal(first, fresh)
    np.testing.assert_array_equal(again, fresh)


def test_damaged_or_foreign_entries_are_prepared_again(tmp_path, monkeypatch):
    from talkface_studio.face.person_matte import HeadMatte

    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path))
    value = HeadMatte(np.ones((4, 4), np.float32), np.zeros((4, 4, 3), np.float32), np.zeros((4, 4, 3), np.float32),
                      (0, 0, 4, 4), np.ones((4, 4), np.float32), np.zeros((4, 4), np.float32))
    key = prepared_store.entry_key(np.arange(3), "v")
    assert prepared_store.stored("head", key, lambda: value, (HeadMatte,)) is value
    back = prepared_store.stored("head", key, lambda: pytest.fail("not read back"), (HeadMatte,))
    assert back.box == (0, 0, 4, 4) and back.matte.dtype == np.float32
    np.testing.assert_array_equal(back.hair, value.hair)
    path = tmp_path / "portraits" / f"head-{key}.npz"
    path.write_bytes(b"not a zip")
    assert prepared_store.stored("head", key, lambda: value, (HeadMatte,)) is value  # recomputed, rewritten
    # an entry naming a class that is not listed is never built
    arrays = {}
    tree = prepared_store._encode(value, arrays)
    tree["dc"] = "Popen"
    import io
    import json
    buf = io.BytesIO()
    np.savez(buf, tree=np.frombuffer(json.dumps(tree).encode(), np.uint8), **arrays)
    path.write_bytes(buf.getvalue())
    assert prepared_store.stored("head", key, lambda: value, (HeadMatte,)) is value


def test_the_neutralized_identity_is_stored(portrait, tmp_path, monkeypatch):
    from talkface_studio.perform.neutralize import neutralize_identity
    from talkface_studio.pipeline.snapshot import driving_identity

    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path))
    fresh = neutralize_identity(np.asarray(portrait.landmarks, np.float32))[0]
    first = driving_identity(portrait, True)
    assert [p.name.split("-")[0] for p in (tmp_path / "portraits").glob("*.npz")] == ["identity"]
    monkeypatch.setattr("talkface_studio.perform.neutralize.neutralize_identity",
                        lambda *a: pytest.fail("neutralized again"))
    again = driving_identity(portrait, True)
    np.testing.assert_array_equal(first, fresh)
    np.testing.assert_array_equal(again, fresh)
    assert again.dtype == fresh.dtype
    np.testing.assert_array_equal(driving_identity(portrait, False), np.asarray(portrait.landmarks, np.float32))
