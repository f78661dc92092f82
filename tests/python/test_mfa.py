"""MFA through the real clients: boto3 (codes from pyotp, independent of cognate's own TOTP),
the AWS CLI and pycognito. The pool's settings and their refusals, authenticator apps set up
with an access token or during sign-in, and every sign-in challenge (SOFTWARE_TOKEN_MFA,
SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP) on the user, admin and SRP flows, with the
codes read from the outbox or from the triggers that shape or send them."""

import json
import os
import subprocess
import sys
import urllib.request

import jwt
import pyotp
import pytest
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SMSMFAChallengeException, SoftwareTokenMFAChallengeException

ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"
PW = "Mfa!pass1234"
SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns", "ExternalId": "cognate-tests"}
DEVELOPER_EMAIL = {"EmailSendingAccount": "DEVELOPER",
                   "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/example.com"}
TOTP_ON = {"Enabled": True}
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


# ---------------------------------------------------------------------------------------------
# Helpers


def make_pool(idp, mfa=None, **pool_args):
    """A pool and a public client allowing every password flow, with `mfa` given to
    SetUserPoolMfaConfig when set."""
    pool = idp.create_user_pool(PoolName="mfa", **pool_args)["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c", ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    if mfa is not None:
        idp.set_user_pool_mfa_config(UserPoolId=pool, **mfa)
    return pool, client


def make_user(idp, pool, name, **attributes):
    attrs = [{"Name": k, "Value": v} for k, v in attributes.items()]
    idp.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS", UserAttributes=attrs)
    idp.admin_set_user_password(UserPoolId=pool, Username=name, Password=PW, Permanent=True)


def password_auth(idp, client, name, password=PW):
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": name, "PASSWORD": password})


def access_token(idp, client, name):
    return password_auth(idp, client, name)["AuthenticationResult"]["AccessToken"]


def error(e):
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def body(response):
    """A response without boto3's metadata."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def outbox(cognate_url, query):
    with urllib.request.urlopen(f"{cognate_url}/_cognate/outbox?{query}") as r:
        return json.load(r)["messages"]


def cognate_now(cognate_url):
    """The time cognate believes it is. TOTP codes are made for this time rather than the
    wall clock: `/_cognate/clock` only moves forward, and any test may have moved it."""
    with urllib.request.urlopen(f"{cognate_url}/_cognate/clock") as r:
        return json.load(r)["now"]


def wrong_code(secret, t):
    """Six digits that are no code of the steps around `t`."""
    near = {pyotp.TOTP(secret).at(t + 30 * k) for k in range(-3, 4)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def set_up_app(idp, cognate_url, token, name="phone"):
    """Associates and verifies an authenticator app with an access token. Answers the secret
    and the time the verifying code was made for (its step is then spent)."""
    associated = idp.associate_software_token(AccessToken=token)
    assert "Session" not in associated, "with an access token there is no session"
    secret = associated["SecretCode"]
    t = cognate_now(cognate_url)
    verified = idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).at(t), FriendlyDeviceName=name)
    assert body(verified) == {"Status": "SUCCESS"}
    return secret, t


def assert_tokens(result, username, client):
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    assert result["RefreshToken"]
    id_claims = claims(result["IdToken"])
    assert id_claims["cognito:username"] == username
    assert id_claims["aud"] == client
    assert claims(result["AccessToken"])["token_use"] == "access"


def aws(*args):
    cli = os.path.join(os.path.dirname(sys.executable), "aws")
    return subprocess.run([cli, "cognito-idp", *args, "--output", "json"], capture_output=True, text=True, env=os.environ)


# ---------------------------------------------------------------------------------------------
# The pool's settings


def test_pool_mfa_config_round_trip_and_refusals(idp):
    pool, _ = make_pool(idp)
    assert body(idp.get_user_pool_mfa_config(UserPoolId=pool)) == {"MfaConfiguration": "OFF"}

    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OFF", SoftwareTokenMfaConfiguration=TOTP_ON)
    assert error(e)[1] == "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="ON")
    assert error(e)[1] == "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled."
    # Email MFA needs the pool's own SES sending...
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OPTIONAL",
                                     EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Sign-in"})
    assert error(e)[1] == ("Cannot set EmailMfaConfiguration when user pool EmailConfiguration contains an "
                           "EmailSendingAccount of COGNITO_DEFAULT.Update the value of EmailSendingAccount")
    # ... and a tier above Lite.
    lite, _ = make_pool(idp, UserPoolTier="LITE", EmailConfiguration=DEVELOPER_EMAIL)
    with pytest.raises(idp.exceptions.FeatureUnavailableInTierException) as e:
        idp.set_user_pool_mfa_config(UserPoolId=lite, MfaConfiguration="OPTIONAL",
                                     EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Sign-in"})
    assert error(e)[1] == "The following feature is not available for the LITE pricing tier configured: Email MFA"
    # CreateUserPool with MFA on and no SMS is refused.
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.create_user_pool(PoolName="required", MfaConfiguration="ON")
    assert error(e)[1] == "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
    # The refusals changed nothing.
    assert body(idp.get_user_pool_mfa_config(UserPoolId=pool)) == {"MfaConfiguration": "OFF"}

    sms = {"SmsAuthenticationMessage": "Your Acme code is {####}", "SmsConfiguration": SMS_CONFIG}
    set_ = idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OPTIONAL",
                                        SmsMfaConfiguration=sms, SoftwareTokenMfaConfiguration=TOTP_ON)
    got = idp.get_user_pool_mfa_config(UserPoolId=pool)
    assert body(set_) == body(got), "Set answers what Get answers"
    assert got["MfaConfiguration"] == "OPTIONAL"
    assert got["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert got["SmsMfaConfiguration"]["SmsAuthenticationMessage"] == "Your Acme code is {####}"
    assert {k: got["SmsMfaConfiguration"]["SmsConfiguration"][k] for k in SMS_CONFIG} == SMS_CONFIG
    assert "EmailMfaConfiguration" not in got
    described = idp.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["MfaConfiguration"] == "OPTIONAL"
    assert described["SmsAuthenticationMessage"] == "Your Acme code is {####}"

    # The whole configuration is replaced: an omitted factor is off.
    idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="ON", SoftwareTokenMfaConfiguration=TOTP_ON)
    assert body(idp.get_user_pool_mfa_config(UserPoolId=pool)) == {
        "MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": True}}
    # Email MFA where the pool sends its own mail.
    mail, _ = make_pool(idp, EmailConfiguration=DEVELOPER_EMAIL)
    email = {"Message": "Your Acme sign-in code is {####}", "Subject": "Acme sign-in"}
    idp.set_user_pool_mfa_config(UserPoolId=mail, MfaConfiguration="OPTIONAL", EmailMfaConfiguration=email)
    assert body(idp.get_user_pool_mfa_config(UserPoolId=mail)) == {"MfaConfiguration": "OPTIONAL", "EmailMfaConfiguration": email}
    # And off again: nothing but OFF.
    idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OFF")
    assert body(idp.get_user_pool_mfa_config(UserPoolId=pool)) == {"MfaConfiguration": "OFF"}


def test_pool_mfa_config_through_the_aws_cli(idp):
    pool, _ = make_pool(idp)
    fresh = aws("get-user-pool-mfa-config", "--user-pool-id", pool)
    assert fresh.returncode == 0, fresh.stderr
    assert json.loads(fresh.stdout) == {"MfaConfiguration": "OFF"}

    refused = aws("set-user-pool-mfa-config", "--user-pool-id", pool, "--mfa-configuration", "ON")
    assert refused.returncode != 0
    assert "InvalidParameterException" in refused.stderr
    assert "SMS MFA, Email MFA, or Software Token MFA must be enabled." in refused.stderr

    set_ = aws("set-user-pool-mfa-config", "--user-pool-id", pool, "--mfa-configuration", "OPTIONAL",
               "--software-token-mfa-configuration", "Enabled=true",
               "--sms-mfa-configuration", json.dumps({"SmsAuthenticationMessage": "Code: {####}", "SmsConfiguration": SMS_CONFIG}))
    assert set_.returncode == 0, set_.stderr
    got = aws("get-user-pool-mfa-config", "--user-pool-id", pool)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == json.loads(set_.stdout)
    out = json.loads(got.stdout)
    assert out["MfaConfiguration"] == "OPTIONAL"
    assert out["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert out["SmsMfaConfiguration"]["SmsAuthenticationMessage"] == "Code: {####}"

    replaced = aws("set-user-pool-mfa-config", "--user-pool-id", pool, "--mfa-configuration", "ON",
                   "--software-token-mfa-configuration", "Enabled=true")
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads(replaced.stdout) == {"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": True}}


# ---------------------------------------------------------------------------------------------
# Authenticator apps (TOTP)


def test_totp_set_up_with_an_access_token_then_the_sign_in_challenge(idp, cognate_url):
    pool, client = make_pool(idp)
    make_user(idp, pool, "tia", email="tia@example.com")
    token = access_token(idp, client, "tia")
    with pytest.raises(idp.exceptions.SoftwareTokenMFANotFoundException) as e:
        idp.associate_software_token(AccessToken=token)
    assert error(e)[1] == "Software Token MFA has not been enabled by the userPool."

    idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON)
    # MFA optional and nothing turned on: the password is enough.
    assert "AuthenticationResult" in password_auth(idp, client, "tia")
    user = idp.get_user(AccessToken=token)
    assert "UserMFASettingList" not in user and "PreferredMfaSetting" not in user
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert error(e)[1] == "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"

    associated = idp.associate_software_token(AccessToken=token)
    assert "Session" not in associated
    secret = associated["SecretCode"]
    assert len(secret) == 32 and pyotp.TOTP(secret).now().isdigit(), "a base32 secret pyotp reads"
    t = cognate_now(cognate_url)
    with pytest.raises(idp.exceptions.EnableSoftwareTokenMFAException) as e:
        idp.verify_software_token(AccessToken=token, UserCode=wrong_code(secret, t))
    assert error(e)[1] == "Code mismatch and fail enable Software Token MFA"
    # The secret waits for a right code.
    verified = idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).at(t), FriendlyDeviceName="phone")
    assert body(verified) == {"Status": "SUCCESS"}
    # Verifying alone turns nothing on.
    assert "UserMFASettingList" not in idp.get_user(AccessToken=token)
    assert "AuthenticationResult" in password_auth(idp, client, "tia")

    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    user = idp.get_user(AccessToken=token)
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    admin_view = idp.admin_get_user(UserPoolId=pool, Username="tia")
    assert admin_view["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert admin_view["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    started = password_auth(idp, client, "tia")
    assert "AuthenticationResult" not in started
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert started["ChallengeParameters"] == {"USER_ID_FOR_SRP": "tia", "FRIENDLY_DEVICE_NAME": "phone"}
    session = started["Session"]

    def answer(code):
        return idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                                             ChallengeResponses={"USERNAME": "tia", "SOFTWARE_TOKEN_MFA_CODE": code})

    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        answer(wrong_code(secret, t))
    assert error(e)[1] == "Invalid code received for user"
    # The step VerifySoftwareToken used is spent.
    with pytest.raises(idp.exceptions.ExpiredCodeException) as e:
        answer(pyotp.TOTP(secret).at(t))
    assert error(e)[1] == "Your software token has already been used once."
    done = answer(pyotp.TOTP(secret).at(t + 30))
    assert "ChallengeName" not in done
    assert_tokens(done["AuthenticationResult"], "tia", client)
    assert idp.get_user(AccessToken=done["AuthenticationResult"]["AccessToken"])["Username"] == "tia"
    # A session answers once.
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        answer(pyotp.TOTP(secret).at(t + 60))
    assert error(e)[1] == "Invalid session for the user, session can only be used once."
    # Nor does a step's code sign in twice.
    again = password_auth(idp, client, "tia")
    with pytest.raises(idp.exceptions.ExpiredCodeException):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=again["Session"],
                                      ChallengeResponses={"USERNAME": "tia", "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).at(t + 30)})

    # Turned off, the app is no longer asked for.
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False})
    user = idp.get_user(AccessToken=token)
    # Listed, and empty, once a preference was ever set (aws-sdk-js-v3#7961; docs/fidelity.md).
    assert user["UserMFASettingList"] == [] and "PreferredMfaSetting" not in user
    assert "AuthenticationResult" in password_auth(idp, client, "tia")


def test_mfa_setup_during_sign_in_through_the_session_chain(idp, cognate_url):
    pool, client = make_pool(idp, mfa={"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": TOTP_ON})
    make_user(idp, pool, "neo")
    started = password_auth(idp, client, "neo")
    assert "AuthenticationResult" not in started
    assert started["ChallengeName"] == "MFA_SETUP"
    params = started["ChallengeParameters"]
    assert set(params) == {"MFAS_CAN_SETUP", "USER_ID_FOR_SRP"}
    assert json.loads(params["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    assert params["USER_ID_FOR_SRP"] == "neo"

    associated = idp.associate_software_token(Session=started["Session"])
    assert associated["Session"] and associated["Session"] != started["Session"]
    secret = associated["SecretCode"]
    t = cognate_now(cognate_url)
    # Each call replaces the session: the one it was given is spent.
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.verify_software_token(Session=started["Session"], UserCode=pyotp.TOTP(secret).at(t))
    with pytest.raises(idp.exceptions.EnableSoftwareTokenMFAException) as e:
        idp.verify_software_token(Session=associated["Session"], UserCode=wrong_code(secret, t))
    assert error(e)[1] == "Code mismatch and fail enable Software Token MFA"
    verified = idp.verify_software_token(Session=associated["Session"], UserCode=pyotp.TOTP(secret).at(t),
                                         FriendlyDeviceName="neo's phone")
    assert verified["Status"] == "SUCCESS"
    assert verified["Session"] and verified["Session"] not in (started["Session"], associated["Session"])

    done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="MFA_SETUP", Session=verified["Session"],
                                         ChallengeResponses={"USERNAME": "neo"})
    assert "ChallengeName" not in done
    assert_tokens(done["AuthenticationResult"], "neo", client)

    # From now on the app is asked for.
    nxt = password_auth(idp, client, "neo")
    assert nxt["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert nxt["ChallengeParameters"] == {"USER_ID_FOR_SRP": "neo", "FRIENDLY_DEVICE_NAME": "neo's phone"}
    tokens = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=nxt["Session"],
                                           ChallengeResponses={"USERNAME": "neo",
                                                               "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).at(t + 30)})
    assert_tokens(tokens["AuthenticationResult"], "neo", client)


def test_admin_flow_with_an_authenticator_app(idp, cognate_url):
    pool, client = make_pool(idp, mfa={"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": TOTP_ON})
    make_user(idp, pool, "ada")

    def admin_auth():
        return idp.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": "ada", "PASSWORD": PW})

    token = admin_auth()["AuthenticationResult"]["AccessToken"]
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.admin_set_user_mfa_preference(UserPoolId=pool, Username="ada",
                                          SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert error(e)[1] == "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"
    secret, t = set_up_app(idp, cognate_url, token, name="yubi")
    idp.admin_set_user_mfa_preference(UserPoolId=pool, Username="ada",
                                      SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    user = idp.admin_get_user(UserPoolId=pool, Username="ada")
    assert (user["UserMFASettingList"], user["PreferredMfaSetting"]) == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")

    started = admin_auth()
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert started["ChallengeParameters"] == {"USER_ID_FOR_SRP": "ada", "FRIENDLY_DEVICE_NAME": "yubi"}

    def answer(code):
        return idp.admin_respond_to_auth_challenge(
            UserPoolId=pool, ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=started["Session"],
            ChallengeResponses={"USERNAME": "ada", "SOFTWARE_TOKEN_MFA_CODE": code})

    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        answer(wrong_code(secret, t))
    assert error(e)[1] == "Invalid code received for user"
    with pytest.raises(idp.exceptions.ExpiredCodeException) as e:
        answer(pyotp.TOTP(secret).at(t))
    assert error(e)[1] == "Your software token has already been used once."
    done = answer(pyotp.TOTP(secret).at(t + 30))
    assert_tokens(done["AuthenticationResult"], "ada", client)

    # Without the app, the password is enough again.
    idp.admin_delete_software_token(UserPoolId=pool, Username="ada")
    assert "AuthenticationResult" in admin_auth()
    assert "SOFTWARE_TOKEN_MFA" not in idp.admin_get_user(UserPoolId=pool, Username="ada").get("UserMFASettingList", [])


def test_pycognito_sets_up_an_app_and_answers_its_challenge_over_srp(idp, cognate_url):
    pool, client = make_pool(idp, mfa={"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": TOTP_ON})
    make_user(idp, pool, "pia")

    def cognito():
        return Cognito(pool, client, username="pia", boto3_client_kwargs={"endpoint_url": cognate_url})

    user = cognito()
    user.authenticate(password=PW)  # SRP, no second factor yet
    secret = user.associate_software_token()
    t = cognate_now(cognate_url)
    assert user.verify_software_token(pyotp.TOTP(secret).at(t), "pixel") is True
    user.set_user_mfa_preference(sms_mfa=False, software_token_mfa=True, preferred="SOFTWARE_TOKEN")
    assert idp.admin_get_user(UserPoolId=pool, Username="pia")["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    again = cognito()
    with pytest.raises(SoftwareTokenMFAChallengeException) as e:
        again.authenticate(password=PW)
    challenge = e.value.get_tokens()
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"] == {"USER_ID_FOR_SRP": "pia", "FRIENDLY_DEVICE_NAME": "pixel"}
    with pytest.raises(idp.exceptions.CodeMismatchException):
        again.respond_to_software_token_mfa_challenge(wrong_code(secret, t))
    again.respond_to_software_token_mfa_challenge(pyotp.TOTP(secret).at(t + 30))  # pycognito verifies the tokens
    assert again.id_claims["cognito:username"] == "pia"
    assert again.access_claims["token_use"] == "access"


# ---------------------------------------------------------------------------------------------
# Codes sent by SMS and email


def test_sms_mfa_code_from_the_outbox(idp, cognate_url):
    sms = {"SmsAuthenticationMessage": "Your Acme code is {####}", "SmsConfiguration": SMS_CONFIG}
    pool, client = make_pool(idp, mfa={"MfaConfiguration": "OPTIONAL", "SmsMfaConfiguration": sms})
    make_user(idp, pool, "sam", phone_number="+15555550123")
    make_user(idp, pool, "nophone", email="nophone@example.com")
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.admin_set_user_mfa_preference(UserPoolId=pool, Username="nophone", SMSMfaSettings={"Enabled": True})

    token = access_token(idp, client, "sam")
    idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    user = idp.get_user(AccessToken=token)
    assert (user["UserMFASettingList"], user["PreferredMfaSetting"]) == (["SMS_MFA"], "SMS_MFA")

    started = password_auth(idp, client, "sam")
    assert "AuthenticationResult" not in started
    assert started["ChallengeName"] == "SMS_MFA"
    assert started["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
        "CODE_DELIVERY_DESTINATION": "+*******0123",
        "USER_ID_FOR_SRP": "sam",
    }
    [message] = outbox(cognate_url, f"poolId={pool}&username=sam")
    assert (message["kind"], message["medium"], message["destination"]) == ("Authentication", "SMS", "+15555550123")
    code = message["code"]
    assert len(code) == 6 and code.isdigit()
    assert message["message"] == f"Your Acme code is {code}"

    def answer(c):
        return idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SMS_MFA", Session=started["Session"],
                                             ChallengeResponses={"USERNAME": "sam", "SMS_MFA_CODE": c})

    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        answer("000000" if code != "000000" else "111111")
    assert error(e)[1] == "Invalid code or auth state for the user."
    done = answer(code)
    assert_tokens(done["AuthenticationResult"], "sam", client)
    # The phone number passed MFA: it is verified now.
    attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username="sam")["UserAttributes"]}
    assert attrs["phone_number_verified"] == "true"


def test_legacy_set_user_settings_turns_sms_mfa_on(idp, cognate_url):
    sms = {"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": SMS_CONFIG}
    pool, client = make_pool(idp, mfa={"MfaConfiguration": "OPTIONAL", "SmsMfaConfiguration": sms})
    make_user(idp, pool, "leo", phone_number="+15555550177")
    make_user(idp, pool, "lia", phone_number="+15555550188")
    option = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]

    idp.set_user_settings(AccessToken=access_token(idp, client, "leo"), MFAOptions=option)
    idp.admin_set_user_settings(UserPoolId=pool, Username="lia", MFAOptions=option)
    for name, last4 in [("leo", "0177"), ("lia", "0188")]:
        user = idp.admin_get_user(UserPoolId=pool, Username=name)
        assert user["MFAOptions"] == option
        assert "UserMFASettingList" not in user, "the legacy setting is not a preference"
        started = password_auth(idp, client, name)
        assert started["ChallengeName"] == "SMS_MFA"
        assert started["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == f"+*******{last4}"
        code = outbox(cognate_url, f"poolId={pool}&username={name}")[0]["code"]
        done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SMS_MFA", Session=started["Session"],
                                             ChallengeResponses={"USERNAME": name, "SMS_MFA_CODE": code})
        assert_tokens(done["AuthenticationResult"], name, client)

    # An empty list turns it off.
    idp.admin_set_user_settings(UserPoolId=pool, Username="lia", MFAOptions=[])
    assert "AuthenticationResult" in password_auth(idp, client, "lia")


def test_pycognito_answers_an_sms_challenge_over_srp(idp, cognate_url):
    sms = {"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": SMS_CONFIG}
    pool, client = make_pool(idp, mfa={"MfaConfiguration": "ON", "SmsMfaConfiguration": sms})
    make_user(idp, pool, "sid", phone_number="+15555550199")
    # MFA required with SMS: a user with a phone number is sent a code without choosing anything.
    user = Cognito(pool, client, username="sid", boto3_client_kwargs={"endpoint_url": cognate_url})
    with pytest.raises(SMSMFAChallengeException) as e:
        user.authenticate(password=PW)
    challenge = e.value.get_tokens()
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0199"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    [message] = outbox(cognate_url, f"poolId={pool}&username=sid")
    assert message["kind"] == "Authentication" and message["message"] == f"Code {message['code']}"
    user.respond_to_sms_mfa_challenge(message["code"])
    assert user.id_claims["cognito:username"] == "sid"


def test_mfa_required_with_only_sms_and_no_phone_is_refused(idp):
    sms = {"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": SMS_CONFIG}
    pool, client = make_pool(idp, mfa={"MfaConfiguration": "ON", "SmsMfaConfiguration": sms})
    make_user(idp, pool, "nat", email="nat@example.com")
    with pytest.raises(idp.exceptions.MFAMethodNotFoundException) as e:
        password_auth(idp, client, "nat")
    assert error(e)[1] == "No MFA mechanism registerd in the account."
    with pytest.raises(idp.exceptions.MFAMethodNotFoundException):
        idp.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "nat", "PASSWORD": PW})


def test_select_mfa_type_between_sms_and_an_app(idp, cognate_url):
    sms = {"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": SMS_CONFIG}
    pool, client = make_pool(idp, mfa={"MfaConfiguration": "OPTIONAL", "SmsMfaConfiguration": sms,
                                       "SoftwareTokenMfaConfiguration": TOTP_ON})
    make_user(idp, pool, "sel", phone_number="+15555550111")
    token = access_token(idp, client, "sel")
    secret, t = set_up_app(idp, cognate_url, token)
    idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True},
                                SoftwareTokenMfaSettings={"Enabled": True})
    user = idp.get_user(AccessToken=token)
    assert user["UserMFASettingList"] == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    assert "PreferredMfaSetting" not in user

    def select(answer):
        started = password_auth(idp, client, "sel")
        assert started["ChallengeName"] == "SELECT_MFA_TYPE"
        params = started["ChallengeParameters"]
        assert set(params) == {"MFAS_CAN_CHOOSE", "USER_ID_FOR_SRP"}
        assert json.loads(params["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
        chosen = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SELECT_MFA_TYPE", Session=started["Session"],
                                               ChallengeResponses={"USERNAME": "sel", "ANSWER": answer})
        assert chosen["ChallengeName"] == answer
        assert chosen["Session"] != started["Session"]
        return chosen

    chosen = select("SOFTWARE_TOKEN_MFA")
    assert chosen["ChallengeParameters"] == {"USER_ID_FOR_SRP": "sel", "FRIENDLY_DEVICE_NAME": "phone"}
    done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=chosen["Session"],
                                         ChallengeResponses={"USERNAME": "sel",
                                                             "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).at(t + 30)})
    assert_tokens(done["AuthenticationResult"], "sel", client)

    assert outbox(cognate_url, f"poolId={pool}&username=sel") == [], "no SMS is sent before SMS is chosen"
    chosen = select("SMS_MFA")
    assert chosen["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0111"
    assert chosen["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    [message] = outbox(cognate_url, f"poolId={pool}&username=sel")
    done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SMS_MFA", Session=chosen["Session"],
                                         ChallengeResponses={"USERNAME": "sel", "SMS_MFA_CODE": message["code"]})
    assert_tokens(done["AuthenticationResult"], "sel", client)

    # A preference ends the choosing.
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert password_auth(idp, client, "sel")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_email_otp_over_srp(idp, cognate_url):
    email = {"Message": "Your Acme sign-in code is {####}", "Subject": "Acme sign-in"}
    pool, client = make_pool(idp, mfa={"MfaConfiguration": "OPTIONAL", "EmailMfaConfiguration": email},
                             EmailConfiguration=DEVELOPER_EMAIL)
    make_user(idp, pool, "eve", email="eve@example.com")
    token = access_token(idp, client, "eve")
    idp.set_user_mfa_preference(AccessToken=token, EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    user = idp.get_user(AccessToken=token)
    assert (user["UserMFASettingList"], user["PreferredMfaSetting"]) == (["EMAIL_OTP"], "EMAIL_OTP")

    # USER_SRP_AUTH by pycognito's SRP helper; its PASSWORD_VERIFIER answer is met by EMAIL_OTP.
    srp = AWSSRP(username="eve", password=PW, pool_id=pool, client_id=client, client=idp)
    auth_params = srp.get_auth_params()
    verifier = idp.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=auth_params)
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    started = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                            ChallengeResponses=srp.process_challenge(verifier["ChallengeParameters"], auth_params))
    assert "AuthenticationResult" not in started
    assert started["ChallengeName"] == "EMAIL_OTP"
    assert started["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
        "CODE_DELIVERY_DESTINATION": "e***@e***",
        "USER_ID_FOR_SRP": "eve",
    }
    [message] = outbox(cognate_url, f"poolId={pool}&username=eve")
    assert (message["kind"], message["medium"], message["destination"]) == ("Authentication", "EMAIL", "eve@example.com")
    code = message["code"]
    assert len(code) == 6 and code.isdigit()
    assert (message["subject"], message["message"]) == ("Acme sign-in", f"Your Acme sign-in code is {code}")

    def answer(c):
        return idp.respond_to_auth_challenge(ClientId=client, ChallengeName="EMAIL_OTP", Session=started["Session"],
                                             ChallengeResponses={"USERNAME": "eve", "EMAIL_OTP_CODE": c})

    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        answer("000000" if code != "000000" else "111111")
    assert error(e)[1] == "Invalid code or auth state for the user."
    done = answer(code)
    assert_tokens(done["AuthenticationResult"], "eve", client)
    attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username="eve")["UserAttributes"]}
    assert attrs["email_verified"] == "true"


# ---------------------------------------------------------------------------------------------
# Triggers


def test_custom_message_shapes_the_mfa_sms(idp, cognate_url):
    sms = {"SmsAuthenticationMessage": "Pool template {####}", "SmsConfiguration": SMS_CONFIG}
    pool, client = make_pool(idp, mfa={"MfaConfiguration": "ON", "SmsMfaConfiguration": sms},
                             LambdaConfig={"CustomMessage": ARN.format("customMessage")})
    make_user(idp, pool, "cam", phone_number="+15555550144")
    started = password_auth(idp, client, "cam")
    assert started["ChallengeName"] == "SMS_MFA"
    [message] = outbox(cognate_url, f"poolId={pool}&username=cam")
    # handlers/custom_message.py answers this smsMessage for CustomMessage_Authentication only.
    assert message["kind"] == "Authentication"
    assert message["message"] == f"Acme sign-in code: {message['code']}"
    done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SMS_MFA", Session=started["Session"],
                                         ChallengeResponses={"USERNAME": "cam", "SMS_MFA_CODE": message["code"]})
    assert_tokens(done["AuthenticationResult"], "cam", client)


def test_custom_message_shapes_the_mfa_email(idp, cognate_url):
    email = {"Message": "Pool template {####}", "Subject": "Pool subject"}
    pool, client = make_pool(idp, mfa={"MfaConfiguration": "OPTIONAL", "EmailMfaConfiguration": email},
                             EmailConfiguration=DEVELOPER_EMAIL, LambdaConfig={"CustomMessage": ARN.format("customMessage")})
    make_user(idp, pool, "cat", email="cat@example.com")
    idp.admin_set_user_mfa_preference(UserPoolId=pool, Username="cat", EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    started = password_auth(idp, client, "cat")
    assert started["ChallengeName"] == "EMAIL_OTP"
    [message] = outbox(cognate_url, f"poolId={pool}&username=cat")
    assert (message["subject"], message["message"]) == ("Your Acme sign-in", f"Acme sign-in code: {message['code']}")
    done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="EMAIL_OTP", Session=started["Session"],
                                         ChallengeResponses={"USERNAME": "cat", "EMAIL_OTP_CODE": message["code"]})
    assert_tokens(done["AuthenticationResult"], "cat", client)


def test_custom_senders_get_the_mfa_codes(idp, cognate_url):
    sender = {"LambdaVersion": "V1_0", "LambdaArn": ARN.format("customSender")}
    pool, client = make_pool(
        idp, EmailConfiguration=DEVELOPER_EMAIL,
        Schema=[{"Name": "last_code", "AttributeDataType": "String", "Mutable": True},
                {"Name": "last_source", "AttributeDataType": "String", "Mutable": True}],
        LambdaConfig={"KMSKeyID": "arn:aws:kms:us-east-1:000000000000:key/test-key",
                      "CustomSMSSender": sender, "CustomEmailSender": sender},
        mfa={"MfaConfiguration": "OPTIONAL",
             "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": SMS_CONFIG},
             "EmailMfaConfiguration": {"Message": "Code {####}", "Subject": "Sign-in"}})
    make_user(idp, pool, "sue", phone_number="+15555550166", email="sue@example.com")

    for factor, settings, source, field in [
        ("SMS_MFA", "SMSMfaSettings", "CustomSMSSender_Authentication", "SMS_MFA_CODE"),
        ("EMAIL_OTP", "EmailMfaSettings", "CustomEmailSender_Authentication", "EMAIL_OTP_CODE"),
    ]:
        idp.admin_set_user_mfa_preference(UserPoolId=pool, Username="sue", **{settings: {"Enabled": True, "PreferredMfa": True}})
        started = password_auth(idp, client, "sue")
        assert started["ChallengeName"] == factor
        attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username="sue")["UserAttributes"]}
        assert attrs["custom:last_source"] == source
        assert attrs["custom:last_code"] == outbox(cognate_url, f"poolId={pool}&username=sue")[0]["code"]
        done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName=factor, Session=started["Session"],
                                             ChallengeResponses={"USERNAME": "sue", field: attrs["custom:last_code"]})
        assert_tokens(done["AuthenticationResult"], "sue", client)
