// Amplify JS v6 through every MFA step Cognito's challenges become: TOTP codes and set-up at
// sign-in, the choice between factors, SMS and email codes read from the outbox, wrong codes,
// TOTP set up by a signed-in user, and a remembered device skipping the second factor.
import { Amplify } from 'aws-amplify';
import {
  signIn,
  signOut,
  confirmSignIn,
  fetchAuthSession,
  setUpTOTP,
  verifyTOTPSetup,
  updateMFAPreference,
  fetchMFAPreference,
  rememberDevice,
  fetchDevices,
} from 'aws-amplify/auth';
import * as OTPAuth from 'otpauth';
import { call, reset } from '../api.js';
import { PASSWORD, addAuthenticator, addUser, cognateNow, enableFactor, lastMessage, mfaPool, totpCode, wrongCode } from '../mfa.js';

// Amplify names the device from `navigator`, which Node 20 lacks (see devices.test.js).
globalThis.navigator ??= { userAgent: 'Node.js (cognate tests)' };

beforeEach(async () => {
  await signOut().catch(() => {});
  await reset();
});

// A fresh pool, with Amplify pointed at it.
async function pool(settings) {
  const made = await mfaPool(settings);
  Amplify.configure({
    Auth: { Cognito: { userPoolId: made.poolId, userPoolClientId: made.clientId, userPoolEndpoint: process.env.COGNATE_URL } },
  });
  return made;
}

async function expectSignedIn(username) {
  const { tokens } = await fetchAuthSession();
  expect(tokens.accessToken.payload.username).toBe(username);
  await call('GetUser', { AccessToken: tokens.accessToken.toString() });
}

it('asks for the TOTP code of a user with an authenticator app', async () => {
  const p = await pool({ totp: true });
  await addUser(p, 'tia');
  const secret = await addAuthenticator(p, 'tia');

  const result = await signIn({ username: 'tia', password: PASSWORD });
  expect(result).toEqual({ isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' } });
  const done = await confirmSignIn({ challengeResponse: await totpCode(secret, 1) });
  expect(done).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await expectSignedIn('tia');
});

it('sets up TOTP during sign-in when the pool requires MFA', async () => {
  const p = await pool({ mfa: 'ON', totp: true });
  await addUser(p, 'sam', { phone: false });

  const result = await signIn({ username: 'sam', password: PASSWORD });
  expect(result.isSignedIn).toBe(false);
  expect(result.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
  const { sharedSecret, getSetupUri } = result.nextStep.totpSetupDetails;
  expect(sharedSecret).toMatch(/^[A-Z2-7]{32}$/);
  const uri = getSetupUri('cognate');
  expect(uri.protocol).toBe('otpauth:');
  expect(uri.searchParams.get('secret')).toBe(sharedSecret);
  // An authenticator app reads the URI as it would a QR code.
  const totp = OTPAuth.URI.parse(uri.toString());
  expect(totp.secret.base32).toBe(sharedSecret);

  const done = await confirmSignIn({ challengeResponse: await totpCode(totp.secret.base32) });
  expect(done).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await expectSignedIn('sam');

  // The app is now the user's second factor: the next sign-in asks for its code.
  await signOut();
  const again = await signIn({ username: 'sam', password: PASSWORD });
  expect(again.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  expect((await confirmSignIn({ challengeResponse: await totpCode(sharedSecret, 1) })).isSignedIn).toBe(true);
});

it('lets a user with SMS and TOTP choose, then asks for the chosen code', async () => {
  const p = await pool({ sms: true, totp: true });
  await addUser(p, 'cho');
  const secret = await addAuthenticator(p, 'cho', { prefer: false });
  await enableFactor(p, 'cho', 'SMS', false);

  const result = await signIn({ username: 'cho', password: PASSWORD });
  expect(result).toEqual({
    isSignedIn: false,
    nextStep: { signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION', allowedMFATypes: ['SMS', 'TOTP'] },
  });
  const chosen = await confirmSignIn({ challengeResponse: 'TOTP' });
  expect(chosen).toEqual({ isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' } });
  const done = await confirmSignIn({ challengeResponse: await totpCode(secret, 1) });
  expect(done.isSignedIn).toBe(true);
  await expectSignedIn('cho');
});

it('sends the SMS code of the chosen factor', async () => {
  const p = await pool({ sms: true, totp: true });
  await addUser(p, 'sid');
  await addAuthenticator(p, 'sid', { prefer: false });
  await enableFactor(p, 'sid', 'SMS', false);

  const result = await signIn({ username: 'sid', password: PASSWORD });
  expect(result.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_MFA_SELECTION');
  const chosen = await confirmSignIn({ challengeResponse: 'SMS' });
  expect(chosen.nextStep).toEqual({
    signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE',
    codeDeliveryDetails: { deliveryMedium: 'SMS', destination: '+*******0123' },
  });
  const { code } = await lastMessage(p, 'sid');
  expect((await confirmSignIn({ challengeResponse: code })).isSignedIn).toBe(true);
});

it('confirms the SMS code sent to the phone', async () => {
  const p = await pool({ sms: true });
  await addUser(p, 'ada');
  await enableFactor(p, 'ada', 'SMS');

  const result = await signIn({ username: 'ada', password: PASSWORD });
  expect(result).toEqual({
    isSignedIn: false,
    nextStep: {
      signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE',
      codeDeliveryDetails: { deliveryMedium: 'SMS', destination: '+*******0123' },
    },
  });
  const message = await lastMessage(p, 'ada');
  expect(message).toMatchObject({ medium: 'SMS', destination: '+15555550123', kind: 'Authentication' });
  expect(message.code).toMatch(/^\d{6}$/);
  expect(message.message).toBe(`Your sign-in code is ${message.code}`);

  const done = await confirmSignIn({ challengeResponse: message.code });
  expect(done).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await expectSignedIn('ada');
});

it('confirms the email code, signing in with USER_PASSWORD_AUTH', async () => {
  const p = await pool({ email: true });
  await addUser(p, 'eve', { phone: false, email: 'eve@example.com' });
  await enableFactor(p, 'eve', 'EMAIL');

  const result = await signIn({ username: 'eve', password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  expect(result).toEqual({
    isSignedIn: false,
    nextStep: {
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'e***@e***' },
    },
  });
  const message = await lastMessage(p, 'eve');
  expect(message).toMatchObject({ medium: 'EMAIL', destination: 'eve@example.com', kind: 'Authentication' });
  expect(message.code).toMatch(/^\d{6}$/);

  const done = await confirmSignIn({ challengeResponse: message.code });
  expect(done).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await expectSignedIn('eve');
});

it('refuses a wrong SMS code and then accepts the right one', async () => {
  const p = await pool({ sms: true });
  await addUser(p, 'wes');
  await enableFactor(p, 'wes', 'SMS');

  await signIn({ username: 'wes', password: PASSWORD });
  const { code } = await lastMessage(p, 'wes');
  await expect(confirmSignIn({ challengeResponse: wrongCode(code) })).rejects.toMatchObject({
    name: 'CodeMismatchException',
    message: 'Invalid code or auth state for the user.',
  });
  expect((await confirmSignIn({ challengeResponse: code })).isSignedIn).toBe(true);
  await expectSignedIn('wes');
});

it('refuses a wrong TOTP code and then accepts the right one', async () => {
  const p = await pool({ totp: true });
  await addUser(p, 'tom');
  const secret = await addAuthenticator(p, 'tom');

  await signIn({ username: 'tom', password: PASSWORD });
  const code = await totpCode(secret, 1);
  await expect(confirmSignIn({ challengeResponse: wrongCode(code) })).rejects.toMatchObject({
    name: 'CodeMismatchException',
    message: 'Invalid code received for user',
  });
  expect((await confirmSignIn({ challengeResponse: code })).isSignedIn).toBe(true);
  await expectSignedIn('tom');
});

it('refuses the TOTP code that set the app up, within the same step', async () => {
  const p = await pool({ totp: true });
  await addUser(p, 'ray');
  const step = async () => Math.floor((await cognateNow()) / 30000);
  const before = await step();
  const secret = await addAuthenticator(p, 'ray');

  await signIn({ username: 'ray', password: PASSWORD });
  const used = await totpCode(secret);
  const next = await totpCode(secret, 1);
  // Should a step begin during the test, the current code would be fresh: skip the check then.
  if ((await step()) === before) {
    await expect(confirmSignIn({ challengeResponse: used })).rejects.toMatchObject({
      name: 'ExpiredCodeException',
      message: 'Your software token has already been used once.',
    });
  }
  expect((await confirmSignIn({ challengeResponse: next })).isSignedIn).toBe(true);
});

it('sets up TOTP for a signed-in user and prefers it', async () => {
  const p = await pool({ totp: true });
  await addUser(p, 'una');

  expect((await signIn({ username: 'una', password: PASSWORD })).isSignedIn).toBe(true);
  expect(await fetchMFAPreference()).toEqual({});
  const details = await setUpTOTP();
  expect(details.sharedSecret).toMatch(/^[A-Z2-7]{32}$/);
  expect(details.getSetupUri('cognate', 'una').toString()).toBe(
    `otpauth://totp/cognate:una?secret=${details.sharedSecret}&issuer=cognate`,
  );
  await verifyTOTPSetup({ code: await totpCode(details.sharedSecret) });
  await updateMFAPreference({ totp: 'PREFERRED' });
  expect(await fetchMFAPreference()).toEqual({ enabled: ['TOTP'], preferred: 'TOTP' });

  await signOut();
  const again = await signIn({ username: 'una', password: PASSWORD });
  expect(again.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  expect((await confirmSignIn({ challengeResponse: await totpCode(details.sharedSecret, 1) })).isSignedIn).toBe(true);
});

it('skips the second factor on a remembered device', async () => {
  const p = await pool({
    sms: true,
    devices: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true },
  });
  await addUser(p, 'dee');
  await enableFactor(p, 'dee', 'SMS');

  const first = await signIn({ username: 'dee', password: PASSWORD });
  expect(first.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_SMS_CODE');
  expect((await confirmSignIn({ challengeResponse: (await lastMessage(p, 'dee')).code })).isSignedIn).toBe(true);
  const device = (await fetchAuthSession()).tokens.accessToken.payload.device_key;
  expect(device).toMatch(/^us-east-1_/);
  await rememberDevice();
  const [listed] = await fetchDevices();
  expect(listed.attributes['dev:device_remembered_status']).toBe('remembered');
  const sent = (await lastMessage(p, 'dee')).sentAt;

  await signOut();
  const again = await signIn({ username: 'dee', password: PASSWORD });
  expect(again).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  expect((await fetchAuthSession()).tokens.accessToken.payload.device_key).toBe(device);
  // No new code was sent.
  expect((await lastMessage(p, 'dee')).sentAt).toBe(sent);
});

it('still asks for the second factor on a device that was not remembered', async () => {
  const p = await pool({
    sms: true,
    devices: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true },
  });
  await addUser(p, 'don');
  await enableFactor(p, 'don', 'SMS');

  await signIn({ username: 'don', password: PASSWORD });
  expect((await confirmSignIn({ challengeResponse: (await lastMessage(p, 'don')).code })).isSignedIn).toBe(true);
  await signOut();
  const again = await signIn({ username: 'don', password: PASSWORD });
  expect(again.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_SMS_CODE');
});
