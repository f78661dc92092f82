"""GetDerivedToken (OAuth 2.0 token exchange, RFC 8693), through boto3.

A service (client B, with a secret) exchanges a token the pool issued to a user through the
user's app (client A) for a new token of its own: scoped, optionally bound to one audience, and
standard enough that the downstream service validates it like any other Cognito token.

- Impersonation (no ActorToken) needs ALLOW_TOKEN_EXCHANGE_IMPERSONATION on the requesting
  client; delegation (an ActorToken) needs ALLOW_TOKEN_EXCHANGE_DELEGATION and puts an `act`
  claim naming the actor in the token (RFC 8693 §4.1; cognate names an M2M actor by its `sub`,
  the actor client's id).
- The granted scopes are requested ∩ the subject token's ∩ the client's allowed; without
  Scopes, the subject's. Audiences or Resources (not both) become `aud`.
- TokenType is Bearer for an access token and N_A for an ID token.
- The subject must be a live token of the declared type: genuine, unexpired, not revoked. The
  issued token lives in the subject's sign-in (same origin_jti), so signing the user out revokes
  it too.

Facts and what is unconfirmed: docs/research/newest-operations.md §9.2; cognate's
implementation: crates/core/src/idp/derived.rs. The test that moves time runs against a cognate
of this module's own (`own_cognate`); every other token is verified against the wall clock.
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore.exceptions
import jwt
import pytest

from conftest import launch

REGION = "us-east-1"
PASSWORD = "Derived!pass1234"
USERNAME = "dana"
ADMIN = "aws.cognito.signin.user.admin"
ORDERS = "orders"
SCOPES = [{"ScopeName": "read", "ScopeDescription": "Reads orders"},
          {"ScopeName": "write", "ScopeDescription": "Writes orders"}]
EXCHANGE_FLOWS = ["ALLOW_TOKEN_EXCHANGE_IMPERSONATION", "ALLOW_TOKEN_EXCHANGE_DELEGATION", "ALLOW_REFRESH_TOKEN_AUTH"]
WRONG_SECRET = "x" * 40  # long enough for botocore's ClientSecretType (24..64)


# ---------------------------------------------------------------------------------------------
# Helpers


def error_of(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def token_request(url, form, basic=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
    req = urllib.request.Request(f"{url}/oauth2/token", data=urllib.parse.urlencode(form).encode(), headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def unverified(token):
    return jwt.decode(token, options={"verify_signature": False})


def tampered(token, **changes):
    """The token with its payload changed and its signature kept: a forgery."""
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims.update(changes)
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{body}.{sig}"


class Setup:
    """A pool with the resource server `orders` (read, write); client A, the user's app
    (USER_PASSWORD_AUTH, refresh); client B, the requesting service (a secret, both token
    exchange flows, orders/read and the admin scope through the code grant); client C, a machine
    client (a secret, client_credentials with orders/read); and one confirmed user, signed in
    through A."""

    def __init__(self, idp, url, name="derived"):
        self.idp = idp
        self.url = url
        self.pool = idp.create_user_pool(PoolName=name)["UserPool"]["Id"]
        idp.create_resource_server(UserPoolId=self.pool, Identifier=ORDERS, Name="Orders", Scopes=SCOPES)
        self.a = idp.create_user_pool_client(
            UserPoolId=self.pool, ClientName="app",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        b = self.client(ClientName="service", ExplicitAuthFlows=EXCHANGE_FLOWS)
        self.b, self.b_secret = b["ClientId"], b["ClientSecret"]
        c = idp.create_user_pool_client(
            UserPoolId=self.pool, ClientName="machine", GenerateSecret=True,
            AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=[f"{ORDERS}/read"],
            AllowedOAuthFlowsUserPoolClient=True,
        )["UserPoolClient"]
        self.c, self.c_secret = c["ClientId"], c["ClientSecret"]
        idp.admin_create_user(UserPoolId=self.pool, Username=USERNAME, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=self.pool, Username=USERNAME, Password=PASSWORD, Permanent=True)
        self.sub = idp.admin_get_user(UserPoolId=self.pool, Username=USERNAME)["UserAttributes"]
        self.sub = next(a["Value"] for a in self.sub if a["Name"] == "sub")
        tokens = self.sign_in()
        self.access, self.id_token = tokens["AccessToken"], tokens["IdToken"]

    def client(self, **settings):
        """A confidential client like B, with `settings` over B's."""
        base = {"GenerateSecret": True, "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
                "AllowedOAuthScopes": [f"{ORDERS}/read", ADMIN], "CallbackURLs": ["https://service.example.com/cb"]}
        return self.idp.create_user_pool_client(UserPoolId=self.pool, **{**base, **settings})["UserPoolClient"]

    def sign_in(self):
        return self.idp.initiate_auth(
            ClientId=self.a, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": USERNAME, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]

    def derive(self, subject=None, subject_type="ACCESS_TOKEN", client=None, secret=None, **kw):
        """GetDerivedToken as client B (or `client`, with `secret`), for the user's access token
        unless another subject is given."""
        return self.idp.get_derived_token(
            ClientId=client or self.b, ClientSecret=secret or self.b_secret,
            SubjectToken=subject or self.access, SubjectTokenType=subject_type, **kw)

    def refused(self, **kw):
        return error_of(lambda: self.derive(**kw))

    def machine_token(self):
        status, body = token_request(self.url, {"grant_type": "client_credentials"}, (self.c, self.c_secret))
        assert status == 200, body
        return body["access_token"]

    def verified(self, token, audience=None):
        """The token's claims, checked against the pool's JWKS, issuer and (if given) audience."""
        config = json.load(urllib.request.urlopen(f"{self.url}/{self.pool}/.well-known/openid-configuration"))
        key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(token)
        return jwt.decode(token, key.key, algorithms=["RS256"], issuer=config["issuer"], audience=audience)


@pytest.fixture
def setup(idp, cognate_url):
    return Setup(idp, cognate_url)


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
    return own_cognate_server


def advance(url, seconds):
    req = urllib.request.Request(f"{url}/_cognate/clock", data=json.dumps({"advanceSeconds": seconds}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as r:
        return json.load(r)["now"]


# ---------------------------------------------------------------------------------------------
# 1. The requesting client


def test_the_service_client_takes_both_token_exchange_flows(setup):
    described = setup.idp.describe_user_pool_client(UserPoolId=setup.pool, ClientId=setup.b)["UserPoolClient"]
    assert sorted(described["ExplicitAuthFlows"]) == sorted(EXCHANGE_FLOWS)
    assert sorted(described["AllowedOAuthScopes"]) == sorted([f"{ORDERS}/read", ADMIN])
    assert described["ClientSecret"] == setup.b_secret


# ---------------------------------------------------------------------------------------------
# 2. Impersonation


def test_impersonation_issues_an_access_token_for_the_user_and_the_service(setup):
    answer = setup.derive()
    assert set(answer) - {"ResponseMetadata"} == {"IssuedToken", "IssuedTokenType", "TokenType", "ExpiresIn",
                                                  "Scopes"}, answer
    assert (answer["IssuedTokenType"], answer["TokenType"], answer["ExpiresIn"]) == ("ACCESS_TOKEN", "Bearer", 3600)
    # Without Scopes, the subject's.
    assert answer["Scopes"] == [ADMIN]

    claims = setup.verified(answer["IssuedToken"])
    subject = unverified(setup.access)
    assert claims["token_use"] == "access"
    assert (claims["sub"], claims["username"]) == (setup.sub, USERNAME)
    assert claims["client_id"] == setup.b
    assert claims["origin_jti"] == subject["origin_jti"]
    assert claims["jti"] != subject["jti"]
    assert claims["scope"] == ADMIN
    assert "act" not in claims, "impersonation appears as if the user acted directly"
    assert "aud" not in claims
    assert claims["exp"] - claims["iat"] == 3600


def test_resources_bind_the_access_token_to_the_resource_server(setup):
    claims = setup.verified(setup.derive(Resources=[ORDERS])["IssuedToken"], audience=ORDERS)
    assert claims["aud"] == ORDERS
    assert claims["client_id"] == setup.b


def test_audiences_bind_the_access_token_to_the_audience(setup):
    claims = setup.verified(setup.derive(Audiences=["billing"])["IssuedToken"], audience="billing")
    assert claims["aud"] == "billing"
    assert claims["client_id"] == setup.b


def test_audiences_and_resources_together_are_refused(setup):
    code, _ = setup.refused(Audiences=["billing"], Resources=[ORDERS])
    assert code == "InvalidParameterException"


def test_an_unknown_resource_is_refused(setup):
    code, message = setup.refused(Resources=["inventory"])
    assert code == "InvalidParameterException", message


# ---------------------------------------------------------------------------------------------
# 3. Scopes: requested ∩ the subject's ∩ the client's


def test_only_the_scopes_the_subject_holds_are_granted(setup):
    assert unverified(setup.access)["scope"] == ADMIN
    answer = setup.derive(Scopes=[ADMIN, f"{ORDERS}/read"])
    # orders/read is the client's but not the subject's: left out.
    assert answer["Scopes"] == [ADMIN]
    assert setup.verified(answer["IssuedToken"])["scope"] == ADMIN


def test_asking_only_for_scopes_the_subject_lacks_grants_none(setup):
    """cognate answers an empty intersection with a token, not a refusal: Scopes [] and an empty
    `scope` claim."""
    answer = setup.derive(Scopes=[f"{ORDERS}/read"])
    assert answer["Scopes"] == [], answer
    claims = setup.verified(answer["IssuedToken"])
    assert claims["scope"] == "", claims
    # Without the admin scope the token cannot read the user's profile.
    assert error_of(lambda: setup.idp.get_user(AccessToken=answer["IssuedToken"])) == (
        "NotAuthorizedException", "Access Token does not have required scopes")


# ---------------------------------------------------------------------------------------------
# 4. ID tokens


def test_an_id_token_can_be_requested(setup):
    answer = setup.derive(RequestedTokenType="ID_TOKEN")
    assert (answer["IssuedTokenType"], answer["TokenType"]) == ("ID_TOKEN", "N_A")
    claims = setup.verified(answer["IssuedToken"], audience=setup.b)
    assert claims["token_use"] == "id"
    assert (claims["sub"], claims["cognito:username"]) == (setup.sub, USERNAME)
    assert claims["aud"] == setup.b
    assert claims["origin_jti"] == unverified(setup.access)["origin_jti"]
    assert "act" not in claims


def test_the_users_id_token_is_a_subject_too(setup):
    answer = setup.derive(subject=setup.id_token, subject_type="ID_TOKEN")
    assert (answer["IssuedTokenType"], answer["TokenType"]) == ("ACCESS_TOKEN", "Bearer")
    # An ID token holds no `scope`, so "the same scopes as your SubjectToken" are none.
    assert answer["Scopes"] == [], answer
    claims = setup.verified(answer["IssuedToken"])
    assert claims["scope"] == ""
    assert (claims["sub"], claims["username"], claims["client_id"]) == (setup.sub, USERNAME, setup.b)
    assert claims["origin_jti"] == unverified(setup.id_token)["origin_jti"]

    answer = setup.derive(subject=setup.id_token, subject_type="ID_TOKEN", RequestedTokenType="ID_TOKEN")
    claims = setup.verified(answer["IssuedToken"], audience=setup.b)
    assert (claims["token_use"], claims["cognito:username"]) == ("id", USERNAME)


def test_a_token_of_another_type_than_declared_is_refused(setup):
    code, message = setup.refused(subject=setup.access, subject_type="ID_TOKEN")
    assert code == "NotAuthorizedException", message
    code, message = setup.refused(subject=setup.id_token, subject_type="ACCESS_TOKEN")
    assert code == "NotAuthorizedException", message


# ---------------------------------------------------------------------------------------------
# 5. Delegation


def test_delegation_names_the_actor_in_act(setup):
    actor = setup.machine_token()
    assert unverified(actor)["sub"] == setup.c
    answer = setup.derive(ActorToken=actor, ActorTokenType="ACCESS_TOKEN")
    assert (answer["IssuedTokenType"], answer["TokenType"]) == ("ACCESS_TOKEN", "Bearer")
    claims = setup.verified(answer["IssuedToken"])
    assert claims["act"] == {"sub": setup.c}
    assert (claims["sub"], claims["username"], claims["client_id"]) == (setup.sub, USERNAME, setup.b)

    answer = setup.derive(ActorToken=actor, ActorTokenType="ACCESS_TOKEN", RequestedTokenType="ID_TOKEN")
    claims = setup.verified(answer["IssuedToken"], audience=setup.b)
    assert claims["token_use"] == "id"
    assert claims["act"] == {"sub": setup.c}


def test_an_actor_token_needs_its_type(setup):
    code, message = setup.refused(ActorToken=setup.machine_token())
    assert code == "InvalidParameterException", message


def test_a_garbage_actor_token_is_refused(setup):
    code, message = setup.refused(ActorToken="not.a.token", ActorTokenType="ACCESS_TOKEN")
    assert code == "NotAuthorizedException", message


def test_delegation_needs_the_delegation_flow(setup):
    only = setup.client(ClientName="impersonator",
                        ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_IMPERSONATION", "ALLOW_REFRESH_TOKEN_AUTH"])
    kw = {"client": only["ClientId"], "secret": only["ClientSecret"]}
    assert setup.derive(**kw)["IssuedToken"]
    code, message = setup.refused(ActorToken=setup.machine_token(), ActorTokenType="ACCESS_TOKEN", **kw)
    assert code == "NotAuthorizedException" and "ALLOW_TOKEN_EXCHANGE_DELEGATION" in message, message


# ---------------------------------------------------------------------------------------------
# 6. Refusals


def test_impersonation_needs_the_impersonation_flow(setup):
    only = setup.client(ClientName="delegate",
                        ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_DELEGATION", "ALLOW_REFRESH_TOKEN_AUTH"])
    code, message = setup.refused(client=only["ClientId"], secret=only["ClientSecret"])
    assert code == "NotAuthorizedException" and "ALLOW_TOKEN_EXCHANGE_IMPERSONATION" in message, message
    # Delegation it may do.
    answer = setup.derive(client=only["ClientId"], secret=only["ClientSecret"], ActorToken=setup.machine_token(),
                          ActorTokenType="ACCESS_TOKEN")
    assert unverified(answer["IssuedToken"])["act"] == {"sub": setup.c}
    # The user's own app, which has neither flow (nor a secret).
    code, message = error_of(lambda: setup.idp.get_derived_token(
        ClientId=setup.a, SubjectToken=setup.access, SubjectTokenType="ACCESS_TOKEN"))
    assert code == "NotAuthorizedException", message


def test_a_wrong_client_secret_is_refused(setup):
    code, message = setup.refused(secret=WRONG_SECRET)
    assert code == "NotAuthorizedException", message
    # The right secret, for comparison, is taken.
    assert setup.derive(secret=setup.b_secret)["IssuedToken"]


def test_a_missing_client_secret_is_refused(setup):
    code, message = error_of(lambda: setup.idp.get_derived_token(
        ClientId=setup.b, SubjectToken=setup.access, SubjectTokenType="ACCESS_TOKEN"))
    assert code == "NotAuthorizedException", message


@pytest.mark.parametrize("forgery", ["garbage", "tampered", "unsigned"])
def test_a_forged_subject_token_is_refused(setup, forgery):
    if forgery == "garbage":
        token = "garbage.token.value"
    elif forgery == "tampered":
        token = tampered(setup.access, scope=f"{ADMIN} {ORDERS}/read {ORDERS}/write")
    else:
        token = jwt.encode(unverified(setup.access), key=None, algorithm="none")
    code, message = setup.refused(subject=token)
    assert code == "NotAuthorizedException", message


def test_a_token_of_another_pool_is_refused(setup, idp, cognate_url):
    other = Setup(idp, cognate_url, name="other")
    code, message = setup.refused(subject=other.access)
    assert code == "NotAuthorizedException", message


def test_an_expired_subject_token_is_refused(own_cognate):
    idp = boto3.client("cognito-idp", region_name=REGION, endpoint_url=own_cognate)
    setup = Setup(idp, own_cognate)
    assert setup.derive()["IssuedToken"]
    advance(own_cognate, 7200)
    code, message = setup.refused()
    assert code == "NotAuthorizedException" and "expired" in message, message
    code, message = setup.refused(subject=setup.id_token, subject_type="ID_TOKEN")
    assert code == "NotAuthorizedException" and "expired" in message, message


def test_a_signed_out_users_tokens_are_refused(setup):
    setup.idp.global_sign_out(AccessToken=setup.access)
    code, message = setup.refused()
    assert code == "NotAuthorizedException" and "revoked" in message, message
    code, message = setup.refused(subject=setup.id_token, subject_type="ID_TOKEN")
    assert code == "NotAuthorizedException" and "revoked" in message, message
    # A new sign-in is a new subject.
    fresh = setup.sign_in()["AccessToken"]
    assert setup.verified(setup.derive(subject=fresh)["IssuedToken"])["username"] == USERNAME


def test_a_saml2_subject_is_refused(setup):
    code, message = setup.refused(subject=base64.b64encode(b"<samlp:Response/>").decode(), subject_type="SAML2")
    assert code == "InvalidParameterException", message


def test_a_subject_token_provider_name_is_refused(setup):
    code, message = setup.refused(SubjectTokenProviderName="Okta")
    assert code == "InvalidParameterException", message


def test_an_unknown_client_is_refused(setup):
    code, message = setup.refused(client="nosuchclient1234567890abcd")
    assert code == "ResourceNotFoundException" and "nosuchclient1234567890abcd" in message, message


# ---------------------------------------------------------------------------------------------
# 7. Revocation follows the subject


def test_the_issued_token_is_revoked_with_the_users_sign_in(setup):
    issued = setup.derive()["IssuedToken"]
    assert ADMIN in setup.verified(issued)["scope"].split()
    assert setup.idp.get_user(AccessToken=issued)["Username"] == USERNAME

    setup.idp.global_sign_out(AccessToken=setup.access)
    code, message = error_of(lambda: setup.idp.get_user(AccessToken=issued))
    assert code == "NotAuthorizedException", message
    code, message = error_of(lambda: setup.idp.get_user(AccessToken=setup.access))
    assert code == "NotAuthorizedException", message


def test_signing_out_with_the_issued_token_revokes_the_subject(setup):
    """GlobalSignOut with the derived token (it holds the admin scope) signs the user out
    everywhere, the subject's sign-in with it."""
    issued = setup.derive()["IssuedToken"]
    setup.idp.global_sign_out(AccessToken=issued)
    code, message = error_of(lambda: setup.idp.get_user(AccessToken=setup.access))
    assert code == "NotAuthorizedException", message
    code, message = setup.refused()
    assert code == "NotAuthorizedException", message
