"""Where the speech is: a rumble under a pause (a microphone bump, a stand knock) is not a piece."""

import numpy as np

from audio_fixtures import vowel
from talkface_studio.audio.speech_regions import speech_regions

SR = 16_000


def thump(seconds: float, freq: float = 25.0, amp: float = 0.1) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.hanning(len(t)) * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_a_low_thump_in_a_pause_is_not_speech_but_a_low_voice_is():
    pause = np.zeros(int(0.5 * SR), np.float32)
    loud = vowel(140, 0.6, SR)
    low = vowel(80, 0.4, SR, amp=0.1)  # a deep voice's lowest pitch, 10 dB under the loud vowel
    x = np.concatenate([pause, loud, pause, thump(0.25), pause, low, pause, loud, pause])
    # thump at 1.6-1.85 s: 25 Hz, 4 dB under the loud vowel's level before the rumble filter
    starts = [r.start for r in speech_regions(x)]
    assert np.allclose(starts, [0.5, 2.35, 3.25], atol=0.03)


def test_true_runs_finds_every_run_up_to_both_edges():
    from talkface_studio.audio.runs import true_runs

    assert true_runs(np.array([1, 1, 0, 0, 1, 0, 1], bool)) == [(0, 2), (4, 5), (6, 7)]
    assert true_runs(np.zeros(4, bool)) == [] and true_runs(np.ones(3, bool)) == [(0, 3)]
    assert true_runs(np.array([], bool)) == []
