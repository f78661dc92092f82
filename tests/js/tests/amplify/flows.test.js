// Amplify JS v6 beyond the seed guide: refresh, global sign-out and the sign-in steps that
// Cognito's errors and challenges turn into.
import { Amplify } from 'aws-amplify';
import { signIn, signOut, fetchAuthSession, confirmSignIn, confirmSignUp, signUp } from 'aws-amplify/auth';
import amplifyConfig from '../../src/aws-exports.js';
import { call, reset, lastCode, POOL } from '../api.js';

beforeAll(() => Amplify.configure(amplifyConfig));
beforeEach(async () => {
  await signOut().catch(() => {});
  await reset();
});

const user = { username: 'testuser@example.com', password: 'TestPass123!' };

it('refreshes with GetTokensFromRefreshToken when forced', async () => {
  await signIn(user);
  const before = await fetchAuthSession();
  const after = await fetchAuthSession({ forceRefresh: true });
  expect(after.tokens.accessToken.toString()).not.toBe(before.tokens.accessToken.toString());
  expect(after.tokens.idToken.payload.origin_jti).toBe(before.tokens.idToken.payload.origin_jti);
  await call('GetUser', { AccessToken: after.tokens.accessToken.toString() });
});

it('signs out everywhere with global sign-out', async () => {
  await signIn(user);
  const { tokens } = await fetchAuthSession();
  await signOut({ global: true });
  await expect(call('GetUser', { AccessToken: tokens.accessToken.toString() })).rejects.toThrow('Access Token has been revoked');
});

it('revokes the refresh token on a local sign-out', async () => {
  await signIn(user);
  const { tokens } = await fetchAuthSession();
  await signOut();
  // Amplify sent RevokeToken because the token carries origin_jti: its access token is dead too.
  await expect(call('GetUser', { AccessToken: tokens.accessToken.toString() })).rejects.toThrow('Access Token has been revoked');
});

it('turns an unconfirmed user into the CONFIRM_SIGN_UP step', async () => {
  await signUp({ username: 'fresh@example.com', password: 'Fresh123!pass' });
  const result = await signIn({ username: 'fresh@example.com', password: 'Fresh123!pass' });
  expect(result.isSignedIn).toBe(false);
  expect(result.nextStep.signInStep).toBe('CONFIRM_SIGN_UP');
  await confirmSignUp({ username: 'fresh@example.com', confirmationCode: await lastCode('fresh@example.com') });
  const again = await signIn({ username: 'fresh@example.com', password: 'Fresh123!pass' });
  expect(again.isSignedIn).toBe(true);
});

it('walks NEW_PASSWORD_REQUIRED through confirmSignIn', async () => {
  await call('AdminCreateUser', {
    UserPoolId: POOL,
    Username: 'invited@example.com',
    TemporaryPassword: 'Temp0rary!x',
    MessageAction: 'SUPPRESS',
  });
  const result = await signIn({ username: 'invited@example.com', password: 'Temp0rary!x' });
  expect(result.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
  const done = await confirmSignIn({ challengeResponse: 'Perman3nt!pass' });
  expect(done.isSignedIn).toBe(true);
  await signOut();
  expect((await signIn({ username: 'invited@example.com', password: 'Perman3nt!pass' })).isSignedIn).toBe(true);
});
