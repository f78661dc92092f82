"""The managed login pages, driven as a browser drives them: requests.Session keeps the cookies,
every redirect is followed by hand so that each hop (status, Location, Set-Cookie) can be looked
at, and the forms are read out of the HTML with html.parser and posted back as a browser would.

Where the behaviour comes from is said beside each test. The AWS pages cited are the Amazon
Cognito developer guide's:
  authorization-endpoint.html ("The redirect and authorization endpoint"),
  login-endpoint.html, logout-endpoint.html ("The managed login sign-out endpoint: /logout"),
  token-endpoint.html, using-pkce-in-authorization-code.html,
  cognito-user-pools-managed-login.html, user-pool-lambda-pre-token-generation.html,
  "Lockout behavior for failed sign-in attempts",
and the API reference (AdminUserGlobalSignOut). Field names and texts of the pages follow
Cognito's classic hosted UI as observed (not documented by AWS; the contract of the pages).
What AWS does not document and cognate decided for itself is marked "cognate's choice".
"""

import base64
import hashlib
import html
import html.parser
import json
import pathlib
import secrets
import sys
import urllib.parse
import urllib.request

import boto3
import jwt
import pytest
import requests

from conftest import _free_port, launch

APP = "https://app.example/callback"
BYE = "https://app.example/signed-out"
PASSWORD = "Hosted!pass1"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"


# --- a small browser -------------------------------------------------------------------------

class _Forms(html.parser.HTMLParser):
    """Every <form> of a page: its name, method, action and fields (name -> value)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"name": a.get("name"), "method": a.get("method", "get"), "action": a.get("action", ""),
                          "fields": {}, "inputs": []}
            self.forms.append(self._form)
        elif tag in ("input", "button") and self._form is not None:
            self._form["inputs"].append(a)
            if a.get("name") and a.get("type") not in ("submit", "radio", "checkbox") and tag == "input":
                self._form["fields"][a["name"]] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def forms_of(text):
    parser = _Forms()
    parser.feed(text)
    return parser.forms


def form_named(text, name):
    """The first (desktop) copy of the form: the pages render every form twice, as Cognito's do."""
    found = [f for f in forms_of(text) if f["name"] == name]
    assert found, f"no form named {name!r} on the page:\n{text[:3000]}"
    return found[0]


def query_of(location):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query, keep_blank_values=True))


class Browser:
    """A cookie-keeping browser that never follows redirects on its own. `host` puts a Host
    header on every request (a pool's prefix domain, `<prefix>.auth.<region>.localhost`)."""

    def __init__(self, base, host=None):
        self.base, self.session, self.host = base, requests.Session(), host
        self.headers = {"Host": host} if host else {}

    def url(self, location):
        # Redirects inside cognate may be relative (/login?...). On a domain's host they may
        # name that host, which Python cannot resolve (Chromium resolves *.localhost to
        # loopback): such a URL goes to cognate's address, with the Host header kept.
        split = urllib.parse.urlsplit(location)
        if self.host and split.netloc == self.host:
            location = urllib.parse.urlunsplit(("", "", split.path, split.query, split.fragment))
        return urllib.parse.urljoin(self.base + "/", location)

    def get(self, location, **params):
        return self.session.get(self.url(location), params=params or None, headers=self.headers,
                                allow_redirects=False)

    def submit(self, page, form_name, **values):
        """Posts a form of `page` (a response) with its hidden fields and `values`. The action
        is html-unescaped by the parser, as a browser would."""
        form = form_named(page.text, form_name)
        data = {**form["fields"], **values}
        return self.post(form["action"], data)

    def post(self, action, data):
        return self.session.post(self.url(action), data=data, headers=self.headers, allow_redirects=False)

    def follow(self, response, until=APP, hops=6):
        """Follows 302s by hand until one leaves for `until` (returned) or a page is shown."""
        for _ in range(hops):
            if response.status_code != 302:
                return response
            location = response.headers["Location"]
            if location.startswith(until):
                return response
            response = self.get(location)
        raise AssertionError("too many redirects")


def set_cookies(response):
    """The Set-Cookie headers of one response, as raw strings."""
    return response.raw.headers.getlist("Set-Cookie")


def cookie_header(response, name):
    found = [c for c in set_cookies(response) if c.startswith(name + "=")]
    assert found, f"no Set-Cookie {name} in {set_cookies(response)}"
    return found[0]


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def redeem(base, client, code, verifier=None, redirect_uri=APP, headers=None):
    form = {"grant_type": "authorization_code", "client_id": client, "code": code, "redirect_uri": redirect_uri}
    if verifier is not None:
        form["code_verifier"] = verifier
    r = requests.post(f"{base}/oauth2/token", data=form, headers=headers or {})
    return r.status_code, r.json()


def outbox(base, query):
    with urllib.request.urlopen(f"{base}/_cognate/outbox?{query}") as r:
        return json.load(r)["messages"]


# --- pools -----------------------------------------------------------------------------------

def hosted_pool(idp, *, users=("ann",), pool_args=None, client_args=None):
    pool = idp.create_user_pool(PoolName="hosted", **(pool_args or {}))["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web", CallbackURLs=[APP], LogoutURLs=[BYE],
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True, SupportedIdentityProviders=["COGNITO"], **(client_args or {}),
    )["UserPoolClient"]["ClientId"]
    for name in users:
        idp.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"},
                                              {"Name": "email_verified", "Value": "true"}])
        idp.admin_set_user_password(UserPoolId=pool, Username=name, Password=PASSWORD, Permanent=True)
    return pool, client


def authorize_query(client, **extra):
    q = {"client_id": client, "response_type": "code", "redirect_uri": APP, "state": "st-42", "scope": "openid email"}
    q.update(extra)
    return {k: v for k, v in q.items() if v is not None}


def sign_in(browser, client, username="ann", password=PASSWORD, prefix="", **extra):
    """authorize -> /login -> post the form: the response to the post (302 to the app)."""
    r = browser.get(f"{prefix}/oauth2/authorize", **authorize_query(client, **extra))
    page = browser.follow(r)
    assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
    return browser.submit(page, "cognitoSignInForm", username=username, password=password)


# --- 1. authorize without a provider goes to the login page ----------------------------------

def test_authorize_without_a_provider_redirects_to_login_with_the_same_query(idp, cognate_url):
    """authorization-endpoint.html: without identity_provider, /oauth2/authorize "redirects to
    the Login endpoint with the same URL parameters". login-endpoint.html / the classic page:
    form cognitoSignInForm with _csrf and the XSRF-TOKEN cookie (same value: cognate's choice of
    the double-submit pattern, modelled on Cognito's page)."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    query = authorize_query(client, nonce="n-1")
    r = b.get("/oauth2/authorize", **query)
    assert r.status_code == 302
    location = r.headers["Location"]
    assert urllib.parse.urlsplit(location).path == "/login"
    assert query_of(location) == query

    page = b.get(location)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<title>Signin</title>" in page.text
    assert "Sign in with your username and password" in page.text
    form = form_named(page.text, "cognitoSignInForm")
    assert form["method"].lower() == "post"
    assert urllib.parse.urlsplit(form["action"]).path == "/login"
    assert query_of(form["action"]) == query
    names = {i.get("name") for i in form["inputs"]}
    assert {"_csrf", "cognitoAsfData", "username", "password", "signInSubmitButton"} <= names
    xsrf = cookie_header(page, "XSRF-TOKEN")
    assert "HttpOnly" in xsrf and "Path=/" in xsrf
    assert xsrf.split(";")[0].split("=", 1)[1] == form["fields"]["_csrf"] != ""
    assert b.session.cookies.get("XSRF-TOKEN") == form["fields"]["_csrf"]


# --- 2. sign-in: wrong and right password ----------------------------------------------------

def test_wrong_password_shows_the_error_and_the_right_one_goes_back_with_code_and_state(idp, cognate_url):
    """login-endpoint.html: Cognito shows "Incorrect username or password." on the page (the
    NotAuthorizedException message of InitiateAuth); success redirects to redirect_uri with
    code and the request's state (authorization-endpoint.html, "Example: authorization code
    grant"). The `cognito` session cookie follows the classic hosted UI (the cookie's name and
    its attributes are cognate's reading of the hosted UI; the 1 h Max-Age matches the "cookie
    validity period of 1 hour" of the AdminUserGlobalSignOut reference)."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    state = "a state/with spaces & symbols=?"
    wrong = sign_in(b, client, password="Not!thepass1", state=state)
    assert wrong.status_code == 200
    assert "Location" not in wrong.headers
    assert "Incorrect username or password." in wrong.text
    assert 'id="loginErrorMessage"' in wrong.text
    assert not any(c.startswith("cognito=") for c in set_cookies(wrong))
    # The form is shown again, keeping the username.
    assert form_named(wrong.text, "cognitoSignInForm")["fields"]["username"] == "ann"

    right = b.submit(wrong, "cognitoSignInForm", username="ann", password=PASSWORD)
    assert right.status_code == 302
    location = right.headers["Location"]
    assert location.startswith(APP + "?")
    back = query_of(location)
    assert back["state"] == state
    assert back["code"]
    session = cookie_header(right, "cognito")
    assert "HttpOnly" in session and "Path=/" in session and "Max-Age=3600" in session
    assert "SameSite=Lax" in session


# --- 3. the code at the token endpoint -------------------------------------------------------

def test_code_exchange_with_pkce(idp, cognate_url):
    """token-endpoint.html: authorization_code with code_verifier (PKCE, S256) gives access,
    id and refresh tokens; a code is single-use and a wrong verifier or a different
    redirect_uri is refused ({"error":"invalid_grant"}, RFC 6749 5.2 / RFC 7636 4.6). The
    access token's scope is the requested scopes (authorization-endpoint.html, scope)."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)

    def fresh_code(challenge):
        # prompt=login so each round asks for the password and gives a new code.
        r = sign_in(b, client, code_challenge=challenge, code_challenge_method="S256", prompt="login")
        assert r.status_code == 302, r.text[:500]
        return query_of(r.headers["Location"])["code"]

    verifier, challenge = pkce()
    code = fresh_code(challenge)
    status, tokens = redeem(cognate_url, client, code, verifier)
    assert status == 200, tokens
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    assert tokens["access_token"] and tokens["id_token"] and tokens["refresh_token"]
    id_claims, access = claims(tokens["id_token"]), claims(tokens["access_token"])
    assert id_claims["aud"] == client and id_claims["token_use"] == "id"
    assert id_claims["cognito:username"] == "ann" and id_claims["email"] == "ann@example.com"
    assert id_claims["iss"] == f"{cognate_url}/{pool}"
    assert access["token_use"] == "access" and access["client_id"] == client
    assert access["scope"].split() == ["openid", "email"]

    again = requests.post(f"{cognate_url}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": client, "code": code, "redirect_uri": APP,
        "code_verifier": verifier})
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant"}

    verifier, challenge = pkce()
    code = fresh_code(challenge)
    status, body = redeem(cognate_url, client, code, "x" * 50)
    assert (status, body) == (400, {"error": "invalid_grant"})

    verifier, challenge = pkce()
    code = fresh_code(challenge)
    status, body = redeem(cognate_url, client, code, verifier, redirect_uri=APP + "/other")
    # RFC 6749 5.2 names invalid_grant for this; Cognito is reported (re:Post, "cognito returns
    # invalid request and unauthorized client") to answer unauthorized_client when the token
    # request's redirect_uri is not the authorize request's, and cognate answers the same.
    assert status == 400 and body.get("error") in ("unauthorized_client", "invalid_grant"), body

    # Without a verifier, a code issued for a challenge is refused too.
    verifier, challenge = pkce()
    code = fresh_code(challenge)
    status, body = redeem(cognate_url, client, code, None)
    assert status == 400 and "error" in body, body


# --- 4. the session cookie -------------------------------------------------------------------

def test_the_session_cookie_signs_in_again_without_the_form(idp, cognate_url):
    """authorization-endpoint.html / cognito-user-pools-managed-login.html: while the browser
    has a managed-login session, /oauth2/authorize redirects straight back with a new code;
    prompt=login asks for the password again; prompt=none without a session answers
    error=login_required (authorization-endpoint.html, prompt; OIDC Core 3.1.2.1 and 3.1.2.6)."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    first = sign_in(b, client)
    assert first.status_code == 302
    first_code = query_of(first.headers["Location"])["code"]

    again = b.get("/oauth2/authorize", **authorize_query(client, state="second"))
    assert again.status_code == 302
    assert again.headers["Location"].startswith(APP + "?")
    back = query_of(again.headers["Location"])
    assert back["state"] == "second" and back["code"] and back["code"] != first_code
    status, tokens = redeem(cognate_url, client, back["code"])
    assert status == 200 and claims(tokens["id_token"])["cognito:username"] == "ann"

    # prompt=none with the session: straight back too.
    silent = b.get("/oauth2/authorize", **authorize_query(client, prompt="none"))
    assert silent.status_code == 302 and "code" in query_of(silent.headers["Location"])

    forced = b.get("/oauth2/authorize", **authorize_query(client, prompt="login"))
    assert forced.status_code == 302
    assert urllib.parse.urlsplit(forced.headers["Location"]).path == "/login"
    page = b.get(forced.headers["Location"])
    assert page.status_code == 200 and form_named(page.text, "cognitoSignInForm")

    fresh = Browser(cognate_url)
    none = fresh.get("/oauth2/authorize", **authorize_query(client, prompt="none", state="quiet"))
    assert none.status_code == 302
    location = none.headers["Location"]
    assert location.startswith(APP + "?")
    assert query_of(location) == {"error": "login_required", "state": "quiet"}


def test_disabling_the_user_ends_the_browser_session(idp, cognate_url):
    """A disabled user cannot sign in (AdminDisableUser; the token endpoint refuses their
    code). That the cookie then no longer skips the form, so the browser is shown /login, is
    cognate's choice, consistent with that."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    assert sign_in(b, client).status_code == 302
    assert b.get("/oauth2/authorize", **authorize_query(client)).headers["Location"].startswith(APP)
    idp.admin_disable_user(UserPoolId=pool, Username="ann")
    after = b.get("/oauth2/authorize", **authorize_query(client))
    assert after.status_code == 302
    assert urllib.parse.urlsplit(after.headers["Location"]).path == "/login", after.headers["Location"]


def test_global_sign_out_leaves_the_managed_login_cookie(idp, cognate_url):
    """AWS says the opposite of what one might expect here. The API reference of
    AdminUserGlobalSignOut (and GlobalSignOut): "This operation doesn't clear the managed login
    session cookie. To clear the session for a user who signed in with managed login or the
    classic hosted UI, direct their browser session to the logout endpoint." (older text: "A
    user can still use a hosted UI cookie to retrieve new tokens for the duration of the
    cookie validity period of 1 hour"). So the cookie still skips the form and its new code
    still redeems; the refresh token issued before the sign-out is revoked."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    first = sign_in(b, client)
    status, tokens = redeem(cognate_url, client, query_of(first.headers["Location"])["code"])
    assert status == 200, tokens
    idp.admin_user_global_sign_out(UserPoolId=pool, Username="ann")

    refreshed = requests.post(f"{cognate_url}/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": client, "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 400, "the old refresh token is revoked"

    after = b.get("/oauth2/authorize", **authorize_query(client, state="after"))
    assert after.status_code == 302
    assert after.headers["Location"].startswith(APP + "?"), after.headers["Location"]
    back = query_of(after.headers["Location"])
    assert back["state"] == "after"
    status, tokens = redeem(cognate_url, client, back["code"])
    assert status == 200, tokens


def test_a_session_is_for_its_own_pool(idp, cognate_url):
    """cognate's choice (Cognito's sessions live on a pool's domain, so never cross pools): the
    cookie of one pool's session does not sign the browser in to another pool's client."""
    pool, client = hosted_pool(idp)
    other_pool, other_client = hosted_pool(idp)
    b = Browser(cognate_url)
    assert sign_in(b, client).status_code == 302
    r = b.get("/oauth2/authorize", **authorize_query(other_client))
    assert urllib.parse.urlsplit(r.headers["Location"]).path == "/login"


# --- 5. logout -------------------------------------------------------------------------------

def test_logout_to_a_registered_logout_uri_clears_the_session(idp, cognate_url):
    """logout-endpoint.html: /logout?client_id&logout_uri signs the user out and redirects to
    logout_uri when it is one of the client's LogoutURLs; otherwise Cognito shows an error page
    (its text, "Required String parameter 'redirect_uri' is not present", is what the classic
    hosted UI is reported to show for an unlisted logout_uri; the 400 is cognate's choice).
    With redirect_uri and response_type it redirects to /login. That the session also ends on
    the server (the old cookie, replayed, no longer works) is cognate's choice."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    assert sign_in(b, client).status_code == 302
    old_session = b.session.cookies.get("cognito")
    assert old_session

    out = b.get("/logout", client_id=client, logout_uri=BYE)
    assert out.status_code == 302
    assert out.headers["Location"] == BYE
    cleared = cookie_header(out, "cognito")
    assert "Max-Age=0" in cleared
    assert b.session.cookies.get("cognito") is None
    r = b.get("/oauth2/authorize", **authorize_query(client))
    assert urllib.parse.urlsplit(r.headers["Location"]).path == "/login"

    # The session ended on the server too: the old cookie, replayed, no longer signs in.
    replay = requests.get(f"{cognate_url}/oauth2/authorize", params=authorize_query(client),
                          cookies={"cognito": old_session}, allow_redirects=False)
    assert urllib.parse.urlsplit(replay.headers["Location"]).path == "/login"


def test_logout_refuses_an_unregistered_logout_uri(idp, cognate_url):
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    assert sign_in(b, client).status_code == 302
    r = b.get("/logout", client_id=client, logout_uri="https://evil.example/bye")
    assert r.status_code == 400
    assert "Location" not in r.headers
    assert "Required String parameter &#39;redirect_uri&#39; is not present" in r.text or \
           "Required String parameter 'redirect_uri' is not present" in html.unescape(r.text)
    assert r.headers["Content-Type"].startswith("text/html")
    # The session was not ended by the refused request (cognate's choice).
    again = b.get("/oauth2/authorize", **authorize_query(client))
    assert again.headers["Location"].startswith(APP)


def test_logout_with_redirect_uri_goes_back_to_the_login_page(idp, cognate_url):
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    assert sign_in(b, client).status_code == 302
    query = {"client_id": client, "redirect_uri": APP, "response_type": "code", "state": "again", "scope": "openid"}
    r = b.get("/logout", **query)
    assert r.status_code == 302
    location = r.headers["Location"]
    assert urllib.parse.urlsplit(location).path == "/login"
    assert query_of(location) == query
    assert "Max-Age=0" in cookie_header(r, "cognito")
    page = b.get(location)
    assert page.status_code == 200 and form_named(page.text, "cognitoSignInForm")
    # Signed out, so signing in from here asks for the password.
    signed = b.submit(page, "cognitoSignInForm", username="ann", password=PASSWORD)
    assert query_of(signed.headers["Location"])["state"] == "again"


# --- 6. CSRF ---------------------------------------------------------------------------------

def _login_page(b, client):
    page = b.follow(b.get("/oauth2/authorize", **authorize_query(client)))
    assert page.status_code == 200
    return page


def test_a_post_without_the_matching_csrf_token_is_refused_and_does_nothing(idp, cognate_url):
    """Cognito's pages carry _csrf and the XSRF-TOKEN cookie and refuse a post whose token does
    not match (the classic hosted UI; the 403 and its text are cognate's choice). Nothing is
    attempted: forged posts with a wrong password do not count towards the lockout (developer
    guide, "Lockout behavior": five failures lock the user, each one more doubles the lock)."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    page = _login_page(b, client)
    form = form_named(page.text, "cognitoSignInForm")
    action = form["action"]
    token = form["fields"]["_csrf"]

    forged = b.post(action, {**form["fields"], "_csrf": "0" * 32, "username": "ann", "password": PASSWORD})
    assert forged.status_code == 403
    assert "Location" not in forged.headers
    assert not any(c.startswith("cognito=") for c in set_cookies(forged))
    assert "An error was encountered with the requested page." in forged.text
    assert "Invalid request: the form&#39;s CSRF token does not match." in forged.text or \
           "Invalid request: the form's CSRF token does not match." in html.unescape(forged.text)

    fields = {k: v for k, v in form["fields"].items() if k != "_csrf"}
    missing = b.post(action, {**fields, "username": "ann", "password": PASSWORD})
    assert missing.status_code == 403 and "Location" not in missing.headers

    # The right token, but no cookie (another browser posting the form): refused too.
    stranger = requests.post(b.url(action), data={**form["fields"], "username": "ann", "password": PASSWORD},
                             allow_redirects=False)
    assert stranger.status_code == 403 and "Location" not in stranger.headers

    # Eight forged wrong passwords: had they counted, ann would now be locked for 8 s.
    for _ in range(8):
        r = b.post(action, {**form["fields"], "_csrf": "f" * 32, "username": "ann", "password": "Wrong!pass1"})
        assert r.status_code == 403
    good = b.post(action, {**form["fields"], "_csrf": token, "username": "ann", "password": PASSWORD})
    assert good.status_code == 302, good.text[:2000]
    assert good.headers["Location"].startswith(APP + "?")


def test_wrong_passwords_with_a_valid_token_do_lock_the_user(idp, cognate_url):
    """The control for the test above: real wrong passwords through the page count (developer
    guide, "Lockout behavior"), so the right password is then refused for a while, with
    Cognito's "Password attempts exceeded"."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    page = _login_page(b, client)
    for _ in range(8):
        page = b.submit(page, "cognitoSignInForm", username="ann", password="Wrong!pass1")
        assert page.status_code == 200
    locked = b.submit(page, "cognitoSignInForm", username="ann", password=PASSWORD)
    assert locked.status_code == 200 and "Location" not in locked.headers
    assert "Password attempts exceeded" in locked.text


# --- 7. escaping -----------------------------------------------------------------------------

XSS_STATE = '"><script>alert(1)</script>'
XSS_USER = "<img src=x onerror=alert(1)>"


def test_the_pages_escape_what_they_show(idp, cognate_url):
    """The pages show request values (state, username) only escaped, and forbid scripts by CSP
    (cognate's choice of CSP: default-src 'none'; Cognito's pages are not documented this far).
    The state goes back to the app unchanged (authorization-endpoint.html, state)."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    r = b.get("/oauth2/authorize", **authorize_query(client, state=XSS_STATE))
    assert r.status_code == 302
    assert query_of(r.headers["Location"])["state"] == XSS_STATE
    page = b.get(r.headers["Location"])
    assert page.status_code == 200
    assert "<script" not in page.text.lower()
    assert XSS_STATE not in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src" not in csp
    form = form_named(page.text, "cognitoSignInForm")
    assert query_of(form["action"])["state"] == XSS_STATE, "the action, unescaped, still carries the state"

    wrong = b.submit(page, "cognitoSignInForm", username=XSS_USER, password="Not!thepass1")
    assert wrong.status_code == 200
    assert XSS_USER not in wrong.text
    assert "<img" not in wrong.text.lower()
    assert "<script" not in wrong.text.lower()
    assert "default-src 'none'" in wrong.headers["Content-Security-Policy"]
    assert form_named(wrong.text, "cognitoSignInForm")["fields"]["username"] == XSS_USER

    signed = b.submit(wrong, "cognitoSignInForm", username="ann", password=PASSWORD)
    assert signed.status_code == 302
    location = signed.headers["Location"]
    assert "<" not in location and '"' not in location and " " not in location
    assert query_of(location)["state"] == XSS_STATE

    for path in ["/signup", "/forgotPassword"]:
        other = b.get(path, **authorize_query(client, state=XSS_STATE))
        assert other.status_code == 200, path
        assert "<script" not in other.text.lower(), path
        assert "default-src 'none'" in other.headers["Content-Security-Policy"], path
    error = b.get("/error", error="<script>x</script>", client_id="<b>c</b>")
    assert "<script" not in error.text.lower() and "<b>" not in error.text


def test_every_page_forbids_scripts_by_csp(idp, cognate_url):
    """The contract: the pages' CSP is default-src 'none' (cognate's choice). That includes
    Cognito's error page (/error), the CSRF refusal and the logout refusal, which show text
    from the request too."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)
    page = _login_page(b, client)
    form = form_named(page.text, "cognitoSignInForm")
    pages = {
        "/login": page,
        "/signup": b.get("/signup", **authorize_query(client)),
        "/forgotPassword": b.get("/forgotPassword", **authorize_query(client)),
        "wrong password": b.submit(page, "cognitoSignInForm", username="ann", password="Not!thepass1"),
        "/error": b.get("/error", error="redirect_mismatch", client_id=client),
        "CSRF refusal": b.post(form["action"], {**form["fields"], "_csrf": "0" * 32}),
        "logout refusal": b.get("/logout", client_id=client, logout_uri="https://evil.example/"),
    }
    missing = {name: r.status_code for name, r in pages.items()
               if "default-src 'none'" not in r.headers.get("Content-Security-Policy", "")}
    assert missing == {}, f"pages without the CSP (name: status): {missing}"


# --- 8. bad requests -------------------------------------------------------------------------

def _error_location(r):
    assert r.status_code == 302, (r.status_code, r.text[:300])
    location = r.headers["Location"]
    split = urllib.parse.urlsplit(location)
    return split.path, query_of(location)


def test_bad_authorize_requests(idp, cognate_url):
    """authorization-endpoint.html, "Error responses": an unknown client and an unregistered
    redirect_uri are shown on Cognito's error page (/error?error=invalid_request,
    /error?error=redirect_mismatch&client_id=...) and never redirected to the app; the
    redirect_uri must match exactly (a trailing slash differs); a response_type the client
    does not allow is error=unauthorized_client, and code_challenge_method other than S256 is
    error=invalid_request, both at the redirect_uri with the state."""
    pool, client = hosted_pool(idp)
    b = Browser(cognate_url)

    path, q = _error_location(b.get("/oauth2/authorize", **authorize_query("nosuchclient123")))
    assert path == "/error" and q["error"] == "invalid_request"
    page = b.get("/error", **q)
    assert "An error was encountered with the requested page." in page.text

    for uri in ["https://evil.example/callback", APP + "/"]:
        path, q = _error_location(b.get("/oauth2/authorize", **authorize_query(client, redirect_uri=uri)))
        assert path == "/error", uri
        assert q == {"error": "redirect_mismatch", "client_id": client}, uri
    page = b.get("/error", error="redirect_mismatch", client_id=client)
    assert "An error was encountered with the requested page." in page.text

    # An implicit request's error goes back in the fragment, as its tokens would (RFC 6749
    # 4.2.2.1); the error code is the authorize endpoint's unauthorized_client.
    r = b.get("/oauth2/authorize", **authorize_query(client, response_type="token", state="t1"))
    assert r.status_code == 302 and r.headers["Location"].startswith(APP)
    split = urllib.parse.urlsplit(r.headers["Location"])
    answer = {**dict(urllib.parse.parse_qsl(split.query)), **dict(urllib.parse.parse_qsl(split.fragment))}
    assert answer == {"error": "unauthorized_client", "state": "t1"}, r.headers["Location"]

    r = b.get("/oauth2/authorize", **authorize_query(client, code_challenge="abc" * 15, code_challenge_method="plain",
                                                     state="t2"))
    assert r.status_code == 302 and r.headers["Location"].startswith(APP)
    assert query_of(r.headers["Location"])["error"] == "invalid_request"
    assert query_of(r.headers["Location"])["state"] == "t2"

    # The login page itself checks the same (login-endpoint.html takes the authorize parameters).
    path, q = _error_location(b.get("/login", **authorize_query(client, redirect_uri="https://evil.example/")))
    assert path == "/error" and q["error"] == "redirect_mismatch"


# --- 9. domains ------------------------------------------------------------------------------

def _domain_pools(idp):
    pool, client = hosted_pool(idp)
    other_pool, other_client = hosted_pool(idp)
    idp.create_user_pool_domain(UserPoolId=pool, Domain="mylogin")
    return pool, client, other_pool, other_client


def _host(cognate_url):
    return f"mylogin.auth.us-east-1.localhost:{urllib.parse.urlsplit(cognate_url).port}"


def test_the_pages_at_a_domain_path(idp, cognate_url):
    """A pool's prefix domain serves its managed login pages (cognito-user-pools-assign-domain-
    prefix.html: https://<prefix>.auth.<region>.amazoncognito.com). cognate also serves them at
    B/domain/<prefix>/... (cognate's choice, for clients that cannot set a Host). A domain
    serves only its own pool's clients (an app client of another pool is unknown there:
    error=invalid_request, as for an unknown client). Tokens name the pool's issuer
    (amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html)."""
    pool, client, other_pool, other_client = _domain_pools(idp)
    b = Browser(cognate_url)
    verifier, challenge = pkce()
    r = b.get("/domain/mylogin/oauth2/authorize", **authorize_query(client, code_challenge=challenge,
                                                                     code_challenge_method="S256"))
    assert r.status_code == 302
    assert urllib.parse.urlsplit(r.headers["Location"]).path == "/domain/mylogin/login"
    page = b.get(r.headers["Location"])
    assert page.status_code == 200
    form = form_named(page.text, "cognitoSignInForm")
    assert form["action"].startswith("/domain/mylogin/login?")
    assert 'href="/domain/mylogin/signup?' in page.text
    signed = b.submit(page, "cognitoSignInForm", username="ann", password=PASSWORD)
    assert signed.status_code == 302 and signed.headers["Location"].startswith(APP + "?")
    code = query_of(signed.headers["Location"])["code"]
    status, tokens = redeem(f"{cognate_url}/domain/mylogin", client, code, verifier)
    assert status == 200, tokens
    assert claims(tokens["id_token"])["iss"] == f"{cognate_url}/{pool}"

    # Another pool's client at this domain: Cognito's error page.
    path, q = _error_location(b.get("/domain/mylogin/oauth2/authorize", **authorize_query(other_client)))
    assert path.endswith("/error") and q["error"] == "invalid_request"
    # At a domain no pool has, even the pool's own client is unknown (cognate's choice).
    path, q = _error_location(b.get("/domain/nosuchdomain/oauth2/authorize", **authorize_query(client)))
    assert path.endswith("/error") and q["error"] == "invalid_request"


def test_the_pages_on_a_domain_host(idp, cognate_url):
    """The same pages on Host <prefix>.auth.<region>.localhost:PORT (cognate's stand-in for
    <prefix>.auth.<region>.amazoncognito.com). The app's backend redeems the code at B."""
    pool, client, other_pool, other_client = _domain_pools(idp)
    h = Browser(cognate_url, host=_host(cognate_url))
    verifier, challenge = pkce()
    r = h.get("/oauth2/authorize", **authorize_query(client, code_challenge=challenge, code_challenge_method="S256"))
    assert r.status_code == 302
    assert urllib.parse.urlsplit(r.headers["Location"]).path == "/login"
    page = h.get(r.headers["Location"])
    assert page.status_code == 200 and "<title>Signin</title>" in page.text
    form = form_named(page.text, "cognitoSignInForm")
    assert form["action"].startswith("/login?")
    signed = h.submit(page, "cognitoSignInForm", username="ann", password=PASSWORD)
    assert signed.status_code == 302 and signed.headers["Location"].startswith(APP + "?")
    code = query_of(signed.headers["Location"])["code"]
    status, tokens = redeem(cognate_url, client, code, verifier)
    assert status == 200, tokens
    assert claims(tokens["id_token"])["iss"] == f"{cognate_url}/{pool}"

    path, q = _error_location(h.get("/oauth2/authorize", **authorize_query(other_client)))
    assert path.endswith("/error") and q["error"] == "invalid_request"


def test_the_issuer_is_the_pools_whatever_host_served_the_token_endpoint(idp, cognate_url):
    """iss is the pool's issuer, the one its discovery document names, wherever the token came
    from (OIDC Core 2 / Discovery 4.3: the iss a client validates is the discovery issuer; on
    Cognito it is https://cognito-idp.<region>.amazonaws.com/<poolId> for every domain)."""
    pool, client, _, _ = _domain_pools(idp)
    host = _host(cognate_url)
    h = Browser(cognate_url, host=host)
    verifier, challenge = pkce()
    signed = sign_in(h, client, code_challenge=challenge, code_challenge_method="S256")
    code = query_of(signed.headers["Location"])["code"]
    status, tokens = redeem(cognate_url, client, code, verifier, headers={"Host": host})
    assert status == 200, tokens
    issuer = requests.get(f"{cognate_url}/{pool}/.well-known/openid-configuration").json()["issuer"]
    assert issuer == f"{cognate_url}/{pool}"
    assert claims(tokens["id_token"])["iss"] == issuer
    assert claims(tokens["access_token"])["iss"] == issuer


def test_discovery_names_the_domain_endpoints(idp, cognate_url):
    """OIDC Discovery 1.0; Cognito's openid-configuration names https://<domain>/oauth2/authorize,
    /oauth2/token, /oauth2/userInfo, /oauth2/revoke and end_session_endpoint /logout when the
    pool has a domain. cognate names its path form (cognate's choice: reachable by any client);
    without a domain, cognate's own B/oauth2/... (cognate's choice: Cognito has none then)."""
    pool, client, other_pool, other_client = _domain_pools(idp)
    doc = requests.get(f"{cognate_url}/{pool}/.well-known/openid-configuration").json()
    d = f"{cognate_url}/domain/mylogin"
    assert doc["issuer"] == f"{cognate_url}/{pool}"
    assert doc["authorization_endpoint"] == f"{d}/oauth2/authorize"
    assert doc["token_endpoint"] == f"{d}/oauth2/token"
    assert doc["userinfo_endpoint"] == f"{d}/oauth2/userInfo"
    assert doc["revocation_endpoint"] == f"{d}/oauth2/revoke"
    assert doc["end_session_endpoint"] == f"{d}/logout"
    assert doc["jwks_uri"] == f"{cognate_url}/{pool}/.well-known/jwks.json"
    # The document's own endpoints work: the path form's logout clears a session.
    b = Browser(cognate_url)
    assert sign_in(b, client, prefix="/domain/mylogin").status_code == 302
    out = b.get(doc["end_session_endpoint"], client_id=client, logout_uri=BYE)
    assert out.status_code == 302 and out.headers["Location"] == BYE

    plain = requests.get(f"{cognate_url}/{other_pool}/.well-known/openid-configuration").json()
    assert plain["authorization_endpoint"] == f"{cognate_url}/oauth2/authorize"
    assert plain["token_endpoint"] == f"{cognate_url}/oauth2/token"
    assert plain["end_session_endpoint"] == f"{cognate_url}/logout"


# --- 10. sign-up through the pages -----------------------------------------------------------

def _sign_up_pool(idp):
    pool = idp.create_user_pool(
        PoolName="signup", AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
    )["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web", CallbackURLs=[APP], AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"], AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    return pool, client


def test_sign_up_and_confirm_through_the_pages(idp, cognate_url):
    """cognito-user-pools-managed-login.html / signup: the sign-up page asks for the username,
    the pool's required attributes and a password; Cognito then sends a code (to the email,
    AutoVerifiedAttributes) and shows "Confirm your account". Confirming in the same browser
    signs the user in and goes back to the app with a code (the classic hosted UI's flow).
    A wrong code and a weak password show the API's own messages (ConfirmSignUp's
    CodeMismatchException, SignUp's InvalidPasswordException)."""
    pool, client = _sign_up_pool(idp)
    b = Browser(cognate_url)
    r = b.get("/oauth2/authorize", **authorize_query(client, state="joined"))
    login = b.follow(r)
    assert 'href="/signup?' in login.text, "the login page links to sign-up"
    page = b.get("/signup", **authorize_query(client, state="joined"))
    assert page.status_code == 200
    form = form_named(page.text, "signupform")
    assert urllib.parse.urlsplit(form["action"]).path == "/signup"
    assert {"username", "requiredAttributes[email]", "password"} <= {i.get("name") for i in form["inputs"]}

    # A password the policy refuses: InvalidPasswordException's message, as SignUp says it.
    with pytest.raises(idp.exceptions.InvalidPasswordException) as e:
        idp.sign_up(ClientId=client, Username="probe", Password="short",
                    UserAttributes=[{"Name": "email", "Value": "probe@example.com"}])
    api_message = e.value.response["Error"]["Message"]
    weak = b.submit(page, "signupform", username="sue", password="short", **{"requiredAttributes[email]": "sue@example.com"})
    assert weak.status_code == 200 and "Location" not in weak.headers
    assert html.escape(api_message, quote=False) in weak.text or api_message in html.unescape(weak.text)
    assert "Password did not conform with policy" in html.unescape(weak.text)
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=pool, Username="sue")

    confirm = b.submit(weak, "signupform", username="sue", password=PASSWORD,
                       **{"requiredAttributes[email]": "sue@example.com"})
    assert confirm.status_code == 200, confirm.headers.get("Location")
    assert "Confirm your account" in confirm.text
    cform = form_named(confirm.text, "confirmForm")
    assert urllib.parse.urlsplit(cform["action"]).path == "/confirm"
    assert form_named(confirm.text, "resendForm")
    assert idp.admin_get_user(UserPoolId=pool, Username="sue")["UserStatus"] == "UNCONFIRMED"
    [message] = outbox(cognate_url, "destination=sue@example.com")

    wrong_code = "000000" if message["code"] != "000000" else "111111"
    mismatch = b.submit(confirm, "confirmForm", code=wrong_code)
    assert mismatch.status_code == 200 and "Location" not in mismatch.headers
    assert "Invalid verification code provided, please try again." in mismatch.text
    assert idp.admin_get_user(UserPoolId=pool, Username="sue")["UserStatus"] == "UNCONFIRMED"

    done = b.submit(mismatch, "confirmForm", code=message["code"])
    assert done.status_code == 302, done.text[:2000]
    location = done.headers["Location"]
    assert location.startswith(APP + "?")
    assert query_of(location)["state"] == "joined" and query_of(location)["code"]
    assert any(c.startswith("cognito=") for c in set_cookies(done))
    status, tokens = redeem(cognate_url, client, query_of(location)["code"])
    assert status == 200 and claims(tokens["id_token"])["cognito:username"] == "sue"

    user = idp.admin_get_user(UserPoolId=pool, Username="sue")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    assert {"Name": "email", "Value": "sue@example.com"} in user["UserAttributes"]


# --- 11. triggers from the pages -------------------------------------------------------------

@pytest.fixture(scope="module")
def recording_cognate():
    """A second cognate whose PreTokenGeneration handler puts the event's triggerSource in the
    ID token (handlers/pre_token_source.py). Its own process, so that conftest's server and
    its routes stay as they are; it is stopped when the module ends."""
    handler = pathlib.Path(__file__).with_name("handlers") / "pre_token_source.py"
    port = _free_port()
    proc, url = launch(
        ["--ephemeral", "--lambda", f"preTokenSource=command:{sys.executable} {handler}"],
        port=port,
        env={"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"},
    )
    yield url
    proc.kill()
    proc.wait()


def test_pre_token_generation_runs_as_hosted_auth(recording_cognate):
    """user-pool-lambda-pre-token-generation.html, trigger sources: TokenGeneration_HostedAuth
    is "called during authentication from the Amazon Cognito managed login sign-in page";
    the token endpoint's exchange of that code runs it."""
    url = recording_cognate
    idp = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=url)
    pool, client = hosted_pool(idp, pool_args={"LambdaConfig": {"PreTokenGeneration": ARN.format("preTokenSource")}})
    b = Browser(url)
    r = sign_in(b, client)
    assert r.status_code == 302, r.text[:2000]
    status, tokens = redeem(url, client, query_of(r.headers["Location"])["code"])
    assert status == 200, tokens
    assert claims(tokens["id_token"])["trigger_source"] == "TokenGeneration_HostedAuth"
    # The API's own sign-in, for contrast, is TokenGeneration_Authentication.
    idp.update_user_pool_client(UserPoolId=pool, ClientId=client, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                                CallbackURLs=[APP], AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
                                AllowedOAuthFlowsUserPoolClient=True, SupportedIdentityProviders=["COGNITO"])
    api = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert claims(api["IdToken"])["trigger_source"] == "TokenGeneration_Authentication"
    # A refresh at the token endpoint is TokenGeneration_RefreshTokens.
    refreshed = requests.post(f"{url}/oauth2/token", data={"grant_type": "refresh_token", "client_id": client,
                                                          "refresh_token": tokens["refresh_token"]}).json()
    assert claims(refreshed["id_token"])["trigger_source"] == "TokenGeneration_RefreshTokens"


def test_a_client_without_cognito_cannot_use_the_password_forms(idp, cognate_url):
    """A client that does not list COGNITO among its SupportedIdentityProviders offers no
    sign-in with the pool's passwords: its forms are refused as Cognito refuses a login option
    the client does not have ("Login option is not available. Please try another one")."""
    pool, client = hosted_pool(idp)
    other = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="federated-only", CallbackURLs=[APP], AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"], AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=[])["UserPoolClient"]["ClientId"]
    b = Browser(cognate_url)
    page = _login_page(b, client)
    csrf = form_named(page.text, "cognitoSignInForm")["fields"]["_csrf"]
    query = urllib.parse.urlencode(authorize_query(other, scope="openid"))
    for path, data in [("/login", {"username": "ann", "password": PASSWORD}),
                       ("/signup", {"username": "eve", "password": PASSWORD}),
                       ("/forgotPassword", {"username": "ann"})]:
        r = b.post(f"{path}?{query}", {"_csrf": csrf, **data})
        assert r.status_code == 400 and "Location" not in r.headers, (path, r.status_code)
        assert "Login option is not available. Please try another one" in r.text
    assert b.get("/signup", **authorize_query(other, scope="openid")).status_code == 400
    # Nothing was written: no user signed up, no reset code sent.
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool)["Users"]] == ["ann"]
    assert outbox(cognate_url, f"poolId={pool}") == []
