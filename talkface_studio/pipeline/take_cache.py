"""Results derived from takes, cached by their inputs: portrait fits, audio analysis, performances.

Session state (never saved, never undone), shared by the command line's TakeState, the app's
preview and its render queue, so a portrait is fitted and a take performed once per session. It
reads a take (usually a copy made on the GUI thread) and the path of its project file, and never
changes a document: callers decide whether to keep a fit (TakeState stores it with SetMedia, the
app outside the undo stack). Thread-safe: one lock around each computation.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import MediaError, ProjectFileError, ValidationError
from talkface_studio.core.file_access import check_regular
from talkface_studio.core.media_paths import resolve_media
from talkface_studio.core.take import GenerationSettings, Take

MAX_PERFORMANCES = 4  # a few takes' worth: the performer is fast, memory is not free


def performer_args(backend: str, options: dict) -> tuple[dict, dict]:
    """Split take options into constructor options (checkpoint) and per-request settings."""
    options = dict(options or {})
    ctor = {"checkpoint": options.pop("checkpoint")} if backend == "neural" and "checkpoint" in options else {}
    return ctor, options


class TakeCache:
    def __init__(self, fit_size: int = 512):
        self.fit_size = fit_size
        self._lock = threading.RLock()
        self._performances: OrderedDict[str, object] = OrderedDict()
        self._fits: dict[str, object] = {}  # stored fit JSON (sorted text) -> PortraitFit
        self._fits_by_source: dict[tuple, object] = {}  # (path, size, bytes, mtime) -> PortraitFit
        self._identities: dict[tuple, tuple] = {}  # (id(fit), neutralize) -> (fit, identity, image hash)

    # -- media ----------------------------------------------------------------------------------
    @staticmethod
    def audio_path(take: Take, project_path) -> Path:
        """The take's recording, checked to be there and a regular file (one line naming it if not)."""
        path = resolve_media(take.audio_path, project_path)
        if path is None:
            raise ValidationError(f"take {take.name!r} has no audio", project_path)
        if not os.path.lexists(path):
            raise MediaError("audio file is missing (moved or deleted?)", path)
        check_regular(path, "audio file", MediaError)  # a FIFO, a device, a folder, a dangling link
        return path

    def fit(self, take: Take, project_path) -> tuple[object, dict | None]:
        """(PortraitFit, fit JSON to keep or None): the take's stored fit when it still matches its
        portrait, else a fit of the portrait (once per file version), returned for the caller to keep."""
        from talkface_studio.face.portrait import fit_portrait, load_fit

        with self._lock:
            folder = Path(project_path).parent if project_path is not None else None
            source = resolve_media(take.portrait_path, project_path)
            st = source.stat() if source is not None and source.is_file() else None
            version = (st.st_size, st.st_mtime_ns) if st is not None else None
            if take.portrait_fit:
                # keyed by the image's version too: a portrait that vanished or changed is noticed
                key = json.dumps([take.portrait_fit, str(source), version], sort_keys=True)
                if key in self._fits:
                    return self._fits[key], None
                data = dict(take.portrait_fit)
                if source is not None:
                    # The take's portrait is authoritative: a project saved elsewhere keeps a stale relative
                    # path inside the fit. load_fit's sha256 check still refuses a changed image.
                    data["source_path"] = str(source)
                try:
                    fit = load_fit(data, folder)
                    self._fits[key] = fit
                    return fit, None
                except (MediaError, ProjectFileError):
                    if take.portrait_path is None:
                        raise
                    # the source changed since it was fitted (or the fit is damaged): fit again
            if source is None:
                raise ValidationError(f"take {take.name!r} has no portrait", project_path)
            # a changed photo of several people: the face the take had, counted from the left, if
            # the photo still has that many
            stale = take.portrait_fit or {}
            face = int(stale.get("face_number", 1)) if int(stale.get("faces_found", 1)) > 1 else None
            by_source = (str(source), self.fit_size, face, *version) if version is not None else None
            fit = self._fits_by_source.get(by_source)
            if fit is None:
                try:
                    fit = fit_portrait(source, size=self.fit_size, face=face)
                except MediaError:
                    if face is None:
                        raise
                    fit = fit_portrait(source, size=self.fit_size)
            if by_source is not None:
                self._fits_by_source[by_source] = fit
            return fit, fit.to_json(relative_to=folder)

    def driving_identity(self, fit, neutralize: bool) -> tuple:
        """(identity landmarks relocation starts from, hash of the portrait's pixels) of a fit: the
        same for every edit of a take, so a preview after each edit does not derive them again."""
        from .frame_cache import image_hash
        from .snapshot import driving_identity

        key = (id(fit), bool(neutralize))
        with self._lock:
            hit = self._identities.get(key)
            if hit is not None and hit[0] is fit:
                return hit[1], hit[2]
            value = (fit, driving_identity(fit, neutralize), image_hash(fit.image))
            while len(self._identities) >= 8:  # a few portraits; old fits go
                self._identities.pop(next(iter(self._identities)))
            self._identities[key] = value
            return value[1], value[2]

    # -- audio and performance ------------------------------------------------------------------
    def features(self, take: Take, project_path, transcript: str | None = None,
                 generation: GenerationSettings | None = None):
        """The take's analysis with its script (or `transcript`), closure hearing and script fallback
        (or those of `generation`, the settings Generate is about to use)."""
        from talkface_studio.audio.analysis import analyze
        from talkface_studio.perform.procedural.performance_settings import setting_value

        g = generation if generation is not None else take.generation
        text = transcript if transcript is not None else g.transcript
        try:
            hearing = setting_value(g.options, "closure_hearing")
            fallback = setting_value(g.options, "script_fallback")
        except ValidationError as exc:
            raise ValidationError(f"take {take.name!r}: {exc.problem}", project_path) from None
        return analyze(self.audio_path(take, project_path), take.rate, transcript=text,
                       n_frames=take.n_frames or None, language=take.language, closure_hearing=hearing,
                       script_fallback=fallback, channel=take.audio_channel)

    def report(self, take: Take, project_path):
        """How the take's phones were found (audio.alignment_report.AlignmentReport): derived from the
        cached analysis, never saved. Fast once the take was analysed."""
        return self.features(take, project_path).report

    def heard(self, take: Take, project_path):
        """What the lip sync heard, as runs of mouth-chart shapes (perform.hand_shapes.heard_shapes),
        from the cached analysis like `report`."""
        return self.lipsync(take, project_path)[1]

    def lipsync(self, take: Take, project_path) -> tuple:
        """(report, heard) from one read of the cached analysis: on a 10-minute take each read is
        ~0.2 s of a worker holding the GIL at times, which the event loop feels."""
        from talkface_studio.perform.hand_shapes import heard_shapes

        features = self.features(take, project_path)
        return features.report, heard_shapes(features.phones, features.n_frames, features.words)

    def _key(self, take: Take, project_path, generation: GenerationSettings) -> str:
        audio = self.audio_path(take, project_path)
        st = audio.stat()
        h = hashlib.sha256(json.dumps([str(audio), st.st_size, st.st_mtime_ns, take.rate.to_json(),
                                       take.n_frames, generation.to_json(), take.language, take.audio_channel],
                                      sort_keys=True, default=str).encode())
        h.update(np.ascontiguousarray(take.emotion_weights()).data)
        return h.hexdigest()

    def remember(self, take: Take, project_path, performance) -> None:
        """`performance` is what the take as it is now performs (Generate just changed its length)."""
        with self._lock:
            self._performances[self._key(take, project_path, take.generation)] = performance

    def performance(self, take: Take, project_path, generation: GenerationSettings | None = None):
        """Stage 1 for the take's audio, emotions and generation settings (or `generation`), cached."""
        from talkface_studio.perform.base import PerformRequest
        from talkface_studio.perform.hand_shapes import with_hand_shapes
        from talkface_studio.perform.registry import get_performer

        g = generation if generation is not None else take.generation
        with self._lock:
            key = self._key(take, project_path, g)
            if key in self._performances:
                self._performances.move_to_end(key)
                return self._performances[key]
            features = with_hand_shapes(self.features(take, project_path, generation=g), g.mouth_shapes)
            weights = take.emotion_track.weights(features.n_frames)
            ctor, settings = performer_args(g.backend, g.options)
            performer = get_performer(g.backend, **ctor)
            result = performer.perform(PerformRequest(features, weights, take.rate, int(g.seed), settings))
            self._performances[key] = result
            while len(self._performances) > MAX_PERFORMANCES:
                self._performances.popitem(last=False)
            return result
