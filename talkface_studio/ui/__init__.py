"""ui room: the only package that imports Qt.

PySide6 is pinned below 6.12 (pyproject.toml): 6.12.0 on Python 3.11 drops a reference to True/False
on every `SignalInstance.disconnect()` (and to None in pyqtgraph's legend rebuild), so a session of a
few hundred edits made CPython abort with "bool_dealloc". tests/test_ui_takes.py guards against it.
"""
