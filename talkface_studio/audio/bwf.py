"""Where a recording sits on the day's clock: the Broadcast Wave time reference (bext, iXML).

Production sound recorders stamp each WAV with the time of day at its first sample, in samples since
midnight: the `bext` chunk's TimeReference (EBU Tech 3285: 64 bits after Description[256],
Originator[32], OriginatorReference[32], OriginationDate[10], OriginationTime[8]) and the iXML
chunk's TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI/LO (with TIMESTAMP_SAMPLE_RATE, and the camera's
SPEED/TIMECODE_RATE and TIMECODE_FLAG). bext wins when both are present, as in most NLEs.

Only the chunk headers are read (a few kB, whatever the length of the recording). RIFF, RF64 and
BW64 files are understood; anything else has no time reference (None).
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from talkface_studio.core.timebase import FrameRate

_BEXT_TIME_OFFSET = 256 + 32 + 32 + 10 + 8
_MAX_IXML = 1 << 20  # a real iXML chunk is a few kB
_MAX_CHUNKS = 4096


@dataclass(frozen=True)
class StartTime:
    samples_since_midnight: int
    sample_rate: int
    source: str  # "bext" | "iXML"
    timecode_rate: FrameRate | None = None  # iXML SPEED/TIMECODE_RATE when it names a rate we know
    drop_frame: bool | None = None

    @property
    def seconds(self) -> float:
        return self.samples_since_midnight / self.sample_rate


def read_start_time(path: str | os.PathLike) -> StartTime | None:
    """The recording's time of day, or None when it carries none (or is not a WAV file)."""
    try:
        with open(path, "rb") as fh:
            chunks = _chunks(fh)
    except OSError:
        return None
    if chunks is None:
        return None
    rate = chunks.get("fmt ")
    sample_rate = struct.unpack_from("<I", rate, 4)[0] if rate is not None and len(rate) >= 8 else 0
    bext = chunks.get("bext")
    if bext is not None and len(bext) >= _BEXT_TIME_OFFSET + 8 and sample_rate > 0:
        low, high = struct.unpack_from("<II", bext, _BEXT_TIME_OFFSET)
        return StartTime((high << 32) | low, sample_rate, "bext")
    ixml = chunks.get("iXML")
    if ixml is not None:
        return _from_ixml(ixml.decode("utf-8", "replace"), sample_rate)
    return None


def _chunks(fh) -> dict[str, bytes] | None:
    """{chunk id: payload} for fmt, bext and iXML (the audio data is skipped, never read)."""
    head = fh.read(12)
    if len(head) < 12 or head[8:12] != b"WAVE" or head[:4] not in (b"RIFF", b"RF64", b"BW64"):
        return None
    wanted = {"fmt ": 64, "bext": 1 << 16, "iXML": _MAX_IXML}
    found: dict[str, bytes] = {}
    for _ in range(_MAX_CHUNKS):
        header = fh.read(8)
        if len(header) < 8:
            break
        cid = header[:4].decode("latin-1")
        size = struct.unpack("<I", header[4:])[0]
        if cid in wanted and size <= wanted[cid]:
            found[cid] = fh.read(size)
            if size % 2:
                fh.seek(1, os.SEEK_CUR)
        elif cid == "data" and size == 0xFFFFFFFF:  # RF64: the real size is in ds64; nothing follows we need
            break
        else:
            fh.seek(size + (size % 2), os.SEEK_CUR)
    return found


def _tag(xml: str, name: str) -> str | None:
    # a tag scan, not an XML parser: nothing in the file is interpreted beyond these numbers
    m = re.search(rf"<{name}>\s*([^<]*?)\s*</{name}>", xml)
    return m.group(1) if m else None


def _from_ixml(xml: str, fmt_rate: int) -> StartTime | None:
    hi, lo = _tag(xml, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI"), _tag(xml, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO")
    if hi is None or lo is None or not hi.isdigit() or not lo.isdigit():
        return None
    rate_text = _tag(xml, "TIMESTAMP_SAMPLE_RATE") or ""
    sample_rate = int(rate_text) if rate_text.isdigit() and int(rate_text) > 0 else fmt_rate
    if sample_rate <= 0:
        return None
    tc_rate = None
    speed = _tag(xml, "TIMECODE_RATE")
    if speed:
        try:
            tc_rate = FrameRate.parse(speed)
        except Exception:  # noqa: BLE001 - an unusual camera rate: the clock time still stands
            tc_rate = None
    flag = (_tag(xml, "TIMECODE_FLAG") or "").upper()
    drop = True if flag == "DF" else False if flag == "NDF" else None
    return StartTime((int(hi) << 32) | int(lo), sample_rate, "iXML", tc_rate, drop)


def bext_chunk(samples_since_midnight: int, description: str = "", originator: str = "TalkFace Studio") -> bytes:
    """A bext chunk payload (version 1, no coding history) carrying a time reference."""
    def field(text: str, size: int) -> bytes:
        return text.encode("ascii", "replace")[:size].ljust(size, b"\0")

    body = (field(description, 256) + field(originator, 32) + field("", 32) + field("", 10) + field("", 8)
            + struct.pack("<II", samples_since_midnight & 0xFFFFFFFF, samples_since_midnight >> 32)
            + struct.pack("<H", 1) + bytes(64) + bytes(190))
    return body


def with_bext(src: str | os.PathLike, dst: str | os.PathLike, samples_since_midnight: int) -> Path:
    """Copy a RIFF WAV adding a bext chunk before its data (for tests and for stamping a recording)."""
    data = Path(src).read_bytes()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{src}: not a RIFF WAV file")
    chunk = bext_chunk(samples_since_midnight)
    body = data[12:]
    out = b"WAVE" + b"bext" + struct.pack("<I", len(chunk)) + chunk + body
    Path(dst).write_bytes(b"RIFF" + struct.pack("<I", len(out)) + out)
    return Path(dst)
