"""The take model: pure Python + numpy. Imports neither Qt nor torch (checked by import-linter)."""
