"""Torch plumbing the model rooms share (perform, render, audio, training): reading and writing
checkpoints without executing anything from the file, and choosing the device (without importing
torch where there is no GPU). Knows core and torch only, so stage 1 and stage 2 can use it and still
stay independent of each other."""
