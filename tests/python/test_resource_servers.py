"""Resource servers and machine-to-machine tokens, through boto3 and the token endpoint: a
client with a secret asks /oauth2/token for client_credentials and gets an access token whose
scopes are the resource server's, verified with the pool's published keys (PyJWT)."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

import botocore.exceptions
import jwt
import pytest

SCOPES = [{"ScopeName": "read", "ScopeDescription": "Reads"}, {"ScopeName": "write", "ScopeDescription": "Writes"}]


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


def error_of(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_resource_servers_are_created_listed_updated_and_deleted(idp):
    pool = idp.create_user_pool(PoolName="rs")["UserPool"]["Id"]
    made = idp.create_resource_server(UserPoolId=pool, Identifier="https://api.example.com", Name="API", Scopes=SCOPES)
    assert made["ResourceServer"] == {"UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "API",
                                      "Scopes": SCOPES}
    assert error_of(lambda: idp.create_resource_server(UserPoolId=pool, Identifier="https://api.example.com",
                                                       Name="again"))[0] == "InvalidParameterException"
    bare = idp.create_resource_server(UserPoolId=pool, Identifier="billing", Name="Billing")["ResourceServer"]
    assert bare["Scopes"] == []
    described = idp.describe_resource_server(UserPoolId=pool, Identifier="billing")["ResourceServer"]
    assert described == bare

    pages = idp.get_paginator("list_resource_servers").paginate(UserPoolId=pool, MaxResults=1)
    listed = [s["Identifier"] for page in pages for s in page["ResourceServers"]]
    assert listed == ["billing", "https://api.example.com"]

    updated = idp.update_resource_server(UserPoolId=pool, Identifier="billing", Name="Bills",
                                         Scopes=SCOPES[:1])["ResourceServer"]
    assert (updated["Name"], updated["Scopes"]) == ("Bills", SCOPES[:1])
    idp.delete_resource_server(UserPoolId=pool, Identifier="billing")
    code, _ = error_of(lambda: idp.describe_resource_server(UserPoolId=pool, Identifier="billing"))
    assert code == "ResourceNotFoundException"
    code, _ = error_of(lambda: idp.delete_resource_server(UserPoolId=pool, Identifier="billing"))
    assert code == "ResourceNotFoundException"
    code, message = error_of(lambda: idp.list_resource_servers(UserPoolId="us-east-1_nopool", MaxResults=5))
    assert (code, message) == ("ResourceNotFoundException", "User pool us-east-1_nopool does not exist.")


def machine_client(idp, pool, **extra):
    settings = {"GenerateSecret": True, "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthScopes": ["https://api.example.com/read", "https://api.example.com/write"],
                "AllowedOAuthFlowsUserPoolClient": True, **extra}
    return idp.create_user_pool_client(UserPoolId=pool, ClientName="machine", **settings)["UserPoolClient"]


def test_a_client_may_only_be_allowed_scopes_that_exist(idp):
    pool = idp.create_user_pool(PoolName="scopes")["UserPool"]["Id"]
    for scope in ["https://api.example.com/read", "Cognito"]:
        code, message = error_of(lambda: machine_client(idp, pool, AllowedOAuthScopes=[scope]))
        assert (code, message) == ("ScopeDoesNotExistException", f"Invalid scope requested: {scope}")
    idp.create_resource_server(UserPoolId=pool, Identifier="https://api.example.com", Name="API", Scopes=SCOPES)
    made = machine_client(idp, pool, AllowedOAuthScopes=["https://api.example.com/read", "openid"])
    assert made["AllowedOAuthScopes"] == ["https://api.example.com/read", "openid"]


def test_client_credentials_issue_an_access_token_for_the_client(idp, cognate_url):
    pool = idp.create_user_pool(PoolName="m2m")["UserPool"]["Id"]
    idp.create_resource_server(UserPoolId=pool, Identifier="https://api.example.com", Name="API", Scopes=SCOPES)
    client = machine_client(idp, pool)
    basic = (client["ClientId"], client["ClientSecret"])

    status, body = token_request(cognate_url, {"grant_type": "client_credentials"}, basic)
    assert status == 200, body
    assert set(body) == {"access_token", "token_type", "expires_in"}, "no ID or refresh token"
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    config = json.load(urllib.request.urlopen(f"{cognate_url}/{pool}/.well-known/openid-configuration"))
    key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(body["access_token"])
    claims = jwt.decode(body["access_token"], key.key, algorithms=["RS256"], issuer=config["issuer"])
    assert list(claims) == ["sub", "token_use", "scope", "auth_time", "iss", "exp", "iat", "version", "jti",
                            "client_id"]
    assert claims["sub"] == claims["client_id"] == client["ClientId"]
    assert (claims["token_use"], claims["version"]) == ("access", 2)
    assert claims["scope"] == "https://api.example.com/read https://api.example.com/write"

    # One scope asked for, with the secret in the form instead of a Basic header.
    status, body = token_request(cognate_url, {"grant_type": "client_credentials", "client_id": client["ClientId"],
                                               "client_secret": client["ClientSecret"],
                                               "scope": "https://api.example.com/read"})
    assert status == 200
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["scope"] == \
        "https://api.example.com/read"
    # A machine token is not a user's: the user operations refuse it.
    code, message = error_of(lambda: idp.get_user(AccessToken=body["access_token"]))
    assert (code, message) == ("NotAuthorizedException", "Access Token does not have required scopes")


def test_client_credentials_refusals(idp, cognate_url):
    pool = idp.create_user_pool(PoolName="m2m-refused")["UserPool"]["Id"]
    idp.create_resource_server(UserPoolId=pool, Identifier="https://api.example.com", Name="API", Scopes=SCOPES)
    client = machine_client(idp, pool)
    basic = (client["ClientId"], client["ClientSecret"])
    grant = {"grant_type": "client_credentials"}
    assert token_request(cognate_url, grant, (client["ClientId"], "wrong")) == (400, {"error": "invalid_client"})
    assert token_request(cognate_url, {**grant, "scope": "https://api.example.com/delete"}, basic) == \
        (400, {"error": "invalid_scope"})
    assert token_request(cognate_url, {"grant_type": "password"}, basic) == (400, {"error": "unsupported_grant_type"})
    public = idp.create_user_pool_client(UserPoolId=pool, ClientName="public")["UserPoolClient"]
    assert token_request(cognate_url, {**grant, "client_id": public["ClientId"]}) == (400, {"error": "invalid_client"})
    code_only = machine_client(idp, pool, AllowedOAuthFlows=["code"], CallbackURLs=["https://app.example.com/cb"])
    assert token_request(cognate_url, grant, (code_only["ClientId"], code_only["ClientSecret"])) == \
        (400, {"error": "unauthorized_client"})


def test_client_credentials_run_a_version_3_pre_token_generation_trigger(idp, cognate_url):
    """Only version 3 events reach machine tokens ("Version three event responses apply to
    access tokens from user authentication and machine authentication": pre token generation,
    developer guide), with triggerSource TokenGeneration_ClientCredentials, the scopes, and the
    token endpoint's aws_client_metadata (URL-encoded JSON; the event example on "The token
    endpoint" page)."""
    arn = "arn:aws:lambda:us-east-1:000000000000:function:preTokenM2m"
    results = {}
    for version in ["V2_0", "V3_0"]:
        pool = idp.create_user_pool(PoolName="m2m-trigger", LambdaConfig={
            "PreTokenGenerationConfig": {"LambdaVersion": version, "LambdaArn": arn}})["UserPool"]["Id"]
        idp.create_resource_server(UserPoolId=pool, Identifier="https://api.example.com", Name="API", Scopes=SCOPES)
        client = machine_client(idp, pool)
        status, body = token_request(cognate_url, {"grant_type": "client_credentials",
                                                   "aws_client_metadata": json.dumps({"tenant": "acme"})},
                                     (client["ClientId"], client["ClientSecret"]))
        assert status == 200, body
        results[version] = (client["ClientId"], jwt.decode(body["access_token"], options={"verify_signature": False}))

    client_id, v2 = results["V2_0"]
    assert "caller" not in v2, "a version 2 trigger does not see machine tokens"
    client_id, claims = results["V3_0"]
    assert (claims["caller"], claims["tenant"], claims["event_version"]) == (client_id, "acme", "3")
    assert claims["seen_scopes"] == "https://api.example.com/read https://api.example.com/write"
    assert claims["event_user"] == "ClientCredentials"
    assert (claims["sub"], claims["version"]) == (client_id, 2), "protected claims stay"
    assert claims["scope"] == "https://api.example.com/read https://api.example.com/extra"
