"""PyInstaller entry point: the frozen `talkface-studio` executable runs the normal CLI main."""

import sys

from talkface_studio.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
