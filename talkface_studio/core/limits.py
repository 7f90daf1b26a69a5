"""Limits on what TalkFace Studio reads: far beyond any real project, low enough that a damaged or
hostile file is refused (one line, with the JSON path or line) before it can ask for an absurd
allocation or hang the program. README "What is never damaged" lists them. Also the one home of
the sizes a frame may be rendered at.
"""

from .errors import ValidationError

MAX_FRAMES = 648_000  # frames in a take: 3 hours at 60 fps (the audio loader's 3-hour limit)
MAX_TAKES = 10_000  # takes in one project
MAX_SEGMENTS = 100_000  # emotion segments in one take
MAX_LAYERS = 1_000  # edit layers on one channel
MAX_KEYS = MAX_FRAMES  # keys in one layer (one per frame at most)
VALUE_LIMIT = 1e6  # |value| of a channel sample or key (degrees, 0..1 amounts: real ones are < 1000)
MAX_SEED = 2**63 - 1  # seeds are non-negative 64-bit integers
MAX_AUDIO_CHANNELS = 64  # channels of a take's recording (a field recorder's poly WAV has up to ~16)
MAX_NAME = 1_000  # characters of a take, layer or segment name / id
MAX_OPTION_NUMBER = 1e6  # |number| inside take options and project settings

MAX_PROJECT_BYTES = 256 * 1024**2  # a 10-minute, 18-channel take is ~3.6 MB
MAX_CURVE_BYTES = 256 * 1024**2  # a 3-hour take's 18 channels as CSV is ~100 MB
MAX_CURVE_COLUMNS = 256  # frame, time and up to 254 channel columns
MAX_CELL_CHARS = 1_000  # one CSV cell (a number needs < 30)
MAX_CONFIG_BYTES = 1024**2  # a model config JSON is < 2 kB
MAX_CACHE_JSON_BYTES = 64 * 1024**2  # one analysis-cache phone list

MAX_IMAGE_SIDE = 8192  # width or height of a PNG handed to `encode` (renders are at most 4096)

# Frame sizes (square, pixels). An export (render/submit/export-landmarks --size, the app's Export
# dialog) is even, for yuv420p video; a renderer, a render job and the frame cache take any size
# from MIN_RENDER_SIZE (previews, thumbnails) up to the same maximum.
MIN_OUTPUT_SIZE = 64
MAX_OUTPUT_SIZE = 4096
MIN_RENDER_SIZE = 16


def check_output_size(size, what: str = "--size") -> int:
    """An export's frame size: even, MIN_OUTPUT_SIZE..MAX_OUTPUT_SIZE."""
    if isinstance(size, bool) or int(size) != size or size % 2 or not MIN_OUTPUT_SIZE <= size <= MAX_OUTPUT_SIZE:
        raise ValidationError(f"{what} must be an even number of pixels from {MIN_OUTPUT_SIZE} to "
                              f"{MAX_OUTPUT_SIZE}, got {size}")
    return int(size)


def check_render_size(size, what: str = "render size") -> int:
    """A frame size a renderer draws: a whole number, MIN_RENDER_SIZE..MAX_OUTPUT_SIZE."""
    if isinstance(size, bool) or int(size) != size or not MIN_RENDER_SIZE <= size <= MAX_OUTPUT_SIZE:
        raise ValidationError(f"{what} must be a whole number of pixels in {MIN_RENDER_SIZE}..{MAX_OUTPUT_SIZE}, "
                              f"got {size}")
    return int(size)


# Plates (render --plate: the whole source photo at its own size). A plate frame costs ~30 bytes a
# pixel while rendering (photo, frame, alpha, the encoder's own copies): 36 MP is ~1.1 GB and holds
# 8K DCI (8192x4320) and 8K UHD (7680x4320). The head region is rendered at its size in the photo,
# within MIN..MAX_PLATE_RENDER_SIDE by default (cost grows with its square; below the floor the
# mouth and eyes have too few pixels); --plate-max-side moves the cap up to MAX_OUTPUT_SIZE.
MAX_PLATE_PIXELS = 36_000_000
MAX_PLATE_SIDE = 8192
MIN_PLATE_RENDER_SIDE = 128
MAX_PLATE_RENDER_SIDE = 2048


def check_plate_size(width: int, height: int, path=None) -> tuple[int, int]:
    """A photo a plate may be rendered into (its size read from the header, before decoding)."""
    from .errors import MediaError

    if width * height > MAX_PLATE_PIXELS or max(width, height) > MAX_PLATE_SIDE:
        raise MediaError(f"plate would be {width}x{height} ({width * height / 1e6:.1f} MP); plate mode renders at "
                         f"most {MAX_PLATE_PIXELS / 1e6:g} MP and {MAX_PLATE_SIDE} px a side (8192x4320 fits): "
                         "scale the photo down, or render the square crop without --plate", path)
    return int(width), int(height)


def check_plate_render_cap(side, what: str = "--plate-max-side") -> int:
    """The cap on a plate's head-region render size."""
    if isinstance(side, bool) or int(side) != side or not MIN_PLATE_RENDER_SIDE <= side <= MAX_OUTPUT_SIZE:
        raise ValidationError(f"{what} must be {MIN_PLATE_RENDER_SIDE}-{MAX_OUTPUT_SIZE}, got {side}")
    return int(side)
