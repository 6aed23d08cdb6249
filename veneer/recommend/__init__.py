"""Recommendations: candidate strategies, content similarity, popularity and re-ranking (pure)."""
