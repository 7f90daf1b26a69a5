"""The gcin Mandarin rows of bench_lipsync (benchmarks/gcin_syllables.py): a sentence's syllables
found in the package's tree by zhuyin and tone, cut to their speech, joined, with reference p/b/m
and open vowels timed on each recording. The Debian package is not installed in CI: everything
runs on a tree laid out like its own, with made-up recordings."""

import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import gcin_syllables as gs  # noqa: E402

from talkface_studio.training.espeak_synth import SynthError  # noqa: E402

SR = 16000


def syllable_sound(murmur_s: float = 0.0, vowel_s: float = 0.25, lead_s: float = 0.0) -> np.ndarray:
    """Silence, a quiet murmur (an m, 20 dB down) and a loud vowel."""
    t = np.arange(int(vowel_s * SR)) / SR
    return np.concatenate([np.zeros(int(lead_s * SR)), 0.03 * np.sin(2 * np.pi * 150 * np.arange(int(murmur_s * SR)) / SR),
                           0.3 * np.sin(2 * np.pi * 220 * t)]).astype(np.float32)


def fake_tree(root: Path) -> Path:
    # 妈 (ma, tone 1) only in tone 1, 马 (mǎ) missing in its tone 3: read from tone 1's recording
    for name, sound in {"ㄇㄚ": syllable_sound(murmur_s=0.1), "ㄅㄚ4": syllable_sound(lead_s=0.05),
                        "ㄉㄚ4": syllable_sound(), "ㄇㄜ1": syllable_sound(murmur_s=0.1)}.items():
        (root / name).mkdir(parents=True)
        sf.write(str(root / name / "3.ogg"), sound, SR)
    return root


def test_a_sentence_reads_into_zhuyin_with_initials_and_finals():
    got = gs.syllables("爸爸，大马。")
    assert [(s.hanzi, s.zhuyin, s.initial, s.final) for s in got] == [
        ("爸", "ㄅㄚˋ", "b", "a"), ("爸", "ㄅㄚˋ", "b", "a"), ("大", "ㄉㄚˋ", "d", "a"), ("马", "ㄇㄚˇ", "m", "a")]


def test_a_missing_tone_is_read_from_another_and_a_missing_syllable_is_none(tmp_path):
    root = fake_tree(tmp_path)
    ma3 = gs.Syllable("马", "ㄇㄚˇ", "m", "a")
    assert gs.recording(ma3, "3", root) == root / "ㄇㄚ" / "3.ogg"
    assert gs.recording(ma3, "5", root) is None
    assert gs.recording(gs.Syllable("爸", "ㄅㄚˋ", "b", "a"), "3", root) == root / "ㄅㄚ4" / "3.ogg"
    assert gs.recording(gs.Syllable("么", "ㄇㄜ˙", "m", "e"), "3", root) == root / "ㄇㄜ1" / "3.ogg"  # neutral tone: 1


def test_a_cut_keeps_a_lead_in_and_finds_the_vowel_after_the_murmur():
    piece, onset, vowel = gs.cut(syllable_sound(murmur_s=0.1, lead_s=0.3))
    assert onset == pytest.approx(gs.LEAD_S)
    assert vowel == pytest.approx(gs.LEAD_S + 0.1, abs=0.015)
    assert len(piece) / SR == pytest.approx(gs.LEAD_S + 0.35, abs=0.015)  # the recording ends at its vowel
    assert np.abs(piece[: int(0.9 * gs.LEAD_S * SR)]).max() < 1e-3  # the lead-in is the room, not speech


def test_references_close_before_a_stop_and_through_an_m_and_open_on_a():
    ba = gs.reference(gs.Syllable("八", "ㄅㄚ", "b", "a"), 1.0, 0.08, 0.1, 0.4)
    assert ba == [pytest.approx((1.03, 1.09, "b")), pytest.approx((1.1, 1.4, "a"))]
    ma = gs.reference(gs.Syllable("妈", "ㄇㄚ", "m", "a"), 0.0, 0.08, 0.2, 0.4)
    assert ma[0] == pytest.approx((0.08, 0.2, "m"))
    assert gs.reference(gs.Syllable("哭", "ㄎㄨ", "k", "u"), 0.0, 0.08, 0.1, 0.3) == [pytest.approx((0.1, 0.3, "u"))]


def test_a_sentence_is_spoken_from_the_tree_with_its_references_in_place(tmp_path):
    root = fake_tree(tmp_path)
    x, refs = gs.speak("大马爸", "3", root)
    kinds = [label for _, _, label in refs]
    assert kinds == ["a", "m", "a", "b", "a"]
    starts = [a for a, _, _ in refs]
    assert starts == sorted(starts) and refs[-1][1] <= len(x) / SR
    with pytest.raises(SynthError, match="no recording"):
        gs.speak("大猫", "3", root)
    with pytest.raises(SynthError, match="gcin-voice"):
        gs.speak("大", "3", tmp_path / "absent")
