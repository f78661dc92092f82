"""CreateAuthChallenge: ask a question whose answer only the server knows."""
import json
import sys

event = json.load(sys.stdin)
round_no = len(event["request"]["session"]) + 1
event["response"].update(
    publicChallengeParameters={"question": "What is 6 x 7?"},
    privateChallengeParameters={"answer": "42"},
    challengeMetadata=f"QUESTION-{round_no}",
)
print(json.dumps(event))
