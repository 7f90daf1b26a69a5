"""pocketsphinx through its C API (sphinx_native): the same results as its own Python binding, and
alignment that is a function of the audio and the script alone (whichever thread or pooled decoder
runs it, whatever it decoded before)."""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from talkface_studio.audio import sphinx_align
from talkface_studio.audio.loading import load_audio
from talkface_studio.audio.phones import transcript_words
from talkface_studio.audio.sphinx_native import NativeDecoder, dithered_pcm16

pocketsphinx = pytest.importorskip("pocketsphinx")
SPEECH = Path(__file__).parent / "data" / "speech"
CONFIG = dict(samprate=16000, dither=False, bestpath=False, loglevel="FATAL", fsgusefiller=True,
              **sphinx_align.WIDE_BEAMS)


def clip(name: str) -> tuple[np.ndarray, list[str]]:
    x16 = load_audio(SPEECH / f"{name}.wav").mono(16000)
    return x16, transcript_words(json.loads((SPEECH / f"{name}.json").read_text())["text"])


def test_native_decoder_matches_pocketsphinx_own_binding():
    x16, words = clip("en_m_librivox_sense_0890")
    pcm = dithered_pcm16(x16)
    ours = NativeDecoder(**CONFIG)
    theirs = pocketsphinx.Decoder(lm=None, **CONFIG)
    assert ours.lookup_word("map") == theirs.lookup_word("map") and ours.lookup_word("zzqxv") is None
    for d in (ours, theirs):
        d.set_align_text(" ".join(words))
    ours.decode(pcm)
    with pytest.warns(DeprecationWarning):
        theirs.start_stream()  # what a new decoder starts from; ours does it before each first pass
    theirs.start_utt()
    theirs.process_raw(pcm.tobytes(), full_utt=True)
    theirs.end_utt()
    assert ours.hyp() == theirs.hyp().hypstr == " ".join(words)
    assert ours.seg() == [(s.word, s.start_frame, s.end_frame) for s in theirs.seg()]
    for d in (ours, theirs):
        d.set_alignment()
    ours.decode(pcm, fresh=False)
    theirs.start_utt()
    theirs.process_raw(pcm.tobytes(), full_utt=True)
    theirs.end_utt()
    expected = [(w.name, w.start, w.duration, [(p.name, p.start, p.duration, p.score) for p in w])
                for w in theirs.get_alignment()]
    assert ours.alignment() == expected
    assert sum(len(w[3]) for w in expected) > 2 * len(words)  # phones, not just words


def test_dither_is_pocketsphinx_amount_and_reproducible():
    x = np.zeros(40_000, np.float32)
    a, b = dithered_pcm16(x), dithered_pcm16(x)
    assert a.dtype == np.int16 and np.array_equal(a, b)
    assert set(np.unique(a)) == {0, 1} and 0.23 < a.mean() < 0.27  # +1 LSB on a quarter of the samples
    assert dithered_pcm16(np.ones(10, np.float32)).max() == 32767  # no wrap-around at full scale


def test_alignment_does_not_depend_on_thread_or_decoder_history():
    x16, words = clip("en_m_librivox_sense_0890")
    other, other_words = clip("en_m_goforward")
    first = sphinx_align.align_words(x16, words)
    sphinx_align.align_words(other, other_words)  # the pooled decoder hears something else in between
    again = sphinx_align.align_words(x16, words)
    with ThreadPoolExecutor(max_workers=3) as pool:  # and several at once, on other threads
        jobs = [pool.submit(sphinx_align.align_words, *a) for a in [(x16, words), (other, other_words)] * 3]
        results = [j.result() for j in jobs]
    for al in [again] + results[::2]:
        assert al.phones == first.phones and al.words == first.words and al.score == first.score
    assert [w.word for w in first.words] == words


def test_without_the_c_api_alignment_falls_back_to_the_binding_with_the_same_result(monkeypatch, caplog):
    from talkface_studio.audio import sphinx_native

    x16, words = clip("en_m_librivox_sense_0890")
    native = sphinx_align.align_words(x16, words)

    def missing():
        raise AttributeError("undefined symbol: ps_process_raw")

    monkeypatch.setattr(sphinx_align, "_POOLS", {})  # fresh decoders, built without the C API
    monkeypatch.setattr(sphinx_native, "_lib", missing)
    monkeypatch.setattr(sphinx_native.new_decoder, "warned", False, raising=False)
    with caplog.at_level("WARNING"):
        bound = sphinx_align.align_words(x16, words)
    assert isinstance(sphinx_align._POOLS[(True, True, 1)].get_nowait(), sphinx_native.BindingDecoder)
    assert bound.phones == native.phones and bound.words == native.words and bound.score == native.score
    assert sum("C API is not reachable" in r.message for r in caplog.records) == 1


def test_a_scene_grammar_gives_the_same_words_through_the_binding(monkeypatch):
    """place_heard_words' finite-state grammar (sphinx_grammar), read from a file by the C API and
    built from its arcs by the binding: a line not said left out, a line cut by the take's end."""
    from talkface_studio.audio import sphinx_native
    from talkface_studio.audio.script_split import clauses

    x16, said = clip("en_m_librivox_sense_0890")
    x16 = x16[: len(x16) - 16000]  # cut a second before its end, inside "ill disposed"
    text = "Go forward ten meters.\nUnless to be rather cold hearted,\nand rather selfish is to be ill disposed."
    words = transcript_words(text)
    units = clauses(text, len(words))
    native = sphinx_align.place_heard_words(x16, words, units, stops_cut=True)
    monkeypatch.setattr(sphinx_align, "_POOLS", {})
    monkeypatch.setattr(sphinx_native, "_lib", lambda: (_ for _ in ()).throw(AttributeError("no C API")))
    monkeypatch.setattr(sphinx_native.new_decoder, "warned", True, raising=False)
    bound = sphinx_align.place_heard_words(x16, words, units, stops_cut=True)
    assert bound == native
    heard = [w.word if w else None for w in native]
    assert heard[:4] == [None] * 4  # "go forward ten meters" is not in the take
    assert heard[4:12] == said[:8] and heard[-1] is None  # the take stops before "disposed"
