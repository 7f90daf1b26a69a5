"""Live Link Face CSV: the file the iPhone app records, written from a take's rig curves.

Layout, as the app writes it and as Epic's importer reads it (Unreal Engine,
Engine/Plugins/Experimental/LiveLinkFaceImporter, LiveLinkFaceImporterFactory.cpp; the same header in
nmfisher/blender_livelinkface and in recorded takes in alexdjulin/LiveLinkFace-CSV-Retarget-For-
Motionbuilder):

    Timecode,BlendShapeCount,EyeBlinkLeft,EyeLookDownLeft,...,TongueOut,HeadYaw,HeadPitch,HeadRoll,
    LeftEyeYaw,LeftEyePitch,LeftEyeRoll,RightEyeYaw,RightEyePitch,RightEyeRoll
    01:00:00:00.000,61,0.0123456789,...

- Timecode `HH:MM:SS:FF.fff`: a time of day whose frame field counts 60ths of a second, with the
  fraction of a frame after the dot. Epic's importer computes `h*3600 + m*60 + s + float("FF.fff")/60`
  whatever the take's rate; the app's own files step `FF` by 2 with a slowly drifting fraction at
  30 fps (e.g. `13:13:04:31.652`). So a 23.976 or 29.97 take's samples are written at their true
  times (drop-frame labels are an NTSC display convention; this column is a clock).
- BlendShapeCount: 61 (52 shapes + 9 rotations), as the app writes.
- 52 weights in 0..1, then head and eye rotations in radians. The app's convention, read from its
  recordings: an eye looking toward the performer's left has a negative yaw (eyeLookOutLeft and
  eyeLookInRight up), looking down a positive pitch (eyeLookDown up). Ours (ARCHITECTURE.md) is yaw
  > 0 toward the image's right (= the performer's left), pitch > 0 up, roll > 0 counter-clockwise as
  seen in the image, so every angle is written as `-radians(ours)`. Head columns follow the eyes'
  convention (the recordings found had head streaming off, so head roll's sign could not be checked
  against a capture). Eye roll is 0: our eyes do not roll.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path

import numpy as np

from talkface_studio.core.timebase import FrameRate
from talkface_studio.perform.arkit.names import LIVE_LINK_VALUES

from .atomic import write_text_atomic

TIMECODE_FPS = 60  # the frame field of the Timecode column counts 60ths of a second
HEADER = ("Timecode", "BlendShapeCount", *LIVE_LINK_VALUES)
DAY = 24 * 3600


def livelink_timecode(seconds: float) -> str:
    """Seconds since midnight -> `HH:MM:SS:FF.fff` (FF in 60ths of a second, .fff its fraction)."""
    ticks = round(float(seconds) * TIMECODE_FPS * 1000) % (DAY * TIMECODE_FPS * 1000)  # thousandths of a frame
    frames, milli = divmod(ticks, 1000)
    whole, ff = divmod(frames, TIMECODE_FPS)
    hh, rest = divmod(whole, 3600)
    mm, ss = divmod(rest, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}.{milli:03d}"


def parse_livelink_timecode(text: str) -> float:
    """`HH:MM:SS:FF[.fff]` -> seconds since midnight, as Epic's importer reads it. ValueError if malformed."""
    parts = text.strip().split(":")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
        raise ValueError(f"not a Live Link timecode: {text!r} (expected HH:MM:SS:FF.fff)")
    hh, mm, ss = (int(p) for p in parts[:3])
    frames = float(parts[3])
    if mm > 59 or ss > 59 or not math.isfinite(frames) or not 0 <= frames < TIMECODE_FPS:
        raise ValueError(f"timecode out of range: {text!r}")
    return hh * 3600 + mm * 60 + ss + frames / TIMECODE_FPS


def livelink_values(curves) -> np.ndarray:
    """RigCurves -> float64 [T, 61] in column order: weights, then angles as -radians (see above)."""
    n = curves.n_frames
    values = np.zeros((n, len(LIVE_LINK_VALUES)))
    values[:, :52] = curves.weights
    values[:, 52:55] = -np.radians(curves.head)
    values[:, 55:58] = -np.radians(curves.eyes[:, 0])
    values[:, 58:61] = -np.radians(curves.eyes[:, 1])
    return values


def livelink_text(curves, rate: FrameRate, first_frame: int = 0, start_seconds: float = 0.0) -> str:
    """The CSV text: one row per frame; frame f is at `start_seconds + f / fps` on the clock."""
    values = livelink_values(curves)
    buf = io.StringIO()
    buf.write(",".join(HEADER) + "\n")
    count = str(len(LIVE_LINK_VALUES))
    for i, row in enumerate(values):
        t = start_seconds + rate.frame_to_seconds(first_frame + i)
        cells = ",".join(f"{v:.10f}" for v in row)
        buf.write(f"{livelink_timecode(t)},{count},{cells}\n")
    return buf.getvalue()


def write_livelink_csv(path: str | os.PathLike, curves, rate: FrameRate, first_frame: int = 0,
                       start_seconds: float = 0.0) -> Path:
    return write_text_atomic(path, livelink_text(curves, rate, first_frame, start_seconds))
