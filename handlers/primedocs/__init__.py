"""The primedocs Admin API (specs/primedocs-admin.yaml)."""
