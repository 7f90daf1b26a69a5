"""MediaPipe face mesh over every frame of a video (tracking mode, iris refinement: 478 points)."""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import numpy as np

from talkface_studio.core.errors import MediaError


def read_video(path: str | Path, size: int | None = None) -> tuple[np.ndarray, float]:
    """-> (frames uint8 [T, H, W, 3], fps). `size` rescales frames to size x size on decode."""
    path = Path(path)
    try:
        reader = imageio_ffmpeg.read_frames(str(path), output_params=["-s", f"{size}x{size}"] if size else None)
        meta = next(reader)
        w, h = meta["size"]
        frames = [np.frombuffer(buf, np.uint8).reshape(h, w, 3) for buf in reader]
    except (OSError, RuntimeError, StopIteration) as exc:
        raise MediaError(f"cannot decode video: {str(exc).splitlines()[0] if str(exc) else exc}", path) from exc
    if not frames:
        raise MediaError("video has no frames", path)
    return np.stack(frames), float(meta["fps"])


def track_landmarks(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """frames uint8 [T, H, W, 3] -> (landmarks float32 [T, 478, 3] in pixels, found bool [T]).
    z is scaled like x (MediaPipe's convention), so the points are a metric-like 3D shape."""
    import mediapipe as mp  # heavy; only training needs it

    t, h, w = frames.shape[:3]
    out = np.zeros((t, 478, 3), np.float32)
    found = np.zeros(t, bool)
    from talkface_studio.face.native_logs import quiet_native_stderr

    with quiet_native_stderr(), mp.solutions.face_mesh.FaceMesh(
            static_image_mode=False, max_num_faces=1, refine_landmarks=True,
            min_detection_confidence=0.5) as mesh:
        for i, frame in enumerate(frames):
            res = mesh.process(np.ascontiguousarray(frame))
            if res.multi_face_landmarks:
                pts = res.multi_face_landmarks[0].landmark
                out[i] = [(p.x * w, p.y * h, p.z * w) for p in pts]
                found[i] = True
    return out, found
