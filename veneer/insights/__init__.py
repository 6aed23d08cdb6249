"""What the Insights pages need that is pure: signed sign-in sessions and SVG charts."""
