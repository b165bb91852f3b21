"""The store: SQLAlchemy models and repositories per API, and the unit of work over them.

It knows nothing of HTTP: no Connexion, Starlette or handlers here.
"""

from store.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unavailable,
    Unprocessable,
)
from store.unit_of_work import Store, UnitOfWork

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "Store",
    "Unavailable",
    "UnitOfWork",
    "Unprocessable",
]
