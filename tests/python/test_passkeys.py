"""Passkeys (WebAuthn) through boto3, with python-fido2 and `cryptography` playing the
authenticator: StartWebAuthnRegistration's options, CompleteWebAuthnRegistration's checks of
the ceremony, ListWebAuthnCredentials and DeleteWebAuthnCredential, and the WEB_AUTHN sign-in
challenge of USER_AUTH with its refusals and the lockout.

Sources are cited as in docs/research/user-auth-passkeys.md ("note §N"): [M] the botocore
model, [DG-flows] the developer guide's "Authentication flows" page, [W2]
shared/reference/cognito-wave2.md §2.3. Where the note marks a fact unconfirmed, the test says
so and holds cognate to its documented choice (docs/fidelity.md, "Passkeys").

WebAuthn layout: W3C Web Authentication Level 2, §6.1 (authenticator data: rpIdHash, flags
UP 0x01 / UV 0x04 / AT 0x40, signCount), §7.1 (registration), §7.2 (assertion), §8.2 (packed
self attestation: `sig` over authenticatorData || SHA-256(clientDataJSON)).

Tests that move the clock run against a cognate of this module's own (`own_cognate`), as
test_identity_pools.py does: `/moto-api/reset` forgets state but not the clock.
"""

import base64
import datetime
import hashlib
import json
import os
import re
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from fido2.cose import ES256, RS256, EdDSA
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
    websafe_decode,
    websafe_encode,
)


REGION = "us-east-1"
RP = "app.example.com"
ORIGIN = f"https://{RP}"
PASSWORD = "Passw0rd!ok"
FLAG = AuthenticatorData.FLAG
B64URL_16 = re.compile(r"[A-Za-z0-9_-]{22}")  # 16 bytes, base64url without padding


def sha256(data):
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode()).digest()


def refused(call, **kwargs):
    """The (Code, Message) a call is refused with."""
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


# --- the authenticator -----------------------------------------------------------------------


class Passkey:
    """One credential of an authenticator: its key pair, its id, and what it signs."""

    def __init__(self, alg=ES256):
        self.alg = alg
        if alg is ES256:
            self.key = ec.generate_private_key(ec.SECP256R1())
        elif alg is RS256:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif alg is EdDSA:
            self.key = ed25519.Ed25519PrivateKey.generate()
        else:
            raise ValueError(alg)
        self.cose = alg.from_cryptography_key(self.key.public_key())
        self.raw_id = os.urandom(16)
        self.id = websafe_encode(self.raw_id)
        self.user_handle = None

    def sign(self, data):
        if self.alg is ES256:
            return self.key.sign(data, ec.ECDSA(hashes.SHA256()))
        if self.alg is RS256:
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data)

    def registration(self, options, *, fmt="none", origin=ORIGIN, rp_id=None, flags=FLAG.UP | FLAG.UV | FLAG.AT,
                     kind="webauthn.create", challenge=None, attachment="cross-platform",
                     transports=("usb", "nfc"), signer=None):
        """The RegistrationResponseJSON a browser hands back for `options` (CredentialCreationOptions)."""
        self.user_handle = options["user"]["id"]
        client_data = bytes(CollectedClientData.create(kind, challenge or options["challenge"], origin))
        attested = AttestedCredentialData.create(Aaguid(bytes(16)), self.raw_id, self.cose)
        auth_data = AuthenticatorData.create(sha256(rp_id or options["rp"]["id"]), flags, 0, attested)
        statement = {}
        if fmt == "packed":
            # Self attestation (§8.2): the credential's own key signs authData || hash(clientData).
            statement = {"alg": self.alg.ALGORITHM,
                         "sig": (signer or self).sign(bytes(auth_data) + sha256(client_data))}
        attestation = AttestationObject.create(fmt, auth_data, statement)
        return {
            "id": self.id, "rawId": self.id, "type": "public-key", "clientExtensionResults": {},
            "authenticatorAttachment": attachment,
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(bytes(attestation)),
                "transports": list(transports),
            },
        }

    def assertion(self, options, counter=0, *, origin=ORIGIN, rp_id=None, flags=FLAG.UP | FLAG.UV,
                  kind="webauthn.get", challenge=None, signer=None, tamper=None, user_handle=True):
        """The AuthenticationResponseJSON, as the JSON string Amplify sends as CREDENTIAL [W2],
        for `options` (CREDENTIAL_REQUEST_OPTIONS, parsed)."""
        client_data = bytes(CollectedClientData.create(kind, challenge or options["challenge"], origin))
        auth_data = bytes(AuthenticatorData.create(sha256(rp_id or options["rpId"]), flags, counter))
        signature = (signer or self).sign(auth_data + sha256(client_data))
        if tamper:
            auth_data = tamper(auth_data)
        response = {"clientDataJSON": websafe_encode(client_data), "authenticatorData": websafe_encode(auth_data),
                    "signature": websafe_encode(signature)}
        if user_handle and self.user_handle:
            response["userHandle"] = self.user_handle
        return json.dumps({"id": self.id, "rawId": self.id, "type": "public-key", "clientExtensionResults": {},
                           "authenticatorAttachment": "cross-platform", "response": response})


# --- pools, users and sign-ins ---------------------------------------------------------------


class PasskeyPool:
    """A pool whose sign-in policy allows `factors`, with WebAuthnConfiguration `web_authn`
    (None: none set) and a USER_AUTH app client."""

    def __init__(self, idp, *, factors=("PASSWORD", "WEB_AUTHN"), web_authn=None):
        if web_authn is None:
            web_authn = {"RelyingPartyId": RP}
        self.idp = idp
        self.id = idp.create_user_pool(
            PoolName="passkeys", Policies={"SignInPolicy": {"AllowedFirstAuthFactors": list(factors)}},
        )["UserPool"]["Id"]
        if web_authn:
            idp.set_user_pool_mfa_config(UserPoolId=self.id, MfaConfiguration="OFF", WebAuthnConfiguration=web_authn)
        self.client = self.add_client()

    def add_client(self, name="web"):
        return self.idp.create_user_pool_client(
            UserPoolId=self.id, ClientName=name,
            ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]

    def add_user(self, name):
        """A confirmed user with a password; answers their access token (from `self.client`)."""
        self.idp.admin_create_user(UserPoolId=self.id, Username=name, MessageAction="SUPPRESS")
        self.idp.admin_set_user_password(UserPoolId=self.id, Username=name, Password=PASSWORD, Permanent=True)
        return self.token(name)

    def token(self, name, client=None):
        return self.idp.initiate_auth(
            ClientId=client or self.client, AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": name, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
        )["AuthenticationResult"]["AccessToken"]

    def sub(self, name):
        attrs = self.idp.admin_get_user(UserPoolId=self.id, Username=name)["UserAttributes"]
        return next(a["Value"] for a in attrs if a["Name"] == "sub")

    def start(self, token):
        return self.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]

    def register(self, token, passkey=None, **kw):
        passkey = passkey or Passkey()
        options = self.start(token)
        self.idp.complete_web_authn_registration(AccessToken=token, Credential=passkey.registration(options, **kw))
        return passkey

    def credentials(self, token):
        return self.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]

    def web_authn(self, name):
        """InitiateAuth USER_AUTH asking for WEB_AUTHN: the response, and the request options parsed."""
        r = self.idp.initiate_auth(ClientId=self.client, AuthFlow="USER_AUTH",
                                   AuthParameters={"USERNAME": name, "PREFERRED_CHALLENGE": "WEB_AUTHN"})
        assert r["ChallengeName"] == "WEB_AUTHN", r
        return r, json.loads(r["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])

    def answer(self, name, session, credential):
        return self.idp.respond_to_auth_challenge(
            ClientId=self.client, ChallengeName="WEB_AUTHN", Session=session,
            ChallengeResponses={"USERNAME": name, "CREDENTIAL": credential})

    def signs_in(self, name, session, credential):
        """The answer gives tokens, and they are `name`'s."""
        result = self.answer(name, session, credential)["AuthenticationResult"]
        assert self.idp.get_user(AccessToken=result["AccessToken"])["Username"] == name
        return result


@pytest.fixture
def alice(idp):
    """A pool with relying party RP, and alice holding one ES256 passkey: (pool, token, passkey)."""
    pool = PasskeyPool(idp)
    token = pool.add_user("alice")
    return pool, token, pool.register(token)


def clock(url):
    with urllib.request.urlopen(url + "/_cognate/clock") as r:
        return json.load(r)["now"]


# --- a cognate of this module's own, whose clock the tests may move ---------------------------


# =============================================================================================
# 1. StartWebAuthnRegistration


def test_the_creation_options_are_a_json_object_of_cognitos_shape(idp):
    """[M]: CredentialCreationOptions is a JSON object (a document, not a string). Its members are
    those of the CLI's example [W2; note §8]: no `attestation`; excludeCredentials items {id,type};
    ES256 and RS256; rp.name == rp.id; user.id the base64url of the sub (Amplify's mock data
    [W2]), name and displayName the username; timeout 60000. The 16-byte challenge is inferred
    from a real clientDataJSON (aws/aws-sdk-net#4386, note §8)."""
    pool = PasskeyPool(idp)
    token = pool.add_user("alice")
    options = pool.start(token)
    assert isinstance(options, dict)
    assert sorted(options) == ["authenticatorSelection", "challenge", "excludeCredentials", "pubKeyCredParams",
                               "rp", "timeout", "user"]
    assert options["authenticatorSelection"] == {
        "requireResidentKey": True, "residentKey": "required", "userVerification": "preferred"}
    assert B64URL_16.fullmatch(options["challenge"]) and len(websafe_decode(options["challenge"])) == 16
    assert options["excludeCredentials"] == []
    assert options["pubKeyCredParams"] == [{"alg": -7, "type": "public-key"}, {"alg": -257, "type": "public-key"}]
    assert options["rp"] == {"id": RP, "name": RP}
    assert options["timeout"] == 60000
    sub = pool.sub("alice")
    assert options["user"] == {"id": base64.urlsafe_b64encode(sub.encode()).decode().rstrip("="),
                               "name": "alice", "displayName": "alice"}
    assert websafe_decode(options["user"]["id"]).decode() == sub
    # Each start is a new challenge.
    assert pool.start(token)["challenge"] != options["challenge"]


def test_exclude_credentials_lists_the_users_passkeys(idp):
    """excludeCredentials holds {id, type} for each of the user's passkeys, no transports (the
    CLI's example, note §8), so the browser will not register the same authenticator twice."""
    pool = PasskeyPool(idp)
    token = pool.add_user("alice")
    first, second = pool.register(token), pool.register(token, Passkey(RS256))
    bob = pool.add_user("bob")
    pool.register(bob)
    exclude = pool.start(token)["excludeCredentials"]
    assert sorted(exclude, key=lambda c: c["id"]) == sorted(
        [{"id": first.id, "type": "public-key"}, {"id": second.id, "type": "public-key"}], key=lambda c: c["id"])


def test_user_verification_follows_the_pool(idp):
    """authenticatorSelection.userVerification is WebAuthnConfiguration's UserVerification,
    `preferred` by default [DG-flows; W2]."""
    required = PasskeyPool(idp, web_authn={"RelyingPartyId": RP, "UserVerification": "required"})
    options = required.start(required.add_user("alice"))
    assert options["authenticatorSelection"]["userVerification"] == "required"
    preferred = PasskeyPool(idp, web_authn={"RelyingPartyId": RP, "UserVerification": "preferred"})
    assert preferred.start(preferred.add_user("alice"))["authenticatorSelection"]["userVerification"] == "preferred"


def test_without_a_relying_party_id_the_pools_domain_is_the_relying_party(idp):
    """[DG-flows] (note §8): without a RelyingPartyId, the prefix domain's FQDN
    `<prefix>.auth.<region>.amazoncognito.com`, or the custom domain; a RelyingPartyId set
    wins over both."""
    prefixed = PasskeyPool(idp, web_authn={})
    idp.create_user_pool_domain(UserPoolId=prefixed.id, Domain="passkeys-demo")
    options = prefixed.start(prefixed.add_user("alice"))
    host = "passkeys-demo.auth.us-east-1.amazoncognito.com"
    assert options["rp"] == {"id": host, "name": host}

    custom = PasskeyPool(idp, web_authn={})
    idp.create_user_pool_domain(UserPoolId=custom.id, Domain="auth.example.com",
                                CustomDomainConfig={"CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/a"})
    assert custom.start(custom.add_user("alice"))["rp"] == {"id": "auth.example.com", "name": "auth.example.com"}

    named = PasskeyPool(idp)
    idp.create_user_pool_domain(UserPoolId=named.id, Domain="named-demo")
    assert named.start(named.add_user("alice"))["rp"] == {"id": RP, "name": RP}


def test_a_pool_that_does_not_allow_web_authn_refuses_registration(idp):
    """WebAuthnNotEnabledException: "the passkey feature isn't enabled for the user pool" [M],
    here a sign-in policy without WEB_AUTHN, though a relying party is configured. The words
    are cognate's (unconfirmed, note §8)."""
    pool = PasskeyPool(idp, factors=("PASSWORD",))
    token = pool.add_user("alice")
    assert refused(idp.start_web_authn_registration, AccessToken=token) == (
        "WebAuthnNotEnabledException", "WebAuthn is not enabled for this user pool.")


def test_a_pool_without_relying_party_or_domain_refuses_registration(idp):
    """WebAuthnConfigurationMissingException: "a user pool doesn't have a configured relying
    party id or a user pool domain" [M]. The words are cognate's (unconfirmed, note §8)."""
    pool = PasskeyPool(idp, web_authn={})
    token = pool.add_user("alice")
    assert refused(idp.start_web_authn_registration, AccessToken=token) == (
        "WebAuthnConfigurationMissingException",
        "The user pool has no relying party id configured and no domain to serve as one.")


# =============================================================================================
# 2. CompleteWebAuthnRegistration, ListWebAuthnCredentials, DeleteWebAuthnCredential


@pytest.mark.parametrize("alg,fmt", [(ES256, "none"), (ES256, "packed"), (RS256, "none"), (RS256, "packed")],
                         ids=["es256-none", "es256-packed", "rs256-none", "rs256-packed"])
def test_a_passkey_is_registered_and_listed(idp, cognate_url, alg, fmt):
    """Complete answers 200 with an empty body [DG-flows]. The listing [M; the CLI's example,
    W2]: CredentialId, FriendlyCredentialName "Roaming passkey" for a cross-platform
    authenticator, RelyingPartyId, AuthenticatorAttachment, AuthenticatorTransports, CreatedAt
    (epoch seconds). Cognito enforces no attestation [DG-flows], yet a `packed` self
    attestation that is there verifies (§8.2). ES256 and RS256 are the algorithms offered."""
    pool = PasskeyPool(idp)
    token = pool.add_user("alice")
    passkey = Passkey(alg)
    options = pool.start(token)
    answer = idp.complete_web_authn_registration(AccessToken=token, Credential=passkey.registration(options, fmt=fmt))
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {}
    [listed] = pool.credentials(token)
    created = listed.pop("CreatedAt")
    assert listed == {"CredentialId": passkey.id, "FriendlyCredentialName": "Roaming passkey", "RelyingPartyId": RP,
                      "AuthenticatorAttachment": "cross-platform", "AuthenticatorTransports": ["usb", "nfc"]}
    assert isinstance(created, datetime.datetime)
    assert abs(created.timestamp() - clock(cognate_url)) < 60
    # The passkey signs the user in.
    r, request = pool.web_authn("alice")
    pool.signs_in("alice", r["Session"], passkey.assertion(request, 1))


def test_user_auth_factors_list_web_authn_while_the_user_has_a_passkey(idp):
    """GetUserAuthFactors' ConfiguredUserAuthFactors (the CLI's example, note §7) gains WEB_AUTHN
    with a passkey; DeleteWebAuthnCredential answers {} [M] and takes it away; the passkey is
    then neither listed nor offered."""
    pool = PasskeyPool(idp)
    token = pool.add_user("alice")
    assert idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"] == ["PASSWORD"]
    passkey = pool.register(token)
    assert idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"] == ["PASSWORD", "WEB_AUTHN"]
    assert idp.admin_get_user_auth_factors(UserPoolId=pool.id, Username="alice")["ConfiguredUserAuthFactors"] == [
        "PASSWORD", "WEB_AUTHN"]
    deleted = idp.delete_web_authn_credential(AccessToken=token, CredentialId=passkey.id)
    assert {k: v for k, v in deleted.items() if k != "ResponseMetadata"} == {}
    assert pool.credentials(token) == []
    assert idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"] == ["PASSWORD"]
    r = idp.initiate_auth(ClientId=pool.client, AuthFlow="USER_AUTH",
                          AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
    assert r["ChallengeName"] == "SELECT_CHALLENGE" and "WEB_AUTHN" not in r["AvailableChallenges"]


def test_deleting_an_unknown_credential_is_resource_not_found(alice):
    """[M]: ResourceNotFoundException; the words are cognate's (unconfirmed, note §8). Another
    user's credential is as unknown to this user as a made-up id."""
    pool, token, passkey = alice
    bob = pool.add_user("bob")
    bobs = pool.register(bob)
    before = pool.credentials(token)
    for credential_id in (websafe_encode(os.urandom(16)), bobs.id):
        assert refused(pool.idp.delete_web_authn_credential, AccessToken=token, CredentialId=credential_id) == (
            "ResourceNotFoundException", "Credential not found.")
    assert pool.credentials(token) == before
    assert [c["CredentialId"] for c in pool.credentials(bob)] == [bobs.id]


# =============================================================================================
# 3. Registration refusals: each leaves the user's passkeys as they were


def refused_registration(pool, token, credential, access_token=None):
    before = pool.credentials(token)
    outcome = refused(pool.idp.complete_web_authn_registration, AccessToken=access_token or token,
                      Credential=credential)
    assert pool.credentials(token) == before
    return outcome


CHALLENGE_NOT_FOUND = ("WebAuthnChallengeNotFoundException", "The registration challenge was not found or has expired.")
NOT_VALID = ("InvalidParameterException", "Credential data is not valid")


def test_a_challenge_never_issued_or_already_used_is_not_found(alice):
    """WebAuthnChallengeNotFoundException [M] (words cognate's, unconfirmed): a challenge Start
    never issued; one a completed registration has spent; one Start issued to another user."""
    pool, token, _ = alice
    options = pool.start(token)
    made_up = dict(options, challenge=websafe_encode(os.urandom(16)))
    assert refused_registration(pool, token, Passkey().registration(made_up)) == CHALLENGE_NOT_FOUND
    pool.idp.complete_web_authn_registration(AccessToken=token, Credential=Passkey().registration(options))
    assert refused_registration(pool, token, Passkey().registration(options)) == CHALLENGE_NOT_FOUND
    bobs = pool.start(pool.add_user("bob"))
    assert refused_registration(pool, token, Passkey().registration(dict(options, challenge=bobs["challenge"]))) \
        == CHALLENGE_NOT_FOUND


def test_an_expired_challenge_is_not_found(own_cognate):
    """"the challenge from StartWebAuthn registration has expired" [M]. The lifetime is
    unconfirmed (note §8); cognate keeps a challenge 300 s (docs/fidelity.md). A challenge 301 s
    old is refused; one 101 s old, started later, still registers."""
    c = own_cognate
    pool = PasskeyPool(c.idp)
    token = pool.add_user("alice")
    old = pool.start(token)
    c.advance(200)
    young = pool.start(token)
    c.advance(101)
    assert refused_registration(pool, token, Passkey().registration(old)) == CHALLENGE_NOT_FOUND
    passkey = Passkey()
    c.idp.complete_web_authn_registration(AccessToken=token, Credential=passkey.registration(young))
    assert [p["CredentialId"] for p in pool.credentials(token)] == [passkey.id]


def test_another_app_clients_token_is_a_client_mismatch(alice):
    """WebAuthnClientMismatchException: "the access token is for a different client than the
    one in the original StartWebAuthnRegistration request" [M]. Words cognate's."""
    pool, token, _ = alice
    other = pool.token("alice", client=pool.add_client("mobile"))
    options = pool.start(token)
    assert refused_registration(pool, token, Passkey().registration(options), access_token=other) == (
        "WebAuthnClientMismatchException",
        "The access token is for a different client than the one that started the registration.")
    # The challenge still stands for the client that started it.
    pool.idp.complete_web_authn_registration(AccessToken=token, Credential=Passkey().registration(options))


def test_an_origin_outside_the_relying_party_is_not_allowed(alice):
    """WebAuthnOriginNotAllowedException: "registration origin does not align with the user
    pool relying party id" [M]; WebAuthn §7.1 step 9. Words cognate's."""
    pool, token, _ = alice
    for origin in ("https://evil.example", f"http://{RP}", f"https://{RP}.evil.example"):
        credential = Passkey().registration(pool.start(token), origin=origin)
        assert refused_registration(pool, token, credential) == (
            "WebAuthnOriginNotAllowedException", f"The origin {origin} is not allowed for the relying party {RP}.")
    # A subdomain of the relying party may register (WebAuthn §5.1.3's registrable suffix).
    pool.idp.complete_web_authn_registration(
        AccessToken=token, Credential=Passkey().registration(pool.start(token), origin=f"https://login.{RP}"))


def test_an_rp_id_hash_of_another_relying_party_is_a_mismatch(alice):
    """WebAuthnRelyingPartyMismatchException: "associated with a different relying party ID than
    the user pool relying party ID" [M]; WebAuthn §7.1 step 13. Words cognate's."""
    pool, token, _ = alice
    credential = Passkey().registration(pool.start(token), rp_id="other.example.com")
    assert refused_registration(pool, token, credential) == (
        "WebAuthnRelyingPartyMismatchException", f"The credential is not for the relying party {RP}.")


def test_an_eddsa_key_is_not_supported(alice):
    """WebAuthnCredentialNotSupportedException, "unsupported device or provider" [M]: the
    options offer ES256 and RS256 only (note §8). Words cognate's."""
    pool, token, _ = alice
    credential = Passkey(EdDSA).registration(pool.start(token))
    assert refused_registration(pool, token, credential) == (
        "WebAuthnCredentialNotSupportedException", "The credential's key type or algorithm is not supported.")


@pytest.mark.parametrize("how", ["get-ceremony", "packed-bad-signature", "packed-alg-mismatch", "no-user-presence",
                                 "id-not-the-attested-one", "no-attested-credential"])
def test_credential_data_that_is_not_valid(alice, how):
    """`InvalidParameterException: Credential data is not valid` (aws/aws-sdk-net#4386, note §8)
    for a ceremony WebAuthn §7.1 refuses: clientData.type not webauthn.create (step 7), a packed
    self attestation whose signature (or alg) is not the credential's (§8.2), user presence
    missing (step 14), an id that is not the attested credential's, no attested credential."""
    pool, token, _ = alice
    options = pool.start(token)
    passkey = Passkey()
    credential = {
        "get-ceremony": lambda: passkey.registration(options, kind="webauthn.get"),
        "packed-bad-signature": lambda: passkey.registration(options, fmt="packed", signer=Passkey()),
        "packed-alg-mismatch": lambda: _packed_with_alg(passkey, options, -257),
        "no-user-presence": lambda: passkey.registration(options, flags=FLAG.UV | FLAG.AT),
        "id-not-the-attested-one": lambda: dict(passkey.registration(options), id=websafe_encode(os.urandom(16))),
        "no-attested-credential": lambda: _without_attested_credential(passkey, options),
    }[how]()
    assert refused_registration(pool, token, credential) == NOT_VALID
    # The challenge was not spent by the refusal: the right ceremony still registers.
    pool.idp.complete_web_authn_registration(AccessToken=token, Credential=passkey.registration(options))
    assert passkey.id in [c["CredentialId"] for c in pool.credentials(token)]


def _packed_with_alg(passkey, options, alg):
    """A packed self attestation, rightly signed, that states another algorithm than the key's."""
    credential = passkey.registration(options)
    attestation = AttestationObject(websafe_decode(credential["response"]["attestationObject"]))
    client_data = websafe_decode(credential["response"]["clientDataJSON"])
    sig = passkey.sign(bytes(attestation.auth_data) + sha256(client_data))
    packed = AttestationObject.create("packed", attestation.auth_data, {"alg": alg, "sig": sig})
    credential["response"]["attestationObject"] = websafe_encode(bytes(packed))
    return credential


def _without_attested_credential(passkey, options):
    credential = passkey.registration(options)
    auth_data = AuthenticatorData.create(sha256(RP), FLAG.UP | FLAG.UV, 0)
    credential["response"]["attestationObject"] = websafe_encode(bytes(AttestationObject.create("none", auth_data, {})))
    return credential


def test_user_verification_is_needed_only_where_the_pool_requires_it(idp):
    """WebAuthn §7.1 step 15: UV is checked only when the relying party requires it. Required:
    an attestation without UV is `Credential data is not valid`; preferred: it registers."""
    required = PasskeyPool(idp, web_authn={"RelyingPartyId": RP, "UserVerification": "required"})
    token = required.add_user("alice")
    options = required.start(token)
    passkey = Passkey()
    assert refused_registration(required, token, passkey.registration(options, flags=FLAG.UP | FLAG.AT)) == NOT_VALID
    idp.complete_web_authn_registration(AccessToken=token, Credential=passkey.registration(options))

    preferred = PasskeyPool(idp)
    token = preferred.add_user("alice")
    lax = Passkey()
    idp.complete_web_authn_registration(AccessToken=token,
                                        Credential=lax.registration(preferred.start(token), flags=FLAG.UP | FLAG.AT))
    assert [c["CredentialId"] for c in preferred.credentials(token)] == [lax.id]


def test_an_authenticator_already_registered_is_refused(alice):
    """excludeCredentials keeps a browser from registering the same credential twice; one sent
    anyway is refused as not valid (cognate's reading; Cognito's answer is unconfirmed)."""
    pool, token, passkey = alice
    assert refused_registration(pool, token, passkey.registration(pool.start(token))) == NOT_VALID


def test_the_21st_passkey_is_refused(idp):
    """"Each user can register up to 20 passkeys" [DG-flows]; LimitExceededException is declared
    on Start and Complete [M] (words cognate's, unconfirmed): a registration started at 20 is
    refused, and so is completing one that was started at 19 once the 20th is in."""
    pool = PasskeyPool(idp)
    token = pool.add_user("alice")
    for _ in range(19):
        pool.register(token)
    early = pool.start(token)
    pool.register(token)
    assert len(pool.credentials(token)) == 20
    too_many = ("LimitExceededException", "A user can register at most 20 passkeys.")
    assert refused(idp.start_web_authn_registration, AccessToken=token) == too_many
    assert refused_registration(pool, token, Passkey().registration(early)) == too_many
    assert len(pool.credentials(token)) == 20


# =============================================================================================
# 4. Passkey sign-in: the WEB_AUTHN challenge of USER_AUTH


def test_preferred_web_authn_is_the_web_authn_challenge(alice):
    """Preferred and eligible: ChallengeName WEB_AUTHN with AvailableChallenges [W2 §2.2;
    DG selection-sdk]. CREDENTIAL_REQUEST_OPTIONS is a JSON *string* {challenge, timeout 180000,
    rpId, allowCredentials [{type, id, transports}], userVerification} (InitiateAuth's example,
    [W2]). WEB_AUTHN's place in the list is unconfirmed; cognate puts it first
    (docs/fidelity.md)."""
    pool, token, passkey = alice
    r, _ = pool.web_authn("alice")
    assert r["AvailableChallenges"][0] == "WEB_AUTHN"
    assert sorted(r["AvailableChallenges"]) == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    text = r["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    assert isinstance(text, str)
    options = json.loads(text)
    assert sorted(options) == ["allowCredentials", "challenge", "rpId", "timeout", "userVerification"]
    assert B64URL_16.fullmatch(options["challenge"])
    assert options["timeout"] == 180000 and options["rpId"] == RP and options["userVerification"] == "preferred"
    assert options["allowCredentials"] == [{"type": "public-key", "id": passkey.id, "transports": ["usb", "nfc"]}]
    result = pool.signs_in("alice", r["Session"], passkey.assertion(options, 1))
    assert {"AccessToken", "IdToken", "RefreshToken"} <= set(result)


def test_select_challenge_web_authn_is_the_web_authn_challenge(alice):
    """SELECT_CHALLENGE answered {USERNAME, ANSWER: WEB_AUTHN} (what Amplify sends,
    handleSelectChallenge.ts, note §9) returns the WEB_AUTHN challenge."""
    pool, token, passkey = alice
    r = pool.idp.initiate_auth(ClientId=pool.client, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "alice"})
    assert r["ChallengeName"] == "SELECT_CHALLENGE" and "WEB_AUTHN" in r["AvailableChallenges"]
    chosen = pool.idp.respond_to_auth_challenge(
        ClientId=pool.client, ChallengeName="SELECT_CHALLENGE", Session=r["Session"],
        ChallengeResponses={"USERNAME": "alice", "ANSWER": "WEB_AUTHN"})
    assert chosen["ChallengeName"] == "WEB_AUTHN"
    options = json.loads(chosen["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert options["rpId"] == RP and [c["id"] for c in options["allowCredentials"]] == [passkey.id]
    pool.signs_in("alice", chosen["Session"], passkey.assertion(options, 1))


def test_an_rs256_passkey_signs_in(idp):
    pool = PasskeyPool(idp)
    token = pool.add_user("alice")
    passkey = pool.register(token, Passkey(RS256))
    r, options = pool.web_authn("alice")
    pool.signs_in("alice", r["Session"], passkey.assertion(options, 1))


INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")


def _other_key(passkey, options):
    return passkey.assertion(options, 1, signer=Passkey())


def _other_challenge(passkey, options):
    return passkey.assertion(options, 1, challenge=websafe_encode(os.urandom(16)))


def _tampered(passkey, options):
    # Signed with counter 1, then the counter rewritten to 7 (authenticatorData bytes 33-36).
    return passkey.assertion(options, 1, tamper=lambda ad: ad[:33] + (7).to_bytes(4, "big") + ad[37:])


def _evil_origin(passkey, options):
    return passkey.assertion(options, 1, origin="https://evil.example")


def _other_rp(passkey, options):
    return passkey.assertion(options, 1, rp_id="other.example.com")


def _create_ceremony(passkey, options):
    return passkey.assertion(options, 1, kind="webauthn.create")


def _no_presence(passkey, options):
    return passkey.assertion(options, 1, flags=FLAG.UV)


@pytest.mark.parametrize("bad", [_other_key, _other_challenge, _tampered, _evil_origin, _other_rp,
                                 _create_ceremony, _no_presence],
                         ids=["another-key", "another-challenge", "tampered-authenticator-data",
                              "origin-not-allowed", "another-rp-id-hash", "create-ceremony", "no-user-presence"])
def test_a_bad_assertion_is_refused_and_the_session_stands(alice, bad):
    """An assertion WebAuthn §7.2 refuses. RespondToAuthChallenge declares no WebAuthn*
    exceptions [M], so NotAuthorizedException (note §2, §9); the words are cognate's (Cognito's
    are unknown, note §9). The session may be answered again, as after a wrong password."""
    pool, token, passkey = alice
    r, options = pool.web_authn("alice")
    assert refused(pool.answer, name="alice", session=r["Session"], credential=bad(passkey, options)) == INCORRECT
    pool.signs_in("alice", r["Session"], passkey.assertion(options, 1))


def test_another_users_credential_is_refused(alice):
    """Bob's passkey, rightly signed over alice's challenge, does not sign alice in (§7.2 step 6:
    the credential must be the user's), with or without his user handle."""
    pool, token, passkey = alice
    bob = pool.register(pool.add_user("bob"))
    r, options = pool.web_authn("alice")
    for credential in (bob.assertion(options, 1), bob.assertion(options, 1, user_handle=False)):
        assert refused(pool.answer, name="alice", session=r["Session"], credential=credential) == INCORRECT
    pool.signs_in("alice", r["Session"], passkey.assertion(options, 1))


def test_an_earlier_sign_ins_assertion_does_not_sign_in_again(alice):
    """A replayed assertion is for a challenge this sign-in did not issue (§7.2 step 12).
    Counters stay 0 here (an authenticator that keeps none, §6.1.1), so only the challenge
    tells the replay apart."""
    pool, token, passkey = alice
    first, options = pool.web_authn("alice")
    replayed = passkey.assertion(options, 0)
    pool.signs_in("alice", first["Session"], replayed)
    second, options = pool.web_authn("alice")
    assert refused(pool.answer, name="alice", session=second["Session"], credential=replayed) == INCORRECT
    pool.signs_in("alice", second["Session"], passkey.assertion(options, 0))


def test_a_signature_counter_that_does_not_increase_is_refused(alice):
    """§7.2 step 21 (§6.1.1): a signCount not greater than the one stored means a cloned
    authenticator. After 5 was seen, 5 again and 4 are refused; 6 signs in. (Cognito's
    behaviour is unconfirmed, note §9.)"""
    pool, token, passkey = alice
    r, options = pool.web_authn("alice")
    pool.signs_in("alice", r["Session"], passkey.assertion(options, 5))
    r, options = pool.web_authn("alice")
    for counter in (5, 4):
        assert refused(pool.answer, name="alice", session=r["Session"],
                       credential=passkey.assertion(options, counter)) == INCORRECT
    pool.signs_in("alice", r["Session"], passkey.assertion(options, 6))


def test_user_verification_is_needed_at_sign_in_where_the_pool_requires_it(idp):
    """§7.2 step 17: with UserVerification required, an assertion without UV is refused."""
    pool = PasskeyPool(idp, web_authn={"RelyingPartyId": RP, "UserVerification": "required"})
    passkey = pool.register(pool.add_user("alice"))
    r, options = pool.web_authn("alice")
    assert options["userVerification"] == "required"
    assert refused(pool.answer, name="alice", session=r["Session"],
                   credential=passkey.assertion(options, 1, flags=FLAG.UP)) == INCORRECT
    pool.signs_in("alice", r["Session"], passkey.assertion(options, 1))


def test_five_failed_assertions_lock_the_user(own_cognate):
    """Developer guide, "Lockout behavior": five failed attempts lock the user for 1 s, doubling
    after each further one. cognate counts a failed passkey as a wrong password (whether Cognito
    does is unconfirmed): the five failures each answer `Incorrect username or password.`, then
    even the right assertion, and the right password, get `Password attempts exceeded` until the
    lock ends; after it, the same session signs in."""
    c = own_cognate
    pool = PasskeyPool(c.idp)
    passkey = pool.register(pool.add_user("alice"))
    r, options = pool.web_authn("alice")
    for _ in range(5):
        assert refused(pool.answer, name="alice", session=r["Session"],
                       credential=passkey.assertion(options, 1, signer=Passkey())) == INCORRECT
    locked = ("NotAuthorizedException", "Password attempts exceeded")
    assert refused(pool.answer, name="alice", session=r["Session"], credential=passkey.assertion(options, 1)) == locked
    assert refused(c.idp.initiate_auth, ClientId=pool.client, AuthFlow="USER_AUTH",
                   AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD",
                                   "PASSWORD": PASSWORD}) == locked
    c.advance(2)
    pool.signs_in("alice", r["Session"], passkey.assertion(options, 1))


def test_a_user_without_passkeys_is_not_offered_web_authn(idp):
    """WEB_AUTHN needs a registered passkey ([DG-flows], note §3); a preferred challenge that is
    not available gives SELECT_CHALLENGE, not an error ([DG-sel], note §2)."""
    pool = PasskeyPool(idp)
    pool.add_user("alice")
    r = idp.initiate_auth(ClientId=pool.client, AuthFlow="USER_AUTH",
                          AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
    assert r["ChallengeName"] == "SELECT_CHALLENGE"
    assert r["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    assert "CREDENTIAL_REQUEST_OPTIONS" not in r.get("ChallengeParameters", {})
