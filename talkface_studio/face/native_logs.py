"""Silence the C++ log lines MediaPipe/TFLite print straight to file descriptor 2.

Its glog/absl warnings ("Created TensorFlow Lite XNNPACK delegate", "NORM_RECT without
IMAGE_DIMENSIONS") ignore GLOG_minloglevel in the pip wheel and would bury the one-line error
messages artists read. Set TALKFACE_NATIVE_LOGS=1 to see them when debugging.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

_lock = threading.Lock()


@contextlib.contextmanager
def quiet_native_stderr():
    if os.environ.get("TALKFACE_NATIVE_LOGS") == "1":
        yield
        return
    with _lock:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no real fd 2 (embedded interpreter): nothing to silence
            yield
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
