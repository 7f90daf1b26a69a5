"""Script alignment that never fails silently: piecewise alignment, per-piece fallback, the report,
and loud frames that are never silence. Speech is synthesized with espeak-ng, whose own phoneme
events give the reference times."""

import numpy as np
import pytest
import soundfile as sf

import espeak_events
from talkface_studio.audio import piecewise
from talkface_studio.audio.alignment_report import (NO_SCRIPT_WORDS, SAID_AGAIN, UNHEARD, AlignmentReport,
                                                     PathStretch, TimedStretch, join_reasons, unheard_note,
                                                     unheard_words)
from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.features import AudioFeatures
from talkface_studio.audio.loading import load_audio
from talkface_studio.audio.loud_frames import finish_phones
from talkface_studio.audio.script_split import punctuation_after, split_words
from talkface_studio.audio.speech_regions import frame_levels, speech_mask
from talkface_studio.audio.wrong_words import held_words
from talkface_studio.core.timebase import FrameRate

needs_espeak = pytest.mark.skipif(not espeak_events.available(), reason="libespeak-ng is not installed")
BUMPY = "Maybe Bob put the bumpy map by my pen."
MOM = "Mom made a bubbly apple pie."
RATE = FrameRate(25)


pytestmark = pytest.mark.usefixtures("private_cache")  # analyses cached in tmp_path


def take(tmp_path, parts, voice=("en-029", 170, 30)):
    """Concatenate sentences, pauses (float seconds) and noise ("noise", s) -> wav, reference phonemes."""
    sr, t, out, refs = espeak_events.SAMPLE_RATE, 0.0, [], []
    for part in parts:
        if isinstance(part, float):
            out.append(np.zeros(int(part * sr), np.float32))
        elif isinstance(part, tuple):
            out.append(np.random.default_rng(0).normal(0, 0.15, int(part[1] * sr)).astype(np.float32))
        else:
            spoken = espeak_events.speak(part, *voice)
            refs += [(t + p.start, t + p.end, p.ipa) for p in spoken.phonemes]
            out.append(spoken.samples)
        t += len(out[-1]) / sr
    path = tmp_path / "take.wav"
    sf.write(str(path), np.concatenate(out), sr)
    return path, refs


def bilabials_found(features, refs) -> tuple[int, int]:
    """Reference p/b/m with a P/B/M label on a frame within 40 ms of them."""
    labels = features.phone_at()
    found = total = 0
    for start, end, ipa in refs:
        if ipa[0] in "pbm":
            total += 1
            lo, hi = int((start - 0.04) * RATE.fps), int(np.ceil((end + 0.04) * RATE.fps))
            found += bool(set(labels[max(lo, 0):hi]) & {"P", "B", "M"})
    return found, total


@needs_espeak
def test_bumpy_map_aligns_every_bilabial_and_no_loud_frame_is_silent(tmp_path):
    # this voice made the whole-script alignment return nothing (and then recognition sealed the lips)
    path, refs = take(tmp_path, [0.2, BUMPY, 0.3])
    f = analyze(path, RATE, transcript=BUMPY)
    assert f.phone_source in ("aligned", "piecewise") and not f.report.fallbacks
    found, total = bilabials_found(f, refs)
    assert total == 13 and found == total
    assert not np.any((f.loudness >= 0.5) & (f.phone_at() == "SIL"))
    # and the lips really close on every one of them (within 40 ms of espeak's own timing)
    from talkface_studio.perform.base import PerformRequest
    from talkface_studio.perform.blendshapes import inner_lip_gap
    from talkface_studio.perform.registry import get_performer

    weights = np.zeros((f.n_frames, 8), np.float32)
    weights[:, 0] = 1
    gap = inner_lip_gap(get_performer("procedural").perform(PerformRequest(f, weights, RATE, 0, {})).expression)
    for start, end, ipa in refs:
        if ipa[0] in "pbm":
            lo, hi = int((start - 0.04) * RATE.fps), int(np.ceil((end + 0.04) * RATE.fps))
            assert gap[max(lo, 0):hi].min() < 0.5, (ipa, start)


@needs_espeak
def test_noise_spliced_in_falls_back_alone_and_the_sentences_stay_aligned(tmp_path):
    path, refs = take(tmp_path, [0.3, BUMPY, 0.5, ("noise", 1.0), 0.5, MOM, 0.3])
    f = analyze(path, RATE, transcript=f"{BUMPY} {MOM}")
    (fallback,) = f.report.fallbacks
    noise = range(int(round((0.3 + 2.26 + 0.5) * 25)), int(round((0.3 + 2.26 + 1.5) * 25)))
    assert fallback.path == "recognized" and "matches no words" in fallback.reason
    assert fallback.start_frame <= noise.start + 2 and fallback.end_frame >= noise.stop - 2
    assert fallback.end_frame - fallback.start_frame < 2 * len(noise)
    kept = [s for s in f.report.stretches if s.path in ("aligned", "piecewise")]
    assert "bumpy map" in " ".join(s.words for s in kept) and "bubbly apple" in " ".join(s.words for s in kept)
    found, total = bilabials_found(f, refs)
    assert found >= total - 2


@needs_espeak
def test_a_sentence_in_the_script_that_was_never_spoken_is_dropped_and_reported(tmp_path):
    path, refs = take(tmp_path, [0.3, BUMPY, 0.6, MOM, 0.3])
    f = analyze(path, RATE, transcript=f"{BUMPY} The quick fox jumps over the lazy dog. {MOM}")
    assert not f.report.fallbacks  # nothing fell back to recognition: the spoken words aligned
    notes = " ".join(s.reason for s in f.report.notices)
    assert "not heard" in notes and "lazy" in notes
    assert any("lazy" in line for line in f.report.warnings(RATE))
    found, total = bilabials_found(f, refs)
    assert found >= total - 2


@needs_espeak
def test_the_other_actors_lines_in_the_script_are_reported_where_they_would_be_and_the_rest_aligns(tmp_path):
    # One actor's recording, the scene's script with the other actor's lines between: a linear word
    # pass must spread those lines over the speech, and before, the pieces after the first one got
    # the wrong words (the viseme aligner then placed "nobody" at the end of "bubbly apple pie").
    said = [BUMPY, MOM, "Pam bought a big box of maple biscuits.", "My brother plays the bass in a pop band."]
    other = ["Are you sure about that?", "Nobody told me anything.", "Then what happened next?"]
    parts = [0.3]
    for line in said:
        parts += [line, 0.7]
    path, refs = take(tmp_path, parts, voice=("en-us", 165, 50))
    f = analyze(path, RATE, transcript="\n".join(t for pair in zip(said, other + [""]) for t in pair if t))
    assert not f.report.fallbacks
    assert "viseme aligner" not in " ".join(s.reason for s in f.report.stretches)  # every piece aligned as said
    notes = [(s.words, s.reason) for s in f.report.notices]
    assert notes == [(said[i + 1].lower().rstrip("."), f'script words not heard: "{o.lower().rstrip("?.")}"')
                     for i, o in enumerate(other)]
    row = {w.lower() for _, _, w in f.words}  # the waveform's word row: what was said, nothing else
    assert {"pam", "biscuits", "brother"} <= row and not {"nobody", "anything", "sure", "happened"} & row
    found, total = bilabials_found(f, refs)
    assert total == 35 and found == total


@needs_espeak
def test_lines_nobody_says_in_a_spanish_script_are_reported_and_nothing_falls_back(tmp_path):
    # the viseme aligner (every language but English) leaves out whole clauses too; before, each
    # unsaid line was squeezed into a pause and its stretch fell back to recognition
    said = ["Pablo compra pan y manzanas.", "Mi madre prepara un buen pastel."]
    other = ["Nadie sabe nada de eso.", "Hasta luego."]
    path, refs = take(tmp_path, [0.3, said[0], 0.8, said[1], 0.5], voice=("es", 160, 50))
    script = "\n".join([said[0], other[0], said[1], other[1]])
    f = analyze(path, RATE, transcript=script, language="es")
    assert not f.report.fallbacks
    notes = [(s.words, s.reason) for s in f.report.notices]
    # one note for both: the phrase after the first unsaid line is the last one, before the second
    assert notes == [("Mi madre prepara un buen pastel",
                      'script words not heard: "Nadie sabe nada de eso ... Hasta luego"')]
    assert not {"Nadie", "luego"} & {w for _, _, w in f.words}
    found, total = bilabials_found(f, refs)
    assert total >= 7 and found == total


@needs_espeak
def test_a_spanish_line_said_but_missing_from_the_script_is_recognized_and_reported(tmp_path):
    # forced onto the script, the line's speech took the next line's words and those words fell
    # back where they did not fit; now it is reported as speech the script lacks
    said = ["Pablo compra pan y manzanas.",
            "Los niños juegan en el parque toda la tarde y después vuelven a casa muy cansados.",
            "Mi madre prepara un buen pastel."]
    path, refs = take(tmp_path, [0.3, said[0], 0.8, said[1], 0.8, said[2], 0.5], voice=("es", 160, 50))
    f = analyze(path, RATE, transcript=f"{said[0]}\n{said[2]}", language="es")
    (adlib,) = f.report.fallbacks
    assert "matches no words of the script" in adlib.reason and not adlib.words
    lines, last = [], None  # (start, end) of each line said, from the synthesizer's phone times
    for a, b, _ in refs:
        if last is None or a - last > 0.5:
            lines.append([a, b])
        lines[-1][1] = last = b
    (_, e1), (s2, e2), (s3, _) = lines
    fps = RATE.fps
    assert e1 - 0.1 <= adlib.start_frame / fps <= s2 + 0.2 and e2 - 0.2 <= adlib.end_frame / fps <= s3 + 0.1
    assert all(b / fps <= e1 + 0.1 or a / fps >= s3 - 0.1 for a, b, _ in f.words)  # each word on its own line
    assert len(f.words) == 11
    found, total = bilabials_found(f, refs)
    assert total >= 7 and found >= total - 1


def test_clauses_end_at_punctuation_and_line_breaks_and_stay_short():
    from talkface_studio.audio.script_split import clauses

    text = "Hello there. How are you\nFine, thanks\n" + " ".join(["word"] * 14)
    words = piecewise.transcript_words(text)
    units = clauses(text, len(words))
    assert units[:4] == [(0, 2), (2, 5), (5, 6), (6, 7)]
    assert units[4:] == [(7, 19), (19, 21)]  # 14 words: 12 and the 2 left
    assert clauses("", 0) == []


@pytest.mark.parametrize("heard, kept", [
    ("a b c d e", [(0, 2), (2, 4), (4, 5)]), ("a b e", [(0, 2), (4, 5)]), ("c d e", [(2, 4), (4, 5)]), ("", []),
    ("a c d e", None), ("x y", [(5, 7)]),
    # a take cut inside a line: the first unit said may lack its opening, the last its close
    ("a b c", [(0, 2), (2, 3)]), ("b c d", [(1, 2), (2, 4)]), ("d e x", [(3, 4), (4, 5), (5, 6)]),
    ("c d x", [(2, 4), (5, 6)]),
    ("a d e", None), ("a b d e", None),  # ... but not inside the take
])
def test_which_clauses_the_heard_words_are(heard, kept):
    from talkface_studio.audio.sphinx_align import _units_kept

    words = "a b c d e x y".split()
    units = [(0, 2), (2, 4), (4, 5), (5, 7)]
    assert _units_kept(heard.split(), words, units, True, True) == kept
    # not first come, first taken: "yes" alone is left out when "yes sir" follows
    assert _units_kept(["yes", "sir"], ["yes", "yes", "sir"], [(0, 1), (1, 3)]) == [(1, 3)]
    # a whole unit rather than a cut one where both read the words
    assert _units_kept(["sir"], ["yes", "sir", "sir"], [(0, 2), (2, 3)], True, True) == [(2, 3)]
    # a line is cut only at an end of the take that was cut
    assert _units_kept("b c d".split(), words, units, False, True) is None
    assert _units_kept("a b c".split(), words, units, True, False) is None
    assert _units_kept("b c d".split(), words, units, True, False) == [(1, 2), (2, 4)]


def test_every_piece_that_cannot_align_falls_back_alone(tmp_path, monkeypatch):
    """Two pieces of 'speech'; the aligner fails on the second only: the first keeps its phones."""
    from audio_fixtures import vowel
    x = np.concatenate([np.zeros(4000), vowel(140, 0.8, 16000), np.zeros(8000), vowel(200, 0.8, 16000),
                        np.zeros(4000)]).astype(np.float32)
    sf.write(str(tmp_path / "v.wav"), x, 16000)
    calls = []

    def align(x16, words, filler=True, offset=0.0):
        calls.append(words)
        if words != ["ma", "ma"]:
            raise piecewise.PhoneError("speech does not match the script")
        n = len(x16) / 16000
        return piecewise.Alignment([piecewise.TimedPhone(offset, offset + 0.05, "SIL"),
                                    piecewise.TimedPhone(offset + 0.05, offset + n / 2, "M"),
                                    piecewise.TimedPhone(offset + n / 2, offset + n - 0.05, "AA")],
                                   [], -1.0)

    def place(x16, words):
        raise piecewise.PhoneError("speech does not match the script")

    monkeypatch.setattr(piecewise, "align_words", align)
    monkeypatch.setattr(piecewise, "place_words", place)  # the word pass fails: words split by durations
    monkeypatch.setattr(piecewise, "place_heard_words", lambda x16, words, units, *cut: place(x16, words))
    monkeypatch.setattr(piecewise, "phone_count", lambda w: 2)
    # this is about pocketsphinx's pieces: no viseme aligner in the chain (a steady vowel buzz
    # could pass for "lo lo" there; tests/test_audio_phones.py covers that step)
    from talkface_studio.audio import viseme_phones

    monkeypatch.setattr(viseme_phones, "viseme_fallback", lambda *a, **k: None)
    f = analyze(tmp_path / "v.wav", RATE, transcript="ma ma. lo lo")
    paths = [s.path for s in f.report.stretches]
    assert paths[0] == "piecewise" and paths[-1] in ("recognized", "acoustic")
    assert f.report.fallbacks[0].words == "lo lo" and f.report.fallbacks[0].start_frame >= 25
    assert "M" in set(f.phone_at()[:25])


def test_split_words_follows_durations_and_prefers_punctuation():
    counts = [3, 3, 3, 3, 3, 3]  # six equal words
    assert split_words(counts, [1.0, 2.0]) == [(0, 2), (2, 6)]
    # a pause after word 3 in the script pulls the split there when durations are ambiguous
    assert split_words(counts, [1.5, 1.5], punctuation_after("a b c, d e f", 6)) == [(0, 3), (3, 6)]
    assert split_words(counts, [2.0]) == [(0, 6)]
    assert [hi - lo for lo, hi in split_words(counts, [0.1, 2.0, 1.0])][0] == 0  # a click gets no words


def test_report_tiles_the_take_and_describes_fallbacks():
    rate = FrameRate(24)
    timed = [TimedStretch(0.0, 1.0, "aligned", "", "a b"), TimedStretch(1.0, 2.5, "acoustic", "why", "c d")]
    r = AlignmentReport.from_timed(timed, rate, 60, scripted=True)
    assert [(s.start_frame, s.end_frame) for s in r.stretches] == [(0, 24), (24, 60)]
    assert [s.path for s in r.fallbacks] == ["acoustic"]
    (line,) = r.warnings(rate)
    assert line.startswith("00:00:01:00-00:00:02:11 (frames 24-59)") and '"c d"' in line and "why" in line
    r2 = r.overlay(10, 15, "acoustic", "loud")
    assert [(s.start_frame, s.end_frame, s.path) for s in r2.stretches] == [
        (0, 10, "aligned"), (10, 15, "acoustic"), (15, 24, "aligned"), (24, 60, "acoustic")]
    assert AlignmentReport.from_json(r2.to_json()) == r2
    assert list(r2.path_at(60)[[0, 12, 30]]) == ["aligned", "acoustic", "acoustic"]
    unscripted = AlignmentReport.from_timed([TimedStretch(0, 2.5, "recognized")], rate, 60, scripted=False)
    assert not unscripted.fallbacks and unscripted.summary() == "phones recognized (no script)"
    notes = AlignmentReport.from_timed([TimedStretch(0.0, 1.0, "aligned", unheard_note("oh"), "a b"),
                                        TimedStretch(1.0, 2.0, "piecewise", SAID_AGAIN, "a b"),
                                        TimedStretch(2.0, 2.5, "recognized", NO_SCRIPT_WORDS)], rate, 60, scripted=True)
    assert len(notes.notices) == 3 and notes.summary() == (
        "aligned to the script, partly aligned in 1 piece; 1 stretch fell back; 1 with script words not heard; "
        "1 said again")
    reason = join_reasons(unheard_note("one from fairest"), "aligned by the viseme aligner", unheard_note("cut"))
    assert unheard_words(reason) == ["one from fairest", "cut"] and unheard_words(NO_SCRIPT_WORDS) == []


def test_loud_frames_are_never_left_silent_and_long_runs_are_reported():
    n = 50
    loud = np.zeros(n, np.float32)
    loud[5:45] = 0.9
    f = AudioFeatures(rate=RATE, n_frames=n, loudness=loud, voicing=(loud > 0).astype(np.float32),
                      pitch_hz=np.zeros(n), mel=np.zeros((n, 80)), spectral_centroid=np.full(n, 800.0))
    labels = np.array(["SIL"] * 5 + ["AA"] * 10 + ["SIL"] * 10 + ["M"] * 19 + ["SIL"] + ["SIL"] * 5)
    report = AlignmentReport((PathStretch(0, n, "aligned"),))
    spans, out = finish_phones(f, labels, report)
    f.phones = spans
    now = f.phone_at()
    assert not np.any((loud >= 0.5) & (now == "SIL")) and now[0] == "SIL" and now[-1] == "SIL"
    assert now[20] in ("AA", "EH", "OW", "AH") and now[30] == "M"
    # the 10 silent loud frames (0.4 s) are a reported fallback; the single frame at 44 is a word edge
    assert [(s.start_frame, s.end_frame) for s in out.fallbacks] == [(15, 25)]
    assert "left loud audio as silence" in out.fallbacks[0].reason


@pytest.mark.parametrize("path", ["aligned", "recognized"])
def test_a_breath_a_script_left_silent_stays_silent_and_unreported(path):
    """A breath alone in a pause (0.4 s, bright, unvoiced) that the script's aligner left as a
    pause is not speech it lost; where the phones were recognized, loud frames are still shaped."""
    n = 60
    loud = np.zeros(n, np.float32)
    loud[5:20] = 0.9
    loud[30:40] = 0.7  # the breath
    loud[50:58] = 0.9
    voicing = np.where(loud > 0.8, 1.0, 0.0).astype(np.float32)
    mel = np.zeros((n, 80), np.float32)
    mel[:, :20] = np.where(voicing[:, None] > 0, 0.0, -3.0)  # the breath has little below ~0.77 kHz
    f = AudioFeatures(rate=RATE, n_frames=n, loudness=loud, voicing=voicing, pitch_hz=np.zeros(n), mel=mel,
                      spectral_centroid=np.full(n, 800.0))
    labels = np.array(["SIL"] * 5 + ["AA"] * 15 + ["SIL"] * 30 + ["AA"] * 8 + ["SIL"] * 2)
    spans, out = finish_phones(f, labels, AlignmentReport((PathStretch(0, n, path),)))
    f.phones = spans
    if path == "aligned":
        assert (f.phone_at()[30:40] == "SIL").all() and not out.fallbacks
    else:
        assert (f.phone_at()[30:40] != "SIL").all()


@needs_espeak
@needs_espeak
def test_a_word_the_word_pass_squeezed_into_its_neighbour_moves_to_its_own_speech(tmp_path, monkeypatch):
    """KLettres' British "KEY. ME.": the word pass put ME into the tail of KEY and left ME's own
    recording without words. The two pieces are aligned as one, ME lands on its speech, and the
    stretch is reported as piecewise, not as the word pass's placement."""
    path, refs = take(tmp_path, [0.3, "Key.", 0.8, "Me.", 0.3])
    x16 = load_audio(path).mono(16000)
    key_end = max(end for start, end, ipa in refs if start < 1.0)
    m_start = next(start for start, end, ipa in refs if ipa.startswith("m"))
    monkeypatch.setattr(piecewise, "place_words", lambda x, words: [  # both words in KEY's speech
        piecewise.TimedWord(0.3, key_end - 0.1, "key"), piecewise.TimedWord(key_end - 0.1, key_end, "me")])
    result = piecewise.align_script(x16, "Key. Me.")
    me = next(w for w in result.words if w.word == "me")
    assert me.start > key_end + 0.3 and abs(me.start - m_start) < 0.1
    assert not [s for s in result.stretches if s.path not in ("aligned", "piecewise")]
    assert [(s.path, s.words) for s in result.stretches if s.words] == [("piecewise", "key me")]


@needs_espeak
@pytest.mark.parametrize("adlib, end", [("Hello, what is going on here?", 4.1),
                                        ("Well, I think that is fine by me.", 4.5)])
def test_speech_not_in_the_script_between_pauses_takes_no_script_word(tmp_path, adlib, end):
    """An ad-lib between two sentences: neither neighbour's word moves onto it (aligned over both,
    the neighbours leave it a pause, which the piece check turns down). It is speech, so it is
    recognized without the script (reported): its p, b and m close the lips as said."""
    path, refs = take(tmp_path, [0.3, MOM, 0.6, adlib, 0.6, "Please pass the paper plates.", 0.3])
    x16 = load_audio(path).mono(16000)
    result = piecewise.align_script(x16, f"{MOM} Please pass the paper plates.")
    words = {w.word: w for w in result.words}
    assert words["pie"].end < 2.2 and words["please"].start > end + 0.3
    (said,) = [s for s in result.stretches if s.path not in ("aligned", "piecewise")]
    assert said.path == "recognized" and said.start < 2.5 and said.end > end and "matches no words" in said.reason
    inside = [p for p in result.phones if said.start <= p.start < said.end and p.phone != "SIL"]
    assert sum(p.end - p.start for p in inside) > 1.0  # the mouth speaks through it
    for start, _, ipa in refs:
        if ipa[0] in "pbm" and said.start < start < said.end:  # "by me"
            assert any(p.phone == "M" and p.start - 0.06 <= start <= p.end + 0.06 for p in inside), start


@needs_espeak
def test_an_ad_lib_held_under_a_stop_is_recognized_and_reported(tmp_path):
    """The word pass gives "please" the ad-lib's piece, and the aligner holds its p over the whole
    ad-lib (a closure over a second of loud speech, scoring well per frame). The word is then
    reported as not matching, the piece where it fell back left out of the script's alignment
    (piecewise.SLID_WEAK_S), and "please" aligned on its own speech: the ad-lib is recognized
    without the script and reported, so its m, b and p close the lips."""
    adlib = "Oh my, the baby is up!"
    path, refs = take(tmp_path, [0.3, MOM, 0.6, adlib, 0.6, "Please pass the paper plates.", 0.3])
    x16 = load_audio(path).mono(16000)
    result = piecewise.align_script(x16, f"{MOM} Please pass the paper plates.")
    (held,) = [s for s in result.stretches if s.path not in ("aligned", "piecewise")]
    assert held.path == "recognized" and held.reason == NO_SCRIPT_WORDS and not held.words
    assert [w.word for w in result.words if w.start >= held.end] == "please pass the paper plates".split()
    said = [(a, ipa) for a, _, ipa in refs if 2.4 < a < 4.0 and ipa[0] in "pbm"]  # "my", "baby", "up"
    assert len(said) == 4 and all(held.start <= a < held.end for a, _ in said)
    closures = [p for p in result.phones if p.phone == "M" and held.start <= p.start < held.end]
    assert all(any(p.start - 0.06 <= a <= p.end + 0.06 for p in closures) for a, _ in said)
    # no stop of the script is left over a stretch of speech
    assert not held_words(result.phones, result.stretches, result.words, speech_mask(frame_levels(x16)))
    # a take said as written has none: the stops of its p, b, t, d, k, g stay as aligned
    path, _ = take(tmp_path, [0.3, MOM, 0.6, "Please pass the paper plates.", 0.3])
    x16 = load_audio(path).mono(16000)
    plain = piecewise.align_script(x16, f"{MOM} Please pass the paper plates.")
    assert {s.path for s in plain.stretches} <= {"aligned", "piecewise"}


@needs_espeak
def test_a_line_the_script_lacks_is_found_and_the_next_lines_keep_their_place(tmp_path):
    """A 6-s line said before the last one but missing from the script: the word pass spread the last
    line's words over it and they fell back (7 s). The viseme aligner, whose pauses may hold speech,
    finds the line; aligned again with it left out, every word of the script is on its own speech, and
    the line is recognized and reported."""
    adlib = "Well, I was not going to say anything, but since you ask, I think the whole plan is a terrible idea."
    plates = "Please pass the paper plates."
    path, refs = take(tmp_path, [0.3, MOM, 0.7, BUMPY, 0.7, adlib, 0.7, plates, 0.7])
    x16 = load_audio(path).mono(16000)
    script = "\n".join([MOM, BUMPY, plates])
    first = piecewise._align_script(x16, script, piecewise.fallback_piece, piecewise.WRONG_WORD_COST)
    assert piecewise.words_fallen_back_s(first.stretches) >= piecewise.UNSCRIPTED_WEAK_S  # what it mends
    result = piecewise.align_script(x16, script)
    assert piecewise.words_fallen_back_s(result.stretches) == 0
    (line,) = [s for s in result.stretches if s.path not in ("aligned", "piecewise")]
    assert line.path == "recognized" and "matches no words" in line.reason and not line.words
    gaps = [i + 1 for i in range(len(refs) - 1) if refs[i + 1][0] - refs[i][1] > 0.5]  # the four sentences
    said = (refs[gaps[1]][0], refs[gaps[2] - 1][1])  # the ad-lib's first and last phone
    assert line.start <= said[0] + 0.1 and line.end >= said[1] - 0.1 and line.end < refs[gaps[2]][0]
    assert {w.word: w.start for w in result.words}["please"] >= line.end
    found, total = bilabials_found(analyze(path, RATE, transcript=script), refs[gaps[2]:])
    assert total == 5 and found == total  # "please pass the paper plates" closes on its own p's


@needs_espeak
def test_a_line_the_script_lacks_that_the_viseme_aligner_misses_is_found_where_the_words_slid(tmp_path, monkeypatch):
    """The viseme aligner can miss such a line, or put it on the line before (a real reader's line
    that shares "he might have been made" with the next one). The piece of speech where the first
    words fell back is then left out, one piece at a time, while fewer words fall back."""
    adlib = "Well, I was not going to say anything, but since you ask, I think the whole plan is a terrible idea."
    plates = "Please pass the paper plates."
    path, refs = take(tmp_path, [0.3, MOM, 0.7, BUMPY, 0.7, adlib, 0.7, plates, 0.7])
    x16 = load_audio(path).mono(16000)
    script = "\n".join([MOM, BUMPY, plates])
    monkeypatch.setattr("talkface_studio.audio.viseme_phones.unscripted_spans", lambda *args: [])
    result = piecewise.align_script(x16, script)
    assert piecewise.words_fallen_back_s(result.stretches) == 0
    (line,) = [s for s in result.stretches if s.path not in ("aligned", "piecewise")]
    assert line.path == "recognized" and "matches no words" in line.reason and not line.words
    gaps = [i + 1 for i in range(len(refs) - 1) if refs[i + 1][0] - refs[i][1] > 0.5]
    said = (refs[gaps[1]][0], refs[gaps[2] - 1][1])  # the ad-lib's first and last phone
    assert line.start <= said[0] + 0.1 and line.end >= said[1] - 0.1 and line.end < refs[gaps[2]][0]
    assert [w.word for w in result.words if w.start >= line.end] == "please pass the paper plates".split()


@needs_espeak
def test_a_line_said_in_other_words_keeps_its_words_and_is_reported_as_not_matching(tmp_path):
    """A line the actor replaced by words of his own: its words fall back (3.3 s) and are reported
    where he said it. Left out of the script's alignment, the piece would hold no script words and
    the line would be "not heard", which says less: the line was said, differently. A piece is left
    out only where no more script words fall back and none goes unheard."""
    said = "Sometimes a lovely dog sat under the old tree."
    plates = "Please pass the paper plates."
    path, refs = take(tmp_path, [0.3, MOM, 0.7, said, 0.7, plates, 0.7])
    x16 = load_audio(path).mono(16000)
    result = piecewise.align_script(x16, "\n".join([MOM, BUMPY, plates]))
    (line,) = [s for s in result.stretches if s.path not in ("aligned", "piecewise")]
    assert line.words == "maybe bob put the bumpy map by my pen" and "does not match the script" in line.reason
    gaps = [i + 1 for i in range(len(refs) - 1) if refs[i + 1][0] - refs[i][1] > 0.5]
    assert line.start <= refs[gaps[0]][0] + 0.1 and line.end >= refs[gaps[1] - 1][1] - 0.1
    assert not any(UNHEARD in s.reason for s in result.stretches)


@needs_espeak
@pytest.mark.parametrize("first_reading, voice", [(BUMPY, ("en-us", 160, 40)), (BUMPY, ("en-gb", 150, 50)),
                                                  ("Maybe Bob put the bumpy", ("en-gb", 150, 50))])
def test_a_line_said_again_is_aligned_with_its_words_and_reported(tmp_path, first_reading, voice):
    """The actor says a line twice (a retake in the same file), or starts it and starts over; the
    script has it once. The aligner puts the script's line on one reading; the other, with no script
    words, is aligned with the line's words (or the part of it said) and reported as said again, so
    the p/b/m of both readings close, and nothing falls back. (en-us: the reading aligned alone
    scores "by" over the wrong-word limit; it passes as scoring like the line's other reading.)"""
    plates = "Please pass the paper plates."
    path, refs = take(tmp_path, [0.3, MOM, 0.7, first_reading, 0.7, BUMPY, 0.7, plates, 0.3], voice)
    script = "\n".join([MOM, BUMPY, plates])
    result = piecewise.align_script(load_audio(path).mono(16000), script)
    assert {s.path for s in result.stretches} <= {"aligned", "piecewise"}
    (again,) = [s for s in result.stretches if s.reason]
    assert again.reason == SAID_AGAIN and again.words == first_reading.lower().rstrip(".")
    gaps = [i + 1 for i in range(len(refs) - 1) if refs[i + 1][0] - refs[i][1] > 0.5]  # the four readings
    said = [(a, b) for a, b in zip([0] + gaps, gaps + [len(refs)])][1:3]  # the two readings' phonemes
    assert len(said) == 2 and any(again.start <= refs[a][0] + 0.1 and again.end >= refs[b - 1][1] - 0.1
                                  and again.start >= refs[a - 1][1] - 0.3 for a, b in said)
    features = analyze(path, RATE, transcript=script)
    found, total = bilabials_found(features, refs)
    assert total >= 16 and found == total
    assert not features.report.fallbacks
    assert any("said again" in line for line in features.report.warnings(RATE))
    assert features.report.summary().endswith("; 1 said again")


@needs_espeak
def test_an_ad_lib_is_not_taken_for_a_line_said_again(tmp_path):
    """Speech with no script words that is not the line before or after it stays recognized."""
    adlib = "Well, I think that is fine by me."
    path, _ = take(tmp_path, [0.3, MOM, 0.7, adlib, 0.7, BUMPY, 0.3], ("en-gb", 150, 50))
    result = piecewise.align_script(load_audio(path).mono(16000), f"{MOM}\n{BUMPY}")
    (said,) = [s for s in result.stretches if s.reason]
    assert said.path == "recognized" and "matches no words" in said.reason


@pytest.mark.parametrize("other_reading, is_reading", [(0.75, False), (4.0, True), (None, True)])
def test_words_within_the_limit_far_worse_than_their_other_reading_are_not_a_reading(monkeypatch, other_reading,
                                                                                     is_reading):
    """A real reader's "mary rolled the barrel" aligned as "bobby ripped the ledger": every word
    within the wrong-word limit (at most 6.1 nats, mean 5.35), but the words said elsewhere
    score 0.75 there. Within the limit and close to the other reading (or with none) it is one."""
    from talkface_studio.audio import retakes
    from talkface_studio.audio.sphinx_align import Alignment, TimedWord

    words = [TimedWord(0.1 * i, 0.1 * i + 0.1, w) for i, w in enumerate("bobby ripped the ledger".split())]
    reading = (5.35, Alignment([], words, 0.0))
    monkeypatch.setattr(retakes, "word_costs", lambda ws: [5.99, 3.4, 5.89, 6.12][:len(ws)])
    monkeypatch.setattr(retakes, "_reading", lambda *args: (other_reading, Alignment([], words, 0.0)))
    other = None if other_reading is None else (2.0, 2.4)
    assert retakes._scores_as_said(None, reading, other, None, 6.5, None) is is_reading


def breath_take(tmp_path, kind: str, quiet_after: float, line: str = BUMPY):
    """MOM, 1.2 s of pause holding 350 ms of `kind` ("breath": bright unvoiced noise; "hum": 120 Hz;
    "none": silence) 15 dB under the voice and ending `quiet_after` s before `line` -> path, sound's start (s), the
    line's start (s), its phonemes (s from its start)."""
    from scipy.signal import butter, sosfilt

    sr = espeak_events.SAMPLE_RATE
    first, second = (espeak_events.speak(t, "en-us", 160, 40) for t in (MOM, line))
    level = np.sqrt(np.mean(first.samples[np.abs(first.samples) > 0.01] ** 2)) * 10 ** (-15 / 20)
    n = int(0.35 * sr)
    if kind == "breath":
        sound = sosfilt(butter(2, [400, 5000], btype="band", fs=sr, output="sos"),
                        np.random.default_rng(0).standard_normal(n)) * np.hanning(n) ** 0.5
    else:
        sound = np.sin(2 * np.pi * 120 * np.arange(n) / sr) * np.hanning(n) ** 0.5
    sound *= level / np.sqrt(np.mean(sound ** 2)) * (kind != "none")
    pause = np.random.default_rng(1).normal(0, 1e-4, int(1.2 * sr))
    at = len(pause) - int(quiet_after * sr) - n
    pause[at:at + n] += sound
    x = np.concatenate([np.zeros(4000), first.samples, pause, second.samples, np.zeros(4000)]).astype(np.float32)
    sf.write(str(tmp_path / "take.wav"), x, sr)
    before = 4000 + len(first.samples)
    return tmp_path / "take.wav", (before + at) / sr, (before + len(pause)) / sr, second.phonemes


@needs_espeak
@pytest.mark.parametrize("kind", ["breath", "hum"])
def test_a_breath_between_english_lines_is_a_pause_and_a_hum_is_reported(tmp_path, kind):
    """An inhale alone in the pause before a line (350 ms of bright, unvoiced noise, 15 dB under
    the voice, 0.4 s of quiet either side) is neither words missing from the script nor a mouth
    shape; a voiced hum there is."""
    path, at, _, _ = breath_take(tmp_path, kind, quiet_after=0.4)
    f = analyze(path, RATE, transcript=f"{MOM} {BUMPY}")
    frames = slice(int(np.ceil(at * RATE.fps)), int((at + 0.35) * RATE.fps))
    if kind == "breath":
        assert not f.report.fallbacks and (f.phone_at()[frames] == "SIL").all()
    else:
        (hum,) = f.report.fallbacks
        assert hum.path == "recognized" and hum.start_frame <= frames.start and hum.end_frame >= frames.stop


@needs_espeak
@pytest.mark.parametrize("line, first_phone, quiet_after", [(BUMPY, "M", 0.06), (BUMPY, "M", 0.12),
                                                          ("She sells sea shells by the shore.", "SH", 0.12)])
def test_an_inhale_just_before_an_english_line_is_kept_out_of_the_line(tmp_path, line, first_phone, quiet_after):
    """The same inhale ending closer to the line than a pause is part of the line's piece. Aligned
    with it, pocketsphinx pulled the line 0.5 s early into the breath ("maybe" and "map" fell back,
    "shore" was reported) or stretched its m over it. Cut off the piece, the breath stays silent
    and unreported, and the line's first sound starts where it does in the same take without the
    breath."""
    starts = {}
    for kind in ("none", "breath"):
        (tmp_path / kind).mkdir()
        path, at, _, _ = breath_take(tmp_path / kind, kind, quiet_after, line)
        f = analyze(path, RATE, transcript=f"{MOM} {line}")
        assert not f.report.fallbacks
        labels = f.phone_at()
        assert (labels[int(np.ceil(at * RATE.fps)):int((at + 0.35) * RATE.fps)] == "SIL").all()
        starts[kind] = next(i for i in range(int(at * RATE.fps), len(labels)) if labels[i] != "SIL")
        assert labels[starts[kind]] == first_phone
    assert abs(starts["breath"] - starts["none"]) <= 1  # it was 11 frames early


@needs_espeak
def test_a_whispered_word_is_not_taken_for_an_inhale(tmp_path):
    """Whispered, every sound is bright and unvoiced like a breath, and a quiet m parts "May" from
    "be Bob": that is a word, not an inhale, and the whispered lines align whole as before."""
    text = f"{BUMPY} {MOM}"
    path, refs = take(tmp_path, [0.25, text, 0.25], voice=("en-us+whisper", 170, 40))
    f = analyze(path, RATE, transcript=text)
    assert not f.report.fallbacks and f.phone_source == "aligned"
    found, total = bilabials_found(f, refs)
    assert found >= total - 1


def test_a_breath_just_before_a_word_the_aligner_left_silent_stays_silent():
    """At video rate an inhale and the word after it may touch. Left silent by the script's aligner
    before an a, the breath is a pause; before an s, whose own start sounds like breath, it is
    loud audio the aligner lost, shaped and reported."""
    n = 50
    loud = np.zeros(n, np.float32)
    loud[5:15] = 0.9
    loud[25:35] = 0.7  # the breath, touching the next word
    loud[35:45] = 0.9
    voicing = np.where(loud > 0.8, 1.0, 0.0).astype(np.float32)
    mel = np.zeros((n, 80), np.float32)
    mel[:, :20] = np.where(voicing[:, None] > 0, 0.0, -3.0)  # the breath has little below ~0.77 kHz
    for onset, silent in (("AA", True), ("S", False)):
        f = AudioFeatures(rate=RATE, n_frames=n, loudness=loud, voicing=voicing, pitch_hz=np.zeros(n), mel=mel,
                          spectral_centroid=np.full(n, 800.0))
        labels = np.array(["SIL"] * 5 + ["AA"] * 10 + ["SIL"] * 20 + [onset] * 10 + ["SIL"] * 5)
        spans, out = finish_phones(f, labels, AlignmentReport((PathStretch(0, n, "aligned"),)))
        f.phones = spans
        assert (f.phone_at()[25:35] == "SIL").all() == silent
        assert bool(out.fallbacks) != silent
    burst = loud.copy()
    burst[25:34] = 0.0  # one loud frame before a p: its burst, shorter than a breath, is shaped
    labels = np.array(["SIL"] * 5 + ["AA"] * 10 + ["SIL"] * 20 + ["P"] * 10 + ["SIL"] * 5)
    f = AudioFeatures(rate=RATE, n_frames=n, loudness=burst, voicing=voicing, pitch_hz=np.zeros(n), mel=mel,
                      spectral_centroid=np.full(n, 800.0))
    f.phones, _ = finish_phones(f, labels, AlignmentReport((PathStretch(0, n, "aligned"),)))
    assert f.phone_at()[34] != "SIL"


def test_pieces_aligned_during_the_word_pass_are_reused_and_change_nothing(tmp_path, monkeypatch):
    """While the word pass runs, pieces of the split by expected durations are aligned ahead; a
    piece the word pass places the same way is never decoded again, and a wrong guess changes
    nothing but the time it wastes."""
    path, _ = take(tmp_path, [0.3, BUMPY, 0.5, MOM, 0.5, "Please pass the paper plates.", 0.3])
    x16 = load_audio(path).mono(16000)
    script = f"{BUMPY} {MOM} Please pass the paper plates."
    decodes = []
    real_align = piecewise.align_words

    def counted(x, words, filler=True, offset=0.0):
        decodes.append((round(offset, 3), tuple(words), filler))
        return real_align(x, words, filler=filler, offset=offset)

    monkeypatch.setattr(piecewise, "align_words", counted)
    good = piecewise.align_script(x16, script)
    assert good.stretches[0].path == "aligned" and len({d[0] for d in decodes}) == 3  # three pieces
    assert len(decodes) == len(set(decodes))  # the guess was right: no piece decoded twice

    decodes.clear()
    real_split = piecewise.split_words
    monkeypatch.setattr(piecewise, "split_words",  # every word guessed into the last piece
                        lambda counts, durations, punct=None: [(0, 0)] * (len(durations) - 1) + [(0, len(counts))])
    wrong = piecewise.align_script(x16, script)
    assert wrong.phones == good.phones and wrong.stretches == good.stretches
    monkeypatch.setattr(piecewise, "split_words", real_split)
    assert piecewise.align_script(x16, script).phones == good.phones  # and the same again, every run


@needs_espeak
def test_numbers_in_an_english_script_align_as_words(tmp_path):
    """Read digit by digit ("one nine eight four"), every number matched nothing in the audio and
    fell back to recognition: four stretches in these two sentences."""
    said = ["In 1984 my mom paid 250 dollars for 3 maps.", "Meet me at 5 pm in room 101, by the 2nd pump."]
    path, refs = take(tmp_path, [0.3, said[0], 0.5, said[1], 0.3], voice=("en-us", 165, 30))
    f = analyze(path, RATE, transcript=" ".join(said))
    assert not f.report.fallbacks
    found, total = bilabials_found(f, refs)
    assert found == total


@needs_espeak
def test_names_no_dictionary_has_align_through_espeak_readings(tmp_path):
    """Spelling rules read "Xanthippe" as K S AE N TH IH P P EH: two stretches of these sentences
    fell back to recognition. A British voice, read with the US rules: not the same voice's own."""
    said = ["Zephyrine and Xanthippe saw the cyberpunk Azkaban emoji.",
            "Ciri, Yennefer and Geralt rode past Mjolnir to Yggdrasil."]
    path, refs = take(tmp_path, [0.3, said[0], 0.5, said[1], 0.3], voice=("en-gb", 165, 30))
    f = analyze(path, RATE, transcript=" ".join(said))
    assert not f.report.fallbacks
    found, total = bilabials_found(f, refs)
    assert found == total
