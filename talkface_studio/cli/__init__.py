"""The `talkface-studio` command: the GUI by default, headless subcommands for pipelines and farms."""
