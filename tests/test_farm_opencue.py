"""OpenCue job built with pyoutline: the serialized spec (what Cuebot would receive; no Cuebot runs
here). Cuebot's frame-token substitution is replayed to check that the chunks' commands render
every frame of the take exactly once and that encoding waits for the whole render layer."""

import shlex
import xml.etree.ElementTree as Et

import pytest

from talkface_studio.cli.main import build_parser, main
from talkface_studio.farm import opencue
from talkface_studio.farm.chunking import plan_job
from talkface_studio.pipeline.job import parse_frame_range

from farm_project import N_FRAMES, add_take, make_project


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tfs = make_project(tmp_path_factory.mktemp("cue"), generate=False)
    add_take(tfs, "take two", 12)
    return tfs


def _spec(plan) -> Et.Element:
    text = opencue.serialize(plan, user="artist")
    return Et.fromstring(text[text.index("<spec>"):])  # after the DOCTYPE line


def _substitute(cmd: str, start: int, end: int) -> str:
    """What Cuebot does per chunk: FRAME_START/END are the chunk's first and last frame."""
    return cmd.replace("#FRAME_START#", str(start)).replace("#FRAME_END#", str(end))


class _Span:
    def __init__(self, first, last):
        self.first_frame, self.last_frame = first, last


def test_layers_ranges_chunks_and_layer_dependency(project, tmp_path):
    plan = plan_job(project, tmp_path / "out", chunk=8)
    spec = _spec(plan)
    layers = {la.get("name"): la for la in spec.iter("layer")}
    assert list(layers) == ["render-t1", "encode-t1", "render-take_two", "encode-take_two"]
    assert layers["render-t1"].findtext("range") == f"0-{N_FRAMES - 1}"
    assert layers["render-t1"].findtext("chunk") == "8"
    assert layers["render-take_two"].findtext("range") == "0-11"
    assert layers["encode-t1"].findtext("chunk") == "1"
    assert "#FRAME_START#-#FRAME_END#" in layers["render-t1"].findtext("cmd")
    deps = {(d.findtext("deplayer"), d.findtext("onlayer"), d.get("type")) for d in spec.iter("depend")}
    assert deps == {("encode-t1", "render-t1", "LAYER_ON_LAYER"),
                    ("encode-take_two", "render-take_two", "LAYER_ON_LAYER")}
    assert spec.find("job").get("name") == "talkface-scene"


def test_chunk_commands_render_each_frame_once_then_encode_all(project, tmp_path):
    plan = plan_job(project, tmp_path / "out", chunk=8, command=["/opt/talk face/talkface-studio"])
    layers = {la.get("name"): la for la in _spec(plan).iter("layer")}
    render_cmd, encode_cmd = layers["render-t1"].findtext("cmd"), layers["encode-t1"].findtext("cmd")
    parser = build_parser()
    covered = []
    for start in range(0, N_FRAMES, 8):
        end = min(start + 7, N_FRAMES - 1)
        argv = shlex.split(_substitute(render_cmd, start, end))
        assert argv[0] == "/opt/talk face/talkface-studio"
        args = parser.parse_args(argv[1:])  # the real CLI accepts the command
        assert (args.command, args.take, args.no_cache) == ("render", "t1", True)
        a, b = parse_frame_range(args.frames, _Span(0, N_FRAMES - 1))
        covered += range(a, b)
        assert str(args.output) == str(plan.sequence_dir("t1"))
    assert covered == list(range(N_FRAMES))
    enc = parser.parse_args(shlex.split(encode_cmd)[1:])
    assert (enc.command, enc.frames, str(enc.sequence), str(enc.output)) == (
        "encode", f"0-{N_FRAMES - 1}", str(plan.sequence_dir("t1")), str(plan.video_path("t1")))


def test_submit_writes_the_spec_without_a_cuebot(project, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CUEBOT_HOSTS", raising=False)
    monkeypatch.delenv("OPENCUE_CONFIG_FILE", raising=False)
    assert main(["submit", str(project), "--farm", "opencue", "--chunk", "5", "--take", "take two",
                 "--show", "testshow", "-o", str(tmp_path / "job")]) == 0
    out, err = capsys.readouterr()
    spec_file = tmp_path / "job" / "opencue_job.xml"
    assert "4 tasks" in out and spec_file.is_file()  # 12 frames in chunks of 5 + the encode
    assert "not submitted" in err and "CUEBOT_HOSTS" in err
    text = spec_file.read_text()
    spec = Et.fromstring(text[text.index("<spec>"):])
    assert spec.findtext("show") == "testshow" and [la.get("name") for la in spec.iter("layer")] == [
        "render-take_two", "encode-take_two"]
