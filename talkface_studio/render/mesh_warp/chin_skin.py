"""The skin under the lower lip shares a stretch down to the chin; one strip does not take it all.

Stage 1 moves the lower lip on its own when it closes a /p b m/ or comes up from a photo's parted
lips (a smiling portrait's neutral take closes them), while the skin below it, down to the chin,
stays where the jaw holds it. The mesh's first row under the lip (18, 83, 313, ...) is ~7 mm below
it, so that one strip of triangles took the whole rise: in a closed frame it was 1.3-1.5 times the
photo's height on portraits photographed with closed lips and 1.9-2.2 times on those with parted
ones, the rest of the chin unmoved (1.0). The texture there (stubble, the labiomental fold's shadow,
the lip's lower edge) smeared into vertical streaks under the mouth. Skin is one sheet: where the
strip under the lip is stretched beyond its length in the photo (at the frame's scale), the two
rows below it follow the lip, 2/3 and 1/3 of the excess, so the three strips down to the chin's
boss share it equally (each 1/3); a strip the frame shortens (an open jaw drops lip and chin
together, a lower lip that drops alone) is left as it is. Cost: a few vectorised operations over
five chains of four points a frame.
"""

from __future__ import annotations

import numpy as np

# From the lower lip's outer edge down to the chin's boss, one chain per column: (lip, first row,
# second row, the row that stays), across the lower lip from corner to corner.
CHAINS = np.array([(181, 182, 194, 32), (84, 83, 201, 208), (17, 18, 200, 199), (314, 313, 421, 428),
                   (405, 406, 418, 262)], dtype=np.int64)
_LIP, _FIRST, _SECOND = CHAINS[:, 0], CHAINS[:, 1], CHAINS[:, 2]


def share_chin_stretch(lm: np.ndarray, src: np.ndarray, zoom: float) -> np.ndarray:
    """Frame landmarks lm [N, 3] (output px) with the stretch of the strip under the lower lip,
    beyond its length in the photo (src [N, 3], the same px at the photo's scale; ``zoom``: the
    frame's scale over the photo's), shared equally with the two strips below it; lm itself where
    no strip under the lip is stretched."""
    strip = lm[_FIRST, :2] - lm[_LIP, :2]
    length = np.linalg.norm(strip, axis=1)
    excess = np.maximum(length - zoom * np.linalg.norm(src[_FIRST, :2] - src[_LIP, :2], axis=1), 0.0)
    if not excess.any():
        return lm
    down = strip / np.maximum(length, 1e-9)[:, None]        # from the lip down its column
    out = np.array(lm, dtype=np.float64, copy=True)
    out[_FIRST, :2] -= (2.0 / 3.0 * excess)[:, None] * down   # up toward the lip
    out[_SECOND, :2] -= (1.0 / 3.0 * excess)[:, None] * down
    return out
