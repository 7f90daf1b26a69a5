"""MainWindow: viewer on top, timeline and curve editor below, channels, inspector, render queue
and undo history in docks whose layout is remembered. It owns the controllers (files, media
imports, exports, Generate; ui.window.*) and wires the views to the document; background work
(generate, preview, audio peaks) runs off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QThreadPool, QTimer, Qt
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox, QStackedWidget

from talkface_studio.core.untitled_recovery import UntitledRecovery
from talkface_studio.pipeline import take_compute
from talkface_studio.pipeline.take_compute import TakeCompute
from talkface_studio.ui import workers
from talkface_studio.ui.curves.channel_list import ChannelList
from talkface_studio.ui.curves.curve_editor import CurveEditor
from talkface_studio.ui.document import Document
from talkface_studio.ui.panels.inspector import Inspector
from talkface_studio.ui.panels.performance_panel import PerformancePanel
from talkface_studio.ui.panels.render_queue import RenderQueue
from talkface_studio.ui.session import Session
from talkface_studio.ui.timeline.timeline_view import TimelineView
from talkface_studio.ui.undo_adapter import UndoHistoryView
from talkface_studio.ui.viewer.playback import PlaybackController
from talkface_studio.ui.viewer.preview_slicer import PreviewSlicer
from talkface_studio.ui.viewer.render_ahead import RenderAhead
from talkface_studio.ui.viewer.viewer import Viewer

from . import take_actions, view_settings, window_shortcuts
from .exports import Exports
from .generation import Generation
from .help_dialogs import AboutDialog, ShortcutsDialog, app_icon
from .alignment_reports import AlignmentReports
from .dock_layout import DockLayout
from .media_imports import MediaImports
from .playback_display import PlaybackDisplay
from .project_files import ProjectFiles
from .prompts import Prompts
from .take_audio import TakeAudio
from .take_status import TakeStatus
from .transport_bar import TransportBar
from .welcome_panel import WelcomePanel
from .window_actions import build_actions

PREVIEW_DELAY_MS = 15  # while the preview worker is busy, a burst of edits makes one request


class MainWindow(QMainWindow):
    """The window owns the widgets of the other rooms and its controllers: `prompts` (questions and
    errors), `files` (ProjectFiles: new, open, save, autosave, recovery, recent), `media`
    (MediaImports: audio, portraits, drops), `exports` (Exports: the Export dialog and the render
    queue), `generation` (Generate) and `take_status` (the Generate mark and what the viewer waits
    for). Each controller is handed what it uses."""

    def __init__(self, settings: QSettings | None = None, synchronous: bool = False, recovery_dir=None):
        super().__init__()
        if recovery_dir is None:
            from talkface_studio import app_info

            recovery_dir = app_info.recovery_dir()
        self.settings = settings or QSettings("TalkFace", "TalkFace Studio")
        self.synchronous = synchronous  # tests: background work runs inline
        self.document = Document(parent=self)
        self.session = Session(self)
        self.compute = TakeCompute()
        self.pool = QThreadPool(self)  # generation and audio loading
        self._closing = False  # set once the window closes: no new background work
        self.pool.setMaxThreadCount(1)
        self._viewed_project = None  # the project whose saved view settings were applied
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.setWindowIcon(app_icon())
        self.resize(1600, 1000)
        self.status = self.statusBar()
        self.prompts = Prompts(self, synchronous)
        self.slicer = PreviewSlicer(self.compute, self)
        self.slicer.synchronous = synchronous
        self.render_ahead = RenderAhead(self.compute, self.slicer,
                                        lambda: (self.document.take.copy(), self.document.path), self)
        self.render_ahead.synchronous = synchronous
        self.playback = PlaybackController(self.session, self.render_ahead, self)
        self.playback.can_pace = self.can_preview
        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.preview_timer.timeout.connect(self.request_preview)
        # An edit's preview is asked for as soon as its undo step is complete (all of its commands
        # done), before the views redraw; a drag's live steps and edits outside the history wait
        # for the timer.
        self.document.changed.connect(self._preview_edit)
        self.document.history_changed.connect(self._edit_step_done)

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
        self.render_queue.cache = self.compute.cache  # fits and performances shared with the preview
        self.undo_view = UndoHistoryView(self.document)

        self.dock_layout = DockLayout(self, self.settings, [
            ("timeline", "Timeline", self.timeline, Qt.BottomDockWidgetArea),
            ("curves", "Curve Editor", self.curve_editor, Qt.BottomDockWidgetArea),
            ("channels", "Channels", self.channel_list, Qt.LeftDockWidgetArea),
            ("inspector", "Inspector", self.inspector, Qt.RightDockWidgetArea),
            ("performance", "Performance", self.performance, Qt.RightDockWidgetArea),
            ("queue", "Render Queue", self.render_queue, Qt.RightDockWidgetArea),
            ("history", "Undo History", self.undo_view, Qt.RightDockWidgetArea)])
        self.docks = self.dock_layout.docks

        # controllers
        self.take_status = TakeStatus(self.document, self.viewer, self.pool, self.show_viewer, self.can_preview,
                                      synchronous)
        self.files = ProjectFiles(self, self.document, self.settings, self.prompts, UntitledRecovery(recovery_dir),
                                  self.pool, self.view_state, self.take_status.busy, synchronous)
        self.media = MediaImports(self, self.document, self.prompts, self.take_status, self.pool, self.files.last_dir,
                                  self.files.open_project, self.schedule_preview, synchronous)
        self.exports = Exports(self, self.document, self.session, self.render_queue, self.prompts,
                               self.files.last_dir, lambda: self.docks["queue"].raise_())
        self.generation = Generation(self, self.document, self.session, self.compute, self.prompts,
                                     self.render_queue.log_line, self.pool, synchronous)
        self.alignment_reports = AlignmentReports(self, self.document, self.session, self.compute.cache,
                                                  self.generation.announce, self.pool, synchronous)
        self.generation.on_announced = self.alignment_reports.generated
        self.take_audio = TakeAudio(self.timeline.waveform, self.playback.scrub_audio, self.pool,
                                    self.prompts.show_error, synchronous, self)

        self.actions_by_name, self.menus = build_actions(self)
        for dock in self.docks.values():
            self.menus.panels.addAction(dock.toggleViewAction())
        self.transport = TransportBar(self.actions_by_name, self.session, self.document, self)
        self.playback_display = PlaybackDisplay(self.playback, self.render_ahead, self.viewer, self.status,
                                                self.schedule_preview, self.actions_by_name["play"])
        self.addToolBar(Qt.TopToolBarArea, self.transport)
        take_actions.build_take_menu(self, self.menus.take, self.actions_by_name)
        self.dock_layout.arrange()

        self.take_status.stale_changed.connect(self._show_stale)
        self.files.recent_changed.connect(self._show_recent)
        self.media.audio_imported.connect(self._audio_imported)
        self.curve_editor.error.connect(self.prompts.show_error)
        self.timeline.lane.on_error = self.timeline.markers.on_error = self.prompts.show_error
        self.document.title_changed.connect(self._update_title)
        self.document.changed.connect(self._on_change)
        self.document.replaced.connect(self._on_replaced)
        self.session.playhead_changed.connect(self._on_playhead)
        self.session.display_changed.connect(self._update_frame_label)
        self.timeline.ruler.scrub_finished.connect(self.playback.stop_scrub_audio)
        self.timeline.waveform.scrub_finished.connect(self.playback.stop_scrub_audio)
        self.slicer.ready.connect(self._show_preview)
        self.slicer.fitted.connect(self._store_fit)
        self.render_queue.job_finished.connect(
            lambda e: self._store_fit(e.spec.take.name, e.spec.take.portrait_path, e.spec.take.portrait_fit))
        self.slicer.failed.connect(lambda msg: self.viewer.clear(f"Preview unavailable: {msg}"))
        self.slicer.stage.connect(self.take_status.preview_stage)
        window_shortcuts.install(self)  # Undo, Export... work right after typing in a field
        self.welcome.open_demo.connect(self.files.open_demo)
        self.welcome.new_project.connect(self.files.new_project)
        self.welcome.open_dialog.connect(self.files.open_dialog)
        self.welcome.open_path.connect(self.files.open_project)
        self.files.refresh_recent()
        self._on_replaced()
        if not synchronous:  # import the compute modules while idle, not while a take opens
            self.warm_pool = QThreadPool(self)
            self.warm_pool.setMaxThreadCount(1)
            QTimer.singleShot(0, self._warm_imports)

    # -- layout ------------------------------------------------------------------------------------
    def reset_layout(self) -> None:
        self.dock_layout.reset()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.dock_layout.shown()

    def save_layout(self) -> None:
        self.dock_layout.save()

    def show_about(self) -> QDialog:
        dialog = AboutDialog(self)
        dialog.open()  # window-modal without blocking (tests and the screenshot script close it)
        return dialog

    def show_shortcuts(self) -> QDialog:
        dialog = ShortcutsDialog(self.actions(), self)
        dialog.open()
        return dialog

    def show_viewer(self) -> None:
        """The viewer replaces the welcome panel (a take is on its way)."""
        self.center.setCurrentWidget(self.viewer)

    def _show_stale(self, stale: bool) -> None:
        action = self.actions_by_name["generate"]
        action.setIconText("⚙  Generate •" if stale else "⚙  Generate")
        action.setToolTip("Generate (Ctrl+G): the emotions, recording or settings changed since the take "
                          "was generated" if stale else "Generate (Ctrl+G): run stage 1 again (edits are kept)")

    def _show_recent(self, recent: list) -> None:
        self.welcome.set_recent(recent)
        menu = self.menus.recent
        menu.clear()
        for r in recent:
            menu.addAction(r, lambda p=r: self.files.open_project(p))
        menu.setEnabled(bool(recent))

    def _audio_imported(self, path: str) -> None:
        self.take_audio.forget(path)  # a new recording at the same path draws (and scrubs) its own
        self._on_replaced()

    # -- document events ---------------------------------------------------------------------------
    def _update_title(self) -> None:
        self.setWindowTitle(self.document.window_title())

    def _sync_takes(self) -> None:
        self.transport.show_takes(self.document.project.take_names(), self.document.current_take)

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
            self.playback.set_media(self.document.resolve(take.audio_path), take.rate.fps)
            self.take_audio.show(self.document.resolve(take.audio_path), take.rate.fps)
            # A known range before the first paint, so the curves are downsampled from the start;
            # a project just opened shows its saved view when it has one for this take.
            opened, self._viewed_project = self.document.project is not self._viewed_project, self.document.project
            if not (opened and view_settings.apply(self.document.project.view, self.session, self.curve_editor,
                                                   take.name)):
                self.curve_editor.frame_all()
            self.take_status.show_preparing(take)
            self.schedule_preview()
        else:
            self.take_audio.show(None, 24.0)
            self.viewer.clear("Import audio and a portrait (File menu, or drop them here) to start a take.")
        self.take_status.refresh_stale()
        self._refresh_reports()
        self._update_title()
        self._update_frame_label()

    def _refresh_reports(self) -> None:
        if not self._closing:  # the ruler's lip-sync marks of a project just opened, or of the shown take
            self.alignment_reports.shown()

    def view_state(self) -> dict:
        return view_settings.capture(self.session, self.curve_editor, self.document.current_take)

    def _preview_edit(self, change) -> None:
        self.slicer.invalidate()
        if change.kind != "take":  # a new take previews when it is shown (_on_replaced)
            self.schedule_preview()

    def _edit_step_done(self) -> None:
        if self.preview_timer.isActive() and self.slicer.idle():
            self.preview_timer.stop()
            self.request_preview()

    def _on_change(self, change) -> None:
        take = self.document.take
        if take is not None:
            self.session.n_frames = take.n_frames
        if change.kind != "channel" or change.name is None:  # emotions, language, settings, media: the stamp says
            self.take_status.refresh_stale()
            if change.kind != "take" and not self.generation.applying:  # script, language, recording, undo
                self._refresh_reports()
        if change.kind == "take":
            self._on_replaced()
        elif change.kind == "takes":
            self._sync_takes()
            self._update_frame_label()  # a renamed take shows its new name
        self.files.schedule_autosave()  # Untitled projects autosave too (core.untitled_recovery)

    def _on_playhead(self, frame: int) -> None:
        self._update_frame_label()
        if self.playback.playing:
            self.timeline.ensure_visible(frame)
        elif self.timeline.ruler.scrubbing or self.timeline.waveform.scrubbing:
            self.playback.scrub(frame)  # a grain of the sound under the dragged playhead
        if not self.playback.paced:  # paced playback shows its own frames
            self.schedule_preview()

    def _update_frame_label(self) -> None:
        take = self.document.take
        f = self.session.playhead
        tc = take.rate.to_timecode(f) if take else "--:--:--:--"
        self.transport.show_frame(take, f)
        self.viewer.info = f"{take.name} · {take.rate} fps · frame {f} · {tc}" if take else ""
        self.viewer.update()

    # -- preview (napari-style slicing) ------------------------------------------------------------
    def schedule_preview(self) -> None:
        """Preview the playhead's frame once a burst of edits or playhead moves pauses (or at once,
        when an undo step completes: _edit_step_done), so the worker never queues up."""
        if self.synchronous:
            self.request_preview()
        else:
            self.preview_timer.start()

    def can_preview(self) -> bool:
        take = self.document.take
        return take is not None and take.audio_path is not None and take.portrait_path is not None \
            and take.n_frames > 0

    def request_preview(self):
        if self._closing or not self.can_preview():
            return None
        return self.slicer.request(self.document.take.copy(), self.document.path, self.session.playhead,
                                   framing="plate" if self.session.show_plate else "crop")

    def _store_fit(self, take_name, portrait_path, fit_json) -> None:
        if self.document.store_fit(take_name, portrait_path, fit_json):
            self.files.schedule_autosave()

    def _show_preview(self, frame, rgb, landmarks) -> None:
        self.viewer.show_frame(frame, rgb, landmarks)

    def generate(self) -> None:
        self.generation.generate()

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

    # -- drag and drop, closing ------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        for url in event.mimeData().urls():
            self.media.open_dropped(url.toLocalFile())
        event.acceptProposedAction()

    def closeEvent(self, event) -> None:
        # An exception escaping closeEvent crashes PySide; never let one out.
        try:
            self._close(event)
        except Exception:  # noqa: BLE001
            import traceback

            traceback.print_exc()
            event.accept()

    def _close(self, event) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        if self.render_queue.busy():
            if self.prompts.ask("Renders running", "Cancel the running renders and quit?",
                                QMessageBox.Yes | QMessageBox.No, QMessageBox.No) != QMessageBox.Yes:
                event.ignore()
                return
            self.render_queue.cancel_all()
        self.playback.stop()
        self.save_layout()
        self.drain_workers()
        event.accept()

    def _warm_imports(self) -> None:
        if not self._closing:  # a window closed at once must not start work its pools then wait for
            workers.submit(self.warm_pool, take_compute.warm_imports, parent=self)

    def drain_workers(self) -> None:
        """Let the window's worker threads finish before Qt destroys their pools. A QThreadPool's
        destructor waits for its threads while the deleting thread holds Python's lock, and a worker
        still running Python (a preview preparing a portrait) needs that lock: the app would hang on
        close. Waiting here, from Python, releases it."""
        self._closing = True
        pools = [self.pool, getattr(self, "warm_pool", None), self.slicer.pool, self.render_ahead.pool,
                 self.render_queue.pool]
        for pool in pools:
            if pool is not None:
                pool.clear()  # queued work never starts
        for pool in pools:
            if pool is not None:
                pool.waitForDone()
