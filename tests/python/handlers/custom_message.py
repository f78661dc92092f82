"""CustomMessage: branded sign-up and invitation messages."""
import json
import sys

event = json.load(sys.stdin)
source = event["triggerSource"]
if source == "CustomMessage_SignUp":
    event["response"]["emailSubject"] = "Welcome to Acme"
    event["response"]["emailMessage"] = f"Your Acme code is {event['request']['codeParameter']}"
elif source == "CustomMessage_AdminCreateUser":
    event["response"]["emailSubject"] = "You are invited"
    event["response"]["emailMessage"] = (
        f"Hi {event['request']['usernameParameter']}, your password is {event['request']['codeParameter']}"
    )
print(json.dumps(event))
