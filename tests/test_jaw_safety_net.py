"""The lip sync's last safety net (perform/procedural/jaw_safety_net.py): loud voiced sound with a
still mouth opens the jaw, but labelled lip closures and tucks of a natural length are kept."""

import numpy as np

from talkface_studio.perform.procedural.jaw_safety_net import keep_jaw_moving

FPS = 25.0


def _shut(labels: list[str]):
    """A mouth shut and loud voiced sound over frames labelled `labels`, between two open vowels."""
    labels = ["AA"] * 4 + labels + ["AA"] * 4
    n = len(labels)
    mouth = np.zeros((n, 5))
    mouth[:4, 0] = mouth[-4:, 0] = 0.6
    return mouth, np.ones(n, dtype=bool), np.array(labels), np.full(n, 0.7)


def test_a_slow_m_then_f_keeps_both_articulations():
    # "from fairest" said slowly: /m/ and /f/ three frames each, 0.24 s together
    mouth, loud, labels, jaw = _shut(["M"] * 3 + ["F"] * 3)
    opened = keep_jaw_moving(mouth, loud, labels, jaw, FPS)
    assert not opened.any() and mouth[4:10, 0].max() == 0.0


def test_a_closure_through_a_whole_word_opens():
    mouth, loud, labels, jaw = _shut(["M"] * 8)  # 0.32 s of "closure" in loud voiced sound: a mislabelled vowel
    opened = keep_jaw_moving(mouth, loud, labels, jaw, FPS)
    assert opened[4:12].all() and (mouth[4:12, 0] >= 0.18).all()


def test_a_vowel_with_a_still_jaw_opens_and_a_short_one_is_left():
    mouth, loud, labels, jaw = _shut(["EH"] * 5)
    assert keep_jaw_moving(mouth, loud, labels, jaw, FPS)[4:9].all()
    mouth, loud, labels, jaw = _shut(["EH"] * 3)  # 0.12 s: within STILL_MAX_S
    assert not keep_jaw_moving(mouth, loud, labels, jaw, FPS).any()
