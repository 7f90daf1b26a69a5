"""Mouth interior: when the lips part further than in the portrait, draw what is behind them.

Drawn in the mouth's own frame (u along the corner-to-corner axis 0..1, v down from the upper inner
lip in pixels), so it follows roll and asymmetric openings: a dark cavity in the portrait's lip
colour, upper teeth showing in proportion to the opening, fainter lower teeth, a tongue lit from
above; all clipped to the target inner-lip polygon with an anti-aliased edge.
"""

from __future__ import annotations

import numpy as np
import torch

from .appearance import PortraitLook, mouth_gap
from .face_loops import INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS, inner_lip_loop
from .polygon import bbox, coverage, smoothstep, window_grid


def _interp(x: torch.Tensor, xp: np.ndarray, fp: np.ndarray) -> torch.Tensor:
    """np.interp for a tensor (xp increasing)."""
    order = np.argsort(xp)
    xp_t = torch.as_tensor(xp[order], dtype=torch.float32, device=x.device)
    fp_t = torch.as_tensor(fp[order], dtype=torch.float32, device=x.device)
    xc = x.clamp(xp_t[0], xp_t[-1])
    i = torch.searchsorted(xp_t, xc.contiguous()).clamp(1, len(xp_t) - 1)
    x0, x1, f0, f1 = xp_t[i - 1], xp_t[i], fp_t[i - 1], fp_t[i]
    t = (xc - x0) / (x1 - x0).clamp_min(1e-6)
    return f0 + (f1 - f0) * t


def _close_over(frame: torch.Tensor, lm: np.ndarray, colours: PortraitLook, opening: float) -> None:
    """Lips closing over a portrait's open mouth: what was teeth squeezed into the gap becomes the
    dark seam where the lips meet."""
    if colours.mouth_open < 0.02 or opening >= colours.mouth_open:
        return
    closing = smoothstep(0.0, 1.0, 1.0 - opening / colours.mouth_open)
    loop = lm[inner_lip_loop(), :2]
    x0, y0, w, h = bbox(loop, frame.shape[-1], pad=2.0)
    if w < 2 or h < 2:
        return
    pts = window_grid(x0, y0, w, h, frame.device)
    alpha = coverage(torch.as_tensor(loop, dtype=torch.float32, device=frame.device), pts, 1.5) * closing
    seam = torch.as_tensor(colours.lip, device=frame.device)[:, None, None] * 0.5
    win = frame[:, y0:y0 + h, x0:x0 + w]
    win[:] = win + (seam - win) * alpha[None]


def draw_mouth(frame: torch.Tensor, lm: np.ndarray, colours: PortraitLook) -> None:
    """Paint the mouth interior into frame [3, S, S] (float 0..255) in place; lm [478, 3] target."""
    opening = mouth_gap(lm)
    strength = smoothstep(colours.mouth_open, colours.mouth_open + 0.05, opening)
    if strength <= 0:
        _close_over(frame, lm, colours, opening)
        return
    size = frame.shape[-1]
    dev = frame.device
    loop = lm[inner_lip_loop(), :2]
    x0, y0, w, h = bbox(loop, size, pad=2.0)
    if w < 2 or h < 2:
        return
    a, b = lm[MOUTH_CORNERS[0], :2], lm[MOUTH_CORNERS[1], :2]
    width = max(float(np.linalg.norm(b - a)), 1e-3)
    ex = (b - a) / width
    ey = np.array([-ex[1], ex[0]])

    def to_uv(p):
        q = p - a
        return q @ ex / width, q @ ey

    u_up, v_up = to_uv(np.concatenate([[a], lm[INNER_UPPER_LIP, :2], [b]]))
    u_lo, v_lo = to_uv(np.concatenate([[a], lm[INNER_LOWER_LIP, :2], [b]]))
    pts = window_grid(x0, y0, w, h, dev)
    q = pts - torch.as_tensor(a, dtype=torch.float32, device=dev)
    u = (q @ torch.as_tensor(ex, dtype=torch.float32, device=dev)) / width
    v = q @ torch.as_tensor(ey, dtype=torch.float32, device=dev)
    top = _interp(u, u_up, v_up)
    bottom = _interp(u, u_lo, v_lo)
    gap = (bottom - top).clamp_min(0)
    below_top, above_bottom = v - top, bottom - v
    across = (2 * u - 1).abs()                                  # 0 centre .. 1 corners

    lip = torch.as_tensor(colours.lip, device=dev)[:, None, None]
    white = torch.as_tensor(colours.sclera, device=dev)[:, None, None]
    # Cavity: the lip colour in deep shadow, darkest under the upper teeth, lighter toward the floor.
    depth = (below_top / gap.clamp_min(1)).clamp(0, 1)
    out = lip * (0.12 + 0.1 * depth)[None]

    # Tongue: a low dome on the floor of the mouth, its top catching the light.
    tongue_h = 0.42 * gap * (1 - (across / 0.85).clamp(0, 1) ** 2).sqrt()
    tongue_a = ((tongue_h - above_bottom) + 0.5).clamp(0, 1) * smoothstep(0.08, 0.22, opening)
    lit = 1 - (above_bottom / tongue_h.clamp_min(1)).clamp(0, 1)
    tongue = lip * torch.tensor([0.8, 0.5, 0.5], device=dev)[:, None, None] * (0.55 + 0.45 * (1 - lit))[None]
    out = out + (tongue - out) * tongue_a[None]

    # Lower teeth: a faint band above the lower lip, mostly hidden.
    low_h = torch.clamp(0.2 * gap, max=0.06 * width)
    low_a = 0.45 * ((low_h - above_bottom) + 0.5).clamp(0, 1) * (1 - smoothstep(0.45, 0.75, across))
    out = out + (white * 0.7 - out) * low_a[None]

    # Upper teeth: hang from under the upper lip, more of them as the mouth opens; shadowed by the
    # lip above and by the cheeks toward the corners; faint gaps between the front teeth.
    tooth_h = torch.clamp(0.5 * gap, max=0.13 * width)
    teeth_a = ((tooth_h - below_top) + 0.5).clamp(0, 1) * (1 - smoothstep(0.7, 0.95, across))
    shade = (0.72 + 0.28 * (below_top / (0.4 * tooth_h).clamp_min(1)).clamp(0, 1)) * (1 - 0.5 * across ** 2)
    seams = torch.zeros_like(u)
    for k in (-0.29, -0.16, 0.0, 0.16, 0.29):   # incisor and canine boundaries, in mouth widths
        seams = seams + torch.exp(-(((u - 0.5 - k * 0.5) * width) ** 2) / 0.35)
    shade = shade * (1 - 0.1 * seams.clamp(0, 1))
    out = out + (white * shade[None] - out) * teeth_a[None]

    alpha = coverage(torch.as_tensor(loop, dtype=torch.float32, device=dev), pts) * strength
    win = frame[:, y0:y0 + h, x0:x0 + w]
    win[:] = win + (out - win) * alpha[None]
