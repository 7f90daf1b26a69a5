"""bench_lipsync's `--flite` rows (CMU Flite's English voices): the reference is the segment ends
Flite reports rendering (-psdur), so its closures must lie on quiet sound and its phones tile the
audio; without Flite, or without Pico for `--pico`, the rows are skipped with a line."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


@pytest.mark.skipif(shutil.which("flite") is None, reason="Debian's flite is not installed (benchmark-only)")
@pytest.mark.parametrize("voice", ["awb", "kal"])  # a 16 kHz statistical voice and the 8 kHz diphone one
def test_flite_phones_tile_the_audio_and_its_closures_are_quiet(voice):
    from bench_lipsync import flite_say

    x, phones = flite_say("Maybe Bob put the bumpy map by my pen.", voice)
    assert x.dtype == np.float32 and 2.0 < len(x) / 16000 < 4.0
    assert [p for _, _, p in phones[:4]] == ["m", "eɪ", "b", "i"]
    assert all(a[1] <= b[0] + 1e-9 for a, b in zip(phones, phones[1:])) and phones[-1][1] <= len(x) / 16000

    def level(a, b):
        seg = x[int(a * 16000):int(b * 16000)]
        return 20 * np.log10(np.sqrt(np.mean(seg ** 2)) + 1e-9)

    stops = [level(a, b) for a, b, p in phones if p in ("p", "t")]
    vowels = [level(a, b) for a, b, p in phones if p in ("eɪ", "aɪ", "ɑ", "ɛ")]
    assert np.median(stops) < np.median(vowels) - 10  # the times are where Flite put the sound


def test_without_flite_the_rows_are_skipped_with_a_line(monkeypatch, tmp_path, capsys):
    import bench_lipsync

    monkeypatch.setattr(bench_lipsync.shutil, "which", lambda _name: None)
    assert bench_lipsync.flite_clips(tmp_path) == []
    assert "flite: not installed" in capsys.readouterr().out


def test_without_pico_the_rows_are_skipped_with_a_line(monkeypatch, tmp_path, capsys):
    import bench_lipsync

    from talkface_studio.training import pico_synth

    monkeypatch.setattr(pico_synth, "available", lambda: False)
    assert bench_lipsync.pico_clips(tmp_path) == []
    assert "pico: ttspico not installed" in capsys.readouterr().out
