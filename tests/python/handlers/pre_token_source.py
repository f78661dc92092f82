"""PreTokenGeneration (V1): puts the event's triggerSource in the ID token, so that a test can
see which source a flow ran the trigger with."""
import json
import sys

event = json.load(sys.stdin)
event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"trigger_source": event["triggerSource"]}}
print(json.dumps(event))
