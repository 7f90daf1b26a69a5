"""Synthetic speech with exact phone timings: espeak-ng's C library through ctypes.

`synthesize(text, voice="en-us+f3", rate=175, pitch=50, pitch_range=50)` -> `Synthesis` with float32
samples at 16 kHz and the phones espeak-ng actually spoke, each with start/end in seconds. The
times come from espeak-ng's own phoneme events (espeakINITIALIZE_PHONEME_EVENTS; one
espeakEVENT_PHONEME at the first sample of each phoneme), so they are exact for what was
synthesized, unlike a forced alignment. This is the training data of the viseme recognizer.

libespeak-ng keeps global state and is not thread-safe: one lock guards it, and parallel data
generation uses processes. It is loaded only here (training), never by the analysis path, which
reads scripts with the espeak-ng command (see audio/g2p.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import resample_poly

from talkface_studio.core.errors import TalkFaceError

SR = 16_000
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_INITIALIZE_PHONEME_IPA = 0x0002
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_PHONEMES = 0x100  # espeakPHONEMES: text may carry phoneme mnemonics in [[ ]] (a reading espeak-ng's rules lack)
_EVENT_LIST_TERMINATED, _EVENT_WORD, _EVENT_END, _EVENT_MSG_TERMINATED, _EVENT_PHONEME = 0, 1, 5, 6, 7
_RATE, _VOLUME, _PITCH, _RANGE = 1, 2, 3, 4
_LOCK = threading.Lock()


def at_sr(x: np.ndarray, rate: int) -> np.ndarray:
    """Samples at `rate` Hz resampled to SR (polyphase; float32), or `x` itself at SR: how every
    synthesizer's speech here is brought to the recognizer's rate."""
    if rate == SR:
        return x
    g = int(np.gcd(int(rate), SR))
    return resample_poly(x, SR // g, int(rate) // g).astype(np.float32)


class SynthError(TalkFaceError):
    """libespeak-ng is missing or refused the request."""


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _EventId)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass(frozen=True)
class TimedPhone:
    start: float  # seconds
    end: float
    phone: str  # IPA as espeak-ng names it; pauses (and leading/trailing silence) are '_'


@dataclass
class Synthesis:
    samples: np.ndarray  # float32 [N] at 16 kHz
    phones: list[TimedPhone]
    words: list[tuple[float, int, int]]  # (start s, text offset, text length) per word event

    @property
    def duration(self) -> float:
        return len(self.samples) / SR


class _Engine:
    def __init__(self):
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            lib = ctypes.CDLL(name)
        except OSError as exc:
            raise SynthError(f"libespeak-ng is not installed (Debian: apt-get install espeak-ng): {exc}") from None
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                     ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p]
        self.rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None,
                                          _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_PHONEME_IPA | _INITIALIZE_DONT_EXIT)
        if self.rate <= 0:
            raise SynthError("libespeak-ng failed to initialise (espeak-ng-data missing?)")
        self.lib = lib
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[int, int, int, int, bytes]] = []
        self._callback = _CALLBACK(self._on_audio)  # kept alive: espeak holds the pointer
        lib.espeak_SetSynthCallback(self._callback)

    def _on_audio(self, wav, n, events) -> int:
        if n > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            e = events[i]
            self._events.append((e.type, e.sample, e.text_position, e.length,
                                 bytes(e.id.string).split(b"\0")[0] if e.type == _EVENT_PHONEME else b""))
            i += 1
        return 0

    def speak(self, text: str, voice: str, rate: int, pitch: int, pitch_range: int):
        lang, plus, variant = voice.partition("+")
        # the library knows "en" / "fr" where the command line also takes "en-gb" / "fr-fr"
        names = [voice] + ([lang.split("-")[0] + plus + variant] if "-" in lang else [])
        if all(self.lib.espeak_SetVoiceByName(n.encode()) != 0 for n in names):
            raise SynthError(f"espeak-ng has no voice {voice!r}")
        for param, value in ((_RATE, rate), (_PITCH, pitch), (_RANGE, pitch_range), (_VOLUME, 100)):
            self.lib.espeak_SetParameter(param, int(value), 0)
        self._chunks, self._events = [], []
        data = text.encode("utf-8") + b"\0"
        buf = ctypes.create_string_buffer(data)
        if self.lib.espeak_Synth(buf, len(data), 0, 0, 0, _CHARS_UTF8 | _PHONEMES, None, None) != 0:
            raise SynthError(f"espeak-ng could not synthesize {text[:40]!r}")
        self.lib.espeak_Synchronize()
        wav = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        return wav, list(self._events)


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    return _Engine()


def synthesize(text: str, voice: str = "en-us", rate: int = 175, pitch: int = 50, pitch_range: int = 50) -> Synthesis:
    """Speak `text` with an espeak-ng voice ('de', 'fr-fr+m3', 'en-us+klatt2', ...).

    rate: words per minute (80-450); pitch and pitch_range: 0-100 (espeak-ng's scale).
    """
    with _LOCK:
        engine = _engine()
        wav, events = engine.speak(text, voice, rate, pitch, pitch_range)
        native = engine.rate
    samples = wav.astype(np.float32) / 32768.0
    samples = at_sr(samples, native)
    total = len(wav) / native
    # A phoneme event without a name is a pause; the audio before the first event is silence too.
    starts = [(0.0, "_")] + [(s / native, name.decode("utf-8", "replace") or "_")
                             for kind, s, _, _, name in events if kind == _EVENT_PHONEME]
    phones: list[TimedPhone] = []
    for i, (t, name) in enumerate(starts):
        end = min(starts[i + 1][0] if i + 1 < len(starts) else total, total)
        if end <= t:
            continue
        if phones and name == "_" and phones[-1].phone == "_":
            phones[-1] = TimedPhone(phones[-1].start, end, "_")
        else:
            phones.append(TimedPhone(t, end, name))
    words = [(s / native, pos, length) for kind, s, pos, length, _ in events if kind == _EVENT_WORD]
    return Synthesis(samples, _closures_to_stops(phones, samples), words)


_STOPS = ("p", "t", "k", "c", "q", "ʔ", "pf", "ts", "tʃ", "tɕ", "ʈ", "ʈʂ", "tʂ")
CLOSURE_DB = 25.0  # a closure is this far below the loudest part of the phone before it
MAX_CLOSURE_S = 0.15


def _closures_to_stops(phones: list[TimedPhone], x: np.ndarray) -> list[TimedPhone]:
    """espeak-ng reports a voiceless stop at its burst; the silent closure before it is counted in
    the previous phone. The lips (p) or tongue (t, k) close during that silence, so move the
    boundary back to where the level drops (measured here: 30-60 ms of near-silence per stop)."""
    hop = SR // 200  # 5 ms
    out = list(phones)
    for i in range(1, len(out)):
        name = out[i].phone.rstrip("ʰː")
        if name not in _STOPS:
            continue
        prev = out[i - 1]
        if prev.phone == "_":
            boundary = out[i].start - min(0.06, 0.5 * (prev.end - prev.start))
        else:
            a, b = int(prev.start * SR), int(prev.end * SR)
            n = (b - a) // hop
            if n < 3:
                continue
            level = 10 * np.log10(np.mean(x[a : a + n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1) + 1e-12)
            quiet = level < level.max() - CLOSURE_DB
            k = n
            while k > 0 and quiet[k - 1] and (n - k + 1) * hop / SR <= MAX_CLOSURE_S:
                k -= 1
            if n - k < 2:  # under 10 ms: no closure to move
                continue
            boundary = prev.start + (a - int(prev.start * SR) + k * hop) / SR
        if prev.start < boundary < out[i].start:
            out[i - 1] = TimedPhone(prev.start, boundary, prev.phone)
            out[i] = TimedPhone(boundary, out[i].end, out[i].phone)
    return out
