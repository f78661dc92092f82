// A tiny browser app on Amplify JS v6's passkey APIs: signIn (USER_AUTH with a password, a
// passkey, or the first-factor selection), confirmSignIn, associateWebAuthnCredential,
// listWebAuthnCredentials, deleteWebAuthnCredential, getCurrentUser and signOut, against the
// user pool API at cognate's plain URL (`userPoolEndpoint`). The WebAuthn ceremonies are the
// browser's own (navigator.credentials.create / get, which Amplify calls), answered by the
// test's virtual authenticator. The test bundles it with esbuild, serves it from
// http://localhost:<port>/ with its configuration in window.COGNATE_APP, and drives it through
// window.passkeyApp, whose calls resolve to plain values: {ok: result} or {error: {...}}.
import { Amplify } from 'aws-amplify';
import {
  associateWebAuthnCredential,
  confirmSignIn,
  deleteWebAuthnCredential,
  fetchAuthSession,
  getCurrentUser,
  listWebAuthnCredentials,
  signIn,
  signOut,
} from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';

const config = window.COGNATE_APP;
const $ = (id) => document.getElementById(id);
const events = [];
const calls = [];

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: config.userPoolId,
      userPoolClientId: config.userPoolClientId,
      userPoolEndpoint: config.userPoolEndpoint,
    },
  },
});

Hub.listen('auth', ({ payload }) => {
  events.push(payload.event);
});

// An error as plain data, with the browser's own error underneath Amplify's (a PasskeyError
// wraps the DOMException from navigator.credentials).
function plainError(err) {
  const under = err?.underlyingError;
  return {
    name: err?.name ?? 'Error',
    message: err?.message ?? String(err),
    recoverySuggestion: err?.recoverySuggestion,
    underlyingError: under ? { name: under.name, message: under.message } : undefined,
  };
}

function show() {
  $('calls').textContent = calls
    .map(({ what, result }) => `${what} → ${'error' in result ? `error ${JSON.stringify(result.error)}` : JSON.stringify(result.ok)}`)
    .join('\n');
  $('events').textContent = events.join(', ');
}

async function run(what, fn) {
  let result;
  try {
    result = { ok: (await fn()) ?? null };
  } catch (err) {
    console.error(`${what}: ${err?.name}: ${err?.message}`, err?.underlyingError ?? '');
    result = { error: plainError(err) };
  }
  calls.push({ what, result });
  await status();
  show();
  return result;
}

async function status() {
  try {
    const user = await getCurrentUser();
    $('status').textContent = `signed in as ${user.username}`;
  } catch {
    $('status').textContent = 'signed out';
  }
}

window.passkeyApp = {
  passkeySupported: () =>
    window.isSecureContext && 'credentials' in navigator && typeof window.PublicKeyCredential === 'function',
  signIn: (input) => run(`signIn(${JSON.stringify({ ...input, password: input.password && '***' })})`, () => signIn(input)),
  confirmSignIn: (input) => run(`confirmSignIn(${JSON.stringify(input)})`, () => confirmSignIn(input)),
  signOut: () => run('signOut()', () => signOut()),
  associate: () => run('associateWebAuthnCredential()', () => associateWebAuthnCredential()),
  list: () =>
    run('listWebAuthnCredentials()', async () => {
      const { credentials, nextToken } = await listWebAuthnCredentials();
      return {
        nextToken: nextToken ?? null,
        credentials: credentials.map((c) => ({
          ...c,
          createdAtIsDate: c.createdAt instanceof Date && !Number.isNaN(c.createdAt.getTime()),
          createdAt: c.createdAt instanceof Date ? c.createdAt.toISOString() : c.createdAt,
        })),
      };
    }),
  remove: (credentialId) =>
    run(`deleteWebAuthnCredential(${credentialId})`, () => deleteWebAuthnCredential({ credentialId })),
  currentUser: () =>
    run('getCurrentUser()', async () => {
      const user = await getCurrentUser();
      const session = await fetchAuthSession();
      return {
        username: user.username,
        userId: user.userId,
        signInDetails: user.signInDetails ?? null,
        tokenUse: session.tokens?.accessToken?.payload?.token_use ?? null,
        idTokenUsername: session.tokens?.idToken?.payload?.['cognito:username'] ?? null,
      };
    }),
  events: () => [...events],
};

status().then(() => {
  show();
  $('ready').textContent = 'ready';
});
