// Amplify JS v6's choice-based sign-in (authFlowType 'USER_AUTH') against a pool whose sign-in
// policy allows PASSWORD, EMAIL_OTP and SMS_OTP: a preferred one-time code by email or SMS (8
// digits, read from the outbox), the first-factor selection and each answer to it (a code, the
// password, the password by SRP), the password as the preferred challenge, and auto sign-in
// after sign-up. What Amplify sent and what cognate answered are recorded from its own requests
// (those carrying its x-amz-user-agent header), so each test shows the calls behind the step.
import { Amplify } from 'aws-amplify';
import {
  signIn,
  signOut,
  confirmSignIn,
  fetchAuthSession,
  getCurrentUser,
  signUp,
  confirmSignUp,
  autoSignIn,
} from 'aws-amplify/auth';
import { call, lastMessageTo, reset } from '../api.js';

const PASSWORD = 'Choice!pass123';
const SMS = {
  SmsAuthenticationMessage: 'Your sign-in code is {####}',
  SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::000000000000:role/cognate-sns', ExternalId: 'cognate' },
};
let poolId;
let clientId;

// Amplify's calls to the user-pool API, in order: operation, request body, status, answer.
const sent = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, init = {}) => {
  const res = await realFetch(url, init);
  const headers = new Headers(init.headers);
  const target = headers.get('x-amz-target') ?? '';
  if (headers.has('x-amz-user-agent') && target.startsWith('AWSCognitoIdentityProviderService.')) {
    sent.push({
      op: target.split('.')[1],
      body: JSON.parse(init.body),
      status: res.status,
      answer: await res.clone().json(),
    });
  }
  return res;
};
const ops = () => sent.map((c) => c.op);

beforeAll(async () => {
  await reset();
  const { UserPool } = await call('CreateUserPool', {
    PoolName: 'user-auth',
    AutoVerifiedAttributes: ['email'],
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] } },
    ...SMS,
  });
  poolId = UserPool.Id;
  clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    })
  ).UserPoolClient.ClientId;
  Amplify.configure({
    Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: process.env.COGNATE_URL } },
  });
});
beforeEach(async () => {
  await signOut().catch(() => {});
  sent.length = 0;
});

let users = 0;
// A confirmed user with a permanent password, an email and a phone of their own (the outbox
// is read by destination), or neither when `email`/`phone` is false.
async function addUser(username, { email = true, phone = true } = {}) {
  const n = String(++users).padStart(4, '0');
  const user = { username, email: email && `${username}@example.com`, phone: phone && `+1555555${n}` };
  const attributes = [];
  if (user.email) attributes.push({ Name: 'email', Value: user.email });
  if (user.phone) attributes.push({ Name: 'phone_number', Value: user.phone });
  await call('AdminCreateUser', { UserPoolId: poolId, Username: username, UserAttributes: attributes, MessageAction: 'SUPPRESS' });
  await call('AdminSetUserPassword', { UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true });
  return user;
}

const masked = (phone) => `+*******${phone.slice(-4)}`;

// Amplify holds tokens for `username` that cognate accepts, from a USER_AUTH sign-in.
async function expectSignedIn(username) {
  const { tokens } = await fetchAuthSession();
  expect(tokens.accessToken.payload.username).toBe(username);
  expect(tokens.idToken.payload['cognito:username']).toBe(username);
  expect(tokens.accessToken.payload.client_id).toBe(clientId);
  const { Username } = await call('GetUser', { AccessToken: tokens.accessToken.toString() });
  expect(Username).toBe(username);
  const current = await getCurrentUser();
  expect(current.username).toBe(username);
  expect(current.signInDetails.authFlowType).toBe('USER_AUTH');
}

const DONE = { isSignedIn: true, nextStep: { signInStep: 'DONE' } };

// Amplify ignores an autoSignIn() made within 300 ms of the one before, leaving its promise
// unsettled (a debounce against React's doubled effects, utils/signUpHelpers.ts): space them.
let lastAutoSignIn = 0;
async function spacedAutoSignIn() {
  const wait = lastAutoSignIn + 350 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  lastAutoSignIn = Date.now();
  return autoSignIn();
}

it('signs in with the emailed code of the preferred EMAIL_OTP challenge', async () => {
  const user = await addUser('emma');
  const result = await signIn({ username: 'emma', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
  expect(result).toEqual({
    isSignedIn: false,
    nextStep: {
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'e***@e***' },
    },
  });
  expect(sent[0].body).toMatchObject({
    AuthFlow: 'USER_AUTH',
    ClientId: clientId,
    AuthParameters: { USERNAME: 'emma', PREFERRED_CHALLENGE: 'EMAIL_OTP' },
  });
  expect(sent[0].answer.ChallengeName).toBe('EMAIL_OTP');

  const message = await lastMessageTo(user.email);
  expect(message).toMatchObject({ medium: 'EMAIL', destination: user.email, kind: 'Authentication' });
  expect(message.code).toMatch(/^\d{8}$/);

  expect(await confirmSignIn({ challengeResponse: message.code })).toEqual(DONE);
  expect(sent[1]).toMatchObject({
    op: 'RespondToAuthChallenge',
    body: { ChallengeName: 'EMAIL_OTP', ChallengeResponses: { USERNAME: 'emma', EMAIL_OTP_CODE: message.code } },
    status: 200,
  });
  await expectSignedIn('emma');
});

it('refuses a wrong emailed code, then takes the right one', async () => {
  const user = await addUser('wren');
  await signIn({ username: 'wren', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
  const { code } = await lastMessageTo(user.email);
  const wrong = code === '00000000' ? '11111111' : '00000000';
  await expect(confirmSignIn({ challengeResponse: wrong })).rejects.toMatchObject({
    name: 'CodeMismatchException',
    message: 'Invalid code or auth state for the user.',
  });
  expect(await confirmSignIn({ challengeResponse: code })).toEqual(DONE);
  await expectSignedIn('wren');
});

it('lets the user choose the first factor, and sends the code of EMAIL_OTP chosen', async () => {
  const user = await addUser('finn');
  const result = await signIn({ username: 'finn', options: { authFlowType: 'USER_AUTH' } });
  expect(result).toEqual({
    isSignedIn: false,
    nextStep: {
      signInStep: 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION',
      availableChallenges: ['EMAIL_OTP', 'SMS_OTP', 'PASSWORD', 'PASSWORD_SRP'],
    },
  });
  expect(sent[0].body.AuthParameters).toEqual({ USERNAME: 'finn' });
  expect(sent[0].answer.ChallengeName).toBe('SELECT_CHALLENGE');

  const chosen = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
  expect(chosen).toEqual({
    isSignedIn: false,
    nextStep: {
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'f***@e***' },
    },
  });
  expect(sent[1].body).toMatchObject({
    ChallengeName: 'SELECT_CHALLENGE',
    ChallengeResponses: { USERNAME: 'finn', ANSWER: 'EMAIL_OTP' },
    Session: sent[0].answer.Session,
  });
  const { code } = await lastMessageTo(user.email);
  expect(code).toMatch(/^\d{8}$/);
  expect(await confirmSignIn({ challengeResponse: code })).toEqual(DONE);
  await expectSignedIn('finn');
});

it('sends the SMS code of SMS_OTP chosen from the selection', async () => {
  const user = await addUser('sol');
  await signIn({ username: 'sol', options: { authFlowType: 'USER_AUTH' } });
  const chosen = await confirmSignIn({ challengeResponse: 'SMS_OTP' });
  expect(chosen).toEqual({
    isSignedIn: false,
    nextStep: {
      signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE',
      codeDeliveryDetails: { deliveryMedium: 'SMS', destination: masked(user.phone) },
    },
  });
  const { code } = await lastMessageTo(user.phone);
  expect(code).toMatch(/^\d{8}$/);
  expect(await confirmSignIn({ challengeResponse: code })).toEqual(DONE);
  await expectSignedIn('sol');
});

it('asks for the password once PASSWORD is chosen, and sends it on the selection', async () => {
  await addUser('pia');
  const result = await signIn({ username: 'pia', options: { authFlowType: 'USER_AUTH' } });
  expect(result.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');

  // Amplify asks for the password without calling cognate.
  const chosen = await confirmSignIn({ challengeResponse: 'PASSWORD' });
  expect(chosen).toEqual({ isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_PASSWORD' } });
  expect(ops()).toEqual(['InitiateAuth']);

  expect(await confirmSignIn({ challengeResponse: PASSWORD })).toEqual(DONE);
  expect(sent[1].body).toMatchObject({
    ChallengeName: 'SELECT_CHALLENGE',
    ChallengeResponses: { ANSWER: 'PASSWORD', USERNAME: 'pia', PASSWORD },
    Session: sent[0].answer.Session,
  });
  await expectSignedIn('pia');
});

it('runs SRP once PASSWORD_SRP is chosen', async () => {
  await addUser('sara');
  await signIn({ username: 'sara', options: { authFlowType: 'USER_AUTH' } });
  const chosen = await confirmSignIn({ challengeResponse: 'PASSWORD_SRP' });
  expect(chosen).toEqual({ isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_PASSWORD' } });

  expect(await confirmSignIn({ challengeResponse: PASSWORD })).toEqual(DONE);
  expect(ops()).toEqual(['InitiateAuth', 'RespondToAuthChallenge', 'RespondToAuthChallenge']);
  expect(sent[1].body.ChallengeName).toBe('SELECT_CHALLENGE');
  expect(sent[1].body.ChallengeResponses).toMatchObject({ ANSWER: 'PASSWORD_SRP', USERNAME: 'sara' });
  expect(sent[1].body.ChallengeResponses.SRP_A).toMatch(/^[0-9a-f]+$/);
  expect(sent[1].answer.ChallengeName).toBe('PASSWORD_VERIFIER');
  expect(sent[2].body.ChallengeName).toBe('PASSWORD_VERIFIER');
  await expectSignedIn('sara');
});

it('offers a user with only a password the two password factors', async () => {
  await addUser('otto', { email: false, phone: false });
  const result = await signIn({ username: 'otto', options: { authFlowType: 'USER_AUTH' } });
  expect(result.nextStep).toEqual({
    signInStep: 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION',
    availableChallenges: ['PASSWORD', 'PASSWORD_SRP'],
  });
  await confirmSignIn({ challengeResponse: 'PASSWORD' });
  expect(await confirmSignIn({ challengeResponse: PASSWORD })).toEqual(DONE);
  await expectSignedIn('otto');
});

it('signs in at once with the preferred PASSWORD given to signIn', async () => {
  await addUser('max');
  const result = await signIn({
    username: 'max',
    password: PASSWORD,
    options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' },
  });
  expect(result).toEqual(DONE);
  // The plain password, in one InitiateAuth: no SRP.
  expect(ops()).toEqual(['InitiateAuth']);
  expect(sent[0].body.AuthParameters).toEqual({ USERNAME: 'max', PASSWORD, PREFERRED_CHALLENGE: 'PASSWORD' });
  expect(sent[0].answer.AuthenticationResult.AccessToken).toBeTruthy();
  await expectSignedIn('max');
});

it('signs in with the preferred PASSWORD_SRP given the password', async () => {
  await addUser('ivy');
  const result = await signIn({
    username: 'ivy',
    password: PASSWORD,
    options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' },
  });
  expect(result).toEqual(DONE);
  expect(ops()).toEqual(['InitiateAuth', 'RespondToAuthChallenge']);
  expect(sent[0].body).toMatchObject({
    AuthFlow: 'USER_AUTH',
    AuthParameters: { USERNAME: 'ivy', PREFERRED_CHALLENGE: 'PASSWORD_SRP' },
  });
  expect(sent[0].body.AuthParameters.SRP_A).toMatch(/^[0-9a-f]+$/);
  expect(sent[0].answer.ChallengeName).toBe('PASSWORD_VERIFIER');
  await expectSignedIn('ivy');
});

it('refuses a wrong password, preferred or chosen', async () => {
  await addUser('wes');
  const refused = { name: 'NotAuthorizedException', message: 'Incorrect username or password.' };
  for (const preferredChallenge of ['PASSWORD', 'PASSWORD_SRP']) {
    await expect(
      signIn({ username: 'wes', password: 'Wrong!pass123', options: { authFlowType: 'USER_AUTH', preferredChallenge } }),
    ).rejects.toMatchObject(refused);
  }
  await signIn({ username: 'wes', options: { authFlowType: 'USER_AUTH' } });
  await confirmSignIn({ challengeResponse: 'PASSWORD' });
  await expect(confirmSignIn({ challengeResponse: 'Wrong!pass123' })).rejects.toMatchObject(refused);
  expect(await getCurrentUser().catch((e) => e.name)).toBe('UserUnAuthenticatedException');

  // The right one still signs in.
  expect(
    await signIn({ username: 'wes', password: PASSWORD, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' } }),
  ).toEqual(DONE);
  await expectSignedIn('wes');
});

it('signs in with the texted code of the preferred SMS_OTP challenge', async () => {
  const user = await addUser('tex');
  const result = await signIn({ username: 'tex', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'SMS_OTP' } });
  expect(result).toEqual({
    isSignedIn: false,
    nextStep: {
      signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE',
      codeDeliveryDetails: { deliveryMedium: 'SMS', destination: masked(user.phone) },
    },
  });
  expect(sent[0].body.AuthParameters).toEqual({ USERNAME: 'tex', PREFERRED_CHALLENGE: 'SMS_OTP' });
  expect(sent[0].answer.ChallengeName).toBe('SMS_OTP');

  const message = await lastMessageTo(user.phone);
  expect(message).toMatchObject({ medium: 'SMS', destination: user.phone, kind: 'Authentication' });
  expect(message.code).toMatch(/^\d{8}$/);
  expect(message.message).toBe(`Your sign-in code is ${message.code}`);

  expect(await confirmSignIn({ challengeResponse: message.code })).toEqual(DONE);
  expect(sent[1].body).toMatchObject({
    ChallengeName: 'SMS_OTP',
    ChallengeResponses: { USERNAME: 'tex', SMS_OTP_CODE: message.code },
  });
  await expectSignedIn('tex');
});

// Amplify (6.21.1, as amplify-js main) keeps SignUp's Session but never sends it with
// ConfirmSignUp; it signs in with whatever Session ConfirmSignUp answers. Cognito is taken to
// answer one here anyway, the confirmation code having proved the email of a pool that allows
// EMAIL_OTP (amplify-js#14138: auto sign-in "with no additional OTP" works "out of the box";
// amplify-android#3136: SELECT_CHALLENGE follows a ConfirmSignUp without the session "if there
// are no passwordless options enabled"), which is not primary-confirmed.
it('signs a new user in with autoSignIn after confirming the sign-up', async () => {
  const email = 'newbie@example.com';
  const up = await signUp({
    username: 'newbie',
    password: PASSWORD,
    options: { userAttributes: { email }, autoSignIn: { authFlowType: 'USER_AUTH' } },
  });
  expect(up).toMatchObject({
    isSignUpComplete: false,
    nextStep: { signUpStep: 'CONFIRM_SIGN_UP', codeDeliveryDetails: { deliveryMedium: 'EMAIL', attributeName: 'email' } },
  });
  expect(sent[0].answer.Session).toBeTruthy();

  const confirmed = await confirmSignUp({ username: 'newbie', confirmationCode: (await lastMessageTo(email)).code });
  expect(confirmed).toEqual({ isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } });

  expect(sent[1].body.Session).toBeUndefined();

  const result = await spacedAutoSignIn();
  expect(ops()).toEqual(['SignUp', 'ConfirmSignUp', 'InitiateAuth']);
  expect(sent[2].body).toMatchObject({ AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'newbie' } });
  // ConfirmSignUp's Session, carried into USER_AUTH.
  expect(sent[1].answer.Session).toBeTruthy();
  expect(sent[2].body.Session).toBe(sent[1].answer.Session);
  expect(result).toEqual(DONE);
  await expectSignedIn('newbie');
});

it('signs a new user in with autoSignIn preferring the password given to signUp', async () => {
  const email = 'pat@example.com';
  await signUp({
    username: 'pat',
    password: PASSWORD,
    options: { userAttributes: { email }, autoSignIn: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' } },
  });
  const confirmed = await confirmSignUp({ username: 'pat', confirmationCode: (await lastMessageTo(email)).code });
  expect(confirmed).toEqual({ isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } });

  expect(await spacedAutoSignIn()).toEqual(DONE);
  expect(ops()).toEqual(['SignUp', 'ConfirmSignUp', 'InitiateAuth']);
  expect(sent[2].body).toMatchObject({
    AuthFlow: 'USER_AUTH',
    AuthParameters: { USERNAME: 'pat', PASSWORD, PREFERRED_CHALLENGE: 'PASSWORD' },
  });
  await expectSignedIn('pat');
});
