"""PreTokenGeneration (V1): a custom claim from a custom attribute, a suppressed claim, and the
user's groups plus one."""
import json
import sys

event = json.load(sys.stdin)
attrs = event["request"]["userAttributes"]
groups = event["request"]["groupConfiguration"]["groupsToOverride"]
event["response"]["claimsOverrideDetails"] = {
    "claimsToAddOrOverride": {"subscription_tier": attrs.get("custom:subscription_tier", "free")},
    "claimsToSuppress": ["phone_number"],
    "groupOverrideDetails": {"groupsToOverride": groups + ["from-trigger"]},
}
print(json.dumps(event))
