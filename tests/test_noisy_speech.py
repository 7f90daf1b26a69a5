"""A voice over a steady background loud enough to pass for speech by level (white noise a dozen
dB under it, a hum, a music bed): its pauses are the background, not speech. They stay pauses:
the script's alignment reports no fallback there and the mouth rests in them, while speech still
moves it. Clean recordings read exactly as before (``background_bed`` finds no bed in them)."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from talkface_studio.audio.acoustic import background_bed
from talkface_studio.audio.analysis import analyze
from talkface_studio.perform.base import PerformRequest
from talkface_studio.perform.face_fields import MM
from talkface_studio.perform.registry import get_performer

SPEECH = Path(__file__).resolve().parent / "data" / "speech"

pytestmark = pytest.mark.usefixtures("private_cache")


def _gap_mm(features) -> np.ndarray:
    weights = np.zeros((features.n_frames, 8), np.float32)
    weights[:, 0] = 1
    e = get_performer("procedural").perform(PerformRequest(features, weights, features.rate, 0, {})).expression
    return (e[:, 14, 1] - e[:, 13, 1]) / MM


def _pauses(loudness: np.ndarray, min_frames: int = 8) -> np.ndarray:
    """Inner frames of the runs of at least min_frames quiet frames."""
    quiet = np.asarray(loudness) < 0.2
    out = np.zeros_like(quiet)
    edges = np.flatnonzero(np.diff(np.r_[0, quiet.astype(np.int8), 0]))
    for a, b in zip(edges[::2], edges[1::2]):
        if b - a >= min_frames:
            out[a + 2:b - 2] = True
    return out


def test_a_steady_background_near_the_voice_is_found_and_a_clean_floor_is_not():
    rng = np.random.default_rng(0)
    speech = rng.uniform(-30.0, 0.0, 400)                 # levels spread over 30 dB, as speech's
    assert background_bed(speech) is None
    pauses = np.r_[speech, rng.normal(-45.0, 0.5, 150)]  # room tone 45 dB under: not a bed
    assert background_bed(pauses) is None
    voice = rng.uniform(-12.0, 0.0, 400)                  # speech over it: above it
    noisy = np.r_[voice, rng.normal(-14.0, 0.5, 150)]    # a steady sound 14 dB under: a bed
    assert background_bed(noisy) == pytest.approx(-14.0, abs=1.0)
    assert background_bed(np.r_[speech[:10]]) is None    # too short to tell
    held = rng.normal(-1.0, 0.3, 100)                     # one steady level: a held vowel, the voice
    assert background_bed(held) is None


def test_pauses_over_noise_stay_pauses_and_the_script_holds(tmp_path):
    clip = "en_m_goforward"
    text = json.loads((SPEECH / f"{clip}.json").read_text())["text"]
    x, sr = sf.read(str(SPEECH / f"{clip}.wav"), dtype="float32")
    x = x if x.ndim == 1 else x.mean(axis=1)
    pad = np.zeros(int(0.8 * sr), np.float32)              # a pause before and after the line
    x = np.r_[pad, x, pad]
    plain = tmp_path / "plain.wav"
    sf.write(str(plain), x, sr)
    frames = x[: len(x) // 400 * 400].reshape(-1, 400)
    power = (frames ** 2).mean(axis=1)
    speech_rms = np.sqrt(power[power > power.max() * 1e-3].mean())
    noise = np.random.default_rng(1).normal(0.0, speech_rms / 10 ** (12 / 20), len(x)).astype(np.float32)
    noisy = tmp_path / "noisy.wav"
    sf.write(str(noisy), x + noise, sr)

    clean = analyze(plain, "25", transcript=text)
    pauses = _pauses(clean.loudness)
    assert pauses.sum() >= 10

    f = analyze(noisy, "25", transcript=text)
    assert f.phone_source == "aligned" and not f.report.fallbacks, f.report.warnings(f.rate)
    gap = _gap_mm(f)
    n = min(len(gap), len(pauses))
    assert np.mean(gap[:n][pauses[:n]] < 1.0) >= 0.9        # the mouth rests in the pauses
    assert np.percentile(gap, 95) > 8.0                      # and still speaks
