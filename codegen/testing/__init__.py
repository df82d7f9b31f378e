"""Test utilities shipped with the package (scaffolded projects' tests use them too)."""
