"""Plate mode (`render --plate`): the take rendered back into its whole source photo.

The photo (tests/plate_project.py) is 961x541 with a ~70-px face: small in a large frame, odd
sides, a grainy background on which any shift or resampling would show."""

import re
import subprocess

import cv2
import numpy as np
import pytest
from PIL import Image

from talkface_studio.cli.main import main
from talkface_studio.pipeline.export.exr_sequence import read_exr
from talkface_studio.pipeline.ffmpeg import decode_video, ffmpeg_exe, probe
from talkface_studio.pipeline.job import RenderJob
from talkface_studio.pipeline.plate.framing import PlateFraming
from talkface_studio.pipeline.take_state import TakeState, load_take
from talkface_studio.render.registry import get_renderer

from plate_project import HEIGHT, WIDTH, make_plate_project, read_photo

pytestmark = pytest.mark.slow
FRAMES = "0-9"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_plate_project(tmp_path_factory.mktemp("plate"))


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))


def _job(tfs, start=0, stop=10, alpha=False, max_side=2048):
    project, take = load_take(tfs)
    snapshot = TakeState(project).snapshot(take)
    return RenderJob(snapshot, start, stop, plate=PlateFraming.open(snapshot.portrait, max_side, alpha=alpha))


def _reach(job, renderer, frames):
    """bool [H, W]: where the moving layer (head, hair, neck) is at rest or in any of `frames`
    (landmarks at the render size), grown by 2 px: all a plate frame may change."""
    src = job.plate.source
    s = src.render_side
    layer = renderer.layer_alpha(src.portrait, src.portrait.landmarks, s) > 0
    for lm in job.take.landmarks(job.start, job.stop, s)[frames]:
        layer |= renderer.layer_alpha(src.portrait, lm, s) > 0
    layer = cv2.dilate(layer.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    if not src.native:
        layer = cv2.resize(layer.astype(np.uint8), (src.source_side,) * 2, interpolation=cv2.INTER_NEAREST) > 0
        layer = cv2.dilate(layer.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    reach = np.zeros((src.height, src.width), bool)
    x0, y0, x1, y1 = src.box
    cx0, cy0 = max(x0, 0), max(y0, 0)
    cx1, cy1 = min(x1, src.width), min(y1, src.height)
    reach[cy0:cy1, cx0:cx1] = layer[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
    return reach


def _png_frames(folder, suffix=".png"):
    return sorted(folder.glob(f"t1.*{suffix}"))


def test_plate_is_the_photo_outside_the_head_on_every_frame(project, tmp_path, capsys):
    out = tmp_path / "seq"
    assert main(["render", str(project), "--plate", "--frames", FRAMES, "-o", str(out)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert f"{WIDTH}x{HEIGHT} plate" in line and "the photo's own density" in line
    photo = read_photo(project)
    job = _job(project)
    reach = _reach(job, get_renderer("mesh_warp", device="cpu"), slice(None))
    assert job.plate.source.native and reach.mean() < 0.1        # the head region is a small part of it
    paths = _png_frames(out)
    assert [p.name for p in paths] == [f"t1.{f:06d}.png" for f in range(10)]
    changed = []
    for path in paths:
        frame = np.asarray(Image.open(path))
        assert frame.shape == photo.shape                     # an image sequence keeps the exact size
        assert np.array_equal(frame[~reach], photo[~reach])   # bit for bit outside the head's reach
        changed.append(np.any(frame != photo, axis=2)[reach].mean())
    assert max(changed) > 0.05                                # the head region does change
    # the face itself moves: landmarks of two frames apart differ and so do the pixels there
    a, b = (np.asarray(Image.open(p)).astype(int) for p in (paths[0], paths[-1]))
    assert np.abs(a - b)[reach].mean() > 1.0


def test_plate_video_is_the_photo_size_padded_to_even(project, tmp_path, capsys):
    out = tmp_path / "plate.mp4"
    assert main(["render", str(project), "--plate", "--frames", "0-4", "-o", str(out)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert f"{WIDTH}x{HEIGHT} plate padded to {WIDTH + 1}x{HEIGHT + 1}" in line
    info = probe(out)
    assert (info.width, info.height, info.n_frames) == (WIDTH + 1, HEIGHT + 1, 5)
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    decoded = decode_video(out, WIDTH + 1, HEIGHT + 1)[0].astype(np.float32)
    # lossy (4:2:0 drops the grain's colour), but the photo in place, its last column and row
    # repeated by the padding: nearer to it than to the photo shifted by one pixel
    padded = np.pad(read_photo(project), ((0, 1), (0, 1), (0, 0)), mode="edge").astype(np.float32)

    def blur(x):
        return cv2.GaussianBlur(x, (0, 0), 1.5)
    err = np.abs(blur(decoded) - blur(padded))
    shifted = np.abs(blur(decoded) - blur(np.roll(padded, 1, axis=1))).mean()
    assert err.mean() < 2.0 and err.mean() < 0.6 * shifted
    assert err[:, -1].mean() < 2.0 and err[-1].mean() < 2.0
    mov = tmp_path / "plate.mov"                                  # without --alpha: ProRes 422 HQ
    assert main(["render", str(project), "--plate", "--frames", "0-1", "-o", str(mov)]) == 0
    info = probe(mov)
    assert (info.video_codec, info.pix_fmt, info.width, info.height) == ("prores", "yuv422p10le", WIDTH + 1, HEIGHT + 1)


def test_alpha_is_the_performer_matte_and_reads_back_from_png_exr_and_prores(project, tmp_path):
    common = [str(project), "--plate", "--alpha", "--frames", "0-2"]
    assert main(["render", *common, "-o", str(tmp_path / "png")]) == 0
    assert main(["render", *common, "--image-format", "exr", "-o", str(tmp_path / "exr")]) == 0
    assert main(["render", *common, "-o", str(tmp_path / "plate.mov")]) == 0
    job = _job(project, 0, 3, alpha=True)
    expected = [(pf.rgb.copy(), pf.alpha.copy()) for _, pf in job.run()]
    raw = subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-i", str(tmp_path / "plate.mov"), "-f", "rawvideo",
                          "-pix_fmt", "rgba", "-"], capture_output=True, check=True).stdout
    mov = np.frombuffer(raw, np.uint8).reshape(-1, HEIGHT + 1, WIDTH + 1, 4)
    assert probe(tmp_path / "plate.mov").pix_fmt.startswith("yuva444") and len(mov) == 3
    for i, (rgb, alpha) in enumerate(expected):
        png = np.asarray(Image.open(tmp_path / "png" / f"t1.{i:06d}.png"))
        assert png.shape == (HEIGHT, WIDTH, 4)
        assert np.array_equal(png[..., :3], rgb)
        assert np.array_equal(png[..., 3], np.round(alpha * 255).astype(np.uint8))
        exr_rgb, exr_alpha = read_exr(tmp_path / "exr" / f"t1.{i:06d}.exr")
        assert np.array_equal(exr_rgb, rgb)                       # scene-linear half floats keep every level
        assert np.abs(exr_alpha - alpha).max() < 1e-3
        assert np.abs(mov[i, :HEIGHT, :WIDTH, 3].astype(int) - png[..., 3]).max() <= 1   # ProRes 4444 alpha
        assert np.abs(mov[i, :HEIGHT, :WIDTH, :3].astype(int) - rgb).mean() < 1.0
        # what the matte is: the performer opaque, the background clear, moving with the head
        lm = job.take.landmarks(i, i + 1, job.plate.source.render_side)[0]
        face = np.zeros(alpha.shape, np.uint8)
        pts = lm[[1, 4, 168, 6, 13, 14, 152, 10], :2] * job.plate.source.source_side / job.plate.source.render_side
        for x, y in pts + np.array(job.plate.source.box[:2]):
            face[int(y), int(x)] = 1
        assert alpha[face > 0].min() > 0.98
        assert alpha[:40, :40].max() < 0.05 and alpha[:40, -40:].max() < 0.05


def test_chunks_equal_the_whole_render_and_encode_to_the_same_video(project, tmp_path):
    common = [str(project), "--plate", "--no-cache"]
    for a, b in ((5, 9), (0, 4)):       # farm tasks, any order
        assert main(["render", *common, "--frames", f"{a}-{b}", "-o", str(tmp_path / "chunks")]) == 0
    assert main(["render", *common, "--frames", "0-9", "-o", str(tmp_path / "whole")]) == 0
    chunked, whole = _png_frames(tmp_path / "chunks"), _png_frames(tmp_path / "whole")
    assert [p.name for p in chunked] == [p.name for p in whole] and len(whole) == 10
    for c, w in zip(chunked, whole):
        assert np.array_equal(np.asarray(Image.open(c)), np.asarray(Image.open(w)))
    assert main(["encode", str(project), "--plate", "--frames", "0-9", "--sequence", str(tmp_path / "chunks"),
                 "-o", str(tmp_path / "chunked.mp4")]) == 0
    assert main(["render", *common, "--frames", "0-9", "-o", str(tmp_path / "direct.mp4")]) == 0
    size = (WIDTH + 1, HEIGHT + 1)
    assert np.array_equal(decode_video(tmp_path / "chunked.mp4", *size), decode_video(tmp_path / "direct.mp4", *size))


def test_farm_job_renders_plates(project, tmp_path, capsys):
    out = tmp_path / "farm"
    assert main(["submit", str(project), "--farm", "opencue", "--plate", "--alpha", "--format", "mov",
                 "--chunk", "10", "--no-submit", "-o", str(out)]) == 0
    spec = (out / "opencue_job.xml").read_text()
    commands = re.findall(r"<cmd>(.*?)</cmd>", spec)
    render = [c for c in commands if " render " in c]
    encode = [c for c in commands if " encode " in c]
    assert len(render) == 1 and "#FRAME_START#-#FRAME_END#" in render[0]
    assert all("--plate --alpha" in c and "--size" not in c for c in render + encode)
    assert len(encode) == 1 and encode[0].endswith("t1.mov")
    capsys.readouterr()
    assert main(["submit", str(project), "--farm", "opencue", "--plate", "--alpha", "--no-submit",
                 "-o", str(tmp_path / "farm2")]) == 2
    assert "MP4 (H.264) has no alpha" in capsys.readouterr().err
    assert not (tmp_path / "farm2").exists()


def test_capped_head_region_is_resampled_and_the_rest_stays_the_photo(project, tmp_path, capsys):
    out = tmp_path / "seq"
    assert main(["render", str(project), "--plate", "--plate-max-side", "128", "--frames", "0-3", "-o", str(out)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.search(r"rendered at 128 px \(capped from its 1\d\d px in the photo\)", line)
    job = _job(project, 0, 4, max_side=128)
    reach = _reach(job, get_renderer("mesh_warp", device="cpu"), slice(None))
    photo = read_photo(project)
    frames = [np.asarray(Image.open(p)) for p in _png_frames(out)]
    for frame in frames:
        assert np.array_equal(frame[~reach], photo[~reach])
    assert max(np.any(f != photo, axis=2)[reach].mean() for f in frames) > 0.05


def test_small_face_in_a_full_hd_frame(tmp_path, capsys):
    """A full-body framing: a ~70-px face in 1920x1080 (3.6 % of the width)."""
    from plate_project import plate_photo

    tfs = make_plate_project(tmp_path / "p", plate_photo(1920, 1080))
    out = tmp_path / "seq"
    assert main(["render", str(tfs), "--plate", "--frames", "0-2", "-o", str(out)]) == 0
    assert "1920x1080 plate" in capsys.readouterr().out.strip().splitlines()[-1]
    job = _job(tfs, 0, 3)
    reach = _reach(job, get_renderer("mesh_warp", device="cpu"), slice(None))
    assert reach.mean() < 0.02 and job.plate.source.render_side < 256
    photo = read_photo(tfs)
    frames = [np.asarray(Image.open(p)) for p in _png_frames(out)]
    assert len(frames) == 3
    for frame in frames:
        assert frame.shape == (1080, 1920, 3) and np.array_equal(frame[~reach], photo[~reach])
    assert max(np.any(f != photo, axis=2)[reach].mean() for f in frames) > 0.05


# -- bad input: one line naming the file and the problem, nothing written -------------------------

def _refused(args, capsys, out):
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert not out.exists() and not out.parent.exists()       # not even the output folder
    return err[0]


def test_alpha_with_mp4_is_refused(project, tmp_path, capsys):
    out = tmp_path / "new" / "plate.mp4"
    line = _refused(["render", str(project), "--plate", "--alpha", "-o", str(out)], capsys, out)
    assert str(out) in line and "MP4 (H.264) has no alpha channel" in line


def test_photo_changed_since_it_was_fitted_is_refused(project, tmp_path, capsys):
    from plate_project import copy_project

    tfs = copy_project(project, tmp_path / "copy")
    photo = read_photo(tfs)
    photo[0, 0] = 255 - photo[0, 0]                             # one pixel retouched
    cv2.imwrite(str(tfs.parent / "photo.png"), photo[..., ::-1])
    out = tmp_path / "new" / "plate.mov"
    line = _refused(["render", str(tfs), "--plate", "-o", str(out)], capsys, out)
    assert str(tfs.parent / "photo.png") in line and "has changed since it was fitted" in line
    seq = tmp_path / "new" / "frames"
    line = _refused(["render", str(tfs), "--plate", "-o", str(seq) + "/"], capsys, seq)
    assert "has changed since it was fitted" in line
    # what the line says to do works: generate fits the photo again, then the plate renders
    assert main(["generate", str(tfs)]) == 0
    assert main(["render", str(tfs), "--plate", "--frames", "0-1", "-o", str(seq)]) == 0
    assert np.array_equal(np.asarray(Image.open(seq / "t1.000000.png"))[0, 0], photo[0, 0])


def test_plate_too_large_for_memory_is_refused(project, tmp_path, capsys, monkeypatch):
    from talkface_studio.core.errors import MediaError
    from talkface_studio.core import limits
    from talkface_studio.pipeline.plate import source

    tall = tmp_path / "tall.png"
    Image.new("RGB", (9000, 2)).save(tall)                      # a real header past the 8192-px side
    with pytest.raises(MediaError, match=r"plate would be 9000x2 .*at most 36 MP and 8192 px a side"):
        source.plate_size(tall)
    monkeypatch.setattr(limits, "MAX_PLATE_PIXELS", 400_000)     # the project's 961x541 photo is 0.52 MP
    out = tmp_path / "new" / "plate.mp4"
    line = _refused(["render", str(project), "--plate", "-o", str(out)], capsys, out)
    assert "photo.png" in line and "plate would be 961x541 (0.5 MP); plate mode renders at most 0.4 MP" in line


def test_plate_options_that_do_not_apply_are_refused(project, tmp_path, capsys):
    out = tmp_path / "new" / "plate.mp4"
    assert "--size does not apply to --plate" in _refused(
        ["render", str(project), "--plate", "--size", "512", "-o", str(out)], capsys, out)
    assert "needs the mesh_warp renderer" in _refused(
        ["render", str(project), "--plate", "--renderer", "neural", "-o", str(out)], capsys, out)
    assert "need --plate" in _refused(["render", str(project), "--alpha", "-o", str(out)], capsys, out)


def test_a_stale_take_renders_its_plate_as_stored(project, tmp_path, capsys):
    """One path: a plate renders the take's stored curves like every other output; a take whose
    Generate is out of date (here another seed) is not regenerated behind the artist's back."""
    from plate_project import copy_project

    from talkface_studio.core.project_file import load_project, save_project

    tfs = copy_project(project, tmp_path / "copy")
    assert main(["render", str(tfs), "--plate", "--frames", "0-3", "-o", str(tmp_path / "before")]) == 0
    doc = load_project(tfs)
    doc.takes[0].generation.seed += 1                                   # Generate is now out of date
    save_project(doc, tfs)
    capsys.readouterr()
    assert main(["render", str(tfs), "--plate", "--frames", "0-3", "-o", str(tmp_path / "after")]) == 0
    assert "changed since it was last generated" in capsys.readouterr().err
    before, after = _png_frames(tmp_path / "before"), _png_frames(tmp_path / "after")
    assert len(before) == len(after) == 4
    for a, b in zip(before, after):
        assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))
