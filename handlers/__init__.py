"""Handlers: one package per API, one module per spec tag, one function per operationId.

A handler takes the validated parameters, calls the store in one unit of work, maps the
records to the spec's fields and returns. No SQLAlchemy here.
"""
