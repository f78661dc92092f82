"""The seed guide's "Unit Testing with Moto" fixture (in guide/test_cognito_auth.py), checked
for what it builds: the pool, client and user the guide describes."""

import pytest

from guide.test_cognito_auth import cognito_setup  # noqa: F401  (the guide's fixture)


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
