"""Sign-in through an OpenID Connect provider, as the hosted UI does it: /oauth2/authorize with
identity_provider, the provider's answer at /oauth2/idpresponse, and the code redeemed at
/oauth2/token with PKCE, while the pool's PreSignUp (PreSignUp_ExternalProvider) and
PostConfirmation handlers run. The provider is a stand-in served by the test (an OIDC provider
is outside Cognito, as the Lambda Invoke API stand-in is); the browser is urllib, following each
redirect by hand so every hop can be looked at."""

import base64
import hashlib
import http.server
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"
APP = "https://app.example/callback"


class Provider:
    """A minimal OIDC provider: discovery, an authorize endpoint that signs the user in at once,
    a token endpoint (client_secret_post), JWKS and userInfo."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.user = {}
        self.codes = {}
        self.authorize_queries = []
        self.token_forms = []
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                if url.path == "/.well-known/openid-configuration":
                    base = provider.issuer
                    return self._json({"issuer": base, "authorization_endpoint": f"{base}/authorize",
                                       "token_endpoint": f"{base}/token", "jwks_uri": f"{base}/jwks",
                                       "userinfo_endpoint": f"{base}/userinfo"})
                if url.path == "/jwks":
                    numbers = provider.key.public_key().public_numbers()
                    b64 = lambda n: base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()
                    return self._json({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
                                                 "n": b64(numbers.n), "e": b64(numbers.e)}]})
                if url.path == "/authorize":
                    q = dict(urllib.parse.parse_qsl(url.query))
                    provider.authorize_queries.append(q)
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = dict(provider.user)
                    target = q["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": q["state"]})
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return
                if url.path == "/userinfo":
                    return self._json({"given_name": "Ada"})
                self._json({"error": "not_found"}, 404)

            def do_POST(self):
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                provider.token_forms.append(form)
                user = provider.codes.pop(form.get("code"), None)
                if user is None or form.get("client_secret") != "idp-secret":
                    return self._json({"error": "invalid_grant"}, 400)
                now = int(time.time())
                claims = {"iss": provider.issuer, "aud": "idp-client", "iat": now, "exp": now + 300, **user}
                token = jwt.encode(claims, provider.key, algorithm="RS256", headers={"kid": "k1"})
                self._json({"id_token": token, "access_token": "opaque", "token_type": "Bearer"})

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def provider():
    p = Provider()
    yield p
    p.server.shutdown()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def hop(url):
    """One GET without following redirects: (status, Location)."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url) as r:
            return r.status, r.headers.get("Location")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location")


def sign_in(cognate_url, client, verifier, **extra):
    """Walks the browser's redirects from /oauth2/authorize back to the app: the app's URL."""
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {"response_type": "code", "client_id": client, "redirect_uri": APP, "state": "app-state",
             "scope": "openid email profile", "identity_provider": "Okta",
             "code_challenge": challenge, "code_challenge_method": "S256", **extra}
    url = f"{cognate_url}/oauth2/authorize?" + urllib.parse.urlencode(query)
    for _ in range(5):
        status, location = hop(url)
        assert status == 302, (status, url)
        if location.startswith(APP):
            return location
        url = location
    raise AssertionError("too many redirects")


def redeem(cognate_url, client, code, verifier):
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "client_id": client, "code": code,
                                   "redirect_uri": APP, "code_verifier": verifier}).encode()
    req = urllib.request.Request(f"{cognate_url}/oauth2/token", data=body,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def federated_pool(idp, provider):
    pool = idp.create_user_pool(
        PoolName="federated",
        LambdaConfig={"PreSignUp": ARN.format("preSignUp"), "PostConfirmation": ARN.format("postConfirmation")},
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


def test_first_federated_sign_in_makes_the_user_through_the_triggers(idp, cognate_url, provider, federated_pool):
    pool, client = federated_pool
    provider.user = {"sub": "00uAbC123", "email": "ada@example.com", "email_verified": True}
    verifier = secrets.token_urlsafe(48)
    back = urllib.parse.urlparse(sign_in(cognate_url, client, verifier))
    query = dict(urllib.parse.parse_qsl(back.query))
    assert query["state"] == "app-state"
    # cognate sent the provider its own client id, scopes and callback, and a state of its own.
    sent = provider.authorize_queries[-1]
    assert sent["client_id"] == "idp-client" and sent["scope"] == "openid email" and sent["response_type"] == "code"
    assert sent["redirect_uri"] == f"{cognate_url}/oauth2/idpresponse" and sent["state"] != "app-state"
    assert provider.token_forms[-1]["client_secret"] == "idp-secret"

    status, tokens = redeem(cognate_url, client, query["code"], verifier)
    assert status == 200, tokens
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    id_claims, access_claims = claims(tokens["id_token"]), claims(tokens["access_token"])
    assert id_claims["cognito:username"] == "okta_00uabc123"
    assert id_claims["email"] == "ada@example.com" and id_claims["given_name"] == "Ada"  # the latter from userInfo
    [identity] = id_claims["identities"]
    assert identity["userId"] == "00uAbC123" and identity["providerName"] == "Okta" and identity["providerType"] == "OIDC"
    assert identity["primary"] == "true" and identity["dateCreated"].isdigit()
    assert f"{pool}_Okta" in id_claims["cognito:groups"]
    assert "Users" in id_claims["cognito:groups"], "PostConfirmation ran on the first federated sign-in"
    assert access_claims["scope"] == "openid email profile" and access_claims["username"] == "okta_00uabc123"

    user = idp.admin_get_user(UserPoolId=pool, Username="okta_00uabc123")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    identities = json.loads(next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "identities"))
    assert identities[0]["primary"] is True and isinstance(identities[0]["dateCreated"], int)
    # Its tokens lack aws.cognito.signin.user.admin, so the user API refuses them, as on Cognito.
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="Access Token does not have required scopes"):
        idp.get_user(AccessToken=tokens["access_token"])

    # A code redeems once; the refresh token refreshes.
    status, again = redeem(cognate_url, client, query["code"], verifier)
    assert (status, again) == (400, {"error": "invalid_grant"})
    body = urllib.parse.urlencode({"grant_type": "refresh_token", "client_id": client,
                                   "refresh_token": tokens["refresh_token"]}).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{cognate_url}/oauth2/token", data=body)) as r:
        refreshed = json.load(r)
    assert claims(refreshed["access_token"])["scope"] == "openid email profile"
    # The refresh grant answers new ID and access tokens, and no new refresh token (token
    # endpoint docs, refresh_token grant sample response).
    assert refreshed["token_type"] == "Bearer" and refreshed["id_token"] and "refresh_token" not in refreshed

    # The next sign-in finds the same user, its mapped attributes rewritten.
    provider.user = {"sub": "00uAbC123", "email": "ada@new.example"}
    back = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(sign_in(cognate_url, client, verifier)).query))
    status, tokens = redeem(cognate_url, client, back["code"], verifier)
    assert claims(tokens["id_token"])["email"] == "ada@new.example"
    assert len(idp.list_users(UserPoolId=pool)["Users"]) == 1


def test_a_failing_pre_sign_up_goes_back_to_the_app_and_makes_nobody(idp, cognate_url, provider, federated_pool):
    pool, client = federated_pool
    provider.user = {"sub": "eve-1", "email": "eve@blocked-domain.com"}
    back = urllib.parse.urlparse(sign_in(cognate_url, client, secrets.token_urlsafe(48)))
    assert back.query == urllib.parse.urlencode({
        "error_description": "PreSignUp failed with error Registration from this domain is not allowed. ",
        "state": "app-state", "error": "invalid_request"})
    assert idp.list_users(UserPoolId=pool)["Users"] == []


def test_the_pre_sign_up_event_of_a_federated_user(idp, cognate_url, provider, federated_pool):
    pool, client = federated_pool
    provider.user = {"sub": "Echo-1", "email": "someone@echo.example"}
    back = urllib.parse.urlparse(sign_in(cognate_url, client, secrets.token_urlsafe(48)))
    description = dict(urllib.parse.parse_qsl(back.query))["error_description"]
    # The mapped attributes and the empty alias slots; validation data but no client metadata.
    assert description == ("PreSignUp failed with error PreSignUp_ExternalProvider okta_echo-1 "
                           "['userAttributes', 'validationData'] "
                           "['cognito:email_alias', 'cognito:phone_number_alias', 'email', 'given_name']. ")


def test_pkce_and_client_checks_at_the_token_endpoint(idp, cognate_url, provider, federated_pool):
    pool, client = federated_pool
    provider.user = {"sub": "grace", "email": "grace@example.com"}
    verifier = secrets.token_urlsafe(48)
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(sign_in(cognate_url, client, verifier)).query))["code"]
    assert redeem(cognate_url, "nosuchclient", code, verifier) == (400, {"error": "invalid_client"})
    assert redeem(cognate_url, client, code, "a-different-verifier-of-enough-length-1234567") == (400, {"error": "invalid_grant"})
    # The failed attempt used the code up.
    assert redeem(cognate_url, client, code, verifier) == (400, {"error": "invalid_grant"})


def test_authorize_refuses_what_cognito_refuses(idp, cognate_url, provider, federated_pool):
    pool, client = federated_pool
    base = {"response_type": "code", "client_id": client, "redirect_uri": APP, "identity_provider": "Okta"}
    url = lambda **q: f"{cognate_url}/oauth2/authorize?" + urllib.parse.urlencode({**base, **q})
    assert hop(url(client_id="nosuchclient")) == (302, f"{cognate_url}/error?error=invalid_request")
    assert hop(url(redirect_uri="https://evil.example/")) == (302, f"{cognate_url}/error?error=redirect_mismatch&client_id={client}")
    assert hop(url(response_type="token")) == (302, f"{APP}#error=unauthorized_client")
    assert hop(url(scope="phone")) == (302, f"{APP}?error=invalid_scope")
    assert hop(url(identity_provider="Google"))[0] == 400
    assert hop(url(identity_provider="COGNITO"))[0] == 400, "the client does not list COGNITO"
    assert hop(f"{cognate_url}/error?error=invalid_request")[0] == 400


def test_identity_provider_operations(idp, provider):
    pool = idp.create_user_pool(PoolName="idps")["UserPool"]["Id"]
    details = {"client_id": "c", "authorize_scopes": "openid", "oidc_issuer": provider.issuer,
               "attributes_request_method": "GET"}
    made = idp.create_identity_provider(UserPoolId=pool, ProviderName="Corp", ProviderType="OIDC",
                                        ProviderDetails=details, IdpIdentifiers=["corp.example"])["IdentityProvider"]
    assert made["AttributeMapping"] == {"username": "sub"}
    assert made["ProviderDetails"]["attributes_url_add_attributes"] == "false"
    with pytest.raises(idp.exceptions.DuplicateProviderException):
        idp.create_identity_provider(UserPoolId=pool, ProviderName="Corp", ProviderType="OIDC", ProviderDetails=details)
    with pytest.raises(idp.exceptions.InvalidParameterException,
                       match="clientId, authorizeScopes, oidcIssuer and attributesRequestMethod are all required idp details."):
        idp.create_identity_provider(UserPoolId=pool, ProviderName="Bad", ProviderType="OIDC", ProviderDetails={"client_id": "c"})
    with pytest.raises(idp.exceptions.InvalidParameterException, match=r"AttributeMapping contains invalid mapping: \[nickname2\]"):
        idp.create_identity_provider(UserPoolId=pool, ProviderName="Odd", ProviderType="OIDC", ProviderDetails=details,
                                     AttributeMapping={"email": "email", "nickname2": "nick"})
    assert [p["ProviderName"] for p in idp.list_identity_providers(UserPoolId=pool)["Providers"]] == ["Corp"]
    assert idp.get_identity_provider_by_identifier(UserPoolId=pool, IdpIdentifier="corp.example")["IdentityProvider"]["ProviderName"] == "Corp"
    idp.update_identity_provider(UserPoolId=pool, ProviderName="Corp", AttributeMapping={"email": "mail"})
    described = idp.describe_identity_provider(UserPoolId=pool, ProviderName="Corp")["IdentityProvider"]
    assert described["AttributeMapping"] == {"email": "mail", "username": "sub"}
    assert [p["ProviderName"] for p in idp.list_identity_providers(UserPoolId=pool, MaxResults=10)["Providers"]] == ["Corp"]
    idp.delete_identity_provider(UserPoolId=pool, ProviderName="Corp")
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.describe_identity_provider(UserPoolId=pool, ProviderName="Corp")


def test_implicit_grant_puts_the_tokens_in_the_fragment(idp, cognate_url, provider, federated_pool):
    pool, client = federated_pool
    idp.update_user_pool_client(
        UserPoolId=pool, ClientId=client, CallbackURLs=[APP], AllowedOAuthFlows=["implicit"],
        AllowedOAuthScopes=["openid", "email"], AllowedOAuthFlowsUserPoolClient=True, SupportedIdentityProviders=["Okta"],
    )
    provider.user = {"sub": "lin", "email": "lin@example.com"}
    query = {"response_type": "token", "client_id": client, "redirect_uri": APP, "state": "s1",
             "identity_provider": "Okta", "nonce": "n-123"}
    url = f"{cognate_url}/oauth2/authorize?" + urllib.parse.urlencode(query)
    while not url.startswith(APP):
        status, url = hop(url)
        assert status == 302
    fragment = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).fragment))
    assert fragment["token_type"] == "Bearer" and fragment["state"] == "s1" and "refresh_token" not in fragment
    id_claims = claims(fragment["id_token"])
    assert id_claims["nonce"] == "n-123" and id_claims["cognito:username"] == "okta_lin"
    assert claims(fragment["access_token"])["scope"] == "openid email"


def test_returning_users_go_through_pre_and_post_authentication(idp, cognate_url, provider):
    pool = idp.create_user_pool(
        PoolName="returning",
        LambdaConfig={"PreAuthentication": ARN.format("preAuthentication"),
                      "PostAuthentication": ARN.format("postAuthentication")},
    )["UserPool"]["Id"]
    idp.create_group(UserPoolId=pool, GroupName="SignedIn")
    details = {"client_id": "idp-client", "client_secret": "idp-secret", "authorize_scopes": "openid email",
               "oidc_issuer": provider.issuer, "attributes_request_method": "GET"}
    # The handler refuses users whose name starts with "blocked": so, every user of this provider.
    for name in ["Okta", "Blocked"]:
        idp.create_identity_provider(UserPoolId=pool, ProviderName=name, ProviderType="OIDC",
                                     ProviderDetails=details, AttributeMapping={"email": "email"})
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web", CallbackURLs=[APP], AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"], AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["Okta", "Blocked"],
    )["UserPoolClient"]["ClientId"]
    groups = lambda user: [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool, Username=user)["Groups"]]

    provider.user = {"sub": "returning-1", "email": "r@example.com"}
    verifier = secrets.token_urlsafe(48)
    assert "code=" in sign_in(cognate_url, client, verifier)
    assert groups("okta_returning-1") == [f"{pool}_Okta"], "a first sign-in is a sign-up: no PostAuthentication"
    assert "code=" in sign_in(cognate_url, client, verifier)
    assert sorted(groups("okta_returning-1")) == sorted([f"{pool}_Okta", "SignedIn"])

    provider.user = {"sub": "x", "email": "x@example.com"}
    assert "code=" in sign_in(cognate_url, client, verifier, identity_provider="Blocked")
    refused = urllib.parse.urlparse(sign_in(cognate_url, client, verifier, identity_provider="Blocked"))
    assert dict(urllib.parse.parse_qsl(refused.query))["error_description"] == \
        "PreAuthentication failed with error This account is blocked. "


def test_an_immutable_mapped_attribute_lets_a_user_in_once(idp, cognate_url, provider):
    """Cognito writes mapped attributes at every federated sign-in; an immutable one can be
    written only when the user is made, so the second sign-in fails, whatever the value."""
    pool = idp.create_user_pool(
        PoolName="immutable",
        Schema=[{"Name": "email", "AttributeDataType": "String", "Mutable": False, "Required": True}],
    )["UserPool"]["Id"]
    idp.create_identity_provider(
        UserPoolId=pool, ProviderName="Okta", ProviderType="OIDC",
        ProviderDetails={"client_id": "idp-client", "client_secret": "idp-secret", "authorize_scopes": "openid email",
                         "oidc_issuer": provider.issuer, "attributes_request_method": "GET"},
        AttributeMapping={"email": "email"},
    )
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web", CallbackURLs=[APP], AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"], AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["Okta"],
    )["UserPoolClient"]["ClientId"]
    provider.user = {"sub": "once-1", "email": "once@example.com"}
    verifier = secrets.token_urlsafe(48)
    assert "code=" in sign_in(cognate_url, client, verifier)
    back = urllib.parse.urlparse(sign_in(cognate_url, client, verifier))
    assert back.query == urllib.parse.urlencode({
        "error_description": "user.email: Attribute cannot be updated.\n ",
        "state": "app-state", "error": "invalid_request"})
    user = idp.admin_get_user(UserPoolId=pool, Username="okta_once-1")
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email"] == "once@example.com"



def user_info(cognate_url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    req = urllib.request.Request(f"{cognate_url}/oauth2/userInfo", headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r), None
    except urllib.error.HTTPError as e:
        return e.code, json.load(e), e.headers.get("WWW-Authenticate")


def revoke(cognate_url, form):
    req = urllib.request.Request(f"{cognate_url}/oauth2/revoke", data=urllib.parse.urlencode(form).encode())
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def test_userinfo_shows_what_the_scopes_release_and_revoke_ends_the_refresh_token(idp, cognate_url, provider,
                                                                                  federated_pool):
    pool, client = federated_pool
    provider.user = {"sub": "00uInfo", "email": "lin@example.com", "email_verified": True}
    verifier = secrets.token_urlsafe(48)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(sign_in(cognate_url, client, verifier)).query))
    status, tokens = redeem(cognate_url, client, query["code"], verifier)
    assert status == 200

    status, info, _ = user_info(cognate_url, tokens["access_token"])
    assert status == 200
    assert info["username"] == "okta_00uinfo" and info["sub"] == claims(tokens["id_token"])["sub"]
    assert (info["email"], info["given_name"]) == ("lin@example.com", claims(tokens["id_token"])["given_name"])
    assert "cognito:groups" not in info, "groups are token claims, not attributes"
    assert all(isinstance(v, str) for v in info.values()), "userInfo renders every value as a string"

    # No token, and a token of the API flows (no openid scope): refused as the endpoint does.
    status, body, challenge = user_info(cognate_url)
    assert (status, body["error"]) == (400, "invalid_request")
    assert challenge == 'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"'
    status, body, challenge = user_info(cognate_url, "not-a-token")
    assert (status, body["error"]) == (401, "invalid_token") and challenge.startswith('error="invalid_token"')

    # Revoking the refresh token: 200 with an empty body, then the refresh grant is refused and
    # so is userInfo for the access tokens of that sign-in.
    assert revoke(cognate_url, {"token": tokens["refresh_token"], "client_id": client}) == (200, b"")
    body = urllib.parse.urlencode({"grant_type": "refresh_token", "client_id": client,
                                   "refresh_token": tokens["refresh_token"]}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(f"{cognate_url}/oauth2/token", data=body))
    assert json.load(refused.value) == {"error": "invalid_grant"}
    assert user_info(cognate_url, tokens["access_token"])[0] == 401
    # A token already revoked is no error; an access token is not a refresh token; a missing
    # token or an unknown client is refused.
    assert revoke(cognate_url, {"token": tokens["refresh_token"], "client_id": client}) == (200, b"")
    assert revoke(cognate_url, {"token": tokens["access_token"], "client_id": client}) == \
        (400, {"error": "unsupported_token_type"})
    assert revoke(cognate_url, {"client_id": client}) == (400, {"error": "invalid_request"})
    assert revoke(cognate_url, {"token": tokens["refresh_token"], "client_id": "nosuchclient"}) == \
        (401, {"error": "invalid_client"})
