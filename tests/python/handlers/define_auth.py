"""DefineAuthChallenge: one custom question; tokens once it is answered right, failure after
three wrong answers."""
import json
import sys

event = json.load(sys.stdin)
session = event["request"]["session"]
response = event["response"]
if session and session[-1]["challengeResult"]:
    response.update(issueTokens=True, failAuthentication=False)
elif len(session) >= 3:
    response.update(issueTokens=False, failAuthentication=True)
else:
    response.update(issueTokens=False, failAuthentication=False, challengeName="CUSTOM_CHALLENGE")
print(json.dumps(event))
