"""Viterbi decoding of viseme posteriors (recognition) and forced alignment of a script, on
posteriors built from known label sequences (no network involved), plus a tiny training run."""

import numpy as np
import pytest

from talkface_studio.audio.g2p import Word
from talkface_studio.audio.viseme_align import AlignmentError, align
from talkface_studio.audio.viseme_decode import decode
from talkface_studio.audio.viseme_set import CLASS_INDEX, VISEME_CLASSES


def posteriors(labels, confidence=0.8, noise=0.0, seed=0):
    """Log-posteriors [T, K] that favour `labels` (class names per frame)."""
    rng = np.random.default_rng(seed)
    k = len(VISEME_CLASSES)
    p = np.full((len(labels), k), (1 - confidence) / (k - 1))
    for t, name in enumerate(labels):
        p[t, CLASS_INDEX[name]] = confidence
    p = p + noise * rng.random(p.shape)
    p /= p.sum(axis=1, keepdims=True)
    return np.log(p).astype(np.float32)


def frames(*runs):
    out = []
    for name, n in runs:
        out += [name] * n
    return out


def test_decode_smooths_blips_and_keeps_real_phones():
    labels = frames(("SIL", 20), ("M", 6), ("AA", 12), ("T", 1), ("AA", 5), ("M", 5), ("SIL", 20))
    spans = decode(posteriors(labels))
    names = [s.phone for s in spans]
    assert names == ["SIL", "M", "AA", "M", "SIL"]  # the 10 ms "T" blip is below its minimum length
    m = spans[1]
    assert m.start == pytest.approx(0.20) and m.end == pytest.approx(0.26)
    assert spans[0].start == 0 and spans[-1].end == pytest.approx(len(labels) / 100)


def test_loud_frames_are_never_silence():
    labels = frames(("SIL", 30), ("AA", 30), ("SIL", 30))
    logp = posteriors(labels)
    level = np.full(90, -60.0)
    level[30:60] = -20.0
    level[5:15] = -21.0  # loud audio that the network called silence
    spans = decode(logp, level)
    labels_out = np.concatenate([[s.phone] * round((s.end - s.start) * 100) for s in spans])
    assert (labels_out[5:15] != "SIL").all() and labels_out[70] == "SIL"


def test_a_click_alone_in_a_pause_may_be_silence_but_a_short_word_or_a_burst_may_not():
    from talkface_studio.audio.viseme_decode import loud_mask

    level = np.full(200, -70.0)
    level[0:40] = -15.0  # speech
    level[80:86] = -30.0  # a 60 ms click 400 ms after it, then 200 ms of quiet: not speech
    level[106:118] = -18.0  # a 120 ms word ("oh") alone in the quiet: speech
    level[140:160] = -15.0
    level[166:169] = -25.0  # a stop's release 60 ms after its vowel: speech
    level[175:195] = -15.0
    loud = loud_mask(level)
    assert not loud[80:86].any()
    assert loud[106:118].all() and loud[166:169].all() and loud[0:40].all()


def test_a_click_in_the_pause_after_a_sentence_does_not_pull_its_last_word():
    """A lip smack or a breath 0.6 s after the sentence, loud enough to pass for speech, is not a
    word: the script's last word stays where the recognizer heard it."""
    labels = frames(("SIL", 10), ("M", 5), ("AA", 10), ("M", 4), ("AA", 8),  # mama
                    ("T", 4), ("IY", 9),  # ti
                    ("SIL", 60), ("S", 6), ("SIL", 20))  # the click, which the network half-hears
    logp = posteriors(labels, 0.6, noise=0.3)
    level = np.full(len(labels), -70.0)
    level[10:50] = -15.0
    level[110:116] = -30.0
    words = [word("mama", "M", "AA", "M", "AA"), word("ti", "T", "IY")]
    ti = align(logp, words, level).words[1]
    assert ti.start == pytest.approx(0.37, abs=0.02) and ti.end == pytest.approx(0.50, abs=0.03)


def test_a_breath_alone_in_a_pause_may_be_silence_but_not_a_voiced_word_as_long():
    from talkface_studio.audio.viseme_decode import loud_mask

    level = np.full(200, -70.0)
    level[0:40] = -15.0
    level[80:115] = -25.0  # 350 ms alone in the quiet
    level[150:190] = -15.0
    breath = np.zeros(200, bool)
    breath[80:115] = True
    assert not loud_mask(level, breath)[80:115].any()
    assert loud_mask(level)[80:115].all()  # voiced (or not known to be breath): speech
    breath[80:95] = False  # half of it voiced: a word
    assert loud_mask(level, breath)[80:115].all()


def test_breathy_frames_are_bright_unvoiced_noise_not_a_voiced_sound():
    from talkface_studio.audio.viseme_features import breathy, log_mel

    rng = np.random.default_rng(0)
    t = np.arange(8000) / 16000
    noise = np.convolve(rng.standard_normal(8000), np.r_[1.0, -0.95], "same").astype(np.float32) * 0.1  # tilted up
    vowel = (0.3 * np.sign(np.sin(2 * np.pi * 140 * t))).astype(np.float32)  # a buzz: energy at 140 Hz and up
    harmonics = [(1.0 if 1000 < 140 * k < 3400 else 0.1) * np.sin(2 * np.pi * 140 * k * t) for k in range(1, 40)]
    buzz_high = (0.02 * np.sum(harmonics, axis=0)).astype(np.float32)  # bright but voiced (是's vowel)
    assert breathy(noise, log_mel(noise))[5:-5].mean() > 0.9
    assert not breathy(vowel, log_mel(vowel))[5:-5].any()
    assert breathy(buzz_high, log_mel(buzz_high))[5:-5].mean() < 0.1


def test_a_breath_before_a_sentence_does_not_pull_its_first_word_into_it():
    """The network hears a breath as a whispered vowel; the script's "a" stays on the real one."""
    labels = frames(("SIL", 10), ("T", 4), ("IY", 9), ("SIL", 40), ("AA", 30), ("SIL", 30), ("AA", 12), ("SIL", 15))
    logp = posteriors(labels, 0.6, noise=0.3)
    level = np.full(len(labels), -70.0)
    level[10:23] = -15.0
    level[63:93] = -27.0  # the breath
    level[123:135] = -15.0
    breath = np.zeros(len(labels), bool)
    breath[63:93] = True
    words = [word("ti", "T", "IY", pause=True), word("a", "AA")]
    assert align(logp, words, level).words[1].start == pytest.approx(0.63, abs=0.03)  # without: pulled in
    a = align(logp, words, level, breathy=breath).words[1]
    assert a.start == pytest.approx(1.23, abs=0.02) and a.end == pytest.approx(1.35, abs=0.03)


def word(text, *names, pause=False):
    # viseme class names stand in for IPA phones: most map to themselves (e.g. "m" -> M)
    ipa = {"M": "m", "AA": "a", "T": "t", "IY": "i", "S": "s", "UW": "u", "K": "k", "EH": "e", "F": "f"}
    return Word(text, tuple(ipa[n] for n in names), pause)


def test_alignment_finds_word_times_and_pauses():
    labels = frames(("SIL", 15), ("M", 5), ("AA", 10), ("M", 4), ("AA", 8),  # mama
                    ("SIL", 25),  # a pause after the comma
                    ("T", 4), ("IY", 9),  # ti
                    ("S", 6), ("UW", 10), ("SIL", 12))  # su
    words = [word("mama", "M", "AA", "M", "AA", pause=True), word("ti", "T", "IY"), word("su", "S", "UW")]
    result = align(posteriors(labels, 0.6, noise=0.3), words)
    (w1, w2, w3) = result.words
    assert w1.start == pytest.approx(0.15, abs=0.02) and w1.end == pytest.approx(0.42, abs=0.02)
    assert w2.start == pytest.approx(0.67, abs=0.02) and w3.start == pytest.approx(0.80, abs=0.02)
    assert min(w.confidence for w in result.words) > 0.5
    names = [v.phone for v in result.visemes]
    assert names == ["SIL", "M", "AA", "M", "AA", "SIL", "T", "IY", "S", "UW", "SIL"]


def test_a_wrong_script_has_low_confidence_where_it_is_wrong():
    labels = frames(("SIL", 10), ("M", 6), ("AA", 12), ("K", 5), ("EH", 10), ("F", 6), ("UW", 12), ("SIL", 10))
    right = [word("ma", "M", "AA"), word("ke", "K", "EH"), word("fu", "F", "UW")]
    wrong = [word("ma", "M", "AA"), word("ti", "T", "IY"), word("fu", "F", "UW")]
    good = align(posteriors(labels), right)
    bad = align(posteriors(labels), wrong)
    assert min(w.confidence for w in good.words) > 0.6
    assert bad.words[1].confidence < 0.2 < bad.words[0].confidence
    assert bad.confidence < good.confidence


@pytest.mark.parametrize("unsaid_at", ["start", "middle", "end"])
def test_a_clause_nobody_says_is_left_out_of_a_whole_takes_script(unsaid_at):
    said = [[word("mama", "M", "AA", "M", "AA", pause=True)],
            [word("ti", "T", "IY"), word("su", "S", "UW", pause=True)]]
    unsaid = [word("fe", "F", "EH"), word("kuku", "K", "UW", "K", "UW", pause=True)]
    labels = frames(("SIL", 15), ("M", 5), ("AA", 10), ("M", 4), ("AA", 8), ("SIL", 40),
                    ("T", 4), ("IY", 9), ("S", 6), ("UW", 10), ("SIL", 30))
    order = {"start": [unsaid] + said, "middle": [said[0], unsaid, said[1]], "end": said + [unsaid]}[unsaid_at]
    words = [w for clause in order for w in clause]
    logp = posteriors(labels, 0.8)  # pauses as sure as a recognizer hears them
    result = align(logp, words, optional_clauses=True)
    assert [w.text for w in result.words] == ["mama", "ti", "su"]
    ((at, text),) = result.unsaid
    assert text == "fe kuku"
    assert at == pytest.approx({"start": 0.15, "middle": 0.82, "end": 1.11}[unsaid_at], abs=0.03)
    names = [v.phone for v in result.visemes]
    assert names == ["SIL", "M", "AA", "M", "AA", "SIL", "T", "IY", "S", "UW", "SIL"]  # as if it were not there
    # a script all said keeps every clause; without optional clauses the unsaid words are squeezed in
    assert not align(logp, said[0] + said[1], optional_clauses=True).unsaid
    assert len(align(logp, words).words) == 5


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_a_line_said_that_the_script_lacks_is_recognized_not_forced_onto_its_words(where):
    """An ad-lib (or a line cut from the script) between the script's clauses: with `unscripted`
    its speech is a pause's, recognized without the script, and the script's words keep their own."""
    mama = (("M", 5), ("AA", 10), ("M", 4), ("AA", 8))
    tisu = (("T", 4), ("IY", 9), ("S", 6), ("UW", 10))
    adlib = (("F", 6), ("EH", 12), ("K", 5), ("UW", 12), ("SIL", 8), ("K", 5), ("UW", 14), ("F", 6), ("EH", 12))
    runs = {"start": [adlib, mama, tisu], "middle": [mama, adlib, tisu], "end": [mama, tisu, adlib]}[where]
    labels = frames(("SIL", 15), *[r for part in runs for r in part + (("SIL", 30),)])
    logp = posteriors(labels, 0.8)
    level = np.where(np.array(labels) == "SIL", -70.0, -15.0)  # loud speech cannot be a pause
    words = [word("mama", "M", "AA", "M", "AA", pause=True), word("ti", "T", "IY"), word("su", "S", "UW", pause=True)]
    result = align(logp, words, level, optional_clauses=True, unscripted=True)
    ((a, b),) = result.unscripted
    start = 0.15 + 0.3 * {"start": 0, "middle": 1, "end": 2}[where] + {"start": 0, "middle": 0.27, "end": 0.56}[where]
    assert a == pytest.approx(start, abs=0.03) and b == pytest.approx(start + 0.80, abs=0.03)
    spoken = {w.text: w for w in result.words}
    assert set(spoken) == {"mama", "ti", "su"} and not result.unsaid
    assert all(w.end <= a + 0.01 or w.start >= b - 0.01 for w in result.words)  # none in the ad-lib
    assert min(w.confidence for w in result.words) > 0.5
    inside = [v.phone for v in result.visemes if a <= v.start < b]
    assert inside[:4] == ["F", "EH", "K", "UW"]  # the recognizer's own labels
    # a script said as written finds no such line; without `unscripted` the words are pulled into it
    said = frames(("SIL", 15), *[r for part in (mama, tisu) for r in part + (("SIL", 30),)])
    quiet = np.where(np.array(said) == "SIL", -70.0, -15.0)
    assert not align(posteriors(said, 0.8), words, quiet, optional_clauses=True, unscripted=True).unscripted
    forced = align(logp, words, level, optional_clauses=True)
    assert not forced.unscripted and min(w.confidence for w in forced.words) < 0.2


def test_unreadable_words_align_as_any_speech():
    labels = frames(("SIL", 10), ("M", 5), ("IY", 15), ("S", 8), ("UW", 10), ("AA", 12), ("SIL", 10))
    words = [Word("水", ()), word("a", "AA")]  # a kanji without a reading, then a readable word
    result = align(posteriors(labels), words)
    kanji, a = result.words
    assert kanji.start == pytest.approx(0.10, abs=0.02) and a.start == pytest.approx(0.48, abs=0.03)
    names = [v.phone for v in result.visemes]
    assert names[:4] == ["SIL", "M", "IY", "S"]  # inside the unknown word: the recognizer's own labels


def test_a_script_longer_than_the_audio_is_refused():
    with pytest.raises(AlignmentError, match="needs at least"):
        align(posteriors(frames(("AA", 10))), [word("mama", "M", "AA", "M", "AA")] * 10)
    with pytest.raises(AlignmentError, match="no words"):
        align(posteriors(frames(("AA", 10))), [])


def test_tiny_training_run_writes_loadable_weights(tmp_path):
    pytest.importorskip("torch")
    from audio_fixtures import HAVE_ESPEAK

    if not HAVE_ESPEAK:
        pytest.skip("espeak-ng is not installed")
    from talkface_studio.audio.viseme_model import VisemeRecognizer
    from talkface_studio.training.train_visemes import VisemeTrainOptions, train_visemes

    lines = []
    weights = train_visemes(tmp_path, VisemeTrainOptions(hours=0.004, steps=2, batch_size=2, workers=1,
                                                         validation_minutes=0.1), log=lines.append)
    assert weights.is_file() and (tmp_path / "viseme_recognizer.json").is_file()
    assert any("held-out synthetic" in line for line in lines)
    rec = VisemeRecognizer(weights, device="cpu")
    logp, jaw = rec.posteriors(np.zeros((50, 80), np.float32))
    assert logp.shape == (50, len(VISEME_CLASSES)) and jaw.shape == (50,)
    assert np.allclose(np.exp(logp).sum(axis=1), 1, atol=1e-4) and rec.version == "seed0-h0.004-s2"


def test_closure_evidence_tips_a_half_believed_closure_and_not_a_bright_vowel():
    """M second-best by half a nat for 120 ms: taken where the spectrum is dark (a murmur or a
    closure), not where it is bright (a vowel)."""
    k = len(VISEME_CLASSES)
    logp = np.full((60, k), np.log(0.02), np.float32)
    logp[:, CLASS_INDEX["AA"]] = np.log(0.6)
    logp[20:32, CLASS_INDEX["AA"]] = np.log(0.5)
    logp[20:32, CLASS_INDEX["M"]] = np.log(0.5 / np.sqrt(np.e))
    dark = np.zeros(60, np.float32)
    dark[20:32] = 1.0
    assert "M" not in [s.phone for s in decode(logp)]
    assert [s.phone for s in decode(logp, closure_evidence=dark)] == ["AA", "M", "AA"]
    assert "M" not in [s.phone for s in decode(logp, closure_evidence=-dark)]


def test_darkness_is_high_in_a_murmur_and_low_in_a_vowel():
    from scipy.signal import butter, sosfilt

    from talkface_studio.audio.viseme_features import closure_darkness, frame_level_db, log_mel

    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000
    pulses = np.sign(np.sin(2 * np.pi * 120 * t)).astype(np.float32)  # a buzzy voice source
    vowel = pulses + 0.05 * rng.standard_normal(16000).astype(np.float32)
    murmur = sosfilt(butter(4, 400, fs=16000, output="sos"), pulses).astype(np.float32)  # lips shut: low only
    x = np.concatenate([vowel, 0.5 * murmur, vowel])
    dark = closure_darkness(log_mel(x), frame_level_db(x))
    assert np.median(dark[120:180]) > 0.8 and np.median(dark[20:80]) < 0.2 and np.median(dark[220:280]) < 0.2


def test_japanese_moraic_nasal_before_lips_closes_them():
    from talkface_studio.audio.viseme_phones import _japanese_nasal_before_lips
    from talkface_studio.audio.viseme_set import phones_to_visemes

    sampo = Word("さんぽ", ("s", "ä", "ˈũ", "p", "o̞"))
    assert phones_to_visemes(_japanese_nasal_before_lips(sampo).phones) == ["S", "AA", "M", "M", "AO"]
    kantan = Word("かんたん", ("k", "ä", "ũ", "t", "ä", "ɴ"))  # before t it stays a nasal vowel
    assert _japanese_nasal_before_lips(kantan) == kantan


def test_the_silent_hold_of_a_voiceless_stop_is_no_evidence_against_a_closure():
    """A 'p' in 'apa': the hold is near-silence whose spectrum is the room's hiss (bright), the
    burst and a fricative are bright and loud; neither may vote hard against the closure."""
    from talkface_studio.audio.viseme_features import BRIGHT_FLOOR, closure_darkness, frame_level_db, log_mel

    rng = np.random.default_rng(1)
    t = np.arange(8000) / 16000
    vowel = np.sign(np.sin(2 * np.pi * 120 * t)).astype(np.float32)
    hold = 0.001 * rng.standard_normal(1600).astype(np.float32)  # 100 ms, ~60 dB down, white
    hiss = 0.5 * rng.standard_normal(3200).astype(np.float32)  # a loud 's'
    x = np.concatenate([vowel, hold, vowel, hiss, vowel])
    dark = closure_darkness(log_mel(x), frame_level_db(x))
    assert dark[53:58].min() >= 0.0  # inside the hold
    assert dark[113:128].min() >= BRIGHT_FLOOR - 1e-6 and np.median(dark[113:128]) < -0.3  # the 's'


def test_a_voiceless_stops_weak_release_is_no_evidence_against_its_closure():
    """After the hold, a p's burst and aspiration are bright but weak (15-20 dB below the vowels):
    neutral, so they cannot outvote the closure they end; a loud bright fricative still counts."""
    from talkface_studio.audio.viseme_features import closure_darkness, frame_level_db, log_mel

    rng = np.random.default_rng(2)
    t = np.arange(8000) / 16000
    vowel = np.sign(np.sin(2 * np.pi * 120 * t)).astype(np.float32)  # ~0 dB
    hold = 0.001 * rng.standard_normal(1200).astype(np.float32)  # 75 ms, ~60 dB down
    aspiration = 0.13 * rng.standard_normal(960).astype(np.float32)  # 60 ms, ~18 dB down, white
    hiss = 0.5 * rng.standard_normal(3200).astype(np.float32)  # a loud 's', ~6 dB down
    x = np.concatenate([vowel, hold, aspiration, vowel, hiss, vowel])
    level = frame_level_db(x)
    dark = closure_darkness(log_mel(x), level)
    release = slice(58, 63)  # inside the aspiration (frames 57.5-63.5)
    assert np.all(level[release] < level[:50].max() - 15) and np.all(level[release] > level[:50].max() - 20)
    assert dark[release].min() >= 0.0
    assert np.median(dark[116:131]) < -0.3  # the loud 's' still counts against a closure


def test_a_stop_like_gap_is_closure_evidence_and_a_pause_or_a_slow_onset_is_not():
    """'apa' said quickly (a 60 ms hold, then an abrupt release) marks its hold as a closure; a
    400 ms pause and a gap that fades back in over 100 ms (no release burst) do not."""
    from talkface_studio.audio.viseme_features import closure_darkness, frame_level_db, log_mel, stop_gaps

    rng = np.random.default_rng(2)
    t = np.arange(4800) / 16000
    vowel = np.sign(np.sin(2 * np.pi * 120 * t)).astype(np.float32)  # 300 ms, loud

    def quiet(ms):
        return 0.001 * rng.standard_normal(int(16 * ms)).astype(np.float32)

    fade_in = vowel[:1600] * np.linspace(0.001, 1, 1600, dtype=np.float32) ** 2
    x = np.concatenate([vowel, quiet(60), vowel, quiet(400), vowel, quiet(60), fade_in, vowel])
    level = frame_level_db(x)
    gaps = stop_gaps(level)
    hold = slice(32, 35)  # frames inside the 60 ms hold (300-360 ms; 25 ms windows)
    assert gaps[hold].min() == 1.0 and gaps[:28].max() == 0.0
    assert gaps[70:100].max() == 0.0  # inside the pause
    assert gaps[140:150].max() == 0.0  # the gap before the slow onset (1360-1420 ms)
    assert closure_darkness(log_mel(x), level)[hold].min() == pytest.approx(1.0)


def test_a_short_weak_word_between_good_neighbours_is_judged_with_them():
    """A 30-150 ms word's confidence is a mean over a few frames: "et", "vous" before a liaison,
    Italian "e" between well-aligned neighbours are not a script that does not match. A wrong
    phrase of half a second or more still is, and so is a long wrong word on its own."""
    from talkface_studio.audio.viseme_align import WordTiming
    from talkface_studio.audio.viseme_phones import MIN_WORD_CONFIDENCE, judged_confidences

    def words(*spans):
        return [WordTiming(f"w{i}", a, b, c) for i, (a, b, c) in enumerate(spans)]

    short_weak = words((0.0, 0.4, 0.6), (0.4, 0.47, 0.04), (0.5, 0.9, 0.5))
    judged = judged_confidences(short_weak)
    assert judged[1] > MIN_WORD_CONFIDENCE > short_weak[1].confidence
    assert judged[0] > 0.4 and judged[2] > 0.3  # good words stay good

    wrong_phrase = words((0.0, 0.4, 0.6), (0.4, 0.6, 0.05), (0.6, 0.75, 0.04), (0.75, 0.95, 0.06),
                         (1.0, 1.4, 0.5))
    assert all(c < MIN_WORD_CONFIDENCE for c in judged_confidences(wrong_phrase)[1:4])

    long_wrong = words((0.0, 0.2, 0.9), (0.2, 0.9, 0.05), (0.9, 1.1, 0.9))
    assert judged_confidences(long_wrong)[1] == pytest.approx(0.05)
    assert judged_confidences([]) == []


def test_an_optional_link_is_placed_when_spoken_and_skipped_when_not():
    """French liaison: "vu(z) a" - with the z in the audio the link takes it and the next word
    keeps its own confidence; without it the path skips the link."""
    vous, a = Word("vous", ("v", "u"), link="z"), word("a", "AA")
    said = frames(("SIL", 10), ("F", 5), ("UW", 10), ("S", 6), ("AA", 12), ("SIL", 10))
    with_link = align(posteriors(said), [vous, a])
    without_link = align(posteriors(said), [Word("vous", ("v", "u")), a])
    assert "S" in [v.phone for v in with_link.visemes]
    assert with_link.words[1].start == pytest.approx(0.31, abs=0.02)
    assert min(w.confidence for w in with_link.words) > 0.6 > min(w.confidence for w in without_link.words)
    plain = frames(("SIL", 10), ("F", 5), ("UW", 10), ("AA", 12), ("SIL", 10))
    skipped = align(posteriors(plain), [vous, a])
    assert "S" not in [v.phone for v in skipped.visemes] and min(w.confidence for w in skipped.words) > 0.6
    assert skipped.words[1].start == pytest.approx(0.25, abs=0.02)


def test_a_closure_after_a_short_break_starts_where_its_silent_hold_starts():
    """ "il | pi": a 90 ms silence between loud vowels, released by a burst, is the hold of the p,
    so the lips close at its first frame. The network calls the first part of such a hold silence
    (a pause looks the same), and the aligner used to take it as the optional pause between the
    words, closing the lips only on the last 40 ms (a 60 ms late closure on real Italian speech)."""
    labels = frames(("SIL", 10), ("IY", 12), ("T", 3), ("SIL", 6), ("M", 4), ("IY", 15), ("SIL", 10))
    level = np.full(len(labels), -70.0, np.float32)
    level[10:25] = -10.0  # "il"
    level[25:34] = -45.0  # the hold: frames 25-33 silent
    level[34:] = -10.0  # release burst and vowel
    level[-10:] = -70.0
    words = [word("il", "IY", "T"), word("pi", "M", "IY")]
    result = align(posteriors(labels, 0.6), words, level)
    closure = [v for v in result.visemes if v.phone == "M"]
    assert len(closure) == 1
    assert closure[0].start == pytest.approx(0.25, abs=0.011) and closure[0].end == pytest.approx(0.35, abs=0.011)
    # a silence that fades back in (no release burst) is not a stop's hold: the aligner's boundary stays
    faded = level.copy()
    faded[34:44] = np.linspace(-42.0, -10.0, 10)
    plain = [v for v in align(posteriors(labels, 0.6), words, faded).visemes if v.phone == "M"]
    assert plain[0].start == pytest.approx(0.31, abs=0.011)


def test_a_longer_hold_is_a_scripts_stop_but_not_closure_evidence_without_one():
    """A 150 ms silence released by a burst: a careful speaker's p or b hold. The aligner, which
    knows from the script where the stops are, takes it as one's hold (hold_gaps); recognition
    without a script does not count it as closure evidence (stop_gaps' shorter limit), and a
    400 ms pause is neither."""
    from talkface_studio.audio.viseme_decode import hold_gaps
    from talkface_studio.audio.viseme_features import frame_level_db, stop_gaps

    rng = np.random.default_rng(3)
    t = np.arange(4800) / 16000
    vowel = np.sign(np.sin(2 * np.pi * 120 * t)).astype(np.float32)

    def quiet(ms):
        return 0.001 * rng.standard_normal(int(16 * ms)).astype(np.float32)

    level = frame_level_db(np.concatenate([vowel, quiet(150), vowel, quiet(400), vowel]))
    hold, pause = slice(33, 43), slice(85, 115)  # inside the 150 ms hold (300-450 ms) / the pause
    assert stop_gaps(level)[hold].max() == 0.0
    holds = hold_gaps(level, len(level))
    assert holds[hold].all() and not holds[pause].any()


def _fallen_back_word(text, phones, monkeypatch=None, hint=None):
    """One word the recognizer did not hear as written ("ama" whose m it heard as an n), run
    through the fallback of a scripted take; returns the labels it gets."""
    from talkface_studio.audio import viseme_phones
    from talkface_studio.audio.viseme_align import Alignment, WordTiming
    from talkface_studio.audio.viseme_phones import Posteriors, _patch_low_confidence

    if hint is not None:
        monkeypatch.setattr(viseme_phones, "SCRIPT_CLOSURE_HINT", hint)
    labels = frames(("SIL", 20), ("AA", 12), ("T", 7), ("AA", 12), ("SIL", 20))
    logp = posteriors(labels, 0.5)
    logp[32:39, CLASS_INDEX["M"]] = np.log(0.12)  # the m is the recognizer's second guess
    level = np.full(len(labels), -70.0, np.float32)
    level[20:51] = -15.0
    n = len(labels)
    post = Posteriors(logp, np.zeros(n, np.float32), level, np.zeros(n, np.float32), np.zeros(n, bool))
    aligned = Alignment(decode(logp, level), [WordTiming(text, 0.20, 0.51, 0.05, 0)])
    result = _patch_low_confidence(aligned, post, words=[Word(text, phones)])
    assert [s.words for s in result.stretches] == [text]  # it fell back, and says so
    out = np.full(n, "SIL", dtype="<U3")
    for s in result.phones:
        out[int(round(s.start * 100)) : int(round(s.end * 100))] = s.phone
    return out


def test_a_word_that_falls_back_still_closes_the_lips_where_its_script_has_an_m(monkeypatch):
    assert "M" in _fallen_back_word("ama", ("a", "m", "a"))[30:41]
    assert "M" not in _fallen_back_word("ata", ("a", "t", "a"))  # no m in the script: recognition alone
    assert "M" not in _fallen_back_word("ama", ("a", "m", "a"), monkeypatch, hint=0.0)  # what the hint adds
