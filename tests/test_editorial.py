"""Editorial hand-off: BWF start times, the OTIO timeline read back with opentimelineio (rates,
media, markers), EDL through its adapter, markers back onto the emotion lane as undoable paints,
bad timelines refused in one line, and the recording's timecode in rendered movies."""

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

otio = pytest.importorskip("opentimelineio")

from talkface_studio.audio.bwf import read_start_time, with_bext  # noqa: E402
from talkface_studio.core.commands import UndoStack  # noqa: E402
from talkface_studio.core.emotion_track import Segment  # noqa: E402
from talkface_studio.core.errors import ValidationError  # noqa: E402
from talkface_studio.core.project import Project  # noqa: E402
from talkface_studio.core.take import Take  # noqa: E402
from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.pipeline.editorial_import import plan_markers, read_timeline  # noqa: E402
from talkface_studio.pipeline.export.editorial import EditorialTake, build_timeline, write_editorial  # noqa: E402

NTSC = FrameRate(30000, 1001)
DF_HOUR = 107892  # frames at 29.97 from midnight to 01:00:00;00
SEGMENTS = (Segment(10, 50, "happy", 2), Segment(100, 180, "sad", 3), Segment(200, 230, "surprised", 1))


def _wav(path, seconds=1.0, sr=48000):
    sf.write(path, np.zeros(int(seconds * sr), np.float32), sr)
    return path


def test_bext_and_ixml_time_references(tmp_path):
    plain = _wav(tmp_path / "plain.wav")
    assert read_start_time(plain) is None
    samples = round(NTSC.frame_to_seconds(DF_HOUR) * 48000)
    stamped = with_bext(plain, tmp_path / "bwf.wav", samples)
    start = read_start_time(stamped)
    assert (start.source, start.sample_rate, start.samples_since_midnight) == ("bext", 48000, samples)
    assert round(start.seconds * NTSC.fps) == DF_HOUR and NTSC.to_timecode(DF_HOUR) == "01:00:00;00"
    data, sr = sf.read(stamped)  # the audio itself is untouched for every reader
    assert sr == 48000 and len(data) == 48000
    # iXML alone (a recorder that writes no bext)
    raw = plain.read_bytes()
    xml = (b"<BWFXML><SPEED><TIMECODE_RATE>25/1</TIMECODE_RATE><TIMECODE_FLAG>NDF</TIMECODE_FLAG>"
           b"<TIMESTAMP_SAMPLE_RATE>48000</TIMESTAMP_SAMPLE_RATE><TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>0"
           b"</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI><TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>172800000"
           b"</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO></SPEED></BWFXML>")
    body = raw[12:] + b"iXML" + struct.pack("<I", len(xml)) + xml
    (tmp_path / "ixml.wav").write_bytes(b"RIFF" + struct.pack("<I", len(body) + 4) + b"WAVE" + body)
    start = read_start_time(tmp_path / "ixml.wav")
    assert start.source == "iXML" and start.seconds == 3600.0 and start.timecode_rate == FrameRate(25)
    assert start.drop_frame is False
    (tmp_path / "not.wav").write_bytes(b"\x89PNG....")
    assert read_start_time(tmp_path / "not.wav") is None


def _takes(tmp_path):
    render = tmp_path / "line.mov"
    render.write_bytes(b"")
    audio = _wav(tmp_path / "other.wav")
    return [EditorialTake("line", NTSC, 300, DF_HOUR, render, SEGMENTS, (8, 8, 10)),
            EditorialTake("other", FrameRate(24000, 1001), 48, 0, audio, (Segment(0, 12, "angry", 3),))]


def test_timeline_reads_back_with_rates_media_and_markers(tmp_path):
    path = write_editorial(tmp_path / "edit.otio", build_timeline("scene", _takes(tmp_path)))
    timeline = otio.adapters.read_from_file(str(path))
    video, audio = timeline.tracks
    assert video.kind == "Video" and audio.kind == "Audio"
    clip = video[0]
    assert clip.name == "line" and isinstance(video[1], otio.schema.Gap)  # the audio take's slot
    assert clip.source_range.start_time == otio.opentime.RationalTime(DF_HOUR, 30000 / 1001)
    assert clip.source_range.duration.value == 300
    assert otio.opentime.to_timecode(clip.source_range.start_time, 30000 / 1001, True) == "01:00:00;00"
    assert list(clip.metadata["talkface"]["fps_rational"]) == [30000, 1001]
    assert clip.media_reference.target_url == (tmp_path / "line.mov").absolute().as_uri()
    names = [m.name for m in clip.markers]
    assert names == ["happy 2", "sad 3", "surprised 1"]
    sad = clip.markers[1]
    assert sad.marked_range.start_time.value == DF_HOUR + 100 and sad.marked_range.duration.value == 80
    assert sad.color == "BLUE" and sad.metadata["talkface"]["transition"] == 8
    other = audio[1]
    assert other.name == "other" and other.source_range.start_time.rate == pytest.approx(24000 / 1001)
    assert [m.name for m in other.markers] == ["angry 3"]


def test_relative_media_paths(tmp_path):
    timeline = build_timeline("scene", _takes(tmp_path), relative_to=tmp_path / "edit")
    urls = [c.media_reference.target_url for c in timeline.find_clips()]
    assert urls == ["../line.mov", "../other.wav"]


def test_edl_through_the_cmx_adapter(tmp_path):
    pytest.importorskip("otio_cmx3600_adapter")
    take = EditorialTake("line", FrameRate(25), 300, 90000, tmp_path / "line.mov", SEGMENTS)
    (tmp_path / "line.mov").write_bytes(b"")
    path = write_editorial(tmp_path / "edit.edl", build_timeline("scene", [take]))
    text = path.read_text()
    assert "01:00:00:00 01:00:12:00" in text and "* LOC: 01:00:04:00 BLUE    SAD 3" in text
    # an EDL's markers are points: each reads back until the next one
    project = Project(takes=[Take("line", None, None, FrameRate(25), 300)])
    plan = plan_markers(read_timeline(path, 25.0), project.takes[0], path, 3600.0)
    assert plan.painted == [(10, 100, "happy", 2), (100, 200, "sad", 3), (200, 300, "surprised", 1)]
    audio_only = EditorialTake("line", FrameRate(25), 300, 0, _wav(tmp_path / "a.wav"), SEGMENTS)
    with pytest.raises(ValidationError, match="an EDL lists video events"):
        write_editorial(tmp_path / "audio.edl", build_timeline("scene", [audio_only]))
    assert not (tmp_path / "audio.edl").exists()


def _project():
    take = Take("line", None, None, NTSC, 300)
    take.emotion_track.paint(0, 300, "angry", 1)
    return Project(takes=[take, Take("other", None, None, FrameRate(24000, 1001), 48)])


def test_markers_become_undoable_paints_and_round_trip(tmp_path):
    path = write_editorial(tmp_path / "edit.otio", build_timeline("scene", _takes(tmp_path)))
    project = _project()
    take = project.take("line")
    before = take.emotion_track.snapshot()
    plan = plan_markers(read_timeline(path), take, path, 0.0, only_take=False, replace=True)
    stack = UndoStack(project)
    for command in plan.commands:
        stack.push(command, merge=False)
    got = [(s.start, s.end, s.emotion, s.level) for s in take.emotion_track.segments]
    assert got == [(s.start, s.end, s.emotion, s.level) for s in SEGMENTS]
    for _ in plan.commands:
        stack.undo()
    assert take.emotion_track.snapshot() == before


def test_point_markers_last_until_the_next_and_names_are_forgiving(tmp_path):
    rate = 25.0
    clip = otio.schema.Clip(name="line", source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(100, rate)))
    for start, name in ((10, "Happy 3"), (40, "SAD"), (70, "neutral")):
        clip.markers.append(otio.schema.Marker(name=name, marked_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(0, rate))))
    timeline = otio.schema.Timeline(tracks=[otio.schema.Track(children=[clip])])
    take = Take("line", None, None, FrameRate(50), 200)  # another rate: converted through seconds
    plan = plan_markers(timeline, take, tmp_path / "e.otio")
    assert plan.painted == [(20, 80, "happy", 3), (80, 140, "sad", 2), (140, 200, "neutral", 2)]


def _one_marker_timeline(name, clip_name="line"):
    clip = otio.schema.Clip(name=clip_name, source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, 25), otio.opentime.RationalTime(100, 25)))
    if name is not None:
        clip.markers.append(otio.schema.Marker(name=name, marked_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(50, 25), otio.opentime.RationalTime(10, 25))))
    return otio.schema.Timeline(tracks=[otio.schema.Track(children=[clip])])


@pytest.mark.parametrize("marker, clip, needle", [
    (None, "line", "no markers on clip 'line'"),
    ("joyful 2", "line", "marker 'joyful 2' at 00:00:02:00: unknown emotion 'joyful'"),
    ("happy 7", "line", "level must be 1-3"),
    ("happy 2", "other", "no clip for take 'line' in the timeline (clips: other)"),
])
def test_bad_timelines_are_refused_in_one_line(tmp_path, marker, clip, needle):
    path = tmp_path / "edit.otio"
    otio.adapters.write_to_file(_one_marker_timeline(marker, clip), str(path))
    take = Take("line", None, None, FrameRate(25), 100)
    with pytest.raises(ValidationError) as info:
        plan_markers(read_timeline(path), take, path, only_take=False)
    assert needle in str(info.value) and str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_unreadable_timelines(tmp_path):
    (tmp_path / "broken.otio").write_text("{not json")
    with pytest.raises(ValidationError, match="not a readable .otio timeline"):
        read_timeline(tmp_path / "broken.otio")
    with pytest.raises(ValidationError, match="unknown editorial format '.txt'"):
        read_timeline(tmp_path / "edit.txt")
    with pytest.raises(ValidationError, match="editorial file not found"):
        read_timeline(tmp_path / "missing.otio")


def test_rendered_movie_carries_the_recordings_timecode(tmp_path):
    from pipeline_fakes import CountingRenderer, FakeTake

    from talkface_studio.pipeline.ffmpeg import probe
    from talkface_studio.pipeline.job import RenderJob
    from talkface_studio.pipeline.render_output import render_to

    audio = with_bext(_wav(tmp_path / "a.wav"), tmp_path / "bwf.wav", round(NTSC.frame_to_seconds(DF_HOUR) * 48000))
    take = FakeTake(n_frames=12, rate=NTSC, audio_path=audio)
    out = render_to(RenderJob(take, 6, 10, size=32), tmp_path / "shot.mov", renderer=CountingRenderer())
    assert "timecode        : 01:00:00;06" in probe(out).info
    plain = FakeTake(n_frames=12, rate=FrameRate(25), audio_path=_wav(tmp_path / "p.wav"))
    out = render_to(RenderJob(plain, 3, 5, size=32), tmp_path / "plain.mp4", renderer=CountingRenderer())
    assert "timecode        : 00:00:00:03" in probe(out).info
    assert Path(out).stat().st_size > 0
