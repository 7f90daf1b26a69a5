"""A script's stops land on the silent holds the recording has, on a real voice the recognizer
is unsure of (the packaged networks, an Italian IVR prompt never trained on)."""

import json
from pathlib import Path

import numpy as np

from talkface_studio.audio.loading import load_audio
from talkface_studio.audio.viseme_features import FPS, frame_level_db, stop_gaps
from talkface_studio.audio.viseme_phones import viseme_phone_pass

CLIP = Path(__file__).parent / "data" / "speech" / "excerpts" / "it_m_asterisk_demo_congrats_first5s.wav"


def test_the_scripts_bilabial_stops_close_the_lips_on_their_silent_holds():
    """ "... successo il PBX open source": the level shows three holds released by a burst at
    3.10, 3.31 and 3.91 s: p, b ("pi bi ics") and the p of "open" (the k of ics, 3.64 s, between
    them). The aligner used to give the first hold to a pause and let the path run 0.1-0.2 s late
    from there, closing the lips on the b's hold for the p, 0.2 s after it for the b and 0.2 s after
    the p of "open": the hold of a stop is never a pause or a vowel now."""
    x16 = load_audio(CLIP).mono(16000)
    text = json.loads(CLIP.with_suffix(".json").read_text())["text"]
    gaps = stop_gaps(frame_level_db(x16)) > 0
    starts = np.flatnonzero(np.diff(np.r_[0, gaps.astype(np.int8)]) == 1) / FPS
    bilabial_holds = [s for s in starts if 3.0 < s < 4.0 and not 3.55 < s < 3.75]
    assert np.allclose(bilabial_holds, [3.10, 3.31, 3.91], atol=0.015)  # what the recording says

    result = viseme_phone_pass(x16, text, "it")
    assert result.source == "aligned" and not result.stretches
    closures = [(v.start, v.end) for v in result.phones if v.phone == "M"]
    for s in bilabial_holds:
        assert any(abs(a - s) <= 0.02 for a, b in closures), (s, closures)
