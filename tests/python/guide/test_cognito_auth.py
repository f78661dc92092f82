# tests/unit/test_cognito_auth.py, from the seed guide's "Unit Testing with Moto", pointed at
# cognate. Two changes, both marked: moto's mock_aws is replaced by a no-op (the client reaches
# cognate through AWS_ENDPOINT_URL, set by conftest), and the app client is created with
# PreventUserExistenceErrors=ENABLED, which test_nonexistent_user_raises_not_authorized needs:
# with the API default (LEGACY) AWS answers UserNotFoundException instead, and so does cognate
# (pinned below in test_nonexistent_user_with_a_default_client).
import contextlib
import pytest
import boto3
from unittest.mock import patch
import os

os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"


def mock_aws():  # changed: cognate instead of moto
    return contextlib.nullcontext()


@pytest.fixture
def cognito_setup():
    with mock_aws():
        client = boto3.client("cognito-idp", region_name="us-east-1")
        # Create a test user pool
        pool = client.create_user_pool(
            PoolName="TestPool",
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 8,
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": False
                }
            },
            Schema=[
                {
                    "Name": "email",
                    "AttributeDataType": "String",
                    "Required": True,
                    "Mutable": True
                }
            ],
            AutoVerifiedAttributes=["email"]
        )
        pool_id = pool["UserPool"]["Id"]
        # Create a user pool client
        app_client = client.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="TestClient",
            ExplicitAuthFlows=[
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH"
            ],
            PreventUserExistenceErrors="ENABLED",  # changed: see the note at the top
        )
        client_id = app_client["UserPoolClient"]["ClientId"]
        # Create a test user
        client.admin_create_user(
            UserPoolId=pool_id,
            Username="testuser@example.com",
            TemporaryPassword="Temp123!",
            UserAttributes=[
                {"Name": "email", "Value": "testuser@example.com"},
                {"Name": "email_verified", "Value": "true"}
            ]
        )
        # Set permanent password (skip NEW_PASSWORD_REQUIRED challenge)
        client.admin_set_user_password(
            UserPoolId=pool_id,
            Username="testuser@example.com",
            Password="TestPass123!",
            Permanent=True
        )
        yield {
            "client": client,
            "pool_id": pool_id,
            "client_id": client_id
        }


def test_successful_authentication(cognito_setup):
    client = cognito_setup["client"]
    response = client.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "testuser@example.com",
            "PASSWORD": "TestPass123!"
        },
        ClientId=cognito_setup["client_id"]
    )
    assert "AuthenticationResult" in response
    assert "AccessToken" in response["AuthenticationResult"]
    assert "IdToken" in response["AuthenticationResult"]
    assert "RefreshToken" in response["AuthenticationResult"]


def test_wrong_password_raises_not_authorized(cognito_setup):
    client = cognito_setup["client"]
    with pytest.raises(client.exceptions.NotAuthorizedException):
        client.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": "testuser@example.com",
                "PASSWORD": "WrongPassword!"
            },
            ClientId=cognito_setup["client_id"]
        )


def test_nonexistent_user_raises_not_authorized(cognito_setup):
    """Cognito returns NotAuthorizedException for nonexistent users to prevent enumeration."""
    client = cognito_setup["client"]
    with pytest.raises(client.exceptions.NotAuthorizedException):
        client.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": "nobody@example.com",
                "PASSWORD": "SomePass123!"
            },
            ClientId=cognito_setup["client_id"]
        )


def test_token_refresh(cognito_setup):
    client = cognito_setup["client"]
    # First, get tokens
    auth = client.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "testuser@example.com",
            "PASSWORD": "TestPass123!"
        },
        ClientId=cognito_setup["client_id"]
    )
    refresh_token = auth["AuthenticationResult"]["RefreshToken"]
    # Use refresh token
    refresh = client.initiate_auth(
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
        ClientId=cognito_setup["client_id"]
    )
    assert "AccessToken" in refresh["AuthenticationResult"]
    assert "IdToken" in refresh["AuthenticationResult"]


# Added: the same case against a client with the API's default, as AWS answers it.
def test_nonexistent_user_with_a_default_client(cognito_setup):
    client = cognito_setup["client"]
    default_client = client.create_user_pool_client(
        UserPoolId=cognito_setup["pool_id"],
        ClientName="DefaultClient",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    assert default_client["PreventUserExistenceErrors"] == "LEGACY"
    with pytest.raises(client.exceptions.UserNotFoundException) as e:
        client.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "nobody@example.com", "PASSWORD": "SomePass123!"},
            ClientId=default_client["ClientId"],
        )
    assert e.value.response["Error"]["Message"] == "User does not exist."
