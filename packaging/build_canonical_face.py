"""Generate talkface_studio/face/data/topology.npz once (needs mediapipe; the runtime does not).

It holds the 478-point face-mesh topology and a canonical neutral face:
- triangles: the faces of MediaPipe's FACEMESH_TESSELATION edge graph (3-cliques), oriented
  consistently, normals toward the camera;
- regions: MediaPipe's connection sets plus hand-picked index lists (lids, inner/outer lips, jaw);
- mirror: left <-> right index of every point (nearest neighbour after mirroring, an involution);
- canonical: the demo portrait's landmarks, pose removed, mirror-symmetrized, smile neutralized,
  outer eye corners at (-0.5, 0, 0) and (0.5, 0, 0).

Run:  .venv/bin/python packaging/build_canonical_face.py
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np
from PIL import Image
from scipy.interpolate import RBFInterpolator
from scipy.optimize import linear_sum_assignment

import mediapipe as mp
import mediapipe.python.solutions.face_mesh_connections as conn

ROOT = Path(__file__).resolve().parents[1]
PORTRAIT = ROOT / "resources" / "demo" / "portrait.png"
OUT = ROOT / "talkface_studio" / "face" / "data" / "topology.npz"
N = 478
N_MESH = 468

# Hand-picked contours (MediaPipe has no separate lid / inner-outer lip sets). Ordered corner to corner.
LIPS_OUTER_UPPER = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291]
LIPS_OUTER_LOWER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291]
LIPS_INNER_UPPER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
LIPS_INNER_LOWER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308]
RIGHT_UPPER_LID = [33, 246, 161, 160, 159, 158, 157, 173, 133]
RIGHT_LOWER_LID = [33, 7, 163, 144, 145, 153, 154, 155, 133]
LEFT_UPPER_LID = [263, 466, 388, 387, 386, 385, 384, 398, 362]
LEFT_LOWER_LID = [263, 249, 390, 373, 374, 380, 381, 382, 362]
JAW = [454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234]
# Points that do not move with speech or expression: the pose is fitted to these.
STABLE = [10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1,  # forehead and nose bridge, midline
          33, 133, 263, 362,  # eye corners
          109, 338, 67, 297, 103, 332,  # upper forehead
          127, 356, 234, 454,  # temples / cheekbones near the ears
          417, 193, 122, 351, 188, 412, 245, 465]  # nose sides
MIDLINE_CHECK = [1, 4, 6, 10, 152, 168, 0, 17, 13, 14]
KNOWN_PAIRS = [(33, 263), (133, 362), (61, 291), (78, 308), (468, 473), (234, 454)]


def indices(connections) -> np.ndarray:
    return np.array(sorted({i for edge in connections for i in edge}), dtype=np.int32)


def triangles_from_edges(edges) -> np.ndarray:
    nbrs = [set() for _ in range(N_MESH)]
    for a, b in edges:
        nbrs[a].add(b)
        nbrs[b].add(a)
    tris = sorted({tuple(sorted((a, b, c))) for a, b in edges for c in nbrs[a] & nbrs[b]})
    tris = np.array(tris, dtype=np.int32)
    # A 3-cycle around an inner vertex (two places, by the nostrils) is not a face: all three of its
    # edges carry a third triangle. Drop those cycles, then check the mesh is a manifold.
    def edge_use(tris):
        use: dict[tuple, int] = {}
        for t in tris:
            for e in ((t[0], t[1]), (t[1], t[2]), (t[0], t[2])):
                use[e] = use.get(e, 0) + 1
        return use

    use = edge_use(tris)
    keep = [not all(use[e] > 2 for e in ((t[0], t[1]), (t[1], t[2]), (t[0], t[2]))) for t in tris]
    tris = tris[np.array(keep)]
    bad = {e for e, n in edge_use(tris).items() if n > 2}
    assert not bad, f"non-manifold edges: {sorted(bad)[:10]}"
    return tris


def orient(tris: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Make neighbours traverse shared edges in opposite directions; then normals toward -z."""
    tris = tris.copy()
    by_edge: dict[tuple, list[int]] = {}
    for k, t in enumerate(tris):
        for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0])):
            by_edge.setdefault((min(a, b), max(a, b)), []).append(k)
    done = np.zeros(len(tris), bool)
    for seed in range(len(tris)):
        if done[seed]:
            continue
        done[seed] = True
        queue = deque([seed])
        while queue:
            k = queue.popleft()
            t = tris[k]
            for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0])):
                for j in by_edge[(min(a, b), max(a, b))]:
                    if done[j]:
                        continue
                    u = tris[j]
                    directed = {(u[0], u[1]), (u[1], u[2]), (u[2], u[0])}
                    if (a, b) in directed:  # same direction: flip neighbour
                        tris[j] = u[[0, 2, 1]]
                    done[j] = True
                    queue.append(j)
    p = points[tris]
    normal_z = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])[:, 2]
    if np.median(normal_z) > 0:
        tris = tris[:, [0, 2, 1]]
    return tris


def symmetry_frame(points: np.ndarray, mirror: np.ndarray | None):
    """Rotation whose x axis is the face's left-right axis; y from forehead (10) to chin (152)."""
    if mirror is None:
        ex = points[263] - points[33]
    else:
        d = points[mirror[:N_MESH]] - points[:N_MESH]
        far = np.linalg.norm(d, axis=1) > 1e-6
        ex = d[far].T @ np.sign(d[far] @ (points[263] - points[33]))  # average pair direction
    ex /= np.linalg.norm(ex)
    ey = points[152] - points[10]
    ey -= ex * (ey @ ex)
    ey /= np.linalg.norm(ey)
    return np.stack([ex, ey, np.cross(ex, ey)])


def match_mirror(p: np.ndarray) -> np.ndarray:
    """Greedy symmetric matching of points to their mirror images (an involution by construction)."""
    mirror = np.full(N, -1, dtype=np.int32)
    for group in (np.arange(N_MESH), np.arange(N_MESH, N)):
        q = p[group]
        flipped = q * np.array([-1.0, 1.0, 1.0])
        cost = np.linalg.norm(flipped[:, None, :] - q[None, :, :], axis=2)
        cost = (cost + cost.T) / 2
        rows, cols = linear_sum_assignment(cost)
        if np.array_equal(cols[cols], rows):  # the optimal assignment is already an involution
            mirror[group] = group[cols]
            continue
        print("optimal mirror assignment is not an involution; using greedy pairs")
        order = np.argsort(cost, axis=None)
        free = np.ones(len(group), bool)
        for flat in order:
            i, j = divmod(int(flat), len(group))
            if free[i] and free[j]:
                mirror[group[i]], mirror[group[j]] = group[j], group[i]
                free[i] = free[j] = False
            if not free.any():
                break
    return mirror


def to_frame(points: np.ndarray, rot: np.ndarray) -> np.ndarray:
    """Points in the face frame: eye-corner midpoint at the origin, midline at x = 0."""
    p = (points - points[[33, 263]].mean(axis=0)) @ rot.T
    mid = np.median(p[MIDLINE_CHECK, 0])
    p[:, 0] -= mid
    return p


def neutralize_smile(face: np.ndarray) -> np.ndarray:
    """Close the lips and pull the lip corners to a relaxed width; smooth falloff elsewhere."""
    out = face.copy()
    target = {}
    up_in, lo_in = np.array(LIPS_INNER_UPPER), np.array(LIPS_INNER_LOWER)
    gap = face[lo_in, 1] - face[up_in, 1]  # per position along the mouth
    meet = (face[up_in, 1] + face[lo_in, 1]) / 2
    width = face[291, 0] - face[61, 0]
    squeeze = 0.60 / width  # relaxed mouth ~0.6 of the outer-eye-corner distance
    lip_pts = indices(conn.FACEMESH_LIPS)
    for idx in lip_pts:
        p = face[idx]
        k = int(np.argmin(np.abs(face[up_in, 0] - p[0])))
        upper = p[1] <= meet[k] or idx in LIPS_OUTER_UPPER or idx in LIPS_INNER_UPPER
        dy = (gap[k] / 2) if upper else (-gap[k] / 2)
        target[idx] = np.array([p[0] * (squeeze - 1), dy, 0.0])
    corner_y = meet[5] + 0.01  # corners relax slightly below the centre of the closed lips
    for c in (61, 291, 78, 308):
        target[c] = np.array([face[c, 0] * (squeeze - 1), corner_y - face[c, 1], 0.0])
    chin_dy = -gap[5] / 2
    for idx in [152, 148, 176, 377, 400, 378, 149, 150, 379, 365, 199, 175, 200, 18, 83, 313]:
        target.setdefault(idx, np.array([0.0, chin_dy, 0.0]))
    anchors = set(STABLE) | set(indices(conn.FACEMESH_LEFT_EYE)) | set(indices(conn.FACEMESH_RIGHT_EYE))
    anchors |= set(indices(conn.FACEMESH_LEFT_EYEBROW)) | set(indices(conn.FACEMESH_RIGHT_EYEBROW))
    anchors |= {2, 94, 19, 98, 327, 64, 294}  # nose base stays
    for idx in anchors:
        target.setdefault(idx, np.zeros(3))
    keys = np.array(sorted(target))
    disp = np.array([target[k] for k in keys])
    rbf = RBFInterpolator(face[keys, :2], disp, kernel="thin_plate_spline", smoothing=1e-4)
    moved = rbf(face[:N_MESH, :2])
    moved[keys] = disp
    out[:N_MESH] += moved
    return out


def main() -> None:
    img = np.asarray(Image.open(PORTRAIT).convert("RGB"))
    h, w = img.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True, max_num_faces=1) as fm:
        res = fm.process(img)
    lm = np.array([[q.x * w, q.y * h, q.z * w] for q in res.multi_face_landmarks[0].landmark], np.float64)

    tris = orient(triangles_from_edges({tuple(sorted(e)) for e in conn.FACEMESH_TESSELATION}), lm)

    mirror = None
    for _ in range(3):  # alternate: frame from pairs, pairs from frame
        p = to_frame(lm, symmetry_frame(lm, mirror))
        mirror = match_mirror(p)
    assert np.array_equal(mirror[mirror], np.arange(N)), "mirror is not an involution"
    for a, b in KNOWN_PAIRS:
        assert mirror[a] == b, (a, b, mirror[a])
    for a in MIDLINE_CHECK:
        assert mirror[a] == a, (a, mirror[a])

    sym = (p + (p * np.array([-1.0, 1.0, 1.0]))[mirror]) / 2
    sym /= np.linalg.norm(sym[263] - sym[33])
    sym -= sym[[33, 263]].mean(axis=0)
    canonical = neutralize_smile(sym)
    canonical = (canonical + (canonical * np.array([-1.0, 1.0, 1.0]))[mirror]) / 2

    regions = {
        "lips": indices(conn.FACEMESH_LIPS),
        "lips_outer": np.array(LIPS_OUTER_UPPER + LIPS_OUTER_LOWER[1:-1], np.int32),
        "lips_inner": np.array(LIPS_INNER_UPPER + LIPS_INNER_LOWER[1:-1], np.int32),
        "upper_lip": np.array(LIPS_OUTER_UPPER + LIPS_INNER_UPPER, np.int32),
        "lower_lip": np.array(LIPS_OUTER_LOWER + LIPS_INNER_LOWER, np.int32),
        "lips_outer_upper": np.array(LIPS_OUTER_UPPER, np.int32),
        "lips_outer_lower": np.array(LIPS_OUTER_LOWER, np.int32),
        "lips_inner_upper": np.array(LIPS_INNER_UPPER, np.int32),
        "lips_inner_lower": np.array(LIPS_INNER_LOWER, np.int32),
        "mouth_corners": np.array([61, 291], np.int32),
        "left_eye": indices(conn.FACEMESH_LEFT_EYE),
        "right_eye": indices(conn.FACEMESH_RIGHT_EYE),
        "left_upper_lid": np.array(LEFT_UPPER_LID, np.int32),
        "left_lower_lid": np.array(LEFT_LOWER_LID, np.int32),
        "right_upper_lid": np.array(RIGHT_UPPER_LID, np.int32),
        "right_lower_lid": np.array(RIGHT_LOWER_LID, np.int32),
        "left_eye_corners": np.array([263, 362], np.int32),  # outer, inner
        "right_eye_corners": np.array([33, 133], np.int32),  # outer, inner
        "left_iris": np.arange(473, 478, dtype=np.int32),  # centre first
        "right_iris": np.arange(468, 473, dtype=np.int32),  # centre first
        "iris_centres": np.array([468, 473], np.int32),  # right, left
        "left_brow": indices(conn.FACEMESH_LEFT_EYEBROW),
        "right_brow": indices(conn.FACEMESH_RIGHT_EYEBROW),
        "nose": indices(conn.FACEMESH_NOSE),
        "nose_tip": np.array([1], np.int32),
        "face_oval": indices(conn.FACEMESH_FACE_OVAL),
        "jaw": np.array(JAW, np.int32),
        "chin": np.array([152], np.int32),
        "stable": np.array(STABLE, np.int32),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUT,
        triangles=tris.astype(np.int32),
        mirror=mirror.astype(np.int32),
        canonical=canonical.astype(np.float32),
        **{f"region_{k}": v for k, v in regions.items()},
    )
    print(f"wrote {OUT}: {len(tris)} triangles, {len(regions)} regions")


if __name__ == "__main__":
    main()
