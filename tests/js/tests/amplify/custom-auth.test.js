// CUSTOM_AUTH with the password first (Amplify's CUSTOM_WITH_SRP, and amazon-cognito-identity-js
// with the CUSTOM_AUTH flow type): SRP_A, PASSWORD_VERIFIER, then a question from the pool's own
// triggers (tests/js/handlers/custom-srp.mjs, run by cognate as a local command).
import { Amplify } from 'aws-amplify';
import { signIn, signOut, confirmSignIn, fetchAuthSession } from 'aws-amplify/auth';
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { call, reset } from '../api.js';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:customSrp';
const user = { username: 'quizzer', password: 'Quiz!pass123' };
let poolId;
let clientId;

beforeAll(async () => {
  await reset();
  poolId = (
    await call('CreateUserPool', {
      PoolName: 'custom-srp',
      LambdaConfig: { DefineAuthChallenge: ARN, CreateAuthChallenge: ARN, VerifyAuthChallengeResponse: ARN },
    })
  ).UserPool.Id;
  clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    })
  ).UserPoolClient.ClientId;
  await call('AdminCreateUser', { UserPoolId: poolId, Username: user.username, MessageAction: 'SUPPRESS' });
  await call('AdminSetUserPassword', { UserPoolId: poolId, Username: user.username, Password: user.password, Permanent: true });
  Amplify.configure({
    Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: process.env.COGNATE_URL } },
  });
});
beforeEach(() => signOut().catch(() => {}));

const custom = { authFlowType: 'CUSTOM_WITH_SRP' };

it('proves the password by SRP before the custom challenge (Amplify CUSTOM_WITH_SRP)', async () => {
  const first = await signIn({ ...user, options: custom });
  expect(first.isSignedIn).toBe(false);
  expect(first.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
  // DefineAuthChallenge saw the SRP_A round and the passed PASSWORD_VERIFIER, in that order.
  expect(first.nextStep.additionalInfo).toEqual({
    USERNAME: 'quizzer',
    question: 'What is 6 x 7?',
    rounds: 'SRP_A:true,PASSWORD_VERIFIER:true',
  });
  const done = await confirmSignIn({ challengeResponse: '42' });
  expect(done.isSignedIn).toBe(true);
  const { tokens } = await fetchAuthSession();
  expect(tokens.idToken.payload['cognito:username']).toBe('quizzer');
  expect(tokens.idToken.payload.aud).toBe(clientId);
});

it('stops at the password round when the password is wrong', async () => {
  await expect(signIn({ username: user.username, password: 'Wrong!pass123', options: custom })).rejects.toMatchObject({
    name: 'NotAuthorizedException',
    message: 'Incorrect username or password.',
  });
});

it('fails the sign-in on a wrong answer, as the handler decides', async () => {
  await signIn({ ...user, options: custom });
  await expect(confirmSignIn({ challengeResponse: '41' })).rejects.toMatchObject({
    name: 'NotAuthorizedException',
    message: 'Incorrect username or password.',
  });
});

it('walks the same rounds with amazon-cognito-identity-js', async () => {
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: process.env.COGNATE_URL });
  const cognitoUser = new CognitoUser({ Username: user.username, Pool: pool });
  cognitoUser.setAuthenticationFlowType('CUSTOM_AUTH');
  const session = await new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: resolve,
      onFailure: reject,
      customChallenge(parameters) {
        expect(parameters.rounds).toBe('SRP_A:true,PASSWORD_VERIFIER:true');
        cognitoUser.sendCustomChallengeAnswer('42', callbacks);
      },
    };
    cognitoUser.authenticateUser(new AuthenticationDetails({ Username: user.username, Password: user.password }), callbacks);
  });
  expect(session.isValid()).toBe(true);
  expect(session.getAccessToken().decodePayload().username).toBe('quizzer');
});
