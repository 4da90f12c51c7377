"""Test helpers: never imported by the production package (an import-linter contract checks)."""
