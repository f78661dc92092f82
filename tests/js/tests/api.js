// Test setup only (never the thing under test): plain calls to cognate's AWS JSON API, and
// its test endpoints.
export async function call(op, body) {
  const res = await fetch(process.env.COGNATE_URL, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${op}`,
    },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${op}: ${json.__type}: ${json.message}`);
  return json;
}

// The same for the identity-pool service (cognito-identity).
export async function identityCall(op, body) {
  const res = await fetch(process.env.COGNATE_URL, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityService.${op}`,
    },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${op}: ${json.__type}: ${json.message}`);
  return json;
}

// What credentials cognate handed out stand for (role, identity, pool), or null if it never
// issued them.
export async function credentialsOf(accessKeyId) {
  const res = await fetch(`${process.env.COGNATE_URL}/_cognate/credentials/${encodeURIComponent(accessKeyId)}`);
  if (res.status === 404) return null;
  return res.json();
}

export async function reset() {
  await fetch(`${process.env.COGNATE_URL}/_cognate/reset`, { method: 'POST' });
}

export async function lastCode(destination) {
  const res = await fetch(`${process.env.COGNATE_URL}/_cognate/outbox?destination=${encodeURIComponent(destination)}`);
  return (await res.json()).messages[0].code;
}

export const POOL = 'us-east-1_TestPoolId';
export const CLIENT = 'testclientid';

// The newest message cognate "sent" to `destination` (an email address or a phone number),
// whole: medium, kind, code, text.
export async function lastMessageTo(destination) {
  const res = await fetch(`${process.env.COGNATE_URL}/_cognate/outbox?destination=${encodeURIComponent(destination)}`);
  return (await res.json()).messages[0];
}
