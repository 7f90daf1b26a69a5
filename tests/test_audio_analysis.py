import numpy as np
import pytest

from audio_fixtures import tone, vowel, write
from talkface_studio.audio import acoustic, analysis
from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.features import AudioFeatures, PhoneSpan
from talkface_studio.audio.loading import AudioClip
from talkface_studio.core.timebase import STANDARD_RATES, FrameRate


pytestmark = pytest.mark.usefixtures("private_cache")  # analyses cached in tmp_path


def clip_of(x: np.ndarray, sr: int) -> AudioClip:
    return AudioClip(np.asarray(x, np.float32).reshape(len(x), -1), sr)


@pytest.mark.parametrize("rate", STANDARD_RATES, ids=str)
def test_one_row_per_video_frame_with_sane_ranges(rate):
    x = np.concatenate([np.zeros(8000, np.float32), vowel(150, 1.0, 16000)])
    f = analyze(clip_of(x, 16000), rate, phones=False)
    t = rate.frames_in(1.5)
    assert f.n_frames == t and f.rate == rate
    for name in ("loudness", "voicing", "pitch_hz", "spectral_centroid"):
        assert getattr(f, name).shape == (t,) and getattr(f, name).dtype == np.float32
    assert f.mel.shape == (t, 80) and np.all(np.isfinite(f.mel))
    assert 0 <= f.loudness.min() and f.loudness.max() <= 1 and 0 <= f.voicing.min() and f.voicing.max() <= 1
    assert np.all(f.pitch_hz[f.voicing < 0.5] == 0)
    assert np.all((f.spectral_centroid >= 0) & (f.spectral_centroid <= 8000))
    assert f.phones[0].start_frame == 0 and f.phones[-1].end_frame == t


@pytest.mark.parametrize("f0", [90.0, 120.0, 210.0, 330.0])
@pytest.mark.parametrize("kind", ["tone", "vowel"])
def test_pitch_within_two_percent(f0, kind):
    x = tone(f0, 1.0, 22050)[:, 0] if kind == "tone" else vowel(f0, 1.0, 22050)
    f = analyze(clip_of(x, 22050), FrameRate(30), phones=False)
    inner = f.pitch_hz[3:-3]
    assert np.all(inner > 0)
    assert np.max(np.abs(inner / f0 - 1)) < 0.02


def test_voicing_on_silence_noise_and_tone():
    rng = np.random.default_rng(1)
    sr = 16000
    x = np.concatenate([
        rng.normal(0, 1e-4, sr),  # room tone
        rng.normal(0, 0.1, sr),  # loud noise (unvoiced, like a long /s/)
        vowel(180, 1.0, sr),
    ]).astype(np.float32)
    f = analyze(clip_of(x, sr), FrameRate(25), phones=False)
    quiet, noise, voiced = f.voicing[3:22], f.voicing[28:47], f.voicing[53:72]
    assert quiet.max() < 0.1 and noise.mean() < 0.2 and voiced.min() > 0.9
    assert f.loudness[3:22].max() < 0.05 and f.loudness[53:72].min() > 0.8
    assert np.all(f.pitch_hz[3:47] == 0)


def test_loudness_rises_with_level():
    sr, seg = 16000, 0.4
    levels_db = [-50, -40, -30, -20, -10, -3]
    x = np.concatenate([vowel(140, seg, sr, amp=10 ** (db / 20)) for db in levels_db])
    f = analyze(clip_of(x, sr), FrameRate(25), phones=False)
    per_segment = [np.median(f.loudness[i * 10 + 2 : i * 10 + 8]) for i in range(len(levels_db))]
    assert all(b > a + 0.05 for a, b in zip(per_segment, per_segment[1:]))
    assert per_segment[-1] > 0.9 and per_segment[0] < 0.3


def test_centroid_and_mel_follow_the_spectrum():
    sr = 16000
    x = np.concatenate([tone(300, 0.5, sr)[:, 0], tone(3000, 0.5, sr)[:, 0]])
    f = analyze(clip_of(x, sr), FrameRate(24), phones=False)
    low, high = f.spectral_centroid[3:9], f.spectral_centroid[15:21]
    assert np.all(np.abs(low - 300) < 60) and np.all(np.abs(high - 3000) < 200)
    assert np.argmax(f.mel[5]) < np.argmax(f.mel[18])


def test_n_frames_pads_with_silence_and_truncates():
    x = vowel(150, 1.0, 16000)
    longer = analyze(clip_of(x, 16000), FrameRate(24), n_frames=40, phones=False)
    assert longer.n_frames == 40 and np.all(longer.loudness[25:] == 0) and np.all(longer.pitch_hz[25:] == 0)
    shorter = analyze(clip_of(x, 16000), FrameRate(24), n_frames=10, phones=False)
    assert shorter.mel.shape == (10, 80)
    np.testing.assert_allclose(shorter.loudness, longer.loudness[:10], atol=1e-6)


def test_cache_hit_skips_the_computation(tmp_path, monkeypatch):
    path = write(tmp_path / "v.wav", vowel(150, 1.0, 16000), 16000)
    calls = []
    real = analysis.analyze_acoustics
    monkeypatch.setattr(analysis, "analyze_acoustics", lambda *a: calls.append(a) or real(*a))
    first = analyze(path, FrameRate(30), phones=False)
    again = analyze(path, FrameRate(30), phones=False)
    assert len(calls) == 1
    np.testing.assert_array_equal(first.mel, again.mel)
    assert list((tmp_path / "cache" / "audio").glob("acoustic-*.npz"))
    analyze(path, FrameRate(24), phones=False)  # other settings: another entry
    assert len(calls) == 2
    write(tmp_path / "v.wav", vowel(160, 1.0, 16000), 16000)  # same name, new content
    analyze(path, FrameRate(30), phones=False)
    assert len(calls) == 3


def test_features_round_trip_through_npz_without_pickle(tmp_path):
    f = analyze(clip_of(vowel(150, 0.5, 16000), 16000), FrameRate(30000, 1001), phones=False)
    f.phones = [PhoneSpan(0, 5, "SIL"), PhoneSpan(5, 15, "AA")]
    np.savez(tmp_path / "f.npz", **f.to_arrays())
    with np.load(tmp_path / "f.npz", allow_pickle=False) as data:
        back = AudioFeatures.from_arrays(data)
    assert back.rate == f.rate and back.phones == f.phones and back.phone_source == f.phone_source
    np.testing.assert_array_equal(back.mel, f.mel)
    assert list(back.phone_at()[4:6]) == ["SIL", "AA"]


def test_bundled_mel_filters_match_librosa():
    import librosa

    expected = librosa.filters.mel(sr=16000, n_fft=512, n_mels=80, fmin=55.0, fmax=7600.0)
    np.testing.assert_allclose(acoustic.mel_filterbank(), expected, rtol=1e-5, atol=1e-8)
