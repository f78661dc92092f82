"""CustomMessage: branded sign-up, invitation and sign-in (MFA) messages."""
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
elif source == "CustomMessage_Authentication":
    # The MFA code of a sign-in.
    event["response"]["smsMessage"] = f"Acme sign-in code: {event['request']['codeParameter']}"
    event["response"]["emailSubject"] = "Your Acme sign-in"
    event["response"]["emailMessage"] = f"Acme sign-in code: {event['request']['codeParameter']}"
print(json.dumps(event))
