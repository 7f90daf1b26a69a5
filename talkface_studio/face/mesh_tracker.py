"""MediaPipe FaceMesh on still images: uint8 RGB -> every face's 478 landmarks in pixels.

The graph takes ~0.2 s to build and ~8 ms per image afterwards, so one instance per process is kept
and reused behind a lock (MediaPipe graphs are not re-entrant). mediapipe is imported lazily: code
that only reloads a saved fit never pays for it.
"""

from __future__ import annotations

import threading

import numpy as np

from .native_logs import quiet_native_stderr

_lock = threading.Lock()
_mesh = None


def _get_mesh():
    global _mesh
    if _mesh is None:
        from mediapipe.python.solutions import face_mesh  # heavy import, on first use only

        with quiet_native_stderr():
            _mesh = face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True, max_num_faces=5,
                                       min_detection_confidence=0.5)
    return _mesh


def detect_faces(rgb: np.ndarray) -> list[np.ndarray]:
    """All faces found in ``rgb`` (uint8 [H, W, 3]) as float64 [478, 3] arrays in pixels.

    MediaPipe gives x, y normalized by the width and height and z in the same units as x, so the
    conversion is (x*W, y*H, z*W): z is depth relative to the face centre, > 0 away from the camera.
    Largest face first (by landmark bounding-box area).
    """
    img = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = img.shape[:2]
    with _lock:
        mesh = _get_mesh()
        with quiet_native_stderr():
            result = mesh.process(img)
    faces = []
    for face in result.multi_face_landmarks or []:
        pts = np.array([(p.x, p.y, p.z) for p in face.landmark], dtype=np.float64)
        faces.append(pts * np.array([w, h, w], dtype=np.float64))
    faces.sort(key=lambda f: -np.prod(f[:, :2].max(axis=0) - f[:, :2].min(axis=0)))
    return faces


def distinct(faces: list[np.ndarray], overlap: float = 0.3) -> list[np.ndarray]:
    """``faces`` (largest first) less those whose box overlaps a larger one's by more than
    ``overlap`` of the smaller box: the overlapping windows of ``find_faces`` find one face in
    several of them (the full-length portrait's one face came back four times)."""
    kept: list[np.ndarray] = []
    for face in faces:
        lo, hi = face[:, :2].min(axis=0), face[:, :2].max(axis=0)
        area = float(np.prod(hi - lo))
        if all(np.prod(np.clip(np.minimum(hi, k[:, :2].max(axis=0)) - np.maximum(lo, k[:, :2].min(axis=0)), 0, None))
               <= overlap * area for k in kept):
            kept.append(face)
    return kept


def _resized(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """Downscale so the long side is at most ``max_side``; returns (image, source px per image px)."""
    h, w = rgb.shape[:2]
    factor = max(h, w) / max_side
    if factor <= 1.0:
        return rgb, 1.0
    from PIL import Image

    small = Image.fromarray(np.ascontiguousarray(rgb)).resize((round(w / factor), round(h / factor)),
                                                              Image.Resampling.BILINEAR)
    return np.asarray(small), factor


def find_faces(rgb: np.ndarray, max_side: int = 1024) -> list[np.ndarray]:
    """Locate faces anywhere in a photo, largest first, landmarks in source pixels (coarse).

    MediaPipe's detector is a short-range model: it misses faces under ~10 % of the frame, which is
    every face in a half-body shot from a modern camera. So when the whole frame shows none, square
    windows of 1/2 and then 1/4 of the short side (overlapping by half, so any face smaller than half
    a window lies wholly inside one) are searched. Use the result to frame a crop and track the crop
    again for precise landmarks: windows are downscaled to ``max_side // 2`` for speed.
    """
    small, factor = _resized(rgb, max_side)
    faces = [f * factor for f in detect_faces(small)]
    h, w = rgb.shape[:2]
    for fraction in (0.5, 0.25):
        if faces:
            break
        win = int(min(h, w) * fraction)
        if win < 96:
            break
        step = win // 2
        for y in range(0, max(h - win, 0) + step, step):
            for x in range(0, max(w - win, 0) + step, step):
                y0, x0 = min(y, max(h - win, 0)), min(x, max(w - win, 0))
                tile, f = _resized(rgb[y0:y0 + win, x0:x0 + win], max_side // 2)
                faces += [face * f + np.array([x0, y0, 0.0]) for face in detect_faces(tile)]
    faces.sort(key=lambda f: -np.prod(f[:, :2].max(axis=0) - f[:, :2].min(axis=0)))
    return distinct(faces)
