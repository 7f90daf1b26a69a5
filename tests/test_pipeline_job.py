import numpy as np
import pytest

from pipeline_fakes import CountingRenderer, FakeTake
from talkface_studio.core.errors import ValidationError
from talkface_studio.pipeline.cancel import CancelToken, JobCancelled
from talkface_studio.pipeline.job import RenderJob, parse_frame_range


def test_job_yields_its_range_in_order_with_progress():
    take = FakeTake(n_frames=100, first_frame=1001)
    take.offsets[:] = np.arange(100) % 50
    job = RenderJob(take, 1010, 1075, size=32)
    seen = []
    frames = [(f, rgb) for f, rgb in job.run(progress=lambda d, t: seen.append((d, t)), renderer=CountingRenderer())]
    assert [f for f, _ in frames] == list(range(1010, 1075))
    assert all(rgb.shape == (32, 32, 3) and rgb.dtype == np.uint8 for _, rgb in frames)
    # frame content follows the take's per-frame input, not the position in the job
    assert frames[0][1][0, 0, 0] == 9 and frames[-1][1][0, 0, 0] == (1074 - 1001) % 50
    assert seen[0] == (0, 65) and seen[-1] == (65, 65)
    assert [d for d, _ in seen] == list(range(66))


def test_cancel_stops_within_one_frame():
    take = FakeTake(n_frames=200)
    job = RenderJob.whole_take(take, size=16)
    token = CancelToken()
    got = []
    with pytest.raises(JobCancelled):
        for frame, _ in job.run(cancel=token, renderer=CountingRenderer()):
            got.append(frame)
            if frame == 40:
                token.cancel()
    assert got[-1] == 40


def test_job_streams_landmarks_in_chunks():
    take = FakeTake(n_frames=300)
    job = RenderJob.whole_take(take, size=16)
    for _ in job.run(renderer=CountingRenderer()):
        pass
    assert len(take.landmark_calls) > 1
    assert max(b - a for a, b in take.landmark_calls) <= 64


@pytest.mark.parametrize("text,expected", [(None, (5, 55)), ("10-20", (10, 21)), ("7", (7, 8)), ("5-54", (5, 55))])
def test_parse_frame_range(text, expected):
    assert parse_frame_range(text, FakeTake(n_frames=50, first_frame=5)) == expected


@pytest.mark.parametrize("text", ["20-10", "0-10", "50-60", "a-b", "1-2-3"])
def test_bad_frame_ranges_are_refused(text):
    with pytest.raises(ValidationError):
        parse_frame_range(text, FakeTake(n_frames=50, first_frame=5))


def test_split_covers_range_without_overlap():
    job = RenderJob(FakeTake(n_frames=100), 3, 98, size=16)
    parts = job.split(4)
    assert parts[0].start == 3 and parts[-1].stop == 98
    assert all(p.stop == q.start for p, q in zip(parts, parts[1:]))
