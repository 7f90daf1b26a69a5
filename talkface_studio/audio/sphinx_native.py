"""pocketsphinx's C API through ctypes, so decoding runs outside the GIL.

The Python binding of pocketsphinx 5.1 holds the GIL for the whole of `process_raw` (its Cython
code has no `nogil` block), so two threads that "align two pieces at once" in fact take turns, and
the acoustic pass waits for every decode. ctypes releases the GIL around each foreign call, so the
same library, driven through the functions it exports (the ones its own binding calls), decodes on
both cores. Only what forced alignment needs is wrapped.

Dither (pocketsphinx's +1 LSB on a quarter of the samples, needed on synthetic speech with runs of
exact zeros) is added here from a fixed seed instead of by the library: the library draws it from a
per-thread generator that is never re-seeded, so the same audio decoded on another pool thread, or
after another decode, got other noise and, now and then, phone boundaries 10 ms apart. Here the
same samples always get the same noise. For the same reason a decode starts from a fresh noise
estimate (`-remove_noise`), not from whatever audio the pooled decoder heard last (a second pass
over the same audio may keep the first pass's): the phones are a function of the audio and the
script alone.
"""

from __future__ import annotations

import ctypes
import logging
import os
import tempfile
import threading
import warnings
from functools import lru_cache

import numpy as np

from .sphinx_grammar import Grammar

_ARG_INTEGER, _ARG_FLOATING, _ARG_STRING, _ARG_BOOLEAN = 1 << 1, 1 << 2, 1 << 3, 1 << 4
_P = ctypes.c_void_p
_INT = ctypes.c_int
_STR = ctypes.c_char_p
_SIGNATURES = {  # name: (restype, argtypes), as in pocketsphinx 5.1's headers
    "ps_config_init": (_P, [_P]),
    "ps_config_free": (_INT, [_P]),
    "ps_config_typeof": (_INT, [_P, _STR]),
    "ps_config_set_str": (_P, [_P, _STR, _STR]),
    "ps_config_set_int": (_P, [_P, _STR, ctypes.c_long]),
    "ps_config_set_float": (_P, [_P, _STR, ctypes.c_double]),
    "ps_config_set_bool": (_P, [_P, _STR, _INT]),
    "ps_init": (_P, [_P]),
    "ps_free": (_INT, [_P]),
    "ps_lookup_word": (_P, [_P, _STR]),  # malloc'd: the caller frees it
    "ps_add_word": (_INT, [_P, _STR, _STR, _INT]),
    "ps_set_align_text": (_INT, [_P, _STR]),
    "ps_get_config": (_P, [_P]),
    "ps_config_float": (ctypes.c_double, [_P, _STR]),
    "ps_get_logmath": (_P, [_P]),
    "fsg_model_readfile": (_P, [_STR, _P, ctypes.c_float]),
    "fsg_model_free": (_INT, [_P]),
    "ps_add_fsg": (_INT, [_P, _STR, _P]),
    "ps_activate_search": (_INT, [_P, _STR]),
    "ps_set_alignment": (_INT, [_P, _P]),
    "ps_get_alignment": (_P, [_P]),
    "ps_start_stream": (_INT, [_P]),
    "ps_start_utt": (_INT, [_P]),
    "ps_process_raw": (_INT, [_P, _P, ctypes.c_size_t, _INT, _INT]),
    "ps_end_utt": (_INT, [_P]),
    "ps_get_hyp": (_STR, [_P, ctypes.POINTER(ctypes.c_int32)]),
    "ps_seg_iter": (_P, [_P]),
    "ps_seg_next": (_P, [_P]),
    "ps_seg_word": (_STR, [_P]),
    "ps_seg_frames": (None, [_P, ctypes.POINTER(_INT), ctypes.POINTER(_INT)]),
    "ps_seg_free": (None, [_P]),
    "ps_alignment_words": (_P, [_P]),
    "ps_alignment_iter_name": (_STR, [_P]),
    "ps_alignment_iter_seg": (_INT, [_P, ctypes.POINTER(_INT), ctypes.POINTER(_INT)]),
    "ps_alignment_iter_next": (_P, [_P]),
    "ps_alignment_iter_children": (_P, [_P]),
}
DITHER_SEED = 1234
_log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _lib() -> ctypes.CDLL:
    """The library the pocketsphinx package already loaded (its extension exports the C API)."""
    from pocketsphinx import _pocketsphinx

    lib = ctypes.CDLL(_pocketsphinx.__file__)
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


def model_dir() -> str:
    """The US-English model folder that ships inside the pocketsphinx wheel."""
    import pocketsphinx

    return os.path.join(pocketsphinx.get_model_path(), "en-us")


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None)
    libc.free.argtypes, libc.free.restype = [_P], None
    return libc


def dithered_pcm16(x16: np.ndarray) -> np.ndarray:
    """float audio -> int16 with pocketsphinx's dither (+1 on ~1/4 of the samples), from a fixed seed."""
    pcm = (np.clip(x16, -1.0, 1.0) * 32767.0).astype(np.int32)  # truncation, as phones._pcm16
    pcm += np.random.default_rng(DITHER_SEED).integers(0, 4, len(pcm)) == 0
    return np.minimum(pcm, 32767).astype("<i2")


class NativeDecoder:
    """One pocketsphinx decoder (US-English model and dictionary; no language model unless `lm` names one).

    Not shared between threads; decoders are independent of one another and may run at once.
    """

    _create = threading.Lock()  # configuration parsing in the library uses shared state

    def __init__(self, **settings):
        lib = _lib()
        model = model_dir()
        settings = {"hmm": os.path.join(model, "en-us"), "dict": os.path.join(model, "cmudict-en-us.dict"),
                    **settings}
        with self._create:
            config = lib.ps_config_init(None)
            try:
                for key, value in settings.items():
                    _set(lib, config, key, value)
                self._ps = lib.ps_init(config)
            finally:
                lib.ps_config_free(config)  # ps_init keeps its own reference
        if not self._ps:
            raise RuntimeError("pocketsphinx could not be initialised")

    def __del__(self):
        ps, self._ps = getattr(self, "_ps", None), None
        if ps:
            _lib().ps_free(ps)

    def lookup_word(self, word: str) -> str | None:
        ptr = _lib().ps_lookup_word(self._ps, word.encode())
        if not ptr:
            return None
        try:
            return ctypes.string_at(ptr).decode()
        finally:
            _libc().free(ptr)

    def add_word(self, word: str, phones: str, update: bool = True) -> None:
        if _lib().ps_add_word(self._ps, word.encode(), phones.encode(), int(update)) < 0:
            raise RuntimeError(f"Failed to add word {word}")

    def set_align_text(self, text: str) -> None:
        if _lib().ps_set_align_text(self._ps, text.encode()) < 0:
            raise RuntimeError(f"Failed to set up alignment of {text}")

    def set_fsg(self, name: str, grammar: Grammar) -> None:
        """Decode with this finite-state grammar (replacing an earlier one of the same name)."""
        lib = _lib()
        weight = lib.ps_config_float(lib.ps_get_config(self._ps), b"lw")  # as the library weighs a JSGF
        with tempfile.TemporaryDirectory() as folder:  # the C API reads a grammar from a file
            path = os.path.join(folder, "grammar.fsg")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(grammar.text(name, weight))
            fsg = lib.fsg_model_readfile(path.encode(), lib.ps_get_logmath(self._ps), weight)
        if not fsg:
            raise RuntimeError(f"Failed to read the grammar {name}")
        try:
            if lib.ps_add_fsg(self._ps, name.encode(), fsg) < 0 or lib.ps_activate_search(self._ps, name.encode()) < 0:
                raise RuntimeError(f"Failed to set up the grammar {name}")
        finally:
            lib.fsg_model_free(fsg)  # the search keeps its own reference

    def set_alignment(self) -> None:
        if _lib().ps_set_alignment(self._ps, None) < 0:
            raise RuntimeError("Failed to set up sub-word alignment")

    def decode(self, pcm: np.ndarray, fresh: bool = True) -> None:
        """One whole utterance of int16 samples (the GIL is released while the library works).

        `fresh`: start from no noise estimate, as a new decoder does, rather than from the end of
        the last utterance (False: a second pass over the same audio).
        """
        lib = _lib()
        pcm = np.ascontiguousarray(pcm, dtype="<i2")
        if fresh:
            lib.ps_start_stream(self._ps)
        if lib.ps_start_utt(self._ps) < 0:
            raise RuntimeError("Failed to start utterance processing")
        if lib.ps_process_raw(self._ps, pcm.ctypes.data, len(pcm), 0, 1) < 0:
            lib.ps_end_utt(self._ps)
            raise RuntimeError(f"Failed to process {len(pcm)} samples of audio data")
        if lib.ps_end_utt(self._ps) < 0:
            raise RuntimeError("Failed to stop utterance processing")

    def hyp(self) -> str | None:
        score = ctypes.c_int32()
        text = _lib().ps_get_hyp(self._ps, ctypes.byref(score))
        return None if text is None else text.decode()

    def seg(self) -> list[tuple[str, int, int]]:
        """(word, first frame, last frame inclusive) of the current result."""
        lib = _lib()
        out, sf, ef = [], _INT(), _INT()
        seg = lib.ps_seg_iter(self._ps)
        while seg:
            lib.ps_seg_frames(seg, ctypes.byref(sf), ctypes.byref(ef))
            out.append((lib.ps_seg_word(seg).decode(), sf.value, ef.value))
            seg = lib.ps_seg_next(seg)  # frees the iterator at the end
        return out

    def alignment(self) -> list[tuple[str, int, int, list[tuple[str, int, int, int]]]]:
        """Words of the sub-word alignment: (name, start, duration, [(phone, start, duration, score)])."""
        lib = _lib()
        al = lib.ps_get_alignment(self._ps)
        if not al:
            return []
        out = []
        word = lib.ps_alignment_words(al)
        while word:
            name, start, duration, _ = _entry(lib, word)
            phones = []
            phone = lib.ps_alignment_iter_children(word)
            while phone:
                phones.append(_entry(lib, phone))
                phone = lib.ps_alignment_iter_next(phone)
            out.append((name, start, duration, phones))
            word = lib.ps_alignment_iter_next(word)
        return out


def _entry(lib, itor) -> tuple[str, int, int, int]:
    start, duration = _INT(), _INT()
    score = lib.ps_alignment_iter_seg(itor, ctypes.byref(start), ctypes.byref(duration))
    return lib.ps_alignment_iter_name(itor).decode(), start.value, duration.value, score


def _set(lib, config, key: str, value) -> None:
    name = key.encode()
    kind = lib.ps_config_typeof(config, name)
    if kind & _ARG_STRING:
        lib.ps_config_set_str(config, name, None if value is None else str(value).encode())
    elif kind & _ARG_INTEGER:
        lib.ps_config_set_int(config, name, int(value))
    elif kind & _ARG_FLOATING:
        lib.ps_config_set_float(config, name, float(value))
    elif kind & _ARG_BOOLEAN:
        lib.ps_config_set_bool(config, name, int(bool(value)))
    else:
        raise KeyError(f"unknown pocketsphinx setting {key}")


class BindingDecoder:
    """The same interface over pocketsphinx's own Python binding (holds the GIL while it decodes):
    used only where the library's C functions cannot be reached (another pocketsphinx build)."""

    def __init__(self, **settings):
        from pocketsphinx import Decoder

        self._d = Decoder(**{"lm": None, **settings})   # no language model unless one is given
        self.lookup_word, self.set_align_text = self._d.lookup_word, self._d.set_align_text

    def add_word(self, word: str, phones: str, update: bool = True) -> None:
        self._d.add_word(word, phones, update)

    def set_fsg(self, name: str, grammar: Grammar) -> None:
        weight = self._d.config["lw"]
        arcs = [(a, b, p, w) if w else (a, b, p) for a, b, p, w in grammar.weighed(weight)]  # 3: an empty step
        self._d.add_fsg(name, self._d.create_fsg(name, grammar.start, grammar.final, arcs))
        self._d.activate_search(name)

    def set_alignment(self) -> None:
        self._d.set_alignment()

    def decode(self, pcm: np.ndarray, fresh: bool = True) -> None:
        if fresh:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # "unnecessary": not for a pooled decoder
                self._d.start_stream()
        self._d.start_utt()
        try:
            self._d.process_raw(np.ascontiguousarray(pcm, dtype="<i2").tobytes(), full_utt=True)
        finally:
            self._d.end_utt()

    def hyp(self) -> str | None:
        h = self._d.hyp()
        return None if h is None else h.hypstr

    def seg(self) -> list[tuple[str, int, int]]:
        return [(s.word, s.start_frame, s.end_frame) for s in self._d.seg()]

    def alignment(self) -> list[tuple[str, int, int, list[tuple[str, int, int, int]]]]:
        al = self._d.get_alignment()
        return [] if al is None else [(w.name, w.start, w.duration,
                                       [(p.name, p.start, p.duration, p.score) for p in w]) for w in al]


def new_decoder(**settings) -> NativeDecoder | BindingDecoder:
    """A NativeDecoder, or a BindingDecoder (same results, one core) where the C API is not exported."""
    try:
        _lib()
        _libc()  # frees the library's malloc'd strings; CDLL(None) has no meaning on Windows
    except (OSError, AttributeError, TypeError) as exc:
        if not getattr(new_decoder, "warned", False):
            new_decoder.warned = True
            _log.warning("pocketsphinx's C API is not reachable (%s): alignment decodes on one core", exc)
        return BindingDecoder(**settings)
    return NativeDecoder(**settings)
