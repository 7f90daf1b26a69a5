"""perform room."""
