"""The slow half of analysis: phones and the report of how each stretch got them, in seconds.

With an English script: piecewise.align_script (pocketsphinx, piece by piece; a piece it cannot
place goes to the viseme aligner, see phone_fallback; in a room, a ring held at a word's edge is
given back to the pause, reverb_tail.release_word_ends). With a script in any other language: the
viseme aligner over the whole take (viseme_phones.viseme_take_pass), stretches whose words did not
hold re-recognized and reported. Without a script: the viseme recognizer; only if it cannot run,
pocketsphinx's English phone loop checked piece by piece against the audio's energy, pieces it
leaves mostly unlabelled left to the acoustic guess. Cached per audio content + script + language +
recognizer version (+ the take's closure_hearing where it is not 1), so every frame rate reuses
one pass. The recognizer's frame posteriors of a whole take are cached too (per audio content and
recognizer version): a changed closure_hearing only decodes again, it does not run the network.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from . import cache
from .alignment_report import TimedStretch
from .phone_fallback import MIN_SPEECH_COVERAGE, fallback_piece, speech_coverage
from .phones import PhoneError, TimedPhone, recognise
from .piecewise import PhonePass, align_script
from .reverb_tail import release_word_ends
from .speech_regions import frame_levels, regions_from_mask, speech_mask
from .sphinx_align import TimedWord
from .voice_warp import best_heard
from .wrong_words import WRONG_WORD_COST

PHONE_PASS_VERSION = 39  # bump when the pass changes: old cache entries are then ignored (5: kanji read, QUIET_DB 15; 6: wrong English words recognized and reported; 7: combining marks, one-letter words, typographic apostrophes, English numbers and unknown words; 8: a word-final n before a bilabial read m in es, it, ca, gl; 9: recognition's loud frames clear of a steady background; 10: espeak-ng's names that are other sounds in IPA read as what they are, g2p.IPA_FIXES; Hebrew ו a vowel; 11: an anusvara read n that a speaker says m, before a labial (Telugu, Punjabi) or ending a word (Telugu; Devanagari and Gujarati after a consonant), g2p.ANUSVARA_M; Sinhala prenasalised stops close, viseme_set._PRENASAL; 12: a click alone in a pause may be silence, viseme_decode.ISLAND_MAX_FRAMES; 13: a word that falls back keeps a lean to its p/b/m, viseme_phones.SCRIPT_CLOSURE_HINT; 14: a breath alone in a pause may be silence, viseme_features.breathy; 15: a word the English word pass squeezed into its neighbour moves to its own speech, piecewise.claim_wordless; 16: speech regions measured above 60 Hz, speech_regions.RUMBLE_HZ; 17: a breath or click alone in a pause of an English take is a pause, piecewise.breath_or_click; 18: an inhale just before an English line is cut off its piece, piecewise.after_breath; 19: long pauses cut in the recognizer's normalisation, viseme_features.PAUSE_KEPT_S; 20: channels that cancel in the mix, downmix; 21: a room's reverberation after a word may be a pause, reverb_tail; 22: late reverberation subtracted before the recognizer, dereverb; 23: an English script's word edges give a room's ring to the pause, reverb_tail.release_word_ends; 24: an English voice its script's words score poorly in is read through a vocal-tract-length warp, voice_warp; 25: a warp is not kept where more of the take falls back, voice_warp.fallen_back_s; 26: the script's words and their times kept, for the waveform's word row; 27: and those of English pieces the viseme aligner placed; 28: an English script's words kept as written; 29: English script lines that were not said left out, piecewise._without_unsaid; 30: and those of other languages, viseme_align.CLAUSE_SKIP_PENALTY; 31: and lines said that a script lacks, viseme_align.UNSCRIPTED_PENALTY; 32: an English piece of speech with no script words recognized, not shaped from loudness; and an English script word with a consonant held over speech, wrong_words.held_words; and English lines said that the script lacks, piecewise.with_lines_unscripted; 33: an English line said again aligned with its words, retakes; 34: and only words whose other reading lasts about as long, retakes.PACE_RATIO; 35: a steady background close to the voice taken out, steady_noise; 36: a quiet recording raised to a working level, quiet_recording; 37: a take cut inside a line, piecewise.cut_in_speech and viseme_align.CUT_LINE_PENALTY; 38: an English piece the script words slid onto left out, piecewise.SLID_WEAK_S; a short line of other words not a retake, retakes.OTHER_WORDS_MARGIN; 39: warps tried without that search, voice_warp.best_heard's trial)


def run_phone_pass(x16: np.ndarray, transcript: str | None, language: str = "en", closure_hearing: float = 1.0,
                   get_posteriors=None, script_fallback: float = 1.0) -> PhonePass:
    """`closure_hearing` (a take's setting, 1 = as shipped) moves the bilabial bias of free
    recognition (viseme_decode.closure_bias_for); `get_posteriors(x16)`, when given, supplies the
    viseme recognizer's posteriors of the whole take (viseme_phones.posteriors; cached).
    `script_fallback` (a take's setting, 1 = as shipped, 0 = never) scales how readily placed
    words that do not match the audio fall back to recognition: the viseme aligner's confidence
    limits are multiplied by it, pocketsphinx's wrong-word cost limit divided by it."""
    from talkface_studio.core.errors import TalkFaceError

    from .languages import primary
    from .viseme_decode import closure_bias_for
    from .viseme_phones import viseme_take_pass

    bias = closure_bias_for(closure_hearing)
    text = (transcript or "").strip()
    if text and primary(language) == "en":
        limit = WRONG_WORD_COST / script_fallback if script_fallback > 0 else float("inf")
        align = partial(align_script, transcript=text, wrong_word_limit=limit,
                        fallback=partial(fallback_piece, closure_bias=bias, script_fallback=script_fallback))
        result, _warp = best_heard(align, x16, partial(align, slid=False))  # a child's voice read lower (voice_warp)
        return _written(_rings_released(result, x16, get_posteriors), text)
    try:
        post = get_posteriors(x16) if get_posteriors is not None else None
        return PhonePass(*viseme_take_pass(x16, text, language, bias, post, script_fallback))
    except (TalkFaceError, ImportError, RuntimeError) as exc:  # no recognizer: the older English paths
        result = recognise_take(x16)
        note = f"viseme recognizer unavailable ({exc})"
        return PhonePass(result.phones, [s._replace(reason=f"{s.reason}; {note}" if s.reason else note)
                                         for s in result.stretches])


def _written(result: PhonePass, script: str) -> PhonePass:
    """pocketsphinx's dictionary words as the script writes them (written_words), once, before the
    pass is cached: the word row reads them on every analysis."""
    from .written_words import as_written

    words = [TimedWord(*w) for w in as_written([(w.start, w.end, w.word) for w in result.words], script)]
    return PhonePass(result.phones, result.stretches, words)


def _rings_released(result: PhonePass, x16: np.ndarray, get_posteriors) -> PhonePass:
    """An English take recorded in a room (dereverb.room_reading): a ring pocketsphinx held at a
    word's edge goes to the pause, where the recognizer hears it as silence
    (reverb_tail.release_word_ends). A dry take is returned as it is, without running the recognizer."""
    from talkface_studio.core.errors import TalkFaceError

    from .dereverb import room_reading
    from .viseme_decode import TAIL_SILENCE
    from .viseme_features import FPS, frame_level_db
    from .viseme_phones import posteriors
    from .viseme_set import CLASS_INDEX

    if not result.words or room_reading(frame_level_db(x16)) is None:
        return result
    try:
        post = get_posteriors(x16) if get_posteriors is not None else posteriors(x16)
    except (TalkFaceError, ImportError, RuntimeError):  # no recognizer: the phones stay as aligned
        return result
    silent = post.logp[:, CLASS_INDEX["SIL"]] >= np.log(TAIL_SILENCE)
    phones = release_word_ends(result.phones, result.words, post.level, silent, FPS)
    return PhonePass(phones, result.stretches, result.words)


def recognise_take(x16: np.ndarray) -> PhonePass:
    duration = len(x16) / 16000
    speech = speech_mask(frame_levels(x16))
    try:
        phones = recognise(x16)
    except PhoneError as exc:
        return PhonePass([], [TimedStretch(0.0, duration, "acoustic", str(exc))])
    regions = regions_from_mask(speech)
    bounds = [0.0] + [(a.end + b.start) / 2 for a, b in zip(regions, regions[1:])] + [duration]
    stretches: list[TimedStretch] = []
    for i, r in enumerate(regions or [None]):
        lo, hi = (bounds[i], bounds[i + 1]) if r is not None else (0.0, duration)
        coverage = speech_coverage(phones, speech, lo, hi)
        if coverage >= MIN_SPEECH_COVERAGE:
            path, reason = "recognized", ""
        else:
            path, reason = "acoustic", f"phone recognition heard speech in only {coverage:.0%} of it"
        if stretches and stretches[-1].path == path and stretches[-1].reason == reason:
            stretches[-1] = stretches[-1]._replace(end=hi)
        else:
            stretches.append(TimedStretch(lo, hi, path, reason))
    keep = [s for s in stretches if s.path == "recognized"]
    phones = [p for p in phones if any(s.start <= (p.start + p.end) / 2 < s.end for s in keep)]
    return PhonePass(phones, stretches)


# Paths whose phones may come from free recognition, where closure_hearing acts; "aligned" and
# "acoustic" stretches never do (the aligner keeps the shipped bias).
HEARING_PATHS = ("recognized", "piecewise")


def cached_phone_pass(get_x16, digest: str, transcript: str | None, use_cache: bool = True,
                      language: str = "en", closure_hearing: float = 1.0, script_fallback: float = 1.0) -> PhonePass:
    """run_phone_pass, remembered per audio digest + script + language + recognizer version +
    closure_hearing + script_fallback (`get_x16()` is called only on a miss). A take whose pass at
    the shipped hearing is cached and has no stretch from recognition reuses it at any hearing."""
    from .languages import check_language
    from .viseme_phones import model_version

    language = check_language(language)
    text = (transcript or "").strip()
    version = model_version()
    key = f"phones-{digest}-{cache.text_digest(text) if text else 'free'}-{language}-{version}-p{PHONE_PASS_VERSION}"
    if text and float(script_fallback) != 1.0:  # without a script nothing falls back; the shipped key is as before
        key += f"-f{float(script_fallback)!r}"
    shipped = float(closure_hearing) == 1.0
    own_key = key if shipped else f"{key}-h{float(closure_hearing)!r}"  # the shipped key is as before
    if use_cache:
        stored = _load_pass(own_key)
        if stored is None and not shipped:
            stored = _load_pass(key)
            if stored is not None and any(s.path in HEARING_PATHS for s in stored.stretches):
                stored = None  # its recognized stretches were heard at the shipped bias
        if stored is not None:
            return stored
    get_posteriors = partial(cached_posteriors, key=f"posteriors-{digest}-{version}-v{POSTERIORS_VERSION}",
                             use_cache=use_cache)
    result = run_phone_pass(get_x16(), text, language, closure_hearing, get_posteriors, script_fallback)
    if use_cache:
        cache.save_json(own_key, {"phones": [list(p) for p in result.phones],
                                  "stretches": [list(s) for s in result.stretches],
                                  "words": [[w.start, w.end, w.word] for w in result.words]})
    return result


def _load_pass(key: str) -> PhonePass | None:
    stored = cache.load_json(key)
    if stored is None or not cache.valid_phones(stored):
        return None
    try:
        return PhonePass([TimedPhone(float(s), float(e), str(p)) for s, e, p in stored["phones"]],
                         [TimedStretch(float(s), float(e), str(p), str(r), str(w))
                          for s, e, p, r, w in stored["stretches"]],
                         [TimedWord(float(s), float(e), str(w)) for s, e, w in stored.get("words", [])])
    except (KeyError, TypeError, ValueError):
        return None


POSTERIORS_VERSION = 7  # bump when what viseme_phones.Posteriors holds changes meaning (2: gaps up to 150 ms; 3: long pauses cut in the normalisation; 4: channels that cancel in the mix, downmix; 5: late reverberation subtracted, dereverb; 6: a steady background close to the voice taken out, steady_noise; 7: a quiet recording raised, quiet_recording)


def cached_posteriors(x16: np.ndarray, key: str, use_cache: bool = True):
    """viseme_phones.posteriors(x16) (the network pass), remembered under `key`."""
    from .viseme_phones import Posteriors, posteriors

    arrays = cache.load_arrays(key) if use_cache else None
    if arrays is not None and cache.valid_posteriors(arrays):
        return Posteriors(arrays["logp"], arrays["jaw"], arrays["level"], arrays["darkness"], arrays["gaps"],
                          arrays.get("align_logp"))
    post = posteriors(x16)
    if use_cache:
        arrays = {"logp": post.logp, "jaw": post.jaw, "level": post.level, "darkness": post.darkness,
                  "gaps": post.gaps}
        if post.align_logp is not None:
            arrays["align_logp"] = post.align_logp
        cache.save_arrays(key, arrays)
    return post
