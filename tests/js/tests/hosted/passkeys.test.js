// Amplify JS v6's passkey APIs in a real browser (Debian's Chromium through playwright-core)
// against cognate: associateWebAuthnCredential, listWebAuthnCredentials and
// deleteWebAuthnCredential, and the USER_AUTH sign-in with WEB_AUTHN (preferred, or chosen from
// the first-factor selection). The WebAuthn ceremonies are Chromium's own, answered by its
// virtual authenticator (DevTools protocol, WebAuthn domain): navigator.credentials.create at
// registration, navigator.credentials.get at sign-in, both called by Amplify.
//
// The app (tests/hosted/passkey-app) is bundled with esbuild and served from
// http://localhost:<port>/, a secure context whose origin fits the pool's relying party id
// `localhost` (cognate allows http://localhost:* for it); its user pool API calls go to
// cognate's plain URL through `userPoolEndpoint`, cross-origin. The test drives the app through
// window.passkeyApp with page.evaluate.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, serveApp } from './browser.js';
import {
  CognitoIdentityProviderClient,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';

const TIMEOUT = 90000;
const PASSWORD = 'PasskeyPass123!x';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const APP_SRC = path.join(HERE, 'passkey-app');
const ARTIFACTS = path.resolve(HERE, '..', '..', 'artifacts');
// Chromium's platform authenticator, as a phone's or a laptop's would be: resident keys, user
// verification, and a touch that always comes.
const AUTHENTICATOR = {
  protocol: 'ctap2',
  transport: 'internal',
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
};

let browser;
let appServer;
let APP; // http://localhost:<port>/
let cognito;
let appConfig; // what the app reads from window.COGNATE_APP
const logs = []; // every page's log, for artifacts/passkeys.log

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  appServer = await serveApp(APP_SRC, () => appConfig);
  APP = appServer.url;
  browser = await launchChromium();
  cognito = new CognitoIdentityProviderClient({
    endpoint: process.env.COGNATE_URL,
    region: 'us-east-1',
    credentials: { accessKeyId: 'cognate', secretAccessKey: 'cognate' },
  });

  // The pool: PASSWORD and WEB_AUTHN first factors, passkeys for the relying party `localhost`,
  // no MFA; a client with USER_AUTH; and users with permanent passwords.
  const { UserPool } = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: `passkeys-${process.pid}`,
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } },
    }),
  );
  await cognito.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: UserPool.Id,
      MfaConfiguration: 'OFF',
      WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred' },
    }),
  );
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool.Id,
      ClientName: `passkeys-client-${process.pid}`,
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  for (const username of ['pat', 'quinn']) {
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: UserPool.Id, Username: username, MessageAction: 'SUPPRESS' }));
    await cognito.send(
      new AdminSetUserPasswordCommand({ UserPoolId: UserPool.Id, Username: username, Password: PASSWORD, Permanent: true }),
    );
  }
  appConfig = {
    userPoolId: UserPool.Id,
    userPoolClientId: UserPoolClient.ClientId,
    userPoolEndpoint: process.env.COGNATE_URL,
  };
}, TIMEOUT);

afterAll(async () => {
  writeFileSync(path.join(ARTIFACTS, 'passkeys.log'), `${logs.flat().join('\n')}\n`);
  await browser?.close();
  await appServer?.close();
  cognito?.destroy();
});

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const sub = async (username) =>
  (await cognito.send(new AdminGetUserCommand({ UserPoolId: appConfig.userPoolId, Username: username }))).UserAttributes.find(
    (a) => a.Name === 'sub',
  ).Value;

// The DevTools protocol speaks standard base64; WebAuthn and Cognito speak base64url.
const base64url = (b64) => Buffer.from(b64, 'base64').toString('base64url');

// The app in a fresh context, with a virtual authenticator attached to its page. `calls` holds
// every request the page made to cognate (its X-Amz-Target and status, and for a refusal the
// request and response bodies); `log` that and what the page said.
async function openApp() {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const log = [];
  const calls = [];
  logs.push(log);
  page.on('console', (msg) => log.push(`console.${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => log.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => log.push(`requestfailed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`));
  const pending = [];
  page.on('response', (res) => {
    const req = res.request();
    if (!req.url().startsWith(process.env.COGNATE_URL) || req.method() !== 'POST') return;
    const call = { target: req.headers()['x-amz-target']?.split('.').pop(), status: res.status() };
    calls.push(call);
    const line = log.push(`cognate: ${call.target} ${call.status}`) - 1;
    if (call.status >= 400) {
      pending.push(
        res.text().then(
          (body) => {
            call.request = req.postData();
            call.response = body;
            log[line] += `\n  request: ${call.request}\n  response: ${call.response}`;
          },
          () => {},
        ),
      );
    }
  });
  // The calls so far, their refusals' bodies read.
  const cognateCalls = async () => {
    await Promise.all(pending);
    return calls;
  };
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const addAuthenticator = async () =>
    (await cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR })).authenticatorId;
  const authenticatorId = await addAuthenticator();
  await page.goto(APP);
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready', null, { timeout: 15000 });
  const app = (method, ...args) => page.evaluate(([m, a]) => window.passkeyApp[m](...a), [method, args]);
  const credentials = async (id) => (await cdp.send('WebAuthn.getCredentials', { authenticatorId: id })).credentials;
  return { context, page, cdp, log, calls, cognateCalls, app, authenticatorId, addAuthenticator, credentials };
}

// What an app call resolved to, with the page's log when it is not what the test expected.
function expectOk(result, log) {
  expect(result.error, `${JSON.stringify(result.error)}\n${log.join('\n')}`).toBeUndefined();
  return result.ok;
}

const signedIn = { isSignedIn: true, nextStep: { signInStep: 'DONE' } };
const withPassword = (username) => ({
  username,
  password: PASSWORD,
  options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' },
});
const withPasskey = (username) => ({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });
const userAuth = (username) => ({ username, options: { authFlowType: 'USER_AUTH' } });

describe('Amplify passkeys against cognate', () => {
  let s; // pat's app: { context, page, cdp, log, calls, app, authenticatorId, ... }
  let credentialId;

  beforeAll(async () => {
    s = await openApp();
  }, TIMEOUT);

  afterAll(async () => {
    await s?.context.close();
  });

  it('registers a passkey with associateWebAuthnCredential and lists it', { timeout: TIMEOUT }, async () => {
    const { app, log, calls, page } = s;
    expect(await app('passkeySupported'), 'http://localhost is a secure context with WebAuthn').toBe(true);

    // USER_AUTH with PASSWORD preferred: tokens at once.
    expect(expectOk(await app('signIn', withPassword('pat')), log)).toEqual(signedIn);

    // StartWebAuthnRegistration → navigator.credentials.create → CompleteWebAuthnRegistration.
    expect(expectOk(await app('associate'), log)).toBeNull();
    expect(calls.map((c) => `${c.target} ${c.status}`)).toEqual(
      expect.arrayContaining(['StartWebAuthnRegistration 200', 'CompleteWebAuthnRegistration 200']),
    );

    // The authenticator now holds a discoverable credential for localhost, user handle the sub.
    const held = await s.credentials(s.authenticatorId);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ rpId: 'localhost', isResidentCredential: true, signCount: 1 });
    expect(Buffer.from(held[0].userHandle, 'base64').toString()).toBe(await sub('pat'));
    credentialId = base64url(held[0].credentialId);

    // listWebAuthnCredentials: that credential, its createdAt a Date.
    const listed = expectOk(await app('list'), log);
    expect(listed.nextToken).toBeNull();
    expect(listed.credentials).toHaveLength(1);
    const [credential] = listed.credentials;
    expect(credential).toMatchObject({
      credentialId,
      friendlyCredentialName: expect.any(String),
      relyingPartyId: 'localhost',
      authenticatorAttachment: 'platform',
      authenticatorTransports: ['internal'],
      createdAtIsDate: true,
    });
    expect(credential.friendlyCredentialName.length).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(credential.createdAt) - Date.now())).toBeLessThan(10 * 60 * 1000);
    await shot(page, 'passkeys-registered');

    expect(expectOk(await app('signOut'), log)).toBeNull();
    expect(await page.locator('#status').textContent()).toBe('signed out');
  });

  it('signs in with the passkey, preferred and chosen from the first-factor selection', { timeout: TIMEOUT }, async () => {
    const { app, log, page } = s;
    expect(credentialId, 'the registration test ran').toBeDefined();

    // Preferred WEB_AUTHN: InitiateAuth hands back CREDENTIAL_REQUEST_OPTIONS, Amplify runs
    // navigator.credentials.get and answers the WEB_AUTHN challenge: signed in.
    expect(expectOk(await app('signIn', withPasskey('pat')), log)).toEqual(signedIn);
    const user = expectOk(await app('currentUser'), log);
    expect(user).toMatchObject({
      username: 'pat',
      userId: await sub('pat'),
      signInDetails: { loginId: 'pat', authFlowType: 'USER_AUTH' },
      tokenUse: 'access',
      idTokenUsername: 'pat',
    });
    // The authenticator signed once more (its counter moved from 1 to 2).
    expect((await s.credentials(s.authenticatorId))[0].signCount).toBe(2);
    await shot(page, 'passkeys-signed-in');
    expectOk(await app('signOut'), log);

    // No preference: SELECT_CHALLENGE, WEB_AUTHN among the choices; choosing it signs in.
    const selection = expectOk(await app('signIn', userAuth('pat')), log);
    expect(selection).toMatchObject({
      isSignedIn: false,
      nextStep: { signInStep: 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION' },
    });
    expect(selection.nextStep.availableChallenges).toContain('WEB_AUTHN');
    expect(selection.nextStep.availableChallenges).toContain('PASSWORD');
    expect(expectOk(await app('confirmSignIn', { challengeResponse: 'WEB_AUTHN' }), log)).toEqual(signedIn);
    expect(expectOk(await app('currentUser'), log)).toMatchObject({ username: 'pat' });
    expect((await s.credentials(s.authenticatorId))[0].signCount).toBe(3);
    expectOk(await app('signOut'), log);
  });

  it('deletes the passkey with deleteWebAuthnCredential; then no passkey sign-in is offered', { timeout: TIMEOUT }, async () => {
    const { app, log, page } = s;
    expect(credentialId, 'the registration test ran').toBeDefined();

    expect(expectOk(await app('signIn', withPassword('pat')), log)).toEqual(signedIn);
    expect(expectOk(await app('remove', credentialId), log)).toBeNull();
    expect(expectOk(await app('list'), log)).toEqual({ nextToken: null, credentials: [] });
    expectOk(await app('signOut'), log);

    // The selection no longer offers WEB_AUTHN...
    const selection = expectOk(await app('signIn', userAuth('pat')), log);
    expect(selection.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    expect(selection.nextStep.availableChallenges).toContain('PASSWORD');
    expect(selection.nextStep.availableChallenges).not.toContain('WEB_AUTHN');
    // ...and a preferred WEB_AUTHN the user cannot take falls back to the selection, without it
    // (no ceremony in the browser).
    const fallback = expectOk(await app('signIn', withPasskey('pat')), log);
    expect(fallback.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    expect(fallback.nextStep.availableChallenges).not.toContain('WEB_AUTHN');
    // The authenticator still holds its key: deleting is the pool's business only, and the
    // browser was never asked for it.
    expect((await s.credentials(s.authenticatorId))[0].signCount).toBe(3);
    await shot(page, 'passkeys-deleted');
  });
});

it('refuses a passkey sign-in from an authenticator that does not hold the registered credential', { timeout: TIMEOUT }, async () => {
  const s = await openApp();
  const { app, log, calls, page, cdp } = s;
  try {
    // quinn registers a passkey on the first authenticator.
    expectOk(await app('signIn', withPassword('quinn')), log);
    expectOk(await app('associate'), log);
    const [registered] = await s.credentials(s.authenticatorId);
    expectOk(await app('signOut'), log);

    // Swap it for a second authenticator, empty: the registered credential is nowhere.
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: s.authenticatorId });
    const second = await s.addAuthenticator();
    expect(await s.credentials(second)).toEqual([]);

    // cognate offers the passkey (allowCredentials names quinn's credential); the browser finds
    // no authenticator holding it and navigator.credentials.get rejects with NotAllowedError,
    // which Amplify reports as PasskeyAuthenticationCanceled. Nothing reaches cognate's
    // RespondToAuthChallenge.
    const before = calls.length;
    const refused = await app('signIn', withPasskey('quinn'));
    expect(refused.ok, JSON.stringify(refused.ok)).toBeUndefined();
    expect(refused.error).toMatchObject({
      name: 'PasskeyAuthenticationCanceled',
      underlyingError: { name: 'NotAllowedError' },
    });
    expect(calls.slice(before).map((c) => `${c.target} ${c.status}`)).toEqual(['InitiateAuth 200']);
    await shot(page, 'passkeys-not-allowed');

    // The second authenticator holds a credential under the registered id but with another
    // key: the browser signs, cognate checks the signature against the registered public key
    // and refuses it as a wrong password, NotAuthorizedException.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = {
      credentialId: registered.credentialId,
      isResidentCredential: true,
      rpId: 'localhost',
      privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      userHandle: registered.userHandle,
      signCount: 10,
    };
    await cdp.send('WebAuthn.addCredential', { authenticatorId: second, credential: forged });
    const forgedAt = calls.length;
    const wrongKey = await app('signIn', withPasskey('quinn'));
    expect(wrongKey.ok, JSON.stringify(wrongKey.ok)).toBeUndefined();
    expect(wrongKey.error.name, JSON.stringify(wrongKey.error)).toBe('NotAuthorizedException');
    const answered = (await s.cognateCalls()).slice(forgedAt);
    expect(answered.map((c) => `${c.target} ${c.status}`)).toEqual(['InitiateAuth 200', 'RespondToAuthChallenge 400']);
    expect(JSON.parse(answered[1].response).__type).toMatch(/NotAuthorizedException$/);
    expect(JSON.parse(answered[1].request)).toMatchObject({ ChallengeName: 'WEB_AUTHN' });
    expect((await s.credentials(second))[0].signCount).toBe(11);

    // The registered credential itself (key and counter copied from the first authenticator)
    // signs quinn in from the second.
    await cdp.send('WebAuthn.removeCredential', { authenticatorId: second, credentialId: registered.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId: second, credential: registered });
    expect(expectOk(await app('signIn', withPasskey('quinn')), log)).toEqual(signedIn);
    expect(expectOk(await app('currentUser'), log)).toMatchObject({ username: 'quinn' });
    await shot(page, 'passkeys-second-authenticator');
  } catch (err) {
    err.message += `\n${log.join('\n')}`;
    throw err;
  } finally {
    await s.context.close();
  }
});
