"""PreSignUp, the seed guide's scenarios: refuse a blocked email domain; confirm and verify
users from a trusted one at once."""
import json
import sys

event = json.load(sys.stdin)
email = event["request"]["userAttributes"].get("email", "")
if email.endswith("@blocked-domain.com"):
    # What the Lambda runtime reports for `raise Exception(...)`.
    print(json.dumps({"errorMessage": "Registration from this domain is not allowed", "errorType": "Exception"}))
    sys.exit(1)
if email.endswith("@echo.example"):
    # Shows the test what the event held, through the error message Cognito passes on.
    request = event["request"]
    seen = f"{event['triggerSource']} {event['userName']} {sorted(request)} {sorted(request['userAttributes'])}"
    print(json.dumps({"errorMessage": seen, "errorType": "Exception"}))
    sys.exit(1)
if event["triggerSource"] == "PreSignUp_AdminCreateUser" and event["request"]["userAttributes"].get("email_verified") == "true":
    event["response"]["autoConfirmUser"] = True
if email.endswith("@trusted.example"):
    event["response"]["autoConfirmUser"] = True
    event["response"]["autoVerifyEmail"] = True
print(json.dumps(event))
