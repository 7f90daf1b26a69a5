"""The KLettres syllables experiment (benchmarks/klettres_syllables.py with real_speech_finetune
`--source klettres`, kept off the product path): reading the package's sound lists, cutting a
recording to its speech, turning down implausible labels and joining a speaker's syllables. The
Debian package is not installed in CI: everything runs on a tree laid out like its own."""

import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import klettres_syllables as ks  # noqa: E402
from real_speech_finetune import joined  # noqa: E402

from talkface_studio.audio.viseme_set import CLASS_INDEX  # noqa: E402
from talkface_studio.training.espeak_synth import SynthError  # noqa: E402

SIL, M, AA = CLASS_INDEX["SIL"], CLASS_INDEX["M"], CLASS_INDEX["AA"]


def sounds_xml(code: str, alphabet: dict, syllables: dict) -> str:
    def section(tag, sounds):
        return f"<{tag}>" + "".join(f'<sound name="{n}" file="{f}" />' for n, f in sounds.items()) + f"</{tag}>"
    return (f'<klettres><language code="{code}"><menuitem><label>x</label></menuitem>'
            f"{section('alphabet', alphabet)}{section('syllables', syllables)}</language></klettres>")


def fake_install(root: Path) -> Path:
    files = {"en": ({"B": "en/alpha/B.ogg"}, {"PET": "en/syllab/pet.ogg", "CH": "en/syllab/ch.ogg",
                                              "MISSING": "en/syllab/missing.ogg"}),
             "es": ({}, {"MA": "es/syllab/ma.ogg"}),
             "he": ({"A": "he/alpha/a.ogg"}, {"גם": "he/syllab/gam.ogg"}),  # only measured, never trained on
             "tn": ({"A": "tn/alpha/a.ogg"}, {})}  # a language the product does not read
    for code, (alphabet, syllables) in files.items():
        (root / code).mkdir(parents=True)
        (root / code / "sounds.xml").write_text(sounds_xml(code, alphabet, syllables), encoding="utf-8")
        for f in [*alphabet.values(), *syllables.values()]:
            if "missing" not in f:
                (root / f).parent.mkdir(parents=True, exist_ok=True)
                (root / f).write_bytes(b"OggS")
    return root


def test_prompts_are_the_spoken_syllables_of_languages_the_product_reads(tmp_path):
    found = ks.prompts(fake_install(tmp_path))
    assert [(p.name, p.language, p.text) for p in found] == [
        ("en/alphabet/B", "en-US", "B"), ("en/syllables/PET", "en-US", "PET"), ("es/syllables/MA", "es", "MA")]
    assert found[0].path == tmp_path / "en" / "alpha" / "B.ogg"


def test_the_benchmark_also_reads_the_languages_it_only_measures(tmp_path):
    # bench_lipsync --klettres: Hebrew words have no Latin vowel letter and are still words
    found = ks.prompts(fake_install(tmp_path), {**ks.LANGUAGES, **ks.MEASURED_ONLY})
    assert [(p.name, p.language) for p in found][-2:] == [("he/alphabet/A", "he"), ("he/syllables/גם", "he")]
    assert not any(p.name.startswith("tn/") for p in found)


def test_a_missing_package_is_named(tmp_path):
    with pytest.raises(SynthError, match="klettres-data"):
        ks.prompts(tmp_path)


def syllable(rng, sr=44100) -> np.ndarray:
    """1 s of faint room noise, a 0.3 s tone loudest in its middle (a vowel), 1 s of room noise."""
    x = rng.normal(0, 1e-4, int(2.3 * sr)).astype(np.float32)
    t = np.arange(int(0.3 * sr)) / sr
    tone = 0.3 * np.sin(np.pi * t / 0.3) * np.sin(2 * np.pi * 220 * t)
    x[int(1.0 * sr) : int(1.0 * sr) + len(t)] += tone.astype(np.float32)
    return x


def test_decode_cuts_a_recording_to_its_speech_and_a_margin(tmp_path):
    path = tmp_path / "ma.wav"
    sf.write(path, syllable(np.random.default_rng(0)), 44100)
    x = ks.decode(path)
    # 0.3 s of speech + MARGIN_S either side (the level frames reach 15 ms past the tone)
    assert abs(len(x) / 16000 - (0.3 + 2 * ks.MARGIN_S)) < 0.05
    assert np.abs(x[: int(0.2 * 16000)]).max() < 0.01 and np.abs(x).max() > 0.2


def labelled_syllable(rng):
    x = syllable(rng, 16000)[int(0.7 * 16000) : int(1.6 * 16000)]  # speech at 0.3-0.6 s
    labels = np.full(len(x) // 160 + 1, SIL, np.int8)
    return x, labels


def test_plausible_keeps_a_vowel_on_the_speech_and_silences_labels_far_from_it():
    x, labels = labelled_syllable(np.random.default_rng(1))
    labels[5:32] = M  # a closure from 0.05 s: its first 15 frames are room noise, not a held p
    labels[32:60] = AA
    out = ks.plausible(x, labels)
    assert out is not None
    assert (out[:19] == SIL).all() and (out[21:32] == M).all()  # reaches 0.1 s before the speech
    assert np.array_equal(out[32:60], labels[32:60])


def test_plausible_turns_down_a_closure_held_over_the_vowel_or_labels_missing_the_speech():
    x, labels = labelled_syllable(np.random.default_rng(2))
    held = labels.copy()
    held[25:55], held[55:60] = M, AA  # "pu" with the p over the vowel
    assert ks.plausible(x, held) is None
    early = labels.copy()
    early[25:40] = AA  # most of the tone left silent
    assert ks.plausible(x, early) is None


def test_joined_runs_one_speakers_syllables_together_with_their_labels_on_the_samples():
    rng = np.random.default_rng(3)
    recs = []
    for speaker, n in (("en/syllables", 8), ("es/syllables", 3)):
        for i in range(n):
            x, labels = labelled_syllable(rng)
            labels[32:60] = AA + (speaker == "es/syllables")  # each speaker its own class
            recs.append((f"{speaker}/S{i}", x, labels))
    clips = joined(recs, np.random.default_rng(0), seconds=(1.5, 2.0))
    assert len(clips) >= 3
    for x, labels in clips:
        assert len(labels) == len(x) // 160
        assert len(set(np.unique(labels)) - {SIL}) == 1  # never two speakers in one clip
        spoken = np.repeat(labels != SIL, 160)
        assert np.abs(x[spoken]).mean() > 10 * np.abs(x[~spoken]).mean()  # labels still on the tones
    assert sum(int(np.sum(lab == AA)) for _, lab in clips) == 8 * 28
