// Amplify JS v6's signInWithRedirect and signOut in a real browser (Debian's Chromium through
// playwright-core) against a pool's prefix domain served by cognate over HTTPS. Amplify builds
// https://<domain>/oauth2/authorize, /oauth2/token and /logout itself, so the domain is
// `myamplify.auth.us-east-1.localhost:<tls port>` (Chromium resolves *.localhost to loopback;
// cognate's certificate is self-signed, so the browser ignores certificate errors). The app
// (tests/hosted/amplify-app) is bundled with esbuild into a temporary folder and served from
// http://localhost:<port>/, its redirect target for sign-in and sign-out; its user pool API
// calls go to cognate's plain URL through `userPoolEndpoint`.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, serveApp } from './browser.js';
import {
  CognitoIdentityProviderClient,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
} from '@aws-sdk/client-cognito-identity-provider';

const TIMEOUT = 90000;
const PASSWORD = 'AmplifyPass123!x';
const DOMAIN_PREFIX = 'myamplify';
const SCOPES = ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'];
const HERE = path.dirname(fileURLToPath(import.meta.url));
const APP_SRC = path.join(HERE, 'amplify-app');
const ARTIFACTS = path.resolve(HERE, '..', '..', 'artifacts');

let browser;
let appServer;
let APP; // http://localhost:<port>/
let HOSTED; // https://myamplify.auth.us-east-1.localhost:<tls port>
let cognito;
let appConfig; // what the app reads from window.COGNATE_APP

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  expect(process.env.COGNATE_TLS_URL, 'cognate.js exports the HTTPS URL').toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

  // The app, bundled for the browser at test time and served from localhost.
  appServer = await serveApp(APP_SRC, () => appConfig);
  APP = appServer.url;
  HOSTED = `https://${DOMAIN_PREFIX}.auth.us-east-1.localhost:${new URL(process.env.COGNATE_TLS_URL).port}`;

  browser = await launchChromium(['--ignore-certificate-errors']);
  cognito = new CognitoIdentityProviderClient({
    endpoint: process.env.COGNATE_URL,
    region: 'us-east-1',
    credentials: { accessKeyId: 'cognate', secretAccessKey: 'cognate' },
  });
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await appServer?.close();
  cognito?.destroy();
});

// The pool (email required), its prefix domain, a public code-grant client for the app and a
// confirmed user with a permanent password and a verified email.
async function amplifyPool(username) {
  const { UserPool } = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: `amplify-redirect-${process.pid}`,
      AutoVerifiedAttributes: ['email'],
      Schema: [{ Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true }],
    }),
  );
  const poolId = UserPool.Id;
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: `amplify-redirect-client-${process.pid}`,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: SCOPES,
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [APP],
      LogoutURLs: [APP],
    }),
  );
  await cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: DOMAIN_PREFIX }));
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      UserAttributes: [
        { Name: 'email', Value: `${username}@example.com` },
        { Name: 'email_verified', Value: 'true' },
      ],
      MessageAction: 'SUPPRESS',
    }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }),
  );
  return { poolId, clientId: UserPoolClient.ClientId };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// Everything the page said and every request that failed or was refused, for the failure
// messages and artifacts/amplify-redirect.log.
function watch(page) {
  const log = [];
  page.on('console', (msg) => log.push(`console.${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => log.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => log.push(`requestfailed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`));
  page.on('response', async (res) => {
    const status = res.status();
    if (status >= 400) {
      let body = '';
      try {
        body = (await res.text()).slice(0, 500);
      } catch {
        // a redirect or a discarded body
      }
      log.push(`response ${status}: ${res.request().method()} ${res.url()} ${body}`);
    }
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) log.push(`navigated: ${frame.url()}`);
  });
  return log;
}

// The app's status line, once it reads as `want` (a RegExp); the app's error line on failure.
async function appStatus(page, want) {
  const status = page.locator('#status');
  try {
    await expect.poll(async () => (await status.textContent())?.trim(), { timeout: 20000, interval: 200 }).toMatch(want);
  } catch (err) {
    const error = await page.locator('#error').textContent().catch(() => '');
    throw new Error(`${err.message}\napp error: ${error}`);
  }
  return (await status.textContent()).trim();
}

// Fills and submits the visible sign-in form (the pages render it twice).
async function signIn(page, username) {
  await page.locator('form[name="cognitoSignInForm"]:visible').waitFor({ state: 'visible', timeout: 15000 });
  expect(await page.locator('form[name="cognitoSignInForm"]:visible').count()).toBe(1);
  await page.locator('#signInFormUsername:visible').fill(username);
  await page.locator('#signInFormPassword:visible').fill(PASSWORD);
  await page.locator('input[name="signInSubmitButton"]:visible').click();
}

const onHosted = (pathname) => (u) => u.origin === HOSTED && u.pathname === pathname;
const onApp = (u) => u.origin + u.pathname === APP;
const hostedCookie = async (context) =>
  (await context.cookies(HOSTED)).find((c) => c.name === 'cognito');

it('signs in with signInWithRedirect on the pool domain over HTTPS and signs out through /logout', { timeout: TIMEOUT }, async () => {
  const username = 'amy';
  const pool = await amplifyPool(username);
  appConfig = {
    userPoolId: pool.poolId,
    userPoolClientId: pool.clientId,
    userPoolEndpoint: process.env.COGNATE_URL,
    domain: new URL(HOSTED).host,
    scopes: SCOPES,
    redirect: APP,
  };

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const log = watch(page);
  try {
    // Signed out at first.
    await page.goto(APP);
    await appStatus(page, /^signed out$/);
    await shot(page, 'amplify-signed-out');

    // signInWithRedirect: Amplify's authorize URL on the domain, then cognate's sign-in page.
    const authorizeResponse = page.waitForResponse((res) => res.url().startsWith(`${HOSTED}/oauth2/authorize?`));
    await page.getByRole('button', { name: 'sign in' }).click();
    const authorized = await authorizeResponse;
    const authorize = new URL(authorized.url());
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: pool.clientId,
      redirect_uri: APP,
      response_type: 'code',
      identity_provider: 'COGNITO',
      scope: SCOPES.join(' '),
      code_challenge_method: 'S256',
    });
    // No session yet: on to the sign-in page, on the same https origin (Chromium speaks
    // HTTP/2 to the TLS port, so the host is the request's :authority, not a Host header).
    expect(authorized.status()).toBe(302);
    const toLogin = new URL(authorized.headers().location, HOSTED);
    expect(toLogin.origin + toLogin.pathname, `Location: ${authorized.headers().location}`).toBe(`${HOSTED}/login`);
    await page.waitForURL(onHosted('/login'), { timeout: 15000 });
    expect(await page.title()).toBe('Signin');
    expect(new URL(page.url()).searchParams.get('state')).toBe(authorize.searchParams.get('state'));
    await shot(page, 'amplify-login');

    // The form posts back to the domain; cognate redirects to the app with a code, which
    // Amplify exchanges at https://<domain>/oauth2/token from the page.
    const tokenResponse = page.waitForResponse((res) => res.url() === `${HOSTED}/oauth2/token` && res.request().method() === 'POST', {
      timeout: 20000,
    });
    await signIn(page, username);
    await page.waitForURL(onApp, { timeout: 15000 });
    const token = await tokenResponse;
    expect(token.status(), `${await token.text()}\n${log.join('\n')}`).toBe(200);
    expect(await appStatus(page, /^signed in as /)).toBe(`signed in as ${username} (${username}@example.com)`);
    const details = JSON.parse(await page.locator('#details').textContent());
    expect(details).toMatchObject({
      username,
      idTokenEmail: `${username}@example.com`,
      attributes: { email: `${username}@example.com`, email_verified: 'true' },
      tokenUse: 'access',
    });
    expect(details.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(details.attributes.sub).toBe(details.userId);
    expect(details.scope.split(' ').sort()).toEqual([...SCOPES].sort());
    expect(details.events).toContain('signInWithRedirect');
    expect(details.events).toContain('signedIn');
    // Amplify has replaced the code and state in the address bar.
    expect(page.url()).toBe(APP);
    expect(await page.locator('#error').textContent()).toBe('');
    // The domain's session cookie, set over HTTPS.
    expect(await hostedCookie(context)).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    await shot(page, 'amplify-signed-in');

    // A reload keeps the session (the tokens are in localStorage).
    await page.reload();
    expect(await appStatus(page, /^signed in as /)).toBe(`signed in as ${username} (${username}@example.com)`);

    // signOut: Amplify sends the browser to https://<domain>/logout?client_id&logout_uri,
    // cognate clears the cookie and sends it back to the app, signed out.
    const logoutRequest = page.waitForRequest((req) => req.url().startsWith(`${HOSTED}/logout?`));
    await page.getByRole('button', { name: 'sign out' }).click();
    const logout = new URL((await logoutRequest).url());
    expect(logout.searchParams.get('client_id')).toBe(pool.clientId);
    expect(logout.searchParams.get('logout_uri')).toBe(APP);
    await page.waitForURL(onApp, { timeout: 15000 });
    await appStatus(page, /^signed out$/);
    expect(await hostedCookie(context)).toBeUndefined();
    await shot(page, 'amplify-after-logout');

    // A new signInWithRedirect shows the form again: the session cookie is gone.
    await page.getByRole('button', { name: 'sign in' }).click();
    await page.waitForURL(onHosted('/login'), { timeout: 15000 });
    await page.locator('form[name="cognitoSignInForm"]:visible').waitFor({ state: 'visible', timeout: 15000 });
    await shot(page, 'amplify-login-again');
  } catch (err) {
    err.message += `\nat ${page.url()}\n${log.join('\n')}`;
    throw err;
  } finally {
    writeFileSync(path.join(ARTIFACTS, 'amplify-redirect.log'), `${log.join('\n')}\n`);
    await context.close();
  }
});
