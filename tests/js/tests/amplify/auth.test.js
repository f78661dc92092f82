// tests/amplify/auth.test.js, from the seed guide, unchanged: the configuration it imports
// (src/aws-exports.js) points Amplify at cognate.
import { Amplify } from 'aws-amplify';
import { signIn, signOut, getCurrentUser, fetchAuthSession } from 'aws-amplify/auth';
import amplifyConfig from '../../src/aws-exports.js';

beforeAll(() => {
  Amplify.configure(amplifyConfig);
});

describe('Amplify Auth', () => {
  afterEach(async () => {
    try {
      await signOut();
    } catch {
      // Ignore if not signed in
    }
  });

  it('signs in with valid credentials', async () => {
    const result = await signIn({
      username: process.env.TEST_USER_EMAIL,
      password: process.env.TEST_USER_PASSWORD
    });
    expect(result.isSignedIn).toBe(true);
    expect(result.nextStep.signInStep).toBe('DONE');
  });

  it('rejects invalid credentials', async () => {
    await expect(signIn({
      username: process.env.TEST_USER_EMAIL,
      password: 'wrong-password'
    })).rejects.toThrow('Incorrect username or password');
  });

  it('returns authenticated session after sign in', async () => {
    await signIn({
      username: process.env.TEST_USER_EMAIL,
      password: process.env.TEST_USER_PASSWORD
    });
    const session = await fetchAuthSession();
    expect(session.tokens?.accessToken).toBeTruthy();
    expect(session.tokens?.idToken).toBeTruthy();
    const payload = session.tokens.idToken.payload;
    expect(payload.email).toBe(process.env.TEST_USER_EMAIL);
  });

  it('returns current user after sign in', async () => {
    await signIn({
      username: process.env.TEST_USER_EMAIL,
      password: process.env.TEST_USER_PASSWORD
    });
    const user = await getCurrentUser();
    expect(user.username).toBeTruthy();
    expect(user.userId).toBeTruthy();
  });

  it('clears session on sign out', async () => {
    await signIn({
      username: process.env.TEST_USER_EMAIL,
      password: process.env.TEST_USER_PASSWORD
    });
    await signOut();
    await expect(getCurrentUser()).rejects.toThrow();
  });
});
