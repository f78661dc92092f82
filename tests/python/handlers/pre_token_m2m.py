"""PreTokenGeneration (V3) for machine tokens: adds claims from what the event carries (the
client, the request's client metadata, the scopes it saw), drops one scope and adds another."""
import json
import sys

event = json.load(sys.stdin)
if event["triggerSource"] == "TokenGeneration_ClientCredentials":
    event["response"]["claimsAndScopeOverrideDetails"] = {"accessTokenGeneration": {
        "claimsToAddOrOverride": {
            "caller": event["callerContext"]["clientId"],
            "tenant": event["request"]["clientMetadata"].get("tenant", "none"),
            "seen_scopes": " ".join(event["request"]["scopes"]),
            "event_version": event["version"],
            "event_user": event["userName"],
            "version": 9,
            "sub": "not-allowed",
        },
        "scopesToSuppress": ["https://api.example.com/write"],
        "scopesToAdd": ["https://api.example.com/extra"],
    }}
print(json.dumps(event))
