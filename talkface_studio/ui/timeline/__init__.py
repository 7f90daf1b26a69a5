"""ui room: The timeline: ruler, waveform, emotion lane with its palette, markers, and the lip-sync marks."""
