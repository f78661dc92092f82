"""The managed login pages' looks through boto3: the classic hosted UI's customization
(SetUICustomization / GetUICustomization, applied by the pages) and managed login branding
styles (docs/fidelity.md, "Managed login")."""

import base64
import re
import urllib.parse
import urllib.request

import botocore.exceptions
import pytest

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
CSS = ".banner-customizable { background-color: #123456; }\n.submitButton-customizable:hover { color: red; }"


def error_of(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def app(idp, domain=None):
    pool = idp.create_user_pool(PoolName="branded")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web", AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"], CallbackURLs=["https://app.example/cb"],
        SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]["ClientId"]
    if domain:
        idp.create_user_pool_domain(UserPoolId=pool, Domain=domain)
    return pool, client


def test_classic_customization_is_stored_returned_and_shown_on_the_pages(idp, cognate_url):
    pool, client = app(idp, domain="branded-login")
    made = idp.set_ui_customization(UserPoolId=pool, ClientId="ALL", CSS=CSS, ImageFile=PNG)["UICustomization"]
    assert (made["UserPoolId"], made["ClientId"], made["CSS"]) == (pool, "ALL", CSS)
    assert made["CSSVersion"].isdigit() and made["ImageUrl"].endswith("/assets/images/image.jpg")
    assert made["CreationDate"] and made["LastModifiedDate"]
    # The logo is served where ImageUrl says.
    with urllib.request.urlopen(made["ImageUrl"]) as r:
        assert (r.headers["Content-Type"], r.read()) == ("image/png", PNG)

    # A client without its own customization gets the pool's; one with its own, its own.
    assert idp.get_ui_customization(UserPoolId=pool, ClientId=client)["UICustomization"]["ClientId"] == "ALL"
    idp.set_ui_customization(UserPoolId=pool, ClientId=client, CSS=".label-customizable { color: green; }")
    own = idp.get_ui_customization(UserPoolId=pool, ClientId=client)["UICustomization"]
    assert (own["ClientId"], own["CSS"], "ImageUrl" in own) == (client, ".label-customizable { color: green; }", False)

    query = urllib.parse.urlencode({"client_id": client, "response_type": "code", "redirect_uri": "https://app.example/cb"})
    with urllib.request.urlopen(f"{cognate_url}/login?{query}") as r:
        html = r.read().decode()
    assert ".label-customizable { color: green; }" in html and "#123456" not in html

    # A client's customization goes with the client; the pool's then applies.
    idp.delete_user_pool_client(UserPoolId=pool, ClientId=client)
    assert idp.get_ui_customization(UserPoolId=pool)["UICustomization"]["ClientId"] == "ALL"


def test_classic_customization_is_refused_as_cognito_refuses_it(idp):
    pool, client = app(idp)
    # The classic pages are served on a domain, so one must exist (hosted-ui-classic-branding).
    assert error_of(lambda: idp.set_ui_customization(UserPoolId=pool, CSS=CSS)) == (
        "InvalidParameterException", "There has to be an existing domain associated with this user pool")
    idp.create_user_pool_domain(UserPoolId=pool, Domain="strict-login")
    for css in ["body { color: red; }", ".banner-customizable { x: y } </style><script>alert(1)</script>",
                "@import url(https://evil.example/x.css);"]:
        assert error_of(lambda: idp.set_ui_customization(UserPoolId=pool, CSS=css))[0] == "InvalidParameterException"
    assert error_of(lambda: idp.set_ui_customization(UserPoolId=pool, ImageFile=b"GIF89a not a png"))[0] == (
        "InvalidParameterException")
    assert error_of(lambda: idp.set_ui_customization(UserPoolId=pool, ClientId="nosuchclient", CSS=CSS)) == (
        "ResourceNotFoundException", "User pool client nosuchclient does not exist.")
    # Nothing was stored: "an empty object" (API reference).
    assert idp.get_ui_customization(UserPoolId=pool, ClientId=client)["UICustomization"] == {}


def test_managed_login_branding_styles(idp):
    pool, client = app(idp)
    settings = {"components": {"primaryButton": {"lightMode": {"defaults": {"backgroundColor": "0972d3ff"}}}}}
    asset = {"Category": "PAGE_HEADER_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": PNG}
    made = idp.create_managed_login_branding(UserPoolId=pool, ClientId=client, Settings=settings,
                                             Assets=[asset])["ManagedLoginBranding"]
    style = made["ManagedLoginBrandingId"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", style)
    assert (made["UserPoolId"], made["UseCognitoProvidedValues"], made["Settings"]) == (pool, False, settings)
    assert [a["Category"] for a in made["Assets"]] == ["PAGE_HEADER_LOGO"]

    by_client = idp.describe_managed_login_branding_by_client(UserPoolId=pool, ClientId=client)
    assert by_client["ManagedLoginBranding"]["ManagedLoginBrandingId"] == style
    assert idp.describe_managed_login_branding(
        UserPoolId=pool, ManagedLoginBrandingId=style)["ManagedLoginBranding"]["Settings"] == settings
    # One style per client.
    assert error_of(lambda: idp.create_managed_login_branding(UserPoolId=pool, ClientId=client,
                                                              UseCognitoProvidedValues=True))[0] == (
        "ManagedLoginBrandingExistsException")

    # An update keeps the settings it does not name; Cognito's defaults drop them all.
    more = {"categories": {"form": {"displayGraphics": True}}}
    updated = idp.update_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style,
                                                Settings=more)["ManagedLoginBranding"]
    assert updated["Settings"] == {**settings, **more}
    reset = idp.update_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style,
                                              UseCognitoProvidedValues=True)["ManagedLoginBranding"]
    # "Settings is omitted when the caller supplied none, while Assets is always returned"
    # (floci-io/floci#2869, measured against Cognito).
    assert reset["UseCognitoProvidedValues"] is True and "Settings" not in reset and reset["Assets"] == []
    assert error_of(lambda: idp.create_managed_login_branding(
        UserPoolId=pool, ClientId=client, UseCognitoProvidedValues=True, Settings=settings))[0] == (
        "InvalidParameterException")

    idp.delete_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style)
    # A client with no style is not found (hashicorp/terraform-provider-aws#45044).
    assert error_of(lambda: idp.describe_managed_login_branding_by_client(UserPoolId=pool, ClientId=client))[0] == (
        "ResourceNotFoundException")
    assert error_of(lambda: idp.delete_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style))[0] == (
        "ResourceNotFoundException")
