"""UserMigration: a legacy user store of one user, "legacy@example.com" / "Legacy!pass1"."""
import json
import sys

event = json.load(sys.stdin)
attrs = {"email": "legacy@example.com", "email_verified": "true", "name": "Old Timer"}
if event["userName"] == "legacy@example.com":
    if event["triggerSource"] == "UserMigration_Authentication":
        if event["request"]["password"] != "Legacy!pass1":
            print(json.dumps({"errorMessage": "Bad password", "errorType": "Exception"}))
            sys.exit(1)
        event["response"] = {"userAttributes": attrs, "finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS"}
    else:
        event["response"] = {"userAttributes": attrs, "messageAction": "SUPPRESS"}
print(json.dumps(event))
