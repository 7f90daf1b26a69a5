"""Reading curve files for import (CSV `frame,time,<channel>...` or the JSON export-curves writes).

Every value is checked with the line (CSV) or JSON path of a problem in the message, within
core.limits; a FIFO or device is refused before reading. An empty CSV cell (or a JSON `null`) is a
gap. A CSV's `time` column is kept so the import can refuse curves made at another frame rate.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import TalkFaceError, ValidationError
from talkface_studio.core.file_access import read_regular
from talkface_studio.core.json_reader import parse_json
from talkface_studio.core.limits import (MAX_CELL_CHARS, MAX_CURVE_BYTES, MAX_CURVE_COLUMNS, MAX_FRAMES, MAX_NAME,
                                         VALUE_LIMIT)
from talkface_studio.core.timebase import STANDARD_RATES, FrameRate

SCHEMA = "talkface-curves"
VERSION = 1


@dataclass
class CurveTable:
    """Frames (take frame numbers) and per-channel float64 values; NaN = no value at that frame.
    `times` (seconds, NaN where empty) comes from a CSV's time column, `rate` from a JSON file."""

    frames: np.ndarray
    channels: dict[str, np.ndarray]
    rate: FrameRate | None = None
    times: np.ndarray | None = None


def read_curves(path: str | os.PathLike, known: set[str] | None = None) -> CurveTable:
    """Parse a CSV or JSON curve file; errors name the file and the line or key."""
    path = Path(path)
    data = read_regular(path, "curve file", MAX_CURVE_BYTES, ValidationError)
    if path.suffix.lower() == ".json":
        table = _parse_json(path, data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(f"not a curve file (not UTF-8 text: bad byte at offset {exc.start})", path) from None
        table = _parse_csv(path, text)
    if known is not None:
        unknown = sorted(set(table.channels) - known)
        if unknown:
            shown = ", ".join(n[:40] for n in unknown[:5]) + (" ..." if len(unknown) > 5 else "")
            raise ValidationError(f"unknown channel(s) {shown}", path)
    if len(np.unique(table.frames)) != len(table.frames):
        raise ValidationError("a frame number appears twice", path)
    return table


def check_against_take(table: CurveTable, take, path: str | os.PathLike) -> None:
    """Refuse curves at another frame rate (a JSON's fps, or a CSV whose times drift off the take's
    frames by more than a quarter frame) or on frames outside the take."""
    if table.rate is not None and table.rate != take.rate:
        raise ValidationError(f"curves are at {table.rate} fps but take {take.name!r} is at {take.rate} fps", path)
    if table.times is not None:
        _check_times(table, take, path)
    outside = table.frames[(table.frames < 0) | (table.frames >= take.n_frames)]
    if len(outside):
        raise ValidationError(f"frame {int(outside[0])} is outside take {take.name!r} "
                              f"(frames 0-{take.n_frames - 1})", path)


def _check_times(table: CurveTable, take, path) -> None:
    timed = ~np.isnan(table.times)
    frames, times = table.frames[timed].astype(np.float64), table.times[timed]
    if len(np.unique(frames)) < 2:
        return  # one timed row says nothing about the rate
    fps = take.rate.num / take.rate.den
    # another tool may count time from the first exported frame: allow a constant offset
    offset = float(np.median(times - frames / fps))
    drift = np.abs(times - (frames / fps + offset))
    if drift.max() <= 0.25 / fps + 2e-6:
        return
    span = frames.max() - frames.min()
    implied = span / (times[frames.argmax()] - times[frames.argmin()]) if span else float("nan")
    last = int(frames.argmax())
    raise ValidationError(f"the time column is at {_rate_name(implied)} fps (frame {int(frames[last])} at "
                          f"{times[last]:.6f} s) but take {take.name!r} is at {take.rate} fps; export the "
                          f"curves at {take.rate} fps or retime them first", path)


def _rate_name(fps: float) -> str:
    if not math.isfinite(fps) or fps <= 0:
        return "an inconsistent rate"
    nearest = min(STANDARD_RATES, key=lambda rate: abs(rate.fps - fps))
    return str(nearest) if abs(nearest.fps - fps) / nearest.fps < 0.0005 else f"{fps:.3f}"


def _number(path: Path, cell: str, where: str) -> float:
    cell = cell.strip()
    if cell == "":
        return math.nan
    try:
        value = float(cell)
    except ValueError:
        raise ValidationError(f"{where}: not a number: {cell[:40]!r}", path) from None
    if not math.isfinite(value) or abs(value) > VALUE_LIMIT:
        raise ValidationError(f"{where}: value must be a finite number within +-{VALUE_LIMIT:g}, "
                              f"got {cell[:40]!r}", path)
    return value


def _frame(path: Path, cell: str, where: str) -> int:
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != int(value) or abs(value) > 10 * MAX_FRAMES:
        raise ValidationError(f"{where}: frame must be a whole number of at most {10 * MAX_FRAMES}, got "
                              f"{text[:40]!r}", path)
    return int(value)


def _rows(path: Path, text: str):
    """CSV rows with their line numbers; a malformed or oversized cell names its line."""
    reader = csv.reader(io.StringIO(text), strict=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValidationError(f"line {reader.line_num}: not a CSV row ({exc})", path) from None
        if any(len(c) > MAX_CELL_CHARS for c in row):
            raise ValidationError(f"line {reader.line_num}: a cell is longer than {MAX_CELL_CHARS} characters", path)
        if len(row) > MAX_CURVE_COLUMNS:
            raise ValidationError(f"line {reader.line_num}: {len(row)} columns; at most {MAX_CURVE_COLUMNS}", path)
        if any(c.strip() for c in row):
            yield reader.line_num, row


def _parse_csv(path: Path, text: str) -> CurveTable:
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL_CHARS + 1)  # refuse giant cells while reading, not after
    try:
        return _parse_csv_rows(path, _rows(path, text))
    finally:
        csv.field_size_limit(old_limit)


def _parse_csv_rows(path: Path, rows) -> CurveTable:
    first = next(rows, None)
    if first is None:
        raise ValidationError("curve file is empty", path)
    header = [h.strip() for h in first[1]]
    if not header or header[0] != "frame":
        raise ValidationError("first column must be 'frame' (header: frame,time,<channel>...)", path)
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ValidationError(f"line {first[0]}: column {dupes[0][:40]!r} appears twice", path)
    names = [h for h in header[1:] if h != "time"]
    cols = {h: i for i, h in enumerate(header)}
    frames, times, values = [], [], {n: [] for n in names}
    for line_no, row in rows:
        if len(frames) > MAX_FRAMES:
            raise ValidationError(f"line {line_no}: more than {MAX_FRAMES} rows", path)
        if len(row) != len(header):
            raise ValidationError(f"line {line_no}: {len(row)} cells, header has {len(header)}", path)
        frames.append(_frame(path, row[0], f"line {line_no}"))
        if "time" in cols:
            t = _number(path, row[cols["time"]], f"line {line_no}, time")
            if t < 0:
                raise ValidationError(f"line {line_no}, time: must be >= 0, got {row[cols['time']]!r}", path)
            times.append(t)
        for n in names:
            values[n].append(_number(path, row[cols[n]], f"line {line_no}, {n[:40]}"))
    return CurveTable(np.array(frames, dtype=np.int64), {n: np.array(v, dtype=np.float64) for n, v in values.items()},
                      times=np.array(times, dtype=np.float64) if "time" in cols else None)


def _parse_json(path: Path, data: bytes) -> CurveTable:
    doc = parse_json(data, path, "curve file", ValidationError, max_depth=4)
    doc.dict()
    if doc.get("schema").value != SCHEMA:
        raise doc.fail(f"not a curve file (expected schema {SCHEMA!r})")
    version = doc.get("version", 1).int(min=1)
    if version > VERSION:
        raise doc["version"].fail(f"curve file version {version} is newer than this program reads ({VERSION})")
    frames = [f.int(min=-10 * MAX_FRAMES, max=10 * MAX_FRAMES) for f in doc["frames"].each(MAX_FRAMES)]
    out = {}
    for name, vals in doc["channels"].items(max_items=MAX_CURVE_COLUMNS):
        if len(name) > MAX_NAME:
            raise vals.fail("channel name is too long")
        items = vals.each(MAX_FRAMES)
        if len(items) != len(frames):
            raise vals.fail(f"has {len(items)} values for {len(frames)} frames")
        out[name] = np.array([math.nan if v.is_null else v.float(min=-VALUE_LIMIT, max=VALUE_LIMIT) for v in items],
                             dtype=np.float64)
    rate = None
    if "fps" in doc.value:
        try:
            rate = FrameRate.from_json(doc["fps"].value)
        except TalkFaceError as exc:
            raise doc["fps"].fail(exc.problem) from None
    return CurveTable(np.array(frames, dtype=np.int64), out, rate)
