# tests/integration/test_cognito_integration.py, from the seed guide, unchanged. It runs
# against the pool conftest seeds (tests/python/seed.toml), configured by the guide's own
# environment variables.
import boto3
import pytest
import os

USER_POOL_ID = os.environ["COGNITO_USER_POOL_ID"]
CLIENT_ID = os.environ["COGNITO_CLIENT_ID"]
TEST_EMAIL = os.environ["TEST_USER_EMAIL"]
TEST_PASSWORD = os.environ["TEST_USER_PASSWORD"]


@pytest.fixture(scope="session")
def cognito():
    return boto3.client("cognito-idp", region_name="us-east-1")


def test_authenticate_and_get_tokens(cognito):
    response = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": TEST_EMAIL,
            "PASSWORD": TEST_PASSWORD
        },
        ClientId=CLIENT_ID
    )
    result = response["AuthenticationResult"]
    assert "AccessToken" in result
    assert "IdToken" in result
    assert "RefreshToken" in result
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] > 0


def test_tokens_are_valid_jwts(cognito):
    import jwt
    response = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": TEST_EMAIL, "PASSWORD": TEST_PASSWORD},
        ClientId=CLIENT_ID
    )
    id_token = response["AuthenticationResult"]["IdToken"]
    # Decode without verification to inspect claims
    payload = jwt.decode(id_token, options={"verify_signature": False})
    assert payload["email"] == TEST_EMAIL
    assert payload["token_use"] == "id"
    assert payload["aud"] == CLIENT_ID
    assert "us-east-1" in payload["iss"]


def test_get_user_from_access_token(cognito):
    response = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": TEST_EMAIL, "PASSWORD": TEST_PASSWORD},
        ClientId=CLIENT_ID
    )
    access_token = response["AuthenticationResult"]["AccessToken"]
    user = cognito.get_user(AccessToken=access_token)
    assert user["Username"] is not None
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["email"] == TEST_EMAIL


def test_global_sign_out_invalidates_tokens(cognito):
    # Get tokens
    response = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": TEST_EMAIL, "PASSWORD": TEST_PASSWORD},
        ClientId=CLIENT_ID
    )
    access_token = response["AuthenticationResult"]["AccessToken"]
    # Sign out
    cognito.global_sign_out(AccessToken=access_token)
    # Token should now be invalid
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.get_user(AccessToken=access_token)
