"""The OAuth client's pure parts, each against the RFC text it implements."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import anyio
import pytest
from joserfc import jwt
from joserfc.errors import UnsupportedAlgorithmError
from joserfc.jwk import ECKey, OKPKey, RSAKey
from joserfc.jws import extract_compact
from mcp_foundry.runtime.http.oauth.challenge import merged, parse
from mcp_foundry.runtime.http.oauth.client_auth import (
    ASSERTION_TYPE,
    ClientInfo,
    authenticate,
    pick_method,
)
from mcp_foundry.runtime.http.oauth.dpop import DpopKey
from mcp_foundry.runtime.http.oauth.errors import AuthorizationError
from mcp_foundry.runtime.http.oauth.grants import check_issuer
from mcp_foundry.runtime.http.oauth.pkce import Pkce
from mcp_foundry.runtime.http.oauth.storage import FileTokenStore
from mcp_foundry.runtime.http.oauth.urls import as_metadata_urls, prm_urls, resource_covers


def test_challenges_with_quoted_params_and_several_schemes() -> None:
    found = parse(
        [
            'Bearer error="insufficient_scope", scope="a b", '
            'resource_metadata="https://x.test/.well-known/oauth-protected-resource/mcp", '
            'error_description="say \\"hi\\", twice"',
            'DPoP algs="ES256", error=use_dpop_nonce',
        ]
    )
    assert [c.scheme for c in found] == ["bearer", "dpop"]
    assert found[0].scope == ["a", "b"] and found[0].error == "insufficient_scope"
    assert found[0].params["error_description"] == 'say "hi", twice'
    assert found[1].error == "use_dpop_nonce"
    assert merged(found, "dpop").error == "use_dpop_nonce"
    assert merged(found, "bearer").error == "insufficient_scope"


def test_protected_resource_metadata_order() -> None:
    assert prm_urls("https://x.test/api/mcp", "https://x.test/custom.json") == [
        "https://x.test/custom.json",
        "https://x.test/.well-known/oauth-protected-resource/api/mcp",
        "https://x.test/.well-known/oauth-protected-resource",
    ]
    assert prm_urls("https://x.test", None) == [
        "https://x.test/.well-known/oauth-protected-resource"
    ]


def test_authorization_server_metadata_order() -> None:
    assert as_metadata_urls("https://a.test/tenant1") == [
        "https://a.test/.well-known/oauth-authorization-server/tenant1",
        "https://a.test/.well-known/openid-configuration/tenant1",
        "https://a.test/tenant1/.well-known/openid-configuration",
    ]
    assert as_metadata_urls("https://a.test") == [
        "https://a.test/.well-known/oauth-authorization-server",
        "https://a.test/.well-known/openid-configuration",
    ]


@pytest.mark.parametrize(
    ("resource", "server", "covers"),
    [
        ("https://x.test/mcp", "https://x.test/mcp", True),
        ("https://X.test:443/mcp/", "https://x.test/mcp", True),
        ("https://x.test", "https://x.test/mcp", True),
        ("https://x.test/mcp", "https://x.test/mcp2", False),
        ("https://evil.test/mcp", "https://x.test/mcp", False),
        ("http://x.test/mcp", "https://x.test/mcp", False),
    ],
)
def test_resource_check(resource: str, server: str, covers: bool) -> None:
    assert resource_covers(resource, server) is covers


def test_pkce_challenge_is_the_s256_of_the_verifier() -> None:
    pkce = Pkce.new()
    assert 43 <= len(pkce.verifier) <= 128
    digest = base64.urlsafe_b64encode(hashlib.sha256(pkce.verifier.encode()).digest())
    assert pkce.challenge == digest.rstrip(b"=").decode()


def test_issuer_check_follows_rfc_9207() -> None:
    check_issuer({"iss": "https://a.test"}, "https://a.test", True)
    check_issuer({}, "https://a.test", False)
    for params, advertised in (({}, True), ({"iss": "https://a.test/"}, False)):
        with pytest.raises(AuthorizationError):
            check_issuer(params, "https://a.test", advertised)


def test_client_secret_basic_form_encodes_before_base64() -> None:
    form: dict[str, str] = {}
    headers: dict[str, str] = {}
    authenticate(ClientInfo("id:1", "s e", "client_secret_basic"), form, headers, "https://a")
    assert base64.b64decode(headers["authorization"].split()[1]) == b"id%3A1:s%20e"
    assert form == {}
    assert pick_method("s", ["client_secret_post", "none"]) == "client_secret_post"
    assert pick_method(None, ["client_secret_basic"]) == "none"


@pytest.mark.parametrize(
    ("algorithm", "key"),
    [
        ("ES256", ECKey.generate_key("P-256")),
        ("RS256", RSAKey.generate_key(2048)),
        ("PS256", RSAKey.generate_key(2048)),
        ("EdDSA", OKPKey.generate_key("Ed25519")),
    ],
)
@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_private_key_jwt_assertion_is_signed_with_the_pem_key(
    algorithm: str, key: ECKey | RSAKey | OKPKey
) -> None:
    form: dict[str, str] = {}
    pem = key.as_pem(private=True).decode()
    client = ClientInfo("c1", None, "private_key_jwt", None, pem, algorithm)
    authenticate(client, form, {}, "https://as")
    assert form["client_assertion_type"] == ASSERTION_TYPE and "client_id" not in form
    token = jwt.decode(form["client_assertion"], key, algorithms=[algorithm])
    assert token.header == {"typ": "JWT", "alg": algorithm}
    claims = token.claims
    assert claims["iss"] == claims["sub"] == "c1" and claims["aud"] == "https://as"
    assert claims["exp"] - claims["iat"] == 300 and claims["jti"]


@pytest.mark.parametrize("algorithm", ["none", "HS256", "XX256"])
def test_private_key_jwt_refuses_algorithms_without_a_private_key(algorithm: str) -> None:
    pem = ECKey.generate_key("P-256").as_pem(private=True).decode()
    client = ClientInfo("c1", None, "private_key_jwt", None, pem, algorithm)
    with pytest.raises(UnsupportedAlgorithmError):
        authenticate(client, {}, {}, "https://as")
    with pytest.raises(AuthorizationError):
        authenticate(ClientInfo("c1", auth_method="private_key_jwt"), {}, {}, "https://as")


def test_dpop_proof_is_signed_by_its_public_jwk() -> None:
    key = DpopKey()
    proof = key.proof("post", "https://r.test/mcp?x=1#f", nonce="n1", access_token="tok")
    header = extract_compact(proof.encode()).headers()
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256" and "d" not in header["jwk"]
    assert sorted(header["jwk"]) == ["crv", "kty", "x", "y"]
    public = ECKey.import_key(header["jwk"])
    claims = jwt.decode(proof, public, algorithms=["ES256"]).claims
    assert claims["htm"] == "POST" and claims["htu"] == "https://r.test/mcp"
    assert claims["nonce"] == "n1"
    expected = base64.urlsafe_b64encode(hashlib.sha256(b"tok").digest()).rstrip(b"=").decode()
    assert claims["ath"] == expected
    assert key.proof("GET", "https://r.test/mcp") != key.proof("GET", "https://r.test/mcp")


def test_file_store_round_trip(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "nested" / "store.json")

    async def use() -> None:
        await store.save("tokens a", {"access_token": "x"})
        await store.save("client b", {"client_id": "c"})
        await store.save("tokens a", None)
        assert await store.load("tokens a") is None
        assert await store.load("client b") == {"client_id": "c"}

    anyio.run(use)
    assert json.loads(store.path.read_text()) == {"client b": {"client_id": "c"}}
