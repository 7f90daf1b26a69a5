"""Export writers. Each writes under a hidden temporary name in the target folder and renames on
success (atomic.py), so a failed or cancelled export never leaves a finished-looking file."""
