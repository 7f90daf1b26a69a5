"""Reading a Live Link Face recording (CSV) strictly: every problem is one line naming the file.

The header must start `Timecode,BlendShapeCount` (as Epic's importer requires) and name all 52 ARKit
shapes and the 9 head/eye rotations, in any order and either spelling (`EyeBlinkLeft` or
`eyeBlinkLeft`); other columns are ignored. Every row needs as many cells as the header, a timecode
`HH:MM:SS:FF.fff` (pipeline.export.livelink) and finite numbers. Times run forward; a recording that
passes midnight keeps counting (23:59:59 is followed by 24:00:00, not 00:00:00).
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.perform.arkit.names import LIVE_LINK_VALUES

from .export.livelink import DAY, parse_livelink_timecode

MAX_BYTES = 512 * 1024 * 1024  # ~2.4 hours at 60 fps: far beyond a take


@dataclass(frozen=True)
class LiveLinkCapture:
    path: Path
    times: np.ndarray  # float64 [N] seconds since midnight of the first row's day
    values: np.ndarray  # float64 [N, 61] in LIVE_LINK_VALUES order (radians for the rotations)

    @property
    def weights(self) -> np.ndarray:
        return self.values[:, :52]

    @property
    def rotations(self) -> np.ndarray:
        return self.values[:, 52:]

    @property
    def rate(self) -> float:
        """Samples per second: the median spacing of the timecodes (robust to the phone's jitter)."""
        steps = np.diff(self.times)
        steps = steps[steps > 0]
        return float(1.0 / np.median(steps)) if len(steps) else 0.0


def read_capture(path: str | os.PathLike) -> LiveLinkCapture:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValidationError(f"file is larger than {MAX_BYTES >> 20} MB; not a Live Link Face take", path)
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValidationError("Live Link file not found", path) from None
    except UnicodeDecodeError:
        raise ValidationError("not a text file (expected a Live Link Face CSV)", path) from None
    except OSError as exc:
        raise ValidationError(f"cannot read the file: {exc.strerror or exc}", path) from None
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise ValidationError("the file is empty", path)
    header = [h.strip() for h in rows[0]]
    if header[:2] != ["Timecode", "BlendShapeCount"]:
        raise ValidationError("not a Live Link Face CSV: the header must start with Timecode,BlendShapeCount", path)
    columns = _column_indices(path, header)
    if len(rows) < 2:
        raise ValidationError("no rows after the header", path)
    times = np.empty(len(rows) - 1)
    cells = []
    day = 0.0
    for i, row in enumerate(rows[1:]):
        line = i + 2
        if len(row) != len(header):
            raise ValidationError(f"line {line}: {len(row)} cells, the header has {len(header)}", path)
        try:
            t = parse_livelink_timecode(row[0])
        except ValueError as exc:
            raise ValidationError(f"line {line}: {exc}", path) from None
        if i and t + day < times[i - 1] - DAY / 2:
            day += DAY  # past midnight
        times[i] = t + day
        if i and times[i] < times[i - 1]:
            raise ValidationError(f"line {line}: timecode {row[0].strip()} is earlier than the line before", path)
        cells.append([row[c] for c in columns])
    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        values = None
    if values is None or not np.isfinite(values).all():
        _report_bad_cell(path, cells)
    return LiveLinkCapture(path, times, values)


def _column_indices(path: Path, header: list[str]) -> list[int]:
    lower = {}
    for i, name in enumerate(header):
        key = name.lower()
        if key in lower:
            raise ValidationError(f"column {name!r} appears twice", path)
        lower[key] = i
    missing = [n for n in LIVE_LINK_VALUES if n.lower() not in lower]
    if missing:
        shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        raise ValidationError(f"missing column(s) {shown}", path)
    return [lower[n.lower()] for n in LIVE_LINK_VALUES]


def _report_bad_cell(path: Path, cells: list[list[str]]) -> None:
    """Raise for the first cell that is not a finite number (the slow path, only on bad files)."""
    for i, row in enumerate(cells):
        for k, cell in enumerate(row):
            where = f"line {i + 2}, {LIVE_LINK_VALUES[k]}"
            try:
                value = float(cell)
            except ValueError:
                raise ValidationError(f"{where}: not a number: {cell.strip()!r}", path) from None
            if not math.isfinite(value):
                raise ValidationError(f"{where}: value must be finite, got {cell.strip()!r}", path)
