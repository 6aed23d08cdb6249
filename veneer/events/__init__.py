"""Events: what viewers do, validated, consent-gated, deduplicated and turned into profiles."""
