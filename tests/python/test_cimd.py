"""Client ID metadata documents (CIMD): the seven policy and cache operations with boto3, and an
external client that names itself by an https URL signing in through the managed login pages and
redeeming its code at the token endpoint.

Sources: the API reference (CreateCIMDPolicy, CIMDPolicyType, ListClientMetadataURLs,
UpdateClientMetadataURLState), the developer guide's "Client ID metadata documents (CIMD)" and
draft-ietf-oauth-client-id-metadata-document; docs/research/newest-operations.md §3 has the
details and what is UNCONFIRMED. The network is stood in for by POST /_cognate/client-metadata,
which the server consults before fetching.

Each test runs on the module's own cognate (`own_cognate`), whose clock may be moved.
"""

import json
import urllib.parse
import urllib.request

import boto3
import botocore.config
import botocore.exceptions
import pytest
import requests

from test_managed_login import APP, PASSWORD, Browser, claims, form_named, pkce, query_of

DOC_URL = "https://tools.example.com/oauth/client.json"
PATTERN = "https://tools.example.com/oauth/*"


def stage(base, url=DOC_URL, document=None, **extra):
    body = {"url": url, **extra}
    if document is not None:
        body["document"] = document
    req = urllib.request.Request(f"{base}/_cognate/client-metadata", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def document(url=DOC_URL, **fields):
    return {"client_id": url, "client_name": "A tool", "redirect_uris": [APP],
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            "token_endpoint_auth_method": "none", **fields}


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def site(own_cognate):
    """A pool with a domain, a code-grant app client and a user; and a CIMD policy mapping
    PATTERN to that client."""
    idp = own_cognate.idp
    pool = idp.create_user_pool(PoolName="cimd")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="external", CallbackURLs=[APP, "https://other.example/cb"],
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True, SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    idp.create_user_pool_domain(UserPoolId=pool, Domain="cimd-login")
    idp.admin_create_user(UserPoolId=pool, Username="ann", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "ann@example.com"},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool, Username="ann", Password=PASSWORD, Permanent=True)
    policy = idp.create_cimd_policy(UserPoolId=pool, ClientId=client, PolicyName="tools policy",
                                    URLPatterns=[PATTERN])["CIMDPolicy"]
    return {"c": own_cognate, "idp": idp, "pool": pool, "client": client, "policy": policy["CIMDPolicyId"],
            "prefix": "/domain/cimd-login"}


def authorize(site, browser, client_id=DOC_URL, redirect_uri=APP, **extra):
    q = {"client_id": client_id, "response_type": "code", "redirect_uri": redirect_uri, "state": "s-1",
         "scope": "openid email", **extra}
    return browser.get(f"{site['prefix']}/oauth2/authorize", **q)


def error_page(response):
    assert response.status_code == 302, (response.status_code, response.text[:300])
    location = response.headers["Location"]
    assert urllib.parse.urlsplit(location).path.endswith("/error"), location
    return query_of(location)


def sign_in_code(site, client_id=DOC_URL):
    """authorize -> /login -> the form; the code and PKCE verifier the app gets back."""
    b = Browser(site["c"].url)
    verifier, challenge = pkce()
    r = authorize(site, b, client_id, code_challenge=challenge, code_challenge_method="S256")
    page = b.follow(r)
    assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
    signed = b.submit(page, "cognitoSignInForm", username="ann", password=PASSWORD)
    assert signed.status_code == 302 and signed.headers["Location"].startswith(APP + "?"), signed.text[:500]
    return query_of(signed.headers["Location"])["code"], verifier


def token(site, **form):
    r = requests.post(f"{site['c'].url}{site['prefix']}/oauth2/token", data=form)
    return r.status_code, r.json()


def cached_urls(site):
    return site["idp"].list_client_metadata_urls(UserPoolId=site["pool"], CIMDPolicyId=site["policy"])[
        "ClientMetadataURLs"]


# --- the policy operations -------------------------------------------------------------------

def test_a_policy_is_created_described_listed_updated_and_deleted(site):
    """CIMDPolicyType: CIMDPolicyId matches ^[a-z0-9]+$; CacheDuration defaults to 86,400
    seconds (API_CreateCIMDPolicy); UpdateCIMDPolicy requires ClientId and URLPatterns and leaves
    an omitted PolicyName and CacheDuration as they were."""
    idp, pool, client = site["idp"], site["pool"], site["client"]
    described = idp.describe_cimd_policy(UserPoolId=pool, CIMDPolicyId=site["policy"])["CIMDPolicy"]
    assert described["CIMDPolicyId"].isalnum() and described["CIMDPolicyId"] == described["CIMDPolicyId"].lower()
    assert described["UserPoolId"] == pool and described["ClientId"] == client
    assert described["PolicyName"] == "tools policy"
    assert described["CacheDuration"] == 86400
    assert described["URLPatterns"] == [PATTERN]
    assert described["CreationDate"] == described["LastModifiedDate"]

    second = idp.create_cimd_policy(UserPoolId=pool, ClientId=client, PolicyName="second", CacheDuration=172800,
                                    URLPatterns=["https://b.example/one", "https://c.example/*"])["CIMDPolicy"]
    assert second["CacheDuration"] == 172800
    listed = idp.list_cimd_policies(UserPoolId=pool)["CIMDPolicies"]
    assert [p["CIMDPolicyId"] for p in listed] == [site["policy"], second["CIMDPolicyId"]]
    assert "URLPatterns" not in listed[0] and listed[0]["PolicyName"] == "tools policy"
    page = idp.list_cimd_policies(UserPoolId=pool, MaxResults=1)
    assert [p["CIMDPolicyId"] for p in page["CIMDPolicies"]] == [site["policy"]]
    rest = idp.list_cimd_policies(UserPoolId=pool, MaxResults=1, NextToken=page["NextToken"])
    assert [p["CIMDPolicyId"] for p in rest["CIMDPolicies"]] == [second["CIMDPolicyId"]]
    assert "NextToken" not in rest

    updated = idp.update_cimd_policy(UserPoolId=pool, CIMDPolicyId=second["CIMDPolicyId"], ClientId=client,
                                     URLPatterns=["https://d.example/x"])["CIMDPolicy"]
    assert updated["PolicyName"] == "second" and updated["CacheDuration"] == 172800
    assert updated["URLPatterns"] == ["https://d.example/x"]
    assert updated["LastModifiedDate"] >= updated["CreationDate"]

    idp.delete_cimd_policy(UserPoolId=pool, CIMDPolicyId=second["CIMDPolicyId"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.describe_cimd_policy(UserPoolId=pool, CIMDPolicyId=second["CIMDPolicyId"])
    assert error_code(e)[0] == "ResourceNotFoundException"
    assert [p["CIMDPolicyId"] for p in idp.list_cimd_policies(UserPoolId=pool)["CIMDPolicies"]] == [site["policy"]]


def test_policy_input_is_held_to_the_model(site):
    """URLPatternType is ^https://[!$-;=@-\\[\\]_a-z~]+$ (no query, no fragment), 1 to 5 of them;
    CacheDurationType is 86400..31556952; the client must be the pool's (ResourceNotFound).
    boto3 checks ranges and lengths itself, so its own checks are turned off to reach cognate's."""
    pool, client = site["pool"], site["client"]
    idp = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=site["c"].url,
                       config=botocore.config.Config(parameter_validation=False))
    bad = [
        dict(URLPatterns=["https://a.example/x?y=1"]),
        dict(URLPatterns=["http://a.example/x"]),
        dict(URLPatterns=[f"https://a.example/{i}" for i in range(6)]),
        dict(URLPatterns=[PATTERN], CacheDuration=3600),
        dict(URLPatterns=[PATTERN], CacheDuration=31556953),
    ]
    for extra in bad:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            idp.create_cimd_policy(UserPoolId=pool, ClientId=client, PolicyName="bad", **extra)
        code, message = error_code(e)
        assert code == "InvalidParameterException", (extra, code)
        assert message.startswith("1 validation error detected: Value"), message
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.create_cimd_policy(UserPoolId=pool, ClientId="nosuchclient", PolicyName="x", URLPatterns=[PATTERN])
    assert error_code(e)[0] == "ResourceNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.describe_cimd_policy(UserPoolId=pool, CIMDPolicyId="nosuchpolicy")
    assert error_code(e)[0] == "ResourceNotFoundException"
    assert len(idp.list_cimd_policies(UserPoolId=pool)["CIMDPolicies"]) == 1


def test_a_policy_outlives_its_client_without_a_client_id(site):
    """CIMDPolicyType.ClientId: "Amazon Cognito omits this value when the app client no longer
    exists"; with no app client to act as, the URL client is refused."""
    idp = site["idp"]
    stage(site["c"].url, document=document())
    idp.delete_user_pool_client(UserPoolId=site["pool"], ClientId=site["client"])
    described = idp.describe_cimd_policy(UserPoolId=site["pool"], CIMDPolicyId=site["policy"])["CIMDPolicy"]
    assert "ClientId" not in described
    assert "ClientId" not in idp.list_cimd_policies(UserPoolId=site["pool"])["CIMDPolicies"][0]
    assert error_page(authorize(site, Browser(site["c"].url)))["error"] == "invalid_client"


# --- a URL client signs in -------------------------------------------------------------------

def test_a_url_client_signs_in_and_redeems_its_code_as_a_public_client(site):
    """The guide: Cognito fetches the document during /oauth2/authorize and uses it as the
    client's registration; CIMD clients are public (no secret) and act as the app client their
    policy maps to. The ID token's aud is the URL, as OpenID Connect has it for a relying party
    (UNCONFIRMED for Cognito); the access token is the app client's."""
    stage(site["c"].url, document=document(), cacheControl="max-age=172800")
    code, verifier = sign_in_code(site)
    status, tokens = token(site, grant_type="authorization_code", client_id=DOC_URL, code=code,
                           redirect_uri=APP, code_verifier=verifier)
    assert status == 200, tokens
    id_claims, access_claims = claims(tokens["id_token"]), claims(tokens["access_token"])
    assert id_claims["aud"] == DOC_URL
    assert id_claims["cognito:username"] == "ann"
    assert access_claims["client_id"] == site["client"]
    assert "refresh_token" in tokens

    refreshed_status, refreshed = token(site, grant_type="refresh_token", client_id=DOC_URL,
                                        refresh_token=tokens["refresh_token"])
    assert refreshed_status == 200, refreshed
    assert claims(refreshed["id_token"])["aud"] == DOC_URL

    # The cache: fetched once, kept for the document's own max-age (one day to one year).
    [entry] = cached_urls(site)
    assert entry["URL"] == DOC_URL
    assert (entry["ExpirationDate"] - entry["CachedDate"]).total_seconds() == pytest.approx(172800, abs=1)


def test_what_the_url_client_may_do_is_what_both_allow(site):
    """A grant is allowed only when both the app client and the document allow it: a document
    without refresh_token cannot refresh; client_credentials is never a CIMD grant; a secret is
    refused (public clients); a code is redeemed only by the name it was given to."""
    stage(site["c"].url, document=document(grant_types=["authorization_code"]))
    code, verifier = sign_in_code(site)
    # The app client's own id cannot redeem the URL client's code.
    status, body = token(site, grant_type="authorization_code", client_id=site["client"], code=code,
                         redirect_uri=APP, code_verifier=verifier)
    assert (status, body["error"]) == (400, "invalid_grant")

    code, verifier = sign_in_code(site)
    status, tokens = token(site, grant_type="authorization_code", client_id=DOC_URL, code=code,
                           redirect_uri=APP, code_verifier=verifier)
    assert status == 200, tokens
    status, body = token(site, grant_type="refresh_token", client_id=DOC_URL, refresh_token=tokens["refresh_token"])
    assert (status, body["error"]) == (400, "unauthorized_client")
    status, body = token(site, grant_type="client_credentials", client_id=DOC_URL)
    assert (status, body["error"]) == (400, "unauthorized_client")
    status, body = token(site, grant_type="authorization_code", client_id=DOC_URL, client_secret="s3cret",
                         code="x", redirect_uri=APP)
    assert (status, body["error"]) == (400, "invalid_client")

    # The document's redirect URIs are the registered ones, even where the app client lists more.
    query = error_page(authorize(site, Browser(site["c"].url), redirect_uri="https://other.example/cb"))
    assert query == {"error": "redirect_mismatch", "client_id": DOC_URL}


@pytest.mark.parametrize("case", ["wrong client_id", "secret method", "no redirect", "not found", "not json",
                                  "client_credentials", "not matched", "dot segment", "not staged"])
def test_a_document_that_fails_its_checks_is_refused_and_not_cached(site, case):
    """The draft: the document's client_id equals its URL, a 200 answer only, no shared-secret
    auth method, redirect_uris registered; an AS "MUST NOT cache error responses or invalid
    documents". The URL itself: a policy pattern must admit it, no dot segments. The error page's
    error is invalid_client (UNCONFIRMED)."""
    url, staged = DOC_URL, {"document": document()}
    if case == "wrong client_id":
        staged = {"document": document(client_id="https://tools.example.com/oauth/other.json")}
    elif case == "secret method":
        staged = {"document": document(token_endpoint_auth_method="client_secret_basic")}
    elif case == "no redirect":
        staged = {"document": document(redirect_uris=[])}
    elif case == "not found":
        staged = {"document": document(), "status": 404}
    elif case == "not json":
        staged = {"body": "<html>hello</html>"}
    elif case == "client_credentials":
        staged = {"document": document(grant_types=["client_credentials"])}
    elif case == "not matched":
        url = "https://elsewhere.example/client.json"
        staged = {"document": document(url=url)}
    elif case == "dot segment":
        url = "https://tools.example.com/oauth/../client.json"
        staged = {"document": document(url=url)}
    elif case == "not staged":
        url, staged = "https://tools.example.com/oauth/unstaged.json", None
    if staged is not None:
        stage(site["c"].url, url=url, **staged)
    assert error_page(authorize(site, Browser(site["c"].url), client_id=url))["error"] == "invalid_client"
    assert cached_urls(site) == []


# --- the cache -------------------------------------------------------------------------------

def test_the_cache_is_used_until_it_expires_or_is_invalidated_or_refreshed(site):
    """CacheDuration (or the document's max-age within a day and a year) is how long a document
    is kept; UpdateClientMetadataURLState INVALIDATE drops it and REFRESH fetches it again now
    (a failed refresh keeps the entry: UNCONFIRMED); either on an uncached URL is
    CachedCIMDURLDoesNotExistException."""
    c, idp, pool, policy = site["c"], site["idp"], site["pool"], site["policy"]
    other = "https://other.example/cb"
    stage(c.url, document=document(), cacheControl="max-age=60")  # below a day: CacheDuration counts
    assert authorize(site, Browser(c.url)).status_code == 302
    [entry] = cached_urls(site)
    assert (entry["ExpirationDate"] - entry["CachedDate"]).total_seconds() == pytest.approx(86400, abs=1)

    # The document changes; the cached copy still rules.
    stage(c.url, document=document(redirect_uris=[other]))
    assert error_page(authorize(site, Browser(c.url), redirect_uri=other))["error"] == "redirect_mismatch"

    # REFRESH fetches it now.
    idp.update_client_metadata_url_state(UserPoolId=pool, CIMDPolicyId=policy, URL=DOC_URL, Action="REFRESH")
    r = authorize(site, Browser(c.url), redirect_uri=other)
    assert r.status_code == 302 and "/login" in r.headers["Location"]

    # A refresh whose fetch fails is refused, and the entry stays.
    stage(c.url, document=document(), status=500)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.update_client_metadata_url_state(UserPoolId=pool, CIMDPolicyId=policy, URL=DOC_URL, Action="REFRESH")
    assert error_code(e)[0] == "InvalidParameterException"
    assert [u["URL"] for u in cached_urls(site)] == [DOC_URL]

    # INVALIDATE drops it: the next sign-in fetches, and now fails with the network's answer.
    idp.update_client_metadata_url_state(UserPoolId=pool, CIMDPolicyId=policy, URL=DOC_URL, Action="INVALIDATE")
    assert cached_urls(site) == []
    assert error_page(authorize(site, Browser(c.url)))["error"] == "invalid_client"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.update_client_metadata_url_state(UserPoolId=pool, CIMDPolicyId=policy, URL=DOC_URL, Action="INVALIDATE")
    code, message = error_code(e)
    assert code == "CachedCIMDURLDoesNotExistException"
    assert DOC_URL in message

    # An expired entry is fetched again at the next authorize.
    stage(c.url, document=document())
    assert authorize(site, Browser(c.url)).status_code == 302
    first = cached_urls(site)[0]["CachedDate"]
    stage(c.url, document=document(redirect_uris=[other]))
    c.advance(86400 + 5)
    r = authorize(site, Browser(c.url), redirect_uri=other)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert cached_urls(site)[0]["CachedDate"] > first


def test_deleting_a_policy_drops_its_cache(site):
    idp, pool = site["idp"], site["pool"]
    stage(site["c"].url, document=document())
    assert authorize(site, Browser(site["c"].url)).status_code == 302
    assert len(cached_urls(site)) == 1
    idp.delete_cimd_policy(UserPoolId=pool, CIMDPolicyId=site["policy"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.list_client_metadata_urls(UserPoolId=pool, CIMDPolicyId=site["policy"])
    assert error_code(e)[0] == "ResourceNotFoundException"
    assert error_page(authorize(site, Browser(site["c"].url)))["error"] == "invalid_client"
