"""The curve editor's line for a take that was never generated: the viewer plays a preview
performed in memory (pipeline.renderable), but the curves here are what the project stores, flat
until Generate. Flat curves beside a talking face read as a broken editor, so the editor says why
and offers Generate where the artist is looking."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from talkface_studio.pipeline.renderable import was_generated
from talkface_studio.ui import theme

TEXT = ("Not generated yet: the viewer plays a preview performed in memory. Generate stores the "
        "performance and shows its curves here (your keys are kept).")


class NotGeneratedBanner(QFrame):
    def __init__(self, on_generate, parent=None):
        super().__init__(parent)
        self.setObjectName("notGenerated")
        self.setStyleSheet(f"#notGenerated {{ background: {theme.RAISED}; border-left: 3px solid {theme.ACCENT}; }}"
                           f"QLabel {{ color: {theme.TEXT}; }}")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 3, 4, 3)
        self.label = QLabel(TEXT)
        self.label.setWordWrap(True)
        self.button = QPushButton("Generate (Ctrl+G)")
        self.button.setToolTip("Run stage 1 on this take and store its curves (one undo step)")
        self.button.clicked.connect(lambda: on_generate())
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.hide()

    def refresh(self, take) -> None:
        """Shown for a take with a recording that was never generated; hidden otherwise."""
        self.setVisible(take is not None and take.audio_path is not None and not was_generated(take))
