"""The packaged viseme recognizer: safe loading, synthetic speech it never heard, a human voice,
script alignment in other languages, and analysis with a language."""

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio_fixtures import needs_espeak
from talkface_studio.audio import viseme_model
from talkface_studio.audio.viseme_set import CLASS_INDEX, VISEME_CLASSES

pytest.importorskip("torch")
ROOT = Path(__file__).resolve().parents[1]
SPEECH = Path(__file__).parent / "data" / "speech"


@pytest.fixture(scope="module")
def recognizer():
    return viseme_model.default_recognizer()


def test_weights_ship_as_small_safetensors_and_load_once(recognizer):
    from safetensors import safe_open

    weights = viseme_model.DEFAULT_WEIGHTS
    assert weights.stat().st_size < 3_000_000
    with safe_open(str(weights), "pt") as f:  # a plain tensor container: nothing can execute
        assert f.metadata()["version"] == viseme_model.VisemeRecognizer(weights).version != "untrained"
    config = json.loads(viseme_model.DEFAULT_CONFIG.read_text())
    assert config["classes"] == list(VISEME_CLASSES)
    assert viseme_model.default_recognizer() is recognizer
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "**/*.safetensors" in globs["talkface_studio"] and "**/*.json" in globs["talkface_studio"]


def test_missing_weights_are_one_clear_error(tmp_path):
    from talkface_studio.core.errors import MissingCheckpointError

    with pytest.raises(MissingCheckpointError, match="viseme recognizer weights are missing"):
        viseme_model.VisemeRecognizer(tmp_path / "none.safetensors")


@needs_espeak
def test_recognizes_a_synthetic_sentence_it_never_heard(recognizer):
    from talkface_studio.audio.viseme_phones import recognize
    from talkface_studio.training.espeak_synth import synthesize
    from talkface_studio.training.viseme_data import frame_labels

    # a voice/rate/text combination outside the training sampler's draws
    syn = synthesize("Bob and Pam met my mother by the pond on a warm May morning.", "en-us+m4", rate=150)
    result = recognize(syn.samples, recognizer)
    truth = frame_labels(syn.phones, int(len(syn.samples) / 160) + 1)
    got = np.full(len(truth), -1)
    for span in result.phones:
        got[int(round(span.start * 100)) : int(round(span.end * 100))] = CLASS_INDEX[span.phone]
    assert (got == truth).mean() > 0.5
    bilabials = [p for p in syn.phones if p.phone in ("b", "p", "m")]
    found = sum((got[max(0, int(p.start * 100) - 3) : int(p.end * 100) + 3] == CLASS_INDEX["M"]).any()
                for p in bilabials)
    assert found >= 0.8 * len(bilabials)


def human_clip(name):
    meta = json.loads((SPEECH / f"{name}.json").read_text())
    from talkface_studio.audio.loading import load_audio

    return load_audio(SPEECH / f"{name}.wav").mono(16000), meta


@pytest.mark.parametrize("with_script", [False, True])
def test_human_voice_loud_frames_are_speech_and_closures_are_found(recognizer, with_script):
    """A real male voice ("mary rolled the barrel", praatio's TextGrid timings): most loud frames
    are labelled speech; with the script both reference lip closures (m, b) get an M within one
    25 fps frame, without it at least one does (recognition alone finds about half of the
    closures in real English speech: benchmarks/bench_visemes.py)."""
    from talkface_studio.audio.viseme_decode import loud_mask
    from talkface_studio.audio.viseme_features import frame_level_db
    from talkface_studio.audio.viseme_phones import recognize, viseme_phone_pass

    x16, meta = human_clip("en_m_praatio_mary")
    result = viseme_phone_pass(x16, meta["text"], "en", recognizer) if with_script else recognize(x16, recognizer)
    labels = np.full(int(len(x16) / 160) + 1, "SIL", dtype="<U3")
    for span in result.phones:
        labels[int(round(span.start * 100)) : int(round(span.end * 100))] = span.phone
    loud = loud_mask(frame_level_db(x16))[: len(labels)]
    assert (labels[: len(loud)][loud] != "SIL").mean() > 0.9
    found = []
    for start, end, phone in meta["timings"]["phone"]:
        if phone in ("m", "b", "p"):
            window = labels[max(0, int(start * 100) - 4) : int(end * 100) + 4]  # +-1 frame at 25 fps
            found.append("M" in window)
    assert len(found) == 2 and (all(found) if with_script else any(found)), found


@needs_espeak
@pytest.mark.parametrize("voice, language, text", [
    ("es+f4", "es", "Mi mamá me mima mucho, pero bebo poco vino en Bogotá."),
    ("de+m6", "de", "Meine Mutter backt am Montag ein großes Brot."),
])
def test_aligner_places_non_english_words_where_espeak_spoke_them(recognizer, voice, language, text):
    from talkface_studio.audio.viseme_phones import viseme_phone_pass
    from talkface_studio.training.espeak_synth import synthesize

    syn = synthesize(text, voice, rate=165)
    result = viseme_phone_pass(syn.samples, text, language, recognizer)
    assert result.source == "aligned" and result.confidence > 0.3
    starts = {pos: t for t, pos, _ in syn.words}  # espeak's word events: text offset (1-based) -> time
    errors = [abs(w.start - starts[w.char_offset + 1]) for w in result.words if w.char_offset + 1 in starts]
    assert len(errors) >= len(result.words) - 1
    assert np.median(errors) < 0.05 and max(errors) < 0.15, errors


@needs_espeak
def test_analyze_takes_the_language_and_caches_per_language(tmp_path, monkeypatch):
    from talkface_studio.audio import viseme_phones
    from talkface_studio.audio.analysis import analyze
    from talkface_studio.core.timebase import FrameRate
    from talkface_studio.training.espeak_synth import synthesize

    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    text = "Il bambino mangia una mela rossa."
    path = tmp_path / "it.wav"
    sf.write(path, synthesize(text, "it+m3").samples, 16000)
    f = analyze(path, FrameRate(25), transcript=text, language="it-IT")
    assert f.phone_source == "aligned" and not f.report.fallbacks
    assert {s.phone for s in f.phones} <= set(VISEME_CLASSES) and "M" in {s.phone for s in f.phones}
    monkeypatch.setattr(viseme_phones, "viseme_take_pass", lambda *a: pytest.fail("cache miss"))
    assert analyze(path, FrameRate(30), transcript=text, language="it-IT").phone_source == "aligned"


FRENCH_WRONG_SCRIPT = ("Le chat noir dort sur le canapé rouge pendant que les enfants jouent dehors sous la pluie "
                       "fine du matin. Mon oncle achète du pain frais chaque jour à la boulangerie du village "
                       "voisin, puis il rentre à pied.")


@needs_espeak
@pytest.mark.parametrize("script", ["its own", "a wrong one"])
def test_a_french_voice_with_its_script_aligns_without_falling_back(tmp_path, monkeypatch, script):
    """A real Canadian-French prompt with its own script: every word placed (it used to
    re-recognize "vous", a 100 ms word judged alone); the same audio with another French text
    still falls back and says so."""
    from talkface_studio.audio.analysis import analyze

    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    meta = json.loads((SPEECH / "fr_f_asterisk_dir_intro.json").read_text())
    text = meta["text"] if script == "its own" else FRENCH_WRONG_SCRIPT
    f = analyze(SPEECH / "fr_f_asterisk_dir_intro.wav", "25", transcript=text, language=meta["language"])
    assert f.phone_source == "aligned"
    if script == "its own":
        assert not f.report.fallbacks, f.report.warnings(f.rate)
        assert {s.path for s in f.report.stretches} == {"aligned"}
    else:
        assert f.report.fallbacks and f.report.warnings(f.rate)


@needs_espeak
def test_a_french_p_after_a_short_break_closes_the_lips_from_the_start_of_its_hold(recognizer):
    """fr_f_asterisk_dir_intro: "de la | personne" and "et | pour": each p follows a 60-90 ms
    silence that its burst ends (by the level: a stop-like gap). With the script the closure
    covers that silence from its first frame; it used to start 60-70 ms in (the aligner took the
    silence's first part as a pause between the words)."""
    from talkface_studio.audio.loading import load_audio
    from talkface_studio.audio.viseme_features import stop_gaps
    from talkface_studio.audio.viseme_phones import posteriors, viseme_phone_pass

    wav = SPEECH / "fr_f_asterisk_dir_intro.wav"
    meta = json.loads(wav.with_suffix(".json").read_text())
    x16 = load_audio(wav).mono(16000)
    gaps = stop_gaps(posteriors(x16, recognizer).level)
    edges = np.flatnonzero(np.diff(np.r_[0, (gaps > 0).astype(np.int8), 0]))
    holds = [(a / 100, b / 100) for a, b in zip(edges[::2], edges[1::2])]
    result = viseme_phone_pass(x16, meta["text"], meta["language"], recognizer=recognizer)
    closures = [p for p in result.phones if p.phone == "M"]
    for near in (7.7, 12.53):  # the two p's after a break
        hold = min(holds, key=lambda h: abs(h[0] - near))
        assert abs(hold[0] - near) < 0.1
        inside = [p for p in closures if p.start < hold[1] and p.end > hold[0]]
        assert inside and min(p.start for p in inside) == pytest.approx(hold[0], abs=0.011), (hold, inside)


def _frame_labels(result, n: int) -> np.ndarray:
    out = np.full(n, -1)
    for span in result.phones:
        out[int(round(span.start * 100)):int(round(span.end * 100))] = CLASS_INDEX[span.phone]
    return out


def test_seconds_of_silence_around_a_line_do_not_change_what_is_heard(recognizer):
    """Takes often start and end in seconds of silence. The recognizer's per-recording normalisation
    counts a long pause only as long as its training clips' pauses were: counted whole, 5 s of
    silence either side of this 5 s line moved every bin's mean so far that 2 of its 3 p/b/m
    were heard as other sounds, and 0.39 of its frames kept their label (0.76 now; the network
    still hears its first and last words a little differently with silence beside them)."""
    from talkface_studio.audio.viseme_phones import recognize

    x, _ = human_clip("en_m_librivox_sense_0890")
    pad = np.zeros(5 * 16000, np.float32)
    n = len(x) // 160
    alone = _frame_labels(recognize(x, recognizer), n)
    padded = _frame_labels(recognize(np.concatenate([pad, x, pad]), recognizer), 500 + n)[500:]
    assert (alone == padded).mean() > 0.65


def test_only_the_middle_of_a_long_pause_is_left_out_of_the_normalisation():
    from talkface_studio.audio.viseme_features import PAUSE_KEPT_S, _long_pause_middles, normalize

    rng = np.random.default_rng(0)
    mel = rng.normal(0.0, 1.0, (600, 80)).astype(np.float32)  # speech
    mel[100:120] = -20.0  # a 0.2 s pause, counted whole
    mel[300:500] = -20.0  # a 2 s pause: its middle is not counted
    kept = int(PAUSE_KEPT_S * 100)
    assert np.flatnonzero(_long_pause_middles(mel)).tolist() == list(range(300 + kept, 500 - kept))
    out = normalize(np.concatenate([mel, np.full((3000, 80), -20.0, np.float32)]))[:600]
    assert np.allclose(out, normalize(np.concatenate([mel, np.full((2 * kept, 80), -20.0, np.float32)]))[:600], atol=1e-5)
