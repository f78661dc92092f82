"""Lambda triggers run as local commands during real boto3-driven flows, and their failures
answered as Cognito answers them."""

import json
import os
import subprocess
import urllib.request

import pytest

from conftest import ROOT

ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"


def pool_with(idp, **lambda_config):
    pool = idp.create_user_pool(
        PoolName="triggers", AutoVerifiedAttributes=["email"], LambdaConfig=lambda_config,
        Schema=[{"Name": "subscription_tier", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="c", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return pool, client


def sign_up_and_confirm(idp, cognate_url, client, email):
    idp.sign_up(ClientId=client, Username=email, Password="Trigger!pass1", UserAttributes=[{"Name": "email", "Value": email}])
    with urllib.request.urlopen(f"{cognate_url}/_cognate/outbox?destination={email}") as r:
        code = json.load(r)["messages"][0]["code"]
    return idp.confirm_sign_up(ClientId=client, Username=email, ConfirmationCode=code)


def claims(token):
    import jwt
    return jwt.decode(token, options={"verify_signature": False})


def test_pre_sign_up_blocks_a_domain_and_confirms_a_trusted_one(idp, cognate_url):
    pool, client = pool_with(idp, PreSignUp=ARN.format("preSignUp"), PostConfirmation=ARN.format("postConfirmation"))
    idp.create_group(UserPoolId=pool, GroupName="Users")
    with pytest.raises(idp.exceptions.UserLambdaValidationException) as e:
        idp.sign_up(ClientId=client, Username="eve@blocked-domain.com", Password="Trigger!pass1",
                    UserAttributes=[{"Name": "email", "Value": "eve@blocked-domain.com"}])
    assert e.value.response["Error"]["Message"] == "PreSignUp failed with error Registration from this domain is not allowed."
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=pool, Username="eve@blocked-domain.com")

    out = idp.sign_up(ClientId=client, Username="ann@trusted.example", Password="Trigger!pass1",
                      UserAttributes=[{"Name": "email", "Value": "ann@trusted.example"}])
    assert out["UserConfirmed"] is True and "CodeDeliveryDetails" not in out
    user = idp.admin_get_user(UserPoolId=pool, Username="ann@trusted.example")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    # Confirmed by PreSignUp, the user still goes through PostConfirmation.
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username="ann@trusted.example")["Groups"]
    assert [g["GroupName"] for g in groups] == ["Users"]

    out = idp.sign_up(ClientId=client, Username="bob@example.com", Password="Trigger!pass1",
                      UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    assert out["UserConfirmed"] is False and out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


def test_pre_sign_up_on_admin_create_user(idp):
    pool, _ = pool_with(idp, PreSignUp=ARN.format("preSignUp"))
    with pytest.raises(idp.exceptions.UserLambdaValidationException):
        idp.admin_create_user(UserPoolId=pool, Username="mallory", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "m@blocked-domain.com"}])
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=pool, Username="mallory")
    user = idp.admin_create_user(UserPoolId=pool, Username="trent", MessageAction="SUPPRESS",
                                 UserAttributes=[{"Name": "email", "Value": "t@trusted.example"}])["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD", "an administrator's user still sets a password"
    assert {"Name": "email_verified", "Value": "true"} in user["Attributes"]


def outbox(cognate_url, query):
    with urllib.request.urlopen(f"{cognate_url}/_cognate/outbox?{query}") as r:
        return json.load(r)["messages"]


def test_custom_message_shapes_what_is_sent(idp, cognate_url):
    pool, client = pool_with(idp, CustomMessage=ARN.format("customMessage"))
    idp.sign_up(ClientId=client, Username="dee@example.com", Password="Trigger!pass1",
                UserAttributes=[{"Name": "email", "Value": "dee@example.com"}])
    [message] = outbox(cognate_url, "destination=dee@example.com")
    assert message["subject"] == "Welcome to Acme"
    assert message["message"] == f"Your Acme code is {message['code']}"
    # The code in the message is the one that confirms.
    idp.confirm_sign_up(ClientId=client, Username="dee@example.com", ConfirmationCode=message["code"])

    idp.admin_create_user(UserPoolId=pool, Username="eli", TemporaryPassword="Temp!pass1x", DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=[{"Name": "email", "Value": "eli@example.com"}])
    [invite] = outbox(cognate_url, "destination=eli@example.com")
    assert (invite["subject"], invite["message"]) == ("You are invited", "Hi eli, your password is Temp!pass1x")
    # Sources the handler leaves alone keep the pool's template.
    idp.admin_update_user_attributes(UserPoolId=pool, Username="eli", UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    idp.forgot_password(ClientId=client, Username="eli")
    reset = outbox(cognate_url, "destination=eli@example.com")[0]
    assert reset["message"] == f"Your verification code is {reset['code']}. "


def test_user_migration_on_sign_in_and_on_forgot_password(idp, cognate_url):
    pool, client = pool_with(idp, UserMigration=ARN.format("userMigration"))
    idp.update_user_pool_client(UserPoolId=pool, ClientId=client,
                                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                                PreventUserExistenceErrors="LEGACY")
    with pytest.raises(idp.exceptions.UserLambdaValidationException) as e:
        idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "legacy@example.com", "PASSWORD": "wrong"})
    assert e.value.response["Error"]["Message"] == "UserMigration failed with error Bad password."
    tokens = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "legacy@example.com", "PASSWORD": "Legacy!pass1"})["AuthenticationResult"]
    assert claims(tokens["IdToken"])["name"] == "Old Timer"
    user = idp.admin_get_user(UserPoolId=pool, Username="legacy@example.com")
    assert user["UserStatus"] == "CONFIRMED"
    # Migrated once, the user signs in without the handler.
    idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "legacy@example.com", "PASSWORD": "Legacy!pass1"})
    # Someone the legacy store does not know stays unknown.
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "nobody@example.com", "PASSWORD": "Legacy!pass1"})

    other, other_client = pool_with(idp, UserMigration=ARN.format("userMigration"))
    out = idp.forgot_password(ClientId=other_client, Username="legacy@example.com")
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert idp.admin_get_user(UserPoolId=other, Username="legacy@example.com")["UserStatus"] == "RESET_REQUIRED"
    code = outbox(cognate_url, "destination=legacy@example.com")[0]["code"]
    idp.confirm_forgot_password(ClientId=other_client, Username="legacy@example.com", ConfirmationCode=code, Password="Fresh!pass1")
    idp.initiate_auth(ClientId=other_client, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "legacy@example.com", "PASSWORD": "Fresh!pass1"})


def test_custom_auth_round_trip(idp):
    pool, client = pool_with(idp, DefineAuthChallenge=ARN.format("defineAuth"), CreateAuthChallenge=ARN.format("createAuth"),
                             VerifyAuthChallengeResponse=ARN.format("verifyAuth"))
    idp.update_user_pool_client(UserPoolId=pool, ClientId=client, ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    idp.admin_create_user(UserPoolId=pool, Username="quiz", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="quiz", Password="Trigger!pass1", Permanent=True)

    start = idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "quiz"})
    assert start["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert start["ChallengeParameters"] == {"question": "What is 6 x 7?", "USERNAME": "quiz"}
    wrong = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=start["Session"],
                                          ChallengeResponses={"USERNAME": "quiz", "ANSWER": "41"})
    assert wrong["ChallengeName"] == "CUSTOM_CHALLENGE", "a wrong answer gets another question"
    # Each session answers once.
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=start["Session"],
                                      ChallengeResponses={"USERNAME": "quiz", "ANSWER": "42"})
    right = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=wrong["Session"],
                                          ChallengeResponses={"USERNAME": "quiz", "ANSWER": "42"})
    assert claims(right["AuthenticationResult"]["IdToken"])["cognito:username"] == "quiz"

    # Three wrong answers and the sign-in fails.
    session = idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "quiz"})["Session"]
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        for _ in range(3):
            session = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=session,
                                                    ChallengeResponses={"USERNAME": "quiz", "ANSWER": "0"})["Session"]
    assert e.value.response["Error"]["Message"] == "Incorrect username or password."

    # Without the triggers, Cognito says so.
    plain, plain_client = pool_with(idp)
    idp.update_user_pool_client(UserPoolId=plain, ClientId=plain_client, ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.initiate_auth(ClientId=plain_client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "quiz"})
    assert e.value.response["Error"]["Message"] == "Custom auth lambda trigger is not configured for the user pool."


def test_custom_email_sender_gets_the_code_encrypted(idp, cognate_url):
    pool = idp.create_user_pool(
        PoolName="sender", AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "last_code", "AttributeDataType": "String", "Mutable": True}],
        LambdaConfig={"KMSKeyID": "arn:aws:kms:us-east-1:000000000000:key/test-key",
                      "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": ARN.format("customEmailSender")}},
    )["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c")["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client, Username="fay", Password="Trigger!pass1", UserAttributes=[{"Name": "email", "Value": "fay@example.com"}])
    attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username="fay")["UserAttributes"]}
    [message] = outbox(cognate_url, "destination=fay@example.com")
    assert attrs["custom:last_code"] == message["code"], "the handler decrypted the code it was sent"
    idp.confirm_sign_up(ClientId=client, Username="fay", ConfirmationCode=attrs["custom:last_code"])


def test_post_confirmation_adds_the_user_to_a_group(idp, cognate_url):
    pool, client = pool_with(idp, PostConfirmation=ARN.format("postConfirmation"))
    idp.create_group(UserPoolId=pool, GroupName="Users")
    sign_up_and_confirm(idp, cognate_url, client, "new@example.com")
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username="new@example.com")["Groups"]
    assert [g["GroupName"] for g in groups] == ["Users"]


def test_handlers_calling_back_at_once_are_all_served(idp, cognate_url):
    """More handlers wait on cognate's answers at once than cognate has I/O threads (one per
    core): each waiting operation must step aside, or the call-backs would queue behind it until
    the trigger timed out."""
    from concurrent.futures import ThreadPoolExecutor
    import boto3

    pool, client = pool_with(idp, PostConfirmation=ARN.format("httpPostConfirmation"))
    idp.create_group(UserPoolId=pool, GroupName="Users")
    emails = [f"crowd{i}@example.com" for i in range(2 * (os.cpu_count() or 1) + 2)]
    for email in emails:
        idp.sign_up(ClientId=client, Username=email, Password="Trigger!pass1",
                    UserAttributes=[{"Name": "email", "Value": email}])

    def confirm(email):
        with urllib.request.urlopen(f"{cognate_url}/_cognate/outbox?destination={email}") as r:
            code = json.load(r)["messages"][0]["code"]
        boto3.client("cognito-idp", region_name="us-east-1").confirm_sign_up(
            ClientId=client, Username=email, ConfirmationCode=code)

    with ThreadPoolExecutor(len(emails)) as pool_of_threads:
        list(pool_of_threads.map(confirm, emails))
    members = idp.list_users_in_group(UserPoolId=pool, GroupName="Users")["Users"]
    assert sorted(u["Username"] for u in members) == sorted(emails)


def test_post_confirmation_failure_leaves_the_user_confirmed(idp, cognate_url):
    pool, client = pool_with(idp, PostConfirmation=ARN.format("failsWithError"))
    with pytest.raises(idp.exceptions.UserLambdaValidationException) as e:
        sign_up_and_confirm(idp, cognate_url, client, "unlucky@example.com")
    assert e.value.response["Error"]["Message"] == "PostConfirmation failed with error Database is down."
    assert idp.admin_get_user(UserPoolId=pool, Username="unlucky@example.com")["UserStatus"] == "CONFIRMED"


@pytest.mark.parametrize("function,error,message", [
    ("failsByRaising", "UserLambdaValidationException",
     "PostConfirmation failed with error RuntimeError: Registration from this domain is not allowed."),
    ("timesOut", "UnexpectedLambdaException",
     "PostConfirmation invocation failed due to error Socket timeout while invoking Lambda function."),
    ("answersGarbage", "InvalidLambdaResponseException", "Unrecognizable lambda output"),
    ("nobodyServesThis", "UnexpectedLambdaException", None),
])
def test_trigger_failures(idp, cognate_url, function, error, message):
    pool, client = pool_with(idp, PostConfirmation=ARN.format(function))
    with pytest.raises(idp.exceptions.ClientError) as e:
        sign_up_and_confirm(idp, cognate_url, client, f"{function.lower()}@example.com")
    assert e.value.response["Error"]["Code"] == error
    if message:
        assert e.value.response["Error"]["Message"] == message


def test_pre_token_generation_v1_shapes_the_id_token(idp):
    pool, client = pool_with(idp, PreTokenGeneration=ARN.format("preTokenV1"))
    idp.admin_create_user(UserPoolId=pool, Username="tia", MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "custom:subscription_tier", "Value": "pro"}, {"Name": "phone_number", "Value": "+15555550100"}])
    idp.admin_set_user_password(UserPoolId=pool, Username="tia", Password="Trigger!pass1", Permanent=True)
    idp.create_group(UserPoolId=pool, GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=pool, Username="tia", GroupName="admins")
    tokens = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "tia", "PASSWORD": "Trigger!pass1"})["AuthenticationResult"]
    id_claims = claims(tokens["IdToken"])
    assert id_claims["subscription_tier"] == "pro"
    assert "phone_number" not in id_claims
    assert id_claims["cognito:groups"] == ["admins", "from-trigger"]
    assert claims(tokens["AccessToken"])["cognito:groups"] == ["admins", "from-trigger"]
    # Refreshed tokens go through the trigger too.
    again = idp.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})["AuthenticationResult"]
    assert claims(again["IdToken"])["subscription_tier"] == "pro"


def test_pre_token_generation_v2_shapes_the_access_token(idp):
    pool, client = pool_with(idp, PreTokenGenerationConfig={"LambdaVersion": "V2_0", "LambdaArn": ARN.format("preTokenV2")})
    idp.admin_create_user(UserPoolId=pool, Username="uri", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="uri", Password="Trigger!pass1", Permanent=True)
    tokens = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "uri", "PASSWORD": "Trigger!pass1"})["AuthenticationResult"]
    access = claims(tokens["AccessToken"])
    assert access["tenant"] == "acme"
    assert access["scope"].split() == ["aws.cognito.signin.user.admin", "orders/read"]
    # The trigger's scope does not stop the token working on the user-pool API.
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "uri"


def test_pre_and_post_authentication(idp):
    pool, client = pool_with(idp, PreAuthentication=ARN.format("preAuthentication"),
                             PostAuthentication=ARN.format("postAuthentication"))
    idp.create_group(UserPoolId=pool, GroupName="SignedIn")
    for name in ["blocked-bo", "cleo"]:
        idp.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool, Username=name, Password="Trigger!pass1", Permanent=True)
    with pytest.raises(idp.exceptions.UserLambdaValidationException) as e:
        idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "blocked-bo", "PASSWORD": "Trigger!pass1"})
    assert e.value.response["Error"]["Message"] == "PreAuthentication failed with error This account is blocked."
    tokens = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "cleo", "PASSWORD": "Trigger!pass1"})["AuthenticationResult"]
    assert "AccessToken" in tokens
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username="cleo")["Groups"]
    assert [g["GroupName"] for g in groups] == ["SignedIn"], "PostAuthentication ran and called cognate back"
    # A refresh is not an authentication.
    idp.admin_remove_user_from_group(UserPoolId=pool, Username="cleo", GroupName="SignedIn")
    idp.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert idp.admin_list_groups_for_user(UserPoolId=pool, Username="cleo")["Groups"] == []


def test_a_failing_pre_token_trigger_issues_no_tokens(idp):
    pool, client = pool_with(idp, PreTokenGeneration=ARN.format("failsWithError"))
    idp.admin_create_user(UserPoolId=pool, Username="vee", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="vee", Password="Trigger!pass1", Permanent=True)
    with pytest.raises(idp.exceptions.UserLambdaValidationException) as e:
        idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "vee", "PASSWORD": "Trigger!pass1"})
    assert e.value.response["Error"]["Message"] == "PreTokenGeneration failed with error Database is down."


def test_a_trigger_served_over_the_lambda_invoke_api(idp):
    pool, client = pool_with(idp, PreTokenGeneration=ARN.format("httpPreToken"))
    idp.admin_create_user(UserPoolId=pool, Username="wyn", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="wyn", Password="Trigger!pass1", Permanent=True)
    tokens = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "wyn", "PASSWORD": "Trigger!pass1"})["AuthenticationResult"]
    assert claims(tokens["IdToken"])["via"] == "http"

    pool, client = pool_with(idp, PreTokenGeneration=ARN.format("httpFails"))
    idp.admin_create_user(UserPoolId=pool, Username="xan", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="xan", Password="Trigger!pass1", Permanent=True)
    with pytest.raises(idp.exceptions.UserLambdaValidationException) as e:
        idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "xan", "PASSWORD": "Trigger!pass1"})
    assert e.value.response["Error"]["Message"] == "PreTokenGeneration failed with error Served badly."


def test_cognate_event_prints_what_handlers_receive():
    binary = os.environ.get("COGNATE_BIN", str(ROOT / "target" / "debug" / "cognate"))
    out = subprocess.run([binary, "event", "PreSignUp_SignUp", "--user-pool-id", "us-east-1_TestPool",
                          "--username", "testuser", "--client-id", "test-client-id",
                          "--user-attribute", "email=user@blocked-domain.com"], capture_output=True, text=True, check=True)
    event = json.loads(out.stdout)
    assert event["triggerSource"] == "PreSignUp_SignUp"
    assert event["region"] == "us-east-1"
    assert event["userPoolId"] == "us-east-1_TestPool"
    assert event["callerContext"]["clientId"] == "test-client-id"
    assert event["request"]["userAttributes"] == {"email": "user@blocked-domain.com"}
    assert event["response"] == {}
    bad = subprocess.run([binary, "event", "Nope_Never"], capture_output=True, text=True)
    assert bad.returncode != 0 and "PostConfirmation_ConfirmSignUp" in bad.stderr
