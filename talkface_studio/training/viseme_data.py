"""Training clips for the viseme recognizer: synthesized speech, augmented, with frame labels.

Four recipes (`make_clips(..., recipe=N)`; the packaged weights record theirs):

- recipe 2 (the packaged weights): one clip = a few sentences in one language from an espeak-ng
  voice variant at a random rate, pitch and pitch range, then room and channel effects (noise,
  reverb-like tails, telephone and low-pass bands, resonances and notches, spectral tilt, a
  constant or smoothly drifting speed change that also shifts pitch and formants, soft clipping).
- recipe 3 (not yet trained into packaged weights): FESTIVAL_SHARE of the clips spoken by Festival
  voices made from real speakers' recordings at a random tempo and pitch; sometimes a second,
  quieter talker overlaps the clip; breathiness and a telephone codec's mu-law grain join the
  effects. It needs every Festival voice of festival_synth.VOICES (Debian packages in the
  Makefile), so that a seed gives the same data on every machine.
- recipe 4 (an experiment, see README): PICO_SHARE of the clips spoken by SVOX Pico's six HMM
  voices of real speakers (pico_synth, the `ttspico` package) at a random speed and pitch,
  labelled by the script aligner (Pico reports no phone times); the rest and every effect as in
  recipe 2. Training fine-tunes the packaged recipe-2 weights on it (train_visemes).
- recipe 5 (an experiment, see README): MBROLA_SHARE of the clips spoken by MBROLA's diphone
  voices of real speakers (mbrola_synth; 53 speakers in 16 languages, Debian contrib / non-free) at a
  random tempo and pitch, with exact phone times; the rest and every effect as in recipe 2.
  Training fine-tunes the packaged recipe-2 weights on it, as for recipe 4.

Labels come from the synthesizer's exact phone times: a viseme class per 10 ms frame (diphthongs
split in two halves) and a jaw-opening target, the procedural lip sync's jaw curve over the true
spans, so the recognizer learns the same jaw the lip sync would draw from a perfect alignment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, fftconvolve, lfilter, resample_poly, sosfilt

from talkface_studio.audio.viseme_features import FPS, features, frame_level_db, n_frames_for
from talkface_studio.audio.viseme_set import CLASS_INDEX, phone_to_visemes

from . import festival_synth, mbrola_synth, pico_synth
from .espeak_synth import SR, SynthError, synthesize
from .viseme_texts import random_sentence, training_languages

# Natural-sounding espeak-ng variants (robotic, demonic and novelty voices left out).
VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2",
            "klatt3", "klatt4", "klatt5", "klatt6", "adam", "Alex", "Alicia", "Andrea", "Andy", "Annie", "aunty",
            "belinda", "benjamin", "boris", "caleb", "david", "Denis", "Diogo", "ed", "edward", "edward2", "Gene",
            "grandma", "grandpa", "gustave", "Henrique", "Hugo", "iven", "iven2", "iven3", "iven4", "Jacky", "john",
            "kaukovalta", "Lee", "linda", "Marco", "Mario", "max", "Michael", "michel", "miguel", "Mike", "norbert",
            "pablo", "paul", "pedro", "quincy", "rob", "robert", "sandro", "shelby", "steph", "steph2", "steph3",
            "travis", "victor", "zac", "whisper", "whisperf", "croak")
# English carries most weight: most dialogue the tool sees is English; the rest share the remainder.
ENGLISH_SHARE = 0.3
RECIPES = (2, 3, 4, 5)
DEFAULT_RECIPE = 2  # the packaged weights' recipe
# Recipe 3: share of clips spoken by Festival's voices built from human recordings, what may
# narrow the gap between espeak-ng's rule-made voices and real ones (see festival_synth).
FESTIVAL_SHARE = 0.4
FESTIVAL_ENGLISH = ("kal", "ked", "slt")
# Recipe 4: share of clips spoken by Pico's voices (labelled by the aligner, see pico_synth).
PICO_SHARE = 0.5
PICO_SPEED = (70, 150)  # Pico speed levels (100 = the voice's own tempo)
PICO_PITCH = (60, 160)
# Recipe 5: share of clips spoken by MBROLA's voices, their tempo (duration factor) and pitch factor.
MBROLA_SHARE = 0.5
MBROLA_TEMPO = (0.75, 1.35)
MBROLA_PITCH = (0.75, 1.35)
MBROLA_ENGLISH = 0.4  # English voices' share of the MBROLA clips (16 of the 65 voices read English)
# Chance that a second, quieter talker overlaps the clip (dialogue, a room, a call).
OVERLAP_SHARE = 0.1


@dataclass
class Clip:
    feats: np.ndarray  # float16 [T, 80] normalised log-mel
    labels: np.ndarray  # int8 [T] viseme class index
    jaw: np.ndarray  # float16 [T] 0..1
    language: str


def frame_labels(phones, n_frames: int, time_map=None, classes_of=phone_to_visemes) -> np.ndarray:
    """Timed IPA phones (seconds, through `time_map` when the audio was warped) -> viseme class
    index per 10 ms frame. `classes_of` reads a label into classes (viseme spans: `lambda v: (v,)`)."""
    labels = np.full(n_frames, CLASS_INDEX["SIL"], dtype=np.int8)
    for p in phones:
        classes = classes_of(p.phone)
        start, end = (p.start, p.end) if time_map is None else (float(time_map(p.start)), float(time_map(p.end)))
        step = (end - start) / len(classes)
        for k, cls in enumerate(classes):
            a = int(np.ceil((start + k * step) * FPS - 1e-9))
            b = int(np.ceil((start + (k + 1) * step) * FPS - 1e-9))
            labels[max(a, 0) : min(b, n_frames)] = CLASS_INDEX[cls]
    return labels


def jaw_target(labels: np.ndarray, level_db: np.ndarray) -> np.ndarray:
    """The procedural lip sync's jaw_open over the true viseme spans, at 100 fps."""
    from talkface_studio.audio.viseme_set import VISEME_CLASSES
    from talkface_studio.perform.procedural.lipsync import coarticulate

    n = len(labels)
    edges = np.flatnonzero(np.diff(labels)) + 1
    bounds = np.r_[0, edges, n]
    spans = [(int(a), int(b), VISEME_CLASSES[labels[a]]) for a, b in zip(bounds[:-1], bounds[1:])]
    ref = np.percentile(level_db, 95) if n else 0.0
    loudness = np.clip((level_db - (ref - 50.0)) / 50.0, 0, 1)
    return np.clip(coarticulate(spans, n, float(FPS), loudness)[:, 0], 0, 1).astype(np.float32)


# -- augmentation ---------------------------------------------------------------------------------
def _noise(rng, n: int) -> np.ndarray:
    white = rng.standard_normal(n).astype(np.float32)
    colour = rng.integers(3)
    if colour == 1:  # pink-ish
        white = lfilter([0.049922035, -0.095993537, 0.050612699, -0.004408786],
                        [1, -2.494956002, 2.017265875, -0.522189400], white).astype(np.float32)
    elif colour == 2:  # brown-ish (rumble, traffic)
        white = lfilter([1.0], [1.0, -0.98], white).astype(np.float32)
    return white / (np.std(white) + 1e-9)


def _speed_warp(x: np.ndarray, rng: np.random.Generator):
    """Speed that drifts smoothly (+-15 % around a random mean, over 0.3-2 s): tempo, pitch and
    formants wander as a person's do, unlike espeak-ng's steady delivery. -> (samples, time map)."""
    n = len(x)
    knots = max(2, int(n / SR / rng.uniform(0.3, 2.0)) + 2)
    mean = rng.uniform(0.88, 1.12)
    speed = mean * (1 + rng.uniform(-0.15, 0.15, knots))
    rate = np.interp(np.arange(n), np.linspace(0, n, knots), speed)  # input samples per output sample
    src = np.cumsum(rate) - rate[0]
    keep = src < n - 1
    src = src[keep]
    y = np.interp(src, np.arange(n), x).astype(np.float32)
    out_times = np.arange(len(src)) / SR
    return y, lambda t: np.interp(t * SR, src, out_times)


def _equalize(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One to three resonances or notches of +-12 dB (microphones, rooms, voices differ)."""
    for _ in range(int(rng.integers(1, 4))):
        centre = float(np.exp(rng.uniform(np.log(150), np.log(6000))))
        width = centre / rng.uniform(0.7, 3.0)
        lo, hi = max(30.0, centre - width / 2), min(7900.0, centre + width / 2)
        if hi <= lo:
            continue
        band = sosfilt(butter(2, [lo, hi], btype="bandpass", fs=SR, output="sos"), x)
        x = (x + (10 ** (rng.uniform(-12, 12) / 20) - 1) * band).astype(np.float32)
    return x


def augment(x: np.ndarray, rng: np.random.Generator, recipe: int = DEFAULT_RECIPE):
    """Room and channel effects -> (samples, time map for the labels or None). Recipe 3 adds
    breathiness and mu-law grain (random draws only then: recipe 2's stream stays as it was)."""
    time_map = None
    r = rng.random()
    if r < 0.35:  # speed change: shifts pitch and formants together (another vocal tract)
        up = int(rng.integers(88, 113))
        x = resample_poly(x, up, 100).astype(np.float32)
        time_map = lambda t, k=up / 100: t * k  # noqa: E731
    elif r < 0.7:
        x, time_map = _speed_warp(x, rng)
    if rng.random() < 0.5:
        x = _equalize(x, rng)
    if rng.random() < 0.5:  # spectral tilt (microphone, distance)
        a = float(rng.uniform(-0.9, 0.9))
        x = lfilter([1.0, -a], [1.0], x).astype(np.float32)
    if rng.random() < 0.4:  # reverb-like tail: exponentially decaying noise impulse response
        rt60 = rng.uniform(0.1, 0.8)
        n = int(rt60 * SR)
        ir = rng.standard_normal(n) * np.exp(-6.9 * np.arange(n) / n)
        ir[0] = 1.0 / rng.uniform(0.2, 1.0)  # direct sound vs room
        wet = fftconvolve(x, ir)[: len(x)]
        x = (wet / (np.max(np.abs(wet)) + 1e-9) * np.max(np.abs(x))).astype(np.float32)
    if recipe >= 3 and rng.random() < 0.15:  # breathiness: aspiration noise riding on the voice's own envelope
        envelope = np.sqrt(np.convolve(x**2, np.ones(160) / 160, mode="same"))
        hiss = sosfilt(butter(2, 1500, btype="highpass", fs=SR, output="sos"), _noise(rng, len(x)))
        x = (x + rng.uniform(0.05, 0.3) * envelope * hiss).astype(np.float32)
    r = rng.random()
    if r < 0.2:  # telephone band, half of it through 8-bit mu-law (a codec's grain)
        x = sosfilt(butter(4, [300, 3400], btype="bandpass", fs=SR, output="sos"), x).astype(np.float32)
        if recipe >= 3 and rng.random() < 0.5:
            peak = np.max(np.abs(x)) + 1e-9
            mu = np.sign(x) * np.log1p(255 * np.abs(x) / peak) / np.log1p(255)
            x = (np.sign(mu) * np.expm1(np.abs(np.round(mu * 127) / 127) * np.log1p(255)) / 255 * peak)
            x = x.astype(np.float32)
    elif r < 0.45:  # low-pass (cheap microphone, compression codecs)
        x = sosfilt(butter(6, rng.uniform(2800, 7000), fs=SR, output="sos"), x).astype(np.float32)
    if rng.random() < 0.75:  # background noise at 0-40 dB SNR
        snr = rng.uniform(0, 40)
        power = np.mean(x**2) + 1e-12
        x = x + _noise(rng, len(x)) * np.sqrt(power / 10 ** (snr / 10))
    if rng.random() < 0.1:  # soft clipping
        drive = rng.uniform(2, 8)
        x = np.tanh(drive * x / (np.max(np.abs(x)) + 1e-9)) / np.tanh(drive)
    x = x * 10 ** (rng.uniform(-30, 0) / 20) / (np.max(np.abs(x)) + 1e-9)
    return x.astype(np.float32), time_map


def pick_voice(rng: np.random.Generator) -> tuple[str, str]:
    """(language voice, full voice name with variant)."""
    languages = training_languages()
    if rng.random() < ENGLISH_SHARE:
        lang = "en-us" if rng.random() < 0.7 else "en-gb"
    else:
        lang = languages[rng.integers(len(languages))]
    variant = VARIANTS[rng.integers(len(VARIANTS))]
    return lang, f"{lang}+{variant}" if variant else lang


def _festival_speech(rng: np.random.Generator, voices: tuple[str, ...]):
    """1-3 sentences from one Festival voice -> (samples, phones, language); English voices
    carry about half the share."""
    english = [v for v in voices if v in FESTIVAL_ENGLISH]
    others = [v for v in voices if v not in FESTIVAL_ENGLISH]
    pool = english if english and (not others or rng.random() < 0.55) else others
    voice = pool[rng.integers(len(pool))]
    lang = festival_synth.VOICES[voice][2]
    text = " ".join(random_sentence(lang, rng) for _ in range(int(rng.integers(1, 4))))
    syn = festival_synth.synthesize(text, voice, stretch=float(rng.uniform(0.75, 1.35)),
                                    f0_mean=float(rng.uniform(75, 250)))
    lead = np.zeros(int(rng.uniform(0.0, 0.4) * SR), np.float32)
    phones = [type(p)(p.start + len(lead) / SR, p.end + len(lead) / SR, p.phone) for p in syn.phones]
    tail = np.zeros(int(rng.uniform(0.05, 0.4) * SR), np.float32)
    return np.concatenate([lead, syn.samples, tail]), phones, lang


def _pico_speech(rng: np.random.Generator):
    """1-3 sentences from one Pico voice at one speed and pitch -> (samples, viseme spans, language),
    or None when Pico could label none of them (espeak-ng speaks the clip instead)."""
    voice = tuple(pico_synth.VOICES)[int(rng.integers(len(pico_synth.VOICES)))]
    lang = pico_synth.VOICES[voice][0]
    speed, pitch = int(rng.integers(*PICO_SPEED)), int(rng.integers(*PICO_PITCH))
    pieces, spans, t = [], [], 0.0
    for _ in range(int(rng.integers(1, 4))):
        text = random_sentence(lang, rng)
        lead = np.zeros(int(rng.uniform(0.05, 0.6) * SR), np.float32)
        try:
            syn = pico_synth.synthesize(text, voice, speed, pitch)
        except SynthError:  # a sentence the aligner doubts is left out, not mislabelled
            continue
        pieces += [lead, syn.samples]
        t += len(lead) / SR
        spans += [type(v)(v.start + t, v.end + t, v.phone) for v in syn.visemes]
        t += len(syn.samples) / SR
    if not spans:
        return None
    pieces.append(np.zeros(int(rng.uniform(0.05, 0.5) * SR), np.float32))
    return np.concatenate(pieces), spans, lang


def _mbrola_speech(rng: np.random.Generator, voices: tuple[str, ...]):
    """1-3 sentences from one MBROLA voice at one tempo and pitch -> (samples, phones, language), or
    None when the voice could say none of the sentences drawn (espeak-ng speaks the clip instead)."""
    english = [v for v in voices if mbrola_synth.VOICES[v].startswith("en")]
    others = [v for v in voices if v not in english]
    pool = english if english and (not others or rng.random() < MBROLA_ENGLISH) else others
    voice = pool[rng.integers(len(pool))]
    lang = mbrola_synth.VOICES[voice]
    tempo, pitch = float(rng.uniform(*MBROLA_TEMPO)), float(rng.uniform(*MBROLA_PITCH))
    pieces, phones, t = [], [], 0.0
    for _ in range(int(rng.integers(1, 4))):
        for _attempt in range(4):  # pseudo-words sometimes need a diphone the voice lacks
            try:
                syn = mbrola_synth.synthesize(random_sentence(lang, rng), voice, tempo, pitch)
                break
            except SynthError:
                syn = None
        if syn is not None:
            t = _add_sentence(pieces, phones, t, syn, rng)
    if not phones:
        return None
    pieces.append(np.zeros(int(rng.uniform(0.05, 0.5) * SR), np.float32))
    return np.concatenate(pieces), phones, lang


def _add_sentence(pieces: list, phones: list, t: float, syn, rng: np.random.Generator) -> float:
    """Append a pause between sentences, then `syn` (a Synthesis), to `pieces` and its phones,
    shifted to where it starts, to `phones`; -> the time after it."""
    lead = np.zeros(int(rng.uniform(0.05, 0.6) * SR), np.float32)
    pieces += [lead, syn.samples]
    t += len(lead) / SR
    phones += [type(p)(p.start + t, p.end + t, p.phone) for p in syn.phones]
    return t + syn.duration


def _espeak_speech(rng: np.random.Generator):
    lang, voice = pick_voice(rng)
    rate = int(rng.integers(110, 330))
    pitch, pitch_range = int(rng.integers(5, 95)), int(rng.integers(0, 100))
    pieces, phones, t = [], [], 0.0
    for _ in range(int(rng.integers(1, 4))):
        syn = synthesize(random_sentence(lang, rng), voice, rate=rate, pitch=pitch, pitch_range=pitch_range)
        t = _add_sentence(pieces, phones, t, syn, rng)
    pieces.append(np.zeros(int(rng.uniform(0.05, 0.5) * SR), np.float32))
    return np.concatenate(pieces), phones, lang


def _overlap(x: np.ndarray, other: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
    """A second talker 8-25 dB below the first, starting anywhere (labels stay the first's)."""
    if other is None or not len(other) or rng.random() >= OVERLAP_SHARE:
        return x
    start = int(rng.integers(0, max(1, len(x) - len(other) // 2)))
    part = other[: len(x) - start]
    gain = np.sqrt((np.mean(x**2) + 1e-12) / (np.mean(part**2) + 1e-12)) * 10 ** (-rng.uniform(8, 25) / 20)
    out = x.copy()
    out[start : start + len(part)] += gain * part
    return out


def require_recipe(recipe: int) -> None:
    """Raise SynthError (one line) when `recipe` is unknown or its voices are not installed here."""
    if recipe not in RECIPES:
        raise SynthError(f"unknown viseme training recipe {recipe}; known: {', '.join(map(str, RECIPES))}")
    missing = [v for v in festival_synth.VOICES if v not in festival_synth.available_voices()]
    if recipe == 3 and missing:
        raise SynthError(f"recipe {recipe} needs Festival voices that are not installed: {', '.join(missing)} "
                         "(Debian packages festival and festvox-*, see the Makefile's APT_PACKAGES)")
    if recipe == 4 and not pico_synth.available():
        raise SynthError("recipe 4 needs SVOX Pico (pip install 'talkface-studio[train]', which builds ttspico)")
    if recipe == 5 and not mbrola_synth.available_voices():
        raise SynthError("recipe 5 needs MBROLA and its voices (Debian contrib / non-free: mbrola, mbrola-us1 ...)")


def make_clip(rng: np.random.Generator, other: np.ndarray | None = None,
              recipe: int = DEFAULT_RECIPE) -> tuple[Clip, np.ndarray]:
    """One labelled clip (augmented) and its clean samples (recipe 3: a later clip's
    overlapping talker)."""
    speech, classes_of = None, phone_to_visemes
    if recipe == 3 and rng.random() < FESTIVAL_SHARE:
        try:
            speech = _festival_speech(rng, festival_synth.available_voices())
        except SynthError:  # a sentence Festival refused: espeak-ng speaks this clip instead
            speech = None
    elif recipe == 4 and rng.random() < PICO_SHARE:
        speech = _pico_speech(rng)
        if speech is not None:
            classes_of = _one_viseme
    elif recipe == 5 and rng.random() < MBROLA_SHARE:
        speech = _mbrola_speech(rng, mbrola_synth.available_voices())
    clean, phones, lang = speech or _espeak_speech(rng)
    mixed = _overlap(clean, other, rng) if recipe == 3 else clean
    x, time_map = augment(mixed, rng, 3 if recipe == 3 else 2)
    n = n_frames_for(len(x))
    labels = frame_labels(phones, n, time_map, classes_of)
    jaw = jaw_target(labels, frame_level_db(x))
    return Clip(features(x).astype(np.float16), labels, jaw.astype(np.float16), lang), clean


def _one_viseme(name: str) -> tuple[str]:
    return (name,)


def make_clips(seed: int, seconds: float, recipe: int = DEFAULT_RECIPE) -> list[Clip]:
    """Clips until `seconds` of audio; deterministic for a seed and recipe."""
    require_recipe(recipe)
    rng = np.random.default_rng(seed)
    out, total, previous = [], 0.0, None
    while total < seconds:
        clip, previous = make_clip(rng, previous, recipe)
        out.append(clip)
        total += len(clip.labels) / FPS
    return out
