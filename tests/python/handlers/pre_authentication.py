"""PreAuthentication: refuse users whose name starts with "blocked"."""
import json
import sys

event = json.load(sys.stdin)
if event["userName"].startswith("blocked"):
    print(json.dumps({"errorMessage": "This account is blocked", "errorType": "Exception"}))
    sys.exit(1)
print(json.dumps(event))
