"""The Access Control Management API (specs/accesscontrol.yaml)."""
