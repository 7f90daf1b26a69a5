"""ui room: The curve editor (graph editor) and its channel list: curves, keys, tangent handles, mouse gestures."""
