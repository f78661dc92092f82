"""CustomSMSSender and CustomEmailSender: decrypt the code as cognate encrypts it (see README)
and "send" it by storing it, with the trigger source it came with, on the user."""
import base64
import hashlib
import json
import os
import sys

import boto3
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

event = json.load(sys.stdin)
kms_key_id = os.environ.get("KMS_KEY_ID", "arn:aws:kms:us-east-1:000000000000:key/test-key")
blob = base64.b64decode(event["request"]["code"])
key = hashlib.sha256(b"cognate:" + kms_key_id.encode()).digest()
code = AESGCM(key).decrypt(blob[:12], blob[12:], None).decode()
assert event["request"]["type"] in ("customSMSSenderRequestV1", "customEmailSenderRequestV1")
idp = boto3.client("cognito-idp", region_name=event["region"])
idp.admin_update_user_attributes(UserPoolId=event["userPoolId"], Username=event["userName"], UserAttributes=[
    {"Name": "custom:last_code", "Value": code},
    {"Name": "custom:last_source", "Value": event["triggerSource"]},
])
print(json.dumps(event))
