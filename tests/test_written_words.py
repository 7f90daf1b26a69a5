"""An English script's aligned words are shown as the artist typed them (audio/written_words)."""

import numpy as np
import soundfile as sf

from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.written_words import as_written
from talkface_studio.training.espeak_synth import SR, synthesize


def test_dictionary_words_become_the_written_words_they_came_from():
    script = "In 1984, well-known Bob said: “Don’t stop!”"
    placed = [(0.0, 0.1, "in"), (0.1, 0.4, "nineteen"), (0.4, 0.6, "eighty"), (0.6, 0.8, "four"),
              (0.9, 1.0, "well"), (1.0, 1.2, "known"), (1.2, 1.4, "bob"), (1.4, 1.6, "said"),
              (1.8, 2.0, "don't"), (2.0, 2.3, "stop")]
    assert as_written(placed, script) == [(0.0, 0.1, "In"), (0.1, 0.8, "1984"), (0.9, 1.2, "well-known"),
                                          (1.2, 1.4, "Bob"), (1.4, 1.6, "said"), (1.8, 2.0, "Don’t"),
                                          (2.0, 2.3, "stop")]


def test_words_that_fell_back_repeats_and_written_words_are_matched_in_order():
    script = "The cat saw the Cat. Then 3 dogs."
    # "saw" fell back (not placed); a piece placed by the viseme aligner already has written words
    placed = [(0.0, 0.1, "the"), (0.1, 0.3, "cat"), (0.5, 0.6, "the"), (0.6, 0.8, "Cat"),
              (1.0, 1.2, "Then"), (1.2, 1.4, "3"), (1.4, 1.6, "dogs")]
    assert [w for _, _, w in as_written(placed, script)] == ["The", "cat", "the", "Cat", "Then", "3", "dogs"]
    # only some of a written word's dictionary words placed: the word spans those
    assert as_written([(0.0, 0.2, "twenty"), (0.5, 0.7, "dogs")], "Twenty-one dogs") == \
        [(0.0, 0.2, "Twenty-one"), (0.5, 0.7, "dogs")]
    # a word the script does not have keeps its own text; the rest still match
    assert as_written([(0.0, 0.1, "uh"), (0.1, 0.3, "hello")], "Hello!") == [(0.0, 0.1, "uh"), (0.1, 0.3, "Hello")]
    assert as_written([(0.0, 0.1, "hello")], "") == [(0.0, 0.1, "hello")]


def test_an_analysed_english_take_lists_its_words_as_typed(tmp_path):
    script = "In 1984, well-known Bob said: “Don’t stop the music!”"
    x = synthesize(script, "en-us", rate=160).samples
    path = tmp_path / "line.wav"
    sf.write(path, np.concatenate([np.zeros(SR // 4, np.float32), x, np.zeros(SR // 4, np.float32)]), SR)
    words = analyze(path, 30, transcript=script, use_cache=False).words
    assert [w for _, _, w in words] == ["In", "1984", "well-known", "Bob", "said", "Don’t", "stop", "the", "music"]
    assert all(a < b for a, b, _ in words) and all(x[1] <= y[0] for x, y in zip(words, words[1:]))
    # "1984" spans its three spoken words: longer than "Bob"
    assert words[1][1] - words[1][0] > 2 * (words[3][1] - words[3][0])
