"""Recommendation models and their offline evaluation: arrays and plain data in and out.

Training and evaluation happen in jobs and commands; the request path only reads what a job
wrote (DESIGN.md). Nothing here touches a database or a request, so every model and metric
is tested on small synthetic data with planted structure.
"""
