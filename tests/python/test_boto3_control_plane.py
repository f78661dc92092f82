"""The control plane through boto3: modelled exceptions, messages and paginators."""

import pytest

from conftest import raw


def test_missing_things_raise_modelled_exceptions(idp):
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as e:
        idp.describe_user_pool(UserPoolId="us-east-1_nothere1")
    assert e.value.response["Error"]["Message"] == "User pool us-east-1_nothere1 does not exist."
    pool_id = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    with pytest.raises(idp.exceptions.UserNotFoundException) as e:
        idp.admin_get_user(UserPoolId=pool_id, Username="ghost")
    assert e.value.response["Error"]["Message"] == "User does not exist."
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as e:
        idp.describe_user_pool_client(UserPoolId=pool_id, ClientId="abc123")
    assert e.value.response["Error"]["Message"] == "User pool client abc123 does not exist."


def test_validation_errors_reach_boto3_as_aws_sends_them(idp):
    # boto3 validates required members itself, so send one it lets through: a bad pattern.
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.list_users(UserPoolId="no-underscore")
    assert e.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'no-underscore' at 'userPoolId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
    )
    assert e.value.response["ResponseMetadata"]["RequestId"]


def test_paginators_walk_every_page(idp):
    pool_id = idp.create_user_pool(PoolName="pages")["UserPool"]["Id"]
    for i in range(7):
        idp.admin_create_user(UserPoolId=pool_id, Username=f"user{i}", MessageAction="SUPPRESS")
    pages = list(idp.get_paginator("list_users").paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 3}))
    assert [len(p["Users"]) for p in pages] == [3, 3, 1]
    names = sorted(u["Username"] for p in pages for u in p["Users"])
    assert names == [f"user{i}" for i in range(7)]

    for i in range(3):
        idp.create_group(UserPoolId=pool_id, GroupName=f"g{i}")
    groups = [g["GroupName"] for p in idp.get_paginator("list_groups").paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 2}) for g in p["Groups"]]
    assert groups == ["g0", "g1", "g2"]


def test_filters_as_the_developer_guide_writes_them(idp):
    pool_id = idp.create_user_pool(PoolName="f")["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pool_id, Username="a", UserAttributes=[{"Name": "family_name", "Value": "Reddy"}])
    idp.admin_create_user(UserPoolId=pool_id, Username="b", UserAttributes=[{"Name": "phone_number", "Value": "+13125550100"}])
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool_id, Filter='family_name = "Reddy"')["Users"]] == ["a"]
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool_id, Filter='phone_number ^= "+1312"')["Users"]] == ["b"]
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.list_users(UserPoolId=pool_id, Filter="family_name = Reddy")
    assert e.value.response["Error"]["Message"] == "Error while parsing filter."


def test_protocol_errors(cognate_url, idp):
    status, headers, body = raw(cognate_url, "AWSCognitoIdentityProviderService.Frobnicate", b"{}")
    assert (status, body) == (400, {"__type": "UnknownOperationException"})
    status, headers, body = raw(cognate_url, "AWSCognitoIdentityProviderService.ListUserPools", b"{oops")
    assert (status, body) == (400, {"__type": "SerializationException"})
    assert headers["x-amzn-ErrorType"] == "SerializationException:"
    status, _, body = raw(cognate_url, "AWSCognitoIdentityProviderService.ListUserPools", b'{"MaxResults": true}')
    assert body == {"__type": "SerializationException", "message": "TRUE_VALUE can not be converted to an Integer"}
    # Nothing above changed anything.
    assert sorted(p["Name"] for p in idp.list_user_pools(MaxResults=10)["UserPools"]) == ["PlainPool", "TestPool"]
