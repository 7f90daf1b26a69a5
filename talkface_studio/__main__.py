import sys

from talkface_studio.cli.main import main

sys.exit(main())
