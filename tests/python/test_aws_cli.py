"""The AWS CLI against cognate, configured only by AWS_ENDPOINT_URL."""

import json
import os
import subprocess
import sys


def aws(*args):
    cli = os.path.join(os.path.dirname(sys.executable), "aws")
    return subprocess.run([cli, "cognito-idp", *args, "--output", "json"], capture_output=True, text=True, env=os.environ)


def test_admin_calls(cognate_url):
    created = aws("create-user-pool", "--pool-name", "cli-pool")
    assert created.returncode == 0, created.stderr
    pool_id = json.loads(created.stdout)["UserPool"]["Id"]

    user = aws("admin-create-user", "--user-pool-id", pool_id, "--username", "clive", "--message-action", "SUPPRESS",
               "--user-attributes", "Name=email,Value=clive@example.com")
    assert user.returncode == 0, user.stderr
    assert json.loads(user.stdout)["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    listed = aws("list-users", "--user-pool-id", pool_id, "--filter", 'email = "clive@example.com"')
    assert [u["Username"] for u in json.loads(listed.stdout)["Users"]] == ["clive"]

    missing = aws("admin-get-user", "--user-pool-id", pool_id, "--username", "nobody")
    assert missing.returncode != 0
    assert "UserNotFoundException" in missing.stderr and "User does not exist." in missing.stderr
