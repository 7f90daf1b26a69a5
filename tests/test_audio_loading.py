import numpy as np
import pytest

from audio_fixtures import encode_ffmpeg, tone, write
from talkface_studio.audio import loading
from talkface_studio.audio.loading import load_audio
from talkface_studio.core.errors import MediaError


@pytest.mark.parametrize("ext", ["wav", "flac", "ogg", "mp3"])
def test_soundfile_formats_decode_to_the_same_tone(tmp_path, ext):
    src = tone(440, 1.0, 44100, channels=2)
    path = write(tmp_path / f"a.{ext}", src, 44100)
    clip = load_audio(path)
    assert clip.sample_rate == 44100 and clip.n_channels == 2 and clip.path == path
    assert clip.samples.dtype == np.float32
    assert abs(clip.duration - 1.0) < 0.06  # mp3/ogg add encoder padding
    peak = np.max(np.abs(clip.samples[:, 0]))
    assert 0.25 < peak < 0.35


@pytest.mark.parametrize("ext,args", [("m4a", ["-c:a", "aac"]), ("aac", ["-c:a", "aac"])])
def test_ffmpeg_formats(tmp_path, ext, args):
    wav = write(tmp_path / "src.wav", tone(300, 1.0, 48000, channels=2), 48000)
    path = encode_ffmpeg(wav, tmp_path / f"a.{ext}", *args)
    clip = load_audio(path)
    assert clip.sample_rate == 48000 and clip.n_channels == 2
    assert abs(clip.duration - 1.0) < 0.1
    # A 300 Hz tone survives AAC: its dominant frequency is still 300 Hz.
    x = clip.samples[:, 0]
    spectrum = np.abs(np.fft.rfft(x))
    assert abs(np.argmax(spectrum) * clip.sample_rate / len(x) - 300) < 3


def test_ffmpeg_keeps_six_channels(tmp_path):
    wav = write(tmp_path / "src.wav", tone(200, 0.5, 48000, channels=6), 48000)
    clip = load_audio(encode_ffmpeg(wav, tmp_path / "surround.m4a", "-c:a", "aac"))
    assert clip.n_channels == 6


@pytest.mark.parametrize("sr", [8000, 16000, 22050, 44100, 48000, 96000])
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_any_rate_and_channel_count_mixes_down_and_resamples(tmp_path, sr, channels):
    path = write(tmp_path / "a.wav", tone(220, 0.5, sr, channels=channels), sr)
    clip = load_audio(path)
    assert clip.samples.shape == (sr // 2, channels) and clip.sample_rate == sr
    mono = clip.mono(16000)
    assert mono.dtype == np.float32 and abs(len(mono) - 8000) <= 2
    expected_amp = 0.3 * np.mean([1 - 0.1 * c for c in range(channels)])
    assert abs(np.max(np.abs(mono[100:-100])) - expected_amp) < 0.02
    assert clip.mono(16000) is mono  # memoised for the several analysis passes
    assert clip.samples.shape[0] == sr // 2  # the original is kept for export


def test_missing_file(tmp_path):
    with pytest.raises(MediaError, match="not found") as exc:
        load_audio(tmp_path / "nope.wav")
    assert "nope.wav" in str(exc.value)


def test_empty_file(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        load_audio(tmp_path / "empty.wav")


def test_zero_length_wav(tmp_path):
    path = write(tmp_path / "zero.wav", np.zeros((0, 1), np.float32), 16000)
    with pytest.raises(MediaError, match="zero length"):
        load_audio(path)


def test_truncated_wav(tmp_path):
    data = write(tmp_path / "full.wav", tone(220, 1.0, 16000), 16000, subtype="PCM_16").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError, match="truncated") as exc:
        load_audio(tmp_path / "cut.wav")
    assert "cut.wav" in str(exc.value)


def test_truncated_m4a(tmp_path):
    wav = write(tmp_path / "src.wav", tone(220, 1.0, 44100), 44100)
    data = encode_ffmpeg(wav, tmp_path / "full.m4a", "-c:a", "aac").read_bytes()
    (tmp_path / "cut.m4a").write_bytes(data[: len(data) // 3])
    with pytest.raises(MediaError, match="truncated") as exc:
        load_audio(tmp_path / "cut.m4a")
    assert "cut.m4a" in str(exc.value)


def test_png_renamed_wav(tmp_path):
    import imageio.v3 as iio

    iio.imwrite(tmp_path / "face.png", np.zeros((8, 8, 3), np.uint8))
    (tmp_path / "face.wav").write_bytes((tmp_path / "face.png").read_bytes())
    with pytest.raises(MediaError, match="not an audio file.*PNG"):
        load_audio(tmp_path / "face.wav")


def test_random_bytes_are_not_audio(tmp_path):
    (tmp_path / "noise.mp3").write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(MediaError, match="noise.mp3"):
        load_audio(tmp_path / "noise.mp3")


def test_silent_file(tmp_path):
    path = write(tmp_path / "quiet.wav", np.zeros((16000, 2), np.float32), 16000)
    with pytest.raises(MediaError, match="contains only silence"):
        load_audio(path)


@pytest.mark.parametrize("sr", [1000, 2_000_000])
def test_absurd_sample_rate(tmp_path, sr):
    path = write(tmp_path / "odd.wav", tone(100, 0.1, 8000), sr)
    with pytest.raises(MediaError, match="sample rate"):
        load_audio(path)


def test_too_long_is_refused_before_decoding(tmp_path, monkeypatch):
    path = write(tmp_path / "long.wav", tone(100, 2.0, 8000), 8000)
    monkeypatch.setattr(loading, "MAX_SECONDS", 1.0)
    monkeypatch.setattr(loading, "_read_soundfile", lambda *a: pytest.fail("decoded a refused file"))
    with pytest.raises(MediaError, match="too long"):
        load_audio(path)


def test_folder_is_not_audio(tmp_path):
    with pytest.raises(MediaError, match="folder"):
        load_audio(tmp_path)
