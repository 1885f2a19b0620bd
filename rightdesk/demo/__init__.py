"""Demo data: three small businesses re-enacted through the domain services."""
