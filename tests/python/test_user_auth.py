"""Choice-based sign-in (AuthFlow USER_AUTH) through boto3: the pool's sign-in policy and its
refusals, SELECT_CHALLENGE and AvailableChallenges, PASSWORD and PASSWORD_SRP (pycognito's SRP
maths) as a first factor, EMAIL_OTP and SMS_OTP sign-in with the codes read from the outbox, how
MFA narrows the choice, auto sign-in with SignUp's and ConfirmSignUp's Session, unknown users,
and GetUserAuthFactors.

Facts about AWS come from docs/research/user-auth-passkeys.md ("note §N" below; it names its
own sources), shared/reference/cognito-wave2.md ("W2 §N") and the botocore model ("[M]"). Where
the note leaves a text unconfirmed, only the exception's type is asserted.

No test moves cognate's clock.
"""

import json
import urllib.request

import jwt
import pyotp
import pytest
from pycognito.aws_srp import AWSSRP

PW = "Choice!pass1234"
WRONG = "Not!thePass1234"
SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns", "ExternalId": "cognate-tests"}
TOTP_ON = {"Enabled": True}
# ALLOW_USER_AUTH alone is enough for every first factor inside USER_AUTH, the password ones
# included (note §5; the developer guide's "selection-sdk" page names only ALLOW_USER_AUTH).
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
OTP_WITH_MFA = "Only PASSWORD and WEB_AUTHN (if configured) can be enabled as an auth factor if MFA is enabled"
PASSWORD_REQUIRED = "Password should be configured as one of the allowed first auth factors."
WEB_AUTHN_SINGLE = ("Cannot set WebAuthn factor configuration to SINGLE_FACTOR if MFA is required and "
                    "WebAuthn is an allowed first auth factor")


# ---------------------------------------------------------------------------------------------
# Helpers


def sign_in_policy(factors):
    return {"SignInPolicy": {"AllowedFirstAuthFactors": factors}}


def make_pool(idp, factors=None, mfa=None, prevent="ENABLED", flows=FLOWS, **pool_args):
    """A pool allowing `factors` first (the default policy when None), with `mfa` given to
    SetUserPoolMfaConfig when set, and a public client allowing `flows`."""
    if factors is not None:
        pool_args["Policies"] = sign_in_policy(factors)
        if "SMS_OTP" in factors:
            pool_args.setdefault("SmsConfiguration", SMS_CONFIG)
    pool = idp.create_user_pool(PoolName="choice", **pool_args)["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c", ExplicitAuthFlows=flows,
                                         PreventUserExistenceErrors=prevent)["UserPoolClient"]["ClientId"]
    if mfa is not None:
        idp.set_user_pool_mfa_config(UserPoolId=pool, **mfa)
    return pool, client


def make_user(idp, pool, name, **attributes):
    attrs = [{"Name": k, "Value": v} for k, v in attributes.items()]
    idp.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS", UserAttributes=attrs)
    idp.admin_set_user_password(UserPoolId=pool, Username=name, Password=PW, Permanent=True)


def user_auth(idp, client, name, **params):
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": name, **params})


def respond(idp, client, challenge, session, name, **responses):
    return idp.respond_to_auth_challenge(ClientId=client, ChallengeName=challenge, Session=session,
                                         ChallengeResponses={"USERNAME": name, **responses})


def select(idp, client, name, expected):
    """USER_AUTH without a preference: SELECT_CHALLENGE listing `expected`."""
    started = user_auth(idp, client, name)
    assert "AuthenticationResult" not in started
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == expected
    assert started["Session"]
    return started


def access_token(idp, client, name):
    done = user_auth(idp, client, name, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PW)
    return done["AuthenticationResult"]["AccessToken"]


def error(e):
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def body(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def assert_tokens(response, username, client):
    """Tokens, and no further challenge."""
    assert "ChallengeName" not in response
    result = response["AuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert result["RefreshToken"]
    id_claims = claims(result["IdToken"])
    assert id_claims["cognito:username"] == username
    assert id_claims["aud"] == client
    assert claims(result["AccessToken"])["token_use"] == "access"


def outbox(cognate_url, query):
    with urllib.request.urlopen(f"{cognate_url}/_cognate/outbox?{query}") as r:
        return json.load(r)["messages"]


def sign_in_codes(cognate_url, pool, name):
    """The sign-in codes sent to `name`, newest first (the sign-up code left out)."""
    return [m for m in outbox(cognate_url, f"poolId={pool}&username={name}") if m["kind"] != "SignUp"]


def other_code(code):
    return next(c for c in ("00000000", "11111111", "22222222") if c != code)


def attributes(idp, pool, name):
    return {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username=name)["UserAttributes"]}


def cognate_now(cognate_url):
    with urllib.request.urlopen(f"{cognate_url}/_cognate/clock") as r:
        return json.load(r)["now"]


def set_up_app(idp, cognate_url, token):
    """An authenticator app verified and turned on, preferred. Answers the secret and the time
    whose step the verification spent."""
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    t = cognate_now(cognate_url)
    verified = idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).at(t), FriendlyDeviceName="phone")
    assert verified["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return secret, t


def described_factors(idp, pool):
    return idp.describe_user_pool(UserPoolId=pool)["UserPool"]["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"]


# ---------------------------------------------------------------------------------------------
# 1. The pool's sign-in policy


def test_sign_in_policy_needs_password_and_reads_back(idp):
    # Note §1: PASSWORD must be allowed, at CreateUserPool and UpdateUserPool alike (the
    # developer guide's passwordless example without it is wrong against AWS).
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.create_user_pool(PoolName="otp-only", Policies=sign_in_policy(["EMAIL_OTP"]))
    assert error(e)[1] == PASSWORD_REQUIRED
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.create_user_pool(PoolName="otp-only", Policies=sign_in_policy(["EMAIL_OTP", "SMS_OTP"]),
                             SmsConfiguration=SMS_CONFIG)
    assert error(e)[1] == PASSWORD_REQUIRED
    # SOFTWARE_TOKEN "is not currently supported as a first auth factor" [M]; the text is
    # unconfirmed (note §1).
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.create_user_pool(PoolName="totp-first", Policies=sign_in_policy(["PASSWORD", "SOFTWARE_TOKEN"]))
    assert [p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]].count("otp-only") == 0
    assert [p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]].count("totp-first") == 0

    # Without a policy the pool allows PASSWORD (note §1, go-to-k/cdkd#1380, live-confirmed).
    plain = idp.create_user_pool(PoolName="plain")["UserPool"]["Id"]
    assert described_factors(idp, plain) == ["PASSWORD"]

    chosen = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    pool = idp.create_user_pool(PoolName="choice", Policies=sign_in_policy(chosen),
                                SmsConfiguration=SMS_CONFIG)["UserPool"]
    assert pool["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] == chosen
    assert described_factors(idp, pool["Id"]) == chosen

    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.update_user_pool(UserPoolId=plain, Policies=sign_in_policy(["EMAIL_OTP"]))
    assert error(e)[1] == PASSWORD_REQUIRED
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.update_user_pool(UserPoolId=plain, Policies=sign_in_policy(["PASSWORD", "SOFTWARE_TOKEN"]))
    assert described_factors(idp, plain) == ["PASSWORD"], "the refusals changed nothing"
    idp.update_user_pool(UserPoolId=plain, Policies=sign_in_policy(["PASSWORD", "EMAIL_OTP"]))
    assert described_factors(idp, plain) == ["PASSWORD", "EMAIL_OTP"]


@pytest.mark.parametrize("factor", ["EMAIL_OTP", "SMS_OTP"])
def test_required_mfa_refused_while_a_passwordless_factor_is_allowed(idp, factor):
    # Note §1, table "Passwordless with MFA required" (measured by cdkd, #1975, #2064).
    pool, _ = make_pool(idp, ["PASSWORD", factor])
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="ON", SoftwareTokenMfaConfiguration=TOTP_ON)
    assert error(e)[1] == OTP_WITH_MFA
    assert idp.get_user_pool_mfa_config(UserPoolId=pool)["MfaConfiguration"] == "OFF"
    # "OPTIONAL is accepted for both."
    idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON)
    assert idp.get_user_pool_mfa_config(UserPoolId=pool)["MfaConfiguration"] == "OPTIONAL"


def test_update_user_pool_adding_email_otp_to_a_pool_with_mfa_on_is_refused(idp):
    # Note §1: presumably the same text as SetUserPoolMfaConfig's (unconfirmed there; the
    # brief asks for it). UpdateUserPool replaces every setting, so MFA ON is sent again.
    pool, _ = make_pool(idp, mfa={"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": TOTP_ON})
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.update_user_pool(UserPoolId=pool, MfaConfiguration="ON", Policies=sign_in_policy(["PASSWORD", "EMAIL_OTP"]))
    assert error(e)[1] == OTP_WITH_MFA
    described = idp.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["MfaConfiguration"] == "ON"
    assert described["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] == ["PASSWORD"]


def test_required_mfa_with_web_authn_allowed_needs_multi_factor_passkeys(idp):
    # Note §1: SetUserPoolMfaConfig is a full replace, so an omitted WebAuthn block counts as
    # SINGLE_FACTOR; only MULTI_FACTOR_WITH_USER_VERIFICATION is accepted.
    pool, _ = make_pool(idp, ["PASSWORD", "WEB_AUTHN"])
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="ON", SoftwareTokenMfaConfiguration=TOTP_ON)
    assert error(e)[1] == WEB_AUTHN_SINGLE
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_pool_mfa_config(
            UserPoolId=pool, MfaConfiguration="ON", SoftwareTokenMfaConfiguration=TOTP_ON,
            WebAuthnConfiguration={"RelyingPartyId": "auth.example.com", "FactorConfiguration": "SINGLE_FACTOR"})
    assert error(e)[1] == WEB_AUTHN_SINGLE
    assert idp.get_user_pool_mfa_config(UserPoolId=pool)["MfaConfiguration"] == "OFF"
    idp.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="ON", SoftwareTokenMfaConfiguration=TOTP_ON,
        WebAuthnConfiguration={"RelyingPartyId": "auth.example.com", "UserVerification": "required",
                               "FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"})
    got = idp.get_user_pool_mfa_config(UserPoolId=pool)
    assert got["MfaConfiguration"] == "ON"
    assert got["WebAuthnConfiguration"]["FactorConfiguration"] == "MULTI_FACTOR_WITH_USER_VERIFICATION"


# ---------------------------------------------------------------------------------------------
# 2. The client must allow USER_AUTH


def test_a_client_without_allow_user_auth_is_refused(idp):
    pool, client = make_pool(idp, flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool, "ann", email="ann@example.com")
    # Note §2: the pattern of the other flows' texts; a setup guide lists this one.
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        user_auth(idp, client, "ann")
    assert error(e)[1] == "USER_AUTH flow not enabled for this client"
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        user_auth(idp, client, "ann", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PW)
    assert error(e)[1] == "USER_AUTH flow not enabled for this client"
    # AdminInitiateAuth's refusals name no flow.
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "ann"})
    assert error(e)[1] == "Auth flow not enabled for this client"


def test_admin_initiate_auth_with_user_auth(idp):
    pool, client = make_pool(idp)
    make_user(idp, pool, "ada")
    started = idp.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="USER_AUTH",
                                      AuthParameters={"USERNAME": "ada"})
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool, ClientId=client, ChallengeName="SELECT_CHALLENGE", Session=started["Session"],
        ChallengeResponses={"USERNAME": "ada", "ANSWER": "PASSWORD", "PASSWORD": PW})
    assert_tokens(done, "ada", client)


# ---------------------------------------------------------------------------------------------
# 3. SELECT_CHALLENGE and AvailableChallenges


def test_select_challenge_lists_what_the_pool_allows_and_the_user_can_use(idp, cognate_url):
    pool, client = make_pool(idp, ["PASSWORD", "EMAIL_OTP", "SMS_OTP"])
    make_user(idp, pool, "both", email="both@example.com", phone_number="+15555550101")
    make_user(idp, pool, "mail", email="mail@example.com")
    make_user(idp, pool, "phone", phone_number="+15555550102")
    # The developer guide's example order (W2 §2.2: ["EMAIL_OTP","SMS_OTP","PASSWORD"]), and
    # PASSWORD_SRP always beside PASSWORD (note §3). An attribute to send the code to is needed,
    # verified or not (note §3, "Eligibility per factor"): none of these is verified.
    select(idp, client, "both", ["EMAIL_OTP", "SMS_OTP", "PASSWORD", "PASSWORD_SRP"])
    select(idp, client, "mail", ["EMAIL_OTP", "PASSWORD", "PASSWORD_SRP"])
    select(idp, client, "phone", ["SMS_OTP", "PASSWORD", "PASSWORD_SRP"])
    assert outbox(cognate_url, f"poolId={pool}") == [], "offering a code factor sends nothing"

    # A password-only pool (W2 §2.2, id 55622687609).
    plain, plain_client = make_pool(idp)
    make_user(idp, plain, "pat", email="pat@example.com", phone_number="+15555550103")
    select(idp, plain_client, "pat", ["PASSWORD", "PASSWORD_SRP"])


def test_a_preferred_challenge_the_user_cannot_take_falls_back_to_select_challenge(idp, cognate_url):
    # Note §2: "If the preferred challenge isn't available, Amazon Cognito responds with
    # SELECT_CHALLENGE and a list of available challenges" — no error.
    pool, client = make_pool(idp, ["PASSWORD", "EMAIL_OTP", "SMS_OTP"])
    make_user(idp, pool, "mail", email="mail@example.com")
    fallback = user_auth(idp, client, "mail", PREFERRED_CHALLENGE="SMS_OTP")  # no phone number
    assert fallback["ChallengeName"] == "SELECT_CHALLENGE"
    assert fallback["AvailableChallenges"] == ["EMAIL_OTP", "PASSWORD", "PASSWORD_SRP"]
    assert outbox(cognate_url, f"poolId={pool}") == [], "no code is sent"
    # Not allowed by the pool at all.
    plain, plain_client = make_pool(idp)
    make_user(idp, plain, "pat", email="pat@example.com")
    fallback = user_auth(idp, plain_client, "pat", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert fallback["ChallengeName"] == "SELECT_CHALLENGE"
    assert fallback["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    assert outbox(cognate_url, f"poolId={plain}") == []
    # The fallback's session answers as any SELECT_CHALLENGE's.
    done = respond(idp, plain_client, "SELECT_CHALLENGE", fallback["Session"], "pat", ANSWER="PASSWORD", PASSWORD=PW)
    assert_tokens(done, "pat", plain_client)


# ---------------------------------------------------------------------------------------------
# 4. PASSWORD and PASSWORD_SRP


def test_select_challenge_answered_with_a_password(idp):
    pool, client = make_pool(idp)
    make_user(idp, pool, "pam")

    # In one call: ANSWER and PASSWORD together [M ChallengeResponses; W2 §2.2].
    started = select(idp, client, "pam", ["PASSWORD", "PASSWORD_SRP"])
    done = respond(idp, client, "SELECT_CHALLENGE", started["Session"], "pam", ANSWER="PASSWORD", PASSWORD=PW)
    assert_tokens(done, "pam", client)
    assert idp.get_user(AccessToken=done["AuthenticationResult"]["AccessToken"])["Username"] == "pam"
    # W2 §1.4: a session answers once.
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        respond(idp, client, "SELECT_CHALLENGE", started["Session"], "pam", ANSWER="PASSWORD", PASSWORD=PW)
    assert error(e)[1] == "Invalid session for the user, session can only be used once."

    # ANSWER alone: a PASSWORD challenge follows, answered with the password (note §5).
    started = select(idp, client, "pam", ["PASSWORD", "PASSWORD_SRP"])
    asked = respond(idp, client, "SELECT_CHALLENGE", started["Session"], "pam", ANSWER="PASSWORD")
    assert "AuthenticationResult" not in asked
    assert asked["ChallengeName"] == "PASSWORD"
    assert asked["Session"] and asked["Session"] != started["Session"]
    done = respond(idp, client, "PASSWORD", asked["Session"], "pam", PASSWORD=PW)
    assert_tokens(done, "pam", client)

    # SELECT_CHALLENGE's session answered directly as PASSWORD (note §3, "Answering").
    started = select(idp, client, "pam", ["PASSWORD", "PASSWORD_SRP"])
    done = respond(idp, client, "PASSWORD", started["Session"], "pam", PASSWORD=PW)
    assert_tokens(done, "pam", client)

    # The password in InitiateAuth with PREFERRED_CHALLENGE PASSWORD: tokens at once (note §5).
    done = user_auth(idp, client, "pam", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PW)
    assert_tokens(done, "pam", client)


def test_an_answer_that_was_not_offered_is_refused(idp):
    # Note §3: the error for an ANSWER not in the list is unconfirmed; InvalidParameterException
    # is likely. The text is not asserted.
    pool, client = make_pool(idp)
    make_user(idp, pool, "oli", email="oli@example.com")
    started = select(idp, client, "oli", ["PASSWORD", "PASSWORD_SRP"])
    for answer in ("EMAIL_OTP", "WEB_AUTHN"):
        with pytest.raises(idp.exceptions.InvalidParameterException):
            respond(idp, client, "SELECT_CHALLENGE", started["Session"], "oli", ANSWER=answer)


def test_a_wrong_password_is_refused_and_counts_towards_the_lockout(idp):
    pool, client = make_pool(idp)
    make_user(idp, pool, "lou")
    # Each wrong password through USER_AUTH, in each of its shapes, is Cognito's usual refusal.
    attempts = [
        lambda: respond(idp, client, "SELECT_CHALLENGE", select(idp, client, "lou", ["PASSWORD", "PASSWORD_SRP"])["Session"],
                        "lou", ANSWER="PASSWORD", PASSWORD=WRONG),
        lambda: respond(idp, client, "PASSWORD", user_auth(idp, client, "lou")["Session"], "lou", PASSWORD=WRONG),
        lambda: user_auth(idp, client, "lou", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=WRONG),
        lambda: respond(idp, client, "SELECT_CHALLENGE", user_auth(idp, client, "lou")["Session"],
                        "lou", ANSWER="PASSWORD", PASSWORD=WRONG),
        lambda: respond(idp, client, "PASSWORD", user_auth(idp, client, "lou")["Session"], "lou", PASSWORD=WRONG),
    ]
    for attempt in attempts:
        with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
            attempt()
        assert error(e)[1] == "Incorrect username or password."
    # Five failures lock the user (W2 §1.4; developer guide, "Lockout behavior"): the right
    # password is refused now. The first lock lasts a second; this call follows at once.
    started = user_auth(idp, client, "lou")
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        respond(idp, client, "SELECT_CHALLENGE", started["Session"], "lou", ANSWER="PASSWORD", PASSWORD=PW)
    assert error(e)[1] == "Password attempts exceeded"


def srp_verifier_round(idp, pool, client, name, start):
    """Runs `start(srp_a)` (which must answer PASSWORD_VERIFIER), then answers it with
    pycognito's SRP maths; returns the final answer."""
    srp = AWSSRP(username=name, password=PW, pool_id=pool, client_id=client, client=idp)
    auth_params = srp.get_auth_params()
    verifier = start(auth_params["SRP_A"])
    assert "AuthenticationResult" not in verifier
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    params = verifier["ChallengeParameters"]
    # Note §5: the parameters of USER_SRP_AUTH's PASSWORD_VERIFIER.
    assert {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"} <= set(params)
    assert params["USER_ID_FOR_SRP"] == name
    kwargs = {"Session": verifier["Session"]} if verifier.get("Session") else {}
    return idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=srp.process_challenge(params, auth_params), **kwargs)


def test_password_srp_goes_through_password_verifier(idp):
    pool, client = make_pool(idp)
    make_user(idp, pool, "sid")
    # Note §5: PREFERRED_CHALLENGE PASSWORD_SRP with SRP_A, SELECT_CHALLENGE{ANSWER:PASSWORD_SRP,
    # SRP_A}, or PASSWORD_SRP{SRP_A} on SELECT_CHALLENGE's session: each returns PASSWORD_VERIFIER.
    done = srp_verifier_round(idp, pool, client, "sid",
                              lambda a: user_auth(idp, client, "sid", PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=a))
    assert_tokens(done, "sid", client)

    def by_select(a):
        started = select(idp, client, "sid", ["PASSWORD", "PASSWORD_SRP"])
        return respond(idp, client, "SELECT_CHALLENGE", started["Session"], "sid", ANSWER="PASSWORD_SRP", SRP_A=a)

    assert_tokens(srp_verifier_round(idp, pool, client, "sid", by_select), "sid", client)

    def direct(a):
        started = select(idp, client, "sid", ["PASSWORD", "PASSWORD_SRP"])
        return respond(idp, client, "PASSWORD_SRP", started["Session"], "sid", SRP_A=a)

    assert_tokens(srp_verifier_round(idp, pool, client, "sid", direct), "sid", client)


def test_password_srp_with_the_wrong_password(idp):
    pool, client = make_pool(idp)
    make_user(idp, pool, "sal")
    srp = AWSSRP(username="sal", password=WRONG, pool_id=pool, client_id=client, client=idp)
    auth_params = srp.get_auth_params()
    verifier = user_auth(idp, client, "sal", PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=auth_params["SRP_A"])
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    kwargs = {"Session": verifier["Session"]} if verifier.get("Session") else {}
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=srp.process_challenge(verifier["ChallengeParameters"], auth_params),
                                      **kwargs)
    assert error(e)[1] == "Incorrect username or password."


# ---------------------------------------------------------------------------------------------
# 5. EMAIL_OTP and SMS_OTP as the first factor


def test_email_otp_sign_in(idp, cognate_url):
    pool, client = make_pool(idp, ["PASSWORD", "EMAIL_OTP"])
    make_user(idp, pool, "eve", email="eve@example.com")
    assert attributes(idp, pool, "eve").get("email_verified") != "true"

    started = user_auth(idp, client, "eve", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert "AuthenticationResult" not in started
    assert started["ChallengeName"] == "EMAIL_OTP"
    # W2 §1.4: the delivery, masked as in the API reference's example (t***@e***).
    params = started["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert params["CODE_DELIVERY_DESTINATION"] == "e***@e***"
    # W2 §2.2: a preferred challenge's answer carries AvailableChallenges too.
    assert started["AvailableChallenges"] == ["EMAIL_OTP", "PASSWORD", "PASSWORD_SRP"]
    [message] = sign_in_codes(cognate_url, pool, "eve")
    assert (message["medium"], message["destination"]) == ("EMAIL", "eve@example.com")
    code = message["code"]
    # W2 §1.4: passwordless codes are 8 digits ("fixed at 8 digit PIN", amplify-js#14428).
    assert len(code) == 8 and code.isdigit()
    assert code in message["message"]

    def answer(c):
        return respond(idp, client, "EMAIL_OTP", started["Session"], "eve", EMAIL_OTP_CODE=c)

    # Note §4: the MFA text; the session survives a wrong code (amplify-android#2539).
    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        answer(other_code(code))
    assert error(e)[1] == "Invalid code or auth state for the user."
    done = answer(code)
    assert_tokens(done, "eve", client)  # no MFA step after a code
    # Note §4, side effects: the address is verified now.
    assert attributes(idp, pool, "eve")["email_verified"] == "true"
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        answer(code)
    assert error(e)[1] == "Invalid session for the user, session can only be used once."


def test_email_otp_chosen_from_select_challenge(idp, cognate_url):
    pool, client = make_pool(idp, ["PASSWORD", "EMAIL_OTP"])
    make_user(idp, pool, "ema", email="ema@example.com")
    started = select(idp, client, "ema", ["EMAIL_OTP", "PASSWORD", "PASSWORD_SRP"])
    assert sign_in_codes(cognate_url, pool, "ema") == [], "no code before the factor is chosen"
    # Note §4: "responds with an EMAIL_OTP challenge and sends a code".
    chosen = respond(idp, client, "SELECT_CHALLENGE", started["Session"], "ema", ANSWER="EMAIL_OTP")
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    assert chosen["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert chosen["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "e***@e***"
    [message] = sign_in_codes(cognate_url, pool, "ema")
    assert len(message["code"]) == 8 and message["code"].isdigit()
    done = respond(idp, client, "EMAIL_OTP", chosen["Session"], "ema", EMAIL_OTP_CODE=message["code"])
    assert_tokens(done, "ema", client)


def test_sms_otp_sign_in(idp, cognate_url):
    pool, client = make_pool(idp, ["PASSWORD", "SMS_OTP"])
    make_user(idp, pool, "sam", phone_number="+15555550123")
    started = user_auth(idp, client, "sam", PREFERRED_CHALLENGE="SMS_OTP")
    assert "AuthenticationResult" not in started
    assert started["ChallengeName"] == "SMS_OTP"
    params = started["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    # Masked (W2 §1.4: the exact mask is unconfirmed): the last four digits, not the number.
    destination = params["CODE_DELIVERY_DESTINATION"]
    assert destination.endswith("0123") and "*" in destination and "5555550123" not in destination
    [message] = sign_in_codes(cognate_url, pool, "sam")
    assert (message["medium"], message["destination"]) == ("SMS", "+15555550123")
    code = message["code"]
    assert len(code) == 8 and code.isdigit()

    def answer(c):
        return respond(idp, client, "SMS_OTP", started["Session"], "sam", SMS_OTP_CODE=c)

    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        answer(other_code(code))
    assert error(e)[1] == "Invalid code or auth state for the user."
    assert_tokens(answer(code), "sam", client)
    assert attributes(idp, pool, "sam")["phone_number_verified"] == "true"
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        answer(code)
    assert error(e)[1] == "Invalid session for the user, session can only be used once."


def test_an_unconfirmed_user_signing_in_by_email_code_is_confirmed(idp, cognate_url):
    pool, client = make_pool(idp, ["PASSWORD", "EMAIL_OTP"], AutoVerifiedAttributes=["email"])
    idp.sign_up(ClientId=client, Username="uma", Password=PW, UserAttributes=[{"Name": "email", "Value": "uma@example.com"}])
    assert idp.admin_get_user(UserPoolId=pool, Username="uma")["UserStatus"] == "UNCONFIRMED"
    started = user_auth(idp, client, "uma", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "EMAIL_OTP"
    [message] = sign_in_codes(cognate_url, pool, "uma")
    done = respond(idp, client, "EMAIL_OTP", started["Session"], "uma", EMAIL_OTP_CODE=message["code"])
    assert_tokens(done, "uma", client)
    # Note §4, side effects: "The user status also changed from UNCONFIRMED to CONFIRMED".
    user = idp.admin_get_user(UserPoolId=pool, Username="uma")
    assert user["UserStatus"] == "CONFIRMED"
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"] == "true"


# ---------------------------------------------------------------------------------------------
# 6. MFA narrows the choice


def test_a_user_with_an_authenticator_app_is_offered_only_the_password(idp, cognate_url):
    pool, client = make_pool(idp, ["PASSWORD", "EMAIL_OTP"],
                             mfa={"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": TOTP_ON})
    make_user(idp, pool, "tia", email="tia@example.com")
    make_user(idp, pool, "una", email="una@example.com")
    # W2 §2.1 / note §3: without an MFA preference in an OPTIONAL pool, passwordless is open...
    select(idp, client, "una", ["EMAIL_OTP", "PASSWORD", "PASSWORD_SRP"])
    select(idp, client, "tia", ["EMAIL_OTP", "PASSWORD", "PASSWORD_SRP"])
    secret, t = set_up_app(idp, cognate_url, access_token(idp, client, "tia"))
    # ... and closed once a factor is on.
    started = select(idp, client, "tia", ["PASSWORD", "PASSWORD_SRP"])
    # W2 §2.2: "MFA users choosing PASSWORD then get their MFA challenge".
    mfa = respond(idp, client, "SELECT_CHALLENGE", started["Session"], "tia", ANSWER="PASSWORD", PASSWORD=PW)
    assert "AuthenticationResult" not in mfa
    assert mfa["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = respond(idp, client, "SOFTWARE_TOKEN_MFA", mfa["Session"], "tia",
                   SOFTWARE_TOKEN_MFA_CODE=pyotp.TOTP(secret).at(t + 30))
    assert_tokens(done, "tia", client)
    # The password given with InitiateAuth: MFA follows too (note §5).
    again = user_auth(idp, client, "tia", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PW)
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_a_user_with_sms_mfa_is_offered_only_the_password(idp, cognate_url):
    sms = {"SmsAuthenticationMessage": "Your code is {####}", "SmsConfiguration": SMS_CONFIG}
    pool, client = make_pool(idp, ["PASSWORD", "EMAIL_OTP", "SMS_OTP"],
                             mfa={"MfaConfiguration": "OPTIONAL", "SmsMfaConfiguration": sms})
    make_user(idp, pool, "sue", email="sue@example.com", phone_number="+15555550166")
    make_user(idp, pool, "una", email="una@example.com", phone_number="+15555550167")
    idp.admin_set_user_mfa_preference(UserPoolId=pool, Username="sue", SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    select(idp, client, "una", ["EMAIL_OTP", "SMS_OTP", "PASSWORD", "PASSWORD_SRP"])
    started = select(idp, client, "sue", ["PASSWORD", "PASSWORD_SRP"])
    assert sign_in_codes(cognate_url, pool, "sue") == []
    mfa = respond(idp, client, "SELECT_CHALLENGE", started["Session"], "sue", ANSWER="PASSWORD", PASSWORD=PW)
    assert "AuthenticationResult" not in mfa
    assert mfa["ChallengeName"] == "SMS_MFA"
    assert mfa["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    [message] = sign_in_codes(cognate_url, pool, "sue")
    assert message["destination"] == "+15555550166"
    done = respond(idp, client, "SMS_MFA", mfa["Session"], "sue", SMS_MFA_CODE=message["code"])
    assert_tokens(done, "sue", client)


# ---------------------------------------------------------------------------------------------
# 7. Auto sign-in


def test_auto_sign_in_with_confirm_sign_up_session(idp, cognate_url):
    pool, client = make_pool(idp, AutoVerifiedAttributes=["email"])
    signed_up = idp.sign_up(ClientId=client, Username="newt", Password=PW,
                            UserAttributes=[{"Name": "email", "Value": "newt@example.com"}])
    # Note §6, [M SignUpResponse.Session].
    assert signed_up["Session"]
    assert signed_up["UserConfirmed"] is False
    [message] = outbox(cognate_url, f"poolId={pool}&username=newt")
    confirmed = idp.confirm_sign_up(ClientId=client, Username="newt", ConfirmationCode=message["code"],
                                    Session=signed_up["Session"])
    assert confirmed["Session"]
    # [M InitiateAuth.Session]; the developer guide: AuthenticationResult with no challenge.
    done = idp.initiate_auth(ClientId=client, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "newt"},
                             Session=confirmed["Session"])
    assert_tokens(done, "newt", client)
    # Once only (note §6: a reused session is unconfirmed; the sign-in falls back).
    again = idp.initiate_auth(ClientId=client, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "newt"},
                              Session=confirmed["Session"])
    assert "AuthenticationResult" not in again
    assert again["ChallengeName"] == "SELECT_CHALLENGE"
    assert again["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_confirm_sign_up_without_the_sign_up_session_does_not_vouch_for_the_password(idp, cognate_url):
    """The brief asked for "ConfirmSignUp without SignUp's session returns no Session"; no
    source says so ([M] ConfirmSignUpResponse.Session speaks of signing in "with the one-time
    password that they provided"), and cognate answers one (commit 017772e). What the sources
    do say: in a password pool, USER_AUTH then falls back to the password factors (note §6,
    amplify-android#3136, whose Amplify passes ConfirmSignUp's Session when there is one)."""
    pool, client = make_pool(idp, AutoVerifiedAttributes=["email"])
    idp.sign_up(ClientId=client, Username="nora", Password=PW, UserAttributes=[{"Name": "email", "Value": "nora@example.com"}])
    [message] = outbox(cognate_url, f"poolId={pool}&username=nora")
    confirmed = idp.confirm_sign_up(ClientId=client, Username="nora", ConfirmationCode=message["code"])
    session = {"Session": confirmed["Session"]} if confirmed.get("Session") else {}
    started = idp.initiate_auth(ClientId=client, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "nora"}, **session)
    assert "AuthenticationResult" not in started
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert set(started["AvailableChallenges"]) == {"PASSWORD", "PASSWORD_SRP"}


def test_confirm_sign_up_session_signs_in_by_the_code_where_email_otp_is_allowed(idp, cognate_url):
    # [M InitiateAuth.Session]: "Amazon Cognito assumes the SMS or email message one-time
    # verification password from ConfirmSignUp as the primary authentication factor"; the
    # developer guide adds "The user is eligible for the OTP authentication method" (note §6).
    pool, client = make_pool(idp, ["PASSWORD", "EMAIL_OTP"], AutoVerifiedAttributes=["email"])
    idp.sign_up(ClientId=client, Username="otto", Password=PW, UserAttributes=[{"Name": "email", "Value": "otto@example.com"}])
    [message] = outbox(cognate_url, f"poolId={pool}&username=otto")
    confirmed = idp.confirm_sign_up(ClientId=client, Username="otto", ConfirmationCode=message["code"])
    assert confirmed["Session"]
    done = idp.initiate_auth(ClientId=client, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "otto"},
                             Session=confirmed["Session"])
    assert_tokens(done, "otto", client)
    assert len(outbox(cognate_url, f"poolId={pool}&username=otto")) == 1, "no sign-in code was sent"


# ---------------------------------------------------------------------------------------------
# 8. Unknown users


def test_unknown_user_with_prevent_user_existence_errors(idp):
    # Note §2: a challenge as for a real user, which no answer passes.
    pool, client = make_pool(idp, prevent="ENABLED")
    make_user(idp, pool, "real")
    real = user_auth(idp, client, "real")
    ghost = user_auth(idp, client, "ghost")
    assert ghost["ChallengeName"] == real["ChallengeName"] == "SELECT_CHALLENGE"
    assert ghost["AvailableChallenges"] == real["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    assert ghost["Session"]
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        respond(idp, client, "SELECT_CHALLENGE", ghost["Session"], "ghost", ANSWER="PASSWORD", PASSWORD=PW)
    assert error(e)[1] == "Incorrect username or password."
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        respond(idp, client, "PASSWORD", user_auth(idp, client, "ghost")["Session"], "ghost", PASSWORD=PW)
    assert error(e)[1] == "Incorrect username or password."
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        user_auth(idp, client, "ghost", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PW)
    assert error(e)[1] == "Incorrect username or password."


def test_unknown_user_with_legacy_errors(idp):
    # Note §2: UserNotFoundException, "User does not exist." as in the other flows.
    pool, client = make_pool(idp, prevent="LEGACY")
    with pytest.raises(idp.exceptions.UserNotFoundException) as e:
        user_auth(idp, client, "ghost")
    assert error(e)[1] == "User does not exist."
    with pytest.raises(idp.exceptions.UserNotFoundException) as e:
        user_auth(idp, client, "ghost", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PW)
    assert error(e)[1] == "User does not exist."


# ---------------------------------------------------------------------------------------------
# 9. GetUserAuthFactors


def test_get_user_auth_factors(idp):
    pool, client = make_pool(idp, ["PASSWORD", "EMAIL_OTP", "SMS_OTP"])
    make_user(idp, pool, "gus", email="gus@example.com")
    make_user(idp, pool, "gia", email="gia@example.com", phone_number="+15555550188")
    # Note §7: the aws-cli example's shape and order; the MFA keys omitted when unset.
    assert body(idp.get_user_auth_factors(AccessToken=access_token(idp, client, "gus"))) == {
        "Username": "gus", "ConfiguredUserAuthFactors": ["PASSWORD", "EMAIL_OTP"]}
    assert body(idp.admin_get_user_auth_factors(UserPoolId=pool, Username="gus")) == {
        "Username": "gus", "ConfiguredUserAuthFactors": ["PASSWORD", "EMAIL_OTP"]}
    assert body(idp.get_user_auth_factors(AccessToken=access_token(idp, client, "gia"))) == {
        "Username": "gia", "ConfiguredUserAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}
    assert body(idp.admin_get_user_auth_factors(UserPoolId=pool, Username="gia")) == {
        "Username": "gia", "ConfiguredUserAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}

    plain, plain_client = make_pool(idp)
    make_user(idp, plain, "pat", email="pat@example.com", phone_number="+15555550189")
    assert body(idp.admin_get_user_auth_factors(UserPoolId=plain, Username="pat")) == {
        "Username": "pat", "ConfiguredUserAuthFactors": ["PASSWORD"]}
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user_auth_factors(UserPoolId=plain, Username="nobody")


def test_get_user_auth_factors_shows_the_mfa_settings(idp, cognate_url):
    pool, client = make_pool(idp, ["PASSWORD", "EMAIL_OTP"],
                             mfa={"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": TOTP_ON})
    make_user(idp, pool, "tom", email="tom@example.com")
    token = access_token(idp, client, "tom")
    set_up_app(idp, cognate_url, token)
    # [M]: PreferredMfaSetting and UserMFASettingList as GetUser has them. Which first
    # factors are listed for an MFA user is unconfirmed (note §7): only PASSWORD is asserted.
    for got in (idp.get_user_auth_factors(AccessToken=token),
                idp.admin_get_user_auth_factors(UserPoolId=pool, Username="tom")):
        assert got["Username"] == "tom"
        assert got["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
        assert got["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
        assert "PASSWORD" in got["ConfiguredUserAuthFactors"]
