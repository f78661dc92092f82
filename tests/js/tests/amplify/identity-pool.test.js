// Amplify JS v6's fetchAuthSession against an identity pool of cognate's (identityPoolEndpoint):
// a guest's identity and credentials for the unauthenticated role, a signed-in user's for the
// authenticated role (the ID token sent under Amplify's Logins key, the issuer less its scheme),
// a forced refresh, and a guest who signs in. Which role each set of credentials stands for is
// asked of cognate (/_cognate/credentials), which also proves Amplify's calls reached it.
import { Amplify } from 'aws-amplify';
import { signIn, signOut, fetchAuthSession } from 'aws-amplify/auth';
import { call, identityCall, credentialsOf, reset } from '../api.js';

const GUEST_ROLE = 'arn:aws:iam::000000000000:role/cognate-guest';
const USER_ROLE = 'arn:aws:iam::000000000000:role/cognate-user';
const PASSWORD = 'Ident!pass123';
const IDENTITY_ID = /^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let poolId;
let clientId;
let provider;
let identityPoolId;

beforeAll(async () => {
  await reset();
  poolId = (await call('CreateUserPool', { PoolName: 'identity-pool' })).UserPool.Id;
  clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    })
  ).UserPoolClient.ClientId;
  // One user per test, so no test finds an identity another one linked.
  for (const username of ['ida', 'gus', 'hal']) {
    await call('AdminCreateUser', { UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' });
    await call('AdminSetUserPassword', { UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true });
  }
  // The provider as AWS names a user pool; Amplify's Logins key is `127.0.0.1:<port>/<poolId>`.
  provider = `cognito-idp.us-east-1.amazonaws.com/${poolId}`;
  identityPoolId = (
    await identityCall('CreateIdentityPool', {
      IdentityPoolName: 'amplify',
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [{ ProviderName: provider, ClientId: clientId }],
    })
  ).IdentityPoolId;
  await identityCall('SetIdentityPoolRoles', {
    IdentityPoolId: identityPoolId,
    Roles: { authenticated: USER_ROLE, unauthenticated: GUEST_ROLE },
  });
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        userPoolEndpoint: process.env.COGNATE_URL,
        identityPoolId,
        identityPoolEndpoint: process.env.COGNATE_URL,
        allowGuestAccess: true,
      },
    },
  });
});
// signOut clears Amplify's tokens, its cached credentials and its identity id (the guest id
// kept in storage too), signed in or not.
beforeEach(() => signOut().catch(() => {}));

// Cognate's time in milliseconds (another test file may have moved its clock on).
async function cognateNow() {
  const res = await fetch(`${process.env.COGNATE_URL}/_cognate/clock`);
  return (await res.json()).now * 1000;
}

// The session's credentials are well formed, last an hour, and are ones cognate issued for
// `role` to the session's identity.
async function expectCredentials(session, role) {
  const { credentials, identityId } = session;
  expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
  expect(credentials.secretAccessKey).toBeTruthy();
  expect(credentials.sessionToken).toBeTruthy();
  expect(credentials.expiration).toBeInstanceOf(Date);
  const ahead = credentials.expiration.getTime() - (await cognateNow());
  expect(ahead).toBeGreaterThan(3590 * 1000);
  expect(ahead).toBeLessThanOrEqual(3600 * 1000);
  expect(await credentialsOf(credentials.accessKeyId)).toMatchObject({
    RoleArn: role,
    IdentityId: identityId,
    IdentityPoolId: identityPoolId,
    Source: 'GetCredentialsForIdentity',
  });
}

const logins = async (identityId) => (await identityCall('DescribeIdentity', { IdentityId: identityId })).Logins;

it('gives a guest an identity and credentials for the unauthenticated role', async () => {
  const first = await fetchAuthSession();
  expect(first.tokens).toBeUndefined();
  expect(first.identityId).toMatch(IDENTITY_ID);
  await expectCredentials(first, GUEST_ROLE);
  expect(await logins(first.identityId)).toBeUndefined();

  // The same identity; the credentials come from Amplify's cache.
  const again = await fetchAuthSession();
  expect(again.identityId).toBe(first.identityId);
  expect(again.credentials.accessKeyId).toBe(first.credentials.accessKeyId);

  // Forced: new credentials for the stored identity.
  const forced = await fetchAuthSession({ forceRefresh: true });
  expect(forced.identityId).toBe(first.identityId);
  expect(forced.credentials.accessKeyId).not.toBe(first.credentials.accessKeyId);
  await expectCredentials(forced, GUEST_ROLE);

  // Signing out forgets the guest id, so the next guest is a new identity.
  await signOut();
  const next = await fetchAuthSession();
  expect(next.identityId).toMatch(IDENTITY_ID);
  expect(next.identityId).not.toBe(first.identityId);
});

it('gives a signed-in user credentials for the authenticated role, and new ones when forced', async () => {
  await signIn({ username: 'ida', password: PASSWORD });
  const first = await fetchAuthSession();
  expect(first.tokens.idToken.payload['cognito:username']).toBe('ida');
  expect(first.identityId).toMatch(IDENTITY_ID);
  await expectCredentials(first, USER_ROLE);
  // The identity is linked to the user pool, recorded under the identity pool's name for it.
  expect(await logins(first.identityId)).toEqual([provider]);
  // AWS's key for the same login finds the same identity.
  const byAwsKey = await identityCall('GetId', {
    IdentityPoolId: identityPoolId,
    Logins: { [provider]: first.tokens.idToken.toString() },
  });
  expect(byAwsKey.IdentityId).toBe(first.identityId);

  const again = await fetchAuthSession();
  expect(again.identityId).toBe(first.identityId);
  expect(again.credentials.accessKeyId).toBe(first.credentials.accessKeyId);

  // Forced: refreshed tokens, new credentials, the same identity.
  const forced = await fetchAuthSession({ forceRefresh: true });
  expect(forced.tokens.idToken.toString()).not.toBe(first.tokens.idToken.toString());
  expect(forced.identityId).toBe(first.identityId);
  expect(forced.credentials.accessKeyId).not.toBe(first.credentials.accessKeyId);
  await expectCredentials(forced, USER_ROLE);

  // A later sign-in (no stored id: Amplify asks GetId with the login) finds the same identity.
  await signOut();
  await signIn({ username: 'ida', password: PASSWORD });
  const later = await fetchAuthSession();
  expect(later.identityId).toBe(first.identityId);
  await expectCredentials(later, USER_ROLE);
});

// Amplify keeps a guest's id and, once signed in, sends it with the login to
// GetCredentialsForIdentity (no GetId), then adopts the IdentityId the answer names.
it("links a guest's identity to a first sign-in", async () => {
  const guest = await fetchAuthSession();
  await expectCredentials(guest, GUEST_ROLE);

  await signIn({ username: 'gus', password: PASSWORD });
  const signedIn = await fetchAuthSession();
  // The guest identity, now authenticated (DG "Switching unauthenticated users to
  // authenticated users": the old identity keeps its identifier).
  expect(signedIn.identityId).toBe(guest.identityId);
  await expectCredentials(signedIn, USER_ROLE);
  expect(await logins(guest.identityId)).toEqual([provider]);
  // Being authenticated now, the identity gives no guest credentials.
  await expect(identityCall('GetCredentialsForIdentity', { IdentityId: guest.identityId })).rejects.toThrow(
    `NotAuthorizedException: Access to Identity '${guest.identityId}' is forbidden.`,
  );

  // Signed in afresh, the user finds the same identity through GetId.
  await signOut();
  await signIn({ username: 'gus', password: PASSWORD });
  expect((await fetchAuthSession()).identityId).toBe(guest.identityId);
});

it("merges a guest into the identity a returning user's login already has", async () => {
  await signIn({ username: 'hal', password: PASSWORD });
  const own = (await fetchAuthSession()).identityId;
  await signOut();

  const guest = await fetchAuthSession();
  expect(guest.identityId).not.toBe(own);
  await expectCredentials(guest, GUEST_ROLE);

  await signIn({ username: 'hal', password: PASSWORD });
  const signedIn = await fetchAuthSession();
  // The answer names the login's identity, and Amplify switches to it.
  expect(signedIn.identityId).toBe(own);
  await expectCredentials(signedIn, USER_ROLE);
  expect(await logins(own)).toEqual([provider]);
  // The guest identity was merged away: no logins, and no more guest credentials.
  expect(await logins(guest.identityId)).toBeUndefined();
  await expect(identityCall('GetCredentialsForIdentity', { IdentityId: guest.identityId })).rejects.toThrow(
    `NotAuthorizedException: Access to Identity '${guest.identityId}' is forbidden.`,
  );

  // Amplify dropped the guest id on switching: after sign-out a guest is a new identity.
  await signOut();
  const next = await fetchAuthSession();
  expect([own, guest.identityId]).not.toContain(next.identityId);
  await expectCredentials(next, GUEST_ROLE);
});
