"""espeak-ng speech with the synthesizer's own phoneme timings (reference timings for tests and the
lip-sync benchmark), through libespeak-ng's C API with ctypes.

The synthesizer knows exactly when it spoke what: each phoneme event carries its start in the
audio. Names come back in IPA. A development helper, not part of the package (the app never
synthesizes speech); the benchmark imports it from here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from typing import NamedTuple

import numpy as np

_EVENT_END, _EVENT_PHONEME, _EVENT_WORD = 5, 7, 1
_SYNCHRONOUS = 2
_PHONEME_EVENTS, _PHONEME_IPA = 0x1, 0x2
_RATE, _PITCH = 1, 3
_POS_CHARACTER, _CHARS_UTF8 = 1, 1


class _Id(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _Id)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class Phoneme(NamedTuple):
    start: float  # seconds
    end: float
    ipa: str


class Spoken(NamedTuple):
    samples: np.ndarray  # float32 [N]
    sample_rate: int
    phonemes: list[Phoneme]  # pauses between words are gaps, not phonemes
    words: list[tuple[float, float]]  # word starts/ends (end = next word's start or the audio's end)


_lock = threading.Lock()
_lib = None
_rate = 0


def available() -> bool:
    return ctypes.util.find_library("espeak-ng") is not None or _load() is not None


def _load():
    global _lib, _rate
    if _lib is None:
        for name in ("libespeak-ng.so.1", ctypes.util.find_library("espeak-ng")):
            if not name:
                continue
            try:
                lib = ctypes.CDLL(name)
            except OSError:
                continue
            lib.espeak_Initialize.restype = ctypes.c_int
            _rate = lib.espeak_Initialize(_SYNCHRONOUS, 200, None, _PHONEME_EVENTS | _PHONEME_IPA | 0x8000)
            if _rate > 0:
                _lib = lib
                break
    return _lib


def speak(text: str, voice: str = "en-us", rate: int = 170, pitch: int = 50) -> Spoken:
    """Synthesize `text`; raises RuntimeError when libespeak-ng is missing or the voice is unknown."""
    with _lock:
        lib = _load()
        if lib is None:
            raise RuntimeError("libespeak-ng is not installed")
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise RuntimeError(f"espeak-ng has no voice {voice!r}")
        lib.espeak_SetParameter(_RATE, int(rate), 0)
        lib.espeak_SetParameter(_PITCH, int(pitch), 0)
        chunks, events = [], []

        def on_audio(wav, n, ev):
            if n > 0:
                chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
            i = 0
            while ev[i].type != 0:
                e = ev[i]
                if e.type == _EVENT_PHONEME:
                    events.append(("ph", e.audio_position / 1000.0, e.id.string.decode("utf-8", "replace")))
                elif e.type == _EVENT_WORD:
                    events.append(("word", e.audio_position / 1000.0, ""))
                i += 1
            return 0

        callback = _CALLBACK(on_audio)
        lib.espeak_SetSynthCallback(callback)
        data = text.encode("utf-8") + b"\0"
        lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        lib.espeak_Synchronize()
    samples = (np.concatenate(chunks) if chunks else np.zeros(0, np.int16)).astype(np.float32) / 32768.0
    duration = len(samples) / _rate
    starts = [(t, name) for kind, t, name in events if kind == "ph"]
    phonemes = []
    for (t, name), nxt in zip(starts, [s for s, _ in starts[1:]] + [duration]):
        name = name.strip()
        if name and nxt > t:
            phonemes.append(Phoneme(t, min(nxt, duration), name))
    word_starts = [t for kind, t, _ in events if kind == "word"]
    words = list(zip(word_starts, word_starts[1:] + [duration]))
    return Spoken(samples, _rate, [p for p in phonemes if p.ipa not in ("_", "_:", "_!", "||", "|")], words)
