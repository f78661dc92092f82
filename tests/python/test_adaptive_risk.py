"""Adaptive authentication and compromised credentials through boto3: what a sign-in comes to
when threat protection assesses a risk, the account-takeover email and its one-click feedback
links, and leaked passwords.

Cognito's risk model is opaque, so a test sets the risk cognate assesses sign-ins at through
`POST /_cognate/risk` ({"userPoolId", "username"?, "riskLevel": Low|Medium|High|null,
"compromisedPasswords": [...]}); emails are read from `GET /_cognate/outbox`; the email's links
lead to `GET /_cognate/feedback`. Facts about AWS come from docs/research/auth-events-risk.md
("note §N"); where the note leaves a behaviour unconfirmed (the refusal's exception, which
template a refused MFA_REQUIRED sends, what AUDIT records, the feedback's Provider), the test pins
cognate's choice (crates/core/src/idp/auth_events.rs) and says so.
"""

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import boto3
import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

REGION = "us-east-1"
PASSWORD = "R1sky!pass"
OTHER_PASSWORD = "R1sky!other"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]
CALLER_IP = "198.51.100.77"
SOURCE_ARN = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
LINKS = "{one-click-link-valid} {one-click-link-invalid}"
NOTIFY = {
    "SourceArn": SOURCE_ARN,
    "From": "no-reply@example.com",
    "BlockEmail": {"Subject": "Blocked", "TextBody": "Blocked at {login-time} from {ip-address}: " + LINKS},
    "NoActionEmail": {"Subject": "New sign-in", "TextBody": "Signed in at {login-time} from {ip-address}: " + LINKS},
    "MfaEmail": {"Subject": "Verify it", "TextBody": "MFA at {login-time} from {ip-address}: " + LINKS},
}
TAKEOVER = {
    "NotifyConfiguration": NOTIFY,
    "Actions": {"LowAction": {"Notify": True, "EventAction": "NO_ACTION"},
                "MediumAction": {"Notify": True, "EventAction": "MFA_REQUIRED"},
                "HighAction": {"Notify": True, "EventAction": "BLOCK"}},
}
NO_RISK = {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False}


# --- helpers -----------------------------------------------------------------------------------


def code(call, **kwargs):
    """The error code a call is refused with, as a boto3 user reads it."""
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"]


def client_from(ip):
    """A cognito-idp client whose requests say they come from `ip` (through a proxy)."""
    client = boto3.client("cognito-idp", region_name=REGION)

    def add_header(request, **kwargs):
        request.headers["X-Forwarded-For"] = ip

    client.meta.events.register("before-sign.cognito-idp.*", add_header)
    return client


def http(url, method="GET", payload=None):
    """(status, text) of a plain HTTP request."""
    data = json.dumps(payload).encode() if payload is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def set_risk(url, pool_id, **body):
    """POST /_cognate/risk: (status, parsed body). `riskLevel=None` is sent as JSON null."""
    status, text = http(f"{url}/_cognate/risk", "POST", {"userPoolId": pool_id, **body})
    return status, json.loads(text)


def outbox(url, pool_id, username):
    query = urllib.parse.urlencode({"poolId": pool_id, "username": username})
    with urllib.request.urlopen(f"{url}/_cognate/outbox?{query}") as r:
        return json.load(r)["messages"]


def cognate_now(url):
    with urllib.request.urlopen(f"{url}/_cognate/clock") as r:
        return json.load(r)["now"]


def feedback_links(message):
    """The email's two one-click links, {feedbackValue: (link, its query)}."""
    links = re.findall(r"https?://\S+/_cognate/feedback\?\S+", message)
    found = {}
    for link in links:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
        found[query["feedbackValue"]] = (link, query)
    assert len(links) == 2 and set(found) == {"Valid", "Invalid"}, message
    return found


class Pool:
    """A PLUS user pool with threat protection in `mode`, and a public client allowing password
    and SRP sign-in."""

    def __init__(self, idp, mode="ENFORCED", **extra):
        self.idp = idp
        self.id = idp.create_user_pool(PoolName="risky", UserPoolTier="PLUS",
                                       UserPoolAddOns={"AdvancedSecurityMode": mode}, **extra)["UserPool"]["Id"]
        self.client_id = idp.create_user_pool_client(
            UserPoolId=self.id, ClientName="web", ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]

    def add_user(self, username, password=PASSWORD):
        self.idp.admin_create_user(
            UserPoolId=self.id, Username=username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"},
                            {"Name": "email_verified", "Value": "true"}])
        self.idp.admin_set_user_password(UserPoolId=self.id, Username=username, Password=password, Permanent=True)
        return username

    def sign_in(self, username, password=PASSWORD, idp=None):
        return (idp or self.idp).initiate_auth(
            ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password})

    def events(self, username):
        return self.idp.admin_list_user_auth_events(UserPoolId=self.id, Username=username)["AuthEvents"]

    def configure(self, **config):
        return self.idp.set_risk_configuration(UserPoolId=self.id, **config)["RiskConfiguration"]

    def status(self, username):
        return self.idp.admin_get_user(UserPoolId=self.id, Username=username)["UserStatus"]


def summary(event):
    """What an event says happened, without its id, times and address."""
    return (event["EventType"], event.get("EventResponse"),
            [(c["ChallengeName"], c["ChallengeResponse"]) for c in event.get("ChallengeResponses", [])])


def takeover_pool(idp, mode="ENFORCED", **extra):
    pool = Pool(idp, mode=mode, **extra)
    pool.configure(AccountTakeoverRiskConfiguration=TAKEOVER)
    return pool


def blocked_ann(idp, cognate_url):
    """An ENFORCED pool whose user ann is assessed at High risk and refused from CALLER_IP."""
    pool = takeover_pool(idp)
    pool.add_user("ann")
    assert set_risk(cognate_url, pool.id, username="ann", riskLevel="High") == (200, {"status": "set"})
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        pool.sign_in("ann", idp=client_from(CALLER_IP))
    return pool


# --- account takeover in ENFORCED mode ---------------------------------------------------------


def test_high_risk_is_blocked_recorded_and_emailed(idp, cognate_url):
    """HighAction BLOCK: the sign-in is refused (NotAuthorizedException, likely but unconfirmed,
    note §5), the event is SignIn Fail with RiskDecision Block and RiskLevel High, and the
    BlockEmail goes to the user with its placeholders filled."""
    pool = takeover_pool(idp)
    pool.add_user("ann")
    assert set_risk(cognate_url, pool.id, username="ann", riskLevel="High") == (200, {"status": "set"})
    before = cognate_now(cognate_url)
    assert code(pool.sign_in, username="ann", idp=client_from(CALLER_IP)) == "NotAuthorizedException"
    after = cognate_now(cognate_url)

    events = pool.events("ann")
    assert len(events) == 1, events
    event = events[0]
    assert summary(event) == ("SignIn", "Fail", []), "refused before the password was looked at"
    assert event["EventRisk"] == {"RiskDecision": "Block", "RiskLevel": "High",
                                  "CompromisedCredentialsDetected": False}
    assert event["EventContextData"]["IpAddress"] == CALLER_IP

    messages = outbox(cognate_url, pool.id, "ann")
    assert len(messages) == 1, messages
    [mail] = messages
    assert (mail["kind"], mail["medium"], mail["destination"]) == ("AccountTakeover", "EMAIL", "ann@example.com")
    assert mail["subject"] == "Blocked"
    assert "{" not in mail["message"] and "}" not in mail["message"], mail["message"]
    shape = re.fullmatch(r"Blocked at (\d+) from (\S+): (\S+) (\S+)", mail["message"])
    assert shape, mail["message"]
    assert before - 2 <= int(shape.group(1)) <= after + 2, (shape.group(1), before, after)
    assert shape.group(2) == CALLER_IP

    links = feedback_links(mail["message"])
    assert links["Valid"][0] == shape.group(3) and links["Invalid"][0] == shape.group(4), "in the template's order"
    for value, (link, query) in links.items():
        assert link.startswith(cognate_url + "/_cognate/feedback?"), link
        assert query["userPoolId"] == pool.id
        assert query["username"] == "ann"
        assert query["eventId"] == event["EventId"], "the link is for the blocked sign-in's event"
        assert query["feedbackToken"]
    assert links["Valid"][1]["feedbackToken"] == links["Invalid"][1]["feedbackToken"]


def test_high_risk_blocks_every_attempt_while_it_is_set(idp, cognate_url):
    """The level a test sets holds for the next sign-ins, not just one; the right password
    changes nothing."""
    pool = blocked_ann(idp, cognate_url)
    assert code(pool.sign_in, username="ann") == "NotAuthorizedException"
    assert code(idp.admin_initiate_auth, UserPoolId=pool.id, ClientId=pool.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD}) == "NotAuthorizedException"
    events = pool.events("ann")
    assert [(summary(e), e["EventRisk"]["RiskDecision"]) for e in events] == [(("SignIn", "Fail", []), "Block")] * 3
    assert len({e["EventId"] for e in events}) == 3
    assert len(outbox(cognate_url, pool.id, "ann")) == 3


def test_following_the_invalid_link_gives_the_users_feedback(idp, cognate_url):
    """The one-click link calls UpdateAuthEventFeedback with the link's token (note §3);
    cognate records Provider "User" (unconfirmed)."""
    pool = blocked_ann(idp, cognate_url)
    [mail] = outbox(cognate_url, pool.id, "ann")
    link, query = feedback_links(mail["message"])["Invalid"]
    before = cognate_now(cognate_url)
    status, text = http(link)
    assert status == 200, text
    [event] = pool.events("ann")
    assert event["EventId"] == query["eventId"]
    feedback = event["EventFeedback"]
    assert {k: feedback[k] for k in ("FeedbackValue", "Provider")} == {"FeedbackValue": "Invalid", "Provider": "User"}
    assert feedback["FeedbackDate"].timestamp() >= before - 1
    assert event["EventRisk"]["RiskDecision"] == "Block", "feedback never changes the decision made"


def test_update_auth_event_feedback_takes_the_links_token(idp, cognate_url):
    pool = blocked_ann(idp, cognate_url)
    [mail] = outbox(cognate_url, pool.id, "ann")
    query = feedback_links(mail["message"])["Valid"][1]
    token, event_id = query["feedbackToken"], query["eventId"]

    answered = idp.update_auth_event_feedback(UserPoolId=pool.id, Username="ann", EventId=event_id,
                                              FeedbackToken=token, FeedbackValue="Valid")
    assert {k: v for k, v in answered.items() if k != "ResponseMetadata"} == {}
    feedback = pool.events("ann")[0]["EventFeedback"]
    assert (feedback["FeedbackValue"], feedback["Provider"]) == ("Valid", "User")

    # Given again, the later feedback replaces the first.
    idp.update_auth_event_feedback(UserPoolId=pool.id, Username="ann", EventId=event_id,
                                   FeedbackToken=token, FeedbackValue="Invalid")
    assert pool.events("ann")[0]["EventFeedback"]["FeedbackValue"] == "Invalid"


def test_a_wrong_feedback_token_is_not_authorized(idp, cognate_url):
    """A bad token: NotAuthorizedException (the likely type, note §3); the event keeps no
    feedback, through the API or the link."""
    pool = blocked_ann(idp, cognate_url)
    [mail] = outbox(cognate_url, pool.id, "ann")
    link, query = feedback_links(mail["message"])["Invalid"]
    token, event_id = query["feedbackToken"], query["eventId"]
    for wrong in ("not-a-real-token", token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")):
        assert code(idp.update_auth_event_feedback, UserPoolId=pool.id, Username="ann", EventId=event_id,
                    FeedbackToken=wrong, FeedbackValue="Invalid") == "NotAuthorizedException", wrong
    tampered = link.replace(f"feedbackToken={urllib.parse.quote(token, safe='')}", "feedbackToken=not-a-real-token")
    tampered = tampered.replace(f"feedbackToken={token}", "feedbackToken=not-a-real-token")
    assert "not-a-real-token" in tampered
    status, text = http(tampered)
    assert status == 400, (status, text)
    assert "EventFeedback" not in pool.events("ann")[0]


def test_a_token_is_only_good_for_its_own_event_and_user(idp, cognate_url):
    pool = blocked_ann(idp, cognate_url)
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        pool.sign_in("ann")
    newer, older = outbox(cognate_url, pool.id, "ann")
    first = feedback_links(older["message"])["Invalid"][1]
    second = feedback_links(newer["message"])["Invalid"][1]
    assert first["eventId"] != second["eventId"]
    assert [e["EventId"] for e in pool.events("ann")] == [second["eventId"], first["eventId"]]

    # The second email's token, for the first event.
    assert code(idp.update_auth_event_feedback, UserPoolId=pool.id, Username="ann", EventId=first["eventId"],
                FeedbackToken=second["feedbackToken"], FeedbackValue="Invalid") == "NotAuthorizedException"
    # Ann's token, for another user.
    pool.add_user("bob")
    assert code(idp.update_auth_event_feedback, UserPoolId=pool.id, Username="bob", EventId=first["eventId"],
                FeedbackToken=first["feedbackToken"], FeedbackValue="Invalid") == "NotAuthorizedException"
    assert all("EventFeedback" not in e for e in pool.events("ann"))
    # Each token still works for its own event.
    idp.update_auth_event_feedback(UserPoolId=pool.id, Username="ann", EventId=first["eventId"],
                                   FeedbackToken=first["feedbackToken"], FeedbackValue="Valid")
    by_id = {e["EventId"]: e for e in pool.events("ann")}
    assert by_id[first["eventId"]]["EventFeedback"]["FeedbackValue"] == "Valid"
    assert "EventFeedback" not in by_id[second["eventId"]]


def test_low_risk_with_no_action_passes_as_one_account_takeover_event(idp, cognate_url):
    """LowAction NO_ACTION: the sign-in goes through; its one event says AccountTakeover/Low
    (the pool applied the configured response, [M]), and the NoActionEmail is sent."""
    pool = takeover_pool(idp)
    pool.add_user("ann")
    assert set_risk(cognate_url, pool.id, username="ann", riskLevel="Low")[0] == 200
    result = pool.sign_in("ann", idp=client_from(CALLER_IP))
    assert "AccessToken" in result["AuthenticationResult"]

    events = pool.events("ann")
    assert len(events) == 1, "one event for the sign-in, not an assessment and a sign-in"
    [event] = events
    assert summary(event) == ("SignIn", "Pass", [("Password", "Success")])
    assert event["EventRisk"] == {"RiskDecision": "AccountTakeover", "RiskLevel": "Low",
                                  "CompromisedCredentialsDetected": False}

    [mail] = outbox(cognate_url, pool.id, "ann")
    assert (mail["kind"], mail["destination"], mail["subject"]) == ("AccountTakeover", "ann@example.com", "New sign-in")
    assert mail["message"].startswith("Signed in at ") and f"from {CALLER_IP}: " in mail["message"]
    links = feedback_links(mail["message"])
    assert links["Valid"][1]["eventId"] == event["EventId"], "the email's links are for the sign-in's event"


def test_low_risk_with_a_wrong_password_is_one_failed_event(idp, cognate_url):
    """The assessment goes with the attempt's own event, whatever it came to."""
    pool = takeover_pool(idp)
    pool.add_user("ann")
    set_risk(cognate_url, pool.id, username="ann", riskLevel="Low")
    assert code(pool.sign_in, username="ann", password=OTHER_PASSWORD) == "NotAuthorizedException"
    [event] = pool.events("ann")
    assert summary(event) == ("SignIn", "Fail", [("Password", "Failure")])
    assert event["EventRisk"]["RiskDecision"] == "AccountTakeover"
    assert event["EventRisk"]["RiskLevel"] == "Low"


def test_medium_risk_with_mfa_required_refuses_a_user_without_mfa(idp, cognate_url):
    """MFA_REQUIRED: "MFA challenge, or block if the user has no MFA" ([M], note §4). The email
    is the MfaEmail (cognate's choice of template for the refused attempt; unconfirmed)."""
    pool = takeover_pool(idp)
    pool.add_user("ann")
    set_risk(cognate_url, pool.id, username="ann", riskLevel="Medium")
    assert code(pool.sign_in, username="ann") == "NotAuthorizedException"
    [event] = pool.events("ann")
    assert summary(event) == ("SignIn", "Fail", [])
    assert event["EventRisk"] == {"RiskDecision": "Block", "RiskLevel": "Medium",
                                  "CompromisedCredentialsDetected": False}
    [mail] = outbox(cognate_url, pool.id, "ann")
    assert (mail["kind"], mail["subject"]) == ("AccountTakeover", "Verify it")
    assert feedback_links(mail["message"])["Invalid"][1]["eventId"] == event["EventId"]


def test_medium_risk_with_mfa_required_challenges_a_user_with_mfa(idp, cognate_url):
    """A user with an authenticator app is challenged, not refused; the sign-in's one event
    says AccountTakeover/Medium with both factors passed."""
    pool = takeover_pool(idp, MfaConfiguration="OFF")
    idp.set_user_pool_mfa_config(UserPoolId=pool.id, MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    pool.add_user("ann")
    token = pool.sign_in("ann")["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    t = cognate_now(cognate_url)
    idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).at(t), FriendlyDeviceName="phone")
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    setup_events = len(pool.events("ann"))

    set_risk(cognate_url, pool.id, username="ann", riskLevel="Medium")
    started = pool.sign_in("ann")
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA", started
    done = idp.respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=started["Session"],
        ChallengeResponses={"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).at(t + 30)})
    assert "AccessToken" in done["AuthenticationResult"]

    events = pool.events("ann")
    assert len(events) == setup_events + 1, events
    newest = events[0]
    assert summary(newest) == ("SignIn", "Pass", [("Password", "Success"), ("Mfa", "Success")])
    assert newest["EventRisk"] == {"RiskDecision": "AccountTakeover", "RiskLevel": "Medium",
                                   "CompromisedCredentialsDetected": False}
    [mail] = outbox(cognate_url, pool.id, "ann")
    assert mail["subject"] == "Verify it"
    assert feedback_links(mail["message"])["Valid"][1]["eventId"] == newest["EventId"]


def test_a_null_risk_level_is_no_risk(idp, cognate_url):
    """riskLevel null takes the level set before away: the sign-in passes with NoRisk (no
    RiskLevel) and no email."""
    pool = blocked_ann(idp, cognate_url)
    assert set_risk(cognate_url, pool.id, username="ann", riskLevel=None) == (200, {"status": "set"})
    assert "AccessToken" in pool.sign_in("ann")["AuthenticationResult"]
    newest = pool.events("ann")[0]
    assert summary(newest) == ("SignIn", "Pass", [("Password", "Success")])
    assert newest["EventRisk"] == NO_RISK
    assert len(outbox(cognate_url, pool.id, "ann")) == 1, "only the blocked attempt's email"


def test_a_pool_wide_level_applies_to_every_user_and_a_users_own_overrides_it(idp, cognate_url):
    pool = takeover_pool(idp)
    for name in ("ann", "bob", "cy"):
        pool.add_user(name)
    assert set_risk(cognate_url, pool.id, riskLevel="High") == (200, {"status": "set"})
    for name in ("ann", "bob", "cy"):
        assert code(pool.sign_in, username=name) == "NotAuthorizedException", name
        assert pool.events(name)[0]["EventRisk"]["RiskDecision"] == "Block"

    # Ann's own level, and Bob's own "no risk", replace the pool's for them only.
    set_risk(cognate_url, pool.id, username="ann", riskLevel="Low")
    set_risk(cognate_url, pool.id, username="bob", riskLevel=None)
    assert "AuthenticationResult" in pool.sign_in("ann")
    assert pool.events("ann")[0]["EventRisk"] == {"RiskDecision": "AccountTakeover", "RiskLevel": "Low",
                                                  "CompromisedCredentialsDetected": False}
    assert "AuthenticationResult" in pool.sign_in("bob")
    assert pool.events("bob")[0]["EventRisk"] == NO_RISK
    assert code(pool.sign_in, username="cy") == "NotAuthorizedException"

    # The pool's setting changed, Cy follows it; Ann keeps her own.
    set_risk(cognate_url, pool.id, riskLevel=None)
    assert "AuthenticationResult" in pool.sign_in("cy")
    assert pool.events("cy")[0]["EventRisk"] == NO_RISK
    pool.sign_in("ann")
    assert pool.events("ann")[0]["EventRisk"]["RiskLevel"] == "Low"


def test_a_risk_level_without_an_account_takeover_configuration_blocks_nothing(idp, cognate_url):
    """No AccountTakeoverRiskConfiguration, no action to take: the sign-in passes, recorded as
    assessed (AccountTakeover/High: cognate's choice), and no email is sent."""
    pool = Pool(idp)
    pool.add_user("ann")
    set_risk(cognate_url, pool.id, username="ann", riskLevel="High")
    assert "AuthenticationResult" in pool.sign_in("ann")
    assert pool.events("ann")[0]["EventRisk"] == {"RiskDecision": "AccountTakeover", "RiskLevel": "High",
                                                  "CompromisedCredentialsDetected": False}
    assert outbox(cognate_url, pool.id, "ann") == []


# --- AUDIT mode ----------------------------------------------------------------------------------


def test_audit_mode_lets_a_high_risk_sign_in_through_and_records_the_decision(idp, cognate_url):
    """Audit-only "only logs" (note §5): no refusal. cognate records the sign-in's one event as
    SignIn Pass carrying the decision it would have taken (Block, High)."""
    pool = takeover_pool(idp, mode="AUDIT")
    pool.add_user("ann")
    set_risk(cognate_url, pool.id, username="ann", riskLevel="High")
    result = pool.sign_in("ann", idp=client_from(CALLER_IP))
    assert "AccessToken" in result["AuthenticationResult"]
    events = pool.events("ann")
    assert len(events) == 1, events
    assert summary(events[0]) == ("SignIn", "Pass", [("Password", "Success")])
    assert events[0]["EventRisk"] == {"RiskDecision": "Block", "RiskLevel": "High",
                                      "CompromisedCredentialsDetected": False}
    assert events[0]["EventContextData"]["IpAddress"] == CALLER_IP


def test_audit_mode_sends_no_account_takeover_email(idp, cognate_url):
    """Audit-only: Cognito "gathers metrics on detected risks, but doesn't take automatic
    action" (CDK's CustomThreatProtectionMode AUDIT_ONLY); notifying the user is one of the
    automatic responses of full-function mode (note §5, [DG-tp]). A BlockEmail saying the
    sign-in was blocked, for a sign-in that was let through, would be false."""
    pool = takeover_pool(idp, mode="AUDIT")
    pool.add_user("ann")
    set_risk(cognate_url, pool.id, username="ann", riskLevel="High")
    assert "AuthenticationResult" in pool.sign_in("ann")
    assert outbox(cognate_url, pool.id, "ann") == []


# --- compromised credentials ---------------------------------------------------------------------


def compromised_pool(idp, cognate_url, mode="ENFORCED", **credentials):
    pool = Pool(idp, mode=mode)
    pool.configure(CompromisedCredentialsRiskConfiguration={"Actions": {"EventAction": "BLOCK"}, **credentials})
    return pool


def test_a_leaked_password_blocks_the_sign_in_and_requires_a_reset(idp, cognate_url):
    """With BLOCK, "Amazon Cognito prevents sign-in by users who use compromised credentials…
    it sets the user's UserStatus to RESET_REQUIRED" ([DG-cc], note §5); EventFilter omitted
    is every event ([M])."""
    pool = compromised_pool(idp, cognate_url)
    pool.add_user("ann")
    assert set_risk(cognate_url, pool.id, username="ann", compromisedPasswords=[PASSWORD]) == (200, {"status": "set"})
    assert code(pool.sign_in, username="ann") == "NotAuthorizedException"
    assert pool.status("ann") == "RESET_REQUIRED"
    [event] = pool.events("ann")
    assert summary(event) == ("SignIn", "Fail", [])
    assert event["EventRisk"] == {"RiskDecision": "Block", "CompromisedCredentialsDetected": True}
    assert outbox(cognate_url, pool.id, "ann") == [], "no account-takeover configuration, no email"


def test_a_leaked_password_is_checked_on_the_admin_plaintext_flow_too(idp, cognate_url):
    pool = compromised_pool(idp, cognate_url)
    pool.add_user("ann")
    set_risk(cognate_url, pool.id, username="ann", compromisedPasswords=[PASSWORD])
    assert code(idp.admin_initiate_auth, UserPoolId=pool.id, ClientId=pool.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD}) == "NotAuthorizedException"
    assert pool.status("ann") == "RESET_REQUIRED"
    assert pool.events("ann")[0]["EventRisk"]["CompromisedCredentialsDetected"] is True


def test_only_the_leaked_password_is_compromised(idp, cognate_url):
    """A user whose own password is not on the list signs in; a wrong password that is not on
    the list either is an ordinary failure."""
    pool = compromised_pool(idp, cognate_url)
    pool.add_user("ann")
    set_risk(cognate_url, pool.id, username="ann", compromisedPasswords=[OTHER_PASSWORD])
    assert "AuthenticationResult" in pool.sign_in("ann")
    assert pool.events("ann")[0]["EventRisk"] == NO_RISK
    assert pool.status("ann") == "CONFIRMED"


def test_a_leaked_password_over_srp_is_not_checked(idp, cognate_url):
    """Only plaintext-password flows are checked, never SRP ([DG-cc], [DG-tp], note §5): the
    same leaked password signs Bob in through pycognito's SRP, while Ann's plaintext sign-in
    with hers is blocked."""
    pool = compromised_pool(idp, cognate_url)
    pool.add_user("ann")
    pool.add_user("bob")
    assert set_risk(cognate_url, pool.id, compromisedPasswords=[PASSWORD])[0] == 200  # every user's
    srp = AWSSRP(username="bob", password=PASSWORD, pool_id=pool.id, client_id=pool.client_id, client=idp)
    tokens = srp.authenticate_user()
    assert "AccessToken" in tokens["AuthenticationResult"]
    assert pool.status("bob") == "CONFIRMED"
    newest = pool.events("bob")[0]
    assert summary(newest) == ("SignIn", "Pass", [("Password", "Success")])
    assert newest["EventRisk"] == NO_RISK

    assert code(pool.sign_in, username="ann") == "NotAuthorizedException"
    assert pool.status("ann") == "RESET_REQUIRED"


def test_an_event_filter_without_sign_in_checks_no_sign_in(idp, cognate_url):
    pool = compromised_pool(idp, cognate_url, EventFilter=["SIGN_UP"])
    pool.add_user("ann")
    set_risk(cognate_url, pool.id, username="ann", compromisedPasswords=[PASSWORD])
    assert "AuthenticationResult" in pool.sign_in("ann")
    assert pool.status("ann") == "CONFIRMED"
    assert pool.events("ann")[0]["EventRisk"] == NO_RISK


def test_a_leaked_password_with_no_action_is_detected_but_let_through(idp, cognate_url):
    pool = Pool(idp)
    pool.configure(CompromisedCredentialsRiskConfiguration={"EventFilter": ["SIGN_IN"],
                                                            "Actions": {"EventAction": "NO_ACTION"}})
    pool.add_user("ann")
    set_risk(cognate_url, pool.id, username="ann", compromisedPasswords=[PASSWORD])
    assert "AuthenticationResult" in pool.sign_in("ann")
    assert pool.status("ann") == "CONFIRMED"
    assert pool.events("ann")[0]["EventRisk"] == {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": True}


def test_audit_mode_detects_a_leaked_password_without_blocking_or_resetting(idp, cognate_url):
    """AUDIT only logs: the sign-in passes, the user keeps their status, and the event says
    what was found (and the Block that ENFORCED would have applied: cognate's choice)."""
    pool = compromised_pool(idp, cognate_url, mode="AUDIT")
    pool.add_user("ann")
    set_risk(cognate_url, pool.id, username="ann", compromisedPasswords=[PASSWORD])
    assert "AuthenticationResult" in pool.sign_in("ann")
    assert pool.status("ann") == "CONFIRMED"
    [event] = pool.events("ann")
    assert summary(event) == ("SignIn", "Pass", [("Password", "Success")])
    assert event["EventRisk"] == {"RiskDecision": "Block", "CompromisedCredentialsDetected": True}


# --- the test hook itself ----------------------------------------------------------------------


def test_setting_a_risk_for_an_unknown_pool_or_user_is_refused(idp, cognate_url):
    status, answer = set_risk(cognate_url, "us-east-1_Nowhere0", riskLevel="High")
    assert status == 400, answer
    assert answer["__type"] == "ResourceNotFoundException", answer

    pool = takeover_pool(idp)
    status, answer = set_risk(cognate_url, pool.id, username="nobody", riskLevel="High")
    assert status == 400, answer
    assert answer["__type"] == "UserNotFoundException", answer


def test_reset_forgets_the_risk_settings(idp, cognate_url):
    """/_cognate/reset forgets what /_cognate/risk set. Shown on the seeded pool, which the
    reset brings back under the same id (a new pool would have a new id anyway)."""
    pool_id, client_id = "us-east-1_TestPoolId", "testclientid"
    user, password = "testuser@example.com", "TestPass123!"

    def protect():
        idp.update_user_pool(UserPoolId=pool_id, UserPoolTier="PLUS",
                             UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
        idp.set_risk_configuration(UserPoolId=pool_id, AccountTakeoverRiskConfiguration=TAKEOVER)

    def sign_in():
        return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": user, "PASSWORD": password})

    protect()
    assert set_risk(cognate_url, pool_id, riskLevel="High")[0] == 200
    assert code(sign_in) == "NotAuthorizedException"

    status, text = http(f"{cognate_url}/_cognate/reset", "POST")
    assert (status, json.loads(text)["status"]) == (200, "reset")
    protect()
    assert "AccessToken" in sign_in()["AuthenticationResult"]
    [event] = idp.admin_list_user_auth_events(UserPoolId=pool_id, Username=user)["AuthEvents"]
    assert summary(event) == ("SignIn", "Pass", [("Password", "Success")])
    assert event["EventRisk"] == NO_RISK
