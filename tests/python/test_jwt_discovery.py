"""PyJWT verifies cognate's tokens the way an application would: issuer from the token, keys
from the JWKS the issuer's discovery document names."""

import json
import urllib.request

import boto3
import jwt
import pytest

POOL = "us-east-1_TestPoolId"
CLIENT = "testclientid"


def sign_in():
    idp = boto3.client("cognito-idp", region_name="us-east-1")
    return idp.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "testuser@example.com", "PASSWORD": "TestPass123!"},
        ClientId=CLIENT,
    )["AuthenticationResult"]


def discover(issuer):
    with urllib.request.urlopen(issuer + "/.well-known/openid-configuration") as resp:
        return json.load(resp)


def test_tokens_verify_through_discovery(cognate_url):
    tokens = sign_in()
    issuer = jwt.decode(tokens["IdToken"], options={"verify_signature": False})["iss"]
    assert issuer == f"{cognate_url}/{POOL}"
    config = discover(issuer)
    assert config["issuer"] == issuer
    keys = jwt.PyJWKClient(config["jwks_uri"])

    id_claims = jwt.decode(
        tokens["IdToken"], keys.get_signing_key_from_jwt(tokens["IdToken"]).key,
        algorithms=["RS256"], audience=CLIENT, issuer=issuer,
    )
    assert id_claims["token_use"] == "id"
    assert id_claims["email"] == "testuser@example.com"
    assert id_claims["email_verified"] is True

    # Access tokens have no aud; the client is in client_id.
    access_claims = jwt.decode(
        tokens["AccessToken"], keys.get_signing_key_from_jwt(tokens["AccessToken"]).key,
        algorithms=["RS256"], issuer=issuer, options={"verify_aud": False},
    )
    assert access_claims["token_use"] == "access"
    assert access_claims["client_id"] == CLIENT
    assert access_claims["scope"] == "aws.cognito.signin.user.admin"


def test_a_tampered_token_fails_verification(cognate_url):
    token = sign_in()["IdToken"]
    header, payload, signature = token.split(".")
    forged = jwt.utils.base64url_encode(
        json.dumps({**jwt.decode(token, options={"verify_signature": False}), "email": "evil@example.com"}).encode()
    ).decode()
    keys = jwt.PyJWKClient(discover(f"{cognate_url}/{POOL}")["jwks_uri"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{header}.{forged}.{signature}", keys.get_signing_key_from_jwt(token).key,
                   algorithms=["RS256"], audience=CLIENT)


def test_outbox_gives_tests_the_code(cognate_url, idp):
    idp.sign_up(ClientId=CLIENT, Username="newbie@example.com", Password="Newbie123!x")
    query = f"{cognate_url}/_cognate/outbox?destination=newbie@example.com"
    with urllib.request.urlopen(query) as resp:
        message = json.load(resp)["messages"][0]
    idp.confirm_sign_up(ClientId=CLIENT, Username="newbie@example.com", ConfirmationCode=message["code"])
    user = idp.admin_get_user(UserPoolId=POOL, Username="newbie@example.com")
    assert user["UserStatus"] == "CONFIRMED"
