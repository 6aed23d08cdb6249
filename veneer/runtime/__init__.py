"""Cache and event-stream backends: in-process for the embedded default, Redis in production."""
