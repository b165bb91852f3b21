"""The Access Control Management API's identities and access groups, and its API keys."""
