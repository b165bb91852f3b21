"""The DFS Admin Services API's tables and repository."""
