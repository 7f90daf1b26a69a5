"""A take cut from a longer recording inside a line, analysed with the scene's whole script: the
words before the cut and after it are reported as not heard, and the rest aligns where it was said.
Before, an English take that stopped inside its last line could not be placed by either word pass,
and its script was split by expected durations: 9 of 25 pieces of the joined LibriVox minute fell
back; in Spanish, the cut lines fell back to recognition. Speech by espeak-ng, whose phoneme events
give the reference times."""

import re

import numpy as np
import pytest
import soundfile as sf

import espeak_events
from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.piecewise import cut_in_speech
from talkface_studio.core.timebase import FrameRate

needs_espeak = pytest.mark.skipif(not espeak_events.available(), reason="libespeak-ng is not installed")
pytestmark = pytest.mark.usefixtures("private_cache")
RATE = FrameRate(25)
LINES = {
    "en": ("en-us", ["Maybe Bob put the bumpy map by my pen.", "Mom made a bubbly apple pie.",
                     "Pam bought a big box of maple biscuits.", "My brother plays the bass in a pop band."]),
    "es": ("es", ["Mi hermano toca el bajo en una banda de pop.", "Pablo compró una caja de galletas.",
                  "Mamá hizo un pastel de manzana para mí.", "Bueno, vamos a ver qué pasa mañana por la mañana."]),
}


def cut_take(tmp_path, language: str, keep_first: float | None, keep_last: float | None):
    """The four lines with pauses, cut `keep_first` of the way into the first line's audio and
    `keep_last` of the way into the last's (None: not cut) -> path, p/b/m reference times inside the cut."""
    voice, lines = LINES[language]
    sr = espeak_events.SAMPLE_RATE
    parts, refs, t = [], [], 0.3
    parts.append(np.zeros(int(0.3 * sr), np.float32))
    for line in lines:
        spoken = espeak_events.speak(line, voice, 165, 50)
        refs += [(t + p.start, t + p.end) for p in spoken.phonemes if p.ipa[0] in "pbm"]
        parts += [spoken.samples, np.zeros(int(0.7 * sr), np.float32)]
        t += (len(spoken.samples) + int(0.7 * sr)) / sr
    x = np.concatenate(parts)
    a = 0 if keep_first is None else int(0.3 * sr + keep_first * len(parts[1]))
    b = len(x) if keep_last is None else len(x) - int(0.7 * sr) - int((1 - keep_last) * len(parts[-2]))
    path = tmp_path / "cut.wav"
    sf.write(str(path), x[a:b], sr)
    inside = [(s - a / sr, e - a / sr) for s, e in refs if s - 0.1 > a / sr and e + 0.1 < b / sr]
    return path, lines, inside


def words_of(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


@needs_espeak
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_take_cut_inside_its_first_and_last_lines_aligns_the_rest_and_reports_the_words_cut(tmp_path, language):
    path, lines, refs = cut_take(tmp_path, language, keep_first=0.45, keep_last=0.55)
    f = analyze(path, RATE, transcript="\n".join(lines), language=language)
    assert not f.report.fallbacks  # nothing recognized: every word heard is aligned
    cut = [re.fullmatch(r'script words not heard: "(.*)"', s.reason).group(1) for s in f.report.notices]
    assert len(cut) == 2
    first, last = words_of(lines[0]), words_of(lines[-1])
    before, after = words_of(cut[0]), words_of(cut[1])
    assert 0 < len(before) < len(first) and first[:len(before)] == before  # the first line's opening
    assert 0 < len(after) < len(last) and last[-len(after):] == after  # the last line's close
    said = [w.lower() for _, _, w in f.words]
    assert said[:len(first) - len(before)] == first[len(before):]  # the rest of the first line, in order
    for line in lines[1:-1]:
        assert all(w in said for w in words_of(line))
    labels = f.phone_at()
    for start, end in refs:  # every p/b/m said inside the cut closes the lips within 40 ms of it
        lo, hi = int((start - 0.04) * RATE.fps), int(np.ceil((end + 0.04) * RATE.fps))
        assert set(labels[max(lo, 0):hi]) & {"P", "B", "M"}, (start, end)
    assert len(refs) >= 10


@needs_espeak
def test_a_whole_take_is_not_read_as_cut(tmp_path):
    path, lines, refs = cut_take(tmp_path, "en", keep_first=None, keep_last=None)
    f = analyze(path, RATE, transcript="\n".join(lines))
    assert not f.report.fallbacks and not f.report.notices
    assert len(f.words) == sum(len(words_of(line)) for line in lines)


def test_a_take_is_cut_where_it_opens_or_stops_in_speech():
    def mask(*runs, n=300):
        m = np.zeros(n, bool)
        for a, b in runs:
            m[a:b] = True
        return m

    assert cut_in_speech(mask((30, 120), (150, 270))) == (False, False)  # room tone at both ends
    assert cut_in_speech(mask((0, 120), (150, 270))) == (True, False)  # speech from the first frame
    assert cut_in_speech(mask((30, 120), (150, 300))) == (False, True)  # ... or to the last
    assert cut_in_speech(mask((4, 296))) == (True, True)  # within 50 ms of either end
    assert cut_in_speech(mask((5, 120), (150, 295))) == (False, False)
    assert cut_in_speech(mask()) == (False, False)  # no speech at all
