"""VerifyAuthChallengeResponse: compare the answer with the private parameter."""
import json
import sys

event = json.load(sys.stdin)
expected = event["request"]["privateChallengeParameters"]["answer"]
event["response"]["answerCorrect"] = event["request"]["challengeAnswer"] == expected
print(json.dumps(event))
