"""Fitted calibration of the built-in judge (written by benchmarks/fit_judge.py)."""
