"""A draft of a take's script from its recording: English words recognized by pocketsphinx.

Lip sync from a script is right where lip sync without one is not (README, Languages and lip sync
without a script: with its script every English clip closes its p/b/m; without, 0.79 of them), and
an artist would rather correct a draft than type a minute of dialogue. pocketsphinx's wheel ships a
US-English acoustic model, a trigram language model and the CMU dictionary, so this runs offline.
The draft has recognition errors (on the English clips here, a word in three to five wrong on read
prose, most words on verse and a phone call); it is meant to be read and corrected, then used as the take's script (Take > Script..., or
`talkface-studio script`).

The recording is cut at its pauses into pieces of at most MAX_PIECE_S, decoded two at a time
(pocketsphinx's C API releases the GIL, ``sphinx_native``), one line per piece: a piece boundary is a
pause, where the script aligner may split the script again. Only English: the model is English.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from talkface_studio.core.errors import ValidationError

from .as_heard import as_heard
from .languages import language_name, primary
from .loading import load_audio
from .speech_regions import SR, speech_regions
from .sphinx_native import dithered_pcm16, model_dir, new_decoder

MAX_PIECE_S = 10.0  # a piece never grows past this (progress and cancel act between pieces: ~2.5 s)
PAD_S = 0.15        # of the recording kept either side of a piece's speech
THREADS = 2


def can_draft(language: str) -> bool:
    return primary(language) == "en"


def draft_script(path, language: str = "en", progress=None, cancel=None, channel: int | None = None) -> str:
    """The words pocketsphinx hears in the recording at ``path`` (its ``channel`` alone, counted
    from 1, where one is given), one line per piece of speech between pauses ('' where it hears
    none). ``progress(done, total)`` is called per piece (seconds of audio); ``cancel`` (a
    ``pipeline.cancel.CancelToken``) is checked between pieces."""
    if not can_draft(language):
        raise ValidationError(f"a draft script can be recognized from English speech only (the speech model "
                              f"that ships is US English); type the {language_name(language)} script instead",
                              path)
    x16 = as_heard(load_audio(path).only_channel(channel))  # as lip sync hears it
    pieces = _pieces(x16)
    total = sum(b - a for a, b in pieces)
    done = 0
    lines = [""] * len(pieces)
    local = threading.local()

    def decode(k: int) -> int:
        if cancel is not None:
            cancel.check()
        decoder = getattr(local, "decoder", None)
        if decoder is None:
            decoder = local.decoder = _decoder()
        a, b = pieces[k]
        decoder.decode(dithered_pcm16(x16[a:b]))
        lines[k] = " ".join((decoder.hyp() or "").split())
        return b - a

    with ThreadPoolExecutor(THREADS) as pool:
        for n in pool.map(decode, range(len(pieces))):
            done += n
            if progress is not None:
                progress(done, total)
    return "\n".join(line for line in lines if line)


def _decoder():
    model = model_dir()
    return new_decoder(lm=os.path.join(model, "en-us.lm.bin"), samprate=SR, loglevel="FATAL")


def _pieces(x16: np.ndarray) -> list[tuple[int, int]]:
    """(first, end) samples of the pieces to decode: runs of speech regions joined up to
    MAX_PIECE_S, each padded by PAD_S; a region longer than that alone is cut every MAX_PIECE_S."""
    out: list[list[float]] = []
    for r in speech_regions(x16):
        start, end = r.start, r.end
        while end - start > MAX_PIECE_S:              # no pause for that long: cut it (rare)
            out.append([start, start + MAX_PIECE_S])
            start += MAX_PIECE_S
        if out and end - out[-1][0] <= MAX_PIECE_S:
            out[-1][1] = end
        else:
            out.append([start, end])
    n = len(x16)
    return [(max(0, int((a - PAD_S) * SR)), min(n, int((b + PAD_S) * SR))) for a, b in out]


__all__ = ["MAX_PIECE_S", "can_draft", "draft_script"]
