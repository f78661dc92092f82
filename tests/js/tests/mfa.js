// Test setup for the MFA tests (never the thing under test): a fresh pool per test with the
// factors asked for, users with their factors already set up through the plain API, the outbox's
// codes, and TOTP codes from otpauth (independent of cognate's own implementation).
import * as OTPAuth from 'otpauth';
import { call } from './api.js';

export const PASSWORD = 'MfaPass123!x';
export const PHONE = '+15555550123';

const SMS = {
  SmsAuthenticationMessage: 'Your sign-in code is {####}',
  SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::000000000000:role/cognate-sns', ExternalId: 'cognate' },
};
const EMAIL_CONFIGURATION = {
  EmailSendingAccount: 'DEVELOPER',
  SourceArn: 'arn:aws:ses:us-east-1:000000000000:identity/example.com',
};

let pools = 0;

// A pool whose MFA is `mfa` (OFF, ON or OPTIONAL) with the factors named, and a public client
// allowing SRP, password and refresh sign-ins. `devices` is the pool's DeviceConfiguration.
export async function mfaPool({ mfa = 'OPTIONAL', sms = false, totp = false, email = false, devices } = {}) {
  const { UserPool } = await call('CreateUserPool', {
    PoolName: `mfa-${process.pid}-${++pools}`,
    ...(email ? { EmailConfiguration: EMAIL_CONFIGURATION } : {}),
    ...(devices ? { DeviceConfiguration: devices } : {}),
  });
  const poolId = UserPool.Id;
  await call('SetUserPoolMfaConfig', {
    UserPoolId: poolId,
    MfaConfiguration: mfa,
    ...(sms ? { SmsMfaConfiguration: SMS } : {}),
    ...(totp ? { SoftwareTokenMfaConfiguration: { Enabled: true } } : {}),
    ...(email ? { EmailMfaConfiguration: { Subject: 'Your sign-in code', Message: 'Your sign-in code is {####}' } } : {}),
  });
  const { UserPoolClient } = await call('CreateUserPoolClient', {
    UserPoolId: poolId,
    ClientName: 'mfa-client',
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  });
  return { poolId, clientId: UserPoolClient.ClientId };
}

// A confirmed user with a permanent password, an email and, unless `phone` is false, a phone.
export async function addUser(pool, username, { phone = PHONE, email = `${username}@example.com` } = {}) {
  const attributes = [{ Name: 'email', Value: email }];
  if (phone) attributes.push({ Name: 'phone_number', Value: phone });
  await call('AdminCreateUser', {
    UserPoolId: pool.poolId,
    Username: username,
    UserAttributes: attributes,
    MessageAction: 'SUPPRESS',
  });
  await call('AdminSetUserPassword', { UserPoolId: pool.poolId, Username: username, Password: PASSWORD, Permanent: true });
}

// Cognate's time in milliseconds: codes are made for the clock that checks them.
export async function cognateNow() {
  const res = await fetch(`${process.env.COGNATE_URL}/_cognate/clock`);
  return (await res.json()).now * 1000;
}

// The TOTP code of `secret` for the step `steps` after the current one (cognate accepts one
// step either side, and each step's code only once, so a second code in the same 30 seconds is
// taken from the next step rather than waited for).
export async function totpCode(secret, steps = 0) {
  const totp = new OTPAuth.TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: (await cognateNow()) + steps * 30000 });
}

// A six-digit code other than `code`.
export const wrongCode = (code) => (code === '000000' ? '111111' : '000000');

// Sets up an authenticator app for a user who signs in without a second factor yet (an
// OPTIONAL pool), through the plain API; `prefer` makes TOTP the user's preferred factor and
// `enable: false` leaves the preference alone. Returns the secret: the current step's code is
// spent, so the next code to use is `totpCode(secret, 1)`.
export async function addAuthenticator(pool, username, { prefer = true, enable = true } = {}) {
  const signedIn = await call('InitiateAuth', {
    ClientId: pool.clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: username, PASSWORD },
  });
  const AccessToken = signedIn.AuthenticationResult.AccessToken;
  const { SecretCode } = await call('AssociateSoftwareToken', { AccessToken });
  await call('VerifySoftwareToken', { AccessToken, UserCode: await totpCode(SecretCode), FriendlyDeviceName: 'phone' });
  if (enable) {
    await call('SetUserMFAPreference', {
      AccessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: prefer },
    });
  }
  return SecretCode;
}

// Turns a factor on for a user (`SMS`, `EMAIL` or `SOFTWARE_TOKEN`), preferred or not.
export async function enableFactor(pool, username, factor, prefer = true) {
  const member = { SMS: 'SMSMfaSettings', EMAIL: 'EmailMfaSettings', SOFTWARE_TOKEN: 'SoftwareTokenMfaSettings' }[factor];
  await call('AdminSetUserMFAPreference', {
    UserPoolId: pool.poolId,
    Username: username,
    [member]: { Enabled: true, PreferredMfa: prefer },
  });
}

// The newest message cognate "sent" the user.
export async function lastMessage(pool, username) {
  const query = new URLSearchParams({ poolId: pool.poolId, username });
  const res = await fetch(`${process.env.COGNATE_URL}/_cognate/outbox?${query}`);
  return (await res.json()).messages[0];
}
