"""Clients and API scopes of the built-in token service."""
