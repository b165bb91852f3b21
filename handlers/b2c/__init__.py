"""The Azure AD B2C stand-in (specs/b2c.yaml): sign-in for the AnsysID API."""
