"""Render resources/icons/io.talkface.Studio.svg to the PNG sizes desktops ask for (16..512).

Uses PySide6's QSvgRenderer (no cairo needed). Output: resources/icons/hicolor/NxN/apps/io.talkface.Studio.png,
the freedesktop icon-theme layout, so the folder can be copied into /usr/share/icons as it is.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "io.talkface.Studio.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int) -> Path:
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / "io.talkface.Studio.png"


def render_all() -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (QImage painting needs it)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG}: not a valid SVG")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = png_path(size)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out), "PNG"):
            raise SystemExit(f"{out}: could not write")
        written.append(out)
    return written


if __name__ == "__main__":
    for path in render_all():
        print(path.relative_to(ROOT))
    sys.exit(0)
