"""English words pocketsphinx's dictionary lacks are read by espeak-ng's letter-to-sound rules."""

import pytest

from audio_fixtures import needs_espeak
from talkface_studio.audio import english_oov, g2p
from talkface_studio.audio.english_oov import _arpabet, espeak_pronunciation
from talkface_studio.audio.phones import _spelled, guess_pronunciation
from talkface_studio.audio.sphinx_align import pronunciation


@needs_espeak
@pytest.mark.parametrize("word, arpabet, spelled", [
    ("cyberpunk", "S AY B ER P AH NG K", "K Y B EH R P AH N K"),
    ("yennefer", "Y EH N EH F ER", "Y EH N N EH F EH R"),
    ("riper", "R AY P ER", "R IH P EH R"),  # the sonnet's: spelling rules made it "ripper"
])
def test_unknown_words_take_espeak_ngs_reading(word, arpabet, spelled):
    assert pronunciation(word) == arpabet
    assert english_oov._known[word] == arpabet and _spelled(word) == spelled


def test_sounds_outside_the_table_are_not_guessed():
    assert _arpabet(("ˈa", "ʁ")) is None  # a French r: no ARPAbet phone for it
    assert _arpabet(("b", "ˈʌ", "ʔ", "n̩")) == "B AH T AH N"


def test_without_espeak_the_spelling_rules_remain(monkeypatch):
    monkeypatch.setattr(g2p.shutil, "which", lambda name: None)
    g2p._phonemize.cache_clear()
    english_oov._known.pop("zorbly", None)
    try:
        assert espeak_pronunciation("zorbly") is None
        assert guess_pronunciation("zorbly") == "Z AA R B L Y"
    finally:
        english_oov._known.pop("zorbly", None)
        g2p._phonemize.cache_clear()
