"""One channel from a recording of several: for analysis, the timeline's waveform and scrubbing.

The mean of the channels is the usual mix. But a stereo file whose two channels carry the same
signal with one polarity-inverted (a miswired balanced cable, a "wide" stereo effect) mixes to
near silence: the take was analysed as silent and the mouth froze while the file, played in
stereo, spoke. Where the mix keeps less than `CANCEL_RATIO` of the channels' mean power (two
unrelated channels keep half of it, two alike all of it), the loudest channel is used alone
(the first of those within 10% of the loudest: left, when they are alike).
"""

from __future__ import annotations

import numpy as np

CANCEL_RATIO = 0.25  # -6 dB: the channels are anti-correlated, not merely unrelated


def cancelling_mix(samples: np.ndarray) -> int | None:
    """The channel to use alone when the channels of `samples` [N, C] cancel in their mean; else None."""
    x = np.asarray(samples, np.float32)
    if x.ndim != 2 or x.shape[1] < 2 or x.shape[0] == 0:
        return None
    power = np.einsum("ij,ij->j", x, x, dtype=np.float64)  # no N x C temporary for long takes
    mix = x.mean(axis=1, dtype=np.float32)
    if float(np.dot(mix.astype(np.float64), mix)) >= CANCEL_RATIO * float(power.mean()):
        return None
    return int(np.argmax(power >= 0.9 * power.max()))  # the first of the loudest (left, when alike)


def mix_down(samples: np.ndarray) -> tuple[np.ndarray, int | None]:
    """(float32 [N], the channel used alone or None) from [N] or [N, C]: the channels' mean, or the
    loudest channel where they cancel (cancelling_mix)."""
    x = np.asarray(samples, np.float32)
    if x.ndim == 1:
        return x, None
    channel = cancelling_mix(x)
    if channel is None:
        return x.mean(axis=1, dtype=np.float32), None
    return np.ascontiguousarray(x[:, channel]), channel


def to_mono(samples: np.ndarray) -> np.ndarray:
    """float32 [N] from [N] or [N, C] (mix_down)."""
    return mix_down(samples)[0]
