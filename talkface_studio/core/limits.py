"""Limits on what TalkFace Studio reads: far beyond any real project, low enough that a damaged or
hostile file is refused (one line, with the JSON path or line) before it can ask for an absurd
allocation or hang the program. README "What is never damaged" lists them.
"""

MAX_FRAMES = 648_000  # frames in a take: 3 hours at 60 fps (the audio loader's 3-hour limit)
MAX_TAKES = 10_000  # takes in one project
MAX_SEGMENTS = 100_000  # emotion segments in one take
MAX_LAYERS = 1_000  # edit layers on one channel
MAX_KEYS = MAX_FRAMES  # keys in one layer (one per frame at most)
VALUE_LIMIT = 1e6  # |value| of a channel sample or key (degrees, 0..1 amounts: real ones are < 1000)
MAX_SEED = 2**63 - 1  # seeds are non-negative 64-bit integers
MAX_NAME = 1_000  # characters of a take, layer or segment name / id
MAX_OPTION_NUMBER = 1e6  # |number| inside take options and project settings

MAX_PROJECT_BYTES = 256 * 1024**2  # a 10-minute, 18-channel take is ~3.6 MB
MAX_CURVE_BYTES = 256 * 1024**2  # a 3-hour take's 18 channels as CSV is ~100 MB
MAX_CURVE_COLUMNS = 256  # frame, time and up to 254 channel columns
MAX_CELL_CHARS = 1_000  # one CSV cell (a number needs < 30)
MAX_CONFIG_BYTES = 1024**2  # a model config JSON is < 2 kB
MAX_CACHE_JSON_BYTES = 64 * 1024**2  # one analysis-cache phone list

MAX_IMAGE_SIDE = 8192  # width or height of a PNG handed to `encode` (renders are at most 4096)
