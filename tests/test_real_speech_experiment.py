"""The real-speech fine-tuning experiment (benchmarks/real_speech_finetune.py, kept off the product
path): reading the Asterisk prompts' transcripts and carrying frame labels through a speed change.
The Debian prompt packages are not installed in CI: the reader is tested on a tree laid out like
theirs."""

import gzip
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import asterisk_prompts as ap  # noqa: E402
from real_speech_finetune import relabel  # noqa: E402

from talkface_studio.training.espeak_synth import SynthError  # noqa: E402


def fake_install(root: Path, languages=("en", "es", "ru")) -> tuple[Path, Path]:
    docs, sounds = root / "doc", root / "sounds"
    for lang in languages:
        folder, pkg = ap.SPEAKERS[lang]
        (docs / pkg).mkdir(parents=True)
        lines = ["; Core Asterisk Sounds", "", "agent-pass: Please enter your password.", "beep: [a beep tone]",
                 "letters/f: f", "digits/1: one", "missing-file: Not on disk.", "silence/1: (silence)"]
        with gzip.open(docs / pkg / f"core-sounds-{lang}.txt.gz", "wt", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        for name in ("agent-pass", "beep", "letters/f", "digits/1", "silence/1"):
            path = sounds / folder / f"{name}.g722"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"\0" * 80)
    return docs, sounds


def test_prompts_keep_spoken_transcripts_with_audio_and_nothing_else(tmp_path):
    docs, sounds = fake_install(tmp_path)
    found = ap.prompts(docs, sounds)
    assert [p.name for p in found] == [f"{lang}/{n}" for lang in ("en", "es", "ru") for n in ("agent-pass", "digits/1")]
    assert found[0].text == "Please enter your password." and found[0].language == "en"
    assert found[0].path == sounds / "en_US_f_Allison" / "agent-pass.g722"


def test_missing_packages_are_named_in_one_line(tmp_path):
    docs, sounds = fake_install(tmp_path, languages=("en",))
    with pytest.raises(SynthError, match="asterisk-core-sounds-es, asterisk-core-sounds-es-g722, "
                                         "asterisk-core-sounds-ru, asterisk-core-sounds-ru-g722"):
        ap.prompts(docs, sounds)


def test_labels_follow_a_speed_change():
    labels = np.zeros(100, np.int8)
    labels[40:50] = 3  # a span at 0.40-0.50 s
    assert np.array_equal(relabel(labels, None, 100), labels)
    slower = relabel(labels, lambda t: t * 1.2, 120)  # played 20 % slower: 0.48-0.60 s
    assert np.flatnonzero(slower == 3).tolist() == list(range(48, 60))
