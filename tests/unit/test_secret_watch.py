"""The watch that keeps secrets out of the logs finds them where they would be."""

from __future__ import annotations

import logging

from tests.support.accesscontrol import DEMO_KEY
from tests.support.secret_watch import leaks, seed_secrets, watching_logs


def test_the_seed_secrets_are_known() -> None:
    secrets = seed_secrets()
    assert DEMO_KEY in secrets  # an API key
    assert "CustomClient_Secret_123" in secrets  # a client secret
    assert "AnsysAdmin-Demo-1" in secrets  # a password
    assert "RMember" not in secrets  # an access policy's key, a name


def test_a_secret_a_server_logs_is_found_and_a_clients_is_not() -> None:
    # Not told to the run's own watch (used_secret): this line is logged on purpose.
    made = "pat-eyJhbGciOiJSUzI1NiJ9.made-by-a-test"
    with watching_logs() as lines:
        logging.getLogger("specserve.access").info("GET /Account?token=%s 200", made)
        logging.getLogger("specserve.access").info("GET /Roles 200")
        logging.getLogger("httpx").warning("HTTP Request: GET /?api_key=%s", DEMO_KEY)
    found = leaks(lines, {made, DEMO_KEY})
    assert [secret for secret, _ in found] == [made]
