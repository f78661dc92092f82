"""PreTokenGeneration (V2): a claim and a scope in the access token."""
import json
import sys

event = json.load(sys.stdin)
assert event["version"] == "2" and "scopes" in event["request"]
event["response"]["claimsAndScopeOverrideDetails"] = {
    "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme"}, "scopesToAdd": ["orders/read"]},
}
print(json.dumps(event))
