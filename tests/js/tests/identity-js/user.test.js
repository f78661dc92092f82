// amazon-cognito-identity-js against cognate: SRP sign-in, sessions, refresh, password change
// and global sign-out, through the library's own callbacks.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { call, reset, POOL, CLIENT } from '../api.js';

beforeEach(reset);

function pool() {
  return new CognitoUserPool({ UserPoolId: POOL, ClientId: CLIENT, endpoint: process.env.COGNATE_URL });
}

function authenticate(username, password) {
  const user = new CognitoUser({ Username: username, Pool: pool() });
  return new Promise((resolve, reject) =>
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => resolve({ user, session }),
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected new password challenge')),
    }),
  );
}

const promisify = (fn) => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

it('authenticates with SRP and keeps a valid session', async () => {
  const { user, session } = await authenticate('testuser@example.com', 'TestPass123!');
  expect(session.isValid()).toBe(true);
  expect(session.getIdToken().decodePayload().email).toBe('testuser@example.com');
  const again = await promisify((cb) => user.getSession(cb));
  expect(again.getAccessToken().getJwtToken()).toBe(session.getAccessToken().getJwtToken());
});

it('refreshes the session', async () => {
  const { user, session } = await authenticate('testuser@example.com', 'TestPass123!');
  const refreshed = await promisify((cb) => user.refreshSession(session.getRefreshToken(), cb));
  expect(refreshed.getAccessToken().getJwtToken()).not.toBe(session.getAccessToken().getJwtToken());
  expect(refreshed.getIdToken().decodePayload().origin_jti).toBe(session.getIdToken().decodePayload().origin_jti);
});

it('reports a wrong password as Cognito does', async () => {
  await expect(authenticate('testuser@example.com', 'Wrong123!')).rejects.toMatchObject({
    code: 'NotAuthorizedException',
    message: 'Incorrect username or password.',
  });
});

it('changes the password', async () => {
  const { user } = await authenticate('testuser@example.com', 'TestPass123!');
  await promisify((cb) => user.changePassword('TestPass123!', 'Changed123!', cb));
  await expect(authenticate('testuser@example.com', 'TestPass123!')).rejects.toMatchObject({ code: 'NotAuthorizedException' });
  await authenticate('testuser@example.com', 'Changed123!');
});

it('signs out globally', async () => {
  const { user, session } = await authenticate('testuser@example.com', 'TestPass123!');
  await new Promise((resolve, reject) => user.globalSignOut({ onSuccess: resolve, onFailure: reject }));
  await expect(call('GetUser', { AccessToken: session.getAccessToken().getJwtToken() })).rejects.toThrow(
    'Access Token has been revoked',
  );
});
