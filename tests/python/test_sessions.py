"""Session tracking through boto3: the pool's and the app client's session configuration
(Get/SetUserPoolSessionConfiguration, Get/SetUserPoolClientSessionConfiguration), listing a
user's token sessions (ListUserSessions with an access token, AdminListUserSessions), revoking
them (RevokeUserSession, AdminRevokeUserSession), MaxPerUser's eviction of the least recently
used session, and GlobalSignOut ending them all.

Facts about AWS come from docs/research/newest-operations.md section 1 ("note §1.N" below) and
the botocore model of cognito-idp ("[M]"). Where the note leaves an error unconfirmed (tracking
off, revoking one's own session, another user's session id), the test pins cognate's choice and
says so; only error codes are asserted, never cognate's own texts.

botocore checks a number's minimum but not its maximum before sending, so the range checks use
a client with parameter validation off, to see what cognate itself answers.

The clock: `/moto-api/reset` forgets the state but not the clock, and other modules verify
cognate's tokens against the wall clock. So the tests that move time run against a cognate of
this module's own (`own_cognate`), as test_identity_pools.py does.
"""

import datetime
import json
import re
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


REGION = "us-east-1"
PASSWORD = "Sessi0ns!pass"
SESSION_ID = re.compile(r"^tkn[a-z0-9]{25}$")
# A well-formed session id (28 characters, [M] SessionIdType) that no session has.
UNKNOWN_SESSION = "tkn" + "0" * 25
UNKNOWN_CLIENT = "1example23456789abcdefghij"


# --- helpers -----------------------------------------------------------------------------------


def code(call, **kwargs):
    """The error code a call is refused with, as a boto3 user reads it."""
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"]


def body(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


class Pool:
    """A user pool with a public client allowing password sign-in and refresh."""

    def __init__(self, idp, tier=None):
        self.idp = idp
        kwargs = {"UserPoolTier": tier} if tier else {}
        self.id = idp.create_user_pool(PoolName="sessions", **kwargs)["UserPool"]["Id"]
        self.client_id = self.add_client("web")

    def add_client(self, name):
        return self.idp.create_user_pool_client(
            UserPoolId=self.id, ClientName=name,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]

    def add_user(self, username):
        self.idp.admin_create_user(
            UserPoolId=self.id, Username=username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"},
                            {"Name": "email_verified", "Value": "true"}],
        )
        self.idp.admin_set_user_password(UserPoolId=self.id, Username=username, Password=PASSWORD, Permanent=True)
        return username

    def track(self, max_per_user=20):
        return self.idp.set_user_pool_session_configuration(
            UserPoolId=self.id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": max_per_user})

    def sign_in(self, username, client_id=None):
        return self.idp.initiate_auth(
            ClientId=client_id or self.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]

    def refresh(self, tokens, client_id=None):
        return self.idp.initiate_auth(
            ClientId=client_id or self.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )["AuthenticationResult"]

    def sessions(self, tokens):
        return self.idp.list_user_sessions(AccessToken=tokens["AccessToken"])["Sessions"]

    def admin_sessions(self, username):
        return self.idp.admin_list_user_sessions(UserPoolId=self.id, Username=username)["Sessions"]

    def session_id(self, tokens):
        """The id of the session `tokens` belong to (the one their list marks current)."""
        current = [s for s in self.sessions(tokens) if s["IsCurrentSession"]]
        assert len(current) == 1, current
        return current[0]["SessionId"]


@pytest.fixture
def pool(idp):
    return Pool(idp)


@pytest.fixture
def unvalidated(cognate_url):
    """A cognito-idp client that sends what it is given: botocore checks no ranges."""
    return boto3.client("cognito-idp", region_name=REGION, config=Config(parameter_validation=False))


# --- the configuration -------------------------------------------------------------------------


def test_a_new_pool_does_not_track_sessions_and_allows_twenty(idp, pool):
    """Defaults: DISABLED and MaxPerUser 20 ([M] GetUserPoolSessionConfiguration; note §1.3)."""
    got = idp.get_user_pool_session_configuration(UserPoolId=pool.id)
    assert body(got) == {"UserPoolId": pool.id, "UserSessionTracking": "DISABLED", "TokenSession": {"MaxPerUser": 20}}


def test_a_new_client_reuses_sso_sessions_for_sixty_minutes(idp, pool):
    """Default SSOSession.MaxValidityMinutes 60 ([M] GetUserPoolClientSessionConfiguration)."""
    got = idp.get_user_pool_client_session_configuration(UserPoolId=pool.id, ClientId=pool.client_id)
    assert body(got) == {"UserPoolId": pool.id, "ClientId": pool.client_id, "SSOSession": {"MaxValidityMinutes": 60}}


def test_get_on_an_unknown_pool_or_client_is_resource_not_found(idp, pool):
    assert code(idp.get_user_pool_session_configuration, UserPoolId="us-east-1_Nowhere0") == "ResourceNotFoundException"
    assert code(idp.get_user_pool_client_session_configuration,
                UserPoolId=pool.id, ClientId=UNKNOWN_CLIENT) == "ResourceNotFoundException"


def test_enabling_tracking_echoes_the_configuration_and_get_returns_it(idp, pool):
    set_ = idp.set_user_pool_session_configuration(
        UserPoolId=pool.id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 3})
    expected = {"UserPoolId": pool.id, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 3}}
    assert body(set_) == expected
    assert body(idp.get_user_pool_session_configuration(UserPoolId=pool.id)) == expected


def test_disabling_tracking_again_is_stored(idp, pool):
    pool.track(7)
    idp.set_user_pool_session_configuration(
        UserPoolId=pool.id, UserSessionTracking="DISABLED", TokenSession={"MaxPerUser": 7})
    got = idp.get_user_pool_session_configuration(UserPoolId=pool.id)
    assert got["UserSessionTracking"] == "DISABLED"
    assert got["TokenSession"] == {"MaxPerUser": 7}


@pytest.mark.parametrize("max_per_user", [0, 101])
def test_max_per_user_outside_one_to_a_hundred_is_an_invalid_parameter(unvalidated, pool, max_per_user):
    """[M] MaxSessionsPerUserType: 1..100. botocore checks only the minimum, so cognate must."""
    assert code(unvalidated.set_user_pool_session_configuration, UserPoolId=pool.id,
                UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": max_per_user}) == "InvalidParameterException"
    # Nothing was stored.
    assert unvalidated.get_user_pool_session_configuration(UserPoolId=pool.id)["UserSessionTracking"] == "DISABLED"


@pytest.mark.parametrize("max_per_user", [1, 100])
def test_max_per_user_of_one_and_a_hundred_are_taken(idp, pool, max_per_user):
    assert pool.track(max_per_user)["TokenSession"] == {"MaxPerUser": max_per_user}


def test_a_lite_pool_cannot_set_either_configuration(idp):
    """Both Set operations need Essentials or Plus ([M]; note §1.3 "Tier"); the Get operations
    do not list FeatureUnavailableInTierException, so a LITE pool reads the defaults."""
    lite = Pool(idp, tier="LITE")
    assert code(idp.set_user_pool_session_configuration, UserPoolId=lite.id, UserSessionTracking="ENABLED",
                TokenSession={"MaxPerUser": 3}) == "FeatureUnavailableInTierException"
    assert code(idp.set_user_pool_client_session_configuration, UserPoolId=lite.id, ClientId=lite.client_id,
                SSOSession={"MaxValidityMinutes": 30}) == "FeatureUnavailableInTierException"
    assert idp.get_user_pool_session_configuration(UserPoolId=lite.id)["UserSessionTracking"] == "DISABLED"
    assert idp.get_user_pool_client_session_configuration(
        UserPoolId=lite.id, ClientId=lite.client_id)["SSOSession"] == {"MaxValidityMinutes": 60}


def test_a_client_configuration_needs_tracking_on(idp, pool):
    """The client's settings take effect only while tracking is ENABLED (note §1.3); the error
    with tracking off is unconfirmed there: cognate answers OperationNotEnabledException."""
    assert code(idp.set_user_pool_client_session_configuration, UserPoolId=pool.id, ClientId=pool.client_id,
                SSOSession={"MaxValidityMinutes": 30}) == "OperationNotEnabledException"
    got = idp.get_user_pool_client_session_configuration(UserPoolId=pool.id, ClientId=pool.client_id)
    assert got["SSOSession"] == {"MaxValidityMinutes": 60}


def test_a_client_configuration_is_set_and_read_back(idp, pool):
    pool.track()
    set_ = idp.set_user_pool_client_session_configuration(
        UserPoolId=pool.id, ClientId=pool.client_id, SSOSession={"MaxValidityMinutes": 30})
    expected = {"UserPoolId": pool.id, "ClientId": pool.client_id, "SSOSession": {"MaxValidityMinutes": 30}}
    assert body(set_) == expected
    assert body(idp.get_user_pool_client_session_configuration(UserPoolId=pool.id, ClientId=pool.client_id)) == expected
    # Another client of the pool keeps the default.
    other = pool.add_client("other")
    assert idp.get_user_pool_client_session_configuration(
        UserPoolId=pool.id, ClientId=other)["SSOSession"] == {"MaxValidityMinutes": 60}


def test_setting_an_unknown_clients_configuration_is_resource_not_found(idp, pool):
    pool.track()
    assert code(idp.set_user_pool_client_session_configuration, UserPoolId=pool.id, ClientId=UNKNOWN_CLIENT,
                SSOSession={"MaxValidityMinutes": 30}) == "ResourceNotFoundException"


def test_a_client_of_another_pool_is_not_found_in_this_one(idp, pool):
    other = Pool(idp)
    pool.track()
    assert code(idp.set_user_pool_client_session_configuration, UserPoolId=pool.id, ClientId=other.client_id,
                SSOSession={"MaxValidityMinutes": 30}) == "ResourceNotFoundException"


def test_max_validity_minutes_above_ninety_days_is_an_invalid_parameter(unvalidated, pool):
    """[M] SSOSessionMaxValidityMinutesType: 0..129600."""
    pool.track()
    assert code(unvalidated.set_user_pool_client_session_configuration, UserPoolId=pool.id, ClientId=pool.client_id,
                SSOSession={"MaxValidityMinutes": 129601}) == "InvalidParameterException"
    assert unvalidated.set_user_pool_client_session_configuration(
        UserPoolId=pool.id, ClientId=pool.client_id, SSOSession={"MaxValidityMinutes": 0})["SSOSession"] == {
        "MaxValidityMinutes": 0}


# --- tracking off --------------------------------------------------------------------------------


def test_with_tracking_off_sessions_cannot_be_listed_or_revoked(idp, pool):
    """Tracking DISABLED: no session records (note §1.3); cognate refuses list and revoke with
    OperationNotEnabledException (note §1.4; unconfirmed against AWS)."""
    pool.add_user("alice")
    tokens = pool.sign_in("alice")
    assert code(idp.list_user_sessions, AccessToken=tokens["AccessToken"]) == "OperationNotEnabledException"
    assert code(idp.admin_list_user_sessions, UserPoolId=pool.id, Username="alice") == "OperationNotEnabledException"
    assert code(idp.revoke_user_session, AccessToken=tokens["AccessToken"],
                SessionId=UNKNOWN_SESSION) == "OperationNotEnabledException"
    assert code(idp.admin_revoke_user_session, UserPoolId=pool.id, Username="alice",
                SessionId=UNKNOWN_SESSION) == "OperationNotEnabledException"


def test_turning_tracking_off_again_refuses_the_list(idp, pool):
    pool.add_user("alice")
    pool.track()
    tokens = pool.sign_in("alice")
    assert len(pool.sessions(tokens)) == 1
    idp.set_user_pool_session_configuration(
        UserPoolId=pool.id, UserSessionTracking="DISABLED", TokenSession={"MaxPerUser": 20})
    assert code(idp.list_user_sessions, AccessToken=tokens["AccessToken"]) == "OperationNotEnabledException"


# --- listing -----------------------------------------------------------------------------------


def test_two_sign_ins_are_two_token_sessions_newest_first(idp, pool):
    """[M] SessionDescriptionType; IsCurrentSession true for the caller's session only."""
    pool.add_user("alice")
    pool.track()
    first = pool.sign_in("alice")
    second = pool.sign_in("alice")

    listed = pool.sessions(second)
    assert len(listed) == 2
    for s in listed:
        assert SESSION_ID.match(s["SessionId"]), s["SessionId"]
        assert s["SessionType"] == "TOKEN"
        assert s["ClientId"] == pool.client_id
        assert isinstance(s["CreateDate"], datetime.datetime)
        assert isinstance(s["LastActiveDate"], datetime.datetime)
        assert s["LastActiveDate"] >= s["CreateDate"]
        # Begun through the API, not through an SSO session (note §1.2).
        assert "OriginSessionId" not in s
    assert listed[0]["SessionId"] != listed[1]["SessionId"]
    assert listed[0]["CreateDate"] >= listed[1]["CreateDate"]
    assert [s["IsCurrentSession"] for s in listed] == [True, False]

    # Seen with the first sign-in's token, the same two, the older one now current.
    seen_by_first = pool.sessions(first)
    assert [s["SessionId"] for s in seen_by_first] == [s["SessionId"] for s in listed]
    assert [s["IsCurrentSession"] for s in seen_by_first] == [False, True]

    admin = pool.admin_sessions("alice")
    assert [s["SessionId"] for s in admin] == [s["SessionId"] for s in listed]
    assert [s["IsCurrentSession"] for s in admin] == [False, False]
    for a, s in zip(admin, listed):
        assert a["CreateDate"] == s["CreateDate"]
        assert a["ClientId"] == s["ClientId"]
        assert a["SessionType"] == "TOKEN"


def test_sign_ins_before_tracking_was_enabled_are_not_listed(idp, pool):
    pool.add_user("alice")
    untracked = pool.sign_in("alice")
    pool.track()
    tracked = pool.sign_in("alice")
    listed = pool.sessions(tracked)
    assert len(listed) == 1
    assert listed[0]["IsCurrentSession"] is True
    assert len(pool.admin_sessions("alice")) == 1
    # The untracked sign-in's tokens still work: tracking revokes nothing.
    assert idp.get_user(AccessToken=untracked["AccessToken"])["Username"] == "alice"
    assert pool.refresh(untracked)["AccessToken"]


def test_each_user_lists_only_their_own_sessions(idp, pool):
    pool.add_user("alice")
    pool.add_user("bob")
    pool.track()
    alice = pool.sign_in("alice")
    pool.sign_in("bob")
    bob = pool.sign_in("bob")
    assert len(pool.sessions(alice)) == 1
    assert len(pool.sessions(bob)) == 2
    assert len(pool.admin_sessions("alice")) == 1
    assert len(pool.admin_sessions("bob")) == 2


def test_a_session_names_the_client_it_was_begun_through(idp, pool):
    pool.add_user("alice")
    pool.track()
    mobile = pool.add_client("mobile")
    pool.sign_in("alice")
    tokens = pool.sign_in("alice", client_id=mobile)
    assert [s["ClientId"] for s in pool.sessions(tokens)] == [mobile, pool.client_id]


def test_admin_list_of_an_unknown_user_is_user_not_found(idp, pool):
    pool.track()
    assert code(idp.admin_list_user_sessions, UserPoolId=pool.id, Username="nobody") == "UserNotFoundException"


def test_a_refresh_is_no_new_session(idp, pool):
    """"A new authentication creates a new token session rather than updating an existing
    one"; a refresh updates the existing one (note §1.2)."""
    pool.add_user("alice")
    pool.track()
    tokens = pool.sign_in("alice")
    before = pool.sessions(tokens)
    refreshed = pool.refresh(tokens)
    after = pool.sessions(refreshed)
    assert [s["SessionId"] for s in after] == [s["SessionId"] for s in before]
    assert after[0]["IsCurrentSession"] is True
    assert after[0]["CreateDate"] == before[0]["CreateDate"]
    assert after[0]["LastActiveDate"] >= before[0]["LastActiveDate"]


def test_a_refresh_moves_last_active_date_on_cognates_clock(own_cognate):
    """LastActiveDate is "the most recent token refresh or rotation" (note §1.2): with the
    clock moved a minute, the refresh's LastActiveDate is a minute later, CreateDate unmoved."""
    pool = Pool(own_cognate.idp)
    pool.add_user("alice")
    pool.track()
    tokens = pool.sign_in("alice")
    [before] = pool.sessions(tokens)
    assert before["LastActiveDate"] == before["CreateDate"]

    own_cognate.advance(60)
    refreshed = pool.refresh(tokens)
    [after] = pool.sessions(refreshed)
    assert after["SessionId"] == before["SessionId"]
    assert after["CreateDate"] == before["CreateDate"]
    assert after["LastActiveDate"] - before["LastActiveDate"] >= datetime.timedelta(seconds=60)
    assert after["LastActiveDate"] - before["LastActiveDate"] < datetime.timedelta(seconds=120)
    [admin] = pool.admin_sessions("alice")
    assert admin["LastActiveDate"] == after["LastActiveDate"]


# --- revoking ----------------------------------------------------------------------------------


def test_revoking_another_session_ends_its_tokens(idp, pool):
    """Revocation "revokes all refresh and access tokens that are associated with the session,
    and deletes the session record" (note §1.3)."""
    pool.add_user("alice")
    pool.track()
    first = pool.sign_in("alice")
    second = pool.sign_in("alice")
    first_id = pool.session_id(first)
    second_id = pool.session_id(second)

    assert body(idp.revoke_user_session(AccessToken=second["AccessToken"], SessionId=first_id)) == {}

    assert code(pool.refresh, tokens=first) == "NotAuthorizedException"
    assert code(idp.get_user, AccessToken=first["AccessToken"]) == "NotAuthorizedException"
    listed = pool.sessions(second)
    assert [(s["SessionId"], s["IsCurrentSession"]) for s in listed] == [(second_id, True)]
    assert [s["SessionId"] for s in pool.admin_sessions("alice")] == [second_id]
    # The caller's own session stands.
    assert idp.get_user(AccessToken=second["AccessToken"])["Username"] == "alice"
    assert pool.refresh(second)["AccessToken"]


def test_a_revoked_session_cannot_be_revoked_again(idp, pool):
    pool.add_user("alice")
    pool.track()
    first = pool.sign_in("alice")
    second = pool.sign_in("alice")
    first_id = pool.session_id(first)
    idp.revoke_user_session(AccessToken=second["AccessToken"], SessionId=first_id)
    assert code(idp.revoke_user_session, AccessToken=second["AccessToken"],
                SessionId=first_id) == "ResourceNotFoundException"
    assert code(idp.admin_revoke_user_session, UserPoolId=pool.id, Username="alice",
                SessionId=first_id) == "ResourceNotFoundException"


def test_revoking_ones_own_session_is_an_invalid_parameter(idp, pool):
    """SessionId "can't identify the caller's own current session" ([M] RevokeUserSession);
    the error is unconfirmed (note §1.3): cognate answers InvalidParameterException."""
    pool.add_user("alice")
    pool.track()
    tokens = pool.sign_in("alice")
    own = pool.session_id(tokens)
    assert code(idp.revoke_user_session, AccessToken=tokens["AccessToken"], SessionId=own) == "InvalidParameterException"
    # Nothing was revoked.
    assert [s["SessionId"] for s in pool.sessions(tokens)] == [own]
    assert pool.refresh(tokens)["AccessToken"]


def test_revoking_an_unknown_session_is_resource_not_found(idp, pool):
    pool.add_user("alice")
    pool.track()
    tokens = pool.sign_in("alice")
    assert code(idp.revoke_user_session, AccessToken=tokens["AccessToken"],
                SessionId=UNKNOWN_SESSION) == "ResourceNotFoundException"
    assert code(idp.admin_revoke_user_session, UserPoolId=pool.id, Username="alice",
                SessionId=UNKNOWN_SESSION) == "ResourceNotFoundException"
    assert len(pool.sessions(tokens)) == 1


def test_a_user_cannot_revoke_another_users_session(idp, pool):
    pool.add_user("alice")
    pool.add_user("bob")
    pool.track()
    alice = pool.sign_in("alice")
    bob = pool.sign_in("bob")
    bobs = pool.session_id(bob)
    assert code(idp.revoke_user_session, AccessToken=alice["AccessToken"], SessionId=bobs) == "ResourceNotFoundException"
    assert idp.get_user(AccessToken=bob["AccessToken"])["Username"] == "bob"
    assert [s["SessionId"] for s in pool.admin_sessions("bob")] == [bobs]


def test_admin_revoke_ends_a_sessions_tokens(idp, pool):
    pool.add_user("alice")
    pool.track()
    first = pool.sign_in("alice")
    second = pool.sign_in("alice")
    first_id = pool.session_id(first)
    second_id = pool.session_id(second)

    assert body(idp.admin_revoke_user_session(UserPoolId=pool.id, Username="alice", SessionId=first_id)) == {}

    assert code(pool.refresh, tokens=first) == "NotAuthorizedException"
    assert code(idp.get_user, AccessToken=first["AccessToken"]) == "NotAuthorizedException"
    assert [s["SessionId"] for s in pool.admin_sessions("alice")] == [second_id]
    assert [s["SessionId"] for s in pool.sessions(second)] == [second_id]


def test_admin_revoke_can_end_the_only_session(idp, pool):
    """Only RevokeUserSession refuses the caller's own session; the admin has none."""
    pool.add_user("alice")
    pool.track()
    tokens = pool.sign_in("alice")
    only = pool.session_id(tokens)
    idp.admin_revoke_user_session(UserPoolId=pool.id, Username="alice", SessionId=only)
    assert pool.admin_sessions("alice") == []
    assert code(idp.get_user, AccessToken=tokens["AccessToken"]) == "NotAuthorizedException"
    assert code(pool.refresh, tokens=tokens) == "NotAuthorizedException"


def test_admin_revoke_needs_the_sessions_own_user(idp, pool):
    """"The username must match the user associated with the SessionId" ([M]); the error is
    unconfirmed (note §1.3): cognate answers ResourceNotFoundException and revokes nothing."""
    pool.add_user("alice")
    pool.add_user("bob")
    pool.track()
    pool.sign_in("alice")
    bob = pool.sign_in("bob")
    bobs = pool.session_id(bob)
    assert code(idp.admin_revoke_user_session, UserPoolId=pool.id, Username="alice",
                SessionId=bobs) == "ResourceNotFoundException"
    assert [s["SessionId"] for s in pool.admin_sessions("bob")] == [bobs]
    assert pool.refresh(bob)["AccessToken"]


def test_admin_revoke_of_an_unknown_user_is_user_not_found(idp, pool):
    pool.track()
    assert code(idp.admin_revoke_user_session, UserPoolId=pool.id, Username="nobody",
                SessionId=UNKNOWN_SESSION) == "UserNotFoundException"


# --- MaxPerUser ---------------------------------------------------------------------------------


def test_a_sign_in_beyond_max_per_user_evicts_the_least_recently_used_session(own_cognate):
    """"the next successful authentication automatically evicts that user's least recently used
    token session" ([M] UserPoolTokenSessionConfigType): after A, B, C and a refresh of A, D's
    sign-in evicts B, not the oldest-created A. The clock moves a second between steps, so
    the order of use is unambiguous."""
    pool = Pool(own_cognate.idp)
    pool.add_user("alice")
    pool.track(3)
    a = pool.sign_in("alice")
    own_cognate.advance(1)
    b = pool.sign_in("alice")
    own_cognate.advance(1)
    c = pool.sign_in("alice")
    ids = {name: pool.session_id(t) for name, t in (("A", a), ("B", b), ("C", c))}
    own_cognate.advance(1)
    a = pool.refresh(a) | {"RefreshToken": a["RefreshToken"]}
    own_cognate.advance(1)
    d = pool.sign_in("alice")
    ids["D"] = pool.session_id(d)

    assert code(pool.refresh, tokens=b) == "NotAuthorizedException"
    assert code(own_cognate.idp.get_user, AccessToken=b["AccessToken"]) == "NotAuthorizedException"
    # Newest first by creation: D, C, A.
    assert [s["SessionId"] for s in pool.sessions(d)] == [ids["D"], ids["C"], ids["A"]]
    assert [s["SessionId"] for s in pool.admin_sessions("alice")] == [ids["D"], ids["C"], ids["A"]]
    for t in (a, c, d):
        assert own_cognate.idp.get_user(AccessToken=t["AccessToken"])["Username"] == "alice"


def test_max_per_user_counts_each_user_on_their_own(idp, pool):
    pool.add_user("alice")
    pool.add_user("bob")
    pool.track(1)
    alice = pool.sign_in("alice")
    bob = pool.sign_in("bob")
    assert len(pool.sessions(alice)) == 1
    assert len(pool.sessions(bob)) == 1
    # A second sign-in of alice's evicts her first, never bob's.
    alice2 = pool.sign_in("alice")
    assert code(pool.refresh, tokens=alice) == "NotAuthorizedException"
    assert [s["IsCurrentSession"] for s in pool.sessions(alice2)] == [True]
    assert idp.get_user(AccessToken=bob["AccessToken"])["Username"] == "bob"


# --- GlobalSignOut ------------------------------------------------------------------------------


def test_global_sign_out_ends_every_session(idp, pool):
    pool.add_user("alice")
    pool.track()
    first = pool.sign_in("alice")
    second = pool.sign_in("alice")
    assert len(pool.admin_sessions("alice")) == 2

    idp.global_sign_out(AccessToken=second["AccessToken"])

    assert pool.admin_sessions("alice") == []
    for t in (first, second):
        assert code(pool.refresh, tokens=t) == "NotAuthorizedException"
    fresh = pool.sign_in("alice")
    listed = pool.sessions(fresh)
    assert len(listed) == 1
    assert listed[0]["IsCurrentSession"] is True
    assert [s["SessionId"] for s in pool.admin_sessions("alice")] == [listed[0]["SessionId"]]


def test_admin_user_global_sign_out_ends_every_session(idp, pool):
    pool.add_user("alice")
    pool.track()
    tokens = pool.sign_in("alice")
    pool.sign_in("alice")
    idp.admin_user_global_sign_out(UserPoolId=pool.id, Username="alice")
    assert pool.admin_sessions("alice") == []
    assert code(idp.list_user_sessions, AccessToken=tokens["AccessToken"]) == "NotAuthorizedException"
