"""Render-farm job writers: a farm-neutral plan (chunking) and OpenJD / OpenCue translations."""
