// Starts the cognate binary ($COGNATE_BIN, else target/debug/cognate) with the shared seed
// file, and hands its URLs (plain HTTP, and HTTPS with a self-signed certificate) and the seed
// guide's variables to the tests through the environment.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let server;

export async function setup() {
  const bin = process.env.COGNATE_BIN || path.join(root, 'target', 'debug', 'cognate');
  // The custom-challenge triggers run as a local command, as a team's handler would.
  const customSrp = `command:node ${path.join(root, 'tests', 'js', 'handlers', 'custom-srp.mjs')}`;
  const args = ['serve', '--ephemeral', '--port', '0', '--tls-port', '0', '--seed', path.join(root, 'tests', 'seed.toml')];
  server = spawn(bin, [...args, '--lambda', `customSrp=${customSrp}`], {
    env: { ...process.env, NO_COLOR: '1', COGNATE_LOG: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // cognate logs `listening on http://...`, then `serves HTTPS on https://... too`.
  const { url, tlsUrl } = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: server.stdout });
    let url;
    lines.on('line', (line) => {
      const plain = line.match(/listening on (http:\S+)/);
      if (plain) url = plain[1];
      const tls = line.match(/serves HTTPS on (https:\S+)/);
      if (tls && url) resolve({ url, tlsUrl: tls[1] });
    });
    server.on('exit', (code) => reject(new Error(`cognate exited with ${code}`)));
  });
  Object.assign(process.env, {
    COGNATE_URL: url,
    COGNATE_TLS_URL: tlsUrl,
    COGNITO_USER_POOL_ID: 'us-east-1_TestPoolId',
    COGNITO_CLIENT_ID: 'testclientid',
    TEST_USER_EMAIL: 'testuser@example.com',
    TEST_USER_PASSWORD: 'TestPass123!',
  });
}

export async function teardown() {
  server?.kill();
}
