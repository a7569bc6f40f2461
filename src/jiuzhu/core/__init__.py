"""Cross-cutting infrastructure used by the apps: personal-data crypto and hashing."""
