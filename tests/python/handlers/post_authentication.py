"""PostAuthentication: record the sign-in by putting the user in the "SignedIn" group."""
import json
import sys

import boto3

event = json.load(sys.stdin)
idp = boto3.client("cognito-idp", region_name=event["region"])
idp.admin_add_user_to_group(UserPoolId=event["userPoolId"], Username=event["userName"], GroupName="SignedIn")
print(json.dumps(event))
