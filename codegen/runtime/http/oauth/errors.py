"""The one error an authorization failure raises.

It subclasses :class:`httpx.HTTPError` because it is raised inside the HTTP client's
auth flow: the transports already turn HTTP errors into a failed request, so a refused
authorization fails the call that needed it instead of tearing the connection down.
Messages never carry tokens, secrets or codes.
"""

from __future__ import annotations

import httpx


class AuthorizationError(httpx.HTTPError):
    """Authorization could not be completed (discovery, registration, grant, checks)."""
