"""The AnsysID store as the unit of work offers it: sign-in data for the B2C stand-in, and the
API's repositories for one caller, whose rights every one of them checks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from store.ansysid.access import Access, Caller
from store.ansysid.accounts import AccountsRepository
from store.ansysid.activities import ActivitiesRepository, ActivityLog
from store.ansysid.groups import GroupsRepository
from store.ansysid.signin import GrantRefused, SignInRepository
from store.ansysid.tokens import PersonalAccessTokensRepository
from store.ansysid.users import UsersRepository
from store.errors import Unauthenticated


@dataclass(frozen=True)
class CallerRepositories:
    access: Access
    accounts: AccountsRepository
    users: UsersRepository
    groups: GroupsRepository
    activities: ActivitiesRepository
    tokens: PersonalAccessTokensRepository


class AnsysIdRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        self.signin = SignInRepository(session)

    def acting_as(self, caller: Caller) -> CallerRepositories:
        """Unauthenticated for a token made from a PAT that no longer holds: a revoked PAT
        shuts out the tokens it gave, not only the sign-ins after it."""
        if caller.pat_id is not None:
            try:
                self.signin.check_pat(caller.pat_id, caller.id)
            except GrantRefused as refused:
                raise Unauthenticated(str(refused)) from refused
        access = Access(self._session, caller)
        log = ActivityLog(self._session, caller)
        return CallerRepositories(
            access=access,
            accounts=AccountsRepository(self._session, access, log),
            users=UsersRepository(self._session, access, log),
            groups=GroupsRepository(self._session, access, log),
            activities=ActivitiesRepository(self._session, access),
            tokens=PersonalAccessTokensRepository(self._session, access, log),
        )
