"""MainWindow: viewer on top, timeline and curve editor below, channels, inspector, render queue
and undo history in docks whose layout is remembered. It is the window's assembly: it builds the
widgets of the other rooms and its controllers (files, media imports, exports, Generate, lip-sync
reports; ui.window.*) and wires them to the document. What it does when the document changes is
DocumentReactions, when it asks for a preview PreviewRequests, how it closes window_closing;
background work (generate, preview, audio peaks) runs off the GUI thread."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QSettings, QThreadPool, QTimer, Qt
from PySide6.QtWidgets import QDialog, QMainWindow, QStackedWidget

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

from . import menu_updates, mouth_shape_actions, take_actions, view_settings, window_closing, window_shortcuts
from .alignment_reports import AlignmentReports
from .dock_layout import DEFAULT_SIZE, DockLayout
from .document_reactions import DocumentReactions
from .exports import Exports
from .generation import Generation
from .help_dialogs import AboutDialog, ShortcutsDialog, app_icon
from .media_imports import MediaImports
from .playback_display import PlaybackDisplay
from .preview_requests import PreviewRequests
from .project_files import ProjectFiles
from .prompts import Prompts
from .take_audio import TakeAudio
from .take_status import TakeStatus
from .transport_bar import TransportBar
from .welcome_panel import WelcomePanel
from .window_actions import build_actions


class MainWindow(QMainWindow):
    """The window owns the widgets of the other rooms and its controllers: `prompts` (questions and
    errors), `files` (ProjectFiles: new, open, save, autosave, recovery, recent), `media`
    (MediaImports: audio, portraits, drops), `exports` (Exports: the Export dialog and the render
    queue), `generation` (Generate), `alignment_reports` (the lip-sync report without Generate) and
    `take_status` (the Generate mark and what the viewer waits for). Each controller is handed what
    it uses."""

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
        self.closing = False  # set once the window closes: no new background work
        self.pool.setMaxThreadCount(1)
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.setWindowIcon(app_icon())
        self.resize(*DEFAULT_SIZE)
        self.status = self.statusBar()
        self.prompts = Prompts(self, synchronous)
        self.slicer = PreviewSlicer(self.compute, self)
        self.slicer.synchronous = synchronous
        self.render_ahead = RenderAhead(self.compute, self.slicer,
                                        lambda: (self.document.take.copy(), self.document.path), self)
        self.render_ahead.synchronous = synchronous
        self.playback = PlaybackController(self.session, self.render_ahead, self)
        self.playback.can_pace = self.can_preview
        # first on the document's signals: an edit's preview is asked for before the views redraw
        self.previews = PreviewRequests(self.document, self.session, self.slicer, lambda: self.closing,
                                        synchronous, self)
        self.preview_timer = self.previews.timer

        self.viewer = Viewer(self.session)
        self.welcome = WelcomePanel()
        self.center = QStackedWidget(self)
        self.center.addWidget(self.welcome)
        self.center.addWidget(self.viewer)
        self.setCentralWidget(self.center)
        self.timeline = TimelineView(self.document, self.session)
        self.curve_editor = CurveEditor(self.document, self.session)
        self.curve_editor.generate_requested.connect(self.generate)
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
        self.generation.on_result = self.alignment_reports.answered
        self.generation.on_announced = self.alignment_reports.generated
        self.take_audio = TakeAudio(self.timeline.waveform, self.playback.scrub_audio, self.pool,
                                    self.prompts.show_error, synchronous, self, self.inspector.set_recording_channels,
                                    lambda path: self.playback.set_media(path, self.playback.fps))
        self.reactions = DocumentReactions(self)

        self.actions_by_name, self.menus = build_actions(self)
        for dock in self.docks.values():
            self.menus.panels.addAction(dock.toggleViewAction())
        self.transport = TransportBar(self.actions_by_name, self.session, self.document, self)
        self.playback_display = PlaybackDisplay(self.playback, self.render_ahead, self.viewer, self.status,
                                                self.schedule_preview, self.actions_by_name["play"])
        self.addToolBar(Qt.TopToolBarArea, self.transport)
        take_actions.build_take_menu(self, self.menus.take, self.actions_by_name)
        mouth_shape_actions.build_mouth_shape_menu(self, self.menus.take)
        self.timeline.waveform.shape_menu_requested.connect(
            lambda frame, pos: mouth_shape_actions.waveform_menu(self, frame).popup(pos))
        self.inspector.script_requested.connect(self.actions_by_name["take_script"].trigger)
        self.dock_layout.arrange()

        self.take_status.stale_changed.connect(partial(menu_updates.show_stale, self.actions_by_name["generate"]))
        self.files.recent_changed.connect(partial(menu_updates.show_recent, self.menus.recent, self.welcome,
                                                  self.files.open_project))
        self.media.audio_imported.connect(self.reactions.audio_imported)
        self.curve_editor.error.connect(self.prompts.show_error)
        self.timeline.lane.on_error = self.timeline.markers.on_error = self.prompts.show_error
        self.document.title_changed.connect(self.reactions.update_title)
        self.document.changed.connect(self.reactions.changed)
        self.document.replaced.connect(self.reactions.take_shown)
        self.session.playhead_changed.connect(self.reactions.playhead_moved)
        self.session.display_changed.connect(self.reactions.update_frame_label)
        self.timeline.ruler.scrub_finished.connect(self.playback.stop_scrub_audio)
        self.timeline.waveform.scrub_finished.connect(self.playback.stop_scrub_audio)
        self.slicer.ready.connect(self.viewer.show_frame)
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
        self.reactions.take_shown()
        if not synchronous:  # import the compute modules while idle, not while a take opens
            self.warm_pool = QThreadPool(self)
            self.warm_pool.setMaxThreadCount(1)
            QTimer.singleShot(0, self._warm_imports)

    # -- layout and dialogs ------------------------------------------------------------------------
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

    def view_state(self) -> dict:
        return view_settings.capture(self.session, self.curve_editor, self.document.current_take)

    # -- preview (PreviewRequests) and Generate ----------------------------------------------------
    def schedule_preview(self) -> None:
        self.previews.schedule()

    def can_preview(self) -> bool:
        return self.previews.can_preview()

    def request_preview(self):
        return self.previews.request()

    def _store_fit(self, take_name, portrait_path, fit_json) -> None:
        """A portrait fit found by the preview or a render is kept with the take (no undo step)."""
        if self.document.store_fit(take_name, portrait_path, fit_json):
            self.files.schedule_autosave()

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
            window_closing.close(self, event)
        except Exception:  # noqa: BLE001
            import traceback

            traceback.print_exc()
            event.accept()

    def _warm_imports(self) -> None:
        if not self.closing:  # a window closed at once must not start work its pools then wait for
            workers.submit(self.warm_pool, take_compute.warm_imports, parent=self)

    def drain_workers(self) -> None:
        """Let the window's worker threads finish before Qt destroys their pools (window_closing.drain:
        the app would hang on close otherwise)."""
        self.closing = True
        window_closing.drain([self.pool, getattr(self, "warm_pool", None), self.slicer.pool, self.render_ahead.pool,
                              self.render_queue.pool])
