"""Point-in-time recovery through boto3: InitiatePointInTimeRecovery's preview of what undoing
the changes since a point would do, the pause of the pool's user-data writes while a recovery is
active (sign-in keeps working), StartPointInTimeRecovery taking users, attributes and group
memberships back (passwords changed since are kept), CancelPointInTimeRecovery, the expiry of a
preview after 24 hours, Describe/ListPointInTimeRecoveries, and Initiate's validation of the point
and the feature plan.

Facts about AWS come from docs/research/newest-operations.md section 4 ("note §4.N" below). Where
the note leaves an error unconfirmed (a blocked write, Start or Cancel in a wrong state), the test
pins cognate's choice and says so; only error codes are asserted, never cognate's own texts.

Every test moves cognate's clock (a recovery point must be at least 15 minutes old), so they run
against a cognate of this module's own (`own_cognate`), as test_sessions.py does.
"""

import datetime
import json
import re
import urllib.request
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError


REGION = "us-east-1"
OLD_PASSWORD = "Recover1!old"
NEW_PASSWORD = "Recover2!new"
RESTORE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MINUTE = 60
HOUR = 3600
DAY = 86400


# --- helpers -----------------------------------------------------------------------------------


def code(call, **kwargs):
    """The error code a call is refused with, as a boto3 user reads it."""
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"]


def at(seconds):
    """Epoch seconds as the datetime boto3 sends."""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def epoch(value):
    return value.timestamp()


class Pool:
    """A user pool with a client allowing ADMIN_USER_PASSWORD_AUTH and a group 'admins'."""

    def __init__(self, idp, tier=None):
        self.idp = idp
        kwargs = {"UserPoolTier": tier} if tier else {}
        pool = idp.create_user_pool(PoolName="recovery", **kwargs)["UserPool"]
        self.id = pool["Id"]
        self.created = epoch(pool["CreationDate"])
        self.client_id = idp.create_user_pool_client(
            UserPoolId=self.id, ClientName="admin", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        idp.create_group(UserPoolId=self.id, GroupName="admins")

    def add_user(self, username, given_name=None):
        attributes = [{"Name": "email", "Value": f"{username}@example.com"},
                      {"Name": "email_verified", "Value": "true"}]
        if given_name:
            attributes.append({"Name": "given_name", "Value": given_name})
        self.idp.admin_create_user(UserPoolId=self.id, Username=username, MessageAction="SUPPRESS",
                                   UserAttributes=attributes)
        self.idp.admin_set_user_password(UserPoolId=self.id, Username=username, Password=OLD_PASSWORD, Permanent=True)
        return username

    def user(self, username):
        return self.idp.admin_get_user(UserPoolId=self.id, Username=username)

    def attribute(self, username, name):
        attrs = {a["Name"]: a["Value"] for a in self.user(username)["UserAttributes"]}
        return attrs.get(name)

    def groups_of(self, username):
        groups = self.idp.admin_list_groups_for_user(UserPoolId=self.id, Username=username)["Groups"]
        return [g["GroupName"] for g in groups]

    def usernames(self):
        return sorted(u["Username"] for u in self.idp.list_users(UserPoolId=self.id)["Users"])

    def sign_in(self, username, password):
        return self.idp.admin_initiate_auth(
            UserPoolId=self.id, ClientId=self.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )

    def initiate(self, point):
        return self.idp.initiate_point_in_time_recovery(UserPoolId=self.id, RestoreTimestamp=at(point))["Restoration"]

    def start(self, restore_id):
        return self.idp.start_point_in_time_recovery(UserPoolId=self.id, RestoreId=restore_id)["Restoration"]

    def cancel(self, restore_id):
        return self.idp.cancel_point_in_time_recovery(UserPoolId=self.id, RestoreId=restore_id)["Restoration"]

    def describe(self, restore_id):
        return self.idp.describe_point_in_time_recovery(UserPoolId=self.id, RestoreId=restore_id)["Restoration"]

    def create_writes(self, username):
        """Whether AdminCreateUser is taken (True) or refused as paused (False)."""
        try:
            self.idp.admin_create_user(UserPoolId=self.id, Username=username, MessageAction="SUPPRESS")
            return True
        except ClientError as e:
            assert e.response["Error"]["Code"] == "OperationNotEnabledException", e.response
            return False


class Scenario:
    """Step 1 of the brief: alice, bob (in admins) and carol; 20 minutes on, the point T; a
    minute after T alice deleted, bob renamed and taken out of admins, dave created and carol's
    password changed; then 20 minutes more, so that T is a valid recovery point."""

    def __init__(self, cognate):
        self.cognate = cognate
        self.pool = pool = Pool(cognate.idp)
        for name, given in (("alice", "Alice"), ("bob", "Bob"), ("carol", "Carol")):
            pool.add_user(name, given)
        cognate.idp.admin_add_user_to_group(UserPoolId=pool.id, Username="bob", GroupName="admins")
        self.alice_sub = pool.attribute("alice", "sub")
        cognate.advance(20 * MINUTE)
        self.point = cognate.now()
        cognate.advance(1 * MINUTE)
        idp = cognate.idp
        idp.admin_delete_user(UserPoolId=pool.id, Username="alice")
        idp.admin_update_user_attributes(UserPoolId=pool.id, Username="bob",
                                         UserAttributes=[{"Name": "given_name", "Value": "Robert"}])
        idp.admin_remove_user_from_group(UserPoolId=pool.id, Username="bob", GroupName="admins")
        pool.add_user("dave", "Dave")
        idp.admin_set_user_password(UserPoolId=pool.id, Username="carol", Password=NEW_PASSWORD, Permanent=True)
        cognate.advance(20 * MINUTE)


@pytest.fixture
def scenario(own_cognate):
    return Scenario(own_cognate)


# --- the preview -------------------------------------------------------------------------------


def test_initiate_previews_what_undoing_the_changes_since_the_point_would_do(own_cognate, scenario):
    """Note §4.2: CreateCount counts users deleted since the point (alice), UpdateCount users
    modified since (bob's attribute, carol's password), DeleteCount users created since (dave).
    bob's membership change is no user change of its own: recovery.rs's preview counts users only,
    each once, by comparing the record at the point with the one now."""
    restoration = scenario.pool.initiate(scenario.point)
    now = own_cognate.now()
    assert set(restoration) == {"RestoreId", "RestoreStatus", "RestoreTimestamp", "TriggerTimestamp", "RestorePreview"}
    assert RESTORE_ID.match(restoration["RestoreId"]), restoration["RestoreId"]
    assert restoration["RestoreStatus"] == "PREVIEW_GENERATED"
    assert epoch(restoration["RestoreTimestamp"]) == pytest.approx(scenario.point, abs=0.002)
    assert epoch(restoration["TriggerTimestamp"]) == pytest.approx(now, abs=5)
    assert restoration["RestorePreview"] == [
        {"Entity": "Users", "CreateCount": 1, "UpdateCount": 2, "DeleteCount": 1},
    ]


def test_describe_returns_the_initiated_recovery(own_cognate, scenario):
    restoration = scenario.pool.initiate(scenario.point)
    assert scenario.pool.describe(restoration["RestoreId"]) == restoration


def test_a_preview_of_a_point_with_no_changes_since_counts_nothing(own_cognate):
    pool = Pool(own_cognate.idp)
    pool.add_user("alice")
    own_cognate.advance(20 * MINUTE)
    restoration = pool.initiate(own_cognate.now() - 16 * MINUTE)
    assert restoration["RestorePreview"] == [{"Entity": "Users", "CreateCount": 0, "UpdateCount": 0, "DeleteCount": 0}]


# --- while a recovery is active -----------------------------------------------------------------


def test_while_previewed_user_data_writes_are_paused(own_cognate, scenario):
    """Note §4.4: writes such as user creation and attribute updates are blocked. Which error is
    UNCONFIRMED; cognate answers OperationNotEnabledException."""
    pool = scenario.pool
    scenario.pool.initiate(scenario.point)
    assert code(pool.idp.admin_create_user, UserPoolId=pool.id, Username="erin",
                MessageAction="SUPPRESS") == "OperationNotEnabledException"
    assert code(pool.idp.admin_update_user_attributes, UserPoolId=pool.id, Username="bob",
                UserAttributes=[{"Name": "given_name", "Value": "Bobby"}]) == "OperationNotEnabledException"
    # Nothing was written.
    assert "erin" not in pool.usernames()
    assert pool.attribute("bob", "given_name") == "Robert"


def test_while_previewed_sign_in_keeps_working(own_cognate, scenario):
    """Note §4.4: "Sign-in and reads keep working". A wrong password is still a wrong password,
    not a paused write (the failed-attempt count is sign-in's own bookkeeping)."""
    pool = scenario.pool
    pool.initiate(scenario.point)
    result = pool.sign_in("carol", NEW_PASSWORD)["AuthenticationResult"]
    assert result["AccessToken"] and result["IdToken"]
    assert code(pool.sign_in, username="carol", password="Wrong9!password") == "NotAuthorizedException"
    # Reads, too.
    assert pool.attribute("bob", "given_name") == "Robert"


def test_a_second_initiate_while_one_is_active_is_limit_exceeded(own_cognate, scenario):
    """Note §4.4: one active recovery per pool."""
    pool = scenario.pool
    first = pool.initiate(scenario.point)
    assert code(pool.idp.initiate_point_in_time_recovery, UserPoolId=pool.id,
                RestoreTimestamp=at(scenario.point)) == "LimitExceededException"
    assert pool.describe(first["RestoreId"])["RestoreStatus"] == "PREVIEW_GENERATED"


# --- Start -------------------------------------------------------------------------------------


def test_start_completes_the_recovery(own_cognate, scenario):
    pool = scenario.pool
    restore_id = pool.initiate(scenario.point)["RestoreId"]
    restoration = pool.start(restore_id)
    assert restoration["RestoreId"] == restore_id
    assert restoration["RestoreStatus"] == "RESTORE_COMPLETED"
    assert epoch(restoration["RestoreTimestamp"]) == pytest.approx(scenario.point, abs=0.002)
    assert pool.describe(restore_id)["RestoreStatus"] == "RESTORE_COMPLETED"


def test_start_takes_the_users_back_to_the_point(own_cognate, scenario):
    """Note §4.4 "What is restored": profiles and attributes, group memberships."""
    pool = scenario.pool
    pool.start(pool.initiate(scenario.point)["RestoreId"])
    # alice, deleted after the point, is back as herself.
    assert pool.attribute("alice", "sub") == scenario.alice_sub
    assert pool.attribute("alice", "given_name") == "Alice"
    # bob's attribute and membership are as they were.
    assert pool.attribute("bob", "given_name") == "Bob"
    assert pool.groups_of("bob") == ["admins"]
    # dave, created after the point, is gone.
    assert code(pool.idp.admin_get_user, UserPoolId=pool.id, Username="dave") == "UserNotFoundException"
    assert pool.usernames() == ["alice", "bob", "carol"]


def test_start_keeps_passwords_changed_after_the_point(own_cognate, scenario):
    """Note §4.4: "Users who changed their password after the recovery point keep their current
    password"."""
    pool = scenario.pool
    pool.start(pool.initiate(scenario.point)["RestoreId"])
    assert pool.sign_in("carol", NEW_PASSWORD)["AuthenticationResult"]["AccessToken"]
    assert code(pool.sign_in, username="carol", password=OLD_PASSWORD) == "NotAuthorizedException"
    # alice's password is the one she had.
    assert pool.sign_in("alice", OLD_PASSWORD)["AuthenticationResult"]["AccessToken"]


def test_after_start_writes_resume(own_cognate, scenario):
    """Note §4.3: RESTORE_COMPLETED resumes writes."""
    pool = scenario.pool
    pool.start(pool.initiate(scenario.point)["RestoreId"])
    assert pool.create_writes("erin")
    assert "erin" in pool.usernames()


def test_a_completed_recovery_can_be_neither_started_nor_cancelled_again(own_cognate, scenario):
    """Note §4.3: Start only in PREVIEW_GENERATED, Cancel never after Start. The error is
    UNCONFIRMED; cognate answers InvalidParameterException."""
    pool = scenario.pool
    restore_id = pool.initiate(scenario.point)["RestoreId"]
    pool.start(restore_id)
    assert code(pool.idp.start_point_in_time_recovery, UserPoolId=pool.id, RestoreId=restore_id) == "InvalidParameterException"
    assert code(pool.idp.cancel_point_in_time_recovery, UserPoolId=pool.id, RestoreId=restore_id) == "InvalidParameterException"
    assert pool.describe(restore_id)["RestoreStatus"] == "RESTORE_COMPLETED"


# --- Cancel ------------------------------------------------------------------------------------


def test_cancel_resumes_writes_and_restores_nothing(own_cognate, scenario):
    """Note §4.3: Cancel → PREVIEW_CANCELLED, which resumes writes and leaves the data as it is."""
    pool = scenario.pool
    restore_id = pool.initiate(scenario.point)["RestoreId"]
    restoration = pool.cancel(restore_id)
    assert restoration["RestoreId"] == restore_id
    assert restoration["RestoreStatus"] == "PREVIEW_CANCELLED"
    assert pool.describe(restore_id)["RestoreStatus"] == "PREVIEW_CANCELLED"
    assert pool.create_writes("erin")
    assert pool.usernames() == ["bob", "carol", "dave", "erin"]
    assert pool.attribute("bob", "given_name") == "Robert"
    assert pool.groups_of("bob") == []


def test_a_cancelled_recovery_cannot_be_started_or_cancelled_again(own_cognate, scenario):
    """The error is UNCONFIRMED (note §4.3); cognate answers InvalidParameterException."""
    pool = scenario.pool
    restore_id = pool.initiate(scenario.point)["RestoreId"]
    pool.cancel(restore_id)
    assert code(pool.idp.start_point_in_time_recovery, UserPoolId=pool.id, RestoreId=restore_id) == "InvalidParameterException"
    assert code(pool.idp.cancel_point_in_time_recovery, UserPoolId=pool.id, RestoreId=restore_id) == "InvalidParameterException"
    assert "alice" not in pool.usernames()


def test_after_a_cancel_another_recovery_may_be_initiated(own_cognate, scenario):
    pool = scenario.pool
    pool.cancel(pool.initiate(scenario.point)["RestoreId"])
    assert pool.initiate(scenario.point)["RestoreStatus"] == "PREVIEW_GENERATED"


# --- expiry ------------------------------------------------------------------------------------


def test_a_preview_not_started_within_a_day_expires_and_writes_resume(own_cognate, scenario):
    """Note §4.3: a preview not started or cancelled within 24 h → PREVIEW_EXPIRED, which resumes
    writes."""
    pool = scenario.pool
    restore_id = pool.initiate(scenario.point)["RestoreId"]
    own_cognate.advance(25 * HOUR)
    assert pool.describe(restore_id)["RestoreStatus"] == "PREVIEW_EXPIRED"
    assert pool.create_writes("erin")
    # Nothing was restored, and an expired preview cannot be started.
    assert "alice" not in pool.usernames()
    assert code(pool.idp.start_point_in_time_recovery, UserPoolId=pool.id, RestoreId=restore_id) == "InvalidParameterException"


def test_writes_resume_at_expiry_without_anyone_asking_about_the_recovery(own_cognate, scenario):
    """The expiry itself resumes writes (note §4.3), not a later Describe or List of it."""
    pool = scenario.pool
    pool.initiate(scenario.point)
    own_cognate.advance(25 * HOUR)
    assert pool.create_writes("erin")


def test_a_preview_a_little_under_a_day_old_has_not_expired(own_cognate, scenario):
    pool = scenario.pool
    restore_id = pool.initiate(scenario.point)["RestoreId"]
    own_cognate.advance(23 * HOUR)
    assert pool.describe(restore_id)["RestoreStatus"] == "PREVIEW_GENERATED"
    assert not pool.create_writes("erin")


# --- validation --------------------------------------------------------------------------------


def test_a_point_less_than_fifteen_minutes_ago_is_an_invalid_parameter(own_cognate):
    """Note §4.4: "at least 15 minutes in the past"."""
    pool = Pool(own_cognate.idp)
    own_cognate.advance(30 * MINUTE)
    now = own_cognate.now()
    assert code(pool.idp.initiate_point_in_time_recovery, UserPoolId=pool.id,
                RestoreTimestamp=at(now - 14 * MINUTE)) == "InvalidParameterException"
    assert code(pool.idp.initiate_point_in_time_recovery, UserPoolId=pool.id,
                RestoreTimestamp=at(now + HOUR)) == "InvalidParameterException"
    # 16 minutes back is taken.
    assert pool.initiate(now - 16 * MINUTE)["RestoreStatus"] == "PREVIEW_GENERATED"


def test_a_point_before_the_pool_was_created_is_an_invalid_parameter(own_cognate):
    """Note §4.4: "can't be earlier than the creation time of the user pool"."""
    pool = Pool(own_cognate.idp)
    own_cognate.advance(30 * MINUTE)
    assert code(pool.idp.initiate_point_in_time_recovery, UserPoolId=pool.id,
                RestoreTimestamp=at(pool.created - MINUTE)) == "InvalidParameterException"


def test_a_point_older_than_a_day_on_essentials_is_an_invalid_parameter(own_cognate):
    """Note §4.4: Essentials recovers up to 1 day back."""
    pool = Pool(own_cognate.idp)  # ESSENTIALS by default
    own_cognate.advance(3 * DAY)
    now = own_cognate.now()
    assert code(pool.idp.initiate_point_in_time_recovery, UserPoolId=pool.id,
                RestoreTimestamp=at(now - 25 * HOUR)) == "InvalidParameterException"
    assert pool.initiate(now - 23 * HOUR)["RestoreStatus"] == "PREVIEW_GENERATED"


def test_a_plus_pool_recovers_two_days_back_but_not_fifteen(own_cognate):
    """Note §4.4: Plus recovers up to 14 days back."""
    pool = Pool(own_cognate.idp, tier="PLUS")
    own_cognate.advance(20 * DAY)
    now = own_cognate.now()
    assert code(pool.idp.initiate_point_in_time_recovery, UserPoolId=pool.id,
                RestoreTimestamp=at(now - 15 * DAY)) == "InvalidParameterException"
    assert pool.initiate(now - 2 * DAY)["RestoreStatus"] == "PREVIEW_GENERATED"


def test_a_lite_pool_has_no_recovery(own_cognate):
    """Note §4.4: LITE gets FeatureUnavailableInTierException."""
    pool = Pool(own_cognate.idp, tier="LITE")
    own_cognate.advance(30 * MINUTE)
    assert code(pool.idp.initiate_point_in_time_recovery, UserPoolId=pool.id,
                RestoreTimestamp=at(own_cognate.now() - 16 * MINUTE)) == "FeatureUnavailableInTierException"
    # And a LITE pool's writes are never paused.
    assert pool.create_writes("erin")


def test_an_unknown_restore_id_is_resource_not_found(own_cognate):
    pool = Pool(own_cognate.idp)
    unknown = str(uuid.uuid4())
    for call in (pool.idp.describe_point_in_time_recovery, pool.idp.start_point_in_time_recovery,
                 pool.idp.cancel_point_in_time_recovery):
        assert code(call, UserPoolId=pool.id, RestoreId=unknown) == "ResourceNotFoundException", call


def test_an_unknown_pool_is_resource_not_found(own_cognate):
    idp = own_cognate.idp
    nowhere = "us-east-1_Nowhere0"
    own_cognate.advance(30 * MINUTE)
    point = at(own_cognate.now() - 16 * MINUTE)
    assert code(idp.initiate_point_in_time_recovery, UserPoolId=nowhere, RestoreTimestamp=point) == "ResourceNotFoundException"
    assert code(idp.describe_point_in_time_recovery, UserPoolId=nowhere,
                RestoreId=str(uuid.uuid4())) == "ResourceNotFoundException"
    assert code(idp.list_point_in_time_recoveries, UserPoolId=nowhere) == "ResourceNotFoundException"


def test_another_pools_restore_id_is_resource_not_found(own_cognate):
    pool, other = Pool(own_cognate.idp), Pool(own_cognate.idp)
    own_cognate.advance(30 * MINUTE)
    restore_id = pool.initiate(own_cognate.now() - 16 * MINUTE)["RestoreId"]
    assert code(other.idp.describe_point_in_time_recovery, UserPoolId=other.id,
                RestoreId=restore_id) == "ResourceNotFoundException"


# --- List --------------------------------------------------------------------------------------


def test_list_is_most_recent_first_without_previews_and_pages(own_cognate):
    """Note §4.2: list items carry RestoreId, RestoreStatus and RestoreTimestamp, most recent
    first. Three previews: AWS allows three per pool per day (note §4.4)."""
    pool = Pool(own_cognate.idp)
    own_cognate.advance(30 * MINUTE)
    made = []
    for i in range(3):
        point = own_cognate.now() - 16 * MINUTE
        restoration = pool.initiate(point)
        made.append({"RestoreId": restoration["RestoreId"], "RestoreTimestamp": restoration["RestoreTimestamp"]})
        if i < 2:
            pool.cancel(restoration["RestoreId"])
        own_cognate.advance(MINUTE)
    expected = [
        {**made[2], "RestoreStatus": "PREVIEW_GENERATED"},
        {**made[1], "RestoreStatus": "PREVIEW_CANCELLED"},
        {**made[0], "RestoreStatus": "PREVIEW_CANCELLED"},
    ]

    listed = pool.idp.list_point_in_time_recoveries(UserPoolId=pool.id)
    assert listed["Restorations"] == expected
    assert "NextToken" not in listed

    pages, token = [], None
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = pool.idp.list_point_in_time_recoveries(UserPoolId=pool.id, MaxResults=1, **kwargs)
        assert len(page["Restorations"]) == 1, page
        pages += page["Restorations"]
        token = page.get("NextToken")
        if not token:
            break
        assert len(pages) < 3, page
    assert pages == expected


def test_a_pool_without_recoveries_lists_none(own_cognate):
    pool = Pool(own_cognate.idp)
    listed = pool.idp.list_point_in_time_recoveries(UserPoolId=pool.id)
    assert listed["Restorations"] == []
    assert "NextToken" not in listed
