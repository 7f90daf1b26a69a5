"""SVOX Pico's voices as viseme training data (recipe 4): a Pico sentence comes back with viseme
spans that tile it and put its lip closures where the sound closes; recipe 4 mixes such clips into
the stream; without Pico, or where the aligner doubts a sentence, one clear error."""

import numpy as np
import pytest

from talkface_studio.audio.viseme_features import FPS, frame_level_db
from talkface_studio.training import pico_synth, viseme_data
from talkface_studio.training.espeak_synth import SynthError

needs_pico = pytest.mark.skipif(not pico_synth.available(),
                                reason="ttspico is not installed (pyproject's [train] extra)")


def _on_a_dip(level: np.ndarray, start: float, end: float, margin_db: float = 6.0) -> bool:
    """The quietest frame of the span is `margin_db` below the loudest of the 100 ms either side."""
    a, b = int(start * FPS), max(int(end * FPS), int(start * FPS) + 1)
    around = np.r_[level[max(0, a - 10) : a], level[b : b + 10]]
    return len(around) > 0 and around.max() - level[a:b].min() >= margin_db


@needs_pico
def test_a_pico_sentence_gets_lip_closures_where_its_sound_closes():
    s = pico_synth.synthesize("Maybe Bob put the bumpy map by my pen.", "en-US")
    assert s.samples.dtype == np.float32 and 2.0 < len(s.samples) / 16000 < 5.0
    assert s.visemes[0].start == 0.0 and s.visemes[-1].end == pytest.approx(len(s.samples) / 16000, abs=0.011)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(s.visemes, s.visemes[1:]))
    closures = [v for v in s.visemes if v.phone == "M"]
    # m, b, b, b+p (Bob put), b, m+p, m, b, m, p: ten closures, at least nine placed apart
    assert len(closures) >= 9
    level = frame_level_db(s.samples)
    on_dip = np.mean([_on_a_dip(level, v.start, v.end) for v in closures])
    moved = np.mean([_on_a_dip(level, v.start + 0.12, v.end + 0.12) for v in closures])
    assert on_dip >= 0.8 and on_dip >= moved + 0.3, (on_dip, moved)


@needs_pico
def test_pico_speed_and_pitch_markup_change_the_voice():
    plain = pico_synth.speak("Maybe Bob put the bumpy map by my pen.", "en-US")
    slow = pico_synth.speak("Maybe Bob put the bumpy map by my pen.", "en-US", rate=70, pitch=140)
    assert len(slow) > 1.25 * len(plain)
    # the same sentence twice is the same audio (a fresh engine each time: reproducible data)
    assert np.array_equal(plain, pico_synth.speak("Maybe Bob put the bumpy map by my pen.", "en-US"))


def test_a_sentence_the_aligner_doubts_is_refused_not_mislabelled(monkeypatch):
    with pytest.raises(SynthError, match="unknown Pico voice 'xx-XX'"):
        pico_synth.speak("Bob", "xx-XX")
    monkeypatch.setattr(pico_synth, "speak", lambda *a, **k: np.zeros(16000, np.float32))
    monkeypatch.setattr(pico_synth, "label", lambda *a, **k: ([], 0.05))
    with pytest.raises(SynthError, match="confidence is 0.05"):
        pico_synth.synthesize("Bob", "en-US")


def test_recipe_4_without_pico_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(pico_synth, "available", lambda: False)
    with pytest.raises(SynthError, match=r"recipe 4 needs SVOX Pico \(pip install 'talkface-studio\[train\]'"):
        viseme_data.make_clips(seed=0, seconds=1.0, recipe=4)


@needs_pico
@pytest.mark.slow
def test_recipe_4_mixes_labelled_pico_clips_into_the_stream(monkeypatch):
    spoken = []
    real = pico_synth.synthesize

    def spy(text, voice, *args):
        out = real(text, voice, *args)
        spoken.append((voice, sum(v.phone == "M" for v in out.visemes)))
        return out

    monkeypatch.setattr(pico_synth, "synthesize", spy)
    clips = viseme_data.make_clips(seed=5, seconds=40.0, recipe=4)
    assert spoken and sum(m for _, m in spoken) > 0  # Pico spoke some clips, with lip closures
    assert all(len(c.labels) == len(c.feats) == len(c.jaw) for c in clips)
    # (a stream is reproducible per fresh process, as recipe 2's is: espeak-ng itself carries state
    # from one utterance to the next; a Pico sentence alone is reproducible, see above)


@needs_pico
@pytest.mark.slow
def test_recipe_4_fine_tunes_the_packaged_recipe_2_network(tmp_path):
    from safetensors.numpy import load_file

    from talkface_studio.audio.viseme_model import DEFAULT_WEIGHTS
    from talkface_studio.training.train_visemes import VisemeTrainOptions, train_visemes

    lines = []
    weights = train_visemes(tmp_path, VisemeTrainOptions(hours=0.004, steps=2, batch_size=2, workers=1, lr=1e-6,
                                                         validation_minutes=0.1, recipe=4), log=lines.append)
    assert any(line.startswith("starting from") and "viseme_recognizer.safetensors" in line for line in lines)
    start, tuned = load_file(str(DEFAULT_WEIGHTS)), load_file(str(weights))
    # two steps at a tiny rate: still recipe 2's network, not a fresh random one
    assert max(float(np.abs(tuned[k].astype(np.float32) - start[k].astype(np.float32)).max()) for k in start) < 0.01
    assert "-r4" in (tmp_path / "viseme_recognizer.json").read_text()
