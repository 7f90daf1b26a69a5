"""What the application is and where it keeps things: version, torch device, user folders.

Shown by `talkface-studio --version` and meant for the About dialog. Folders come from platformdirs
so they follow each OS's conventions (XDG on Linux); `TALKFACE_CACHE_DIR` moves the caches, as the
audio and frame caches honour it.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from talkface_studio import __version__

APP_NAME = "talkface-studio"
APP_ID = "io.talkface.Studio"  # reverse-DNS id of the .desktop and AppStream files


@dataclass(frozen=True)
class AppPaths:
    settings: Path  # the GUI's QSettings("TalkFace", "TalkFace Studio") file: window state, recent files
    cache: Path  # audio analysis (cache/audio) and rendered frames (cache/frames): safe to delete
    recovery: Path  # autosaves of projects never saved under a name (offered at the next start)
    autosaves: str = "NAME.tfs.autosave beside each saved project (offered on reopen after a crash)"


def qt_settings_file(organization: str = "TalkFace", application: str = "TalkFace Studio") -> Path:
    """Where Qt's native QSettings lives on Linux (INI under XDG_CONFIG_HOME), without importing Qt.

    On macOS and Windows Qt uses a plist / the registry; the path shown there is indicative.
    """
    import platformdirs

    return Path(platformdirs.user_config_dir(organization, appauthor=False)) / f"{application}.conf"


def app_paths() -> AppPaths:
    return AppPaths(settings=qt_settings_file(), cache=cache_root(), recovery=recovery_dir())


def cache_root() -> Path:
    """The one home of the cache folder: `TALKFACE_CACHE_DIR`, else the user cache folder (platformdirs)."""
    override = os.environ.get("TALKFACE_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def cache_dir(kind: str) -> Path:
    """The cache of one kind of derived data: "audio" (analysis), "frames" (rendered frames)."""
    return cache_root() / kind


def recovery_dir() -> Path:
    """Where Untitled projects are autosaved; `TALKFACE_DATA_DIR` moves it (tests, portable installs)."""
    import platformdirs

    override = os.environ.get("TALKFACE_DATA_DIR")
    return (Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))) / "recovery"


def torch_device() -> str:
    """The device `--device auto` renders on, with the GPU's name when there is one.

    Answered without importing torch (seconds on a small machine, and `--version` must be
    instant): the installed build says whether it can use CUDA at all, and the driver itself
    (``libcuda``, through ctypes) whether a GPU is there and its name. Where package metadata is
    missing (the frozen desktop package), torch is asked."""
    try:
        version = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return _torch_device_by_import()
    if "+cpu" not in version:
        gpu = _cuda_gpu_name()
        if gpu is not None:
            return f"cuda ({gpu}, torch {version})"
    return f"cpu ({_cpu_threads()} threads, torch {version})"


def _torch_device_by_import() -> str:
    try:
        import torch
    except ImportError:  # a core-only install: nothing renders
        return "none (torch is not installed)"
    if torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)}, torch {torch.__version__})"
    return f"cpu ({torch.get_num_threads()} threads, torch {torch.__version__})"


def _cpu_threads() -> int:
    """Torch's default intra-op threads: OMP_NUM_THREADS, else the cores this process may use."""
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        pass
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else (os.cpu_count() or 1)


def _cuda_gpu_name() -> str | None:
    """The first CUDA device's name from the driver API, or None without a driver or a device."""
    import ctypes
    import ctypes.util

    for name in ("libcuda.so.1", "libcuda.so", "nvcuda.dll", ctypes.util.find_library("cuda")):
        if not name:
            continue
        try:
            cuda = ctypes.CDLL(name)
        except OSError:
            continue
        count, buf = ctypes.c_int(0), ctypes.create_string_buffer(256)
        if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0 or count.value < 1:
            return None
        if cuda.cuDeviceGetName(buf, len(buf), 0) != 0:
            return "GPU"
        return buf.value.decode("utf-8", "replace")
    return None


def is_frozen() -> bool:
    """True inside the PyInstaller desktop package."""
    return bool(getattr(sys, "frozen", False))


def about_lines() -> list[str]:
    paths = app_paths()
    build = "desktop package" if is_frozen() else f"Python {sys.version.split()[0]}"
    return [
        f"TalkFace Studio {__version__} ({build})",
        f"device:    {torch_device()}",
        f"settings:  {paths.settings}",
        f"autosaves: {paths.autosaves}",
        f"untitled:  {paths.recovery} (autosaves of never-saved projects)",
        f"cache:     {paths.cache} (audio/, frames/; TALKFACE_CACHE_DIR overrides)",
        f"crash logs: {crash_log_dir()} (TALKFACE_LOG_DIR overrides)",
    ]


def crash_log_dir() -> Path:
    from talkface_studio.crash_log import log_dir

    return log_dir()


def about_text() -> str:
    return "\n".join(about_lines())


class VersionAction(argparse.Action):
    """`--version`: like argparse's, but reports the device and folders too (without loading torch)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show the version, torch device and folders, then exit"):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(about_text())
        parser.exit()
