"""Every video/sequence export plays back in ffmpeg, with the audio cut to the range and in sync."""

import os

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from pipeline_fakes import CountingRenderer, FakeTake
from talkface_studio.core.errors import MediaError, ValidationError
from talkface_studio.core.timebase import FrameRate
from talkface_studio.pipeline.cancel import CancelToken, JobCancelled
from talkface_studio.pipeline.export.video import VideoWriter
from talkface_studio.pipeline.ffmpeg import decode_audio, decode_video, probe
from talkface_studio.pipeline.job import RenderJob
from talkface_studio.pipeline.render_output import render_to

RATE = FrameRate(25)
CLICK_FRAME = 30  # take frame where both the audio click and the white video flash happen


@pytest.fixture
def clicked_take(tmp_path):
    """A 3 s take whose audio has a click at CLICK_FRAME and whose frame CLICK_FRAME renders white."""
    sr = 48000
    audio = np.zeros(3 * sr, np.float32)
    at = round(RATE.frame_to_seconds(CLICK_FRAME) * sr)
    audio[at:at + 96] = 0.9
    path = tmp_path / "click.wav"
    sf.write(path, audio, sr)
    take = FakeTake(n_frames=75, rate=RATE, audio_path=path)
    take.offsets[:] = np.arange(75) % 50
    take.offsets[CLICK_FRAME] = 150  # white
    return take


def _click_time(samples, sr=48000):
    return np.flatnonzero(np.abs(samples) > 0.3)[0] / sr


@pytest.mark.parametrize("suffix,codec,pix,acodec", [(".mp4", "h264", "yuv420p", "aac"),
                                                      (".mov", "prores", "yuv422p10le", "pcm_s16le")])
def test_video_range_plays_back_in_sync(tmp_path, clicked_take, suffix, codec, pix, acodec):
    job = RenderJob(clicked_take, 20, 60, size=64)
    out = render_to(job, tmp_path / f"shot{suffix}", renderer=CountingRenderer())
    info = probe(out)
    assert (info.video_codec, info.pix_fmt, info.audio_codec) == (codec, pix, acodec)
    assert (info.width, info.height, info.n_frames) == (64, 64, 40)
    assert abs(info.duration_s - 40 / 25) < 0.03
    frames = decode_video(out, 64, 64)
    flash = int(np.argmax(frames.mean(axis=(1, 2, 3))))
    assert flash == CLICK_FRAME - 20
    click = _click_time(decode_audio(out))
    assert abs(click - flash / 25) < 0.5 / 25  # within half a frame (AAC priming is trimmed)
    assert "timecode        : 00:00:00:20" in info.info


def test_audio_shorter_than_video_is_padded(tmp_path):
    sr = 48000
    sf.write(tmp_path / "short.wav", np.full(sr // 2, 0.1, np.float32), sr)
    take = FakeTake(n_frames=50, audio_path=tmp_path / "short.wav")
    out = render_to(RenderJob.whole_take(take, size=32), tmp_path / "long.mp4", renderer=CountingRenderer())
    info = probe(out)
    assert info.n_frames == 50 and abs(info.duration_s - 2.0) < 0.05
    assert abs(len(decode_audio(out)) / sr - 2.0) < 0.05


def test_png_sequence_uses_take_frame_numbers(tmp_path):
    take = FakeTake(n_frames=20, first_frame=1001)
    take.offsets[:] = np.arange(20)
    out = render_to(RenderJob(take, 1005, 1010, size=32), tmp_path / "seq", renderer=CountingRenderer())
    names = sorted(os.listdir(out))
    assert names == [f"shot.{f:06d}.png" for f in range(1005, 1010)]
    assert np.asarray(Image.open(out / "shot.001007.png"))[0, 0, 0] == 6


def test_cancelled_export_leaves_nothing(tmp_path, clicked_take):
    token = CancelToken()

    def progress(done, total):
        if done == 10:
            token.cancel()

    for target in (tmp_path / "a.mp4", tmp_path / "a.mov", tmp_path / "seq"):
        with pytest.raises(JobCancelled):
            render_to(RenderJob.whole_take(clicked_take, size=32), target, cancel=token, progress=progress,
                      renderer=CountingRenderer())
        token = CancelToken()
    assert os.listdir(tmp_path) == ["click.wav"]


def test_failing_renderer_keeps_the_previous_file(tmp_path, clicked_take):
    target = tmp_path / "keep.mp4"
    target.write_bytes(b"previous good render")

    class Broken(CountingRenderer):
        def render(self, portrait, landmarks_px, size):
            yield from list(super().render(portrait, landmarks_px[:3], size))
            raise RuntimeError("GPU fell over")

    with pytest.raises(RuntimeError):
        render_to(RenderJob.whole_take(clicked_take, size=32), target, renderer=Broken())
    assert target.read_bytes() == b"previous good render"
    assert sorted(os.listdir(tmp_path)) == ["click.wav", "keep.mp4"]


def test_unwritable_folder_names_the_file(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(MediaError, match="afile/x.mp4: cannot write output"):
        VideoWriter(tmp_path / "afile" / "x.mp4", width=16, height=16, rate=RATE, n_frames=1)
    with pytest.raises(MediaError, match="does not exist"):
        VideoWriter(tmp_path / "nope" / "x.mov", width=16, height=16, rate=RATE, n_frames=1)
    if os.geteuid() != 0:  # root ignores permissions
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(MediaError, match="not writable"):
            VideoWriter(locked / "x.mp4", width=16, height=16, rate=RATE, n_frames=1)
        os.chmod(locked, 0o700)


def test_bad_settings_are_refused(tmp_path):
    with pytest.raises(ValidationError):
        VideoWriter(tmp_path / "x.avi", width=16, height=16, rate=RATE, n_frames=1)
    with pytest.raises(ValidationError):
        VideoWriter(tmp_path / "x.mp4", width=15, height=16, rate=RATE, n_frames=1)
    with pytest.raises(ValidationError):
        VideoWriter(tmp_path / "x.mp4", width=16, height=16, rate=RATE, n_frames=1, crf=80)
    assert os.listdir(tmp_path) == []


def test_a_reused_frame_buffer_is_written_as_it_was_when_handed_over(tmp_path):
    """Frames wait in a queue for ffmpeg while the next ones render; a caller that reuses one
    buffer (plate frames do) must still get each frame as it was when written."""
    buf = np.zeros((32, 32, 3), np.uint8)
    path = tmp_path / "x.mp4"
    with VideoWriter(path, width=32, height=32, rate=RATE, n_frames=12, crf=0) as out:
        for i in range(12):
            buf[:] = 20 * i
            out.write(buf)
    means = [f.mean() for f in decode_video(path, 32, 32)]
    assert len(means) == 12
    np.testing.assert_allclose(means, [20 * i for i in range(12)], atol=3)
