"""Channel curves as CSV (`frame,time,<channel>...`) or JSON; reading them back is curve_reader's.

CSV is for spreadsheets and quick scripts; JSON carries the exact frame rate. On import, an empty CSV
cell (or a JSON `null`) means "no value at this frame", so partial curves from other tools work.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import FrameRate

from .atomic import write_text_atomic
from .curve_reader import SCHEMA, VERSION, CurveTable, check_against_take, read_curves  # noqa: F401 - the API


def _check(frames, channels: Mapping[str, np.ndarray]) -> np.ndarray:
    frames = np.asarray(frames, dtype=np.int64)
    for name, values in channels.items():
        if len(values) != len(frames):
            raise ValueError(f"channel {name} has {len(values)} values for {len(frames)} frames")
    return frames


def curves_to_csv(frames, channels: Mapping[str, np.ndarray], rate: FrameRate) -> str:
    frames = _check(frames, channels)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    names = list(channels)
    writer.writerow(["frame", "time", *names])
    columns = [np.asarray(channels[n], dtype=np.float64) for n in names]
    for i, frame in enumerate(frames):
        writer.writerow([int(frame), f"{rate.frame_to_seconds(int(frame)):.6f}",
                         *(f"{col[i]:.6g}" for col in columns)])
    return buf.getvalue()


def curves_to_json(frames, channels: Mapping[str, np.ndarray], rate: FrameRate) -> str:
    frames = _check(frames, channels)
    doc = {"schema": SCHEMA, "version": VERSION, "fps": rate.to_json(),
           "frames": [int(f) for f in frames],
           "channels": {n: [round(float(v), 6) for v in np.asarray(c)] for n, c in channels.items()}}
    return json.dumps(doc, indent=1)


def write_curves(path: str | os.PathLike, frames, channels: Mapping[str, np.ndarray],
                 rate: FrameRate) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = curves_to_csv(frames, channels, rate)
    elif suffix == ".json":
        text = curves_to_json(frames, channels, rate)
    else:
        raise ValidationError(f"unknown curve format {suffix!r}; use .csv or .json", path)
    return write_text_atomic(path, text)
