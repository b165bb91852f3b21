"""`specserve keys ...` and `specserve accesscontrol groups ...`: what the Access Control API
takes from outside it (its API keys, and its access groups, which the designer manages)."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from specserve.app import prepare_database
from specserve.settings import Settings
from store import DomainError, Store, UnitOfWork


class AccessCommandError(Exception):
    pass


def add_commands(commands: Any) -> None:
    """Register the commands on the `specserve` parser's subcommands."""
    keys = commands.add_parser("keys", help="manage the API keys of the Access Control API")
    actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a key and print it, once")
    create.add_argument("--name", required=True, help="a name to know the key by")
    create.set_defaults(run=_keys_create)
    actions.add_parser("list", help="names and dates of the keys (never the keys)").set_defaults(
        run=_keys_list
    )
    revoke = actions.add_parser("revoke", help="stop a key from working")
    revoke.add_argument("name")
    revoke.set_defaults(run=_keys_revoke)

    access = commands.add_parser(
        "accesscontrol", help="manage the Access Control API's access groups"
    )
    objects = access.add_subparsers(dest="object", required=True, metavar="OBJECT")
    groups = objects.add_parser("groups", help="access groups (made in the designer)")
    group_actions = groups.add_subparsers(dest="groups_command", required=True, metavar="ACTION")
    group_actions.add_parser("list", help="every access group").set_defaults(run=_groups_list)
    add = group_actions.add_parser("add", help="add an access group")
    add.add_argument("--name", required=True)
    add.add_argument("--id", type=uuid.UUID, help="its id (default: a new one)")
    add.set_defaults(run=_groups_add)
    remove = group_actions.add_parser("remove", help="remove an access group and its memberships")
    remove.add_argument("id", type=uuid.UUID)
    remove.set_defaults(run=_groups_remove)


@contextmanager
def _unit_of_work(settings: Settings) -> Iterator[UnitOfWork]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.effective_database_url)
    try:
        prepare_database(store, settings)
        with store.unit_of_work() as uow:
            yield uow
    except DomainError as error:
        raise AccessCommandError(error.message) from error
    finally:
        store.dispose()


def _run(settings: Settings, action: Callable[[UnitOfWork], None]) -> int:
    with _unit_of_work(settings) as uow:
        action(uow)
    return 0


def _keys_create(args: argparse.Namespace, settings: Settings) -> int:
    with _unit_of_work(settings) as uow:
        key = uow.api_keys.create(args.name)
    print(key)
    return 0


def _keys_list(args: argparse.Namespace, settings: Settings) -> int:
    with _unit_of_work(settings) as uow:
        keys = uow.api_keys.list()
    print(f"{'NAME':<24} {'CREATED':<20} {'LAST USED':<20} REVOKED")
    for key in keys:
        print(
            f"{key.name:<24} {_when(key.created_at):<20} {_when(key.last_used_at):<20} "
            f"{_when(key.revoked_at)}"
        )
    return 0


def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    return _run(settings, lambda uow: uow.api_keys.revoke(args.name))


def _groups_list(args: argparse.Namespace, settings: Settings) -> int:
    with _unit_of_work(settings) as uow:
        groups = uow.accesscontrol.list_groups()
    for group in groups:
        print(f"{group.id}  {group.name}")
    return 0


def _groups_add(args: argparse.Namespace, settings: Settings) -> int:
    with _unit_of_work(settings) as uow:
        group = uow.accesscontrol.add_group(args.id or uuid.uuid4(), args.name)
    print(group.id)
    return 0


def _groups_remove(args: argparse.Namespace, settings: Settings) -> int:
    return _run(settings, lambda uow: uow.accesscontrol.remove_group(args.id))


def _when(value: Any) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")
