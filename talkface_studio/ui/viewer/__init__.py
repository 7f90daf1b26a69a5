"""ui room: The viewer: the frame under the playhead (computed in the background), playback with audio."""
