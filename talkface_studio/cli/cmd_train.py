"""`talkface-studio train`: train a neural backend on a MEAD-layout folder, or the viseme recognizer
on speech it synthesizes itself.

    talkface-studio train --data MEAD --out runs/s1 --stage landmarks --epochs 30 --device auto
    talkface-studio train --data MEAD --out runs/s2 --stage keypoints --generator fv2v.safetensors
    talkface-studio train --stage visemes --out runs/visemes --hours 4 --seed 0
"""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train the neural speech-to-landmarks model or the landmark-to-keypoint mapping",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="dataset root laid out like MEAD (landmarks and keypoints stages)")
    p.add_argument("--out", required=True, help="output folder (checkpoint, config JSON, landmark cache)")
    p.add_argument("--stage", choices=("landmarks", "keypoints", "visemes"), default="landmarks")
    p.add_argument("--hours", type=float, default=None,
                   help="visemes stage: hours of speech to synthesize (default 4; recipes 4 and 5: 1)")
    p.add_argument("--steps", type=int, default=None,
                   help="visemes stage: optimisation steps (default 2400; recipes 4 and 5: 600)")
    p.add_argument("--recipe", type=int, default=2, choices=(2, 3, 4, 5),
                   help="visemes stage: training-data recipe (2: espeak-ng voices, the packaged weights'; "
                        "3: adds Festival voices of real speakers, needs the festvox-* packages; "
                        "4: fine-tunes recipe 2's weights with SVOX Pico's voices, needs the [train] extra; "
                        "5: the same with MBROLA's diphone voices, needs mbrola and mbrola-* from Debian contrib)")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=None, help="default 16 (landmarks, keypoints), 24 (visemes)")
    p.add_argument("--lr", type=float, default=None,
                   help="peak learning rate (default 3e-4; visemes: 2e-3, recipes 4 and 5: 5e-4)")
    p.add_argument("--init", help="visemes stage: weights (.safetensors) to continue training from, or "
                                  "'random' (default: a random network; recipes 4 and 5: the packaged "
                                  "recipe-2 weights)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="auto (cuda when available), cpu or cuda")
    p.add_argument("--config", help="model-size config JSON (default: the bundled one)")
    p.add_argument("--generator", help="keypoints stage: the face-vid2vid generator checkpoint whose "
                                       "keypoint detector supplies the targets")
    p.add_argument("--steps-per-epoch", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(handler=run)


def run(args) -> int:
    import torch

    torch.set_num_threads(max(1, min(8, torch.get_num_threads())))
    if args.stage == "visemes":
        return _train_visemes(args)
    if not args.data:
        from talkface_studio.core.errors import ValidationError

        raise ValidationError(f"--data is required for the {args.stage} stage")
    if args.epochs < 1:
        from talkface_studio.core.errors import ValidationError

        raise ValidationError(f"--epochs must be at least 1, got {args.epochs}")
    lr = args.lr or 3e-4  # the visemes stage has its own defaults
    if args.stage == "landmarks":
        from talkface_studio.perform.neural.config import SpeechToCuesConfig
        from talkface_studio.training.train_landmarks import TrainOptions, train_landmarks

        config = SpeechToCuesConfig.load(args.config) if args.config else None
        options = TrainOptions(epochs=args.epochs, batch_size=args.batch_size or 16, lr=lr, seed=args.seed,
                               device=args.device, steps_per_epoch=args.steps_per_epoch)
        train_landmarks(args.data, args.out, options, config)
        return 0
    from talkface_studio.training.train_keypoints import KeypointTrainOptions, train_keypoints

    options = KeypointTrainOptions(epochs=args.epochs, batch_size=args.batch_size or 16, lr=lr, seed=args.seed,
                                   device=args.device, steps_per_epoch=args.steps_per_epoch)
    train_keypoints(args.data, args.out, args.generator, options, mapping_config=args.config)
    return 0


def _train_visemes(args) -> int:
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.training.train_visemes import (FINE_TUNE, FINE_TUNED_RECIPES, RANDOM_START, VisemeTrainOptions,
                                                        train_visemes)

    tune = args.recipe in FINE_TUNED_RECIPES and args.init != RANDOM_START
    hours = args.hours if args.hours is not None else (FINE_TUNE["hours"] if tune else VisemeTrainOptions.hours)
    steps = args.steps if args.steps is not None else (FINE_TUNE["steps"] if tune else VisemeTrainOptions.steps)
    lr = args.lr or (FINE_TUNE["lr"] if tune else VisemeTrainOptions.lr)
    if not 0 < hours <= 100:
        raise ValidationError(f"--hours must be more than 0 and at most 100, got {hours}")
    if steps < 1:
        raise ValidationError(f"--steps must be at least 1, got {steps}")
    options = VisemeTrainOptions(hours=hours, seed=args.seed, steps=steps, device=args.device, lr=lr,
                                 batch_size=args.batch_size or VisemeTrainOptions.batch_size, recipe=args.recipe,
                                 init=args.init)
    train_visemes(args.out, options)
    return 0
