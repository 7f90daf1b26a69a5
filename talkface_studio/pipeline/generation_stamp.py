"""The generation stamp: a digest of everything stage 1 reads, stored in the take at Generate.

Comparing it with the digest of the take as it is now says whether its generated base is out of
date without running the performer: after a paint, a new recording, another seed or transcript,
and also after the project was saved and reopened or recovered from an autosave (the stamp is
saved in the take's generation settings). The recording enters by content, so a copied or moved
project folder is not mistaken for a changed one; its digest is cached by (path, size, mtime).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

STAMP_VERSION = 1  # bump when stage 1 reads something new, so older stamps read as out of date

_lock = threading.Lock()
_audio_digests: dict[tuple, str] = {}


def _file_key(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (str(path), st.st_size, st.st_mtime_ns)


def audio_digest(path: Path | None) -> str:
    """sha256 of the recording's bytes (cached); "missing" when it cannot be read."""
    key, known = _known_digest(path)
    if known is not None:
        return known
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return "missing"
    with _lock:
        _audio_digests[key] = h.hexdigest()
    return _audio_digests[key]


def cached_audio_digest(path: Path | None) -> str | None:
    """The digest if it is known without reading the file (the GUI thread may call this)."""
    return _known_digest(path)[1]


def _known_digest(path: Path | None):
    """(file key, digest or None) without reading the file: "none"/"missing" need no key."""
    if path is None:
        return None, "none"
    key = _file_key(path)
    if key is None:
        return None, "missing"
    with _lock:
        return key, _audio_digests.get(key)


def stamp_with(take, audio: str, generation=None, n_frames: int | None = None) -> str:
    """The stamp of `take` given its recording's digest; `generation` and `n_frames` stand in for
    the take's own when Generate is about to set them."""
    g = generation if generation is not None else take.generation
    track = take.emotion_track
    inputs = {
        "version": STAMP_VERSION, "audio": audio, "rate": take.rate.to_json(),
        "n_frames": take.n_frames if n_frames is None else int(n_frames),
        "generation": g.to_json(), "language": take.language, "default_transition": track.default_transition,
        "segments": [[s.start, s.end, s.emotion, s.level, s.transition] for s in track.segments],
    }
    if take.audio_channel is not None:  # only where set, so every stamp made before the setting holds
        inputs["audio_channel"] = take.audio_channel
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    # the lip-sync part after "+": what the phones were found from, so the analysis report (the
    # timeline's lip-sync marks) can be trusted after a reopen even when emotions were painted since
    return "s1:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + LIPSYNC_SEPARATOR + lipsync_digest(
        take, audio, g, n_frames)


LIPSYNC_SEPARATOR = "+l:"


def lipsync_digest(take, audio: str, generation=None, n_frames: int | None = None) -> str:
    """Digest of what the speech analysis reads: recording, script, language, rate and length, and
    the take's script fallback where it is not 1 and its audio channel where one is set (so every
    stamp made before those settings holds)."""
    g = generation if generation is not None else take.generation
    inputs = {"version": STAMP_VERSION, "audio": audio, "rate": take.rate.to_json(),
              "n_frames": take.n_frames if n_frames is None else int(n_frames),
              "transcript": g.transcript, "language": take.language}
    fallback = (g.options or {}).get("script_fallback", 1.0)
    if fallback != 1.0:  # a changed setting changes which stretches fall back, hence the marks
        inputs["script_fallback"] = fallback
    if take.audio_channel is not None:
        inputs["audio_channel"] = take.audio_channel
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def stamps_match(a: str | None, b: str | None) -> bool:
    """The same stage 1 inputs (the lip-sync part is implied; stamps from before it still match)."""
    return a is not None and b is not None and a.split(LIPSYNC_SEPARATOR)[0] == b.split(LIPSYNC_SEPARATOR)[0]


def lipsync_current(take, audio_path: Path | None) -> bool | None:
    """True when the take was generated from the recording, script and language it has now (so its
    analysis report describes its lip sync), False when not or never generated, None when the
    recording's digest is not known without reading it (see cached_audio_digest)."""
    stamp = take.generation.stamp
    if stamp is None:
        return False
    audio = cached_audio_digest(audio_path)
    if audio is None:
        return None
    if LIPSYNC_SEPARATOR in stamp:
        return stamp.split(LIPSYNC_SEPARATOR, 1)[1] == lipsync_digest(take, audio)
    return stamps_match(stamp_with(take, audio), stamp)  # a stamp from before the lip-sync part


def generation_stamp(take, audio_path: Path | None, generation=None, n_frames: int | None = None) -> str:
    """The stamp of `take` as it is now (reads the recording once per file version)."""
    return stamp_with(take, audio_digest(audio_path), generation, n_frames)


def is_stale(take, audio_path: Path | None) -> bool | None:
    """True when the take's generated base is not what stage 1 makes of it now, False when it is,
    None when that is not known without reading the recording (see cached_audio_digest)."""
    if take.generation.stamp is None:
        return True  # never generated here (or by a version that kept no stamp)
    audio = cached_audio_digest(audio_path)
    if audio is None:
        return None
    return not stamps_match(stamp_with(take, audio), take.generation.stamp)
