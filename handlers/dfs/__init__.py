"""The DFS Admin Services API (specs/dfs-admin.yaml)."""
