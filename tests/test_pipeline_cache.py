import os

import numpy as np

from pipeline_fakes import CountingRenderer, FakeTake
from talkface_studio.pipeline.frame_cache import FrameCache, frame_key
from talkface_studio.pipeline.job import RenderJob


def test_edit_touching_a_few_frames_rerenders_only_those(tmp_path):
    take = FakeTake(n_frames=80)
    take.offsets[:] = np.arange(80)  # every frame's input differs
    cache = FrameCache(tmp_path / "c")
    job = RenderJob.whole_take(take, size=24)
    first = CountingRenderer()
    before = dict(job.run(cache=cache, renderer=first))
    assert first.rendered == 80

    take.offsets[30:34] += 100.5  # an artist edit on four frames (renders white)
    second = CountingRenderer()
    after = dict(job.run(cache=cache, renderer=second))
    assert second.rendered == 4
    changed = [f for f in before if not np.array_equal(before[f], after[f])]
    assert changed == [30, 31, 32, 33]
    assert all(after[f].min() == 255 for f in changed)


def test_identical_frames_render_once(tmp_path):
    take = FakeTake(n_frames=60)  # a held pose: every frame has the same inputs
    renderer = CountingRenderer()
    frames = list(RenderJob.whole_take(take, size=16).run(cache=FrameCache(tmp_path), renderer=renderer))
    assert len(frames) == 60 and renderer.rendered == 1


def test_key_depends_on_every_input():
    lm = np.random.default_rng(1).random((478, 3)).astype(np.float32) * 100
    base = frame_key("p", lm, 512, "mesh_warp:1")
    moved = lm.copy()
    moved[17, 1] += 0.01
    assert frame_key("p", lm.copy(), 512, "mesh_warp:1") == base
    assert len({base, frame_key("q", lm, 512, "mesh_warp:1"), frame_key("p", moved, 512, "mesh_warp:1"),
                frame_key("p", lm, 256, "mesh_warp:1"), frame_key("p", lm, 512, "mesh_warp:2")}) == 5


def test_lru_eviction_keeps_recently_used(tmp_path):
    frame = np.zeros((32, 32, 3), np.uint8)
    one = len(frame.tobytes()) + 128  # npy header
    cache = FrameCache(tmp_path, max_bytes=int(one * 5.5))
    for i in range(5):
        cache.put(f"{i:02d}key", frame + i)
        os.utime(cache._path(f"{i:02d}key"), (1000 + i, 1000 + i))
    assert cache.get("00key") is not None  # touch the oldest: now the youngest
    cache.put("05key", frame)
    assert cache.size_bytes <= cache.max_bytes
    assert cache.get("00key") is not None
    assert cache.get("01key") is None
    assert np.array_equal(cache.get("04key"), frame + 4)


def test_unwritable_cache_never_fails_a_render(tmp_path):
    cache = FrameCache(tmp_path)
    (tmp_path / "ab").write_text("a file where the shard folder should be")
    cache.put("abkey", np.zeros((4, 4, 3), np.uint8))  # must not raise
    assert cache.get("abkey") is None
