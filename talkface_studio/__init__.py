"""TalkFace Studio: direct emotional talking-face performances (arXiv 2406.07895, two stages)."""

__version__ = "0.1.0"
