"""Identity emulation: signing keys and the tokens of the built-in token services."""
