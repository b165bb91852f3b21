"""Operations of the tag MemberManagement: members of the caller's tenant."""

from __future__ import annotations

from typing import Any, cast

from handlers.dfs.call import dfs_call
from handlers.responses import JsonAnswer, json_ok
from store.dfs.members import MemberRecord, MemberSearch, SortField
from store.errors import Invalid

Json = dict[str, Any]

DEFAULT_PAGE_SIZE = 10
INT32_MAX = 2**31 - 1


def get_member(member_id: int, token_info: dict[str, Any]) -> JsonAnswer:
    _int32(member_id)
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        member = uow.dfs_members.get_member(tenant_id=caller.tenant_id, member_id=member_id)
    return json_ok(_member(member))


def search_members(body: Json, token_info: dict[str, Any]) -> JsonAnswer:
    _int32(body.get("Page") or 1, *(body.get("MemberIds") or ()))
    # Absent, null and 0 all mean the default, as the spec decides.
    search = MemberSearch(
        member_ids=body.get("MemberIds"),
        search_term=body.get("SearchTerm"),
        sort_by=cast(SortField, body.get("SortBy") or "LastName"),
        descending=body.get("SortOrder") == "Descending",
        page=body.get("Page") or 1,
        page_size=body.get("PageSize") or DEFAULT_PAGE_SIZE,
    )
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        found = uow.dfs_members.search_members(tenant_id=caller.tenant_id, search=search)
    return json_ok(
        {
            "Results": [_member(member) for member in found.members],
            "Page": found.page,
            "PageSize": found.page_size,
            "PageCount": found.page_count,
            "TotalCount": found.total_count,
        }
    )


def _int32(*numbers: int) -> None:
    # The spec's numbers are int32 (ASP.NET refuses a larger one), a bound the runtime's
    # validator leaves unchecked, and SQLite cannot even compare a number past 64 bits.
    if any(number > INT32_MAX for number in numbers):
        raise Invalid("A number of the request is out of range (int32).")


def _member(member: MemberRecord) -> Json:
    branch = member.bank_branch
    return {
        "MemberId": member.id,
        "IdentityId": str(member.identity_id),
        "FirstName": member.first_name,
        "LastName": member.last_name,
        "SalutationId": member.salutation_id,
        "Email": member.email,
        "Description": member.description,
        "Phone": member.phone,
        "Fax": member.fax,
        "Mobile": member.mobile,
        "ExternalId": member.external_id,
        # As stored, in its multilingual form: the spec keeps the vendor's samples.
        "BankBranch": None if branch is None else {"Id": branch.id, "Name": branch.name},
        "AssignedContactsCount": member.assigned_contacts_count,
        "HasProfilePicture": member.has_profile_picture,
    }
