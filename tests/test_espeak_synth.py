"""Synthetic speech with espeak-ng's own phone timings (training data of the viseme recognizer)."""

import numpy as np
import pytest

from audio_fixtures import needs_espeak
from talkface_studio.audio.g2p import g2p
from talkface_studio.audio.viseme_set import phone_to_visemes

pytestmark = needs_espeak


@pytest.fixture(scope="module")
def synth():
    from talkface_studio.training.espeak_synth import synthesize

    return synthesize


def level_db(x, start, end, sr=16000):
    seg = x[int(start * sr) : int(end * sr)]
    if len(seg) == 0:  # past the end of the audio: silence
        return -120.0
    return 10 * np.log10(np.mean(seg.astype(np.float64) ** 2) + 1e-12)


def test_phones_tile_the_audio_and_match_the_script(synth):
    s = synth("Maybe Bob put the bumpy map by my pen.", "en-us+m3", rate=170)
    assert s.samples.dtype == np.float32 and s.duration == pytest.approx(len(s.samples) / 16000)
    assert s.phones[0].start == 0.0 and s.phones[-1].end == pytest.approx(s.duration, abs=0.01)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(s.phones, s.phones[1:]))
    spoken = [p.phone for p in s.phones if p.phone != "_"]
    from_script = [p.lstrip("ˈˌ") for w in g2p("Maybe Bob put the bumpy map by my pen.", "en") for p in w.phones]
    assert spoken == from_script  # the same phones the analysis G2P reads from the script


def quietest_20ms(x, start, end, shift=0.0, sr=16000):
    a, b = int((start + shift) * sr), int((end + shift) * sr)
    return min(level_db(x, (k) / sr, (k + 320) / sr) for k in range(a, max(a + 1, b - 320), 80))


@pytest.mark.parametrize("voice, text", [("en-us+f2", "a bob a pop a mop a bib"), ("es+m1", "la mama y el papa"),
                                         ("de+f4", "ab Oma am Ball"), ("ja+m2", "あばあぱあまあば")])
def test_bilabial_closures_are_quiet_where_reported(synth, voice, text):
    """The reported times are the real ones: every /p b/ span holds its closure (a level dip
    against the vowels: a voiced /b/ keeps a voice bar, so >= 6 dB, typically 10-40 dB), and the
    same spans moved 80 ms later mostly miss it."""
    s = synth(text, voice, rate=150)
    vowels = [p for p in s.phones if phone_to_visemes(p.phone)[0] in {"AA", "AO", "EH", "IY", "AH", "UW"}]
    vowel_db = np.median([level_db(s.samples, p.start, p.end) for p in vowels])
    stops = [p for p in s.phones if p.phone in ("b", "p")]
    assert len(stops) >= 2
    dips = [quietest_20ms(s.samples, p.start, p.end) for p in stops]
    assert max(dips) < vowel_db - 6 and np.median(dips) < vowel_db - 10, (dips, vowel_db)
    moved = [quietest_20ms(s.samples, p.start, p.end, shift=0.08) for p in stops]
    assert sum(m > d + 6 for m, d in zip(moved, dips)) >= len(stops) / 2, (moved, dips)


def test_rate_pitch_and_unknown_voice(synth):
    from talkface_studio.training.espeak_synth import SynthError

    slow = synth("one two three four", "en-us", rate=100)
    fast = synth("one two three four", "en-us", rate=300)
    assert slow.duration > 1.8 * fast.duration
    from talkface_studio.audio.acoustic import analyze_acoustics
    from talkface_studio.core.timebase import FrameRate

    def f0(x):
        frames = analyze_acoustics(x, FrameRate(25), int(len(x) / 16000 * 25))
        return np.median(frames.pitch_hz[frames.pitch_hz > 0])

    # pitch 10 speaks near 70 Hz, at the edge of the analysis' 60 Hz floor: 30 stays clear of it
    low, high = synth("a mama", "en-us", pitch=30), synth("a mama", "en-us", pitch=90)
    assert f0(high.samples) > 1.4 * f0(low.samples)
    with pytest.raises(SynthError, match="no voice"):
        synth("hello", "xx-nonsense")
