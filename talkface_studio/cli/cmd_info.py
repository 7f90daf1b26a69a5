"""`talkface-studio info`: what a project holds, for people and (with --json) for pipelines."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from talkface_studio.core.project_file import find_recovery, load_project
from talkface_studio.perform.procedural.performance_settings import MOUTH_SETTINGS


def add_parser(sub) -> None:
    p = sub.add_parser("info", help="show the takes, timing, emotion segments and edits of a project")
    p.add_argument("project", help="project file (.tfs)")
    p.add_argument("--json", action="store_true", help="print a machine-readable summary")
    p.set_defaults(handler=run)


def summarize(project) -> dict:
    takes = []
    for t in project.takes:
        rate, fit = t.rate, t.portrait_fit or {}
        takes.append({
            "name": t.name, "language": t.language, "fps": str(rate), "rate": rate.to_json(), "n_frames": t.n_frames,
            "duration_timecode": rate.to_timecode(t.n_frames), "duration_seconds": round(t.duration_seconds, 3),
            "audio": str(t.audio_path) if t.audio_path else None,
            "audio_channel": t.audio_channel,  # the recording's channel analysed (from 1); null: the mix
            "portrait": str(t.portrait_path) if t.portrait_path else None,
            # which face of a photo with several (counted from the left), as fitted
            "face": [fit.get("face_number", 1), fit.get("faces_found", 1)],
            "backend": t.generation.backend, "seed": t.generation.seed, "script": t.generation.transcript,
            "default_transition": t.emotion_track.default_transition,
            "segments": [{"id": s.id, "emotion": s.emotion, "level": s.level, "start": s.start, "end": s.end,
                          "start_timecode": rate.to_timecode(s.start), "end_timecode": rate.to_timecode(s.end)}
                         for s in t.emotion_track.segments],
            "edit_layers": {n: len(ch.layers) for n, ch in t.channels.items() if ch.layers},
            # every per-take mouth setting, as stored (the default where the take has none)
            "mouth": {s.key: t.generation.options.get(s.key, s.default) for s in MOUTH_SETTINGS},
            # spans set to a mouth shape by hand: [start, end) frames and the shape
            "mouth_shapes": [s.to_json() for s in t.generation.mouth_shapes],
        })
    return {"path": str(project.path), "takes": takes}


def run(args: argparse.Namespace) -> int:
    path = Path(args.project)
    project = load_project(path)
    info = summarize(project)
    if args.json:
        print(json.dumps(info, indent=1))
        return 0
    print(f"{path}: {len(info['takes'])} take(s)")
    for t in info["takes"]:
        print(f"take {t['name']!r} ({t['language']}): {t['fps']} fps, {t['n_frames']} frames ({t['duration_timecode']}, "
              f"{t['duration_seconds']:.2f} s), {t['backend']} performer, seed {t['seed']}")
        for label in ("audio", "portrait"):
            where = t[label]
            missing = "" if where and Path(where).exists() else "  (missing)"
            face = f"  (face {t['face'][0]} of {t['face'][1]}, from the left)" if label == "portrait" and \
                t["face"][1] > 1 else ""
            channel = f"  (channel {t['audio_channel']} alone)" if label == "audio" and t["audio_channel"] else ""
            print(f"  {label}: {where or '-'}{missing}{face}{channel}")
        script = " ".join((t["script"] or "").split())
        print(f"  script: {script[:70] + ' ...' if len(script) > 70 else script or '- (lip sync recognizes the speech)'}")
        segs = t["segments"]
        print(f"  emotions: {len(segs)} segment(s), transitions {t['default_transition']} frames")
        for s in segs:
            print(f"    {s['start_timecode']} - {s['end_timecode']}  {s['emotion']} {s['level']}"
                  f"  (frames {s['start']}-{s['end']})")
        layers = t["edit_layers"]
        edits = ", ".join(f"{n} {k}" for n, k in layers.items()) if layers else "none"
        print(f"  edit layers: {edits}")
        changed = {k: v for k, v in t["mouth"].items() if v != 1.0}
        mouth = ", ".join(f"{k} {v:g}" if isinstance(v, (int, float)) else f"{k} {v!r}" for k, v in changed.items())
        print(f"  mouth: {mouth + ' (others 1)' if mouth else 'all 1 (natural)'}")
        if t["mouth_shapes"]:
            spans = ", ".join(f"{a}-{b - 1} {shape}" for a, b, shape in t["mouth_shapes"][:8])
            more = f" and {len(t['mouth_shapes']) - 8} more" if len(t["mouth_shapes"]) > 8 else ""
            print(f"  mouth shapes set by hand (frames): {spans}{more}")
    recovery = find_recovery(path)
    if recovery:
        print(f"note: {recovery} holds newer unsaved work (open the project in the app to recover it)")
    return 0
