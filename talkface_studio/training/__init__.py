"""Training for the neural backends: MEAD-layout datasets, per-clip landmark caches, the stage 1
speech-to-landmarks loop and the stage 2 landmarks-to-keypoints mapping loop."""
