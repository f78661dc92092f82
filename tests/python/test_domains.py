"""User pool domains through boto3: prefix and custom domains, one of each per pool, unique
across pools, refused with Cognito's own messages (docs/fidelity.md, "Domains")."""

import botocore.exceptions
import pytest


def error_of(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_a_prefix_domain_is_created_described_updated_and_deleted(idp):
    pool = idp.create_user_pool(PoolName="hosted")["UserPool"]["Id"]
    made = idp.create_user_pool_domain(UserPoolId=pool, Domain="myapp-login", ManagedLoginVersion=2)
    assert {k: v for k, v in made.items() if k != "ResponseMetadata"} == {"ManagedLoginVersion": 2}
    described = idp.describe_user_pool_domain(Domain="myapp-login")["DomainDescription"]
    assert (described["UserPoolId"], described["Domain"], described["Status"]) == (pool, "myapp-login", "ACTIVE")
    assert described["AWSAccountId"] == "000000000000" and described["ManagedLoginVersion"] == 2
    assert described["S3Bucket"] == "aws-cognito-prod-iad-assets" and described["Version"].isdigit()
    assert idp.describe_user_pool(UserPoolId=pool)["UserPool"]["Domain"] == "myapp-login"

    updated = idp.update_user_pool_domain(UserPoolId=pool, Domain="myapp-login", ManagedLoginVersion=1)
    assert updated["ManagedLoginVersion"] == 1 and "CloudFrontDomain" not in updated
    assert error_of(lambda: idp.update_user_pool_domain(
        UserPoolId=pool, Domain="myapp-login",
        CustomDomainConfig={"CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/x"})) == (
        "InvalidParameterException",
        "User pool should have a custom domain associated, failed to update the certificate.")

    assert error_of(lambda: idp.delete_user_pool(UserPoolId=pool)) == (
        "InvalidParameterException",
        "User pool cannot be deleted. It has a domain configured that should be deleted first.")
    idp.delete_user_pool_domain(UserPoolId=pool, Domain="myapp-login")
    assert idp.describe_user_pool_domain(Domain="myapp-login")["DomainDescription"] == {}
    assert "Domain" not in idp.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert error_of(lambda: idp.delete_user_pool_domain(UserPoolId=pool, Domain="myapp-login")) == (
        "InvalidParameterException", "No such domain or user pool exists.")
    idp.delete_user_pool(UserPoolId=pool)


def test_domains_are_refused_as_cognito_refuses_them(idp):
    pool = idp.create_user_pool(PoolName="one")["UserPool"]["Id"]
    other = idp.create_user_pool(PoolName="two")["UserPool"]["Id"]
    bad = "The domain name contains an invalid character. Domain names can only contain lower-case letters, " \
          "numbers, and hyphens. Please enter a different name that follows this format: " \
          "^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$"
    for domain in ["My-App", "-myapp", "my_app"]:
        assert error_of(lambda: idp.create_user_pool_domain(UserPoolId=pool, Domain=domain)) == (
            "InvalidParameterException", bad)
    for domain, word in [("aws-login", "aws"), ("newcognito", "cognito"), ("myamazonapp", "amazon")]:
        assert error_of(lambda: idp.create_user_pool_domain(UserPoolId=pool, Domain=domain)) == (
            "InvalidParameterException", f"Domain cannot contain reserved word: {word}")
    idp.create_user_pool_domain(UserPoolId=pool, Domain="taken-login")
    assert error_of(lambda: idp.create_user_pool_domain(UserPoolId=other, Domain="taken-login")) == (
        "InvalidParameterException", "Domain already associated with another user pool.")
    assert error_of(lambda: idp.create_user_pool_domain(UserPoolId=pool, Domain="second-login")) == (
        "InvalidParameterException", "User pool already has a domain configured.")
    assert error_of(lambda: idp.delete_user_pool_domain(UserPoolId=other, Domain="taken-login")) == (
        "InvalidParameterException", "No such domain or user pool exists.")


def test_a_custom_domain_has_its_cloudfront_distribution(idp):
    pool = idp.create_user_pool(PoolName="custom")["UserPool"]["Id"]
    cert = {"CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/abc"}
    made = idp.create_user_pool_domain(UserPoolId=pool, Domain="auth.example.com", CustomDomainConfig=cert)
    assert made["CloudFrontDomain"].endswith(".cloudfront.net")
    described = idp.describe_user_pool_domain(Domain="auth.example.com")["DomainDescription"]
    assert described["CloudFrontDistribution"] == made["CloudFrontDomain"]
    assert described["CustomDomainConfig"] == cert
    assert idp.describe_user_pool(UserPoolId=pool)["UserPool"]["CustomDomain"] == "auth.example.com"
    # A pool may have a prefix domain beside its custom one.
    idp.create_user_pool_domain(UserPoolId=pool, Domain="custom-prefix")
