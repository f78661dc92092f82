"""User import jobs through boto3: GetCSVHeader, Create/Start/Describe/List/StopUserImportJob,
and the upload of the CSV file to the job's PreSignedUrl as the AWS documentation does it
(`curl -T file.csv -H "x-amz-server-side-encryption:aws:kms" "$URL"`: a plain HTTP PUT with
that one header, here through urllib).

Facts about AWS come from docs/research/user-import.md ("note §N" below). Where the note leaves
a case unconfirmed (starting twice, stopping a finished job, a pool with no auto-verified
attributes, the failure threshold), the test pins cognate's choice and says so; only error
codes are asserted for those, never cognate's own texts.

A started job runs in the background, so the tests poll DescribeUserImportJob (a bounded loop)
until the job ends: there is no clock to move for background work. The expiry test moves the
clock, so it runs against a cognate of this module's own (`own_cognate`), as test_sessions.py
does.
"""

import datetime
import json
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/CognitoImport"
PASSWORD = "Imp0rted!pass"
NEW_PASSWORD = "N3w!passw0rd"
JOB_ID = re.compile(r"^import-[0-9A-Za-z]{10}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ENDED = ("Succeeded", "Failed", "Stopped")

# GetCSVHeader of a pool with no custom attributes, as AWS answers it (note §1).
DEFAULT_HEADER = [
    "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
    "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale", "phone_number",
    "phone_number_verified", "address", "updated_at", "cognito:mfa_enabled", "cognito:username",
]

SUCCEEDED = "Import Job Completed Successfully."
TOO_MANY_FAILED = "Too many users have failed or been skipped during the import."
STOPPED = "The Import Job was stopped by the developer."
EXPIRED = "The user import job has expired."


# --- helpers -----------------------------------------------------------------------------------


def error(call, **kwargs):
    """The error a call is refused with, as a boto3 user reads it: (code, message)."""
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    err = e.value.response["Error"]
    return err["Code"], err.get("Message")


def code(call, **kwargs):
    return error(call, **kwargs)[0]


def make_pool(idp, auto=("email",), **kwargs):
    """A pool (auto-verifying `auto`) and a public client allowing password sign-in."""
    if auto is not None:
        kwargs["AutoVerifiedAttributes"] = list(auto)
    pool = idp.create_user_pool(PoolName="imports", **kwargs)["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="LEGACY",
    )["UserPoolClient"]["ClientId"]
    return pool, client


def create_job(idp, pool, name="import-users"):
    return idp.create_user_import_job(UserPoolId=pool, JobName=name, CloudWatchLogsRoleArn=ROLE)["UserImportJob"]


def put(url, data, sse=True):
    """PUT `data` to a pre-signed URL as `curl -T` does (no Content-Type): (status, body)."""
    headers = {"x-amz-server-side-encryption": "aws:kms"} if sse else {}
    req = urllib.request.Request(url, data=data, headers=headers, method="PUT")
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def csv_text(header, rows):
    """A CSV file as the docs describe it: no quoting, a comma inside a value escaped as `\\,`.
    `rows` are dicts by column name; a missing column is an empty value."""
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(str(row.get(c, "")).replace(",", "\\,") for c in header))
    return ("\n".join(lines) + "\n").encode()


def simple_file(first, count):
    """The subset header the developer guide's own samples use, and `count` good users."""
    lines = ["cognito:username,email,email_verified"]
    lines.extend(f"user{i},user{i}@example.com,TRUE" for i in range(first, first + count))
    return ("\n".join(lines) + "\n").encode()


def upload(idp, pool, job, data):
    status, text = put(job["PreSignedUrl"], data)
    assert status == 200, text
    return job


def describe(idp, pool, job_id):
    return idp.describe_user_import_job(UserPoolId=pool, JobId=job_id)["UserImportJob"]


def wait_done(idp, pool, job_id, timeout=20.0):
    """Polls DescribeUserImportJob until the job has ended (or `timeout` seconds pass)."""
    deadline = time.monotonic() + timeout
    while True:
        job = describe(idp, pool, job_id)
        if job["Status"] in ENDED:
            return job
        assert time.monotonic() < deadline, f"job still {job['Status']} after {timeout} s: {job}"
        time.sleep(0.05)


def attributes(user):
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def outbox(base, query):
    with urllib.request.urlopen(f"{base}/_cognate/outbox?{query}") as r:
        return json.load(r)["messages"]


@pytest.fixture
def unvalidated(cognate_url):
    """A cognito-idp client that sends what it is given: botocore checks no ranges."""
    return boto3.client("cognito-idp", region_name=REGION, config=Config(parameter_validation=False))


# --- GetCSVHeader ------------------------------------------------------------------------------


def test_the_header_of_a_default_pool_is_what_aws_answers(idp):
    pool, _ = make_pool(idp)
    got = idp.get_csv_header(UserPoolId=pool)
    assert got["UserPoolId"] == pool
    assert got["CSVHeader"] == DEFAULT_HEADER


def test_a_custom_attribute_comes_after_updated_at_and_before_the_cognito_columns(idp):
    """Note §1: custom attributes after the standard ones, before cognito:mfa_enabled."""
    pool, _ = make_pool(idp, Schema=[{"Name": "tenant", "AttributeDataType": "String"}])
    header = idp.get_csv_header(UserPoolId=pool)["CSVHeader"]
    at = DEFAULT_HEADER.index("updated_at") + 1
    assert header == DEFAULT_HEADER[:at] + ["custom:tenant"] + DEFAULT_HEADER[at:]
    assert header.index("updated_at") < header.index("custom:tenant") < header.index("cognito:mfa_enabled")


def test_the_header_of_an_unknown_pool_is_resource_not_found(idp):
    assert code(idp.get_csv_header, UserPoolId="us-east-1_Nowhere0") == "ResourceNotFoundException"


# --- CreateUserImportJob -----------------------------------------------------------------------


def test_a_new_job_is_created_with_zero_counters_and_an_upload_url(idp):
    """Note §3: Status Created, the three counters 0, no StartDate/CompletionDate/message."""
    pool, _ = make_pool(idp)
    job = create_job(idp, pool, name="first import")
    assert JOB_ID.match(job["JobId"]), job["JobId"]
    assert job["JobName"] == "first import"
    assert job["UserPoolId"] == pool
    assert job["Status"] == "Created"
    assert job["CloudWatchLogsRoleArn"] == ROLE
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (0, 0, 0)
    assert job["PreSignedUrl"].startswith("http")
    assert isinstance(job["CreationDate"], datetime.datetime)
    for absent in ("StartDate", "CompletionDate", "CompletionMessage", "PasswordHashingAlgorithm"):
        assert absent not in job, absent
    # Describe answers the same job, URL included.
    described = describe(idp, pool, job["JobId"])
    assert described == job


def test_a_job_name_outside_the_model_pattern_is_an_invalid_parameter(idp):
    """[M] UserImportJobNameType: `[\\w\\s+=,.@-]+`; botocore checks no patterns."""
    pool, _ = make_pool(idp)
    assert code(idp.create_user_import_job, UserPoolId=pool, JobName="bad!name",
                CloudWatchLogsRoleArn=ROLE) == "InvalidParameterException"
    assert idp.list_user_import_jobs(UserPoolId=pool, MaxResults=10).get("UserImportJobs", []) == []


def test_a_job_in_an_unknown_pool_is_resource_not_found(idp):
    assert code(idp.create_user_import_job, UserPoolId="us-east-1_Nowhere0", JobName="x",
                CloudWatchLogsRoleArn=ROLE) == "ResourceNotFoundException"


# --- StartUserImportJob before an upload -------------------------------------------------------


def test_starting_before_an_upload_is_precondition_not_met(idp):
    """The real text (aws-amplify/amplify-js#6416): `No csv file was uploaded for <JobId>`."""
    pool, _ = make_pool(idp)
    job = create_job(idp, pool)
    assert error(idp.start_user_import_job, UserPoolId=pool, JobId=job["JobId"]) == (
        "PreconditionNotMetException", f"No csv file was uploaded for {job['JobId']}")
    assert describe(idp, pool, job["JobId"])["Status"] == "Created"


# --- the upload URL ----------------------------------------------------------------------------


def test_an_upload_without_the_encryption_header_is_refused_as_s3_refuses_it(idp):
    """x-amz-server-side-encryption is a signed header of the URL (X-Amz-SignedHeaders), so
    S3 answers 403 without it (note §3 "Upload")."""
    pool, _ = make_pool(idp)
    job = create_job(idp, pool)
    status, text = put(job["PreSignedUrl"], simple_file(0, 2), sse=False)
    assert status == 403, text
    assert text.startswith("<?xml"), text
    assert "<Error><Code>" in text, text
    # Nothing was received: starting still finds no file.
    assert error(idp.start_user_import_job, UserPoolId=pool, JobId=job["JobId"]) == (
        "PreconditionNotMetException", f"No csv file was uploaded for {job['JobId']}")


def test_an_upload_with_a_tampered_signature_is_refused(idp):
    pool, _ = make_pool(idp)
    job = create_job(idp, pool)
    parts = urllib.parse.urlsplit(job["PreSignedUrl"])
    query = dict(urllib.parse.parse_qsl(parts.query))
    sig = query["X-Amz-Signature"]
    query["X-Amz-Signature"] = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    tampered = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    status, text = put(tampered, simple_file(0, 2))
    assert status == 403, text
    assert "<Error><Code>" in text, text
    # Nor may one job's URL be pointed at another job.
    other = create_job(idp, pool, name="other")
    moved = job["PreSignedUrl"].replace(job["JobId"], other["JobId"])
    status, text = put(moved, simple_file(0, 2))
    assert status == 403, text
    for j in (job, other):
        assert code(idp.start_user_import_job, UserPoolId=pool, JobId=j["JobId"]) == "PreconditionNotMetException"


def test_an_upload_after_fifteen_minutes_is_refused(own_cognate):
    """"The pre-signed URL is valid for 15 minutes" (note §3, X-Amz-Expires=899)."""
    idp = own_cognate.idp
    pool, _ = make_pool(idp)
    job = create_job(idp, pool)
    own_cognate.advance(901)
    status, text = put(job["PreSignedUrl"], simple_file(0, 2))
    assert status == 403, text
    assert "<Error><Code>" in text, text


# --- a whole import ----------------------------------------------------------------------------


def test_an_import_of_good_bad_and_existing_users(idp, cognate_url):
    """Note §2: columns in any order; `\\,` a comma in a value; an existing user is skipped; a
    user with no true auto-verified attribute or a username with a space fails; the imported
    users are RESET_REQUIRED, enabled, with a fresh sub and the attributes given, and sign in
    after ForgotPassword/ConfirmForgotPassword (note §6)."""
    pool, client = make_pool(idp)
    idp.admin_create_user(UserPoolId=pool, Username="carol", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "carol@example.com"},
                                          {"Name": "email_verified", "Value": "true"}])
    header = idp.get_csv_header(UserPoolId=pool)["CSVHeader"]
    random.Random(7).shuffle(header)
    assert header != DEFAULT_HEADER

    def good(username, **extra):
        return {"cognito:username": username, "email": f"{username}@example.com", "email_verified": "TRUE", **extra}

    rows = [
        good("alice", given_name="Alice", family_name="Liddell"),
        {"cognito:username": "bob", "email": "bob@example.com", "email_verified": "false"},  # failed
        good("carol", given_name="Not Carol"),  # skipped: carol exists
        good("dave", name="a, b"),  # written `a\, b`
        good("eve smith"),  # failed: a space in the username
        good("frank", email_verified="true"),  # lowercase works too (note §2 "Booleans")
        good("grace", phone_number="+12065550100", phone_number_verified="false"),
        good("heidi", locale="en-GB"),
    ]
    data = csv_text(header, rows)
    assert b"a\\, b" in data

    job = create_job(idp, pool)
    # Refused uploads first; then the one done as the docs do it.
    assert put(job["PreSignedUrl"], data, sse=False)[0] == 403
    status, text = put(job["PreSignedUrl"], data)
    assert status == 200, text

    started = idp.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])["UserImportJob"]
    assert started["JobId"] == job["JobId"]
    assert started["Status"] == "Pending"
    assert isinstance(started["StartDate"], datetime.datetime)
    assert started["StartDate"] >= started["CreationDate"]
    assert "CompletionDate" not in started

    done = wait_done(idp, pool, job["JobId"])
    assert done["Status"] == "Succeeded", done
    assert done["CompletionMessage"] == SUCCEEDED
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (5, 1, 2), done
    assert isinstance(done["CompletionDate"], datetime.datetime)
    assert done["CompletionDate"] >= done["StartDate"]
    assert done["StartDate"] == started["StartDate"]

    subs = set()
    expected = {
        "alice": {"email": "alice@example.com", "email_verified": "true", "given_name": "Alice", "family_name": "Liddell"},
        "dave": {"email": "dave@example.com", "email_verified": "true", "name": "a, b"},
        "frank": {"email": "frank@example.com", "email_verified": "true"},
        "grace": {"email": "grace@example.com", "email_verified": "true", "phone_number": "+12065550100",
                  "phone_number_verified": "false"},
        "heidi": {"email": "heidi@example.com", "email_verified": "true", "locale": "en-GB"},
    }
    for username, attrs in expected.items():
        user = idp.admin_get_user(UserPoolId=pool, Username=username)
        assert user["UserStatus"] == "RESET_REQUIRED", (username, user["UserStatus"])
        assert user["Enabled"] is True
        got = attributes(user)
        sub = got.pop("sub")
        assert UUID.match(sub), sub
        subs.add(sub)
        assert got == attrs, username
    assert len(subs) == len(expected), "each imported user has a sub of their own"

    # The skipped user is untouched; the failed ones do not exist.
    carol = idp.admin_get_user(UserPoolId=pool, Username="carol")
    assert "given_name" not in attributes(carol)
    assert carol["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    for missing in ("bob", "eve"):
        assert code(idp.admin_get_user, UserPoolId=pool, Username=missing) == "UserNotFoundException"
    # ("eve smith" is no valid Username to look up; the pool's list shows it is not there.)
    listed = {u["Username"] for u in idp.list_users(UserPoolId=pool, Limit=60)["Users"]}
    assert listed == {"carol", *expected}

    # No message was sent for an imported user (note §6 "Messages").
    assert outbox(cognate_url, "destination=alice@example.com") == []

    # Sign-in: a password reset is required; ForgotPassword's code then sets one.
    assert code(idp.initiate_auth, ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}) == "PasswordResetRequiredException"
    delivery = idp.forgot_password(ClientId=client, Username="alice")["CodeDeliveryDetails"]
    assert delivery["DeliveryMedium"] == "EMAIL"
    [message] = outbox(cognate_url, "destination=alice@example.com")
    idp.confirm_forgot_password(ClientId=client, Username="alice", ConfirmationCode=message["code"], Password=NEW_PASSWORD)
    tokens = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "alice", "PASSWORD": NEW_PASSWORD})["AuthenticationResult"]
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    assert idp.admin_get_user(UserPoolId=pool, Username="alice")["UserStatus"] == "CONFIRMED"


def test_a_file_of_mostly_bad_rows_fails_the_job(idp):
    """The threshold is unconfirmed (note §3): cognate fails a job where more rows were
    refused than imported. One good row, three without a true email_verified."""
    pool, _ = make_pool(idp)
    header = ["cognito:username", "email", "email_verified"]
    rows = [{"cognito:username": "ok", "email": "ok@example.com", "email_verified": "TRUE"}]
    rows += [{"cognito:username": f"bad{i}", "email": f"bad{i}@example.com", "email_verified": "FALSE"} for i in range(3)]
    job = upload(idp, pool, create_job(idp, pool), csv_text(header, rows))
    idp.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
    done = wait_done(idp, pool, job["JobId"])
    assert done["Status"] == "Failed", done
    assert done["CompletionMessage"] == TOO_MANY_FAILED
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (1, 0, 3), done
    assert isinstance(done["CompletionDate"], datetime.datetime)


# --- Start and Stop in the wrong state ---------------------------------------------------------


def test_a_job_cannot_be_started_twice_nor_stopped_once_finished(idp):
    """Unconfirmed errors (note §5): cognate answers PreconditionNotMetException."""
    pool, _ = make_pool(idp)
    job = upload(idp, pool, create_job(idp, pool), simple_file(0, 3))
    idp.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
    assert code(idp.start_user_import_job, UserPoolId=pool, JobId=job["JobId"]) == "PreconditionNotMetException"
    done = wait_done(idp, pool, job["JobId"])
    assert done["Status"] == "Succeeded", done
    assert code(idp.start_user_import_job, UserPoolId=pool, JobId=job["JobId"]) == "PreconditionNotMetException"
    assert code(idp.stop_user_import_job, UserPoolId=pool, JobId=job["JobId"]) == "PreconditionNotMetException"
    assert describe(idp, pool, job["JobId"]) == done


def test_a_job_that_was_never_started_cannot_be_stopped(idp):
    pool, _ = make_pool(idp)
    job = create_job(idp, pool)
    assert code(idp.stop_user_import_job, UserPoolId=pool, JobId=job["JobId"]) == "PreconditionNotMetException"
    assert describe(idp, pool, job["JobId"])["Status"] == "Created"


def test_an_unknown_job_is_resource_not_found(idp):
    pool, _ = make_pool(idp)
    unknown = "import-0000000000"
    for call in (idp.describe_user_import_job, idp.start_user_import_job, idp.stop_user_import_job):
        assert code(call, UserPoolId=pool, JobId=unknown) == "ResourceNotFoundException", call


def test_a_running_job_is_stopped_by_the_developer(idp):
    """StopUserImportJob answers Stopped at once with its CompletionMessage (note §3); the job
    imports nothing more and "cannot be restarted" [DG]."""
    rows = 20000
    pool, _ = make_pool(idp)
    job = upload(idp, pool, create_job(idp, pool), simple_file(0, rows))
    idp.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
    try:
        stopped = idp.stop_user_import_job(UserPoolId=pool, JobId=job["JobId"])["UserImportJob"]
    except ClientError as e:
        assert e.response["Error"]["Code"] == "PreconditionNotMetException"
        finished = describe(idp, pool, job["JobId"])
        pytest.skip(f"the job had already ended ({finished['Status']}, {finished['ImportedUsers']} imported) "
                    "before StopUserImportJob arrived")
    assert stopped["Status"] == "Stopped", stopped
    assert stopped["CompletionMessage"] == STOPPED
    assert isinstance(stopped["StartDate"], datetime.datetime)
    assert isinstance(stopped["CompletionDate"], datetime.datetime)
    assert stopped["CompletionDate"] >= stopped["StartDate"]
    assert stopped["ImportedUsers"] < rows

    # Nothing more is imported once stopped: the job and its counters stay as they are.
    time.sleep(1.0)
    later = describe(idp, pool, job["JobId"])
    assert later["Status"] == "Stopped"
    assert later["CompletionMessage"] == STOPPED
    assert (later["ImportedUsers"], later["SkippedUsers"], later["FailedUsers"]) == (
        stopped["ImportedUsers"], stopped["SkippedUsers"], stopped["FailedUsers"])
    listed = idp.list_users(UserPoolId=pool)
    total = len(listed["Users"])
    while "PaginationToken" in listed:
        listed = idp.list_users(UserPoolId=pool, PaginationToken=listed["PaginationToken"])
        total += len(listed["Users"])
    assert total == stopped["ImportedUsers"]

    assert code(idp.start_user_import_job, UserPoolId=pool, JobId=job["JobId"]) == "PreconditionNotMetException"
    assert code(idp.stop_user_import_job, UserPoolId=pool, JobId=job["JobId"]) == "PreconditionNotMetException"


# --- ListUserImportJobs ------------------------------------------------------------------------


def test_jobs_are_listed_newest_first_in_pages(idp):
    """"from last created to first created" (note §4)."""
    pool, _ = make_pool(idp)
    ids = []
    for i in range(3):
        ids.append(create_job(idp, pool, name=f"job {i}")["JobId"])
        time.sleep(0.02)
    first = idp.list_user_import_jobs(UserPoolId=pool, MaxResults=2)
    assert [j["JobId"] for j in first["UserImportJobs"]] == [ids[2], ids[1]]
    assert first["UserImportJobs"][0]["JobName"] == "job 2"
    assert all(j["Status"] == "Created" and j["PreSignedUrl"] for j in first["UserImportJobs"])
    assert first.get("PaginationToken")
    second = idp.list_user_import_jobs(UserPoolId=pool, MaxResults=2, PaginationToken=first["PaginationToken"])
    assert [j["JobId"] for j in second["UserImportJobs"]] == [ids[0]]
    assert "PaginationToken" not in second
    whole = idp.list_user_import_jobs(UserPoolId=pool, MaxResults=60)
    assert [j["JobId"] for j in whole["UserImportJobs"]] == ids[::-1]
    assert "PaginationToken" not in whole


def test_jobs_of_another_pool_are_not_listed(idp):
    pool, _ = make_pool(idp)
    other, _ = make_pool(idp)
    create_job(idp, other)
    assert idp.list_user_import_jobs(UserPoolId=pool, MaxResults=10).get("UserImportJobs", []) == []


@pytest.mark.parametrize("max_results", [0, 61])
def test_max_results_outside_one_to_sixty_is_an_invalid_parameter(unvalidated, max_results):
    """[M] PoolQueryLimitType: 1..60."""
    pool, _ = make_pool(unvalidated)
    create_job(unvalidated, pool)
    assert code(unvalidated.list_user_import_jobs, UserPoolId=pool,
                MaxResults=max_results) == "InvalidParameterException"


def test_listing_an_unknown_pool_is_resource_not_found(idp):
    assert code(idp.list_user_import_jobs, UserPoolId="us-east-1_Nowhere0", MaxResults=5) == "ResourceNotFoundException"


# --- expiry ------------------------------------------------------------------------------------


def test_a_job_not_started_within_a_day_expires(own_cognate):
    """Note §3: a Created job expires after 24 h, with a CompletionDate and no StartDate, and
    can no longer be started."""
    idp = own_cognate.idp
    pool, _ = make_pool(idp)
    job = upload(idp, pool, create_job(idp, pool), simple_file(0, 2))
    own_cognate.advance(25 * 3600)
    expired = describe(idp, pool, job["JobId"])
    assert expired["Status"] == "Expired", expired
    assert expired["CompletionMessage"] == EXPIRED
    assert isinstance(expired["CompletionDate"], datetime.datetime)
    assert expired["CompletionDate"] - expired["CreationDate"] >= datetime.timedelta(hours=24)
    assert "StartDate" not in expired
    assert code(idp.start_user_import_job, UserPoolId=pool, JobId=job["JobId"]) == "PreconditionNotMetException"
    assert code(idp.stop_user_import_job, UserPoolId=pool, JobId=job["JobId"]) == "PreconditionNotMetException"
    [listed] = idp.list_user_import_jobs(UserPoolId=pool, MaxResults=5)["UserImportJobs"]
    assert listed["Status"] == "Expired"
    assert code(idp.admin_get_user, UserPoolId=pool, Username="user0") == "UserNotFoundException"


# --- a large file ------------------------------------------------------------------------------


def test_a_hundred_thousand_users_import_while_the_api_answers(idp):
    """A big file runs in steps: DescribeUserImportJob shows ImportedUsers rising while the
    job is InProgress, and other calls answer meanwhile."""
    rows = 100_000
    pool, _ = make_pool(idp)
    job = upload(idp, pool, create_job(idp, pool), simple_file(0, rows))
    began = time.monotonic()
    idp.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])

    seen = []  # (status, imported) of every poll
    other_calls = 0
    deadline = began + 600
    while True:
        now = describe(idp, pool, job["JobId"])
        seen.append((now["Status"], now["ImportedUsers"]))
        if now["Status"] in ENDED:
            break
        assert time.monotonic() < deadline, f"still {now['Status']} with {now['ImportedUsers']} imported"
        assert "Users" in idp.list_users(UserPoolId=pool, Limit=1)
        other_calls += 1
        time.sleep(0.1)
    took = time.monotonic() - began
    print(f"\n100,000-row import took {took:.1f} s, {len(seen)} polls")

    assert now["Status"] == "Succeeded", now
    assert now["CompletionMessage"] == SUCCEEDED
    assert (now["ImportedUsers"], now["SkippedUsers"], now["FailedUsers"]) == (rows, 0, 0), now
    running = [n for s, n in seen if s == "InProgress" and 0 < n < rows]
    assert running, f"no poll saw the job part-way: {seen[:5]} ... {seen[-5:]}"
    counts = [n for _, n in seen]
    assert counts == sorted(counts), "ImportedUsers never goes down"
    assert other_calls > 0
    assert idp.admin_get_user(UserPoolId=pool, Username=f"user{rows - 1}")["UserStatus"] == "RESET_REQUIRED"


# --- a pool with no auto-verified attributes ---------------------------------------------------


def test_a_pool_without_auto_verified_attributes_does_not_start_a_job(idp):
    """"If the user pool has no auto-verified attributes, the import job will not start"
    (note §2); the error is unconfirmed: cognate answers PreconditionNotMetException."""
    pool, _ = make_pool(idp, auto=None)
    assert not idp.describe_user_pool(UserPoolId=pool)["UserPool"].get("AutoVerifiedAttributes")
    job = upload(idp, pool, create_job(idp, pool), simple_file(0, 2))
    assert code(idp.start_user_import_job, UserPoolId=pool, JobId=job["JobId"]) == "PreconditionNotMetException"
    assert describe(idp, pool, job["JobId"])["Status"] == "Created"
