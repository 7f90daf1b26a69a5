"""The take as the analysis hears it: 16 kHz mono, a quiet recording raised to a working level
(quiet_recording), a steady background close to the voice taken out (steady_noise). Lip sync
(analysis.analyze) and the script draft (draft_script) hear the same thing; the take's own audio
is never changed."""

from __future__ import annotations

import numpy as np

from .loading import AudioClip
from .quiet_recording import at_working_level
from .speech_regions import SR
from .steady_noise import without_steady_noise


def as_heard(clip: AudioClip) -> np.ndarray:
    """`clip` (one channel or the mix) at 16 kHz, as the analysis hears it."""
    return without_steady_noise(at_working_level(clip.mono(SR)))
