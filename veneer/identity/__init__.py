"""Who is asking: API keys, viewer tokens and the viewer a request acts for."""
