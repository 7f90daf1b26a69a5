"""The app's side of plate mode: the Export dialog offers it (alpha only where the format holds
one), a plate export from the render queue writes the photo-sized frames, and the viewer's Plate
Framing shows the whole photo with the head region live."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
from PIL import Image  # noqa: E402

from talkface_studio.ui.window.export_dialog import ExportDialog  # noqa: E402

from plate_project import HEIGHT, WIDTH, make_plate_project, read_photo  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_plate_project(tmp_path_factory.mktemp("plate_ui"))


@pytest.fixture
def window(make_window, project, tmp_path, monkeypatch):
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    w = make_window()
    w.render_queue.show_dialogs = False
    assert w.files.open_project(project)
    return w


def test_export_dialog_offers_plate_and_alpha_where_the_format_allows(qtbot, tmp_path):
    d = ExportDialog(tmp_path, "t1", has_range=False, photo_size=(961, 541))
    qtbot.addWidget(d)
    d.format.setCurrentText("MP4 (H.264)")
    assert d.plate.isEnabled() and d.size.isEnabled() and not d.alpha.isEnabled()
    d.plate.setChecked(True)
    assert not d.size.isEnabled() and not d.alpha.isEnabled()          # MP4 holds no alpha
    assert "no alpha channel" in d.alpha.toolTip()
    assert "961x541" in d.note.text() and "padded by one pixel" in d.note.text()
    d.format.setCurrentText("MOV (ProRes 422 HQ)")
    assert d.alpha.isEnabled()
    d.alpha.setChecked(True)
    assert d.choices()["plate"] and d.choices()["alpha"] and "ProRes 4444 with alpha" in d.note.text()
    d.format.setCurrentText("EXR sequence (half float, linear)")
    assert d.alpha.isChecked() and d.choices()["image_format"] == "exr"
    d.format.setCurrentText("MP4 (H.264)")
    assert not d.alpha.isChecked()                                       # unchecked when it cannot hold
    d.format.setCurrentText("Curves (CSV)")
    assert not d.plate.isEnabled() and not d.plate.isChecked()


def test_plate_export_from_the_render_queue_writes_the_whole_photo(window, tmp_path):
    out = tmp_path / "plates"
    window.exports.queue_render(out, plate=True, alpha=True, image_format="png")
    entry = window.render_queue.entries[-1]
    assert entry.status == "done", window.render_queue.log.toPlainText()
    frames = sorted(out.glob("t1.*.png"))
    assert len(frames) == window.document.take.n_frames
    first = np.asarray(Image.open(frames[0]))
    assert first.shape == (HEIGHT, WIDTH, 4)                             # the photo's size, with the matte
    photo = read_photo(window.document.path)
    assert np.array_equal(first[:60, :60, :3], photo[:60, :60])          # far from the head: the photo
    assert len(window.document.undo_stack) == 0
    # one path: the app's plate export writes what `render --plate` writes, byte for byte
    from talkface_studio.cli.main import main

    assert main(["render", str(window.document.path), "--plate", "--alpha", "-o", str(tmp_path / "cli")]) == 0
    cli = sorted((tmp_path / "cli").glob("t1.*.png"))
    assert [p.name for p in cli] == [p.name for p in frames]
    for a, b in zip(frames, cli):
        assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))


def test_viewer_plate_framing_shows_the_whole_photo(window, qtbot):
    window.slicer.synchronous = True
    window.request_preview()
    assert window.viewer.rgb.shape[0] == window.viewer.rgb.shape[1]     # the square crop
    window.actions_by_name["plate"].trigger()
    qtbot.waitUntil(lambda: window.viewer.rgb.shape[:2] == (HEIGHT, WIDTH), timeout=10000)
    rect = window.viewer.image_rect()
    assert abs(rect.width() / rect.height() - WIDTH / HEIGHT) < 0.01    # drawn in the photo's aspect
    lm = window.viewer.landmarks
    assert lm[:, 0].min() > WIDTH * 0.3 and lm[:, 1].max() < HEIGHT    # the face where the photo has it
    photo = read_photo(window.document.path)
    assert np.array_equal(window.viewer.rgb[:60, :60], photo[:60, :60])
    window.actions_by_name["plate"].trigger()
    qtbot.waitUntil(lambda: window.viewer.rgb.shape[0] == window.viewer.rgb.shape[1], timeout=10000)


def test_preview_cache_holds_whole_photos_within_its_byte_budget(qtbot, monkeypatch):
    """Plate-framed previews are whole photos: the slicer's cache stays within its bytes."""
    from talkface_studio.ui.viewer import preview_slicer

    class Photos:
        def preview_frame(self, take, project_path, frame, size, stage=None, version=None, framing="crop"):
            shape = (1080, 1920, 3) if framing == "plate" else (size, size, 3)
            return np.full(shape, frame % 255, np.uint8), np.zeros((478, 3), np.float32)

    monkeypatch.setattr(preview_slicer, "CACHE_BYTES", 20 * 1080 * 1920 * 3)
    slicer = preview_slicer.PreviewSlicer(Photos())
    slicer.synchronous = True
    shown = []
    slicer.ready.connect(lambda f, rgb, lm: shown.append(rgb.shape))
    for frame in range(50):
        slicer.request(None, None, frame, 64, framing="plate")
    assert shown[-1] == (1080, 1920, 3) and len(slicer.cache) == 20
    assert sum(v[0].nbytes for v in slicer.cache.values()) <= preview_slicer.CACHE_BYTES
    slicer.request(None, None, 49, 64, framing="crop")     # the crop of the same frame is another entry
    assert shown[-1] == (64, 64, 3)


def test_render_ahead_renders_in_the_viewers_framing(qtbot):
    """Playback under View > Plate Framing plays whole photos: render-ahead asks for the slicer's
    framing and stores the frame where the viewer looks it up."""
    from talkface_studio.ui.viewer import preview_slicer
    from talkface_studio.ui.viewer.render_ahead import RenderAhead

    asked = []

    class Photos:
        def preview_frame(self, take, project_path, frame, size, stage=None, version=None, framing="crop"):
            asked.append(framing)
            shape = (108, 192, 3) if framing == "plate" else (size, size, 3)
            return np.full(shape, frame % 255, np.uint8), np.zeros((478, 3), np.float32)

    slicer = preview_slicer.PreviewSlicer(Photos())
    slicer.synchronous = True
    slicer.request(None, None, 0, framing="plate")
    ahead = RenderAhead(Photos(), slicer, lambda: (None, None))
    ahead.synchronous = True
    ahead.render(7)
    assert asked[-1] == "plate"
    assert slicer.cached(7)[0].shape == (108, 192, 3)
    assert slicer.cached(7, framing="crop") is None
