"""A confidential app client's secrets and their rotation, through boto3 and the token endpoint:
AddUserPoolClientSecret, DeleteUserPoolClientSecret and ListUserPoolClientSecrets.

Facts about AWS come from the botocore model of cognito-idp ("[M]"): a client holds up to two
active secrets at once, for rotation with no moment when its callers are refused; a secret's
ClientSecretId is `<client-id>--<epoch-create-time>`; ClientSecretValue is returned only by
AddUserPoolClientSecret and only when Cognito generated the secret, never by
ListUserPoolClientSecrets; the last secret of a client cannot be deleted.

While two secrets are kept, each of them proves the client wherever a secret is asked for:
SECRET_HASH (base64 of HMAC-SHA256 keyed with the secret over username + client id) in
InitiateAuth, the whole secret in GetTokensFromRefreshToken, and HTTP Basic or the form's
client_secret at /oauth2/token (the client_credentials grant).

No test moves cognate's clock.
"""

import base64
import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request

import botocore.exceptions
import jwt
import pytest

PASSWORD = "Rotate!pass1234"
USERNAME = "alice"
API = "https://api.example.com"
SCOPES = [{"ScopeName": "read", "ScopeDescription": "Reads"}]
CUSTOM = "a" * 40


# ---------------------------------------------------------------------------------------------
# Helpers


def error_of(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def secret_hash(secret, username, client_id):
    mac = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def token_request(cognate_url, form, basic=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
    req = urllib.request.Request(f"{cognate_url}/oauth2/token", data=urllib.parse.urlencode(form).encode(),
                                 headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


class Pool:
    """A pool with one confidential client (GenerateSecret) that allows USER_PASSWORD_AUTH,
    refresh and the client_credentials grant, and one confirmed user."""

    def __init__(self, idp, name="secrets"):
        self.idp = idp
        self.id = idp.create_user_pool(PoolName=name)["UserPool"]["Id"]
        idp.create_resource_server(UserPoolId=self.id, Identifier=API, Name="API", Scopes=SCOPES)
        client = idp.create_user_pool_client(
            UserPoolId=self.id, ClientName="confidential", GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=[f"{API}/read"],
            AllowedOAuthFlowsUserPoolClient=True,
        )["UserPoolClient"]
        self.client = client
        self.client_id = client["ClientId"]
        self.secret = client["ClientSecret"]
        idp.admin_create_user(UserPoolId=self.id, Username=USERNAME, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=self.id, Username=USERNAME, Password=PASSWORD, Permanent=True)

    def add(self, **kw):
        return self.idp.add_user_pool_client_secret(UserPoolId=self.id, ClientId=self.client_id, **kw)

    def delete(self, secret_id):
        return self.idp.delete_user_pool_client_secret(UserPoolId=self.id, ClientId=self.client_id,
                                                       ClientSecretId=secret_id)

    def listed(self):
        return self.idp.list_user_pool_client_secrets(UserPoolId=self.id, ClientId=self.client_id)["ClientSecrets"]

    def sign_in(self, secret):
        """USER_PASSWORD_AUTH with SECRET_HASH computed from `secret`."""
        return self.idp.initiate_auth(
            ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": USERNAME, "PASSWORD": PASSWORD,
                            "SECRET_HASH": secret_hash(secret, USERNAME, self.client_id)},
        )["AuthenticationResult"]

    def refuses_sign_in(self, secret):
        return error_of(lambda: self.sign_in(secret))

    def refresh(self, refresh_token, secret):
        return self.idp.get_tokens_from_refresh_token(RefreshToken=refresh_token, ClientId=self.client_id,
                                                      ClientSecret=secret)["AuthenticationResult"]

    def machine_token(self, cognate_url, secret, basic=True):
        """The client_credentials grant, the secret in a Basic header or in the form."""
        if basic:
            return token_request(cognate_url, {"grant_type": "client_credentials"}, (self.client_id, secret))
        return token_request(cognate_url, {"grant_type": "client_credentials", "client_id": self.client_id,
                                           "client_secret": secret})

    @property
    def unable(self):
        return ("NotAuthorizedException", f"Unable to verify secret hash for client {self.client_id}")


def assert_listed_descriptor(d, client_id):
    """What ListUserPoolClientSecrets shows of one secret: its id and creation date, never its
    value [M]."""
    assert set(d) == {"ClientSecretId", "ClientSecretCreateDate"}, d
    assert "ClientSecretValue" not in d
    assert_secret_id(d, client_id)


def assert_secret_id(d, client_id):
    """`<client-id>--<epoch-create-time>` [M]: the tail is the creation time, in seconds or
    milliseconds since the epoch (the model does not say which)."""
    secret_id = d["ClientSecretId"]
    assert secret_id.startswith(f"{client_id}--"), secret_id
    tail = secret_id[len(client_id) + 2:]
    assert tail.isdigit(), secret_id
    created = d["ClientSecretCreateDate"]
    assert isinstance(created, datetime.datetime)
    stamp = created.timestamp()
    assert abs(int(tail) - stamp) <= 1 or abs(int(tail) / 1000 - stamp) <= 1, (secret_id, created)


# ---------------------------------------------------------------------------------------------
# 1. A client made with a secret


def test_a_client_made_with_a_secret_lists_that_one_secret(idp):
    pool = Pool(idp)
    listed = pool.listed()
    assert len(listed) == 1, listed
    assert_listed_descriptor(listed[0], pool.client_id)
    created = pool.client["CreationDate"]
    assert abs((listed[0]["ClientSecretCreateDate"] - created).total_seconds()) <= 2, (listed[0], created)
    # The one secret is the client's own: it signs in.
    assert pool.sign_in(pool.secret)["AccessToken"]


# ---------------------------------------------------------------------------------------------
# 2. Add: a generated secret, at most two


def test_add_generates_a_second_secret_and_a_third_is_refused(idp):
    pool = Pool(idp)
    original = pool.listed()[0]

    added = pool.add()["ClientSecretDescriptor"]
    assert set(added) == {"ClientSecretId", "ClientSecretValue", "ClientSecretCreateDate"}, added
    assert_secret_id(added, pool.client_id)
    value = added["ClientSecretValue"]
    assert isinstance(value, str) and value, added
    assert value != pool.secret
    assert added["ClientSecretId"] != original["ClientSecretId"]
    assert added["ClientSecretCreateDate"] >= original["ClientSecretCreateDate"]

    listed = pool.listed()
    assert len(listed) == 2, listed
    for d in listed:
        assert_listed_descriptor(d, pool.client_id)
    assert {d["ClientSecretId"] for d in listed} == {original["ClientSecretId"], added["ClientSecretId"]}
    by_id = {d["ClientSecretId"]: d for d in listed}
    assert by_id[original["ClientSecretId"]]["ClientSecretCreateDate"] == original["ClientSecretCreateDate"]
    assert by_id[added["ClientSecretId"]]["ClientSecretCreateDate"] == added["ClientSecretCreateDate"]

    code, _ = error_of(lambda: pool.add())
    assert code == "LimitExceededException"
    code, _ = error_of(lambda: pool.add(ClientSecret=CUSTOM))
    assert code == "LimitExceededException"
    assert {d["ClientSecretId"] for d in pool.listed()} == {original["ClientSecretId"], added["ClientSecretId"]}


# ---------------------------------------------------------------------------------------------
# 3. During a rotation both secrets work


def test_both_secrets_pass_secret_hash_during_rotation(idp):
    pool = Pool(idp)
    new = pool.add()["ClientSecretDescriptor"]["ClientSecretValue"]

    old_tokens = pool.sign_in(pool.secret)
    new_tokens = pool.sign_in(new)
    for tokens in (old_tokens, new_tokens):
        assert set(tokens) >= {"AccessToken", "IdToken", "RefreshToken"}, tokens
        claims = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
        assert claims["client_id"] == pool.client_id
        assert claims["username"] == USERNAME

    assert pool.refuses_sign_in("not-the-secret-" + "x" * 30) == pool.unable
    # A hash computed right but under the wrong client id is no better.
    code, message = error_of(lambda: idp.initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": USERNAME, "PASSWORD": PASSWORD,
                        "SECRET_HASH": secret_hash(new, USERNAME, "someotherclient")}))
    assert (code, message) == pool.unable


def test_both_secrets_refresh_during_rotation(idp):
    pool = Pool(idp)
    new = pool.add()["ClientSecretDescriptor"]["ClientSecretValue"]
    refresh_token = pool.sign_in(pool.secret)["RefreshToken"]

    for secret in (pool.secret, new):
        result = pool.refresh(refresh_token, secret)
        assert result["AccessToken"] and result["IdToken"], result
        assert jwt.decode(result["AccessToken"], options={"verify_signature": False})["client_id"] == pool.client_id

    # InitiateAuth's REFRESH_TOKEN_AUTH takes SECRET_HASH; either secret's does.
    for secret in (pool.secret, new):
        result = idp.initiate_auth(
            ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token,
                            "SECRET_HASH": secret_hash(secret, USERNAME, pool.client_id)},
        )["AuthenticationResult"]
        assert result["AccessToken"], result

    code, _ = error_of(lambda: pool.refresh(refresh_token, "w" * 40))
    assert code == "NotAuthorizedException"


def test_both_secrets_get_client_credentials_during_rotation(idp, cognate_url):
    pool = Pool(idp)
    new = pool.add()["ClientSecretDescriptor"]["ClientSecretValue"]
    for secret in (pool.secret, new):
        for basic in (True, False):
            status, body = pool.machine_token(cognate_url, secret, basic=basic)
            assert status == 200, (secret == new, basic, body)
            claims = jwt.decode(body["access_token"], options={"verify_signature": False})
            assert claims["client_id"] == pool.client_id
            assert claims["scope"] == f"{API}/read"
    assert pool.machine_token(cognate_url, "wrong") == (400, {"error": "invalid_client"})
    assert pool.machine_token(cognate_url, "wrong", basic=False) == (400, {"error": "invalid_client"})


# ---------------------------------------------------------------------------------------------
# 4. A secret of the caller's own


def test_a_custom_secret_is_not_echoed_and_then_works(idp, cognate_url):
    pool = Pool(idp)
    added = pool.add(ClientSecret=CUSTOM)["ClientSecretDescriptor"]
    assert set(added) == {"ClientSecretId", "ClientSecretCreateDate"}, added
    assert "ClientSecretValue" not in added
    assert_secret_id(added, pool.client_id)
    listed = pool.listed()
    assert len(listed) == 2, listed
    assert added["ClientSecretId"] in {d["ClientSecretId"] for d in listed}
    for d in listed:
        assert_listed_descriptor(d, pool.client_id)

    assert pool.sign_in(CUSTOM)["AccessToken"]
    assert pool.sign_in(pool.secret)["AccessToken"]
    refresh_token = pool.sign_in(CUSTOM)["RefreshToken"]
    assert pool.refresh(refresh_token, CUSTOM)["AccessToken"]
    status, body = pool.machine_token(cognate_url, CUSTOM)
    assert status == 200, body
    assert pool.refuses_sign_in("b" * 40) == pool.unable


# ---------------------------------------------------------------------------------------------
# 5. Delete: finishing a rotation


def test_deleting_the_original_secret_leaves_the_new_one(idp, cognate_url):
    pool = Pool(idp)
    original_id = pool.listed()[0]["ClientSecretId"]
    added = pool.add()["ClientSecretDescriptor"]
    new = added["ClientSecretValue"]
    refresh_token = pool.sign_in(pool.secret)["RefreshToken"]

    pool.delete(original_id)
    listed = pool.listed()
    assert [d["ClientSecretId"] for d in listed] == [added["ClientSecretId"]], listed
    assert_listed_descriptor(listed[0], pool.client_id)
    assert listed[0]["ClientSecretCreateDate"] == added["ClientSecretCreateDate"]

    # The new secret works everywhere; the old one nowhere.
    assert pool.sign_in(new)["AccessToken"]
    assert pool.refuses_sign_in(pool.secret) == pool.unable
    assert pool.refresh(refresh_token, new)["AccessToken"]
    code, _ = error_of(lambda: pool.refresh(refresh_token, pool.secret))
    assert code == "NotAuthorizedException"
    assert pool.machine_token(cognate_url, new)[0] == 200
    assert pool.machine_token(cognate_url, pool.secret) == (400, {"error": "invalid_client"})

    # DescribeUserPoolClient shows the secret that is left.
    described = idp.describe_user_pool_client(UserPoolId=pool.id, ClientId=pool.client_id)["UserPoolClient"]
    assert described["ClientSecret"] == new

    # The last secret stays.
    code, _ = error_of(lambda: pool.delete(added["ClientSecretId"]))
    assert code == "InvalidParameterException"
    assert [d["ClientSecretId"] for d in pool.listed()] == [added["ClientSecretId"]]
    assert pool.sign_in(new)["AccessToken"]

    # A secret that is not (or no longer) the client's.
    for unknown in (original_id, f"{pool.client_id}--1", "nosuchsecret"):
        code, _ = error_of(lambda: pool.delete(unknown))
        assert code == "ResourceNotFoundException", unknown

    # With one secret again, another may be added.
    again = pool.add()["ClientSecretDescriptor"]["ClientSecretValue"]
    assert len(pool.listed()) == 2
    assert pool.sign_in(again)["AccessToken"]
    assert pool.sign_in(new)["AccessToken"]


def test_delete_answers_an_empty_response(idp):
    pool = Pool(idp)
    original_id = pool.listed()[0]["ClientSecretId"]
    pool.add()
    answer = pool.delete(original_id)
    assert set(answer) == {"ResponseMetadata"}, answer
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_deleting_the_added_secret_keeps_the_original(idp):
    pool = Pool(idp)
    original_id = pool.listed()[0]["ClientSecretId"]
    added = pool.add()["ClientSecretDescriptor"]
    pool.delete(added["ClientSecretId"])
    assert [d["ClientSecretId"] for d in pool.listed()] == [original_id]
    assert pool.sign_in(pool.secret)["AccessToken"]
    assert pool.refuses_sign_in(added["ClientSecretValue"]) == pool.unable
    described = idp.describe_user_pool_client(UserPoolId=pool.id, ClientId=pool.client_id)["UserPoolClient"]
    assert described["ClientSecret"] == pool.secret
    code, _ = error_of(lambda: pool.delete(original_id))
    assert code == "InvalidParameterException"


def test_the_last_secret_of_a_fresh_client_cannot_be_deleted(idp):
    pool = Pool(idp)
    only = pool.listed()[0]["ClientSecretId"]
    code, _ = error_of(lambda: pool.delete(only))
    assert code == "InvalidParameterException"
    assert [d["ClientSecretId"] for d in pool.listed()] == [only]
    assert pool.sign_in(pool.secret)["AccessToken"]


# ---------------------------------------------------------------------------------------------
# 6. Unknown clients and pools


def calls(idp, pool_id, client_id, secret_id="x--1"):
    return {
        "Add": lambda: idp.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id),
        "AddCustom": lambda: idp.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id,
                                                             ClientSecret=CUSTOM),
        "Delete": lambda: idp.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id,
                                                             ClientSecretId=secret_id),
        "List": lambda: idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id),
    }


def test_an_unknown_client_is_not_found(idp):
    pool = Pool(idp)
    for name, call in calls(idp, pool.id, "nosuchclient123456789", "nosuchclient123456789--1").items():
        code, _ = error_of(call)
        assert code == "ResourceNotFoundException", name


def test_an_unknown_pool_is_not_found(idp):
    pool = Pool(idp)
    secret_id = pool.listed()[0]["ClientSecretId"]
    for name, call in calls(idp, "us-east-1_nopool", pool.client_id, secret_id).items():
        code, _ = error_of(call)
        assert code == "ResourceNotFoundException", name
    assert len(pool.listed()) == 1


def test_a_client_of_another_pool_is_not_found(idp):
    pool = Pool(idp, "first")
    other = idp.create_user_pool(PoolName="second")["UserPool"]["Id"]
    secret_id = pool.listed()[0]["ClientSecretId"]
    for name, call in calls(idp, other, pool.client_id, secret_id).items():
        code, _ = error_of(call)
        assert code == "ResourceNotFoundException", name
    # Nothing was added to the client through the wrong pool.
    assert [d["ClientSecretId"] for d in pool.listed()] == [secret_id]
    pool.add()
    original_id = secret_id
    code, _ = error_of(lambda: idp.delete_user_pool_client_secret(UserPoolId=other, ClientId=pool.client_id,
                                                                  ClientSecretId=original_id))
    assert code == "ResourceNotFoundException"
    assert len(pool.listed()) == 2


# ---------------------------------------------------------------------------------------------
# 7. A deleted client


def test_a_deleted_clients_secrets_are_gone(idp):
    pool = Pool(idp)
    secret_id = pool.listed()[0]["ClientSecretId"]
    pool.add()
    idp.delete_user_pool_client(UserPoolId=pool.id, ClientId=pool.client_id)
    for name, call in calls(idp, pool.id, pool.client_id, secret_id).items():
        code, _ = error_of(call)
        assert code == "ResourceNotFoundException", name
