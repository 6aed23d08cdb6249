"""Experiments: arms, assignment and the analysis of their results."""
