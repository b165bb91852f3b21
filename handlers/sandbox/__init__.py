"""The sandbox's own operations (specs/specserve-admin.yaml)."""
