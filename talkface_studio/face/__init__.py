"""face room."""
