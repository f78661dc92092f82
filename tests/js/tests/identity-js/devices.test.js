// amazon-cognito-identity-js remembering a device: confirmation on the first sign-in, the
// user's choice to remember it, and a device-verified sign-in after that.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { call, reset } from '../api.js';

// The seeded pool that tracks devices, with plain usernames, here asking the user first.
const POOL = 'us-east-1_PlainPool';
beforeEach(async () => {
  await reset();
  await call('UpdateUserPool', {
    UserPoolId: POOL,
    AutoVerifiedAttributes: ['email'],
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true },
  });
});

const pool = () => new CognitoUserPool({ UserPoolId: POOL, ClientId: 'plainclient', endpoint: process.env.COGNATE_URL });

function authenticate() {
  const user = new CognitoUser({ Username: 'plainuser', Pool: pool() });
  const details = new AuthenticationDetails({ Username: 'plainuser', Password: 'PlainPass123!' });
  return new Promise((resolve, reject) =>
    user.authenticateUser(details, {
      onSuccess: (session, userConfirmationNecessary) => resolve({ user, session, userConfirmationNecessary }),
      onFailure: reject,
    }),
  );
}

it('remembers a device', async () => {
  const first = await authenticate();
  expect(first.userConfirmationNecessary).toBe(true);
  await new Promise((resolve, reject) => first.user.setDeviceStatusRemembered({ onSuccess: resolve, onFailure: reject }));
  const deviceKey = first.session.getAccessToken().decodePayload().device_key;
  const [device] = (await call('AdminListDevices', { UserPoolId: POOL, Username: 'plainuser' })).Devices;
  expect(device.DeviceKey).toBe(deviceKey);
  expect(device.DeviceAttributes).toContainEqual({ Name: 'dev:device_remembered_status', Value: 'remembered' });

  const second = await authenticate();
  expect(second.session.getAccessToken().decodePayload().device_key).toBe(deviceKey);
});
