"""ui room: Docked panels: inspector (segment, keys, take), performance settings, render queue."""
