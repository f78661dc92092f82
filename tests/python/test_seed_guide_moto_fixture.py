"""The seed guide's "Unit Testing with Moto" fixture, pointed at cognate.

The only change to the guide's fixture: instead of `with mock_aws():` the boto3 client reaches
cognate through AWS_ENDPOINT_URL (set by conftest), so nothing is mocked.
"""

import contextlib

import pytest


def mock_aws():
    # cognate replaces moto: no mocking, the requests go over HTTP.
    return contextlib.nullcontext()


@pytest.fixture
def cognito_setup(cognate_url):
    import boto3

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
                    "RequireSymbols": False,
                }
            },
            Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
            AutoVerifiedAttributes=["email"],
        )
        pool_id = pool["UserPool"]["Id"]
        # Create a user pool client
        app_client = client.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="TestClient",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        client_id = app_client["UserPoolClient"]["ClientId"]
        # Create a test user
        client.admin_create_user(
            UserPoolId=pool_id,
            Username="testuser@example.com",
            TemporaryPassword="Temp123!",
            UserAttributes=[
                {"Name": "email", "Value": "testuser@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        # Set permanent password (skip NEW_PASSWORD_REQUIRED challenge)
        client.admin_set_user_password(
            UserPoolId=pool_id, Username="testuser@example.com", Password="TestPass123!", Permanent=True
        )
        yield {"client": client, "pool_id": pool_id, "client_id": client_id}


def test_fixture_builds_the_pool_the_guide_describes(cognito_setup):
    client = cognito_setup["client"]
    pool = client.describe_user_pool(UserPoolId=cognito_setup["pool_id"])["UserPool"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 8 and policy["RequireSymbols"] is False
    email = next(a for a in pool["SchemaAttributes"] if a["Name"] == "email")
    assert email["Required"] is True
    assert pool["AutoVerifiedAttributes"] == ["email"]

    app = client.describe_user_pool_client(UserPoolId=cognito_setup["pool_id"], ClientId=cognito_setup["client_id"])
    assert app["UserPoolClient"]["ExplicitAuthFlows"] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

    user = client.admin_get_user(UserPoolId=cognito_setup["pool_id"], Username="testuser@example.com")
    assert user["UserStatus"] == "CONFIRMED"
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["email"] == "testuser@example.com" and attrs["email_verified"] == "true"


def test_the_guide_temporary_password_must_meet_the_policy(cognito_setup):
    client = cognito_setup["client"]
    with pytest.raises(client.exceptions.InvalidPasswordException) as e:
        client.admin_set_user_password(
            UserPoolId=cognito_setup["pool_id"], Username="testuser@example.com", Password="alllowercase1", Permanent=True
        )
    assert e.value.response["Error"]["Message"] == "Password did not conform with policy: Password must have uppercase characters"
