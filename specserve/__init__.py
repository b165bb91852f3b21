"""specserve: the runtime that serves the API contracts of `specs/`."""

__version__ = "0.1.0"
