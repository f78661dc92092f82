// A tiny browser app on Amplify JS v6: signInWithRedirect to a pool's managed login pages
// (reached over HTTPS at the pool's domain), the code exchanged by Amplify in the browser,
// then getCurrentUser, fetchAuthSession and fetchUserAttributes (the user pool API at
// cognate's plain URL, `userPoolEndpoint`), and signOut through the domain's /logout.
// The test bundles it with esbuild and serves it with its configuration in window.COGNATE_APP.
import { Amplify } from 'aws-amplify';
import {
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  signInWithRedirect,
  signOut,
} from 'aws-amplify/auth';
import 'aws-amplify/auth/enable-oauth-listener';
import { Hub } from 'aws-amplify/utils';

const config = window.COGNATE_APP;
const $ = (id) => document.getElementById(id);
const events = [];

function showError(where, err) {
  const text = `${where}: ${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`;
  console.error(text);
  $('error').textContent = $('error').textContent ? `${$('error').textContent}\n${text}` : text;
}

let rendering = Promise.resolve();
function render() {
  rendering = rendering.then(async () => {
    try {
      const user = await getCurrentUser();
      const session = await fetchAuthSession();
      const attributes = await fetchUserAttributes();
      const email = session.tokens?.idToken?.payload?.email;
      $('status').textContent = `signed in as ${user.username} (${email})`;
      $('details').textContent = JSON.stringify(
        {
          username: user.username,
          userId: user.userId,
          loginId: user.signInDetails?.loginId ?? null,
          idTokenEmail: email,
          attributes,
          tokenUse: session.tokens?.accessToken?.payload?.token_use,
          scope: session.tokens?.accessToken?.payload?.scope,
          events,
        },
        null,
        2,
      );
    } catch (err) {
      if (err?.name !== 'UserUnAuthenticatedException') showError('render', err);
      $('status').textContent = 'signed out';
      $('details').textContent = JSON.stringify({ events }, null, 2);
    }
  });
  return rendering;
}

Hub.listen('auth', ({ payload }) => {
  events.push(payload.event);
  if (payload.event === 'signInWithRedirect_failure') showError('signInWithRedirect_failure', payload.data?.error);
  if (['signedIn', 'signInWithRedirect', 'signInWithRedirect_failure', 'signedOut'].includes(payload.event)) render();
});

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: config.userPoolId,
      userPoolClientId: config.userPoolClientId,
      userPoolEndpoint: config.userPoolEndpoint,
      loginWith: {
        oauth: {
          domain: config.domain,
          scopes: config.scopes,
          redirectSignIn: [config.redirect],
          redirectSignOut: [config.redirect],
          responseType: 'code',
        },
      },
    },
  },
});

$('sign-in').addEventListener('click', () => {
  signInWithRedirect().catch((err) => showError('signInWithRedirect', err));
});
$('sign-out').addEventListener('click', () => {
  signOut().catch((err) => showError('signOut', err));
});

render();
