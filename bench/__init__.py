"""Scheduling benchmark (not a test): see bench/README.md."""
