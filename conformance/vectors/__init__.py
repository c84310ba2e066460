"""Portable test vectors (JSON data files) and their schema; see docs/portable.md."""
