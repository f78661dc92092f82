// amazon-cognito-identity-js through Cognito's MFA challenges, by its own callbacks: totpRequired,
// mfaRequired (SMS), mfaSetup with associateSoftwareToken and verifySoftwareToken, and
// selectMFAType, each answered until onSuccess.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { call, reset } from '../api.js';
import { PASSWORD, addAuthenticator, addUser, enableFactor, lastMessage, mfaPool, totpCode, wrongCode } from '../mfa.js';

beforeEach(reset);

function userOf(p, username) {
  const pool = new CognitoUserPool({ UserPoolId: p.poolId, ClientId: p.clientId, endpoint: process.env.COGNATE_URL });
  return new CognitoUser({ Username: username, Pool: pool });
}

// Runs a library call and settles with whichever of its callbacks it calls first.
const CALLBACKS = ['onSuccess', 'onFailure', 'mfaRequired', 'totpRequired', 'selectMFAType', 'mfaSetup', 'newPasswordRequired', 'associateSecretCode'];
function outcome(run) {
  return new Promise((resolve) => {
    const callbacks = Object.fromEntries(CALLBACKS.map((kind) => [kind, (...args) => resolve({ kind, args })]));
    run(callbacks);
  });
}

const authenticate = (user, username) =>
  outcome((cb) => user.authenticateUser(new AuthenticationDetails({ Username: username, Password: PASSWORD }), cb));

async function expectSession(user, session, username) {
  expect(session.isValid()).toBe(true);
  expect(session.getAccessToken().decodePayload().username).toBe(username);
  expect(user.getSignInUserSession()).toBe(session);
  await call('GetUser', { AccessToken: session.getAccessToken().getJwtToken() });
}

it('calls totpRequired and signs in with the TOTP code', async () => {
  const p = await mfaPool({ totp: true });
  await addUser(p, 'tia');
  const secret = await addAuthenticator(p, 'tia');
  const user = userOf(p, 'tia');

  const challenge = await authenticate(user, 'tia');
  expect(challenge.kind).toBe('totpRequired');
  expect(challenge.args[0]).toBe('SOFTWARE_TOKEN_MFA');
  expect(challenge.args[1]).toMatchObject({ FRIENDLY_DEVICE_NAME: 'phone' });

  const code = await totpCode(secret, 1);
  const wrong = await outcome((cb) => user.sendMFACode(wrongCode(code), cb, 'SOFTWARE_TOKEN_MFA'));
  expect(wrong.kind).toBe('onFailure');
  expect(wrong.args[0]).toMatchObject({ code: 'CodeMismatchException', message: 'Invalid code received for user' });

  const done = await outcome((cb) => user.sendMFACode(code, cb, 'SOFTWARE_TOKEN_MFA'));
  expect(done.kind).toBe('onSuccess');
  await expectSession(user, done.args[0], 'tia');
});

it('calls mfaRequired and signs in with the SMS code', async () => {
  const p = await mfaPool({ sms: true });
  await addUser(p, 'ada');
  await enableFactor(p, 'ada', 'SMS');
  const user = userOf(p, 'ada');

  const challenge = await authenticate(user, 'ada');
  expect(challenge.kind).toBe('mfaRequired');
  expect(challenge.args[0]).toBe('SMS_MFA');
  expect(challenge.args[1]).toMatchObject({
    CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS',
    CODE_DELIVERY_DESTINATION: '+*******0123',
  });
  const message = await lastMessage(p, 'ada');
  expect(message).toMatchObject({ kind: 'Authentication', medium: 'SMS', destination: '+15555550123' });

  const wrong = await outcome((cb) => user.sendMFACode(wrongCode(message.code), cb));
  expect(wrong.kind).toBe('onFailure');
  expect(wrong.args[0]).toMatchObject({ code: 'CodeMismatchException', message: 'Invalid code or auth state for the user.' });

  const done = await outcome((cb) => user.sendMFACode(message.code, cb));
  expect(done.kind).toBe('onSuccess');
  await expectSession(user, done.args[0], 'ada');
  // The right code proves the phone.
  const { UserAttributes } = await call('AdminGetUser', { UserPoolId: p.poolId, Username: 'ada' });
  expect(UserAttributes).toContainEqual({ Name: 'phone_number_verified', Value: 'true' });
});

it('calls mfaSetup and signs in once the authenticator app is verified', async () => {
  const p = await mfaPool({ mfa: 'ON', totp: true });
  await addUser(p, 'sam', { phone: false });
  const user = userOf(p, 'sam');

  const challenge = await authenticate(user, 'sam');
  expect(challenge.kind).toBe('mfaSetup');
  expect(challenge.args[0]).toBe('MFA_SETUP');
  expect(challenge.args[1]).toMatchObject({ MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' });

  const associated = await outcome((cb) => user.associateSoftwareToken(cb));
  expect(associated.kind).toBe('associateSecretCode');
  const [secret] = associated.args;
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);

  // A wrong code first: refused, and the same session may try again.
  const code = await totpCode(secret);
  const wrong = await outcome((cb) => user.verifySoftwareToken(wrongCode(code), 'My phone', cb));
  expect(wrong.kind).toBe('onFailure');
  expect(wrong.args[0]).toMatchObject({
    code: 'EnableSoftwareTokenMFAException',
    message: 'Code mismatch and fail enable Software Token MFA',
  });
  const verified = await outcome((cb) => user.verifySoftwareToken(code, 'My phone', cb));
  expect(verified.kind).toBe('onSuccess');
  await expectSession(user, verified.args[0], 'sam');

  // The next sign-in asks for the app's code.
  const again = userOf(p, 'sam');
  expect((await authenticate(again, 'sam')).kind).toBe('totpRequired');
  const next = await outcome(async (cb) => again.sendMFACode(await totpCode(secret, 1), cb, 'SOFTWARE_TOKEN_MFA'));
  expect(next.kind).toBe('onSuccess');
});

it('calls selectMFAType and follows the chosen TOTP factor', async () => {
  const p = await mfaPool({ sms: true, totp: true });
  await addUser(p, 'cho');
  const secret = await addAuthenticator(p, 'cho', { prefer: false });
  await enableFactor(p, 'cho', 'SMS', false);
  const user = userOf(p, 'cho');

  const challenge = await authenticate(user, 'cho');
  expect(challenge.kind).toBe('selectMFAType');
  expect(challenge.args[0]).toBe('SELECT_MFA_TYPE');
  expect(challenge.args[1]).toMatchObject({ MFAS_CAN_CHOOSE: '["SMS_MFA","SOFTWARE_TOKEN_MFA"]' });

  const chosen = await outcome((cb) => user.sendMFASelectionAnswer('SOFTWARE_TOKEN_MFA', cb));
  expect(chosen.kind).toBe('totpRequired');
  expect(chosen.args[0]).toBe('SOFTWARE_TOKEN_MFA');
  const done = await outcome(async (cb) => user.sendMFACode(await totpCode(secret, 1), cb, 'SOFTWARE_TOKEN_MFA'));
  expect(done.kind).toBe('onSuccess');
  await expectSession(user, done.args[0], 'cho');
});

it('calls selectMFAType and follows the chosen SMS factor', async () => {
  const p = await mfaPool({ sms: true, totp: true });
  await addUser(p, 'sid');
  await addAuthenticator(p, 'sid', { prefer: false });
  await enableFactor(p, 'sid', 'SMS', false);
  const user = userOf(p, 'sid');

  expect((await authenticate(user, 'sid')).kind).toBe('selectMFAType');
  const chosen = await outcome((cb) => user.sendMFASelectionAnswer('SMS_MFA', cb));
  expect(chosen.kind).toBe('mfaRequired');
  expect(chosen.args).toEqual(['SMS_MFA', expect.objectContaining({ CODE_DELIVERY_DESTINATION: '+*******0123' })]);
  const done = await outcome(async (cb) => user.sendMFACode((await lastMessage(p, 'sid')).code, cb));
  expect(done.kind).toBe('onSuccess');
  await expectSession(user, done.args[0], 'sid');
});
