import numpy as np
import pytest
import soundfile as sf

from audio_fixtures import needs_espeak, trimmed_speech, vowel
from talkface_studio.audio import phone_fallback, phone_pass, phones, piecewise, viseme_phones
from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.features import ARPABET
from talkface_studio.audio.phones import TimedPhone, acoustic_phones, to_spans, transcript_words
from talkface_studio.audio.script_split import punctuation_after
from talkface_studio.core.timebase import FrameRate

SR = 22050


pytestmark = pytest.mark.usefixtures("private_cache")  # analyses cached in tmp_path


@pytest.fixture(scope="module")
def spoken_words(tmp_path_factory):
    """'map ... bob ... yes' with known word boundaries (seconds), so bilabial times are known."""
    tmp = tmp_path_factory.mktemp("speech")
    pause = np.zeros(int(0.5 * SR), np.float32)
    parts, bounds, t = [pause], {}, 0.5
    for word in ("map", "bob", "yes"):
        w = trimmed_speech(word, tmp)
        bounds[word] = (t, t + len(w) / SR)
        parts += [w, pause]
        t += len(w) / SR + 0.5
    path = tmp / "words.wav"
    sf.write(str(path), np.concatenate(parts), SR)
    return path, bounds


def spans_named(features, names):
    return [s for s in features.phones if s.phone in names]


@needs_espeak
def test_alignment_puts_bilabials_at_word_edges(spoken_words):
    path, bounds = spoken_words
    rate = FrameRate(30)
    f = analyze(path, rate, transcript="Map. Bob, yes!")
    assert f.phone_source == "aligned"
    assert all(s.phone in ARPABET for s in f.phones)
    tol = 3  # frames (100 ms)

    def near(frame, seconds):
        return abs(frame - seconds * rate.fps) <= tol

    m_start, m_end = bounds["map"]
    b_start, b_end = bounds["bob"]
    assert any(near(s.start_frame, m_start) for s in spans_named(f, {"M"}))
    assert any(near(s.end_frame, m_end) for s in spans_named(f, {"P"}))
    assert any(near(s.start_frame, b_start) for s in spans_named(f, {"B"}))
    assert any(near(s.end_frame, b_end) for s in spans_named(f, {"B"}))
    # No bilabial during "yes" or the pauses.
    y_start, y_end = bounds["yes"]
    for s in spans_named(f, {"P", "B", "M"}):
        assert s.end_frame <= (b_end * rate.fps) + tol
    labels = f.phone_at()
    assert set(labels[: int(0.4 * rate.fps)]) == {"SIL"}
    assert "S" in set(labels[int(y_start * rate.fps) : int(y_end * rate.fps) + tol])


@needs_espeak
def test_recognition_without_transcript_and_phone_cache(spoken_words, monkeypatch):
    path, bounds = spoken_words
    f = analyze(path, FrameRate(24))
    assert f.phone_source == "recognized" and not f.report.fallbacks  # no script: nothing fell back
    speech = f.phone_at() != "SIL"
    assert speech[int(bounds["map"][0] * 24) + 2] and not speech[:8].any()
    # Same audio at another frame rate: phones come from the cache, the recognizer is not run.
    monkeypatch.setattr(viseme_phones, "viseme_take_pass", lambda *a: pytest.fail("phone cache miss"))
    monkeypatch.setattr(phone_pass, "recognise", lambda *a: pytest.fail("phone cache miss"))
    g = analyze(path, FrameRate(60))
    assert g.phone_source == "recognized" and g.phones[-1].end_frame == g.n_frames
    with pytest.raises(pytest.fail.Exception, match="phone cache miss"):  # another language: another pass
        analyze(path, FrameRate(60), language="de")


def recognizer_unavailable(monkeypatch):
    from talkface_studio.core.errors import MissingCheckpointError

    def missing(*a, **k):
        raise MissingCheckpointError("viseme recognizer weights are missing")

    monkeypatch.setattr(viseme_phones, "viseme_take_pass", missing)
    monkeypatch.setattr(viseme_phones, "viseme_fallback", lambda *a, **k: None)


def test_unusable_recognition_falls_back_to_acoustic(tmp_path, monkeypatch):
    x = np.concatenate([np.zeros(8000, np.float32), vowel(150, 1.0, 16000)])
    path = tmp_path / "hum.wav"
    sf.write(str(path), x, 16000)

    recognizer_unavailable(monkeypatch)  # the last resorts: pocketsphinx's phone loop, then acoustics
    monkeypatch.setattr(phone_pass, "recognise", lambda x16: [TimedPhone(0.0, 1.5, "SIL")])
    f = analyze(path, FrameRate(25))
    assert f.phone_source == "acoustic"
    assert f.phone_at()[5] == "SIL" and f.phone_at()[25] in {"AA", "EH", "OW"}
    assert f.report.stretches[-1].path == "acoustic" and "recognition" in f.report.stretches[-1].reason
    assert "viseme recognizer unavailable" in f.report.stretches[-1].reason


def test_failed_alignment_falls_back_to_recognition_and_says_so(tmp_path, monkeypatch):
    path = tmp_path / "v.wav"
    sf.write(str(path), np.concatenate([np.zeros(4000, np.float32), vowel(150, 1.0, 16000)]), 16000)

    def fail(*a, **k):
        raise phones.PhoneError("no")

    monkeypatch.setattr(piecewise, "align_words", fail)
    monkeypatch.setattr(viseme_phones, "viseme_fallback", lambda *a, **k: None)  # no viseme recognizer
    monkeypatch.setattr(phone_fallback, "recognise", lambda x16: [TimedPhone(0.0, len(x16) / 16000, "AA")])
    f = analyze(path, FrameRate(25), transcript="hello")
    assert f.phone_source == "recognized" and f.phone_at()[15] == "AA"
    (stretch,) = f.report.fallbacks
    assert stretch.path == "recognized" and stretch.words == "hello" and stretch.reason


def test_a_piece_pocketsphinx_loses_goes_to_the_viseme_aligner(tmp_path, monkeypatch):
    path = tmp_path / "v.wav"
    sf.write(str(path), np.concatenate([np.zeros(4000, np.float32), vowel(150, 1.0, 16000)]), 16000)

    def fail(*a, **k):
        raise phones.PhoneError("no")

    calls = []

    def viseme_aligned(x16, offset, words, language="en", closure_bias=0.0, script_fallback=1.0):
        calls.append((words, language))
        return [TimedPhone(offset, offset + len(x16) / 16000, "AA")], "piecewise", "aligned by the viseme aligner"

    monkeypatch.setattr(piecewise, "align_words", fail)
    monkeypatch.setattr(viseme_phones, "viseme_fallback", viseme_aligned)
    monkeypatch.setattr(phone_fallback, "recognise", lambda x16: pytest.fail("pocketsphinx's phone loop used"))
    f = analyze(path, FrameRate(25), transcript="hello")
    assert calls == [("hello", "en")]
    assert f.phone_source == "piecewise" and f.phone_at()[15] == "AA" and not f.report.fallbacks


def test_other_languages_never_use_pocketsphinx(tmp_path, monkeypatch):
    from talkface_studio.audio.alignment_report import TimedStretch

    path = tmp_path / "v.wav"
    sf.write(str(path), vowel(150, 1.0, 16000), 16000)
    seen = []
    monkeypatch.setattr(phone_pass, "align_script", lambda *a: pytest.fail("English aligner used for Spanish"))
    monkeypatch.setattr(viseme_phones, "viseme_take_pass", lambda x16, text, lang, *heard: seen.append(lang) or (
        [TimedPhone(0.0, 1.0, "AA")], [TimedStretch(0.0, 1.0, "aligned")]))
    f = analyze(path, FrameRate(25), transcript="hola", language="es-MX")
    assert seen == ["es-MX"] and f.phone_source == "aligned" and f.phone_at()[10] == "AA"


def test_to_spans_tiles_the_take_and_keeps_short_lip_closures():
    rate = FrameRate(24)
    timed = [TimedPhone(0.0, 0.3, "SIL"), TimedPhone(0.3, 0.31, "P"), TimedPhone(0.31, 0.5, "AA"),
             TimedPhone(0.5, 0.505, "T"), TimedPhone(0.505, 0.7, "AA")]
    spans = to_spans(timed, rate, 30)
    assert spans[0].start_frame == 0 and spans[-1].end_frame == 30
    assert all(a.end_frame == b.start_frame for a, b in zip(spans, spans[1:]))
    assert all(s.end_frame > s.start_frame for s in spans)
    assert "P" in [s.phone for s in spans] and "T" not in [s.phone for s in spans]


def test_to_spans_keeps_a_short_vowel_between_consonants():
    # Spanish "mientras mamá" at 25 fps (espeak-ng timings from bench_lipsync): the /a/ of "tras"
    # lasts 30 ms and straddles a frame boundary; it used to round to nothing, so the jaw never
    # opened for it. Every vowel now keeps a frame, as closures always did.
    rate = FrameRate(25)
    timed = [TimedPhone(1.41, 1.58, "T"), TimedPhone(1.58, 1.61, "AA"), TimedPhone(1.61, 1.70, "S"),
             TimedPhone(1.70, 1.76, "M"), TimedPhone(1.76, 1.79, "AA"), TimedPhone(1.79, 1.87, "M")]
    spans = to_spans(timed, rate, 50)
    labels = [s.phone for s in spans for _ in range(s.start_frame, s.end_frame)]
    assert labels[35:40] == ["T"] * 5
    assert labels[40] == "AA" and "S" in labels[41:43]
    assert labels.count("AA") == 2 and labels.count("M") >= 3


def test_transcript_words_and_unknown_word_guess():
    assert phones.transcript_words("Don't STOP, 4 me!") == ["don't", "stop", "four", "me"]
    guess = phones.guess_pronunciation("blumpf").split()
    assert guess[0] == "B" and "M" in guess and "P" in guess and all(p in ARPABET for p in guess)


def test_acoustic_phones_classes():
    rate = FrameRate(30)
    loud = np.array([0, 0, 0.9, 0.9, 0.05, 0.05, 0.9, 0.9, 0.6, 0, 0, 0, 0, 0, 0.8], np.float32)
    voicing = np.array([0, 0, 1, 1, 0, 0, 1, 1, 0.1, 0, 0, 0, 0, 0, 1], np.float32)
    centroid = np.array([0, 0, 900, 900, 0, 0, 900, 900, 5000, 0, 0, 0, 0, 0, 900], np.float32)
    spans = acoustic_phones(loud, voicing, centroid, rate)
    labels = [s.phone for s in spans for _ in range(s.start_frame, s.end_frame)]
    assert labels[:2] == ["SIL", "SIL"] and labels[2] == "AA"
    assert labels[4:6] == ["P", "P"]  # a 67 ms gap inside speech is a closure
    assert labels[8] == "S"
    assert labels[9:14] == ["SIL"] * 5  # a long gap is a pause


def test_typographic_apostrophes_and_accents_keep_english_words_whole():
    """Word processors write "don’t"; before, the English aligner saw "don" and "t"."""
    script = "I don’t like the café, it’s naïve. Zoë’s résumé!"
    words = transcript_words(script)
    assert words == ["i", "don't", "like", "the", "cafe", "it's", "naive", "zoe's", "resume"]
    assert list(punctuation_after(script, len(words))) == [False] * 4 + [True, False, True, False, True]
