"""Behind a balancer, a legacy session belongs to the token that opened it on every
instance, not only on the one where it was created: another user's token gets
404 wherever its request lands, before and after the owner's requests made replicas."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from legacy_support import Cluster, call, in_process_cluster, messages, open_session, post
from mcp_foundry.runtime.http.auth import JwtVerifier, ResourceServerAuth
from mcp_foundry.testing.authorization_server import AuthorizationServer, running

SCOPE = "echo:use"


@pytest.fixture(scope="module")
def issuer() -> Iterator[AuthorizationServer]:
    with running([SCOPE]) as server:
        yield server


@pytest.fixture(scope="module")
def cluster(issuer: AuthorizationServer) -> Iterator[Cluster]:
    def protect(url: str) -> ResourceServerAuth:
        verifier = JwtVerifier(issuer=issuer.issuer, audience=url, jwks_uri=f"{issuer.issuer}/jwks")
        return ResourceServerAuth.of(
            resource=url,
            authorization_servers=[issuer.issuer],
            verifier=verifier,
            required_scopes=[SCOPE],
        )

    with in_process_cluster(3, auth=protect) as running_cluster:
        yield running_cluster


def client(issuer: AuthorizationServer, cluster: Cluster, subject: str) -> httpx.Client:
    token = issuer.mint(audience=cluster.url, scope=SCOPE, subject=subject)
    return httpx.Client(headers={"authorization": f"Bearer {token}"}, timeout=10)


def test_a_session_refuses_another_users_token_on_every_instance(
    issuer: AuthorizationServer, cluster: Cluster
) -> None:
    with client(issuer, cluster, "alice") as alice, client(issuer, cluster, "mallory") as mallory:
        session = open_session(alice, cluster.instances[0])
        for url in cluster.instances:  # no replica yet on the other two
            refused = post(mallory, url, call("echo", {"text": "x"}), session)
            assert refused.status_code == 404, (url, refused.text)
        for url in cluster.instances:  # the owner's requests make replicas
            answered = post(alice, url, call("echo", {"text": "mine"}), session)
            assert answered.status_code == 200, answered.text
            assert messages(answered)[-1]["result"]["content"][0]["text"] == "mine"
        for url in cluster.instances:  # a live replica is no way in either
            refused = post(mallory, url, call("echo", {"text": "x"}), session)
            assert refused.status_code == 404, (url, refused.text)
            assert "mine" not in refused.text
        for url in cluster.instances:  # nor can another's token end it
            assert mallory.delete(url, headers={"mcp-session-id": session}).status_code == 404
        still = post(alice, cluster.instances[2], call("echo", {"text": "still"}), session)
        assert still.status_code == 200, still.text
        assert (
            alice.delete(cluster.instances[1], headers={"mcp-session-id": session}).status_code
            == 200
        )
