"""Threat protection through boto3: a user's auth events (AdminListUserAuthEvents,
AdminUpdateAuthEventFeedback), the risk configuration (Set/DescribeRiskConfiguration) and the
always-block and always-allow IP ranges it applies at sign-in, and the pool's SAML signing
certificate (GetSigningCertificate).

Facts about AWS come from docs/research/auth-events-risk.md ("note §N" below) and the botocore
model of cognito-idp ("[M]"). Where the note leaves a behaviour unconfirmed (which operation
records which event type, the error for an unknown event, what AUDIT records for a blocked
address), the test pins cognate's choice and says so; only error codes are asserted, never
cognate's own texts.

The address an event records is the caller's: the TCP peer, or the first address of an
X-Forwarded-For header, which the tests add to boto3's requests with a botocore event hook.

The clock: `/moto-api/reset` forgets the state but not the clock, and other modules may move
the shared server's clock, so times are compared with cognate's clock (`/_cognate/clock`), not
the wall clock. The test that moves time runs against a cognate of this module's own
(`own_cognate`), as test_sessions.py does.
"""

import base64
import datetime
import json
import re
import urllib.request

import boto3
import pyotp
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


REGION = "us-east-1"
PASSWORD = "Ev3nts!pass"
NEW_PASSWORD = "Ev3nts!pass-2"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
# A well-formed event id ([M] EventIdType: 1-50, [\w+-]+) that no event has.
UNKNOWN_EVENT = "00000000-0000-4000-8000-000000000000"
NO_RISK = {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False}
BLOCKED_RANGE = "192.0.2.0/24"
BLOCKED_IP = "192.0.2.55"
OTHER_IP = "203.0.113.9"


# --- helpers -----------------------------------------------------------------------------------


def code(call, **kwargs):
    """The error code a call is refused with, as a boto3 user reads it."""
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"]


def body(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def forwarded_for(client, ip):
    """Makes every request `client` sends carry `X-Forwarded-For: ip`."""

    def add_header(request, **kwargs):
        request.headers["X-Forwarded-For"] = ip

    client.meta.events.register("before-sign.cognito-idp.*", add_header)
    return client


def client_from(ip, endpoint_url=None, **kwargs):
    """A cognito-idp client whose requests say they come from `ip` (through a proxy)."""
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
    return forwarded_for(boto3.client("cognito-idp", region_name=REGION, **kwargs), ip)


def cognate_now(url):
    with urllib.request.urlopen(f"{url}/_cognate/clock") as r:
        return json.load(r)["now"]


def epoch(when):
    return when.timestamp()


class Pool:
    """A user pool, with threat protection in `mode` (None: no UserPoolAddOns at all), and a
    public client allowing password sign-in."""

    def __init__(self, idp, mode="AUDIT", tier="PLUS", **extra):
        self.idp = idp
        kwargs = dict(extra)
        if tier:
            kwargs["UserPoolTier"] = tier
        if mode:
            kwargs["UserPoolAddOns"] = {"AdvancedSecurityMode": mode}
        self.id = idp.create_user_pool(PoolName="events", **kwargs)["UserPool"]["Id"]
        self.client_id = self.add_client("web")

    def add_client(self, name):
        return self.idp.create_user_pool_client(
            UserPoolId=self.id, ClientName=name, ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]

    def add_user(self, username, password=PASSWORD):
        self.idp.admin_create_user(
            UserPoolId=self.id, Username=username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"},
                            {"Name": "email_verified", "Value": "true"}])
        self.idp.admin_set_user_password(UserPoolId=self.id, Username=username, Password=password, Permanent=True)
        return username

    def sign_in(self, username, password=PASSWORD, client_id=None, idp=None):
        return (idp or self.idp).initiate_auth(
            ClientId=client_id or self.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password})

    def events(self, username, **kwargs):
        return self.idp.admin_list_user_auth_events(UserPoolId=self.id, Username=username, **kwargs)["AuthEvents"]

    def set_risk(self, client_id=None, **config):
        kwargs = {"ClientId": client_id} if client_id else {}
        return self.idp.set_risk_configuration(UserPoolId=self.id, **kwargs, **config)["RiskConfiguration"]

    def describe_risk(self, client_id=None):
        kwargs = {"ClientId": client_id} if client_id else {}
        return self.idp.describe_risk_configuration(UserPoolId=self.id, **kwargs)["RiskConfiguration"]


def summary(event):
    """What an event says happened, without its id, times and address."""
    return (event["EventType"], event.get("EventResponse"),
            [(c["ChallengeName"], c["ChallengeResponse"]) for c in event.get("ChallengeResponses", [])])


def assert_well_formed(event, ip, since, until):
    """Every event: a UUID id, a creation time in [since, until] on cognate's clock, no risk,
    and the caller's address."""
    assert UUID.match(event["EventId"]), event
    assert isinstance(event["CreationDate"], datetime.datetime), event
    assert since - 1 <= epoch(event["CreationDate"]) <= until + 1, (event, since, until)
    assert event["EventRisk"] == NO_RISK, event
    assert "RiskLevel" not in event["EventRisk"], "RiskLevel is left out with NoRisk (note §1, [DG-export])"
    assert event["EventContextData"]["IpAddress"] == ip, event
    assert "EventFeedback" not in event, event


@pytest.fixture
def unvalidated(cognate_url):
    """A cognito-idp client that sends what it is given: botocore checks no required members."""
    return boto3.client("cognito-idp", region_name=REGION, config=Config(parameter_validation=False))


# --- the gate ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [None, "OFF"])
def test_without_threat_protection_events_cannot_be_listed_or_given_feedback(idp, mode):
    """"This exception is thrown when user pool add-ons aren't enabled" ([M]; note §2, "Refusal
    when off"): no UserPoolAddOns, or AdvancedSecurityMode OFF."""
    pool = Pool(idp, mode=mode)
    pool.add_user("ann")
    pool.sign_in("ann")
    assert code(idp.admin_list_user_auth_events,
                UserPoolId=pool.id, Username="ann") == "UserPoolAddOnNotEnabledException"
    assert code(idp.admin_update_auth_event_feedback, UserPoolId=pool.id, Username="ann",
                EventId=UNKNOWN_EVENT, FeedbackValue="Invalid") == "UserPoolAddOnNotEnabledException"


def test_a_pool_on_plus_takes_audit_mode_and_describes_it(idp):
    """CreateUserPool on the Plus tier accepts the add-on ([M]: "your user pool must be on the
    Plus tier"), and DescribeUserPool shows it."""
    pool = Pool(idp, mode="AUDIT")
    described = idp.describe_user_pool(UserPoolId=pool.id)["UserPool"]
    assert described["UserPoolAddOns"] == {"AdvancedSecurityMode": "AUDIT"}
    assert described["UserPoolTier"] == "PLUS"


def test_events_are_only_recorded_while_threat_protection_is_on(idp):
    """User-activity logs are generated "only when threat protection is in Audit-only or
    Full-function mode" (note §2): a sign-in before the add-on is turned on leaves nothing."""
    pool = Pool(idp, mode=None)
    pool.add_user("ann")
    pool.sign_in("ann")
    idp.update_user_pool(UserPoolId=pool.id, UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    assert pool.events("ann") == []
    pool.sign_in("ann")
    assert [summary(e) for e in pool.events("ann")] == [("SignIn", "Pass", [("Password", "Success")])]


def test_listing_an_unknown_pool_or_user_is_refused(idp):
    pool = Pool(idp)
    assert code(idp.admin_list_user_auth_events,
                UserPoolId="us-east-1_Nowhere0", Username="ann") == "ResourceNotFoundException"
    assert code(idp.admin_list_user_auth_events, UserPoolId=pool.id, Username="nobody") == "UserNotFoundException"


# --- what is recorded --------------------------------------------------------------------------


def test_a_users_activity_is_listed_newest_first(idp, cognate_url):
    """SignUp, a sign-in, a wrong password, ForgotPassword and ChangePassword each leave one
    event (the mapping of operations to event types is cognate's choice, note §1), newest first
    (note §2, "Ordering")."""
    pool = Pool(idp)
    since = cognate_now(cognate_url)
    idp.sign_up(ClientId=pool.client_id, Username="bea", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "bea@example.com"}])
    idp.admin_confirm_sign_up(UserPoolId=pool.id, Username="bea")
    tokens = pool.sign_in("bea")["AuthenticationResult"]
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        pool.sign_in("bea", password="Wr0ng!password")
    # A reset code goes to a verified address.
    idp.admin_update_user_attributes(UserPoolId=pool.id, Username="bea",
                                     UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    idp.forgot_password(ClientId=pool.client_id, Username="bea")
    idp.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD)
    until = cognate_now(cognate_url)

    events = pool.events("bea")
    assert [summary(e) for e in events] == [
        ("PasswordChange", "Pass", []),
        ("ForgotPassword", "Pass", []),
        ("SignIn", "Fail", [("Password", "Failure")]),
        ("SignIn", "Pass", [("Password", "Success")]),
        ("SignUp", "Pass", []),
    ]
    for event in events:
        assert_well_formed(event, "127.0.0.1", since, until)
    assert len({e["EventId"] for e in events}) == len(events), "each event has an id of its own"
    dates = [e["CreationDate"] for e in events]
    assert dates == sorted(dates, reverse=True), dates


def test_resending_a_confirmation_code_is_a_resend_code_event(idp, cognate_url):
    pool = Pool(idp)
    since = cognate_now(cognate_url)
    idp.sign_up(ClientId=pool.client_id, Username="cal", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "cal@example.com"}])
    idp.resend_confirmation_code(ClientId=pool.client_id, Username="cal")
    events = pool.events("cal")
    assert [summary(e) for e in events] == [("ResendCode", "Pass", []), ("SignUp", "Pass", [])]
    for event in events:
        assert_well_formed(event, "127.0.0.1", since, cognate_now(cognate_url))


def test_the_address_recorded_is_the_first_of_x_forwarded_for(idp, cognate_url):
    pool = Pool(idp)
    pool.add_user("dan")
    proxied = client_from("198.51.100.23, 10.0.0.1")
    pool.sign_in("dan", idp=proxied)
    with pytest.raises(proxied.exceptions.NotAuthorizedException):
        pool.sign_in("dan", password="Wr0ng!password", idp=proxied)
    events = pool.events("dan")
    assert [summary(e) for e in events] == [("SignIn", "Fail", [("Password", "Failure")]),
                                            ("SignIn", "Pass", [("Password", "Success")])]
    assert [e["EventContextData"]["IpAddress"] for e in events] == ["198.51.100.23", "198.51.100.23"]
    # Without the header, the connection's own address.
    pool.sign_in("dan")
    assert pool.events("dan")[0]["EventContextData"]["IpAddress"] == "127.0.0.1"


def test_events_page_by_max_results_with_next_token(idp):
    pool = Pool(idp)
    pool.add_user("eve")
    for _ in range(3):
        pool.sign_in("eve")
        with pytest.raises(idp.exceptions.NotAuthorizedException):
            pool.sign_in("eve", password="Wr0ng!password")
    everything = pool.events("eve")
    assert len(everything) == 6
    assert "NextToken" not in idp.admin_list_user_auth_events(UserPoolId=pool.id, Username="eve")

    pages, token = [], None
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = idp.admin_list_user_auth_events(UserPoolId=pool.id, Username="eve", MaxResults=2, **kwargs)
        assert 1 <= len(page["AuthEvents"]) <= 2, page
        pages.append(page["AuthEvents"])
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 2]
    assert [e["EventId"] for p in pages for e in p] == [e["EventId"] for e in everything], "none missing or repeated"

    paginator = idp.get_paginator("admin_list_user_auth_events")
    paged = [e["EventId"] for page in paginator.paginate(UserPoolId=pool.id, Username="eve",
                                                          PaginationConfig={"PageSize": 4})
             for e in page["AuthEvents"]]
    assert paged == [e["EventId"] for e in everything]


def app_mfa_user(idp, pool, cognate_url, username):
    """A user of `pool` whose sign-ins are challenged for an authenticator-app code. Answers the
    app's secret and the time whose step verifying it spent."""
    idp.set_user_pool_mfa_config(UserPoolId=pool.id, MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    pool.add_user(username)
    token = pool.sign_in(username)["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    t = cognate_now(cognate_url)
    idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).at(t), FriendlyDeviceName="phone")
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return secret, t


def test_a_wrong_mfa_code_is_a_failed_sign_in_past_the_password(idp, cognate_url):
    """A wrong authenticator-app code: SignIn Fail, the password passed and MFA failed."""
    pool = Pool(idp)
    secret, t = app_mfa_user(idp, pool, cognate_url, "fay")
    started = pool.sign_in("fay")
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    near = {pyotp.TOTP(secret).at(t + 30 * k) for k in range(-3, 4)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in near)
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.respond_to_auth_challenge(ClientId=pool.client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
                                      Session=started["Session"],
                                      ChallengeResponses={"USERNAME": "fay", "SOFTWARE_TOKEN_MFA_CODE": wrong})
    newest = pool.events("fay")[0]
    assert summary(newest) == ("SignIn", "Fail", [("Password", "Success"), ("Mfa", "Failure")])
    assert newest["EventRisk"] == NO_RISK


def test_a_sign_in_that_passes_mfa_records_the_mfa_success(idp, cognate_url):
    """A sign-in completed with a right app code: SignIn Pass, with both the password and the
    MFA challenge passed (ChallengeResponses names Password and Mfa, [M]; the note's plan for
    cognate, "RespondToAuthChallenge updates the same event with Mfa/Success|Failure")."""
    pool = Pool(idp)
    secret, t = app_mfa_user(idp, pool, cognate_url, "gia")
    started = pool.sign_in("gia")
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = idp.respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=started["Session"],
        ChallengeResponses={"USERNAME": "gia", "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).at(t + 30)})
    assert "AccessToken" in done["AuthenticationResult"]
    newest = pool.events("gia")[0]
    assert summary(newest) == ("SignIn", "Pass", [("Password", "Success"), ("Mfa", "Success")]), newest


# --- feedback ----------------------------------------------------------------------------------


def test_admin_feedback_is_shown_on_the_event(idp, cognate_url):
    """AdminUpdateAuthEventFeedback answers {} ([M]); the event then carries the feedback,
    Provider "Admin" (the console's value, [M]; cognate's for the admin call, note §3)."""
    pool = Pool(idp)
    pool.add_user("gus")
    pool.sign_in("gus")
    pool.sign_in("gus")
    events = pool.events("gus")
    target, other = events[1], events[0]
    before = cognate_now(cognate_url)
    answered = idp.admin_update_auth_event_feedback(UserPoolId=pool.id, Username="gus",
                                                    EventId=target["EventId"], FeedbackValue="Invalid")
    assert body(answered) == {}
    after = cognate_now(cognate_url)

    now = {e["EventId"]: e for e in pool.events("gus")}
    assert [e["EventId"] for e in pool.events("gus")] == [other["EventId"], target["EventId"]], "order kept"
    feedback = now[target["EventId"]]["EventFeedback"]
    assert set(feedback) == {"FeedbackValue", "Provider", "FeedbackDate"}
    assert feedback["FeedbackValue"] == "Invalid"
    assert feedback["Provider"] == "Admin"
    assert before - 1 <= epoch(feedback["FeedbackDate"]) <= after + 1
    # Nothing else about the event changed; the other event has no feedback.
    assert {k: v for k, v in now[target["EventId"]].items() if k != "EventFeedback"} == target
    assert now[other["EventId"]] == other

    # Feedback given again replaces the first.
    idp.admin_update_auth_event_feedback(UserPoolId=pool.id, Username="gus",
                                         EventId=target["EventId"], FeedbackValue="Valid")
    again = {e["EventId"]: e for e in pool.events("gus")}[target["EventId"]]["EventFeedback"]
    assert again["FeedbackValue"] == "Valid" and again["Provider"] == "Admin"


def test_feedback_on_an_unknown_event_or_user_is_refused(idp):
    """Unknown event: ResourceNotFoundException (cognate's choice; note §3, unconfirmed).
    Unknown user: UserNotFoundException ([M] errors)."""
    pool = Pool(idp)
    pool.add_user("hal")
    pool.sign_in("hal")
    event_id = pool.events("hal")[0]["EventId"]
    assert code(idp.admin_update_auth_event_feedback, UserPoolId=pool.id, Username="hal",
                EventId=UNKNOWN_EVENT, FeedbackValue="Invalid") == "ResourceNotFoundException"
    assert code(idp.admin_update_auth_event_feedback, UserPoolId=pool.id, Username="nobody",
                EventId=event_id, FeedbackValue="Invalid") == "UserNotFoundException"
    # Another user's event is not this user's.
    pool.add_user("ivy")
    assert code(idp.admin_update_auth_event_feedback, UserPoolId=pool.id, Username="ivy",
                EventId=event_id, FeedbackValue="Invalid") == "ResourceNotFoundException"
    assert "EventFeedback" not in pool.events("hal")[0]


def test_a_recreated_user_does_not_inherit_the_deleted_users_events(idp):
    pool = Pool(idp)
    pool.add_user("jo")
    pool.sign_in("jo")
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        pool.sign_in("jo", password="Wr0ng!password")
    assert len(pool.events("jo")) == 2
    idp.admin_delete_user(UserPoolId=pool.id, Username="jo")
    assert code(idp.admin_list_user_auth_events, UserPoolId=pool.id, Username="jo") == "UserNotFoundException"
    pool.add_user("jo")
    assert pool.events("jo") == []


def test_events_are_ordered_and_dated_on_cognates_clock(own_cognate):
    """CreationDate is cognate's time (epoch seconds with milliseconds on the wire, note §1)."""
    idp = own_cognate.idp
    pool = Pool(idp)
    pool.add_user("kit")
    start = cognate_now(own_cognate.url)
    pool.sign_in("kit")
    own_cognate.advance(3600)
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        pool.sign_in("kit", password="Wr0ng!password")
    events = pool.events("kit")
    assert [summary(e) for e in events] == [("SignIn", "Fail", [("Password", "Failure")]),
                                            ("SignIn", "Pass", [("Password", "Success")])]
    first, second = epoch(events[1]["CreationDate"]), epoch(events[0]["CreationDate"])
    assert start - 1 <= first <= start + 60
    assert 3600 <= second - first <= 3660


# --- the risk configuration --------------------------------------------------------------------


def test_a_new_pool_describes_an_empty_configuration(idp):
    """Nothing set: {UserPoolId} (plus ClientId when asked with one); cognate's choice, note §4."""
    pool = Pool(idp, mode=None)
    assert pool.describe_risk() == {"UserPoolId": pool.id}
    assert pool.describe_risk(pool.client_id) == {"UserPoolId": pool.id, "ClientId": pool.client_id}


COMPROMISED = {"EventFilter": ["SIGN_IN"], "Actions": {"EventAction": "BLOCK"}}
EXCEPTIONS = {"BlockedIPRangeList": [BLOCKED_RANGE], "SkippedIPRangeList": ["198.51.100.7/32"]}


def test_a_pool_configuration_is_echoed_described_overridden_and_cleared(idp):
    pool = Pool(idp, mode=None)
    set_ = pool.set_risk(CompromisedCredentialsRiskConfiguration=COMPROMISED, RiskExceptionConfiguration=EXCEPTIONS)
    assert isinstance(set_.pop("LastModifiedDate"), datetime.datetime)
    assert set_ == {"UserPoolId": pool.id, "CompromisedCredentialsRiskConfiguration": COMPROMISED,
                    "RiskExceptionConfiguration": EXCEPTIONS}
    described = pool.describe_risk()
    assert isinstance(described.pop("LastModifiedDate"), datetime.datetime)
    assert described == set_

    # A client's own configuration is the client's only.
    client_exceptions = {"SkippedIPRangeList": ["203.0.113.0/24"]}
    client_set = pool.set_risk(pool.client_id, RiskExceptionConfiguration=client_exceptions)
    client_set.pop("LastModifiedDate")
    assert client_set == {"UserPoolId": pool.id, "ClientId": pool.client_id,
                          "RiskExceptionConfiguration": client_exceptions}
    client_described = pool.describe_risk(pool.client_id)
    client_described.pop("LastModifiedDate")
    assert client_described == client_set
    pool_described = pool.describe_risk()
    pool_described.pop("LastModifiedDate")
    assert pool_described == set_, "the pool's configuration is untouched"
    other = pool.add_client("other")
    assert pool.describe_risk(other).get("RiskExceptionConfiguration") != client_exceptions

    # Only the UserPoolId: the pool's configuration is reset ([M] SetRiskConfiguration).
    pool.set_risk()
    assert pool.describe_risk() == {"UserPoolId": pool.id}
    # The client's own stays until it too is reset.
    assert pool.describe_risk(pool.client_id)["RiskExceptionConfiguration"] == client_exceptions
    pool.set_risk(pool.client_id)
    assert pool.describe_risk(pool.client_id) == {"UserPoolId": pool.id, "ClientId": pool.client_id}


def test_an_account_takeover_configuration_round_trips(idp):
    pool = Pool(idp)
    takeover = {
        "NotifyConfiguration": {"SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
                                "From": "security@example.com",
                                "BlockEmail": {"Subject": "Blocked", "TextBody": "We blocked {login-time}"}},
        "Actions": {"LowAction": {"Notify": False, "EventAction": "NO_ACTION"},
                    "MediumAction": {"Notify": True, "EventAction": "MFA_IF_CONFIGURED"},
                    "HighAction": {"Notify": True, "EventAction": "BLOCK"}},
    }
    set_ = pool.set_risk(AccountTakeoverRiskConfiguration=takeover)
    assert set_["AccountTakeoverRiskConfiguration"] == takeover
    assert pool.describe_risk()["AccountTakeoverRiskConfiguration"] == takeover


@pytest.mark.parametrize("ranges", [{"BlockedIPRangeList": ["300.1.1.1/8"]},
                                    {"SkippedIPRangeList": ["192.0.2.0/33"]},
                                    {"BlockedIPRangeList": ["not-an-address"]}])
def test_an_invalid_cidr_is_an_invalid_parameter(idp, ranges):
    pool = Pool(idp)
    assert code(idp.set_risk_configuration, UserPoolId=pool.id,
                RiskExceptionConfiguration=ranges) == "InvalidParameterException"
    assert pool.describe_risk() == {"UserPoolId": pool.id}, "nothing was stored"


def test_a_client_of_another_pool_or_an_unknown_pool_is_not_found(idp):
    pool, other = Pool(idp), Pool(idp)
    assert code(idp.set_risk_configuration, UserPoolId=pool.id, ClientId=other.client_id,
                RiskExceptionConfiguration=EXCEPTIONS) == "ResourceNotFoundException"
    assert code(idp.describe_risk_configuration, UserPoolId=pool.id,
                ClientId=other.client_id) == "ResourceNotFoundException"
    assert code(idp.set_risk_configuration, UserPoolId="us-east-1_Nowhere0",
                RiskExceptionConfiguration=EXCEPTIONS) == "ResourceNotFoundException"
    assert code(idp.describe_risk_configuration, UserPoolId="us-east-1_Nowhere0") == "ResourceNotFoundException"


def test_notify_configuration_without_source_arn_is_an_invalid_parameter(unvalidated):
    """NotifyConfigurationType requires SourceArn ([M]); botocore would refuse it before
    sending, so the check is cognate's own."""
    pool = Pool(unvalidated)
    assert code(unvalidated.set_risk_configuration, UserPoolId=pool.id, AccountTakeoverRiskConfiguration={
        "NotifyConfiguration": {"From": "security@example.com"},
        "Actions": {"HighAction": {"Notify": True, "EventAction": "BLOCK"}},
    }) == "InvalidParameterException"
    assert pool.describe_risk() == {"UserPoolId": pool.id}


# --- blocking at sign-in -----------------------------------------------------------------------


def blocked_pool(idp, mode):
    pool = Pool(idp, mode=mode)
    pool.add_user("lee")
    pool.set_risk(RiskExceptionConfiguration={"BlockedIPRangeList": [BLOCKED_RANGE]})
    return pool


def test_enforced_mode_refuses_a_sign_in_from_a_blocked_range(idp):
    """BlockedIPRangeList "always blocks authentication requests" ([M]): NotAuthorizedException
    (likely, note §5) and an event with RiskDecision Block."""
    pool = blocked_pool(idp, "ENFORCED")
    blocked = client_from(BLOCKED_IP)
    assert code(pool.sign_in, username="lee", idp=blocked) == "NotAuthorizedException"
    events = pool.events("lee")
    assert len(events) == 1, events
    event = events[0]
    assert event["EventType"] == "SignIn"
    assert event["EventResponse"] == "Fail"
    assert event["EventRisk"]["RiskDecision"] == "Block"
    assert event["EventRisk"].get("CompromisedCredentialsDetected") is False
    assert event.get("ChallengeResponses", []) == [], "refused before the password was looked at"
    assert event["EventContextData"]["IpAddress"] == BLOCKED_IP
    assert UUID.match(event["EventId"])

    # The same sign-in from elsewhere goes through.
    result = pool.sign_in("lee", idp=client_from(OTHER_IP))
    assert "AccessToken" in result["AuthenticationResult"]
    newest = pool.events("lee")[0]
    assert summary(newest) == ("SignIn", "Pass", [("Password", "Success")])
    assert newest["EventRisk"] == NO_RISK
    assert newest["EventContextData"]["IpAddress"] == OTHER_IP


def test_enforced_mode_blocks_the_admin_flow_too(idp):
    pool = blocked_pool(idp, "ENFORCED")
    blocked = client_from(BLOCKED_IP)
    assert code(blocked.admin_initiate_auth, UserPoolId=pool.id, ClientId=pool.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "lee", "PASSWORD": PASSWORD}) == "NotAuthorizedException"
    assert pool.events("lee")[0]["EventRisk"]["RiskDecision"] == "Block"


def test_audit_mode_records_the_block_and_lets_the_sign_in_through(idp):
    """Audit-only "only logs" (note §5): the blocked address's sign-in goes through, and its one
    event says what full-function mode would have decided."""
    pool = blocked_pool(idp, "AUDIT")
    result = pool.sign_in("lee", idp=client_from(BLOCKED_IP))
    assert "AccessToken" in result["AuthenticationResult"]
    events = pool.events("lee")
    assert len(events) == 1, events
    assert summary(events[0]) == ("SignIn", "Pass", [("Password", "Success")])
    assert events[0]["EventRisk"]["RiskDecision"] == "Block"
    assert events[0]["EventContextData"]["IpAddress"] == BLOCKED_IP


def test_a_skipped_range_is_never_blocked(idp):
    """SkippedIPRangeList: "Risk detection isn't performed" ([M])."""
    pool = Pool(idp, mode="ENFORCED")
    pool.add_user("max")
    pool.set_risk(RiskExceptionConfiguration={"BlockedIPRangeList": [BLOCKED_RANGE],
                                              "SkippedIPRangeList": ["192.0.2.55/32"]})
    assert "AuthenticationResult" in pool.sign_in("max", idp=client_from(BLOCKED_IP))
    assert code(pool.sign_in, username="max", idp=client_from("192.0.2.56")) == "NotAuthorizedException"
    decisions = [e["EventRisk"]["RiskDecision"] for e in pool.events("max")]
    assert decisions == ["Block", "NoRisk"]


def test_a_clients_own_configuration_overrides_the_pools_blocked_ranges(idp):
    """A client-level configuration applies to that client instead of the pool's ([M]): an
    empty always-block list unblocks the client; the pool's other clients stay blocked."""
    pool = blocked_pool(idp, "ENFORCED")
    second = pool.add_client("second")
    pool.set_risk(second, RiskExceptionConfiguration={"BlockedIPRangeList": []})
    assert pool.describe_risk(second)["RiskExceptionConfiguration"] == {"BlockedIPRangeList": []}
    blocked = client_from(BLOCKED_IP)
    assert "AuthenticationResult" in pool.sign_in("lee", client_id=second, idp=blocked)
    assert code(pool.sign_in, username="lee", client_id=pool.client_id, idp=blocked) == "NotAuthorizedException"
    decisions = [(e["EventResponse"], e["EventRisk"]["RiskDecision"]) for e in pool.events("lee")]
    assert decisions == [("Fail", "Block"), ("Pass", "NoRisk")]

    # Reset, the client answers to the pool's configuration again.
    pool.set_risk(second)
    assert code(pool.sign_in, username="lee", client_id=second, idp=blocked) == "NotAuthorizedException"


def test_a_blocked_range_blocks_nothing_without_threat_protection(idp):
    """What the settings do applies only where threat protection is on (risk.rs)."""
    pool = blocked_pool(idp, None)
    assert "AuthenticationResult" in pool.sign_in("lee", idp=client_from(BLOCKED_IP))


# --- the signing certificate -------------------------------------------------------------------


def test_the_signing_certificate_is_a_ten_year_self_signed_rsa_certificate_for_the_pool(idp):
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID

    pool = Pool(idp, mode=None)
    answer = idp.get_signing_certificate(UserPoolId=pool.id)
    assert set(body(answer)) == {"Certificate"}
    text = answer["Certificate"]
    assert "BEGIN CERTIFICATE" not in text, "DER, base64, without PEM armour"
    der = base64.b64decode(text, validate=True)
    assert der[:2] == b"\x30\x82", "a DER SEQUENCE"

    cert = x509.load_der_x509_certificate(der)
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size == 2048
    life = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert datetime.timedelta(days=3650) <= life <= datetime.timedelta(days=3653), life
    common_names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert [a.value for a in common_names] == [pool.id]
    assert cert.issuer == cert.subject
    # Self-signed: its own key verifies its signature.
    key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
    assert cert.serial_number > 0


def test_the_signing_certificate_is_the_same_each_time_and_the_pools_own(idp):
    pool, other = Pool(idp, mode=None), Pool(idp, mode=None)
    first = idp.get_signing_certificate(UserPoolId=pool.id)["Certificate"]
    assert idp.get_signing_certificate(UserPoolId=pool.id)["Certificate"] == first
    theirs = idp.get_signing_certificate(UserPoolId=other.id)["Certificate"]
    assert theirs != first
    assert base64.b64decode(theirs)[:2] == b"\x30\x82"


def test_the_signing_certificate_of_an_unknown_pool_is_not_found(idp):
    assert code(idp.get_signing_certificate, UserPoolId="us-east-1_Nowhere0") == "ResourceNotFoundException"
