"""Propensity as GraphQL shows it: `Viewer.propensity(event:)`."""
