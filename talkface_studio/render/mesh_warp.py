"""The default stage-2 renderer: the portrait texture-mapped through the 478-point mesh, no weights.

Per frame: place the warp mesh on the frame's landmarks, rasterise where each coarse cell comes
from in the portrait (``raster``), upsample that displacement and sample the portrait once at full
resolution (``flow``), then paint what the portrait cannot supply: the mouth interior (``mouth``)
and irises at the new gaze / lids closing (``eyes``), after creasing the skin where the expression
squeezes it (``wrinkles``). The same code serves 256, 512 and 1024 px.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from talkface_studio.core.errors import ValidationError

from . import flow
from .appearance import PortraitLook, read_portrait
from .code_version import source_digest
from .device import pick_device
from .eyes import draw_eyes
from .mouth import draw_mouth
from .mouth_look import read_mouth
from .lip_contact import refine_lips, uncross_lips
from .raster import rasterize_displacement
from .registry import register_renderer
from .warp_mesh import WarpMesh, build_warp_mesh, signed_areas
from .wrinkles import FoldShading, prepare_folds, shade_frame

N_LANDMARKS = 478
CACHE_PORTRAITS = 4
ANCHOR_GAINS = (1.0, 1.1, 0.8, 0.6)   # background follow tried, in order, when something folds


def face_triangles() -> np.ndarray:
    from talkface_studio.face.topology import TRIANGLES
    return np.asarray(TRIANGLES, dtype=np.int64)


@dataclass
class _Prepared:
    """Everything about one portrait at one output size that frames reuse."""

    texture: torch.Tensor        # [1, 3, size, size] float 0..255, plus flow.TEXTURE_OFFSET
    mesh: WarpMesh
    look: PortraitLook
    iris_patches: tuple          # two [1, 3, P, P] tensors
    irisless: torch.Tensor       # [1, 3, size, size] the texture with irises painted out (+offset)
    nodes: np.ndarray            # [grid, grid, 2] pixel positions of the coarse grid's nodes
    upsample: torch.Tensor       # [1, size, size, 2] each pixel's place on the coarse grid
    size: int
    folds: FoldShading           # expression folds drawn in the portrait's pixels

    @property
    def grid(self) -> int:
        return self.nodes.shape[0]


def coarse_grid(size: int) -> int:
    """Nodes per side of the displacement grid: ~4 px apart, at least 65, at most 257."""
    return int(min(256, max(64, size // 4))) + 1


class MeshWarpRenderer:
    """Landmark-driven mesh warp. ``render`` streams frames; only per-portrait caches are kept.

    ``detail`` scales the expression fold shading (0 turns it off, 1 is the tuned depth)."""

    name = "mesh_warp"
    version = "4"  # with the source digest and the detail setting, part of every frame-cache key

    def __init__(self, device: str | torch.device = "auto", grid: int | None = None, detail: float = 1.0):
        self.device = pick_device(device)
        self.grid = grid
        if not 0.0 <= float(detail) <= 3.0:
            raise ValidationError(f"mesh_warp detail must be in 0..3, got {detail}")
        self.detail = float(detail)
        # instance attribute: frames with another detail or from other code are other frames
        self.version = f"{MeshWarpRenderer.version}.{source_digest(str(Path(__file__).parent))}.d{self.detail:g}"
        self._cache: OrderedDict[tuple, _Prepared] = OrderedDict()

    # -- source side -----------------------------------------------------------------------
    def prepare(self, portrait, size: int) -> _Prepared:
        image = np.asarray(portrait.image)
        src_lm = np.asarray(portrait.landmarks, dtype=np.float64)
        if image.ndim != 3 or image.shape[2] < 3 or src_lm.shape != (N_LANDMARKS, 3):
            raise ValidationError("portrait needs an RGB image and 478 landmarks",
                                  getattr(portrait, "source_path", None))
        key = (hashlib.blake2b(image.tobytes(), digest_size=16).hexdigest(), image.shape,
               src_lm.tobytes(), int(size))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        h, w = image.shape[:2]
        tex = torch.from_numpy(np.array(image[..., :3], dtype=np.uint8)).permute(2, 0, 1)[None].float()
        if (h, w) != (size, size):
            tex = F.interpolate(tex, size=(size, size), mode="bilinear", align_corners=False,
                                antialias=True).clamp(0, 255)
        lm = src_lm * np.array([size / w, size / h, size / w])
        tex_np = tex[0].permute(1, 2, 0).round().byte().numpy()
        look = read_portrait(tex_np, lm)
        look = dataclasses.replace(look, mouth=read_mouth(tex_np, lm, look.lip, look.sclera,
                                                          flow.TEXTURE_OFFSET, self.device))
        patches = tuple(torch.from_numpy(e.patch).permute(2, 0, 1)[None].float().to(self.device)
                        for e in look.eyes)
        irisless = torch.from_numpy(look.irisless).permute(2, 0, 1)[None]
        prep = _Prepared(texture=(tex + flow.TEXTURE_OFFSET).contiguous().to(self.device),
                         mesh=build_warp_mesh(face_triangles(), lm, size), look=look,
                         iris_patches=patches,
                         irisless=(irisless + flow.TEXTURE_OFFSET).contiguous().to(self.device),
                         nodes=flow.node_positions(self.grid or coarse_grid(size), size),
                         upsample=flow.upsample_grid(size, self.device), size=size,
                         folds=prepare_folds(tex_np, lm, self.detail))
        self._cache[key] = prep
        while len(self._cache) > CACHE_PORTRAITS:
            self._cache.popitem(last=False)
        return prep

    # -- per frame -------------------------------------------------------------------------
    def _mesh_points(self, prep: _Prepared, lm: np.ndarray):
        """Frame mesh points. If some outside triangle would fold (a large move of the head against
        the fixed frame), try stiffer and softer background follow and keep the one folding least;
        triangles that still fold are left out by the rasteriser."""
        mesh = prep.mesh
        outside = mesh.triangles[mesh.n_face_tris:]
        ref = np.sign(mesh.src_area[mesh.n_face_tris:])
        best = None
        for gain in ANCHOR_GAINS:
            pts, depth = mesh.target_points(lm, anchor_gain=gain)
            folds = int(np.count_nonzero(np.sign(signed_areas(pts, outside)) != ref))
            if best is None or folds < best[0]:
                best = (folds, pts, depth)
            if folds == 0:
                break
        return best[1], best[2]

    def render_frame(self, prep: _Prepared, lm: np.ndarray) -> np.ndarray:
        """One frame: lm [478, 3] in output pixels -> uint8 [size, size, 3]."""
        lm = uncross_lips(lm)
        pts, depth = self._mesh_points(prep, lm)
        coarse = rasterize_displacement(prep.mesh, pts, depth, prep.grid, prep.size)
        grid = flow.sampling_grid(coarse, prep.nodes, prep.upsample)
        refine_lips(grid, prep.mesh, pts, depth, lm, prep.size)
        frame = flow.sample_grid(prep.texture, grid)[0]
        if self.detail > 0:
            shade_frame(frame, grid[0], lm, prep.folds)
        draw_mouth(frame, lm, prep.look, prep.texture)
        draw_eyes(frame, grid[0], lm, prep.look, prep.iris_patches, prep.texture, prep.irisless)
        return flow.to_image(frame)

    def render(self, portrait, landmarks_px: np.ndarray, size: int) -> Iterator[np.ndarray]:
        """Yield one uint8 [size, size, 3] frame per row of landmarks_px [T, 478, 3] (output px)."""
        lms = np.asarray(landmarks_px, dtype=np.float64)
        if lms.ndim == 2:
            lms = lms[None]
        if lms.ndim != 3 or lms.shape[1:] != (N_LANDMARKS, 3):
            raise ValidationError(f"landmarks must be [T, 478, 3], got {list(np.shape(landmarks_px))}")
        if not np.all(np.isfinite(lms)):
            raise ValidationError("landmarks contain NaN or infinite values")
        if int(size) != size or not 16 <= size <= 4096:
            raise ValidationError(f"render size must be a whole number of pixels in 16..4096, got {size}")
        prep = self.prepare(portrait, int(size))
        with torch.inference_mode():
            for lm in lms:
                yield self.render_frame(prep, lm)


register_renderer("mesh_warp", MeshWarpRenderer)
