"""Journey."""
