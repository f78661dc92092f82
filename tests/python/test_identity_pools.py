"""Identity pools (`cognito-identity`) and the STS calls that go with them, driven through boto3
as an app's backend or its tests would: pools and their roles, guests and signed-in users of a
cognate user pool, an OpenID Connect provider, developer-authenticated identities, the basic
(classic) flow through STS AssumeRoleWithWebIdentity, linking and merging.

Facts about AWS come from docs/research/identity-pools.md ("note §N" below; it names its own
sources) and from the botocore model of cognito-identity ("[M]"). Where cognate has a text of
its own for a case the note leaves unconfirmed, the test says so.

What credentials stand for (their role, identity, principal tags) is read back from
`GET /_cognate/credentials/<AccessKeyId>`, cognate's stand-in for the services that would honour
them.

The clock: `/moto-api/reset` forgets the state but not the clock (`POST /_cognate/clock` only
moves it forward), and other modules verify cognate's tokens with PyJWT against the wall clock.
So the tests that move time run against a cognate of this module's own (`own_cognate`); every
time compared here is cognate's (`Cognate.now`), never the wall clock's.
"""

import base64
import datetime
import http.server
import json
import re
import threading
import urllib.error
import urllib.request

import boto3
import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import launch

REGION = "us-east-1"
ACCOUNT = "000000000000"
AUTH_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Cognito_AppAuth_Role"
UNAUTH_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Cognito_AppUnauth_Role"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/AppAdmins"
EDITOR_ROLE = f"arn:aws:iam::{ACCOUNT}:role/AppEditors"
GOLD_ROLE = f"arn:aws:iam::{ACCOUNT}:role/GoldTier"
OPS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Ops"
PAID_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Paid"
PASSWORD = "Passw0rd!ok"
DEV = "login.mycompany.myapp"
SERVICE = "cognito-identity.amazonaws.com"
ID_RE = r"us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


# --- cognate, its clock and what it records ------------------------------------------------


class Cognate:
    """One cognate server: its clients and its test endpoints."""

    def __init__(self, url, endpoint_url=None):
        self.url = url
        kw = {"region_name": REGION, **({"endpoint_url": endpoint_url} if endpoint_url else {})}
        self.idp = boto3.client("cognito-idp", **kw)
        self.ci = boto3.client("cognito-identity", **kw)
        self.sts = boto3.client("sts", **kw)
        self._kw = kw

    def sts_as(self, credentials):
        """An STS client signing with credentials cognate handed out (either shape)."""
        return boto3.client(
            "sts", **self._kw,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials.get("SecretKey") or credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )

    def get(self, path):
        try:
            with urllib.request.urlopen(self.url + path) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def now(self):
        return self.get("/_cognate/clock")[1]["now"]

    def advance(self, seconds):
        req = urllib.request.Request(f"{self.url}/_cognate/clock", data=json.dumps({"advanceSeconds": seconds}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req) as r:
            return json.load(r)["now"]

    def credentials(self, access_key_id):
        """What cognate recorded of credentials it handed out."""
        status, body = self.get(f"/_cognate/credentials/{access_key_id}")
        assert status == 200, body
        return body


@pytest.fixture
def main(cognate_url):
    """The session's cognate, reached as AWS_ENDPOINT_URL says (reset before each test)."""
    return Cognate(cognate_url)


@pytest.fixture(scope="module")
def own_cognate_server():
    proc, url = launch(["--ephemeral"])
    yield url
    proc.kill()
    proc.wait()


@pytest.fixture
def own_cognate(own_cognate_server):
    """A cognate of this module's own, whose clock a test may move."""
    req = urllib.request.Request(own_cognate_server + "/_cognate/reset", method="POST")
    with urllib.request.urlopen(req) as r:
        assert json.load(r)["status"] == "reset"
    return Cognate(own_cognate_server, endpoint_url=own_cognate_server)


def refused(call, **kwargs):
    """The (Code, Message) a call is refused with."""
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def header(token):
    return jwt.get_unverified_header(token)


def epoch(t):
    return t.timestamp() if isinstance(t, datetime.datetime) else float(t)


# --- a user pool of cognate's, its clients and users -----------------------------------------


class UserPool:
    """A user pool with an app client that signs in with passwords, and a custom `tier`."""

    def __init__(self, c, name="app"):
        self.c = c
        self.id = c.idp.create_user_pool(
            PoolName=name, Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
        )["UserPool"]["Id"]
        self.client_id = self.add_client()
        # The provider name AWS gives a user pool (note §12).
        self.provider = f"cognito-idp.{REGION}.amazonaws.com/{self.id}"

    def add_client(self, name="web"):
        return self.c.idp.create_user_pool_client(
            UserPoolId=self.id, ClientName=name,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]

    @property
    def mapping_key(self):
        """The RoleMappings key of this pool's client: `<provider>:<client id>` (note §12)."""
        return f"{self.provider}:{self.client_id}"

    def entry(self, check=False, client_id=None):
        return {"ProviderName": self.provider, "ClientId": client_id or self.client_id, "ServerSideTokenCheck": check}

    def add_user(self, username, email=None, groups=(), **attributes):
        attrs = {"email": email or f"{username}@example.com", "email_verified": "true", **attributes}
        self.c.idp.admin_create_user(UserPoolId=self.id, Username=username, MessageAction="SUPPRESS",
                                     UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()])
        self.c.idp.admin_set_user_password(UserPoolId=self.id, Username=username, Password=PASSWORD, Permanent=True)
        for g in groups:
            self.c.idp.admin_add_user_to_group(UserPoolId=self.id, Username=username, GroupName=g)
        return username

    def sign_in(self, username, client_id=None):
        return self.c.idp.initiate_auth(
            ClientId=client_id or self.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]

    def logins(self, username, client_id=None):
        """The Logins map of a fresh sign-in, keyed as AWS names the provider."""
        return {self.provider: self.sign_in(username, client_id)["IdToken"]}


class SignedIn:
    def __init__(self, up, username):
        self.up = up
        self.username = username
        self.tokens = up.sign_in(username)
        self.id_token = self.tokens["IdToken"]
        self.sub = claims(self.id_token)["sub"]
        self.logins = {up.provider: self.id_token}


def new_identity_pool(c, *, roles=True, **settings):
    """An identity pool (no guests unless asked), with the authenticated and unauthenticated roles."""
    pool_id = c.ci.create_identity_pool(
        **{"IdentityPoolName": "app", "AllowUnauthenticatedIdentities": False, **settings})["IdentityPoolId"]
    if roles:
        c.ci.set_identity_pool_roles(IdentityPoolId=pool_id,
                                     Roles={"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE})
    return pool_id


def identity_count(c, pool_id, **kw):
    return len(c.ci.list_identities(IdentityPoolId=pool_id, MaxResults=60, **kw)["Identities"])


@pytest.fixture
def signed_in(main):
    """A user pool with a client, and its user alice signed in."""
    up = UserPool(main)
    up.add_user("alice", email="alice@example.com")
    return SignedIn(up, "alice")


@pytest.fixture
def linked(main, signed_in):
    """An identity pool taking signed_in's user pool client (guests allowed)."""
    return new_identity_pool(main, AllowUnauthenticatedIdentities=True,
                             CognitoIdentityProviders=[signed_in.up.entry()])


# --- an OpenID Connect provider outside cognate --------------------------------------------


class OidcProvider:
    """Discovery and JWKS, which is all an identity pool asks of an OIDC provider; its tokens
    are made by the test."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": provider.issuer, "jwks_uri": f"{provider.issuer}/jwks",
                            "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path == "/jwks":
                    n = provider.key.public_key().public_numbers()
                    b64 = lambda i: base64.urlsafe_b64encode(i.to_bytes((i.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()
                    body = {"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": b64(n.n), "e": b64(n.e)}]}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.issuer = f"http://{self.host}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, now, sub, key=None, **extra):
        body = {"iss": self.issuer, "sub": sub, "aud": "oidc-app", "iat": int(now), "exp": int(now) + 300, **extra}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture(scope="module")
def oidc():
    p = OidcProvider()
    yield p
    p.server.shutdown()


# --- 1. the pools ----------------------------------------------------------------------------


def test_create_and_describe_show_what_was_set(main):
    made = main.ci.create_identity_pool(IdentityPoolName="MyIdentityPool", AllowUnauthenticatedIdentities=False)
    pool_id = made["IdentityPoolId"]
    assert re.fullmatch(ID_RE, pool_id)
    described = main.ci.describe_identity_pool(IdentityPoolId=pool_id)
    described.pop("ResponseMetadata")
    # Members never set are left out (the awscli describe-identity-pool example shows just these
    # and the providers it set).
    assert described == {"IdentityPoolId": pool_id, "IdentityPoolName": "MyIdentityPool",
                         "AllowUnauthenticatedIdentities": False}
    made.pop("ResponseMetadata")
    assert made == described

    full = main.ci.create_identity_pool(
        IdentityPoolName="Full", AllowUnauthenticatedIdentities=True, AllowClassicFlow=True,
        SupportedLoginProviders={"graph.facebook.com": "1234567890"}, DeveloperProviderName=DEV,
        CognitoIdentityProviders=[{"ProviderName": f"cognito-idp.{REGION}.amazonaws.com/us-east-1_Abc",
                                   "ClientId": "abc123", "ServerSideTokenCheck": True}],
    )
    described = main.ci.describe_identity_pool(IdentityPoolId=full["IdentityPoolId"])
    assert described["SupportedLoginProviders"] == {"graph.facebook.com": "1234567890"}
    assert described["DeveloperProviderName"] == DEV and described["AllowClassicFlow"] is True
    assert described["CognitoIdentityProviders"] == [{"ProviderName": f"cognito-idp.{REGION}.amazonaws.com/us-east-1_Abc",
                                                      "ClientId": "abc123", "ServerSideTokenCheck": True}]


def test_update_replaces_the_description_but_keeps_the_developer_provider(main):
    pool_id = main.ci.create_identity_pool(
        IdentityPoolName="before", AllowUnauthenticatedIdentities=False, DeveloperProviderName=DEV,
        SupportedLoginProviders={"graph.facebook.com": "1234567890"})["IdentityPoolId"]
    updated = main.ci.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="after",
                                           AllowUnauthenticatedIdentities=True)
    described = main.ci.describe_identity_pool(IdentityPoolId=pool_id)
    for answer in (updated, described):
        assert answer["IdentityPoolName"] == "after" and answer["AllowUnauthenticatedIdentities"] is True
        # UpdateIdentityPool sets what is left out to its default [M]...
        assert "SupportedLoginProviders" not in answer
        # ...except the developer provider name, which once set stays (note §13,
        # terraform-provider-aws#49985).
        assert answer["DeveloperProviderName"] == DEV


def test_list_identity_pools_pages(main):
    made = {main.ci.create_identity_pool(IdentityPoolName=f"pool{i}", AllowUnauthenticatedIdentities=False)["IdentityPoolId"]
            for i in range(3)}
    first = main.ci.list_identity_pools(MaxResults=2)
    assert len(first["IdentityPools"]) == 2 and first["NextToken"]
    seen = list(first["IdentityPools"])
    token = first["NextToken"]
    while token:
        page = main.ci.list_identity_pools(MaxResults=2, NextToken=token)
        seen += page["IdentityPools"]
        token = page.get("NextToken")
    # Items are just the id and the name (note §7).
    assert all(set(p) == {"IdentityPoolId", "IdentityPoolName"} for p in seen)
    ids = [p["IdentityPoolId"] for p in seen]
    # Every pool once (a seed file's pools may be listed too).
    assert made <= set(ids) and len(ids) == len(set(ids))


def test_delete_and_a_missing_pool(main):
    pool_id = new_identity_pool(main, roles=False)
    main.ci.delete_identity_pool(IdentityPoolId=pool_id)
    # note §2 (awslabs/aws-sdk-android-samples#163 and others).
    for call in (main.ci.describe_identity_pool, main.ci.delete_identity_pool, main.ci.get_identity_pool_roles):
        assert refused(call, IdentityPoolId=pool_id) == ("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")
    assert refused(main.ci.get_id, IdentityPoolId=pool_id) == \
        ("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")


def test_a_malformed_pool_id_fails_validation(main):
    # note §1 (aws/amazon-freertos#1829): the member in lower camel case, the model's pattern verbatim.
    expected = ("ValidationException", "1 validation error detected: Value 'bad' at 'identityPoolId' failed to "
                "satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+")
    assert refused(main.ci.describe_identity_pool, IdentityPoolId="bad") == expected
    assert refused(main.ci.get_id, IdentityPoolId="bad") == expected


# --- 2. tags ---------------------------------------------------------------------------------


def test_tags_by_arn(main):
    pool_id = main.ci.create_identity_pool(IdentityPoolName="tagged", AllowUnauthenticatedIdentities=False,
                                           IdentityPoolTags={"team": "identity"})["IdentityPoolId"]
    arn = f"arn:aws:cognito-identity:{REGION}:{ACCOUNT}:identitypool/{pool_id}"
    assert main.ci.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "identity"}
    main.ci.tag_resource(ResourceArn=arn, Tags={"env": "test", "team": "auth"})
    assert main.ci.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "auth", "env": "test"}
    main.ci.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert main.ci.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "test"}
    assert main.ci.describe_identity_pool(IdentityPoolId=pool_id)["IdentityPoolTags"] == {"env": "test"}


# --- 3. roles, role mappings, principal tag maps ---------------------------------------------


def test_roles_and_role_mappings_round_trip(main, signed_in):
    up = signed_in.up
    pool_id = new_identity_pool(main, roles=False, CognitoIdentityProviders=[up.entry()])
    mappings = {up.mapping_key: {
        "Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
        "RulesConfiguration": {"Rules": [{"Claim": "custom:tier", "MatchType": "Equals", "Value": "gold", "RoleARN": GOLD_ROLE}]},
    }}
    main.ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE},
                                    RoleMappings=mappings)
    got = main.ci.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["IdentityPoolId"] == pool_id
    assert got["Roles"] == {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE}
    assert got["RoleMappings"] == mappings

    token = {up.mapping_key: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}}
    main.ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE}, RoleMappings=token)
    got = main.ci.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["Roles"] == {"authenticated": AUTH_ROLE} and got["RoleMappings"] == token


def test_set_identity_pool_roles_refusals(main, signed_in):
    up = signed_in.up
    pool_id = new_identity_pool(main, roles=False, CognitoIdentityProviders=[up.entry()])
    # The provider name without its client is no RoleMappings key (note §12, aws/aws-cdk#22951).
    assert refused(main.ci.set_identity_pool_roles, IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE},
                   RoleMappings={up.provider: {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}}) == \
        ("InvalidParameterException",
         f"({up.provider}) is not a valid RoleMapping ProviderName or is not a configured provider.")
    # A role's name where its ARN belongs (note §3/§12, aws/aws-sdk-js#908).
    assert refused(main.ci.set_identity_pool_roles, IdentityPoolId=pool_id,
                   Roles={"authenticated": "my-stack-SomeRole-KBKHTR8P6UC2"}) == \
        ("NotAuthorizedException", "Access to Role 'my-stack-SomeRole-KBKHTR8P6UC2' is forbidden.")
    assert main.ci.get_identity_pool_roles(IdentityPoolId=pool_id).get("Roles", {}) == {}, "nothing was set"


def test_principal_tag_attribute_map_round_trip(main, signed_in):
    up = signed_in.up
    pool_id = new_identity_pool(main, CognitoIdentityProviders=[up.entry()])
    set_ = main.ci.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=up.provider,
                                                   UseDefaults=False, PrincipalTags={"email": "email", "tier": "custom:tier"})
    got = main.ci.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=up.provider)
    for answer in (set_, got):
        # The response shape of note §6 [M].
        assert answer["IdentityPoolId"] == pool_id and answer["IdentityProviderName"] == up.provider
        assert answer["UseDefaults"] is False
        assert answer["PrincipalTags"] == {"email": "email", "tier": "custom:tier"}


# --- 4. guests -------------------------------------------------------------------------------


def test_a_guest_gets_the_unauthenticated_role(main):
    pool_id = new_identity_pool(main, AllowUnauthenticatedIdentities=True)
    identity = main.ci.get_id(IdentityPoolId=pool_id)["IdentityId"]
    assert re.fullmatch(ID_RE, identity)
    answer = main.ci.get_credentials_for_identity(IdentityId=identity)
    assert answer["IdentityId"] == identity
    creds = answer["Credentials"]
    # Temporary keys start ASIA; the members are AccessKeyId, SecretKey, SessionToken, Expiration
    # (note §10 [M]).
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretKey"]) == 40 and len(creds["SessionToken"]) > 100
    # An hour (enhanced-flow credentials).
    assert abs(epoch(creds["Expiration"]) - (main.now() + 3600)) < 10

    record = main.credentials(creds["AccessKeyId"])
    assert record["RoleArn"] == UNAUTH_ROLE
    assert (record["IdentityId"], record["IdentityPoolId"]) == (identity, pool_id)
    assert record["PrincipalTags"] == {} and record["Source"] == "GetCredentialsForIdentity"
    # The session is named CognitoIdentityCredentials (note §10, id 57966012154).
    me = main.sts_as(creds).get_caller_identity()
    assert me["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Cognito_AppUnauth_Role/CognitoIdentityCredentials"
    assert me["Account"] == ACCOUNT and me["UserId"].startswith("AROA")
    assert me["UserId"].endswith(":CognitoIdentityCredentials")


def test_guests_refused_when_the_pool_does_not_allow_them(main):
    pool_id = new_identity_pool(main, AllowUnauthenticatedIdentities=False)
    # note §3 (aws/aws-sdk-js-v3#3113).
    assert refused(main.ci.get_id, IdentityPoolId=pool_id) == \
        ("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")
    assert identity_count(main, pool_id) == 0

    # A guest made while guests were allowed is refused credentials once they are not
    # (note §3, aws/aws-sdk-ruby#2941).
    main.ci.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="app", AllowUnauthenticatedIdentities=True)
    guest = main.ci.get_id(IdentityPoolId=pool_id)["IdentityId"]
    main.ci.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="app", AllowUnauthenticatedIdentities=False)
    assert refused(main.ci.get_credentials_for_identity, IdentityId=guest) == \
        ("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")


def test_no_role_is_an_invalid_pool_configuration(main):
    pool_id = new_identity_pool(main, roles=False, AllowUnauthenticatedIdentities=True)
    guest = main.ci.get_id(IdentityPoolId=pool_id)["IdentityId"]
    # note §5 (aws-amplify/amplify-js#741).
    assert refused(main.ci.get_credentials_for_identity, IdentityId=guest) == \
        ("InvalidIdentityPoolConfigurationException",
         "Invalid identity pool configuration. Check assigned IAM roles for this pool.")


# --- 5. signed-in users of a cognate user pool -------------------------------------------------


def test_a_signed_in_user_gets_one_identity_and_the_authenticated_role(main, signed_in, linked):
    up = signed_in.up
    identity = main.ci.get_id(IdentityPoolId=linked, Logins=signed_in.logins)["IdentityId"]
    assert re.fullmatch(ID_RE, identity)
    # Amplify keys the login by the token's iss less its scheme; it names the same provider.
    amplify_key = claims(signed_in.id_token)["iss"].split("://", 1)[1]
    assert amplify_key.endswith("/" + up.id) and amplify_key != up.provider
    assert main.ci.get_id(IdentityPoolId=linked, Logins={amplify_key: signed_in.id_token})["IdentityId"] == identity
    # A fresh sign-in of the same user: the same identity.
    assert main.ci.get_id(IdentityPoolId=linked, Logins=up.logins("alice"))["IdentityId"] == identity
    assert identity_count(main, linked) == 1

    answer = main.ci.get_credentials_for_identity(IdentityId=identity, Logins=signed_in.logins)
    assert answer["IdentityId"] == identity
    record = main.credentials(answer["Credentials"]["AccessKeyId"])
    assert record["RoleArn"] == AUTH_ROLE and record["IdentityId"] == identity
    assert main.sts_as(answer["Credentials"]).get_caller_identity()["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/Cognito_AppAuth_Role/CognitoIdentityCredentials"

    # No downgrading an authenticated identity to a guest (note §3, aws-sdk-ios#165, aws-sdk-unity#102).
    assert refused(main.ci.get_credentials_for_identity, IdentityId=identity) == \
        ("NotAuthorizedException", f"Access to Identity '{identity}' is forbidden.")

    # DescribeIdentity lists provider names, never the users (note §7, aws/aws-sdk-js#2073).
    described = main.ci.describe_identity(IdentityId=identity)
    assert described["IdentityId"] == identity and described["Logins"] == [up.provider]
    assert abs(epoch(described["CreationDate"]) - main.now()) < 60
    assert epoch(described["LastModifiedDate"]) >= epoch(described["CreationDate"])


def test_list_identities_pages_and_hides_disabled(main, signed_in, linked):
    up = signed_in.up
    up.add_user("bob")
    alice = main.ci.get_id(IdentityPoolId=linked, Logins=signed_in.logins)["IdentityId"]
    bob = main.ci.get_id(IdentityPoolId=linked, Logins=up.logins("bob"))["IdentityId"]
    guest = main.ci.get_id(IdentityPoolId=linked)["IdentityId"]

    first = main.ci.list_identities(IdentityPoolId=linked, MaxResults=2)
    assert first["IdentityPoolId"] == linked and len(first["Identities"]) == 2 and first["NextToken"]
    rest = main.ci.list_identities(IdentityPoolId=linked, MaxResults=2, NextToken=first["NextToken"])
    listed = {i["IdentityId"]: i for i in first["Identities"] + rest["Identities"]}
    assert set(listed) == {alice, bob, guest} and "NextToken" not in rest
    assert listed[alice]["Logins"] == [up.provider]

    # The guest signs in as alice: merged into alice's identity, and disabled.
    main.ci.get_credentials_for_identity(IdentityId=guest, Logins=up.logins("alice"))
    # Disabled identities are listed unless HideDisabled [M].
    assert {i["IdentityId"] for i in main.ci.list_identities(IdentityPoolId=linked, MaxResults=10)["Identities"]} == \
        {alice, bob, guest}
    assert {i["IdentityId"] for i in main.ci.list_identities(IdentityPoolId=linked, MaxResults=10,
                                                             HideDisabled=True)["Identities"]} == {alice, bob}


# --- 6. login tokens that do not hold --------------------------------------------------------


def test_an_access_token_is_not_a_login(main, signed_in, linked):
    # note §3 (amazon-cognito-identity-js#12).
    assert refused(main.ci.get_id, IdentityPoolId=linked, Logins={signed_in.up.provider: signed_in.tokens["AccessToken"]}) == \
        ("NotAuthorizedException", "Invalid login token. Missing a required claim: aud")
    assert identity_count(main, linked) == 0


def test_a_tampered_signature(main, signed_in, linked):
    head, body, sig = signed_in.id_token.split(".")
    flipped = sig[:20] + ("A" if sig[20] != "A" else "B") + sig[21:]
    # note §3 (wave2 §4.2).
    assert refused(main.ci.get_id, IdentityPoolId=linked, Logins={signed_in.up.provider: f"{head}.{body}.{flipped}"}) == \
        ("NotAuthorizedException", "Invalid login token. Couldn't verify signed token.")
    assert identity_count(main, linked) == 0


def test_a_token_of_another_user_pool_under_this_pools_key(main, signed_in, linked):
    other = UserPool(main, "other")
    other.add_user("carol")
    # note §3 (amazon-cognito-identity-js#40): no final period.
    assert refused(main.ci.get_id, IdentityPoolId=linked, Logins={signed_in.up.provider: other.sign_in("carol")["IdToken"]}) == \
        ("NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName")
    assert identity_count(main, linked) == 0


def test_a_token_of_another_app_client(main, signed_in, linked):
    up = signed_in.up
    mobile = up.add_client("mobile")
    # note §3 (aws-amplify/amplify-js#2067, amazon-cognito-identity-js#7).
    assert refused(main.ci.get_id, IdentityPoolId=linked, Logins=up.logins("alice", client_id=mobile)) == \
        ("NotAuthorizedException", "Token is not from a supported provider of this identity pool.")
    assert identity_count(main, linked) == 0


def test_a_provider_the_pool_does_not_have(main, signed_in, linked):
    # note §3 (amazon-archives/cognito-sample-nodejs#1).
    assert refused(main.ci.get_id, IdentityPoolId=linked, Logins={"www.amazon.com": signed_in.id_token}) == \
        ("NotAuthorizedException", "Token is not from a supported provider of this identity pool.")
    assert identity_count(main, linked) == 0


def test_a_pool_without_providers_given_logins(main, signed_in):
    pool_id = new_identity_pool(main, AllowUnauthenticatedIdentities=True)
    # note §3 (id 35013651861; aws-amplify/aws-sdk-ios#3034).
    assert refused(main.ci.get_id, IdentityPoolId=pool_id, Logins=signed_in.logins) == \
        ("NotAuthorizedException", f"Identity pool - {pool_id} does not have identity providers configured.")
    assert identity_count(main, pool_id) == 0


def test_an_expired_id_token(own_cognate):
    c = own_cognate
    up = UserPool(c)
    up.add_user("alice")
    logins = up.logins("alice")
    pool_id = new_identity_pool(c, CognitoIdentityProviders=[up.entry()])
    exp = claims(logins[up.provider])["exp"]
    c.advance(3601)  # ID tokens last an hour by default.
    code, message = refused(c.ci.get_id, IdentityPoolId=pool_id, Logins=logins)
    # note §3 (wave2 §4.2): `Token expired: <now> >= <exp>`.
    assert code == "NotAuthorizedException" and message.startswith("Invalid login token. Token expired: ")
    now, said_exp = map(int, re.fullmatch(r"Invalid login token\. Token expired: (\d+) >= (\d+)", message).groups())
    assert said_exp == exp and now >= exp and abs(now - c.now()) < 10
    assert identity_count(c, pool_id) == 0


def test_server_side_token_check_refuses_a_signed_out_token(main, signed_in):
    up = signed_in.up
    checked = new_identity_pool(main, CognitoIdentityProviders=[up.entry(check=True)])
    unchecked = new_identity_pool(main, CognitoIdentityProviders=[up.entry(check=False)])
    identity = main.ci.get_id(IdentityPoolId=checked, Logins=signed_in.logins)["IdentityId"]
    main.idp.global_sign_out(AccessToken=signed_in.tokens["AccessToken"])
    # The pool "will return a 400 Not Authorized error" [M]; GlobalSignOut's page says such ID
    # tokens are then refused. The text is cognate's (note §3: unconfirmed).
    for call, kw in ((main.ci.get_id, {"IdentityPoolId": checked}),
                     (main.ci.get_credentials_for_identity, {"IdentityId": identity})):
        assert refused(call, Logins=signed_in.logins, **kw) == \
            ("NotAuthorizedException", "Invalid login token. Token has been revoked.")
    assert identity_count(main, checked) == 1
    # Without the check, the signed-out ID token still holds until it expires.
    other = main.ci.get_id(IdentityPoolId=unchecked, Logins=signed_in.logins)["IdentityId"]
    assert main.ci.get_credentials_for_identity(IdentityId=other, Logins=signed_in.logins)["IdentityId"] == other


# --- 7. role mappings --------------------------------------------------------------------------


def role_of(c, identity, logins, **kw):
    answer = c.ci.get_credentials_for_identity(IdentityId=identity, Logins=logins, **kw)
    return c.credentials(answer["Credentials"]["AccessKeyId"])["RoleArn"]


def sign_in_and_get_role(c, pool_id, up, username, **kw):
    logins = up.logins(username)
    identity = c.ci.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    return role_of(c, identity, logins, **kw)


@pytest.fixture
def grouped(main):
    """A user pool whose groups carry roles: dana in admins (precedence 1) and editors (5),
    eve in none."""
    up = UserPool(main)
    main.idp.create_group(UserPoolId=up.id, GroupName="admins", RoleArn=ADMIN_ROLE, Precedence=1)
    main.idp.create_group(UserPoolId=up.id, GroupName="editors", RoleArn=EDITOR_ROLE, Precedence=5)
    up.add_user("dana", groups=["editors", "admins"])
    up.add_user("eve")
    return up


def token_mapped(c, up, resolution):
    pool_id = new_identity_pool(c, CognitoIdentityProviders=[up.entry()])
    c.ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE},
                                 RoleMappings={up.mapping_key: {"Type": "Token", "AmbiguousRoleResolution": resolution}})
    return pool_id


def test_token_mapping_chooses_the_preferred_role(main, grouped):
    # The ID token of a user in groups with roles carries cognito:roles and, from the group of
    # lowest precedence, cognito:preferred_role (Cognito DG, "Adding groups to a user pool";
    # the ID token's reference page).
    token = claims(grouped.sign_in("dana")["IdToken"])
    assert sorted(token.get("cognito:roles", [])) == sorted([ADMIN_ROLE, EDITOR_ROLE])
    assert token.get("cognito:preferred_role") == ADMIN_ROLE
    pool_id = token_mapped(main, grouped, "Deny")
    assert sign_in_and_get_role(main, pool_id, grouped, "dana") == ADMIN_ROLE


def test_token_mapping_honours_a_custom_role_among_the_users_roles(main, grouped):
    # CustomRoleArn picks among the roles the token carries (GetCredentialsForIdentity [M]; DG
    # role-based access control: it must be one of cognito:roles).
    pool_id = token_mapped(main, grouped, "Deny")
    assert sign_in_and_get_role(main, pool_id, grouped, "dana", CustomRoleArn=EDITOR_ROLE) == EDITOR_ROLE


def test_token_mapping_without_group_roles_is_ambiguous(main, grouped):
    fallback = token_mapped(main, grouped, "AuthenticatedRole")
    assert sign_in_and_get_role(main, fallback, grouped, "eve") == AUTH_ROLE
    deny = token_mapped(main, grouped, "Deny")
    logins = grouped.logins("eve")
    identity = main.ci.get_id(IdentityPoolId=deny, Logins=logins)["IdentityId"]
    # note §3 (aws-amplify/amplify-js#3621). Its example is a social provider; for a user pool
    # cognate names the provider as the pool lists it, without the client (unconfirmed).
    assert refused(main.ci.get_credentials_for_identity, IdentityId=identity, Logins=logins) == \
        ("NotAuthorizedException", f"The ambiguous role mapping rules for: {grouped.provider} denied this request.")


RULES = [
    {"Claim": "custom:tier", "MatchType": "Equals", "Value": "gold", "RoleARN": GOLD_ROLE},
    {"Claim": "email", "MatchType": "Contains", "Value": "@admins.", "RoleARN": ADMIN_ROLE},
    {"Claim": "email", "MatchType": "StartsWith", "Value": "ops-", "RoleARN": OPS_ROLE},
    {"Claim": "custom:tier", "MatchType": "NotEqual", "Value": "free", "RoleARN": PAID_ROLE},
]


def test_rules_mapping(main):
    """Rules are tried in order and the first match's role is used; a claim matches NotEqual when
    it is present and different (DG, role-based access control)."""
    up = UserPool(main)
    users = {
        # Matches the first and second rules: the first wins.
        "gold": ("g@admins.example", "gold", GOLD_ROLE),
        "admin": ("a@admins.example", "free", ADMIN_ROLE),
        "ops": ("ops-o@example.com", "free", OPS_ROLE),
        "silver": ("s@example.com", "silver", PAID_ROLE),
        "free": ("f@example.com", "free", AUTH_ROLE),
    }
    for name, (email, tier, _) in users.items():
        up.add_user(name, email=email, **{"custom:tier": tier})
    pool_id = new_identity_pool(main, CognitoIdentityProviders=[up.entry()])
    main.ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE}, RoleMappings={
        up.mapping_key: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                         "RulesConfiguration": {"Rules": RULES}}})
    for name, (_, _, role) in users.items():
        assert sign_in_and_get_role(main, pool_id, up, name) == role, name

    main.ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE}, RoleMappings={
        up.mapping_key: {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": RULES}}})
    assert sign_in_and_get_role(main, pool_id, up, "silver") == PAID_ROLE
    logins = up.logins("free")
    identity = main.ci.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    assert refused(main.ci.get_credentials_for_identity, IdentityId=identity, Logins=logins) == \
        ("NotAuthorizedException", f"The ambiguous role mapping rules for: {up.provider} denied this request.")


# --- 8. principal tags -------------------------------------------------------------------------


def test_principal_tags_from_the_id_token(main, signed_in, linked):
    main.ci.set_principal_tag_attribute_map(IdentityPoolId=linked, IdentityProviderName=signed_in.up.provider,
                                            UseDefaults=False, PrincipalTags={"email": "email"})
    identity = main.ci.get_id(IdentityPoolId=linked, Logins=signed_in.logins)["IdentityId"]
    answer = main.ci.get_credentials_for_identity(IdentityId=identity, Logins=signed_in.logins)
    assert main.credentials(answer["Credentials"]["AccessKeyId"])["PrincipalTags"] == {"email": "alice@example.com"}


# --- 9. the basic (classic) flow: GetOpenIdToken, then STS -------------------------------------


def verified(c, token, pool_id):
    """The claims of a token of the service, verified through its published keys; exp and iat are
    checked against cognate's clock, not the wall's."""
    keys = jwt.PyJWKClient(f"{c.url}/.well-known/jwks_uri")
    body = jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS512"], audience=pool_id,
                      options={"verify_exp": False, "verify_iat": False})
    now = c.now()
    assert body["iat"] <= now + 5 and body["exp"] > now
    return body


def test_get_open_id_token_for_a_signed_in_user(main, signed_in):
    up = signed_in.up
    pool_id = new_identity_pool(main, AllowClassicFlow=True, CognitoIdentityProviders=[up.entry()])
    identity = main.ci.get_id(IdentityPoolId=pool_id, Logins=signed_in.logins)["IdentityId"]
    answer = main.ci.get_open_id_token(IdentityId=identity, Logins=signed_in.logins)
    assert answer["IdentityId"] == identity
    token = answer["Token"]
    # RS512 with Cognito Identity's header (note §11).
    assert header(token)["alg"] == "RS512" and header(token)["typ"] == "JWS" and header(token)["kid"]
    body = verified(main, token, pool_id)
    assert body["sub"] == identity and body["aud"] == pool_id
    # note §11 (id 1317781685).
    assert body["amr"] == ["authenticated", up.provider, f"{up.provider}:CognitoSignIn:{signed_in.sub}"]
    assert body["https://cognito-identity.amazonaws.com/identity-pool-arn"] == \
        f"arn:aws:cognito-identity:{REGION}:{ACCOUNT}:identitypool/{pool_id}"
    assert body["exp"] - body["iat"] == 600  # ten minutes [M]
    status, config = main.get("/.well-known/openid-configuration")
    assert status == 200 and body["iss"] == config["issuer"]


def test_get_open_id_token_for_a_guest_then_sts(main):
    pool_id = new_identity_pool(main, AllowUnauthenticatedIdentities=True, AllowClassicFlow=True)
    guest = main.ci.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = main.ci.get_open_id_token(IdentityId=guest)["Token"]
    # note §11 (trust policies conditioned on amr "unauthenticated").
    assert verified(main, token, pool_id)["amr"] == ["unauthenticated"]

    assumed = main.sts.assume_role_with_web_identity(RoleArn=UNAUTH_ROLE, RoleSessionName="app-session",
                                                     WebIdentityToken=token)
    # note §9 (ids 14005693937, 3076447688).
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Cognito_AppUnauth_Role/app-session"
    assert re.fullmatch(r"AROA[A-Z0-9]{17}:app-session", assumed["AssumedRoleUser"]["AssumedRoleId"])
    assert assumed["Provider"] == SERVICE and assumed["Audience"] == pool_id
    assert assumed["SubjectFromWebIdentityToken"] == guest
    creds = assumed["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"]
    assert abs(epoch(creds["Expiration"]) - (main.now() + 3600)) < 10  # DurationSeconds defaults to an hour
    me = main.sts_as(creds).get_caller_identity()
    assert me["Arn"] == assumed["AssumedRoleUser"]["Arn"] and me["Account"] == ACCOUNT
    assert me["UserId"] == assumed["AssumedRoleUser"]["AssumedRoleId"]
    record = main.credentials(creds["AccessKeyId"])
    assert record["RoleArn"] == UNAUTH_ROLE and record["IdentityId"] == guest
    assert record["Source"] == "AssumeRoleWithWebIdentity"


def test_sts_and_a_signed_in_users_token(main, signed_in):
    up = signed_in.up
    pool_id = new_identity_pool(main, AllowClassicFlow=True, CognitoIdentityProviders=[up.entry()])
    identity = main.ci.get_id(IdentityPoolId=pool_id, Logins=signed_in.logins)["IdentityId"]
    token = main.ci.get_open_id_token(IdentityId=identity, Logins=signed_in.logins)["Token"]
    assumed = main.sts.assume_role_with_web_identity(RoleArn=AUTH_ROLE, RoleSessionName="alice", WebIdentityToken=token)
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Cognito_AppAuth_Role/alice"
    assert assumed["SubjectFromWebIdentityToken"] == identity and assumed["Audience"] == pool_id
    assert main.sts_as(assumed["Credentials"]).get_caller_identity()["Arn"] == assumed["AssumedRoleUser"]["Arn"]


def test_sts_refuses_a_forged_token(main):
    pool_id = new_identity_pool(main, AllowUnauthenticatedIdentities=True, AllowClassicFlow=True)
    guest = main.ci.get_id(IdentityPoolId=pool_id)["IdentityId"]
    real = main.ci.get_open_id_token(IdentityId=guest)["Token"]
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims(real), stranger, algorithm="RS512", headers={"kid": header(real)["kid"], "typ": "JWS"})
    code, _ = refused(main.sts.assume_role_with_web_identity, RoleArn=UNAUTH_ROLE, RoleSessionName="app-session",
                      WebIdentityToken=forged)
    assert code == "InvalidIdentityToken"  # note §9


def test_sts_refuses_an_expired_token(own_cognate):
    c = own_cognate
    pool_id = new_identity_pool(c, AllowUnauthenticatedIdentities=True, AllowClassicFlow=True)
    guest = c.ci.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = c.ci.get_open_id_token(IdentityId=guest)["Token"]
    c.advance(601)
    code, message = refused(c.sts.assume_role_with_web_identity, RoleArn=UNAUTH_ROLE, RoleSessionName="app-session",
                            WebIdentityToken=token)
    # note §9 (aws/aws-sdk-java-v2#5709).
    assert code == "ExpiredTokenException"
    assert re.fullmatch(r"Token expired: current date/time \d+ must be before the expiration date/time "
                        + str(claims(token)["exp"]), message)


def test_basic_flow_not_enabled(main):
    pool_id = new_identity_pool(main, AllowUnauthenticatedIdentities=True, AllowClassicFlow=False)
    guest = main.ci.get_id(IdentityPoolId=pool_id)["IdentityId"]
    # note §3 (wave2).
    assert refused(main.ci.get_open_id_token, IdentityId=guest) == \
        ("InvalidParameterException", "Basic (classic) flow is not enabled, please use enhanced flow.")


def test_basic_flow_not_supported_with_role_mappings(main, signed_in):
    up = signed_in.up
    pool_id = new_identity_pool(main, AllowClassicFlow=True, CognitoIdentityProviders=[up.entry()])
    main.ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE}, RoleMappings={
        up.mapping_key: {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}})
    identity = main.ci.get_id(IdentityPoolId=pool_id, Logins=signed_in.logins)["IdentityId"]
    # note §3 (wave2).
    assert refused(main.ci.get_open_id_token, IdentityId=identity, Logins=signed_in.logins) == \
        ("InvalidParameterException", "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.")


# --- 10. developer-authenticated identities ----------------------------------------------------


@pytest.fixture
def dev_pool(main):
    return new_identity_pool(main, DeveloperProviderName=DEV)


def dev_token(c, pool_id, user, **kw):
    return c.ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: user}, **kw)


def test_developer_identity_token_and_credentials(main, dev_pool):
    answer = dev_token(main, dev_pool, "user-1")
    identity, token = answer["IdentityId"], answer["Token"]
    assert re.fullmatch(ID_RE, identity)
    body = verified(main, token, dev_pool)
    assert body["sub"] == identity
    # Fifteen minutes by default (note §8 [M], §11: real exp-iat 900).
    assert body["exp"] - body["iat"] == 900
    assert "authenticated" in body["amr"] and DEV in body["amr"] and f"{DEV}:{dev_pool}:user-1" in body["amr"]
    long = dev_token(main, dev_pool, "user-1", TokenDuration=3600)
    assert long["IdentityId"] == identity
    assert verified(main, long["Token"], dev_pool)["exp"] - verified(main, long["Token"], dev_pool)["iat"] == 3600

    answer = main.ci.get_credentials_for_identity(IdentityId=identity, Logins={SERVICE: token})
    assert answer["IdentityId"] == identity
    record = main.credentials(answer["Credentials"]["AccessKeyId"])
    assert record["RoleArn"] == AUTH_ROLE and record["IdentityId"] == identity
    # DescribeIdentity names the developer provider, not the user (note §7).
    assert main.ci.describe_identity(IdentityId=identity)["Logins"] == [DEV]


def test_lookup_developer_identity(main, dev_pool):
    one = dev_token(main, dev_pool, "user-1")["IdentityId"]
    two = dev_token(main, dev_pool, "user-2")["IdentityId"]
    assert one != two
    by_user = main.ci.lookup_developer_identity(IdentityPoolId=dev_pool, DeveloperUserIdentifier="user-1")
    assert by_user["IdentityId"] == one
    by_id = main.ci.lookup_developer_identity(IdentityPoolId=dev_pool, IdentityId=one)
    assert by_id["IdentityId"] == one and by_id["DeveloperUserIdentifierList"] == ["user-1"]
    # Both given and not matching (note §4 [M]).
    code, _ = refused(main.ci.lookup_developer_identity, IdentityPoolId=dev_pool, IdentityId=one,
                      DeveloperUserIdentifier="user-2")
    assert code == "ResourceConflictException"
    # A developer user already on another identity (note §4 [M]).
    code, _ = refused(main.ci.get_open_id_token_for_developer_identity, IdentityPoolId=dev_pool, IdentityId=two,
                      Logins={DEV: "user-1"})
    assert code == "DeveloperUserAlreadyRegisteredException"


def test_merge_developer_identities(main, dev_pool):
    one = dev_token(main, dev_pool, "user-1")["IdentityId"]
    dev_token(main, dev_pool, "user-2")
    merged = main.ci.merge_developer_identities(SourceUserIdentifier="user-2", DestinationUserIdentifier="user-1",
                                                DeveloperProviderName=DEV, IdentityPoolId=dev_pool)
    # The source moves onto the destination's identity, which may hold up to 20 developer users
    # (note §8 [M]).
    assert merged["IdentityId"] == one
    looked = main.ci.lookup_developer_identity(IdentityPoolId=dev_pool, IdentityId=one)
    assert sorted(looked["DeveloperUserIdentifierList"]) == ["user-1", "user-2"]
    assert main.ci.lookup_developer_identity(IdentityPoolId=dev_pool, DeveloperUserIdentifier="user-2")["IdentityId"] == one
    assert dev_token(main, dev_pool, "user-2")["IdentityId"] == one


def test_unlink_developer_identity_of_the_last_login(main, dev_pool):
    one = dev_token(main, dev_pool, "user-1")["IdentityId"]
    main.ci.unlink_developer_identity(IdentityId=one, IdentityPoolId=dev_pool, DeveloperProviderName=DEV,
                                      DeveloperUserIdentifier="user-1")
    # With its last login gone the identity is inaccessible (note §8 [M]): listed, unless
    # HideDisabled, and refused.
    assert one in {i["IdentityId"] for i in main.ci.list_identities(IdentityPoolId=dev_pool, MaxResults=10)["Identities"]}
    assert one not in {i["IdentityId"] for i in main.ci.list_identities(IdentityPoolId=dev_pool, MaxResults=10,
                                                                        HideDisabled=True)["Identities"]}
    assert refused(main.ci.get_credentials_for_identity, IdentityId=one) == \
        ("NotAuthorizedException", f"Access to Identity '{one}' is forbidden.")
    # The unlinked user becomes a new identity next time [M].
    assert dev_token(main, dev_pool, "user-1")["IdentityId"] != one


# --- 11. linking, merging, unlinking, deleting -------------------------------------------------


def test_a_guest_signing_in_as_a_known_user_is_merged(main, signed_in, linked):
    user_identity = main.ci.get_id(IdentityPoolId=linked, Logins=signed_in.logins)["IdentityId"]
    guest = main.ci.get_id(IdentityPoolId=linked)["IdentityId"]
    main.ci.get_credentials_for_identity(IdentityId=guest)
    # The login already has an identity: that one answers, and the guest is disabled
    # (note §4, amplify-js#3627 and PR #8466).
    answer = main.ci.get_credentials_for_identity(IdentityId=guest, Logins=signed_in.logins)
    assert answer["IdentityId"] == user_identity
    assert main.credentials(answer["Credentials"]["AccessKeyId"])["RoleArn"] == AUTH_ROLE
    assert refused(main.ci.get_credentials_for_identity, IdentityId=guest) == \
        ("NotAuthorizedException", f"Access to Identity '{guest}' is forbidden.")


def test_a_guest_signing_in_as_a_new_user_keeps_its_identity(main, signed_in, linked):
    guest = main.ci.get_id(IdentityPoolId=linked)["IdentityId"]
    answer = main.ci.get_credentials_for_identity(IdentityId=guest, Logins=signed_in.logins)
    # The login joins the guest's identity (DG, switching identities).
    assert answer["IdentityId"] == guest
    assert main.ci.get_id(IdentityPoolId=linked, Logins=signed_in.logins)["IdentityId"] == guest
    assert main.ci.describe_identity(IdentityId=guest)["Logins"] == [signed_in.up.provider]


def test_unlink_identity_of_its_last_login_disables_it(main, signed_in, linked):
    up = signed_in.up
    identity = main.ci.get_id(IdentityPoolId=linked, Logins=signed_in.logins)["IdentityId"]
    main.ci.unlink_identity(IdentityId=identity, Logins=signed_in.logins, LoginsToRemove=[up.provider])
    # "Removing the last linked login will make this identity inaccessible"; "unlinked logins will
    # be considered new identities next time they are seen" (UnlinkIdentity [M], note §8).
    assert refused(main.ci.get_credentials_for_identity, IdentityId=identity) == \
        ("NotAuthorizedException", f"Access to Identity '{identity}' is forbidden.")
    assert identity not in {i["IdentityId"] for i in main.ci.list_identities(
        IdentityPoolId=linked, MaxResults=10, HideDisabled=True)["Identities"]}
    assert main.ci.get_id(IdentityPoolId=linked, Logins=up.logins("alice"))["IdentityId"] != identity


def test_delete_identities(main, signed_in, linked):
    identity = main.ci.get_id(IdentityPoolId=linked, Logins=signed_in.logins)["IdentityId"]
    guest = main.ci.get_id(IdentityPoolId=linked)["IdentityId"]
    answer = main.ci.delete_identities(IdentityIdsToDelete=[identity, guest])
    assert answer["UnprocessedIdentityIds"] == []  # note §7 (awscli delete-identities example)
    for gone in (identity, guest):
        # note §2 (aws-amplify/amplify-js#2301; for DescribeIdentity "likely").
        assert refused(main.ci.describe_identity, IdentityId=gone) == \
            ("ResourceNotFoundException", f"Identity '{gone}' not found.")
        assert refused(main.ci.get_credentials_for_identity, IdentityId=gone) == \
            ("ResourceNotFoundException", f"Identity '{gone}' not found.")
    assert identity_count(main, linked) == 0


# --- 12. an OpenID Connect provider ----------------------------------------------------------


def test_an_oidc_provider_login(main, oidc):
    pool_id = new_identity_pool(main, OpenIdConnectProviderARNs=[f"arn:aws:iam::{ACCOUNT}:oidc-provider/{oidc.host}"])
    logins = {oidc.host: oidc.token(main.now(), "oidc-user-1")}
    identity = main.ci.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    assert main.ci.get_id(IdentityPoolId=pool_id, Logins={oidc.host: oidc.token(main.now(), "oidc-user-1")})["IdentityId"] == identity
    answer = main.ci.get_credentials_for_identity(IdentityId=identity, Logins=logins)
    assert answer["IdentityId"] == identity
    assert main.credentials(answer["Credentials"]["AccessKeyId"])["RoleArn"] == AUTH_ROLE
    assert main.ci.describe_identity(IdentityId=identity)["Logins"] == [oidc.host]

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = {oidc.host: oidc.token(main.now(), "oidc-user-2", key=stranger)}
    assert refused(main.ci.get_id, IdentityPoolId=pool_id, Logins=forged) == \
        ("NotAuthorizedException", "Invalid login token. Couldn't verify signed token.")
    assert identity_count(main, pool_id) == 1
