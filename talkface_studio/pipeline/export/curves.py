"""Channel curves as CSV (`frame,time,<channel>...`) or JSON, and reading them back for import.

CSV is for spreadsheets and quick scripts; JSON carries the exact frame rate. On import, an empty CSV
cell (or a JSON `null`) means "no value at this frame", so partial curves from other tools work.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import FrameRate

from .atomic import write_text_atomic

SCHEMA = "talkface-curves"
VERSION = 1


@dataclass
class CurveTable:
    """Frames (take frame numbers) and per-channel float64 values; NaN = no value at that frame."""

    frames: np.ndarray
    channels: dict[str, np.ndarray]
    rate: FrameRate | None = None


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


def read_curves(path: str | os.PathLike, known: set[str] | None = None) -> CurveTable:
    """Parse a CSV or JSON curve file; errors name the file and the line or key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValidationError("curve file not found", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read curve file: {exc}", path) from None
    table = _parse_json(path, text) if path.suffix.lower() == ".json" else _parse_csv(path, text)
    if known is not None:
        unknown = sorted(set(table.channels) - known)
        if unknown:
            raise ValidationError(f"unknown channel(s) {', '.join(unknown)}", path)
    if len(np.unique(table.frames)) != len(table.frames):
        raise ValidationError("a frame number appears twice", path)
    return table


def check_against_take(table: CurveTable, take, path: str | os.PathLike) -> None:
    """Refuse curves at another frame rate or on frames outside the take (one line naming `path`)."""
    if table.rate is not None and table.rate != take.rate:
        raise ValidationError(f"curves are at {table.rate} fps but take {take.name!r} is at {take.rate} fps", path)
    outside = table.frames[(table.frames < 0) | (table.frames >= take.n_frames)]
    if len(outside):
        raise ValidationError(f"frame {int(outside[0])} is outside take {take.name!r} "
                              f"(frames 0-{take.n_frames - 1})", path)


def _number(path: Path, cell: str, where: str) -> float:
    cell = cell.strip()
    if cell == "":
        return math.nan
    try:
        value = float(cell)
    except ValueError:
        raise ValidationError(f"{where}: not a number: {cell!r}", path) from None
    if not math.isfinite(value):
        raise ValidationError(f"{where}: value must be finite, got {cell!r}", path)
    return value


def _parse_csv(path: Path, text: str) -> CurveTable:
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise ValidationError("curve file is empty", path)
    header = [h.strip() for h in rows[0]]
    if not header or header[0] != "frame":
        raise ValidationError("first column must be 'frame' (header: frame,time,<channel>...)", path)
    names = [h for h in header[1:] if h != "time"]
    cols = {h: i for i, h in enumerate(header)}
    frames, values = [], {n: [] for n in names}
    for line_no, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ValidationError(f"line {line_no}: {len(row)} cells, header has {len(header)}", path)
        frame = _number(path, row[0], f"line {line_no}")
        if math.isnan(frame) or frame != int(frame):
            raise ValidationError(f"line {line_no}: frame must be a whole number, got {row[0]!r}", path)
        frames.append(int(frame))
        for n in names:
            values[n].append(_number(path, row[cols[n]], f"line {line_no}, {n}"))
    return CurveTable(np.array(frames, dtype=np.int64), {n: np.array(v) for n, v in values.items()})


def _parse_json(path: Path, text: str) -> CurveTable:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"not valid JSON (line {exc.lineno}): {exc.msg}", path) from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ValidationError(f"not a curve file (expected schema {SCHEMA!r})", path)
    if doc.get("version", 0) > VERSION:
        raise ValidationError(f"curve file version {doc.get('version')} is newer than this program", path)
    frames = doc.get("frames")
    channels = doc.get("channels")
    if not isinstance(frames, list) or not isinstance(channels, dict):
        raise ValidationError("curve file needs 'frames' (list) and 'channels' (object)", path)
    if not all(isinstance(f, int) for f in frames):
        raise ValidationError("'frames' must be whole numbers", path)
    out = {}
    for name, vals in channels.items():
        if not isinstance(vals, list) or len(vals) != len(frames):
            raise ValidationError(f"channel {name!r} must list one value per frame", path)
        out[name] = np.array([math.nan if v is None else _number(path, str(v), f"channel {name}")
                              for v in vals], dtype=np.float64)
    rate = FrameRate.from_json(doc["fps"]) if "fps" in doc else None
    return CurveTable(np.array(frames, dtype=np.int64), out, rate)
