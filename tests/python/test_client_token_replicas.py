"""GetClientToken and user pool replicas, through boto3.

GetClientToken is the client_credentials grant as an API operation ("GetClientToken provides
the same functionality as the OAuth2 client-credentials grant", CLI reference) for an app client
with a secret whose only ExplicitAuthFlow is ALLOW_CLIENT_TOKEN_AUTH. Its answer is a
ClientAuthenticationResult (AccessToken, ExpiresIn, TokenType "Bearer") and no ID or refresh
token; the access token verifies against the pool's published keys (PyJWT).

Replicas (multi-Region replication): a pool encrypted with a customer managed key may have one
secondary in another Region, with the same pool id. A new replica is CREATING and settles to
INACTIVE; UpdateUserPoolReplica makes it ACTIVE or INACTIVE; only an INACTIVE one may be deleted,
and only from the primary's Region. ListUserPoolReplicas lists the PRIMARY first.

Facts and sources: docs/research/newest-operations.md §5 and §9.1. No test moves cognate's clock.
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore.exceptions
import jwt
import pytest

API = "my-m2m-api"
SCOPES = [{"ScopeName": "read", "ScopeDescription": "Reads"}, {"ScopeName": "write", "ScopeDescription": "Writes"}]
ALLOWED = [f"{API}/read", f"{API}/write"]
CMK = {"KeyType": "CUSTOMER_MANAGED_KEY",
       "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"}
WRONG_SECRET = "x" * 40  # long enough for botocore's ClientSecretType (24..64)


# ---------------------------------------------------------------------------------------------
# Helpers


def error_of(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def token_request(cognate_url, form, basic=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
    req = urllib.request.Request(f"{cognate_url}/oauth2/token", data=urllib.parse.urlencode(form).encode(),
                                 headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def verified(cognate_url, pool, token):
    """The token's claims, checked against the pool's JWKS and issuer."""
    config = json.load(urllib.request.urlopen(f"{cognate_url}/{pool}/.well-known/openid-configuration"))
    assert config["jwks_uri"] == f"{cognate_url}/{pool}/.well-known/jwks.json"
    key = jwt.PyJWKClient(f"{cognate_url}/{pool}/.well-known/jwks.json").get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["RS256"], issuer=config["issuer"])


def unverified(token):
    return jwt.decode(token, options={"verify_signature": False})


def m2m_pool(idp, name="m2m", **pool_settings):
    pool = idp.create_user_pool(PoolName=name, **pool_settings)["UserPool"]["Id"]
    idp.create_resource_server(UserPoolId=pool, Identifier=API, Name="M2M API", Scopes=SCOPES)
    return pool


def token_client(idp, pool, **extra):
    """AWS's example machine client (cfn_template.yaml, §9.1): a secret, ALLOW_CLIENT_TOKEN_AUTH
    as its only flow, and the client_credentials grant with the API's two scopes."""
    settings = {"GenerateSecret": True, "ExplicitAuthFlows": ["ALLOW_CLIENT_TOKEN_AUTH"],
                "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": True,
                "AllowedOAuthScopes": ALLOWED, **extra}
    return idp.create_user_pool_client(UserPoolId=pool, ClientName="machine", **settings)["UserPoolClient"]


# ---------------------------------------------------------------------------------------------
# GetClientToken


def test_a_client_token_only_client_is_accepted(idp):
    pool = m2m_pool(idp)
    client = token_client(idp, pool)
    assert client["ExplicitAuthFlows"] == ["ALLOW_CLIENT_TOKEN_AUTH"], "no ALLOW_REFRESH_TOKEN_AUTH needed"
    described = idp.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])["UserPoolClient"]
    assert described["ExplicitAuthFlows"] == ["ALLOW_CLIENT_TOKEN_AUTH"]
    assert described["AllowedOAuthScopes"] == ALLOWED


def test_get_client_token_issues_a_verifiable_access_token(idp, cognate_url):
    pool = m2m_pool(idp)
    client = token_client(idp, pool)
    answer = idp.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"])
    result = answer["ClientAuthenticationResult"]
    assert set(result) == {"AccessToken", "ExpiresIn", "TokenType"}, "no ID or refresh token"
    assert (result["ExpiresIn"], result["TokenType"]) == (3600, "Bearer")

    claims = verified(cognate_url, pool, result["AccessToken"])
    assert claims["sub"] == claims["client_id"] == client["ClientId"]
    assert (claims["token_use"], claims["version"]) == ("access", 2)
    assert claims["scope"] == "my-m2m-api/read my-m2m-api/write"
    assert "username" not in claims
    assert claims["exp"] - claims["iat"] == 3600

    # The same claims (by name) as the token endpoint's client_credentials token for this client.
    status, body = token_request(cognate_url, {"grant_type": "client_credentials"},
                                 (client["ClientId"], client["ClientSecret"]))
    assert status == 200, body
    endpoint_claims = verified(cognate_url, pool, body["access_token"])
    assert set(claims) == set(endpoint_claims)
    assert endpoint_claims["scope"] == claims["scope"]


def test_get_client_token_lasts_the_clients_access_token_validity(idp):
    pool = m2m_pool(idp)
    client = token_client(idp, pool, AccessTokenValidity=2, TokenValidityUnits={"AccessToken": "hours"})
    result = idp.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"])[
        "ClientAuthenticationResult"]
    assert result["ExpiresIn"] == 7200
    claims = unverified(result["AccessToken"])
    assert claims["exp"] - claims["iat"] == 7200


def test_get_client_token_grants_the_scopes_asked_for(idp):
    pool = m2m_pool(idp)
    client = token_client(idp, pool)
    ask = lambda scopes: idp.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"],
                                              Scopes=scopes)
    token = ask([f"{API}/read"])["ClientAuthenticationResult"]["AccessToken"]
    assert unverified(token)["scope"] == "my-m2m-api/read"
    token = ask([f"{API}/write", f"{API}/read"])["ClientAuthenticationResult"]["AccessToken"]
    assert set(unverified(token)["scope"].split()) == set(ALLOWED)

    code, _ = error_of(lambda: ask([f"{API}/delete"]))
    assert code == "InvalidParameterException"
    code, _ = error_of(lambda: ask([f"{API}/read", "other-api/read"]))
    assert code == "InvalidParameterException"


def test_get_client_token_refuses_a_wrong_secret_and_accepts_a_rotated_one(idp, cognate_url):
    pool = m2m_pool(idp)
    client = token_client(idp, pool)
    code, _ = error_of(lambda: idp.get_client_token(ClientId=client["ClientId"], Secret=WRONG_SECRET))
    assert code == "NotAuthorizedException"

    added = idp.add_user_pool_client_secret(UserPoolId=pool, ClientId=client["ClientId"])["ClientSecretDescriptor"]
    new = added["ClientSecretValue"]
    assert new != client["ClientSecret"]
    for secret in [client["ClientSecret"], new]:
        result = idp.get_client_token(ClientId=client["ClientId"], Secret=secret)["ClientAuthenticationResult"]
        assert verified(cognate_url, pool, result["AccessToken"])["client_id"] == client["ClientId"]


def test_get_client_token_needs_the_client_token_flow(idp):
    pool = m2m_pool(idp)
    user_flows = token_client(idp, pool, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    code, _ = error_of(lambda: idp.get_client_token(ClientId=user_flows["ClientId"],
                                                    Secret=user_flows["ClientSecret"]))
    assert code == "NotAuthorizedException"
    settings = {"GenerateSecret": True, "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthScopes": ALLOWED}
    no_flows = idp.create_user_pool_client(UserPoolId=pool, ClientName="no-flows", **settings)["UserPoolClient"]
    code, _ = error_of(lambda: idp.get_client_token(ClientId=no_flows["ClientId"], Secret=no_flows["ClientSecret"]))
    assert code == "NotAuthorizedException"


def test_client_token_auth_must_be_the_only_flow(idp):
    pool = m2m_pool(idp)
    flows = ["ALLOW_CLIENT_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    code, _ = error_of(lambda: token_client(idp, pool, ExplicitAuthFlows=flows))
    assert code == "InvalidParameterException"
    listed = idp.list_user_pool_clients(UserPoolId=pool, MaxResults=10)["UserPoolClients"]
    assert listed == [], "the refused client was not made"


def test_get_client_token_for_an_unknown_client(idp):
    code, _ = error_of(lambda: idp.get_client_token(ClientId="nosuchclient1234567890", Secret=WRONG_SECRET))
    assert code == "ResourceNotFoundException"


def test_get_client_token_passes_client_metadata_to_a_version_3_trigger(idp):
    """The handler (handlers/pre_token_m2m.py) copies what the event carries into claims."""
    arn = "arn:aws:lambda:us-east-1:000000000000:function:preTokenM2m"
    pool = m2m_pool(idp, name="m2m-trigger", LambdaConfig={
        "PreTokenGenerationConfig": {"LambdaVersion": "V3_0", "LambdaArn": arn}})
    client = token_client(idp, pool)
    result = idp.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"],
                                  ClientMetadata={"tenant": "acme"})["ClientAuthenticationResult"]
    claims = unverified(result["AccessToken"])
    assert (claims["caller"], claims["tenant"], claims["event_version"]) == (client["ClientId"], "acme", "3")
    assert claims["event_user"] == "ClientCredentials"
    assert claims["seen_scopes"] == "my-m2m-api/read my-m2m-api/write"
    assert (claims["sub"], claims["version"]) == (client["ClientId"], 2), "protected claims stay"

    # Without ClientMetadata the trigger sees none.
    result = idp.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"])[
        "ClientAuthenticationResult"]
    assert unverified(result["AccessToken"])["tenant"] == "none"


# ---------------------------------------------------------------------------------------------
# Replicas


def cmk_pool(idp, name="replicated", **extra):
    return idp.create_user_pool(PoolName=name, KeyConfiguration=CMK, **extra)["UserPool"]


def replica_arn(pool, region):
    return pool["Arn"].replace(":us-east-1:", f":{region}:")


def all_pools(idp):
    pages = idp.get_paginator("list_user_pools").paginate(MaxResults=60)
    return [p for page in pages for p in page["UserPools"]]


def test_create_user_pool_keeps_its_key_configuration(idp):
    made = cmk_pool(idp)
    assert made.get("KeyConfiguration") == CMK, made.get("KeyConfiguration")
    described = idp.describe_user_pool(UserPoolId=made["Id"])["UserPool"]
    assert described.get("KeyConfiguration") == CMK, described.get("KeyConfiguration")


def test_a_replica_is_created_and_listed(idp):
    pool = cmk_pool(idp)
    other = idp.create_user_pool(PoolName="plain")["UserPool"]
    made = idp.create_user_pool_replica(UserPoolId=pool["Id"], RegionName="us-west-2")["UserPoolReplica"]
    assert made == {"RegionName": "us-west-2", "Status": "CREATING", "Role": "SECONDARY",
                    "UserPoolArn": replica_arn(pool, "us-west-2")}
    assert made["UserPoolArn"].endswith(f":userpool/{pool['Id']}")
    assert ":us-west-2:" in made["UserPoolArn"]

    listed = idp.list_user_pool_replicas(UserPoolId=pool["Id"])["UserPoolReplicas"]
    assert listed == [
        {"RegionName": "us-east-1", "Status": "ACTIVE", "Role": "PRIMARY", "UserPoolArn": pool["Arn"]},
        {"RegionName": "us-west-2", "Status": "INACTIVE", "Role": "SECONDARY",
         "UserPoolArn": replica_arn(pool, "us-west-2")},
    ]

    pools = {p["Id"]: p for p in all_pools(idp)}
    assert pools[pool["Id"]]["ReplicaRegions"] == ["us-west-2"]
    assert pools[other["Id"]].get("ReplicaRegions", []) == []
    assert all(p.get("ReplicaRegions", []) == [] for i, p in pools.items() if i != pool["Id"])


def test_a_pool_without_replicas_lists_only_its_primary(idp):
    pool = cmk_pool(idp)
    listed = idp.list_user_pool_replicas(UserPoolId=pool["Id"])["UserPoolReplicas"]
    assert listed == [{"RegionName": "us-east-1", "Status": "ACTIVE", "Role": "PRIMARY", "UserPoolArn": pool["Arn"]}]


def test_replica_creation_refusals(idp):
    pool = cmk_pool(idp)
    idp.create_user_pool_replica(UserPoolId=pool["Id"], RegionName="us-west-2")
    code, _ = error_of(lambda: idp.create_user_pool_replica(UserPoolId=pool["Id"], RegionName="eu-west-1"))
    assert code == "LimitExceededException"

    fresh = cmk_pool(idp, name="same-region")
    code, _ = error_of(lambda: idp.create_user_pool_replica(UserPoolId=fresh["Id"], RegionName="us-east-1"))
    assert code == "InvalidParameterException"

    plain = idp.create_user_pool(PoolName="no-cmk")["UserPool"]
    code, _ = error_of(lambda: idp.create_user_pool_replica(UserPoolId=plain["Id"], RegionName="us-west-2"))
    assert code == "InvalidParameterException"

    lite = cmk_pool(idp, name="lite", UserPoolTier="LITE")
    code, _ = error_of(lambda: idp.create_user_pool_replica(UserPoolId=lite["Id"], RegionName="us-west-2"))
    assert code == "FeatureUnavailableInTierException"

    code, _ = error_of(lambda: idp.create_user_pool_replica(UserPoolId="us-east-1_nopool000", RegionName="us-west-2"))
    assert code == "ResourceNotFoundException"

    # Only the first replica was made.
    for p in [fresh, plain, lite]:
        assert [r["Role"] for r in idp.list_user_pool_replicas(UserPoolId=p["Id"])["UserPoolReplicas"]] == ["PRIMARY"]
    assert [r["RegionName"] for r in idp.list_user_pool_replicas(UserPoolId=pool["Id"])["UserPoolReplicas"]] == \
        ["us-east-1", "us-west-2"]


def test_a_replica_is_activated_deactivated_and_deleted(idp):
    pool = cmk_pool(idp)
    idp.create_user_pool_replica(UserPoolId=pool["Id"], RegionName="us-west-2")
    update = lambda status: idp.update_user_pool_replica(UserPoolId=pool["Id"], RegionName="us-west-2",
                                                         Status=status)["UserPoolReplica"]
    delete = lambda: idp.delete_user_pool_replica(UserPoolId=pool["Id"], RegionName="us-west-2")["UserPoolReplica"]

    active = update("ACTIVE")
    assert active == {"RegionName": "us-west-2", "Status": "ACTIVE", "Role": "SECONDARY",
                      "UserPoolArn": replica_arn(pool, "us-west-2")}
    assert idp.list_user_pool_replicas(UserPoolId=pool["Id"])["UserPoolReplicas"][1]["Status"] == "ACTIVE"

    code, _ = error_of(delete)
    assert code == "InvalidParameterException"
    assert len(idp.list_user_pool_replicas(UserPoolId=pool["Id"])["UserPoolReplicas"]) == 2, "still there"

    assert update("INACTIVE")["Status"] == "INACTIVE"
    deleted = delete()
    assert deleted == {"RegionName": "us-west-2", "Status": "DELETING", "Role": "SECONDARY",
                       "UserPoolArn": replica_arn(pool, "us-west-2")}
    listed = idp.list_user_pool_replicas(UserPoolId=pool["Id"])["UserPoolReplicas"]
    assert [(r["RegionName"], r["Role"]) for r in listed] == [("us-east-1", "PRIMARY")]
    pools = {p["Id"]: p for p in all_pools(idp)}
    assert pools[pool["Id"]].get("ReplicaRegions", []) == []

    # A new replica may be made once the old one is gone.
    again = idp.create_user_pool_replica(UserPoolId=pool["Id"], RegionName="eu-west-1")["UserPoolReplica"]
    assert (again["RegionName"], again["Status"]) == ("eu-west-1", "CREATING")


def test_update_and_delete_of_a_region_with_no_replica(idp):
    pool = cmk_pool(idp)
    code, _ = error_of(lambda: idp.update_user_pool_replica(UserPoolId=pool["Id"], RegionName="us-west-2",
                                                            Status="ACTIVE"))
    assert code == "ResourceNotFoundException"
    code, _ = error_of(lambda: idp.delete_user_pool_replica(UserPoolId=pool["Id"], RegionName="us-west-2"))
    assert code == "ResourceNotFoundException"
    idp.create_user_pool_replica(UserPoolId=pool["Id"], RegionName="us-west-2")
    code, _ = error_of(lambda: idp.update_user_pool_replica(UserPoolId=pool["Id"], RegionName="eu-west-1",
                                                            Status="INACTIVE"))
    assert code == "ResourceNotFoundException"
    code, _ = error_of(lambda: idp.delete_user_pool_replica(UserPoolId=pool["Id"], RegionName="eu-west-1"))
    assert code == "ResourceNotFoundException"


def test_a_replica_is_deleted_only_from_the_primary_region(idp):
    pool = cmk_pool(idp)
    idp.create_user_pool_replica(UserPoolId=pool["Id"], RegionName="us-west-2")
    assert idp.list_user_pool_replicas(UserPoolId=pool["Id"])["UserPoolReplicas"][1]["Status"] == "INACTIVE"
    west = boto3.client("cognito-idp", region_name="us-west-2")
    code, _ = error_of(lambda: west.delete_user_pool_replica(UserPoolId=pool["Id"], RegionName="us-west-2"))
    assert code == "InvalidParameterException"
    listed = idp.list_user_pool_replicas(UserPoolId=pool["Id"])["UserPoolReplicas"]
    assert [(r["RegionName"], r["Status"]) for r in listed] == [("us-east-1", "ACTIVE"), ("us-west-2", "INACTIVE")]
    # From the primary's Region it goes.
    assert idp.delete_user_pool_replica(UserPoolId=pool["Id"], RegionName="us-west-2")["UserPoolReplica"][
        "Status"] == "DELETING"
