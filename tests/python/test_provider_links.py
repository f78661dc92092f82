"""Linking a federated identity to a user of the pool (AdminLinkProviderForUser) and undoing it
(AdminDisableProviderForUser), seen through boto3 and through the federated sign-in of the
managed login. The OIDC provider, the browser walk and the pool are test_federation's: its
provider (a stand-in the test serves) signs in whoever `provider.user` names."""

import json
import secrets
import time
import urllib.parse

import pytest

from test_federation import APP, ARN, claims, provider, redeem, sign_in  # noqa: F401 (provider: a fixture)

PASSWORD = "Native-Passw0rd!"


@pytest.fixture
def federated_pool(idp, provider):
    """test_federation's pool, with its PostConfirmation served by the in-process Invoke API
    stand-in (httpPostConfirmation, the same handler) rather than a Python process per call,
    which can outlast the suite's one-second Lambda timeout on a busy machine."""
    pool = idp.create_user_pool(
        PoolName="links",
        LambdaConfig={"PreSignUp": ARN.format("preSignUp"), "PostConfirmation": ARN.format("httpPostConfirmation")},
    )["UserPool"]["Id"]
    idp.create_group(UserPoolId=pool, GroupName="Users")
    idp.create_identity_provider(
        UserPoolId=pool, ProviderName="Okta", ProviderType="OIDC",
        ProviderDetails={"client_id": "idp-client", "client_secret": "idp-secret", "authorize_scopes": "openid email",
                         "oidc_issuer": provider.issuer, "attributes_request_method": "GET"},
        AttributeMapping={"email": "email", "given_name": "given_name"},
    )
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web", CallbackURLs=[APP], AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"], AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["Okta"],
    )["UserPoolClient"]["ClientId"]
    return pool, client


def native_user(idp, pool, username="carlos", email="carlos@native.example"):
    """A user of the pool with a password: (username, sub)."""
    idp.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": email}])
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True)
    return username, attributes(idp, pool, username)["sub"]


def attributes(idp, pool, username):
    return {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username=username)["UserAttributes"]}


def identities(idp, pool, username):
    text = attributes(idp, pool, username).get("identities")
    return json.loads(text) if text is not None else []


def source(subject, provider_name="Okta", attribute="Cognito_Subject"):
    return {"ProviderName": provider_name, "ProviderAttributeName": attribute, "ProviderAttributeValue": subject}


def destination(username):
    return {"ProviderName": "Cognito", "ProviderAttributeValue": username}


def link(idp, pool, subject, username, **kw):
    return idp.admin_link_provider_for_user(UserPoolId=pool, DestinationUser=destination(username),
                                            SourceUser=source(subject, **kw))


def federated(cognate_url, client, provider, user):
    """One sign-in through the managed login as the provider's `user`: the query the app got
    back (with `code`, or `error` and `error_description`)."""
    provider.user = user
    verifier = secrets.token_urlsafe(48)
    back = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(sign_in(cognate_url, client, verifier)).query))
    back["verifier"] = verifier
    return back


def federated_tokens(cognate_url, client, provider, user):
    back = federated(cognate_url, client, provider, user)
    assert "code" in back, back
    status, tokens = redeem(cognate_url, client, back["code"], back["verifier"])
    assert status == 200, tokens
    return tokens


def usernames(idp, pool):
    return sorted(u["Username"] for u in idp.list_users(UserPoolId=pool)["Users"])


# --- AdminLinkProviderForUser -------------------------------------------------------------


def test_a_link_is_listed_in_the_destinations_identities(idp, federated_pool):
    pool, _ = federated_pool
    username, _ = native_user(idp, pool)
    before = int(time.time() * 1000)
    assert "ResponseMetadata" in link(idp, pool, "00uLinkMe1", username)
    after = int(time.time() * 1000)

    [entry] = identities(idp, pool, username)
    assert set(entry) == {"userId", "providerName", "providerType", "issuer", "primary", "dateCreated"}
    assert entry["userId"] == "00uLinkMe1"
    assert entry["providerName"] == "Okta"
    assert entry["providerType"] == "OIDC"
    assert entry["issuer"] is None
    assert entry["primary"] is False
    assert isinstance(entry["dateCreated"], int) and not isinstance(entry["dateCreated"], bool)
    # Epoch milliseconds, made now (a generous window for a clock of its own).
    assert before - 600_000 <= entry["dateCreated"] <= after + 600_000
    # The native user is otherwise unchanged: still a password user.
    user = idp.admin_get_user(UserPoolId=pool, Username=username)
    assert user["UserStatus"] == "CONFIRMED" and user["Enabled"] is True


def test_a_linked_identity_signs_in_as_the_native_user(idp, cognate_url, provider, federated_pool):
    pool, client = federated_pool
    username, sub = native_user(idp, pool)
    link(idp, pool, "00uLinkMe1", username)

    tokens = federated_tokens(cognate_url, client, provider,
                              {"sub": "00uLinkMe1", "email": "ada@idp.example", "email_verified": True})
    id_claims, access_claims = claims(tokens["id_token"]), claims(tokens["access_token"])
    assert id_claims["cognito:username"] == username
    assert id_claims["sub"] == sub
    assert access_claims["username"] == username and access_claims["sub"] == sub
    # The ID token lists the link.
    [identity] = id_claims["identities"]
    assert identity["userId"] == "00uLinkMe1" and identity["providerName"] == "Okta"
    assert identity["providerType"] == "OIDC"
    # The provider's mapped attributes (email from the ID token, given_name from userInfo).
    assert id_claims["email"] == "ada@idp.example" and id_claims["given_name"] == "Ada"

    # No federated profile of its own was made; the mapped attributes went onto the native user.
    assert usernames(idp, pool) == [username]
    attrs = attributes(idp, pool, username)
    assert attrs["email"] == "ada@idp.example" and attrs["given_name"] == "Ada"
    assert attrs["sub"] == sub
    assert idp.admin_get_user(UserPoolId=pool, Username=username)["UserStatus"] == "CONFIRMED"

    # And again: the same native user, with the attributes rewritten.
    tokens = federated_tokens(cognate_url, client, provider, {"sub": "00uLinkMe1", "email": "ada@moved.example"})
    assert claims(tokens["id_token"])["cognito:username"] == username
    assert claims(tokens["id_token"])["sub"] == sub
    assert attributes(idp, pool, username)["email"] == "ada@moved.example"
    assert usernames(idp, pool) == [username]


def test_linking_the_same_source_again_is_refused(idp, federated_pool):
    pool, _ = federated_pool
    username, _ = native_user(idp, pool)
    link(idp, pool, "00uTwice", username)
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        link(idp, pool, "00uTwice", username)
    assert e.value.response["Error"]["Message"] == "SourceUser is already linked to DestinationUser"
    assert len(identities(idp, pool, username)) == 1


def test_a_native_user_is_no_source(idp, federated_pool):
    pool, _ = federated_pool
    username, _ = native_user(idp, pool)
    other, _ = native_user(idp, pool, "dana", "dana@native.example")
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.admin_link_provider_for_user(UserPoolId=pool, DestinationUser=destination(username),
                                         SourceUser=source(other, provider_name="Cognito"))
    assert e.value.response["Error"]["Message"] == (
        "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, "
        "only as a DestinationUser")
    assert identities(idp, pool, username) == []


def test_a_source_that_already_signed_in_is_not_merged(idp, cognate_url, provider, federated_pool):
    pool, client = federated_pool
    username, sub = native_user(idp, pool)
    # Another subject of the provider signs in first, and gets a profile of its own.
    tokens = federated_tokens(cognate_url, client, provider, {"sub": "00uPrior", "email": "prior@idp.example"})
    assert claims(tokens["id_token"])["cognito:username"] == "okta_00uprior"
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        link(idp, pool, "00uPrior", username)
    assert e.value.response["Error"]["Message"] == (
        "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link")
    assert identities(idp, pool, username) == []
    # The subject keeps signing in as its own profile.
    tokens = federated_tokens(cognate_url, client, provider, {"sub": "00uPrior", "email": "prior@idp.example"})
    assert claims(tokens["id_token"])["cognito:username"] == "okta_00uprior"
    assert claims(tokens["id_token"])["sub"] != sub


def test_an_unknown_provider_is_refused(idp, federated_pool):
    pool, _ = federated_pool
    username, _ = native_user(idp, pool)
    with pytest.raises(idp.exceptions.InvalidParameterException):
        link(idp, pool, "00uX", username, provider_name="NoSuchIdp")
    assert identities(idp, pool, username) == []


def test_an_unknown_destination_is_refused(idp, federated_pool):
    pool, _ = federated_pool
    with pytest.raises(idp.exceptions.UserNotFoundException):
        link(idp, pool, "00uX", "nobody")


def test_a_sixth_link_is_refused(idp, federated_pool):
    pool, _ = federated_pool
    username, _ = native_user(idp, pool)
    for i in range(5):
        link(idp, pool, f"00uMany{i}", username)
    assert [e["userId"] for e in identities(idp, pool, username)] == [f"00uMany{i}" for i in range(5)]
    with pytest.raises(idp.exceptions.LimitExceededException):
        link(idp, pool, "00uMany5", username)
    assert len(identities(idp, pool, username)) == 5


def test_an_unknown_pool_is_refused(idp):
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.admin_link_provider_for_user(UserPoolId="us-east-1_NoSuchPool", DestinationUser=destination("carlos"),
                                         SourceUser=source("00uX"))


# --- AdminDisableProviderForUser ----------------------------------------------------------


def test_disabling_a_linked_identity_removes_the_link(idp, cognate_url, provider, federated_pool):
    pool, client = federated_pool
    username, sub = native_user(idp, pool)
    link(idp, pool, "00uLinkMe1", username)
    link(idp, pool, "00uKeepMe", username)
    tokens = federated_tokens(cognate_url, client, provider, {"sub": "00uLinkMe1", "email": "ada@idp.example"})
    assert claims(tokens["id_token"])["cognito:username"] == username

    idp.admin_disable_provider_for_user(UserPoolId=pool, User=source("00uLinkMe1"))
    listed = identities(idp, pool, username)
    assert [e["userId"] for e in listed] == ["00uKeepMe"], listed
    # The native user itself is untouched.
    assert idp.admin_get_user(UserPoolId=pool, Username=username)["Enabled"] is True

    # The next sign-in makes the provider's own profile, in lower case.
    tokens = federated_tokens(cognate_url, client, provider, {"sub": "00uLinkMe1", "email": "ada@idp.example"})
    id_claims = claims(tokens["id_token"])
    assert id_claims["cognito:username"] == "okta_00ulinkme1"
    assert id_claims["sub"] != sub
    [identity] = id_claims["identities"]
    assert identity["userId"] == "00uLinkMe1" and identity["primary"] == "true"
    assert usernames(idp, pool) == sorted([username, "okta_00ulinkme1"])
    assert idp.admin_get_user(UserPoolId=pool, Username="okta_00ulinkme1")["UserStatus"] == "EXTERNAL_PROVIDER"
    # The other link still holds.
    tokens = federated_tokens(cognate_url, client, provider, {"sub": "00uKeepMe", "email": "keep@idp.example"})
    assert claims(tokens["id_token"])["cognito:username"] == username


def test_disabling_the_last_link_leaves_no_identity(idp, cognate_url, provider, federated_pool):
    pool, client = federated_pool
    username, sub = native_user(idp, pool)
    link(idp, pool, "00uOnly", username)
    idp.admin_disable_provider_for_user(UserPoolId=pool, User=source("00uOnly"))
    assert identities(idp, pool, username) == []
    tokens = federated_tokens(cognate_url, client, provider, {"sub": "00uOnly", "email": "only@idp.example"})
    assert claims(tokens["id_token"])["cognito:username"] == "okta_00uonly"
    assert claims(tokens["id_token"])["sub"] != sub


def test_disabling_an_unlinked_federated_user_stops_its_sign_in(idp, cognate_url, provider, federated_pool):
    pool, client = federated_pool
    user = {"sub": "00uSolo", "email": "solo@idp.example"}
    tokens = federated_tokens(cognate_url, client, provider, user)
    assert claims(tokens["id_token"])["cognito:username"] == "okta_00usolo"
    assert idp.admin_get_user(UserPoolId=pool, Username="okta_00usolo")["Enabled"] is True

    idp.admin_disable_provider_for_user(UserPoolId=pool, User=source("00uSolo"))
    assert idp.admin_get_user(UserPoolId=pool, Username="okta_00usolo")["Enabled"] is False

    back = federated(cognate_url, client, provider, user)
    assert "code" not in back, back
    assert (back["error"], back["error_description"], back["state"]) == \
        ("invalid_request", "User is disabled.", "app-state")
    assert usernames(idp, pool) == ["okta_00usolo"]


def test_disabling_the_cognito_provider_stops_the_password(idp, federated_pool):
    pool, _ = federated_pool
    username, _ = native_user(idp, pool)
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="admin",
                                         ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                                            "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    auth = lambda: idp.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                           AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    assert "AccessToken" in auth()["AuthenticationResult"]

    idp.admin_disable_provider_for_user(UserPoolId=pool, User={
        "ProviderName": "Cognito", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": username})
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        auth()


def test_disabling_what_is_not_linked_is_refused(idp, cognate_url, provider, federated_pool):
    pool, _ = federated_pool
    native_user(idp, pool)
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.admin_disable_provider_for_user(UserPoolId=pool, User=source("00uNeverSeen"))
    assert e.value.response["Error"]["Message"] == \
        "Account isn't linked to anyone else, verify that the account has been linked"
