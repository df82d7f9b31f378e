"""Both TokenVerifiers against a live local authorization server: what each accepts,
and each way a token can be wrong."""

from __future__ import annotations

import asyncio
import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from mcp_foundry.runtime.http.auth import (
    IntrospectionVerifier,
    InvalidToken,
    JwtVerifier,
    TokenVerifier,
)
from mcp_foundry.testing.authorization_server import AuthorizationServer

from .support import READ, WRITE, jwt_verifier

pytestmark = pytest.mark.timeout(60)
RESOURCE = "http://127.0.0.1:9/mcp"


def _jwt(issuer: AuthorizationServer, **options: object) -> JwtVerifier:
    return jwt_verifier(issuer, RESOURCE, **options)


def _introspection(issuer: AuthorizationServer) -> IntrospectionVerifier:
    client = issuer.register(confidential=True)
    return IntrospectionVerifier(
        endpoint=f"{issuer.issuer}/introspect",
        audience=RESOURCE,
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        issuer=issuer.issuer,
    )


def _verify(verifier: TokenVerifier, token: str) -> object:
    return asyncio.run(verifier.verify(token))


def _refused(verifier: TokenVerifier, token: str) -> str:
    return asyncio.run(_reasons(verifier, {"one": token}))["one"]


async def _reasons(verifier: TokenVerifier, tokens: dict[str, str]) -> dict[str, str]:
    """Why each token is refused."""
    reasons = {}
    for name, token in tokens.items():
        with pytest.raises(InvalidToken) as caught:
            await verifier.verify(token)
        assert token not in str(caught.value)
        reasons[name] = caught.value.reason
    return reasons


@pytest.mark.parametrize("kind", ["jwt", "introspection"])
def test_a_good_token_yields_its_claims(issuer: AuthorizationServer, kind: str) -> None:
    verifier = _jwt(issuer) if kind == "jwt" else _introspection(issuer)
    token = issuer.mint(audience=RESOURCE, scope=f"{READ} {WRITE}", subject="ada", client_id="c1")
    access = _verify(verifier, token)
    assert (access.subject, access.client_id, access.scopes) == ("ada", "c1", {READ, WRITE})  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["jwt", "introspection"])
def test_bad_audience_expired_wrong_issuer_forged_are_refused(
    issuer: AuthorizationServer, kind: str
) -> None:
    verifier = _jwt(issuer) if kind == "jwt" else _introspection(issuer)
    forger = RSAKey.generate_key(2048, parameters={"kid": issuer.keys.keys[-1].kid})
    bad = {
        "audience": issuer.mint(audience="http://127.0.0.1:9/other", scope=READ),
        "expired": issuer.mint(audience=RESOURCE, scope=READ, lifetime_s=-120),
        "issuer": issuer.mint(audience=RESOURCE, scope=READ, issuer="http://127.0.0.1:1"),
        "forged": issuer.mint(audience=RESOURCE, scope=READ, key=forger),
    }
    reasons = {name: _refused(verifier, token) for name, token in bad.items()}
    if kind == "jwt":
        assert reasons == {
            "audience": "token not issued for this resource",
            "expired": "token expired",
            "issuer": "token from an untrusted issuer",
            "forged": "bad signature",
        }
    else:  # the AS vouches for none of the last three, and the first is not for us
        assert reasons["audience"] == "token not issued for this resource"
        assert {reasons["expired"], reasons["issuer"], reasons["forged"]} <= {
            "token inactive",
            "token expired",
        }


def test_leeway_on_exp_and_nbf(issuer: AuthorizationServer) -> None:
    verifier = _jwt(issuer, leeway_s=30)
    now = int(time.time())
    _verify(verifier, issuer.mint(audience=RESOURCE, lifetime_s=-10))
    _verify(verifier, issuer.mint(audience=RESOURCE, not_before=now + 10))
    future = issuer.mint(audience=RESOURCE, not_before=now + 600)
    assert _refused(verifier, future) == "token not yet valid"


def test_audience_list_and_canonical_forms(issuer: AuthorizationServer) -> None:
    verifier = _jwt(issuer)
    _verify(verifier, issuer.mint(audience=["http://other.example", RESOURCE]))
    _verify(verifier, issuer.mint(audience="HTTP://127.0.0.1:9/mcp/"))


def test_symmetric_and_unsigned_tokens_are_refused(issuer: AuthorizationServer) -> None:
    verifier = _jwt(issuer)
    claims = {"iss": issuer.issuer, "aud": RESOURCE, "exp": int(time.time()) + 60}
    hmac = jwt.encode({"alg": "HS256"}, claims, OctKey.generate_key(256))
    assert _refused(verifier, hmac) == "malformed token"
    unsigned = hmac.rsplit(".", 1)[0].split(".", 1)
    assert _refused(verifier, "eyJhbGciOiJub25lIn0." + unsigned[1] + ".") == "malformed token"


def test_keys_are_cached_and_refetched_for_a_new_kid(issuer: AuthorizationServer) -> None:
    verifier = _jwt(issuer, min_refresh_s=0)

    async def scenario() -> None:
        await verifier.verify(issuer.mint(audience=RESOURCE))
        issuer.rotate_key()
        access = await verifier.verify(issuer.mint(audience=RESOURCE, subject="after"))
        assert access.subject == "after"

    asyncio.run(scenario())


def test_refetches_are_rate_limited(issuer: AuthorizationServer) -> None:
    verifier = _jwt(issuer, min_refresh_s=3600)

    async def scenario() -> str:
        await verifier.verify(issuer.mint(audience=RESOURCE))
        issuer.rotate_key()
        with pytest.raises(InvalidToken) as caught:
            await verifier.verify(issuer.mint(audience=RESOURCE))
        return caught.value.reason

    assert asyncio.run(scenario()) == "unknown signing key"


def test_scopes_and_client_from_other_claim_spellings(issuer: AuthorizationServer) -> None:
    """``scp`` lists and an OIDC-style ``azp`` read as scopes and client id."""
    key = issuer.keys.keys[-1]
    claims = {
        "iss": issuer.issuer,
        "aud": RESOURCE,
        "sub": "ada",
        "azp": "web-app",
        "scp": [READ, WRITE],
        "exp": int(time.time()) + 60,
    }
    token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
    access = _verify(_jwt(issuer), token)
    assert (access.client_id, access.scopes) == ("web-app", {READ, WRITE})  # type: ignore[attr-defined]
