"""The AnsysID API (specs/ansysid.yaml)."""
