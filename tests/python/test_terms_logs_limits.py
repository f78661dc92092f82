"""Terms documents, log delivery configuration and provisioned limits, driven through boto3 as an
app's backend or its infrastructure code would.

Facts about AWS come from docs/research/newest-operations.md ("note §N" below; it names its own
sources: the botocore model, the API reference, the developer guide and floci's live
measurements). Where the note marks a behaviour UNCONFIRMED and cognate made a choice of its
own, the test says so.
"""

import datetime
import html.parser
import re
import urllib.parse

import pytest
import requests
from botocore.exceptions import ClientError

APP = "https://app.example/callback"
UUID4 = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$")
TERMS_URL = "https://example.com/terms"
PRIVACY_URL = "https://example.com/privacy"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito/x"
BUCKET = "arn:aws:s3:::my-bucket"


def error_of(call, *args, **kwargs):
    """The (code, message) a boto3 user sees for a refused call."""
    with pytest.raises(ClientError) as e:
        call(*args, **kwargs)
    return e.value.response["Error"]["Code"], e.value.response["Error"].get("Message")


def pool_and_client(idp, name="terms", **pool_args):
    pool = idp.create_user_pool(PoolName=name, **pool_args)["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="web")["UserPoolClient"]["ClientId"]
    return pool, client


def create_terms(idp, pool, client, name="terms-of-use", links=None):
    return idp.create_terms(
        UserPoolId=pool, ClientId=client, TermsName=name, TermsSource="LINK", Enforcement="NONE",
        Links=links or {"cognito:default": TERMS_URL},
    )["Terms"]


# --- 2. terms documents ----------------------------------------------------------------------

TERMS_FIELDS = {"TermsId", "UserPoolId", "ClientId", "TermsName", "TermsSource", "Enforcement", "Links",
                "CreationDate", "LastModifiedDate"}


def test_create_describe_and_describe_by_client(idp):
    """note §2.2: TermsIdType is a UUIDv4; TermsType has every member required; a client's
    document is found by its name (DescribeTermsByClient)."""
    pool, client = pool_and_client(idp)
    terms = create_terms(idp, pool, client)
    assert set(terms) == TERMS_FIELDS
    assert UUID4.match(terms["TermsId"]), terms["TermsId"]
    assert terms["UserPoolId"] == pool and terms["ClientId"] == client
    assert terms["TermsName"] == "terms-of-use"
    assert terms["TermsSource"] == "LINK" and terms["Enforcement"] == "NONE"
    assert terms["Links"] == {"cognito:default": TERMS_URL}
    assert isinstance(terms["CreationDate"], datetime.datetime)
    assert isinstance(terms["LastModifiedDate"], datetime.datetime)

    described = idp.describe_terms(UserPoolId=pool, TermsId=terms["TermsId"])["Terms"]
    assert described == terms
    by_client = idp.describe_terms_by_client(UserPoolId=pool, ClientId=client, TermsName="terms-of-use")["Terms"]
    assert by_client == terms

    # The client has no privacy policy (yet): ResourceNotFound (note §2.2, inferred).
    code, _ = error_of(idp.describe_terms_by_client, UserPoolId=pool, ClientId=client, TermsName="privacy-policy")
    assert code == "ResourceNotFoundException"


def test_names_are_unique_per_client(idp):
    """note §2.2: "Terms document names must be unique to the app client" (TermsExistsException);
    another client of the pool may hold a document of the same name."""
    pool, client = pool_and_client(idp)
    create_terms(idp, pool, client)
    code, _ = error_of(create_terms, idp, pool, client)
    assert code == "TermsExistsException"

    other = idp.create_user_pool_client(UserPoolId=pool, ClientName="other")["UserPoolClient"]["ClientId"]
    theirs = create_terms(idp, pool, other)
    assert theirs["ClientId"] == other and theirs["TermsName"] == "terms-of-use"
    # Both kinds on one client are fine too.
    policy = create_terms(idp, pool, client, "privacy-policy", {"cognito:default": PRIVACY_URL})
    assert policy["TermsName"] == "privacy-policy"


def test_list_terms_items_and_paging(idp):
    """note §2.2: the ListTerms item (TermsDescriptionType) carries only TermsId, TermsName,
    Enforcement, CreationDate, LastModifiedDate; MaxResults/NextToken page the list."""
    pool, client = pool_and_client(idp)
    clients = [client] + [
        idp.create_user_pool_client(UserPoolId=pool, ClientName=f"c{i}")["UserPoolClient"]["ClientId"]
        for i in range(2)
    ]
    made = {}
    for c in clients:
        for name in ("terms-of-use", "privacy-policy"):
            t = create_terms(idp, pool, c, name)
            made[t["TermsId"]] = t
    assert len(made) == 6

    everything = idp.list_terms(UserPoolId=pool)
    assert "NextToken" not in everything
    assert {t["TermsId"] for t in everything["Terms"]} == set(made)
    for item in everything["Terms"]:
        assert set(item) == {"TermsId", "TermsName", "Enforcement", "CreationDate", "LastModifiedDate"}, item
        full = made[item["TermsId"]]
        assert item["TermsName"] == full["TermsName"]
        assert item["Enforcement"] == "NONE"
        assert item["CreationDate"] == full["CreationDate"]
        assert item["LastModifiedDate"] == full["LastModifiedDate"]

    seen, token, pages = [], None, 0
    while True:
        kw = {"NextToken": token} if token else {}
        page = idp.list_terms(UserPoolId=pool, MaxResults=4, **kw)
        pages += 1
        assert len(page["Terms"]) <= 4
        seen += [t["TermsId"] for t in page["Terms"]]
        token = page.get("NextToken")
        if not token:
            break
        assert pages < 10
    assert pages == 2
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


def test_update_changes_only_what_it_names(idp):
    """note §2.3: UpdateTerms is a partial update and bumps LastModifiedDate; a rename onto a
    name the client already holds is TermsExistsException (note §2.2)."""
    pool, client = pool_and_client(idp)
    terms = create_terms(idp, pool, client)
    links = {"cognito:default": "https://example.com/terms-v2", "cognito:french": "https://example.com/fr/terms"}
    updated = idp.update_terms(UserPoolId=pool, TermsId=terms["TermsId"], Links=links)["Terms"]
    assert updated["Links"] == links
    for field in TERMS_FIELDS - {"Links", "LastModifiedDate"}:
        assert updated[field] == terms[field], field
    assert updated["LastModifiedDate"] >= terms["LastModifiedDate"]
    assert idp.describe_terms(UserPoolId=pool, TermsId=terms["TermsId"])["Terms"] == updated

    policy = create_terms(idp, pool, client, "privacy-policy", {"cognito:default": PRIVACY_URL})
    code, _ = error_of(idp.update_terms, UserPoolId=pool, TermsId=policy["TermsId"], TermsName="terms-of-use")
    assert code == "TermsExistsException"
    # The refused rename changed nothing.
    assert idp.describe_terms(UserPoolId=pool, TermsId=policy["TermsId"])["Terms"] == policy


def test_bad_name_and_unknown_ids(idp):
    """note §2.2: TermsNameType's pattern is ^(terms-of-use|privacy-policy)$, so 'eula' fails
    validation (InvalidParameterException); an unknown TermsId is ResourceNotFound."""
    pool, client = pool_and_client(idp)
    code, message = error_of(create_terms, idp, pool, client, "eula")
    assert code == "InvalidParameterException"
    # The validation text's form (note §0): lowerCamel member path.
    assert message == ("1 validation error detected: Value 'eula' at 'termsName' failed to satisfy constraint: "
                       "Member must satisfy regular expression pattern: ^(terms-of-use|privacy-policy)$")
    # A language key outside LanguageIdType's pattern fails the same way.
    code, message = error_of(create_terms, idp, pool, client, links={"cognito:klingon": TERMS_URL})
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected: ") and "'links'" in message
    assert idp.list_terms(UserPoolId=pool)["Terms"] == []

    unknown = "0f8fad5b-d9cb-469f-a165-70867728950e"
    for call in (idp.describe_terms, idp.delete_terms):
        code, _ = error_of(call, UserPoolId=pool, TermsId=unknown)
        assert code == "ResourceNotFoundException", call
    code, _ = error_of(idp.update_terms, UserPoolId=pool, TermsId=unknown, Links={"cognito:default": TERMS_URL})
    assert code == "ResourceNotFoundException"

    # An unknown client: ResourceNotFound (note §2.3).
    code, _ = error_of(create_terms, idp, pool, "1example23456789example")
    assert code == "ResourceNotFoundException"


def test_delete_terms_and_deleting_the_client_drops_its_terms(idp):
    """DeleteTerms then DescribeTerms: ResourceNotFound. Deleting the app client drops its
    documents (note §2.3: cognate's choice; AWS is UNCONFIRMED)."""
    pool, client = pool_and_client(idp)
    terms = create_terms(idp, pool, client)
    assert idp.delete_terms(UserPoolId=pool, TermsId=terms["TermsId"])["ResponseMetadata"]["HTTPStatusCode"] == 200
    code, _ = error_of(idp.describe_terms, UserPoolId=pool, TermsId=terms["TermsId"])
    assert code == "ResourceNotFoundException"
    assert idp.list_terms(UserPoolId=pool)["Terms"] == []

    create_terms(idp, pool, client)
    create_terms(idp, pool, client, "privacy-policy", {"cognito:default": PRIVACY_URL})
    assert len(idp.list_terms(UserPoolId=pool)["Terms"]) == 2
    idp.delete_user_pool_client(UserPoolId=pool, ClientId=client)
    assert idp.list_terms(UserPoolId=pool)["Terms"] == []


# --- the managed login sign-up page ----------------------------------------------------------

class _Links(html.parser.HTMLParser):
    """Every <a> of a page: its attributes, hrefs html-unescaped as a browser reads them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.anchors.append(dict(attrs))


def _parsed(text):
    parser = _Links()
    parser.feed(text)
    return parser.anchors


def anchor(text, element_id):
    found = [a for a in _parsed(text) if a.get("id") == element_id]
    return found[0] if found else None


def hosted_client(idp):
    """A pool with a prefix domain and a code-flow client (as test_managed_login.py's)."""
    pool = idp.create_user_pool(PoolName="hosted")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web", CallbackURLs=[APP], AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"], AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    idp.create_user_pool_domain(UserPoolId=pool, Domain="termslogin")
    return pool, client


def sign_up_page(cognate_url, client):
    """The sign-up page on the pool's domain host (<prefix>.auth.<region>.localhost:PORT)."""
    host = f"termslogin.auth.us-east-1.localhost:{urllib.parse.urlsplit(cognate_url).port}"
    r = requests.get(
        f"{cognate_url}/signup",
        params={"client_id": client, "response_type": "code", "redirect_uri": APP, "scope": "openid email"},
        headers={"Host": host}, allow_redirects=False,
    )
    assert r.status_code == 200, (r.status_code, r.headers.get("Location"), r.text[:1000])
    assert 'name="signupform"' in r.text
    return r.text


def test_sign_up_page_shows_the_links_only_with_both_documents(idp, cognate_url):
    """CreateTerms (note §2.2): once a client has both documents with a link in at least one
    language, managed login's sign-up page links to them; with one of them, it does not."""
    pool, client = hosted_client(idp)
    assert 'id="termsOfUse"' not in sign_up_page(cognate_url, client)

    create_terms(idp, pool, client)
    page = sign_up_page(cognate_url, client)
    assert 'id="termsOfUse"' not in page and 'id="privacyPolicy"' not in page

    create_terms(idp, pool, client, "privacy-policy", {"cognito:default": PRIVACY_URL})
    page = sign_up_page(cognate_url, client)
    assert anchor(page, "termsOfUse")["href"] == TERMS_URL
    assert anchor(page, "privacyPolicy")["href"] == PRIVACY_URL

    # The page is in English (cognate's choice): a cognito:english link wins over the default.
    terms = idp.describe_terms_by_client(UserPoolId=pool, ClientId=client, TermsName="terms-of-use")["Terms"]
    idp.update_terms(UserPoolId=pool, TermsId=terms["TermsId"],
                     Links={"cognito:default": TERMS_URL, "cognito:english": "https://example.com/en/terms"})
    page = sign_up_page(cognate_url, client)
    assert anchor(page, "termsOfUse")["href"] == "https://example.com/en/terms"
    assert anchor(page, "privacyPolicy")["href"] == PRIVACY_URL


def test_sign_up_page_never_links_to_a_javascript_url(idp, cognate_url):
    """LinkUrlType accepts any printable text (note §2.2), so a document may hold a
    'javascript:' link; the page links only to web addresses (cognate's choice)."""
    pool, client = hosted_client(idp)
    create_terms(idp, pool, client, links={"cognito:default": "javascript:alert(1)"})
    create_terms(idp, pool, client, "privacy-policy", {"cognito:default": PRIVACY_URL})
    page = sign_up_page(cognate_url, client)
    assert "javascript:alert(1)" not in page
    assert anchor(page, "termsOfUse") is None
    assert all(not (a.get("href") or "").lower().startswith("javascript:") for a in _parsed(page))


# --- 7. log delivery -------------------------------------------------------------------------

NOTIFICATION_ERRORS = {"LogLevel": "ERROR", "EventSource": "userNotification",
                       "CloudWatchLogsConfiguration": {"LogGroupArn": LOG_GROUP}}


def test_log_delivery_get_set_and_clear(idp):
    """note §7.2: Get before any Set answers {UserPoolId, LogConfigurations: []}; Set replaces
    the list and echoes it; [] clears it."""
    pool = idp.create_user_pool(PoolName="logs")["UserPool"]["Id"]
    got = idp.get_log_delivery_configuration(UserPoolId=pool)["LogDeliveryConfiguration"]
    assert got == {"UserPoolId": pool, "LogConfigurations": []}

    answer = idp.set_log_delivery_configuration(UserPoolId=pool, LogConfigurations=[NOTIFICATION_ERRORS])
    expected = {"UserPoolId": pool, "LogConfigurations": [NOTIFICATION_ERRORS]}
    assert answer["LogDeliveryConfiguration"] == expected
    assert idp.get_log_delivery_configuration(UserPoolId=pool)["LogDeliveryConfiguration"] == expected

    cleared = idp.set_log_delivery_configuration(UserPoolId=pool, LogConfigurations=[])
    assert cleared["LogDeliveryConfiguration"] == {"UserPoolId": pool, "LogConfigurations": []}
    got = idp.get_log_delivery_configuration(UserPoolId=pool)["LogDeliveryConfiguration"]
    assert got == {"UserPoolId": pool, "LogConfigurations": []}


def test_log_delivery_refusals_leave_the_configuration_alone(idp):
    """note §7.2, texts measured live by floci: no destination, and a source named twice
    ("more then" is Cognito's spelling). A refused request leaves the stored list as it was."""
    pool = idp.create_user_pool(PoolName="logs")["UserPool"]["Id"]
    idp.set_log_delivery_configuration(UserPoolId=pool, LogConfigurations=[NOTIFICATION_ERRORS])

    code, message = error_of(idp.set_log_delivery_configuration, UserPoolId=pool,
                             LogConfigurations=[{"LogLevel": "ERROR", "EventSource": "userNotification"}])
    assert code == "InvalidParameterException"
    assert message == ("Request validation Failed. Following event sources in request have no destination: "
                       "[userNotification].")

    code, message = error_of(idp.set_log_delivery_configuration, UserPoolId=pool,
                             LogConfigurations=[NOTIFICATION_ERRORS, NOTIFICATION_ERRORS])
    assert code == "InvalidParameterException"
    assert message == ("Request validation Failed. Following event sources appear more then once in a request: "
                       "[userNotification].")

    got = idp.get_log_delivery_configuration(UserPoolId=pool)["LogDeliveryConfiguration"]
    assert got == {"UserPoolId": pool, "LogConfigurations": [NOTIFICATION_ERRORS]}


def test_log_delivery_tier_and_level_rules(idp):
    """note §7.2/§7.3: userAuthEvents needs the Plus plan (FeatureUnavailableInTier) and INFO,
    to any destination (S3 here); userNotification takes ERROR only (InvalidParameter)."""
    auth_events = {"LogLevel": "INFO", "EventSource": "userAuthEvents", "S3Configuration": {"BucketArn": BUCKET}}
    notification_info = {**NOTIFICATION_ERRORS, "LogLevel": "INFO"}

    essentials = idp.create_user_pool(PoolName="essentials")["UserPool"]["Id"]
    code, _ = error_of(idp.set_log_delivery_configuration, UserPoolId=essentials, LogConfigurations=[auth_events])
    assert code == "FeatureUnavailableInTierException"
    code, _ = error_of(idp.set_log_delivery_configuration, UserPoolId=essentials,
                       LogConfigurations=[notification_info])
    assert code == "InvalidParameterException"
    got = idp.get_log_delivery_configuration(UserPoolId=essentials)["LogDeliveryConfiguration"]
    assert got["LogConfigurations"] == []

    plus = idp.create_user_pool(PoolName="plus", UserPoolTier="PLUS")["UserPool"]
    assert plus["UserPoolTier"] == "PLUS"
    plus = plus["Id"]
    answer = idp.set_log_delivery_configuration(UserPoolId=plus, LogConfigurations=[auth_events])
    assert answer["LogDeliveryConfiguration"] == {"UserPoolId": plus, "LogConfigurations": [auth_events]}
    assert idp.get_log_delivery_configuration(UserPoolId=plus)["LogDeliveryConfiguration"]["LogConfigurations"] \
        == [auth_events]
    code, _ = error_of(idp.set_log_delivery_configuration, UserPoolId=plus, LogConfigurations=[notification_info])
    assert code == "InvalidParameterException"
    assert idp.get_log_delivery_configuration(UserPoolId=plus)["LogDeliveryConfiguration"]["LogConfigurations"] \
        == [auth_events]
    # Both sources at once on Plus.
    both = idp.set_log_delivery_configuration(UserPoolId=plus, LogConfigurations=[NOTIFICATION_ERRORS, auth_events])
    assert both["LogDeliveryConfiguration"]["LogConfigurations"] == [NOTIFICATION_ERRORS, auth_events]


# --- 6. provisioned limits -------------------------------------------------------------------

def definition(category):
    return {"LimitClass": "API_CATEGORY", "Attributes": {"Category": category}}


@pytest.fixture
def reset_user_authentication(idp):
    """Limits are the account's, not a pool's: put UserAuthentication back to its default."""
    yield
    idp.update_provisioned_limit(LimitDefinition=definition("UserAuthentication"), RequestedLimitValue=120)


def test_provisioned_limits(idp, reset_user_authentication):
    """note §6.2 (DevGuide quotas, "Managing provisioned limits"): UserAuthentication starts at
    120/120; an update to 300 answers 300/120 at once; values below the default and
    non-adjustable or unknown categories are refused (InvalidParameter: note §6.3, AWS
    UNCONFIRMED); above the account's maximum is ServiceQuotaExceeded (cognate takes 10x the
    default as that maximum, its own choice)."""
    auth = definition("UserAuthentication")
    limit = idp.get_provisioned_limit(LimitDefinition=auth)["Limit"]
    assert limit == {"LimitDefinition": auth, "ProvisionedLimitValue": 120, "FreeLimitValue": 120}

    limit = idp.update_provisioned_limit(LimitDefinition=auth, RequestedLimitValue=300)["Limit"]
    assert limit == {"LimitDefinition": auth, "ProvisionedLimitValue": 300, "FreeLimitValue": 120}
    limit = idp.get_provisioned_limit(LimitDefinition=auth)["Limit"]
    assert limit == {"LimitDefinition": auth, "ProvisionedLimitValue": 300, "FreeLimitValue": 120}

    code, _ = error_of(idp.update_provisioned_limit, LimitDefinition=auth, RequestedLimitValue=100)
    assert code == "InvalidParameterException"
    code, _ = error_of(idp.update_provisioned_limit, LimitDefinition=definition("UserAccountRecovery"),
                       RequestedLimitValue=60)
    assert code == "InvalidParameterException"
    code, _ = error_of(idp.update_provisioned_limit, LimitDefinition=definition("NoSuchCategory"),
                       RequestedLimitValue=200)
    assert code == "InvalidParameterException"
    code, _ = error_of(idp.get_provisioned_limit, LimitDefinition=definition("NoSuchCategory"))
    assert code == "InvalidParameterException"
    code, _ = error_of(idp.update_provisioned_limit, LimitDefinition=auth, RequestedLimitValue=1201)
    assert code == "ServiceQuotaExceededException"

    # The refusals left the provisioned value alone; 10x the default is still allowed.
    assert idp.get_provisioned_limit(LimitDefinition=auth)["Limit"]["ProvisionedLimitValue"] == 300
    assert idp.update_provisioned_limit(LimitDefinition=auth, RequestedLimitValue=1200)["Limit"][
        "ProvisionedLimitValue"] == 1200
    # Back to the default is allowed (billing stops).
    limit = idp.update_provisioned_limit(LimitDefinition=auth, RequestedLimitValue=120)["Limit"]
    assert limit == {"LimitDefinition": auth, "ProvisionedLimitValue": 120, "FreeLimitValue": 120}
