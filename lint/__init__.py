"""Import rules for `make lint` that import-linter has no built-in contract for."""
