"""The slow half of analysis: phones and the report of how each stretch got them, in seconds.

With an English script: piecewise.align_script (pocketsphinx, piece by piece; a piece it cannot
place goes to the viseme aligner, see phone_fallback). With a script in any other language: the
viseme aligner over the whole take (viseme_phones.viseme_take_pass), stretches whose words did not
hold re-recognized and reported. Without a script: the viseme recognizer; only if it cannot run,
pocketsphinx's English phone loop checked piece by piece against the audio's energy, pieces it
leaves mostly unlabelled left to the acoustic guess. Cached per audio content + script + language +
recognizer version, so every frame rate reuses one pass.
"""

from __future__ import annotations

import numpy as np

from . import cache
from .alignment_report import TimedStretch
from .phone_fallback import MIN_SPEECH_COVERAGE, speech_coverage
from .phones import PhoneError, TimedPhone, recognise
from .piecewise import PhonePass, align_script
from .speech_regions import frame_levels, regions_from_mask, speech_mask

PHONE_PASS_VERSION = 6  # bump when the pass changes: old cache entries are then ignored (5: kanji read, QUIET_DB 15; 6: wrong English words recognized and reported)


def run_phone_pass(x16: np.ndarray, transcript: str | None, language: str = "en") -> PhonePass:
    from talkface_studio.core.errors import TalkFaceError

    from .languages import primary
    from .viseme_phones import viseme_take_pass

    text = (transcript or "").strip()
    if text and primary(language) == "en":
        return align_script(x16, text)
    try:
        return PhonePass(*viseme_take_pass(x16, text, language))
    except (TalkFaceError, ImportError, RuntimeError) as exc:  # no recognizer: the older English paths
        result = recognise_take(x16)
        note = f"viseme recognizer unavailable ({exc})"
        return PhonePass(result.phones, [s._replace(reason=f"{s.reason}; {note}" if s.reason else note)
                                         for s in result.stretches])


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


def cached_phone_pass(get_x16, digest: str, transcript: str | None, use_cache: bool = True,
                      language: str = "en") -> PhonePass:
    """run_phone_pass, remembered per audio digest + script + language + recognizer version
    (`get_x16()` is called only on a miss)."""
    from .languages import check_language
    from .viseme_phones import model_version

    language = check_language(language)
    text = (transcript or "").strip()
    key = (f"phones-{digest}-{cache.text_digest(text) if text else 'free'}-{language}-{model_version()}"
           f"-p{PHONE_PASS_VERSION}")
    stored = cache.load_json(key) if use_cache else None
    if stored is not None and cache.valid_phones(stored):
        try:
            return PhonePass([TimedPhone(float(s), float(e), str(p)) for s, e, p in stored["phones"]],
                             [TimedStretch(float(s), float(e), str(p), str(r), str(w))
                              for s, e, p, r, w in stored["stretches"]])
        except (KeyError, TypeError, ValueError):
            pass
    result = run_phone_pass(get_x16(), text, language)
    if use_cache:
        cache.save_json(key, {"phones": [list(p) for p in result.phones],
                              "stretches": [list(s) for s in result.stretches]})
    return result
