"""Fails the way its first argument says: error (a handler exception), raise, timeout, garbage."""
import json
import sys
import time

mode = sys.argv[1]
event = json.load(sys.stdin)
if mode == "error":
    print(json.dumps({"errorMessage": "Database is down", "errorType": "Exception"}))
    sys.exit(1)
if mode == "raise":
    raise RuntimeError("Registration from this domain is not allowed")
if mode == "timeout":
    time.sleep(10)
print("this is not an event")
