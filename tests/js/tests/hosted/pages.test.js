// cognate's managed login pages driven in a real browser (Debian's Chromium through
// playwright-core): sign-up and confirmation, an OpenID Connect relying party (openid-client)
// with sessions and logout, forgot password, a forced password change, TOTP set-up and codes,
// and a prefix domain reached by its Host name. Each test makes its own pool and client with
// the AWS SDK for JavaScript v3; codes come from cognate's outbox, TOTP codes from otpauth.
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './browser.js';
import * as oidc from 'openid-client';
import * as OTPAuth from 'otpauth';
import {
  CognitoIdentityProviderClient,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { cognateNow } from '../mfa.js';
import { call } from '../api.js';

const TIMEOUT = 60000;
const PASSWORD = 'PagesPass123!x';
const NEW_PASSWORD = 'NewerPass456!y';
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'artifacts');

let browser;
let callbackServer;
let CALLBACK; // http://localhost:<port>/callback
let LOGOUT; // http://localhost:<port>/signed-out
let cognito;
let runs = 0;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  // The relying party's redirect and logout targets: a tiny server answering 200 "ok".
  callbackServer = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  const { port } = callbackServer.address();
  CALLBACK = `http://localhost:${port}/callback`;
  LOGOUT = `http://localhost:${port}/signed-out`;
  cognito = new CognitoIdentityProviderClient({
    endpoint: process.env.COGNATE_URL,
    region: 'us-east-1',
    credentials: { accessKeyId: 'cognate', secretAccessKey: 'cognate' },
  });
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (callbackServer ? callbackServer.close(resolve) : resolve()));
  cognito?.destroy();
});

// A fresh pool (email required and auto-verified, MFA as asked) with a public code-grant
// client whose callback and logout URLs are the local server's; `domain` names a prefix
// domain to create for it.
async function hostedPool({ domain, mfa } = {}) {
  const tag = `${process.pid}-${++runs}`;
  const { UserPool } = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: `pages-${tag}`,
      AutoVerifiedAttributes: ['email'],
      Schema: [{ Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true }],
    }),
  );
  const poolId = UserPool.Id;
  if (mfa) {
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: mfa,
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
  }
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: `pages-client-${tag}`,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [CALLBACK],
      LogoutURLs: [LOGOUT],
    }),
  );
  if (domain) await cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
  return { poolId, clientId: UserPoolClient.ClientId };
}

// A confirmed user: a permanent password unless `temporary`, then the temporary one.
async function addUser(pool, username, { temporary = false } = {}) {
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.poolId,
      Username: username,
      UserAttributes: [
        { Name: 'email', Value: `${username}@example.com` },
        { Name: 'email_verified', Value: 'true' },
      ],
      MessageAction: 'SUPPRESS',
      ...(temporary ? { TemporaryPassword: PASSWORD } : {}),
    }),
  );
  if (!temporary) {
    await cognito.send(
      new AdminSetUserPasswordCommand({ UserPoolId: pool.poolId, Username: username, Password: PASSWORD, Permanent: true }),
    );
  }
}

// The newest message cognate "sent" a user of the pool.
async function lastMessage(pool, username) {
  const query = new URLSearchParams({ poolId: pool.poolId, username });
  const res = await fetch(`${process.env.COGNATE_URL}/_cognate/outbox?${query}`);
  const { messages } = await res.json();
  expect(messages.length).toBeGreaterThan(0);
  return messages[0];
}

const b64url = (buf) => buf.toString('base64url');

function pkce() {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

// The query of an authorization request for the pool's client, with PKCE.
function authorizeQuery(pool, { state = b64url(randomBytes(12)), challenge, extra = {} } = {}) {
  return new URLSearchParams({
    client_id: pool.clientId,
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid email profile',
    state,
    ...(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
    ...extra,
  });
}

const onCallback = (url) => url.origin + url.pathname === CALLBACK;

// The one visible element `selector` matches (the pages render each form twice), once shown.
async function shown(page, selector) {
  const visible = selector.endsWith(':visible') ? selector : `${selector}:visible`;
  const locator = page.locator(visible);
  await locator.waitFor({ state: 'visible', timeout: 15000 });
  expect(await locator.count()).toBe(1);
  return locator;
}

async function textOf(page, selector) {
  return ((await (await shown(page, selector)).textContent()) ?? '').trim();
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  return { context, page };
}

// Fills and submits the visible sign-in form.
async function signIn(page, username, password = PASSWORD) {
  await shown(page, 'form[name="cognitoSignInForm"]:visible');
  await page.locator('#signInFormUsername:visible').fill(username);
  await page.locator('#signInFormPassword:visible').fill(password);
  await page.locator('input[name="signInSubmitButton"]:visible').click();
}

// The code and state the browser brought to the callback.
async function landed(page, state) {
  await page.waitForURL(onCallback, { timeout: 15000 });
  const url = new URL(page.url());
  expect(url.searchParams.get('error')).toBeNull();
  expect(url.searchParams.get('state')).toBe(state);
  const code = url.searchParams.get('code');
  expect(code).toMatch(/\S+/);
  expect(await page.locator('body').textContent()).toBe('ok');
  return code;
}

async function exchange(pool, code, verifier, base = process.env.COGNATE_URL) {
  const res = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: pool.clientId,
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    }),
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.token_type).toBe('Bearer');
  return body;
}

async function userInfo(accessToken, base = process.env.COGNATE_URL) {
  const res = await fetch(`${base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

it('signs a new user up, confirms the code from the outbox and lands on the callback', { timeout: TIMEOUT }, async () => {
  const pool = await hostedPool();
  const { verifier, challenge } = pkce();
  const state = 'signup-state';
  const { context, page } = await newPage();
  try {
    await page.goto(`${process.env.COGNATE_URL}/oauth2/authorize?${authorizeQuery(pool, { state, challenge })}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.title()).toBe('Signin');
    await page.getByText('Sign in with your username and password').first().waitFor();
    await shot(page, 'login');

    await page.locator('a:visible', { hasText: 'Sign up' }).click();
    await page.waitForURL((u) => u.pathname === '/signup');
    await shown(page, 'form[name="signupform"]:visible');
    await page.locator('#username:visible').fill('nina');
    await page.locator('[id="requiredAttributes-email"]:visible').fill('nina@example.com');
    await page.locator('#password:visible').fill(PASSWORD);
    await shot(page, 'signup');
    await page.locator('button[name="signUpButton"]:visible').click();

    expect(await textOf(page, 'h1:visible')).toBe('Confirm your account');
    await shown(page, 'form[name="confirmForm"]:visible');
    expect(await textOf(page, 'form[name="resendForm"]:visible button')).toBe('Send a new code');
    await shot(page, 'confirm');
    const message = await lastMessage(pool, 'nina');
    expect(message.destination).toBe('nina@example.com');
    await page.locator('#verification_code:visible').fill(message.code);
    await page.locator('button[name="confirm"]:visible').click();

    const code = await landed(page, state);
    const tokens = await exchange(pool, code, verifier);
    expect(claims(tokens.id_token)['cognito:username']).toBe('nina');
    expect(claims(tokens.id_token).email).toBe('nina@example.com');
    const info = await userInfo(tokens.access_token);
    expect(info).toMatchObject({ username: 'nina', email: 'nina@example.com', sub: claims(tokens.id_token).sub });
  } finally {
    await context.close();
  }
});

it('serves an openid-client relying party: discovery, PKCE, nonce, session, userinfo and logout', { timeout: TIMEOUT }, async () => {
  const domain = `oidc-${process.pid}-${runs + 1}`;
  const pool = await hostedPool({ domain });
  await addUser(pool, 'olga');

  const issuer = `${process.env.COGNATE_URL}/${pool.poolId}`;
  const config = await oidc.discovery(new URL(issuer), pool.clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const meta = config.serverMetadata();
  expect(meta.issuer).toBe(issuer);
  const hosted = `${process.env.COGNATE_URL}/domain/${domain}`;
  expect(meta.authorization_endpoint).toBe(`${hosted}/oauth2/authorize`);
  expect(meta.token_endpoint).toBe(`${hosted}/oauth2/token`);
  expect(meta.userinfo_endpoint).toBe(`${hosted}/oauth2/userInfo`);
  expect(meta.end_session_endpoint).toBe(`${hosted}/logout`);

  const authorize = async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, verifier, state, nonce };
  };

  const { context, page } = await newPage();
  try {
    // First authorization: the form, then the callback.
    const first = await authorize();
    await page.goto(first.url.href);
    expect(new URL(page.url()).pathname).toBe(`/domain/${domain}/login`);
    await signIn(page, 'olga');
    await page.waitForURL(onCallback);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: first.verifier,
      expectedState: first.state,
      expectedNonce: first.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    expect(idClaims.iss).toBe(issuer);
    expect(idClaims.aud).toBe(pool.clientId);
    expect(idClaims.nonce).toBe(first.nonce);
    expect(idClaims.email).toBe('olga@example.com');
    expect(idClaims['cognito:username']).toBe('olga');
    expect(idClaims.sub).toMatch(/^[0-9a-f-]{36}$/);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    expect(info).toMatchObject({ sub: idClaims.sub, email: 'olga@example.com', username: 'olga' });

    // The `cognito` session cookie: a second authorization goes straight to the callback.
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'cognito')).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const second = await authorize();
    await page.goto(second.url.href);
    await page.waitForURL(onCallback);
    const again = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: second.verifier,
      expectedState: second.state,
      expectedNonce: second.nonce,
    });
    expect(again.claims().sub).toBe(idClaims.sub);
    expect(again.claims().nonce).toBe(second.nonce);

    // End the session at Cognito's logout endpoint (client_id and logout_uri).
    const logout = oidc.buildEndSessionUrl(config, { logout_uri: LOGOUT });
    expect(logout.searchParams.get('client_id')).toBe(pool.clientId);
    await page.goto(logout.href);
    await page.waitForURL((u) => u.href === LOGOUT);
    expect((await context.cookies()).find((c) => c.name === 'cognito')).toBeUndefined();

    // After logout a new authorization shows the form again.
    const third = await authorize();
    await page.goto(third.url.href);
    expect(new URL(page.url()).pathname).toBe(`/domain/${domain}/login`);
    await shown(page, 'form[name="cognitoSignInForm"]:visible');
  } finally {
    await context.close();
  }
});

it('signs in an openid-client relying party that names itself by its metadata document URL (CIMD)', { timeout: TIMEOUT }, async () => {
  const domain = `cimd-${process.pid}-${runs + 1}`;
  const pool = await hostedPool({ domain });
  await addUser(pool, 'carla');
  const clientId = 'https://agent.example.com/oauth/client-metadata.json';
  // The locked SDK (3.1169.0) has no CIMD commands yet: the same AWS JSON request, by hand.
  await call('CreateCIMDPolicy', {
    UserPoolId: pool.poolId,
    ClientId: pool.clientId,
    PolicyName: 'agents',
    URLPatterns: ['https://agent.example.com/oauth/*'],
  });
  // The document the client hosts, staged where cognate fetches it from in tests.
  const staged = await fetch(`${process.env.COGNATE_URL}/_cognate/client-metadata`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      url: clientId,
      document: {
        client_id: clientId,
        client_name: 'An agent',
        redirect_uris: [CALLBACK],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
    }),
  });
  expect(staged.status).toBe(200);

  const issuer = `${process.env.COGNATE_URL}/${pool.poolId}`;
  const config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  expect(url.searchParams.get('client_id')).toBe(clientId);
  const { context, page } = await newPage();
  try {
    await page.goto(url.href);
    expect(new URL(page.url()).pathname).toBe(`/domain/${domain}/login`);
    await signIn(page, 'carla');
    await page.waitForURL(onCallback);
    // openid-client checks the ID token's signature, issuer, aud (the URL), nonce and expiry.
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    expect(idClaims.aud).toBe(clientId);
    expect(idClaims['cognito:username']).toBe('carla');
    expect(claims(tokens.access_token).client_id).toBe(pool.clientId);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    expect(refreshed.claims().sub).toBe(idClaims.sub);
  } finally {
    await context.close();
  }
});

it('resets a forgotten password through the pages, then signs in with the new one', { timeout: TIMEOUT }, async () => {
  const pool = await hostedPool();
  await addUser(pool, 'fred');
  const { verifier, challenge } = pkce();
  const state = 'forgot-state';
  const query = authorizeQuery(pool, { state, challenge });
  const { context, page } = await newPage();
  try {
    await page.goto(`${process.env.COGNATE_URL}/login?${query}`);
    await page.locator('a:visible', { hasText: 'Forgot your password?' }).click();
    await page.waitForURL((u) => u.pathname === '/forgotPassword');
    await shown(page, 'form[name="forgotpasswordform"]:visible');
    await page.locator('#username:visible').fill('fred');
    await shot(page, 'forgot');
    await page.locator('button[name="reset_my_password"]:visible').click();

    await shown(page, 'form[name="confirmforgotpasswordform"]:visible');
    const message = await lastMessage(pool, 'fred');
    await page.locator('#forgot_password_code:visible').fill(message.code);
    await page.locator('#new_password:visible').fill(NEW_PASSWORD);
    await page.locator('#confirm_password:visible').fill(NEW_PASSWORD);
    await shot(page, 'confirm-forgot');
    await page.locator('button[name="reset_password"]:visible').click();

    expect(await textOf(page, '[role="status"]:visible')).toBe('Your password has been changed. Sign in with it.');
    await signIn(page, 'fred', PASSWORD);
    expect(await textOf(page, '#loginErrorMessage:visible')).toBe('Incorrect username or password.');
    await signIn(page, 'fred', NEW_PASSWORD);
    const code = await landed(page, state);
    const tokens = await exchange(pool, code, verifier);
    expect((await userInfo(tokens.access_token)).username).toBe('fred');
  } finally {
    await context.close();
  }
});

it('makes a user with a temporary password choose a new one', { timeout: TIMEOUT }, async () => {
  const pool = await hostedPool();
  await addUser(pool, 'tess', { temporary: true });
  const { verifier, challenge } = pkce();
  const state = 'new-password-state';
  const { context, page } = await newPage();
  try {
    await page.goto(`${process.env.COGNATE_URL}/oauth2/authorize?${authorizeQuery(pool, { state, challenge })}`);
    await signIn(page, 'tess');
    expect(await textOf(page, 'h1:visible')).toBe('Change Password');
    await shown(page, 'form[name="forceChangePasswordForm"]:visible');
    await shot(page, 'change-password');

    await page.locator('#new_password:visible').fill(NEW_PASSWORD);
    await page.locator('#confirm_password:visible').fill(`${NEW_PASSWORD}z`);
    await page.locator('button[name="reset_password"]:visible').click();
    expect(await textOf(page, '#errorMessage:visible')).toBe('Passwords do not match.');

    await page.locator('#new_password:visible').fill(NEW_PASSWORD);
    await page.locator('#confirm_password:visible').fill(NEW_PASSWORD);
    await page.locator('button[name="reset_password"]:visible').click();
    const code = await landed(page, state);
    const tokens = await exchange(pool, code, verifier);
    expect((await userInfo(tokens.access_token)).username).toBe('tess');
  } finally {
    await context.close();
  }
});

it('sets up an authenticator app at sign-in when MFA is required, then asks for its code', { timeout: TIMEOUT }, async () => {
  const pool = await hostedPool({ mfa: 'ON' });
  await addUser(pool, 'mona');
  const totpAt = async (secret, steps) =>
    new OTPAuth.TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 }).generate({
      timestamp: (await cognateNow()) + steps * 30000,
    });

  let secret;
  {
    const { verifier, challenge } = pkce();
    const state = 'mfa-setup-state';
    const { context, page } = await newPage();
    try {
      await page.goto(`${process.env.COGNATE_URL}/oauth2/authorize?${authorizeQuery(pool, { state, challenge })}`);
      await signIn(page, 'mona');
      expect(await textOf(page, 'h1:visible')).toBe('Set up authenticator app MFA');
      await shown(page, 'div.qr:visible svg');
      secret = (await page.locator('#secretKey:visible').textContent()).trim();
      expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/);
      await shot(page, 'mfa-setup');
      await page.locator('#totpCode:visible').fill(await totpAt(secret, 0));
      await page.locator('form[name="mfaSetupForm"]:visible button[type="submit"]').click();
      const code = await landed(page, state);
      const tokens = await exchange(pool, code, verifier);
      expect((await userInfo(tokens.access_token)).username).toBe('mona');
    } finally {
      await context.close();
    }
  }

  // A fresh browser (no session): the password, then the authenticator's code.
  const { verifier, challenge } = pkce();
  const state = 'mfa-code-state';
  const { context, page } = await newPage();
  try {
    await page.goto(`${process.env.COGNATE_URL}/oauth2/authorize?${authorizeQuery(pool, { state, challenge })}`);
    await signIn(page, 'mona');
    expect(await textOf(page, 'h1:visible')).toBe('Enter the code from your authenticator app');
    await shown(page, 'form[name="mfaForm"]:visible');
    await shot(page, 'mfa-code');
    // The set-up spent the current step's code; the next step's is accepted too.
    await page.locator('#authCode:visible').fill(await totpAt(secret, 1));
    await page.locator('form[name="mfaForm"]:visible button[name="signInSubmitButton"]').click();
    const code = await landed(page, state);
    const tokens = await exchange(pool, code, verifier);
    expect((await userInfo(tokens.access_token)).username).toBe('mona');
  } finally {
    await context.close();
  }
});

it('serves the pages of a prefix domain on its own Host name', { timeout: TIMEOUT }, async () => {
  const pool = await hostedPool({ domain: 'myprefix' });
  await addUser(pool, 'hugo');
  const { verifier, challenge } = pkce();
  const state = 'host-state';
  const { port } = new URL(process.env.COGNATE_URL);
  const base = `http://myprefix.auth.us-east-1.localhost:${port}`;
  const { context, page } = await newPage();
  try {
    await page.goto(`${base}/login?${authorizeQuery(pool, { state, challenge })}`);
    expect(new URL(page.url()).host).toBe(`myprefix.auth.us-east-1.localhost:${port}`);
    expect(await (await shown(page, 'form[name="cognitoSignInForm"]:visible')).getAttribute('action')).toMatch(/^\/login\?/);
    await signIn(page, 'hugo');
    const code = await landed(page, state);
    // Node does not resolve *.localhost: the token endpoint is reached by the plain address.
    const tokens = await exchange(pool, code, verifier);
    expect((await userInfo(tokens.access_token)).username).toBe('hugo');
  } finally {
    await context.close();
  }
});
