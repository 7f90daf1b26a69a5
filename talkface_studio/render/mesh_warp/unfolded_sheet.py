"""Where a turn unfolds the strip the photo saw from behind, the face goes on in its own skin.

A photo of a turned face (or of a face turned a little, at its far cheek) shows its mesh folded at
the far outline: from the cheek's visible outline it wraps back to the oval, and those triangles
face away in the photo. Their pixels there are the front's, so they are never drawn
(``raster.visible_triangles``). When the head turns back toward the camera, or an expression
pulls the far side, that strip unfolds and faces the camera, 3-8 times as wide as the photo
showed it, and nothing of the face covered it: the grid's gap fill ramped the photo's few edge
pixels across it (a pale, washed smear with the background's colour in it on the turned young
man's lit cheek), or the background ring, whose inner edge follows the face's surface, stretched
the strip beyond the outline over it (the dark gap under the old man's hair as a blotch on his
cheek).

Here, per frame, on the coarse grid, the nodes under such an unfolded triangle that no drawn face
triangle covers, and the drawn nodes beside them still sampling the photo's last ``EDGE`` px
(spread by the same unfolding: MediaPipe's outline there is a few pixels off, so they hold what
lies beyond the cheek, the window or the dark gap, as a line along the refilled skin), take the
face's clean skin (drawn nodes whose source lies deeper than ``EDGE`` px). Where they form a strip
along the face's edge (the unfolded cheek, reaching the ring), the strip and ``BAND`` nodes of the
clean skin beside it show that band of skin stretched smoothly over both (``stretch_strip``): the
skin's own light and texture, continuous at both ends, magnified 1.3-2x, nothing shown twice.
Reflected across the edge instead, the skin's wrinkles came back mirrored, a rippled band down the
old man's cheek at +10 to +25 degrees. Smaller patches (beside a 3/4 face's nose), and a strip
where an eye or the nose beside it leaves too little skin to stretch (a face-filling crop's far
cheek), are still reflected (``reflect_clean``: a node d nodes out samples where the point d
nodes in, straight across the edge, samples). The face reaches its outline landmarks before the ring begins. Frames that unfold
nothing (every still frame, a frontal face at yaw 0, a head turning further away) skip it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import cv2
import numpy as np

from talkface_studio.face.topology import REGIONS

from .face_loops import FACE_OVAL
from .triangle_area import RELIABLE_AREA, front_sign, signed_areas

if TYPE_CHECKING:      # (the warp mesh builds on this module)
    from .warp_mesh import WarpMesh

EDGE = 5.0        # px at 512: the photo's face edge band (its outline's uncertainty and anti-aliasing)
NEAR = 3          # nodes: how far beside the unfolded sheet the drawn face's edge is refilled too
SOFT = 2.0        # px at 512: the photo's soft edge next to the background
GROW = 2          # nodes: how far the refill follows the soft edge beside stray nodes
SPREAD = 1.5      # x area: stray nodes the frame spreads this much are refilled
KEEP_OUTLINE = 1.5  # nodes: the drawn face's outermost nodes, left as they were
OPENED = 2.0      # x area: ... unless the frame opens them this much over background beside the sheet
SMOOTH = 2.5      # nodes: the Gaussian that smooths the way across the edge the reflection takes
                  # (1.5 turned it at every node: the refill read as node-sized bands)
DEEPEST = 4.0     # nodes: the reflection reads no deeper into the clean skin (wider, it mirrored
                  # the features beside it: an eye or a glasses rim)
BAND = 8.0        # nodes of clean skin beside a strip that the strip's stretch spreads over both:
                  # (BAND + the strip's width) / BAND times magnified (wider reached the eye's corner)
WIDTH_SMOOTH = 2.0  # nodes: the Gaussian that evens the strip's width along its length
FEATURE_MARGIN = 1.0  # nodes the band keeps clear of the eyes, brows, nose and lips (``feature_nodes``):
                  # on a face-filling crop its 8 nodes reached the far eye's corner and dragged it
LEAST_BAND = 2.0  # nodes: the narrowest band, where a feature lies right beside the strip
FEATURES = ("left_eye", "right_eye", "left_brow", "right_brow", "nose", "lips_outer")
FULLY_MAGNIFIED, MOST_MAGNIFIED = 2.0, 3.0   # the stretch's magnification up to which it is drawn
                  # alone, and from which the reflection is (between them the two are mixed)
RIM_DEPTH = 1.0   # nodes into the clean skin the strip's outermost node samples (at 0 the grid's
                  # ramp from it out to the ring crossed the photo's edge band: a soft, see-through rim)


def unfolded(mesh: WarpMesh, points: np.ndarray) -> np.ndarray:
    """bool [F]: the face triangles (holes aside) the photo shows from behind that face the camera
    in the frame (points [M, 2]): the folded-back strip, unfolded."""
    n_mesh = mesh.n_face_tris - mesh.n_holes
    src = mesh.src_area[:n_mesh]
    facing = front_sign(src)
    area = signed_areas(points, mesh.triangles[:n_mesh])
    out = np.zeros(len(mesh.triangles), bool)
    out[:n_mesh] = (np.abs(src) > RELIABLE_AREA) & (np.sign(src) != facing) & (np.sign(area) == facing)
    return out


def outline_sides(mesh: WarpMesh, points: np.ndarray, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unfolded sheet's outer edge in the frame (points [M, 2]; kept [F]: the triangles the
    frame draws, ``raster.visible_triangles``): its triangles' sides along the face's oval, and
    those shared with the strip still folded away between it and the oval (undrawn triangles
    on the oval), as (ends [K, 2], opposite [K]) mesh point ids. The refill meets the background
    ring there on the coarse grid, a 4-px stair step, so the outline pass (``silhouette``) draws
    it as an edge. Where the turn unfolds only part of the strip (a face-filling crop's far
    cheek, turned back 15-20 degrees), the sheet ends inside the oval and the ring shows beyond
    it; elsewhere inside the face (beside a 3/4 face's nose) the face goes on past the sheet."""
    sheet = unfolded(mesh, points)
    ids = np.flatnonzero(sheet)
    if len(ids) == 0:
        return np.zeros((0, 2), np.int64), np.zeros(0, np.int64)
    tris = mesh.triangles[ids]
    beside, on_oval = _neighbours(mesh)
    other = beside[ids].reshape(-1)                    # the face triangle across each side, -1: none
    across = np.maximum(other, 0)
    # an edge unless the face goes on across it: another sheet triangle, a drawn one, or one
    # folded away inside the face (not the strip at the outline)
    goes_on = (other >= 0) & (sheet[across] | kept[across] | ~on_oval[across])
    ends = np.stack([tris, np.roll(tris, -1, axis=1)], 2).reshape(-1, 2)
    opposite = np.roll(tris, 1, axis=1).reshape(-1)
    return ends[~goes_on], opposite[~goes_on]


_NEIGHBOURS: dict = {}


def _neighbours(mesh: WarpMesh) -> tuple[np.ndarray, np.ndarray]:
    """Per face triangle (holes aside) the one across each of its sides (side i: corners i and
    i + 1; -1 where none) [F, 3], and whether it has a corner on the face's oval [F] (per mesh,
    kept with its triangles array: ids are reused)."""
    key = id(mesh.triangles)
    if key not in _NEIGHBOURS or _NEIGHBOURS[key][0] is not mesh.triangles:
        face = mesh.triangles[:mesh.n_face_tris - mesh.n_holes]
        ends = np.sort(np.stack([face, np.roll(face, -1, axis=1)], 2).reshape(-1, 2), axis=1)
        side = ends[:, 0] * len(mesh.src) + ends[:, 1]
        order = np.argsort(side, kind="stable")
        beside = np.full(len(side), -1, np.int64)
        pair = np.flatnonzero(side[order][1:] == side[order][:-1])
        beside[order[pair]], beside[order[pair + 1]] = order[pair + 1] // 3, order[pair] // 3
        on_oval = np.zeros(len(mesh.src), bool)
        on_oval[np.asarray(FACE_OVAL)] = True
        _NEIGHBOURS.clear()
        _NEIGHBOURS[key] = (mesh.triangles, beside.reshape(-1, 3), on_oval[face].any(1))
    return _NEIGHBOURS[key][1], _NEIGHBOURS[key][2]


def refill_unfolded(disp: np.ndarray, drawn: np.ndarray, sheet: np.ndarray, edge_depth: np.ndarray,
                    origin: float, step: float, spreading: np.ndarray | None = None,
                    opened: np.ndarray | None = None,
                    features: Callable[[], np.ndarray] | None = None) -> np.ndarray:
    """In place: disp [h, w, 2] (source - target, px, at nodes ``step`` px apart from ``origin``)
    at the nodes where sheet [h, w] is True (the unfolded sheet, nothing drawn over it; may be
    empty), at the drawn nodes within NEAR of them that sample the photo's edge band, and at the
    drawn nodes that sample background the face's triangles take in where the frame spreads it
    (``stray``; spreading [h, w]: nodes under face triangles drawn SPREAD times their area in the
    photo or more, None: none), and at the outermost drawn nodes beside the sheet that sample
    such background where opened [h, w] (the same, OPENED times; None: none), := the face's
    clean skin reflected across its edge
    (``reflect_clean``). Returns those nodes. drawn [h, w]: nodes under drawn face triangles; edge_depth [S, S]: px inside the
    photo's face (0 outside, -1 background inside its triangles: ``WarpMesh.edge_depth``). The
    clean nodes are the drawn ones sampling deeper than EDGE in the photo's face: its last few
    pixels may hold what lies beyond the cheek, which reflected would line the sheet with it.
    features: a call giving the nodes on the eyes, brows, nose and lips (``feature_nodes``), made
    only when the refill has a strip to stretch (``stretch_strip``)."""
    size = edge_depth.shape[0]
    h, w = drawn.shape
    nodes = origin + np.stack(np.meshgrid(np.arange(w), np.arange(h)), -1) * step
    at = np.clip((nodes + disp).astype(np.int64), 0, size - 1)
    depth = edge_depth[at[..., 1], at[..., 0]]
    clean = drawn & (depth >= EDGE * size / 512.0)
    # (the face's outermost nodes keep the photo's own outline: refilled, it went node-sized
    # blocks where a small turn unfolds a sliver at a frontal face's cheek)
    inside = cv2.distanceTransform((drawn | sheet).astype(np.uint8), cv2.DIST_L2, 5)
    edge = drawn & ~clean & (inside > KEEP_OUTLINE)
    # the drawn nodes beside the sheet that sample the photo's last pixels: spread by the same
    # unfolding, left as they were they drew a line of the car window or of the dark gap under
    # the hair between the refilled skin and the face, and a node-sized step against it
    near = cv2.dilate(sheet.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=NEAR) > 0
    fill = sheet | (edge & near)
    if spreading is not None:
        fill |= stray(edge, depth, spreading, size)
    if opened is not None:
        # the outermost nodes too, beside the sheet, where they sample background and the frame
        # opens their triangle OPENED times: there the photo's outline (~2 px out on the window)
        # is drawn 5+ px wide, a notch of the car window in the young man's jaw at yaw +10
        # (1.5 x, at +5, it stays: refilled it stood out of the face as a node-sized block)
        fill |= drawn & ~clean & opened & near & (depth < 0)
    if fill.any():
        # edge nodes in gaps of up to 3 nodes between parts of the refill go with it: left, each
        # drew the photo's last pixels, a speck of the car window in the young man's cheek at +25
        # (grown into every edge node beside it instead, it spread a crop's cheek into streaks)
        closed = cv2.morphologyEx(fill.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)) > 0
        fill |= edge & closed
        reflect_clean(disp, clean, fill, step)
        stretch_strip(disp, clean, fill, step, features)
    return fill


def stray(edge: np.ndarray, depth: np.ndarray, spreading: np.ndarray, size: int) -> np.ndarray:
    """bool [h, w]: of the edge [h, w] nodes (drawn, not clean, not outermost), those sampling background the
    photo's face triangles take in (depth [h, w] < 0: the car window between the 3/4 face's nose
    tip and far cheek, or beside a turned cheek where MediaPipe's outline lies ~2 px out on it)
    where the frame spreads the photo (spreading [h, w]): a 2-3 px sliver and the head's soft
    edge there drawn as a 10-px translucent band. Unspread (a still frame, yaw 0) it is the photo
    as it was, and stays. With them, the soft edge within GROW nodes (sampling less than SOFT px inside the
    face): left, a node-sized tick of the window at the refill's border."""
    seed = edge & spreading & (depth < 0)
    if not seed.any():
        return seed
    beside = cv2.dilate(seed.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=GROW) > 0
    return seed | (edge & spreading & beside & (depth < SOFT * size / 512.0))


def reflect_clean(disp: np.ndarray, clean: np.ndarray, fill: np.ndarray, step: float) -> None:
    """In place: disp [h, w, 2] (source - target, px; nodes ``step`` px apart) at the nodes where
    fill [h, w] is True := the clean [h, w] nodes' field reflected across their edge: node p, d
    nodes from the clean ones, samples where the point as deep inside them, straight across the
    edge (down the smoothed distance), samples. Deeper than DEEPEST the reflection folds back and
    forth within that band (a triangle wave): it never mirrors the features further in (an eye, a
    glasses rim) and never stretches, so the footprint pass leaves it as sharp as the skin beside."""
    if not clean.any() or not fill.any():
        return
    win = _around(fill, 2 * DEEPEST + 3 * SMOOTH)
    disp, clean, fill = disp[win], clean[win], fill[win]         # (views: written in place)
    dist = cv2.distanceTransform((~clean).astype(np.uint8), cv2.DIST_L2, 5)
    smooth = cv2.GaussianBlur(dist, (0, 0), SMOOTH)
    gy, gx = np.gradient(smooth)
    norm = np.maximum(np.hypot(gx, gy), 1e-6)
    ys, xs = np.nonzero(fill)
    # how far out of the clean skin: from the edge, half a node beyond its last nodes
    e = np.maximum(dist[ys, xs] - 0.5, 0.0)
    back = e + DEEPEST - np.abs(np.mod(e, 2 * DEEPEST) - DEEPEST)    # 2 e up to DEEPEST nodes out
    at = np.stack([xs - back * gx[ys, xs] / norm[ys, xs], ys - back * gy[ys, xs] / norm[ys, xs]], -1)
    disp[ys, xs] = _clean_source(disp, clean, ys, xs, at, step)


def feature_nodes(points: np.ndarray, origin: float, step: float, shape: tuple[int, int]) -> np.ndarray:
    """bool [h, w]: the grid's nodes (``step`` px apart from ``origin``) on the frame's eyes, brows,
    nose and lips (points [M, 2]: the frame's mesh points, landmarks first)."""
    mask = np.zeros(shape, np.uint8)
    for region in FEATURES:
        hull = cv2.convexHull(np.round((points[REGIONS[region]] - origin) / step * 16).astype(np.int32))
        cv2.fillConvexPoly(mask, hull, 1, cv2.LINE_8, shift=4)
    return mask > 0


def stretch_strip(disp: np.ndarray, clean: np.ndarray, fill: np.ndarray, step: float,
                  features: Callable[[], np.ndarray] | None = None) -> np.ndarray:
    """In place: the fill [h, w] nodes that form a strip along the face's edge (a connected part of
    them reaching the nodes beyond, neither fill nor clean: the ring) and the clean [h, w] nodes
    within B of it show that band of clean skin stretched over both. A node u nodes along the way
    in (negative in the strip, from its inner edge) samples where the clean node
    s(u) = R + (u + W) (B - R) / (B + W) nodes in does (W: the strip's width there; R: RIM_DEPTH;
    B: BAND, less where one of the features lies nearer: ``features()`` gives them, bool [h, w]
    (``feature_nodes``; asked only once a strip is found; None: none)):
    the strip's outer end samples the skin just inside its edge, the band's inner end itself,
    nothing twice. Returns the strip's nodes (bool [h, w]; none: nothing changed)."""
    found = np.zeros_like(fill)
    if not clean.any() or not fill.any():
        return found
    # (on the block of nodes around the fill: the rest of the grid plays no part)
    win = _around(fill, BAND + 3 * SMOOTH)
    found[win] = _stretch(disp[win], clean[win], fill[win], step,
                          None if features is None else lambda: features()[win])
    return found


def _stretch(disp: np.ndarray, clean: np.ndarray, fill: np.ndarray, step: float,
             features: Callable[[], np.ndarray] | None) -> np.ndarray:
    """``stretch_strip`` on a block of the grid (disp a view of it, written in place)."""
    none = np.zeros_like(fill)
    beyond = ~(fill | clean)
    _, part = cv2.connectedComponents(fill.astype(np.uint8), connectivity=8)
    touching = cv2.dilate(beyond.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    reaching = np.unique(part[fill & touching])
    strip = fill & np.isin(part, reaching[reaching > 0])
    if not strip.any():
        return none
    out = cv2.distanceTransform((~clean).astype(np.uint8), cv2.DIST_L2, 5)        # nodes out of the skin
    from_strip = cv2.distanceTransform((~strip).astype(np.uint8), cv2.DIST_L2, 5)
    to_beyond = cv2.distanceTransform((~beyond).astype(np.uint8), cv2.DIST_L2, 5)
    # the way in: down a smoothed signed distance across the strip's inner edge
    signed = np.where(clean, -np.minimum(from_strip, BAND + 3.0), out).astype(np.float32)
    gy, gx = np.gradient(cv2.GaussianBlur(signed, (0, 0), SMOOTH))
    norm = np.maximum(np.hypot(gx, gy), 1e-6)
    # per strip node its width (inner edge to the ring) and the band's (up to the nearest
    # feature), evened along the strip; a band node takes its nearest strip node's
    e = np.maximum(out - 0.5, 0.0)
    width = np.where(strip, e + np.maximum(to_beyond - 0.5, 0.0), 0.0).astype(np.float32)
    room = np.full(strip.shape, BAND, np.float32)
    features = None if features is None else features()
    if features is not None and features.any():
        to_feature = cv2.distanceTransform((~features).astype(np.uint8), cv2.DIST_L2, 5)
        room = np.clip(to_feature - e - FEATURE_MARGIN, LEAST_BAND, BAND).astype(np.float32)
    along = np.maximum(cv2.GaussianBlur(strip.astype(np.float32), (0, 0), WIDTH_SMOOTH), 1e-3)
    width = cv2.GaussianBlur(width, (0, 0), WIDTH_SMOOTH) / along
    band_width = cv2.GaussianBlur(np.where(strip, room, 0.0).astype(np.float32), (0, 0), WIDTH_SMOOTH) / along
    _, label = cv2.distanceTransformWithLabels((~strip).astype(np.uint8), cv2.DIST_L2, 5,
                                               labelType=cv2.DIST_LABEL_PIXEL)
    sy, sx = np.nonzero(strip)                  # label k is the k-th strip node, row-major
    nearest = label - 1
    width = np.where(strip, width, width[sy, sx][nearest])
    band_width = np.where(strip, band_width, band_width[sy, sx][nearest])
    band = clean & (from_strip - 0.5 < band_width)
    ys, xs = np.nonzero(strip | band)
    u = np.where(strip[ys, xs], -e[ys, xs], from_strip[ys, xs] - 0.5)
    w_at, b_at = width[ys, xs], band_width[ys, xs]
    depth = RIM_DEPTH + (u + w_at) * (b_at - RIM_DEPTH) / (b_at + w_at)
    back = depth - u                                                # nodes in from the node to its sample
    at = np.stack([xs - back * gx[ys, xs] / norm[ys, xs], ys - back * gy[ys, xs] / norm[ys, xs]], -1)
    # where a feature leaves the band too narrow for the strip, the stretch would magnify the skin
    # so much that it reads as streaks (a face-filling crop's cheek beside its far eye): there the
    # strip keeps its reflection, the two ways of sampling mixed smoothly in between
    share = np.clip((MOST_MAGNIFIED - (b_at + w_at) / b_at) / (MOST_MAGNIFIED - FULLY_MAGNIFIED), 0.0, 1.0)
    share = share.astype(np.float32)[:, None]
    disp[ys, xs] += share * (_clean_source(disp, clean, ys, xs, at, step) - disp[ys, xs])
    return strip


def _clean_source(disp: np.ndarray, clean: np.ndarray, ys: np.ndarray, xs: np.ndarray, at: np.ndarray,
                  step: float) -> np.ndarray:
    """[N, 2] displacements (px) for the nodes (ys, xs) that sample where the clean [h, w] nodes'
    field (disp [h, w, 2]) samples at the points at [N, 2] (node units): bilinear over the clean
    nodes alone (a weighted mean of those among the four around a point); a point with no clean
    node around it (a clean region thinner than the way across) takes its nearest clean node's."""
    h, w = clean.shape
    nodes = np.stack(np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)), -1)
    weight = clean.astype(np.float32)
    field = np.concatenate([(nodes + disp / np.float32(step)) * weight[..., None], weight[..., None]], -1)
    got = cv2.remap(field, at[:, None].astype(np.float32), None, cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE)[:, 0]
    lone = got[:, 2] < 1e-3
    if lone.any():
        _, labels = cv2.distanceTransformWithLabels((~clean).astype(np.uint8), cv2.DIST_L2, 5,
                                                    labelType=cv2.DIST_LABEL_PIXEL)
        cy, cx = np.nonzero(clean)               # label k is the k-th clean node, row-major
        k = labels[ys[lone], xs[lone]] - 1
        got[lone] = field[cy[k], cx[k]]
    source = got[:, :2] / got[:, 2:3]
    return (source - nodes[ys, xs]) * np.float32(step)


def _around(mask: np.ndarray, pad: float) -> tuple[slice, slice]:
    """The block of a grid holding mask's True nodes and ``pad`` nodes around them."""
    ys, xs = np.nonzero(mask)
    m = int(np.ceil(pad)) + 1
    h, w = mask.shape
    return (slice(max(int(ys.min()) - m, 0), min(int(ys.max()) + m + 1, h)),
            slice(max(int(xs.min()) - m, 0), min(int(xs.max()) + m + 1, w)))
