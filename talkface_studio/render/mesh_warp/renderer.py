"""The default stage-2 renderer: the portrait texture-mapped through the 478-point mesh, no weights.

Per frame: place the warp mesh on the frame's landmarks, rasterise where each coarse cell comes
from in the portrait (``raster``), upsample that displacement and sample the portrait once at full
resolution (``flow``), then paint what the portrait cannot supply: the mouth interior (``mouth``)
and irises at the new gaze / lids closing (``eyes``), after creasing the skin where the expression
squeezes it (``wrinkles``). The same code serves 256, 512 and 1024 px.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.limits import check_render_size
from talkface_studio.face.person_matte import HeadMatte, head_matte
from talkface_studio.portrait_store import entry_key, stored

from talkface_studio.torch_support.device import choose_device
from . import flow
from .appearance import PortraitLook, opening_seen, read_portrait
from .brow_hair import hair_shares
from .code_version import source_digest
from .drawn_softness import SoftenedPainting, eyes_box
from .eyes import draw_eyes
from .footprint import sample_footprints
from .mouth import draw_mouth
from .mouth_look import read_mouth
from .pixel_ops import NUMPY
from .resize_aa import resize_antialiased
from .smile_relief import smile_score
from .lip_contact import refine_corners, refine_lips
from .mirror_fill import mirror_field, mirror_gain, paint_mirror
from .raster import node_step, rasterize_displacement
from ..registry import register_renderer
from .rigid_glasses import find_glasses, hold_glasses
from .seam_tone import match_seam_tone, painted_share
from .silhouette import silhouette_edges, soften_silhouette
from .unfold_expression import FacingGuard, frame_landmarks, guard_for
from .warp_mesh import WarpMesh, build_warp_mesh, signed_areas
from .wrinkles import FoldMap, FoldShading, prepare_folds, shade_frame
from .wrinkles import confine as confine_folds

N_LANDMARKS = 478
CACHE_PORTRAITS = 4
GPU_BATCH = 8      # frames a GPU draws together (``batched``)
ANCHOR_GAINS = (1.0, 1.1, 0.8, 0.6)   # background follow tried, in order, when something folds


def face_triangles() -> np.ndarray:
    from talkface_studio.face.topology import TRIANGLES
    return np.asarray(TRIANGLES, dtype=np.int64)


@dataclass
class _Prepared:
    """Everything about one portrait at one output size that frames reuse. Textures are those of
    ``pixel_ops``: float32 [S, S, C] numpy on the CPU path, [1, C, S, S] tensors on the tensor one."""

    texture: object              # the portrait, float 0..255, plus flow.TEXTURE_OFFSET
    mesh: WarpMesh
    look: PortraitLook
    iris_patches: tuple          # per eye: (iris texture [P, P], the same for a widened eye)
    irisless: object             # the texture with irises painted out (+offset)
    nodes: np.ndarray            # [grid, grid, 2] pixel positions of the coarse grid's nodes
    identity: object             # every pixel centre in grid units: [S, S, 2] numpy on the CPU,
                                 # [1, S, S, 2] tensor on a GPU (``flow.sampling_grid``)
    size: int
    folds: FoldShading           # expression folds drawn in the portrait's pixels
    texture4: object             # tensor path: [1, 4, size, size] the moving layer (head, hair, neck;
                                 # +offset), 4th its matte (``face.person_matte``); None on the CPU
    plate: object                # tensor path: [1, 3, size, size] the still layer (+offset), head
                                 # filled in; None on the CPU (``cpu`` holds both layers there)
    head_box: tuple              # (x0, y0, x1, y1) of the moving layer in the portrait
    plate_u8: np.ndarray         # uint8 [size, size, 3]: the plate as a frame (the photo outside the head)
    glasses: tuple | None = None  # (footprint [S, S], its box, its top bar [S, S]) with glasses
    cpu: dict | None = None      # the CPU path's channels-last uint8 RGBA copies of the moving layer
                                 # (layer4) and the still one (plate4), the matte float [S, S]
    resolution: float = 1.0      # texture pixels per photo pixel (>= 1: a small photo magnified)
    blurred: dict = dataclasses.field(default_factory=dict)   # the moving layer prefiltered along
                                 # x or y (``footprint``), made when a frame first needs one
    mirror_gain: np.ndarray = dataclasses.field(default_factory=lambda: np.ones(3, np.float32))
                                 # colour of the photo's hidden side over its mirror's (``mirror_fill``)
    guard: FacingGuard | None = None   # what an expression may not fold (``unfold_expression``)
    glasses_frame: object = None  # texture [S, S, 1] of the glasses' footprint (portrait px): a widened
                                  # eye is not drawn over the frame (``eyes.draw_eyes``)

    @property
    def grid(self) -> int:
        return self.nodes.shape[0]


def _identity(size: int, ops, like):
    ident = flow.identity_grid(size)
    return ident if ops is NUMPY else ops.const(ident, like)[None]


def _resolution(portrait, width: int, size: int) -> float:
    """Texture pixels per pixel of the photo the portrait was cropped from (at least 1)."""
    crop = getattr(portrait, "crop_box", None)
    photo = (crop[2] - crop[0]) if crop is not None else width
    return max(1.0, size / max(float(photo), 1.0))


def _photo_region(portrait, size: int) -> np.ndarray | None:
    """bool [size, size]: where the portrait's crop is the photo's own pixels, not the fill of a
    crop that ran past it (``face.edge_fill``); None when it did not (or nothing says)."""
    crop, source = getattr(portrait, "crop_box", None), getattr(portrait, "source_size", None)
    if crop is None or source is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in crop)
    w, h = (float(v) for v in source)
    if x0 >= 0 and y0 >= 0 and x1 <= w and y1 <= h:
        return None
    centres = np.arange(size) + 0.5
    xs, ys = x0 + centres * (x1 - x0) / size, y0 + centres * (y1 - y0) / size
    return ((ys >= 0) & (ys < h))[:, None] & ((xs >= 0) & (xs < w))[None, :]


def _reach(box, shift: np.ndarray, spread: float, size: int):
    """The window (x0, y0, x1, y1) covering ``box`` where it was and where ``shift`` carried it,
    grown by ``spread`` pixels and clipped to the frame; None if empty."""
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return None
    dx, dy = float(shift[0]), float(shift[1])
    x0, x1 = min(x0, x0 + dx) - spread, max(x1, x1 + dx) + spread
    y0, y1 = min(y0, y0 + dy) - spread, max(y1, y1 + dy) + spread
    x0, y0 = max(int(x0), 0), max(int(y0), 0)
    x1, y1 = min(int(np.ceil(x1)), size), min(int(np.ceil(y1)), size)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def coarse_grid(size: int) -> int:
    """Cells per side of the displacement grid: ~4 px wide, at least 64, at most 256."""
    return int(min(256, max(64, size // 4)))


class MeshWarpRenderer:
    """Landmark-driven mesh warp. ``render`` streams frames; only per-portrait caches are kept.

    ``detail`` scales the expression fold shading (0 turns it off, 1 is the tuned depth).
    ``batch``: frames drawn together on the tensor path (``batched``); 0 picks 8 on a GPU and the
    CPU's own one-frame path (numpy and OpenCV, channels last; torch is never imported) on the
    CPU, where a batch gains nothing. A batch given on the CPU runs the GPU's torch code there
    (how the tests check it). The drawing modules serve both through ``pixel_ops``."""

    name = "mesh_warp"
    version = "4"  # with the source digest and the detail setting, part of every frame-cache key

    def __init__(self, device="auto", grid: int | None = None, detail: float = 1.0,
                 batch: int = 0):
        self.device = choose_device(device, "render device")     # torch is imported only for the tensor path
        self.grid = grid
        if not 0 <= int(batch) <= 64:
            raise ValidationError(f"mesh_warp batch must be in 0..64, got {batch}")
        self.batch = int(batch) or (1 if self.device.type == "cpu" else GPU_BATCH)
        self._tensors = self.device.type != "cpu" or int(batch) > 0   # the GPU's code path
        if self._tensors:
            from .pixel_ops_torch import TORCH
            self._ops, self._like = TORCH, self.device.torch()
        else:
            self._ops, self._like = NUMPY, None
        if not 0.0 <= float(detail) <= 3.0:
            raise ValidationError(f"mesh_warp detail must be in 0..3, got {detail}")
        self.detail = float(detail)
        # instance attribute: frames with another detail or from other code are other frames
        # (the face room's matte and glasses finders shape the pixels too)
        package = Path(__file__).parent  # render/mesh_warp: every module that draws
        code = source_digest(str(package)) + source_digest(str(package.parents[1] / "face"))
        self.version = f"{MeshWarpRenderer.version}.{code}.d{self.detail:g}" + (".t" if self._tensors else "")
        self._cache: OrderedDict[tuple, _Prepared] = OrderedDict()
        self._local = threading.local()

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
        tex = np.asarray(image[..., :3], dtype=np.float32)
        if (h, w) != (size, size):
            tex = resize_antialiased(image[..., :3], size)
        lm = src_lm * np.array([size / w, size / h, size / w])
        tex_np = np.round(tex).astype(np.uint8)
        look = read_portrait(tex_np, lm)
        look = dataclasses.replace(look, mouth=read_mouth(tex_np, lm, look.lip, look.sclera, flow.TEXTURE_OFFSET),
                                   smile_score=smile_score(lm),
                                   # (read at the portrait's own resolution: the same at any render size)
                                   mouth_seen=opening_seen(np.asarray(image[..., :3]), src_lm))
        ops, like = self._ops, self._like

        def texture_of(hwc):
            return ops.texture(hwc, like)
        if look.mouth.atlas is not None and ops is not NUMPY:
            look = dataclasses.replace(look, mouth=dataclasses.replace(look.mouth, atlas=texture_of(look.mouth.atlas)))
        patches = tuple((texture_of(e.patch), texture_of(e.open_patch)) for e in look.eyes)
        # the slow, per-portrait parts come from disk after the first time (``portrait_store``)
        photo = _photo_region(portrait, size)
        stamp = entry_key(tex_np, lm, self.version, None if photo is None else np.packbits(photo))
        head = stored("head", stamp, lambda: head_matte(tex_np, lm, photo=photo), (HeadMatte,))
        hair = np.where(np.arange(size)[:, None] + 0.5 < lm[152, 1], head.hair, 0.0)
        layers = {} if ops is NUMPY else {
            "texture4": texture_of(np.concatenate([head.head + flow.TEXTURE_OFFSET, head.matte[..., None]], axis=2)),
            "plate": texture_of(head.plate + flow.TEXTURE_OFFSET)}
        held = find_glasses(image, src_lm, size, lm)
        prep = _Prepared(texture=texture_of(tex + flow.TEXTURE_OFFSET),
                         mesh=build_warp_mesh(face_triangles(), lm, size, hair=hair, neck=head.neck,
                                              photo=photo, head=head.matte, rgb=tex_np, plate=head.plate),
                         look=look,
                         iris_patches=patches,
                         irisless=texture_of(look.irisless + flow.TEXTURE_OFFSET),
                         nodes=flow.cell_positions(self.grid or coarse_grid(size), size),
                         identity=_identity(size, ops, like), size=size,
                         folds=stored("folds", stamp,
                                      lambda: confine_folds(prepare_folds(tex_np, lm, self.detail), head.matte),
                                      (FoldShading, FoldMap)),
                         texture4=layers.get("texture4"), plate=layers.get("plate"), head_box=head.box,
                         plate_u8=np.floor(head.plate + flow.TEXTURE_OFFSET).clip(0, 255).astype(np.uint8),
                         cpu=self._cpu_copies(head, size), glasses=held,
                         resolution=_resolution(portrait, w, size))
        prep.mirror_gain = mirror_gain(tex_np, lm, prep.mesh, face_triangles())
        if held is not None:
            prep.glasses_frame = texture_of(held[0][..., None])
        prep.guard = guard_for(lm, prep.mesh, brow_hair=hair_shares(tex_np, lm, None if held is None else held[0]))
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

    def _cpu_copies(self, head, size: int) -> dict | None:
        if self._tensors:
            return None
        # 8 bits a channel: the photo is 8-bit anyway, and OpenCV remaps and blends 8-bit images
        # about twice as fast as float ones
        def u8(a):
            return np.clip(np.round(a), 0, 255).astype(np.uint8)
        layer4 = np.concatenate([u8(head.head), u8(head.matte * 255.0)[..., None]], axis=2)
        plate4 = np.concatenate([u8(head.plate), np.zeros(head.matte.shape + (1,), np.uint8)], axis=2)
        return {"layer4": np.ascontiguousarray(layer4), "plate4": np.ascontiguousarray(plate4),
                "matte": np.ascontiguousarray(head.matte, dtype=np.float32)}

    def _scratch(self, prep: _Prepared):
        """(frame, grid) buffers reused from frame to frame, one pair per thread and size (a fresh
        full-size allocation costs page faults on every frame): on the CPU a channels-last
        [S, S, 3] frame and an [S, S, 2] grid, numpy; on a GPU [3, S, S] and [1, 2, S, S]."""
        key = (prep.size, str(self.device), prep.cpu is not None)
        bufs = getattr(self._local, "bufs", None)
        if bufs is None or bufs[0] != key:
            s = prep.size
            if prep.cpu is not None:
                bufs = (key, np.empty((s, s, 3), np.float32), np.empty((s, s, 2), np.float32))
            else:
                import torch
                bufs = (key, torch.empty((3, s, s), device=self._like),
                        torch.empty((1, 2, s, s), device=self._like))
            self._local.bufs = bufs
        return bufs[1], bufs[2]

    def _window(self, prep: _Prepared, lm: np.ndarray):
        """Where the moving layer can show in this frame: its box in the portrait and where the
        frame's landmarks carried it (nothing in it moves further than a landmark); None when
        nothing moved. The rest of the frame is the still layer."""
        move = lm[:, :2] - prep.look.landmarks[:, :2]
        shift = move.mean(0)
        spread = 1.15 * float(np.abs(move - shift).max()) + 2.0
        return _reach(prep.head_box, shift, spread, prep.size)

    def _grid(self, prep: _Prepared, coarse: np.ndarray):
        """The frame's sampling grid [1, S, S, 2] (grid_sample units) from the coarse displacement."""
        out = self._scratch(prep)[1] if prep.cpu is not None else None
        return flow.sampling_grid(coarse, prep.identity, out)

    def _composite(self, prep: _Prepared, grid, window):
        """The still layer with the warped head, hair and neck over it: [3, S, S], valid inside
        ``window`` (outside it the frame is the still layer: ``flow.to_image`` copies that in).

        The still layer is the photo itself outside the head: background pixels never swim. On
        the CPU the moving layer is sampled by OpenCV's remap and blended in numpy, channels
        last, into a reused buffer (seen as [3, S, S] by the later stages, a numpy view); every
        step runs on one thread (OpenCV would split them across a busy second core and wait)."""
        x0, y0, x1, y1 = window
        if prep.cpu is not None:
            frame_hwc, _ = self._scratch(prep)
            layer = flow.remap(prep.cpu["layer4"], grid[0, y0:y1, x0:x1])     # uint8 RGBA
            alpha = cv2.extractChannel(layer, 3).astype(np.float32)
            alpha *= np.float32(1.0 / 255.0)
            # layer * alpha + plate * (1 - alpha), SIMD (numpy on 3-of-4 channel views crawls)
            mixed = cv2.blendLinear(layer, prep.cpu["plate4"][y0:y1, x0:x1], alpha, 1.0 - alpha)
            np.add(cv2.cvtColor(mixed, cv2.COLOR_RGBA2RGB), np.float32(flow.TEXTURE_OFFSET),
                   out=frame_hwc[y0:y1, x0:x1], casting="unsafe")
            return frame_hwc.transpose(2, 0, 1)
        frame = self._scratch(prep)[0]
        sub = flow.sample_grid(prep.texture4, grid[:, y0:y1, x0:x1])[0]
        still = prep.plate[0, :, y0:y1, x0:x1]
        frame[:, y0:y1, x0:x1] = still + (sub[:3] - still) * sub[3:4]
        return frame

    def render_frame(self, prep: _Prepared, lm: np.ndarray) -> np.ndarray:
        """One frame: lm [478, 3] in output pixels -> uint8 [size, size, 3]."""
        lm = frame_landmarks(lm, prep.guard)
        pts, depth = self._mesh_points(prep, lm)
        refilled = np.zeros((prep.grid, prep.grid), bool)
        coarse = rasterize_displacement(prep.mesh, pts, depth, prep.grid, prep.size, refilled)
        if prep.glasses is not None:
            coarse = hold_glasses(coarse, prep.nodes, *prep.glasses, prep.look.landmarks, lm, prep.mesh)
        window = self._window(prep, lm)
        if window is None:
            return prep.plate_u8.copy()
        grid = self._grid(prep, coarse)
        refine_lips(grid, prep.mesh, pts, depth, lm, prep.size, prep.look.landmarks,
                    node_step(prep.grid, prep.size))
        refine_corners(grid, prep.mesh, pts, depth, lm, prep.size)
        frame = self._composite(prep, grid, window)
        layers = (prep.texture4, prep.plate) if prep.cpu is None else \
            (prep.cpu["layer4"], prep.cpu["plate4"])
        sample_footprints(frame, grid, coarse, *layers, prep.blurred, prep.resolution, window, refilled)
        mirror = mirror_field(prep.mesh, pts, depth, prep.grid, prep.size)
        paint_mirror(frame, mirror, *layers, prep.mirror_gain, window)
        edges = silhouette_edges(prep.mesh, pts, depth)
        if edges is not None:
            soften_silhouette(frame, coarse, edges, *layers, window)
        match_seam_tone(frame, coarse, painted_share(refilled, mirror), prep.mesh.edge_depth, window)
        if self.detail > 0:
            shade_frame(frame, grid[0], lm, prep.folds)
        with SoftenedPainting(frame, lm, prep.resolution):   # a magnified photo's softness
            draw_mouth(frame, lm, prep.look, prep.texture)
        with SoftenedPainting(frame, lm, prep.resolution, eyes_box):
            draw_eyes(frame, grid[0], lm, prep.look, prep.iris_patches, prep.texture, prep.irisless,
                      prep.glasses_frame)
        return flow.to_image(frame, prep.plate_u8, window)

    def layer_alpha(self, portrait, lm: np.ndarray, size: int) -> np.ndarray:
        """Where the moving layer (head, hair, neck) lands in the frame for landmarks lm [478, 3]
        (output px): float32 [size, size] 0..1. Frames do not need it; measures of what a moving
        head uncovers do (``benchmarks/bench_background.py``, the layer tests)."""
        prep = self.prepare(portrait, int(size))
        with self._inference():
            pts, depth = self._mesh_points(prep, frame_landmarks(np.asarray(lm, np.float64), prep.guard))
            coarse = rasterize_displacement(prep.mesh, pts, depth, prep.grid, prep.size)
            if prep.cpu is not None:
                grid = flow.sampling_grid(coarse, prep.identity, np.empty((prep.size, prep.size, 2), np.float32))
                return flow.remap(prep.cpu["matte"], grid[0])
            grid = flow.sampling_grid(coarse, prep.identity)
            return flow.sample_grid(prep.texture4[:, 3:4], grid)[0, 0].cpu().numpy()

    def _inference(self):
        """torch's inference mode on the tensor path; nothing (and no torch) on the CPU path."""
        if not self._tensors:
            return contextlib.nullcontext()
        import torch
        return torch.inference_mode()

    def render(self, portrait, landmarks_px: np.ndarray, size: int) -> Iterator[np.ndarray]:
        """Yield one uint8 [size, size, 3] frame per row of landmarks_px [T, 478, 3] (output px)."""
        lms = np.asarray(landmarks_px, dtype=np.float64)
        if lms.ndim == 2:
            lms = lms[None]
        if lms.ndim != 3 or lms.shape[1:] != (N_LANDMARKS, 3):
            raise ValidationError(f"landmarks must be [T, 478, 3], got {list(np.shape(landmarks_px))}")
        if not np.all(np.isfinite(lms)):
            raise ValidationError("landmarks contain NaN or infinite values")
        size = check_render_size(size)
        prep = self.prepare(portrait, int(size))
        with self._inference():
            if self._tensors and self.batch > 1:
                from .batched import render_batch
                for a in range(0, len(lms), self.batch):
                    yield from render_batch(self, prep, lms[a:a + self.batch])
                return
            for lm in lms:
                yield self.render_frame(prep, lm)


register_renderer("mesh_warp", MeshWarpRenderer)
