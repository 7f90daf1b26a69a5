"""Desktop integration files, icons, `--version` (version, device, folders), and (slow) the PyInstaller
one-folder build running `--version` and a headless render of the demo media."""

import configparser
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as Et
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from talkface_studio import __version__
from talkface_studio.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
APP_ID = "io.talkface.Studio"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def test_version_reports_version_device_and_folders(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert f"TalkFace Studio {__version__}" in out
    assert "device:    cpu" in out or "device:    cuda" in out
    assert f"settings:  {tmp_path / 'config' / 'TalkFace' / 'TalkFace Studio.conf'}" in out
    assert f"cache:     {tmp_path / 'cache'}" in out and ".tfs.autosave" in out


def test_settings_path_is_where_qt_keeps_the_guis_settings(tmp_path):
    # a fresh process: Qt reads XDG_CONFIG_HOME once per process
    code = ("from PySide6.QtCore import QSettings; from talkface_studio.app_info import app_paths; "
            "print(QSettings('TalkFace', 'TalkFace Studio').fileName()); print(app_paths().settings)")
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    qt, ours = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                              check=True).stdout.split("\n")[:2]
    assert qt == ours and qt.startswith(str(tmp_path))


def test_desktop_file_is_valid_and_points_at_the_icon():
    path = RESOURCES / f"{APP_ID}.desktop"
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
        assert done.returncode == 0 and "error" not in done.stdout, done.stdout
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(path)
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Exec"].split()[0] == "talkface-studio"
    assert (RESOURCES / "icons" / f"{desktop['Icon']}.svg").is_file()


def test_metainfo_is_valid_and_names_the_desktop_file():
    path = RESOURCES / f"{APP_ID}.metainfo.xml"
    if shutil.which("appstreamcli"):
        done = subprocess.run(["appstreamcli", "validate", "--no-net", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    root = Et.parse(path).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.find("releases/release").get("version") == __version__


def test_icon_pngs_exist_at_every_size_and_match_the_svg(qapp, tmp_path):
    for size in ICON_SIZES:
        png = RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        image = np.asarray(Image.open(png).convert("RGBA"))
        assert image.shape == (size, size, 4), png
        alpha = image[..., 3]
        assert alpha[size // 2, size // 2] == 255 and alpha[0, 0] == 0  # opaque tile, rounded corners
    # stale PNGs (SVG edited, PNGs not re-rendered) are caught by rendering one size again
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import render_icons
    finally:
        sys.path.pop(0)
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    # qapp (pytest-qt) is the one QApplication of the session: a bare QGuiApplication created here
    # would make every later QWidget abort.
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(render_icons.SVG)).render(painter)
    painter.end()
    fresh = tmp_path / "fresh.png"
    try:
        image.save(str(fresh))
        assert np.array_equal(np.asarray(Image.open(fresh)), np.asarray(Image.open(render_icons.png_path(64))))
    finally:
        fresh.unlink(missing_ok=True)


# -- the built package (slow: PyInstaller analysis of torch + Qt takes minutes on 2 cores) ---------

@pytest.fixture(scope="session")
def built_package(tmp_path_factory):
    """Build once per test session into a temporary folder (nothing is cached across CI runs)."""
    pytest.importorskip("PyInstaller")
    base = tmp_path_factory.mktemp("package")
    subprocess.run([sys.executable, str(ROOT / "packaging" / "build_package.py"), "--dist", str(base / "dist"),
                    "--work", str(base / "work")], check=True, cwd=ROOT, timeout=1800)
    return base / "dist" / "talkface-studio" / "talkface-studio"


def _run(exe, *args, cwd, env):
    done = subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow
def test_built_package_reports_version_and_renders_the_demo_headless(built_package, tmp_path):
    exe = built_package
    internal = exe.parent / "_internal"
    assert (internal / "resources" / "demo" / "line.wav").is_file()
    assert list(internal.glob("mediapipe/modules/face_landmark/*.tflite"))
    assert (internal / "pocketsphinx" / "model").is_dir()
    assert (internal / "sudachidict_small" / "resources" / "system.dic").is_file()  # Japanese readings
    assert (internal / "sudachipy" / "resources" / "char.def").is_file()
    assert (internal / "pypinyin" / "phrases_dict.json").is_file()  # Chinese readings
    assert list((internal / "opencc").rglob("t2s.json"))  # traditional characters read through simplified ones
    models = internal / "talkface_studio" / "audio" / "models"   # the viseme recognizer (lip sync without a script)
    for name in ("viseme_ensemble.json", "viseme_recognizer.safetensors", "viseme_recognizer_r3.safetensors"):
        assert (models / name).is_file(), name
    assert not (internal / "jax").exists() and not (internal / "numba").exists()
    # a clean environment: nothing from the venv or the source tree may leak into the frozen app
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen",
           "TALKFACE_CACHE_DIR": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
    out = _run(exe, "--version", cwd=tmp_path, env=env)
    assert f"TalkFace Studio {__version__} (desktop package)" in out and "device:" in out
    demo = internal / "resources" / "demo"
    _run(exe, "new", "scene.tfs", "--audio", str(demo / "line.wav"), "--portrait", str(demo / "portrait.png"),
         "--fps", "25", "--emotion", "happy:2@5.4-7.9", cwd=tmp_path, env=env)
    _run(exe, "generate", "scene.tfs", cwd=tmp_path, env=env)  # mediapipe fit + pocketsphinx phones
    _run(exe, "render", "scene.tfs", "--frames", "140-145", "--size", "64", "-o", "clip.mp4", cwd=tmp_path, env=env)
    _run(exe, "render", "scene.tfs", "--frames", "140-141", "--size", "64", "-o", "seq", cwd=tmp_path, env=env)
    from talkface_studio.pipeline.ffmpeg import probe

    info = probe(tmp_path / "clip.mp4")
    assert (info.video_codec, info.width, info.n_frames, info.audio_codec) == ("h264", 64, 6, "aac")
    frame = np.asarray(Image.open(tmp_path / "seq" / "take1.000140.png"))
    assert frame.shape == (64, 64, 3) and frame.std() > 10  # a picture, not a blank frame
    _gui_opens_project(exe, tmp_path, env)


def _gui_opens_project(exe, tmp_path, env, timeout_s=120):
    """The GUI (offscreen) opens the project: it records it in its recent files (QSettings)."""
    settings = tmp_path / ".config" / "TalkFace" / "TalkFace Studio.conf"
    log = tmp_path / "gui.log"
    with open(log, "w") as out:
        gui = subprocess.Popen([str(exe), "scene.tfs"], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and gui.poll() is None:
            if settings.is_file() and "scene.tfs" in settings.read_text(errors="replace"):
                break
            time.sleep(0.5)
        assert gui.poll() is None, f"the GUI exited ({gui.returncode}): {log.read_text()[-3000:]}"
        assert settings.is_file() and "scene.tfs" in settings.read_text(), log.read_text()[-3000:]
    finally:
        gui.terminate()
        gui.wait(timeout=30)
