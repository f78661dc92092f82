// Amplify JS v6 with a pool that tracks devices: the new device is confirmed by Amplify on
// sign-in, and the next sign-in proves it with DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER.
import { Amplify } from 'aws-amplify';
import { signIn, signOut, fetchAuthSession, fetchDevices, forgetDevice, rememberDevice } from 'aws-amplify/auth';
import { call, reset } from '../api.js';

// Amplify names the device from `navigator`, which browsers have and Node 20 does not; without
// it Amplify silently skips ConfirmDevice.
globalThis.navigator ??= { userAgent: 'Node.js (cognate tests)' };

// The seeded pool that tracks devices, with plain usernames.
const POOL = 'us-east-1_PlainPool';
beforeAll(() =>
  Amplify.configure({
    Auth: { Cognito: { userPoolId: POOL, userPoolClientId: 'plainclient', userPoolEndpoint: process.env.COGNATE_URL } },
  }),
);
beforeEach(async () => {
  await signOut().catch(() => {});
  await reset();
});

const user = { username: 'plainuser', password: 'PlainPass123!' };
const deviceOf = async () => (await fetchAuthSession()).tokens.accessToken.payload.device_key;

it('remembers the device and signs in with it next time', async () => {
  await signIn(user);
  const first = await deviceOf();
  expect(first).toMatch(/^us-east-1_/);
  const devices = await fetchDevices();
  expect(devices.map((d) => d.id)).toEqual([first]);

  await signOut();
  const again = await signIn(user);
  expect(again.isSignedIn).toBe(true);
  // The same device, proved by its own SRP round rather than tracked anew.
  expect(await deviceOf()).toBe(first);
  const listed = await call('AdminListDevices', { UserPoolId: POOL, Username: user.username });
  expect(listed.Devices.map((d) => d.DeviceKey)).toEqual([first]);
});

it('remembers and forgets on request', async () => {
  await signIn(user);
  await rememberDevice();
  const [device] = await fetchDevices();
  expect(device.attributes['dev:device_remembered_status']).toBe('remembered');
  await forgetDevice();
  expect(await fetchDevices()).toEqual([]);
});
