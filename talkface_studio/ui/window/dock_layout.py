"""The window's docks and their layout: timeline and curve editor below the viewer, channels on the
left, inspector over a tab group (performance, render queue, undo history) on the right. In a
window under SHORT_WINDOW px tall (a laptop) the curve editor is a tab beside the timeline, as a
graph editor is a panel one opens in animation software: stacked, they left the viewer ~170 px at
1366 x 768. The artist's arrangement is kept in the user settings (it belongs to the screen, not
the project); View > Reset Layout puts the default back."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QWidget

SCROLLED = ("inspector", "performance", "queue")  # side panels scroll rather than stretch the window
SHORT_WINDOW = 900  # px: below this the default layout tabs the curve editor with the timeline
DEFAULT_SIZE = (1600, 1000)


def _scrolled(widget: QWidget) -> QScrollArea:
    """Side panels scroll rather than stretch the window past a 768-px laptop screen."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setWidget(widget)
    return scroll


class DockLayout:
    def __init__(self, window: QMainWindow, settings: QSettings, panels: list[tuple[str, str, QWidget, object]]):
        """`panels`: (key, title, widget, dock area) in the order they are added."""
        self.window = window
        self.settings = settings
        self.docks: dict[str, QDockWidget] = {}
        for key, title, widget, area in panels:
            dock = QDockWidget(title, window)
            dock.setObjectName(f"dock_{key}")  # saveState needs names
            dock.setWidget(_scrolled(widget) if key in SCROLLED else widget)
            window.addDockWidget(area, dock)
            self.docks[key] = dock
        self.default_states: dict[bool, object] = {}  # a short window or not -> its default layout
        self._sized = False
        self.restored_geometry = False  # the artist's window size and place came from the settings

    def arrange(self) -> None:
        """The default layout, then the artist's last one (once every toolbar is in the window)."""
        self.reset()
        self._sized = self._restore()

    @property
    def default_state(self):
        """The default layout for the window's height as it is now (None until it has been shown)."""
        return self.default_states.get(self.window.height() < SHORT_WINDOW)

    def reset(self) -> None:
        w, d = self.window, self.docks
        if self.default_state is not None:
            w.restoreState(self.default_state)
            return
        if w.tabifiedDockWidgets(d["timeline"]):  # tabbed by a short window's default: apart first
            w.removeDockWidget(d["curves"])
            w.addDockWidget(Qt.BottomDockWidgetArea, d["curves"])
            d["curves"].show()
        w.splitDockWidget(d["timeline"], d["curves"], Qt.Vertical)
        # one tab group below the Inspector: a second group leaves a stale tab bar painted (Qt 6.11)
        w.splitDockWidget(d["inspector"], d["performance"], Qt.Vertical)
        w.tabifyDockWidget(d["performance"], d["queue"])
        w.tabifyDockWidget(d["queue"], d["history"])
        d["performance"].raise_()
        if w.isVisible():
            self._default_sizes()

    def shown(self) -> None:
        """The window is shown: dock sizes only stick once it has its real size."""
        if not self._sized:
            self._sized = True
            QTimer.singleShot(0, self._default_sizes)

    def _default_sizes(self) -> None:
        w, d = self.window, self.docks
        short = w.height() < SHORT_WINDOW
        if short:
            w.tabifyDockWidget(d["timeline"], d["curves"])
            d["timeline"].raise_()
        w.resizeDocks([d["channels"]], [270], Qt.Horizontal)
        w.resizeDocks([d["inspector"]], [330], Qt.Horizontal)
        if short:
            w.resizeDocks([d["timeline"]], [230], Qt.Vertical)
        else:
            w.resizeDocks([d["timeline"], d["curves"]], [190, 330], Qt.Vertical)
        w.resizeDocks([d["inspector"], d["performance"]], [145, 270], Qt.Vertical)  # a take's rows and six mouth rows fit unscrolled
        self.default_states.setdefault(short, w.saveState())

    def _restore(self) -> bool:
        geometry, state = self.settings.value("window/geometry"), self.settings.value("window/state")
        if geometry is not None:
            self.restored_geometry = bool(self.window.restoreGeometry(geometry))
        return state is not None and self.window.restoreState(state)

    def save(self) -> None:
        self.settings.setValue("window/geometry", self.window.saveGeometry())
        self.settings.setValue("window/state", self.window.saveState())


def fit_to_screen(window: QMainWindow) -> None:
    """A first start on a screen smaller than the default size opens the window on the whole
    available screen, as animation software does, rather than hanging past its edges."""
    screen = window.screen()
    if screen is None:
        return
    area = screen.availableGeometry()
    if area.width() < DEFAULT_SIZE[0] or area.height() < DEFAULT_SIZE[1]:
        window.setGeometry(area)
