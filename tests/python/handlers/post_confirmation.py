"""PostConfirmation, the seed guide's scenario: put every confirmed user in the "Users" group.
It calls cognate back through boto3 (AWS_ENDPOINT_URL is inherited from cognate)."""
import json
import sys

import boto3

event = json.load(sys.stdin)
idp = boto3.client("cognito-idp", region_name=event["region"])
idp.admin_add_user_to_group(UserPoolId=event["userPoolId"], Username=event["userName"], GroupName="Users")
print(json.dumps(event))
