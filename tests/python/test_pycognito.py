"""pycognito against cognate: SRP sign-in with its own token verification, refresh, sign-out
and the admin flow. pycognito checks that `iss` is `<endpoint>/<poolId>` and fetches the JWKS
from there, which is cognate's default issuer."""

import boto3
import pytest
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP

POOL = "us-east-1_TestPoolId"
CLIENT = "testclientid"


def cognito(url, **kwargs):
    return Cognito(POOL, CLIENT, username="testuser@example.com", boto3_client_kwargs={"endpoint_url": url}, **kwargs)


def test_srp_sign_in_refresh_and_logout(cognate_url, idp):
    user = cognito(cognate_url)
    user.authenticate(password="TestPass123!")  # SRP, then pycognito verifies the tokens
    assert user.id_claims["email"] == "testuser@example.com"
    assert user.access_claims["token_use"] == "access"
    first_access = user.access_token

    user.renew_access_token()
    assert user.access_token != first_access
    assert idp.get_user(AccessToken=user.access_token)["UserAttributes"]

    user.logout()  # GlobalSignOut
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.get_user(AccessToken=first_access)
    assert e.value.response["Error"]["Message"] == "Access Token has been revoked"


def test_srp_wrong_password(cognate_url):
    user = cognito(cognate_url)
    with pytest.raises(Exception) as e:
        user.authenticate(password="NotThePassword1!")
    assert "Incorrect username or password." in str(e.value)


def test_srp_without_a_session_and_replay_refused(cognate_url):
    client = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=cognate_url)
    srp = AWSSRP(username="testuser@example.com", password="TestPass123!", pool_id=POOL, client_id=CLIENT, client=client)
    auth_params = srp.get_auth_params()
    challenge = client.initiate_auth(AuthFlow="USER_SRP_AUTH", AuthParameters=auth_params, ClientId=CLIENT)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(challenge["ChallengeParameters"]) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    responses = srp.process_challenge(challenge["ChallengeParameters"], auth_params)
    tokens = client.respond_to_auth_challenge(ClientId=CLIENT, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses)
    assert "AccessToken" in tokens["AuthenticationResult"]
    # The same answer a second time is refused.
    with pytest.raises(client.exceptions.NotAuthorizedException):
        client.respond_to_auth_challenge(ClientId=CLIENT, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses)


def test_admin_authenticate(cognate_url):
    user = cognito(cognate_url)
    user.admin_authenticate(password="TestPass123!")
    assert user.id_claims["cognito:username"]


def test_srp_with_a_client_secret(cognate_url, idp):
    app = idp.create_user_pool_client(
        UserPoolId=POOL, ClientName="confidential", GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    user = Cognito(POOL, app["ClientId"], client_secret=app["ClientSecret"], username="testuser@example.com",
                   boto3_client_kwargs={"endpoint_url": cognate_url})
    user.authenticate(password="TestPass123!")
    assert user.id_claims["aud"] == app["ClientId"]
    # Without the secret, Cognito refuses the first step.
    bare = Cognito(POOL, app["ClientId"], username="testuser@example.com", boto3_client_kwargs={"endpoint_url": cognate_url})
    with pytest.raises(Exception) as e:
        bare.authenticate(password="TestPass123!")
    assert "SECRET_HASH was not received" in str(e.value)


def test_srp_a_must_not_be_zero_mod_n(idp):
    n_hex = (
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD"
    )
    for bad in ["0", "00"]:
        with pytest.raises(idp.exceptions.InvalidParameterException):
            idp.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=CLIENT,
                              AuthParameters={"USERNAME": "testuser@example.com", "SRP_A": bad})
    # An odd-length A is a number like any other.
    challenge = idp.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=CLIENT,
                                  AuthParameters={"USERNAME": "testuser@example.com", "SRP_A": n_hex[1:]})
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"


def test_unknown_user_gets_a_stable_simulated_challenge(cognate_url, idp):
    app = idp.create_user_pool_client(
        UserPoolId=POOL, ClientName="hiding", PreventUserExistenceErrors="ENABLED",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    client = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=cognate_url)
    salts = []
    for _ in range(2):
        srp = AWSSRP(username="ghost@example.com", password="Whatever1!", pool_id=POOL, client_id=app["ClientId"], client=client)
        params = srp.get_auth_params()
        challenge = client.initiate_auth(AuthFlow="USER_SRP_AUTH", AuthParameters=params, ClientId=app["ClientId"])
        assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
        salts.append(challenge["ChallengeParameters"]["SALT"])
    assert salts[0] == salts[1], "the same name always gets the same salt"
    responses = srp.process_challenge(challenge["ChallengeParameters"], params)
    with pytest.raises(client.exceptions.NotAuthorizedException) as e:
        client.respond_to_auth_challenge(ClientId=app["ClientId"], ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses)
    assert e.value.response["Error"]["Message"] == "Incorrect username or password."
    # With the API default the same request says who does not exist.
    with pytest.raises(client.exceptions.UserNotFoundException):
        client.initiate_auth(AuthFlow="USER_SRP_AUTH", AuthParameters=params, ClientId=CLIENT)
