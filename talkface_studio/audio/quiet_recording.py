"""A quiet recording raised to a working level before the analysis listens. The take's own audio
is never changed.

Location and dialogue recordings are often made with a lot of headroom: the voice 40 dB or more
under full scale. What the analysis computes is mostly relative to the recording's own loud level,
but not all of it: pocketsphinx hears 16-bit samples with a dither of one step, and the recognizer's
log-mel has a fixed floor, so a voice a few steps tall loses its quiet consonants to both (a
recording here turned down 40 dB closed 3 fewer of its p/b/m with the script). A recording whose
loud level (95th percentile of its 10-ms frames) lies under QUIET_DB is raised to WORKING_DB (by
at most MAX_GAIN_DB), its peak kept under full scale; recordings at an ordinary level are returned
as they are.
"""

from __future__ import annotations

import numpy as np

from .speech_regions import frame_levels

QUIET_DB = -35.0  # a loud level under this is raised (the recordings here: -27 to -11 dB)
WORKING_DB = -20.0  # ... to this
PEAK = 0.95  # never past this
MAX_GAIN_DB = 50.0  # a recording of hiss alone is not raised without end


def at_working_level(x16: np.ndarray) -> np.ndarray:
    """`x16` raised to WORKING_DB where its loud level is under QUIET_DB; `x16` itself otherwise."""
    levels = frame_levels(x16)
    live = levels[levels > -110]
    if live.size == 0:
        return x16  # digital silence: nothing to raise
    loud = float(np.percentile(live, 95))
    peak = float(np.abs(x16).max())
    if loud >= QUIET_DB or peak == 0.0:
        return x16
    gain = min(10 ** (min(WORKING_DB - loud, MAX_GAIN_DB) / 20), PEAK / peak)
    return (x16 * gain).astype(x16.dtype, copy=False)
