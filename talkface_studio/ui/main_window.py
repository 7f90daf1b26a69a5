"""MainWindow: viewer on top, timeline and curve editor below, channels, inspector, render queue
and undo history in docks whose layout is remembered. File handling lives in ProjectFileMixin;
this module wires the views to the document and runs the background work (generate, preview,
audio peaks) off the GUI thread."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSettings, QThreadPool, QTimer, Qt
from PySide6.QtWidgets import QDialog, QDockWidget, QFrame, QMainWindow, QScrollArea, QStackedWidget, QUndoView, QWidget

from talkface_studio.core.commands import SetBase
from talkface_studio.pipeline import generation_stamp

from . import take_actions, take_compute, transport_bar, view_settings, window_shortcuts, workers
from .alignment_marks import announce
from .channel_list import ChannelList
from .curve_editor import CurveEditor
from .document import Document
from .help_dialogs import AboutDialog, ShortcutsDialog, app_icon
from .inspector import Inspector
from .peaks import PeakPyramid
from .performance_panel import PerformancePanel
from .playback import PlaybackController
from .preview_slicer import PreviewSlicer
from .project_io import ProjectFileMixin
from .render_queue import RenderQueue
from .session import Session
from .take_compute import TakeCompute
from .take_status import TakeStatus
from .timeline_view import TimelineView
from .untitled_recovery import UntitledRecovery
from .viewer import Viewer
from .welcome_panel import WelcomePanel
from .window_actions import build_actions

AUTOSAVE_DELAY_MS = 4000
PREVIEW_DELAY_MS = 15  # coalesces a burst of edits into one request


def _scrolled(widget: QWidget) -> QScrollArea:
    """Side panels scroll rather than stretch the window past a 768-px laptop screen."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setWidget(widget)
    return scroll


class MainWindow(ProjectFileMixin, QMainWindow):
    def __init__(self, settings: QSettings | None = None, synchronous: bool = False, recovery_dir=None):
        super().__init__()
        self.untitled = UntitledRecovery(recovery_dir)  # autosaves of a never-saved project
        self.settings = settings or QSettings("TalkFace", "TalkFace Studio")
        self.synchronous = synchronous  # tests: background work runs inline
        self.document = Document(parent=self)
        self.session = Session(self)
        self.compute = TakeCompute()
        self.pool = QThreadPool(self)  # generation and audio loading
        self.pool.setMaxThreadCount(1)
        self.peaks: dict[str, PeakPyramid] = {}
        self.generating = None
        self._viewed_project = None  # the project whose saved view settings were applied
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.setWindowIcon(app_icon())
        self.resize(1600, 1000)

        self.viewer = Viewer(self.session)
        self.welcome = WelcomePanel()
        self.center = QStackedWidget(self)
        self.center.addWidget(self.welcome)
        self.center.addWidget(self.viewer)
        self.setCentralWidget(self.center)
        self.timeline = TimelineView(self.document, self.session)
        self.curve_editor = CurveEditor(self.document, self.session)
        self.channel_list = ChannelList(self.document, self.session)
        self.inspector = Inspector(self.document, self.session, self.curve_editor)
        self.performance = PerformancePanel(self.document)
        self.render_queue = RenderQueue()
        self.render_queue.synchronous = synchronous
        self.undo_view = QUndoView(self.document.undo_stack)
        self.undo_view.setEmptyLabel("<opened>")
        self.playback = PlaybackController(self.session, self)
        self.slicer = PreviewSlicer(self.compute, self)
        self.slicer.synchronous = synchronous

        self.docks = {}
        for key, title, widget, area in (
                ("timeline", "Timeline", self.timeline, Qt.BottomDockWidgetArea),
                ("curves", "Curve Editor", self.curve_editor, Qt.BottomDockWidgetArea),
                ("channels", "Channels", self.channel_list, Qt.LeftDockWidgetArea),
                ("inspector", "Inspector", self.inspector, Qt.RightDockWidgetArea),
                ("performance", "Performance", self.performance, Qt.RightDockWidgetArea),
                ("queue", "Render Queue", self.render_queue, Qt.RightDockWidgetArea),
                ("history", "Undo History", self.undo_view, Qt.RightDockWidgetArea)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")  # saveState needs names
            dock.setWidget(_scrolled(widget) if key in ("inspector", "performance", "queue") else widget)
            self.addDockWidget(area, dock)
            self.docks[key] = dock
        self.actions_by_name = build_actions(self)
        for dock in self.docks.values():
            self.panels_menu.addAction(dock.toggleViewAction())
        transport_bar.build(self)
        take_actions.build_take_menu(self, self.take_menu, self.actions_by_name)
        self.ask_text = take_actions.ask_take_name  # tests answer the rename prompt here
        self.ask_language = take_actions.ask_language
        self.default_state = None
        self.reset_layout()
        self._sized = self._restore_layout()

        self.status = self.statusBar()
        self.take_status = TakeStatus(self)
        self.curve_editor.error.connect(self.show_error)
        self.timeline.lane.on_error = self.timeline.markers.on_error = self.show_error
        self.document.title_changed.connect(self._update_title)
        self.document.changed.connect(self._on_change)
        self.document.replaced.connect(self._on_replaced)
        self.session.playhead_changed.connect(self._on_playhead)
        self.session.display_changed.connect(self._update_frame_label)
        self.timeline.ruler.scrub_finished.connect(self.playback._stop_audio)
        self.slicer.ready.connect(self._show_preview)
        self.slicer.fitted.connect(self._store_fit)
        self.render_queue.job_finished.connect(
            lambda e: self._store_fit(e.spec.take.name, e.spec.take.portrait_path, e.spec.take.portrait_fit))
        self.slicer.failed.connect(lambda msg: self.viewer.clear(f"Preview unavailable: {msg}"))
        self.slicer.stage.connect(self.take_status.preview_stage)
        window_shortcuts.install(self)  # Undo, Export... work right after typing in a field
        self.welcome.open_demo.connect(self.open_demo)
        self.welcome.new_project.connect(self.new_project)
        self.welcome.open_dialog.connect(self.open_dialog)
        self.welcome.open_path.connect(self.open_project)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self.autosave_timer.timeout.connect(self.autosave_now)
        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.preview_timer.timeout.connect(self.request_preview)
        self._refresh_recent()
        self._on_replaced()
        if not synchronous:  # import the compute modules while idle, not while a take opens
            self.warm_pool = QThreadPool(self)
            self.warm_pool.setMaxThreadCount(1)
            QTimer.singleShot(0, lambda: workers.submit(self.warm_pool, take_compute.warm_imports, parent=self))

    # -- layout ------------------------------------------------------------------------------------
    def reset_layout(self) -> None:
        if self.default_state is not None:
            self.restoreState(self.default_state)
            return
        d = self.docks
        self.splitDockWidget(d["timeline"], d["curves"], Qt.Vertical)
        # one tab group below the Inspector: a second group leaves a stale tab bar painted (Qt 6.11)
        self.splitDockWidget(d["inspector"], d["performance"], Qt.Vertical)
        self.tabifyDockWidget(d["performance"], d["queue"])
        self.tabifyDockWidget(d["queue"], d["history"])
        d["performance"].raise_()
        if self.isVisible():
            self._default_sizes()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized:  # dock sizes only stick once the window has its real size
            self._sized = True
            QTimer.singleShot(0, self._default_sizes)

    def _default_sizes(self) -> None:
        d = self.docks
        self.resizeDocks([d["channels"]], [270], Qt.Horizontal)
        self.resizeDocks([d["inspector"]], [330], Qt.Horizontal)
        self.resizeDocks([d["timeline"], d["curves"]], [190, 330], Qt.Vertical)
        self.resizeDocks([d["inspector"], d["performance"]], [170, 250], Qt.Vertical)
        if self.default_state is None:
            self.default_state = self.saveState()

    def _restore_layout(self) -> bool:
        geometry, state = self.settings.value("window/geometry"), self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        return state is not None and self.restoreState(state)

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())

    def show_about(self) -> QDialog:
        dialog = AboutDialog(self)
        dialog.open()  # window-modal without blocking (tests and the screenshot script close it)
        return dialog

    def show_shortcuts(self) -> QDialog:
        dialog = ShortcutsDialog(self.actions(), self)
        dialog.open()
        return dialog

    def show_error(self, message: str) -> None:
        self.status.showMessage(message, 8000)

    # -- document events ---------------------------------------------------------------------------
    def _update_title(self) -> None:
        self.setWindowTitle(self.document.window_title())

    def _sync_takes(self) -> None:
        self.take_box.blockSignals(True)
        self.take_box.clear()
        self.take_box.addItems(self.document.project.take_names())
        if self.document.current_take:
            self.take_box.setCurrentText(self.document.current_take)
        self.take_box.blockSignals(False)

    def _on_replaced(self) -> None:
        self.slicer.invalidate()
        self._sync_takes()
        take = self.document.take
        has_take = take is not None
        self.center.setCurrentWidget(self.viewer if has_take or self.document.path else self.welcome)
        self.session.n_frames = take.n_frames if take else 0
        self.session.selected_keys, self.session.selected_segment = set(), None
        self.session.select_marker(None)
        self.session.set_in_out(None, None)
        self.session.set_playhead(min(self.session.playhead, max(0, self.session.n_frames - 1)))
        if take is not None:
            self.timeline.ruler.set_rate(take.rate)
            self.playback.set_media(self.resolve(take.audio_path), take.rate.fps)
            self._load_peaks()
            # A known range before the first paint, so the curves are downsampled from the start;
            # a project just opened shows its saved view when it has one for this take.
            opened, self._viewed_project = self.document.project is not self._viewed_project, self.document.project
            if not (opened and view_settings.apply(self.document.project.view, self.session, self.curve_editor,
                                                   take.name)):
                self.curve_editor.frame_all()
            self.take_status.show_preparing(take)
            self.schedule_preview()
        else:
            self.timeline.waveform.set_audio(None, 24.0)
            self.viewer.clear("Import audio and a portrait (File menu, or drop them here) to start a take.")
        self.take_status.refresh_stale()
        self._update_title()
        self._update_frame_label()

    def view_state(self) -> dict:
        return view_settings.capture(self.session, self.curve_editor, self.document.current_take)

    def _on_change(self, change) -> None:
        self.slicer.invalidate()
        take = self.document.take
        if take is not None:
            self.session.n_frames = take.n_frames
        if change.kind != "channel" or change.name is None:  # emotions, language, settings, media: the stamp says
            self.take_status.refresh_stale()
        if change.kind == "take":
            self._on_replaced()
        elif change.kind == "takes":
            self._sync_takes()
            self._update_frame_label()  # a renamed take shows its new name
        self.schedule_preview()
        self.autosave_timer.start()  # Untitled projects autosave too (untitled_recovery)

    def _on_playhead(self, frame: int) -> None:
        self._update_frame_label()
        if self.playback.playing:
            self.timeline.ensure_visible(frame)
        elif self.timeline.ruler._scrubbing:
            self.playback.scrub(frame)
        self.schedule_preview()

    def _update_frame_label(self) -> None:
        take = self.document.take
        f = self.session.playhead
        tc = take.rate.to_timecode(f) if take else "--:--:--:--"
        n = take.n_frames if take else 0
        self.frame_label.setText(tc)
        self.frame_field.set_frame(f)
        self.frame_total.setText(f"/ {max(0, n - 1)}")
        self.viewer.info = f"{take.name} · {take.rate} fps · frame {f} · {tc}" if take else ""
        self.viewer.update()

    # -- preview (napari-style slicing) ------------------------------------------------------------
    def schedule_preview(self) -> None:
        if self.synchronous:
            self.request_preview()
        else:
            self.preview_timer.start()

    def can_preview(self) -> bool:
        take = self.document.take
        return take is not None and take.audio_path is not None and take.portrait_path is not None \
            and take.n_frames > 0

    def request_preview(self):
        if not self.can_preview():
            return None
        return self.slicer.request(self.document.take.copy(), self.document.path, self.session.playhead,
                                   framing="plate" if self.session.show_plate else "crop")

    def _store_fit(self, take_name, portrait_path, fit_json) -> None:
        if self.document.store_fit(take_name, portrait_path, fit_json):
            self.autosave_timer.start()

    def _show_preview(self, frame, rgb, landmarks) -> None:
        self.viewer.show_frame(frame, rgb, landmarks)

    # -- generate ----------------------------------------------------------------------------------
    def generate(self) -> None:
        take = self.document.take
        if take is None or self.generating is not None:
            return
        name, copy, path = self.document.current_take, take.copy(), self.document.path
        audio = self.resolve(take.audio_path)
        self.status.showMessage(f"Generating {name}…")

        def work(progress, cancel):
            result = self.compute.generated_bases(copy, path)  # (bases, n_frames, alignment report)
            # what was generated from: edits made meanwhile leave the take marked out of date
            return result, generation_stamp.generation_stamp(copy, audio, n_frames=result[1])

        def done(outcome):
            self.generating = None
            (bases, n_frames, report), stamp = outcome
            if name not in self.document.project.take_names():
                return  # the project changed under us
            current = self.document.project.take(name)
            self.document.push(SetBase(name, bases, n_frames=n_frames if n_frames != current.n_frames else None,
                                       generation=dataclasses.replace(current.generation, stamp=stamp)))
            announce(self, name, report, current.rate)

        def failed(message, trace):
            self.generating = None
            self.fail("Generate failed", Exception(message))

        self.generating = workers.submit(self.pool, work, on_done=done, on_error=failed,
                                         synchronous=self.synchronous, parent=self)
        if self.synchronous:
            self.generating = None

    # -- audio waveform ----------------------------------------------------------------------------
    def _load_peaks(self) -> None:
        take = self.document.take
        path = self.resolve(take.audio_path) if take else None
        if path is None:
            self.timeline.waveform.set_audio(None, 24.0)
            return
        fps = take.rate.fps
        key = str(path)
        if key in self.peaks:
            self.timeline.waveform.set_audio(self.peaks[key], fps)
            return

        def work(progress, cancel):
            from talkface_studio.audio.loading import load_audio

            clip = load_audio(path)
            return PeakPyramid(clip.samples, clip.sample_rate)

        def done(peaks):
            self.peaks[key] = peaks
            self.timeline.waveform.set_audio(peaks, fps)

        workers.submit(self.pool, work, on_done=done, on_error=lambda m, t: self.show_error(m),
                       synchronous=self.synchronous, parent=self)

    # -- framing and ranges ------------------------------------------------------------------------
    def frame_selection(self) -> None:
        self.curve_editor.frame_selection()

    def frame_all(self) -> None:
        self.curve_editor.frame_all()
        self.timeline.fit()

    def set_in(self) -> None:
        self.session.set_in_out(self.session.playhead, self.session.out_frame)

    def set_out(self) -> None:
        self.session.set_in_out(self.session.in_frame, self.session.playhead + 1)

    def clear_in_out(self) -> None:
        self.session.set_in_out(None, None)
