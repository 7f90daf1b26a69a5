import os

# Qt tests run without a display; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# librosa compiles with numba; keep its cache out of site-packages.
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "talkface-numba"))

import pytest  # noqa: E402

import espeak_events  # noqa: E402

# A test's synthetic speech must not depend on which tests spoke before it (espeak_events.FRESH).
espeak_events.FRESH = True


@pytest.fixture(autouse=True, scope="session")
def no_sound_device():
    """The tests see no sound output, as on CI, whatever this machine has. With a PulseAudio server
    present, QtMultimedia's FFmpeg backend could deadlock the suite: a QMediaPlayer stopped or
    destroyed from a call that holds Python's lock (a QTest wait, a widget closed at teardown) waits
    for its audio thread, which waits for that lock (seen 2026-12-02 in tests/test_ui_window.py).
    The device path is measured by benchmarks/bench_playback.py (see README, Playback)."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        yield
        return
    real = QMediaDevices.audioOutputs
    QMediaDevices.audioOutputs = staticmethod(lambda: [])
    yield
    QMediaDevices.audioOutputs = real


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """The analysis cache in the test's own folder: a test's analysis never comes from another's
    (use with `pytest.mark.usefixtures("private_cache")`)."""
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """The demo project built once per session; tests copy the folder before changing anything."""
    from talkface_studio.pipeline.demo_project import build_demo_project

    folder = tmp_path_factory.mktemp("demo")
    build_demo_project(folder)
    return folder


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Real MainWindows with test-local settings and recovery folder. Questions are answered from
    `w.answers`; unasked-for ones (closing at teardown) discard."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from talkface_studio.ui.window.main_window import MainWindow

    def make(sync=True, settings_name="settings.ini", size=(1400, 900)):
        w = MainWindow(settings=QSettings(str(tmp_path / settings_name), QSettings.IniFormat), synchronous=sync,
                       recovery_dir=tmp_path / "recovery")
        w.answers = []
        w.prompts.ask = lambda *a, **k: w.answers.pop(0) if w.answers else QMessageBox.Discard
        qtbot.addWidget(w)
        if size:
            w.resize(*size)
        w.show()
        return w
    return make


@pytest.fixture
def window_with_line(make_window, tmp_path):
    """A window (size left alone) with one take imported from `source` (a WAV copied in as
    line.wav), or from a generated tone when None."""
    import shutil

    def make(source=None):
        audio = tmp_path / "line.wav"
        if source is None:
            from audio_fixtures import write_tone

            write_tone(audio)
        else:
            shutil.copy(source, audio)
        w = make_window(size=None)
        w.media.import_audio(audio)
        return w
    return make
