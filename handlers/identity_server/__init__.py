"""The IdentityServer emulation (specs/identity-server.yaml)."""
