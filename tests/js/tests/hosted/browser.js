// Debian's Chromium as the hosted tests launch it. The flags keep it from reaching out to
// Google's services, which this machine's closed network refuses.
import { chromium } from 'playwright-core';

export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/// An app for the browser: `srcDir`'s app.js bundled by esbuild and served with its index.html
/// from http://localhost:<port>/ (localhost, not 127.0.0.1, so a page can be a WebAuthn origin
/// and a secure context). `config()` is what the page reads as `window.COGNATE_APP`.
/// Answers `{ url, close }`.
export async function serveApp(srcDir, config) {
  const { build } = await import('esbuild');
  const http = await import('node:http');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'cognate-app-'));
  await build({
    entryPoints: [path.join(srcDir, 'app.js')],
    outfile: path.join(bundleDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    sourcemap: 'inline',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    logLevel: 'warning',
  });
  const bundle = readFileSync(path.join(bundleDir, 'app.js'));
  rmSync(bundleDir, { recursive: true, force: true });
  const html = readFileSync(path.join(srcDir, 'index.html'), 'utf8');
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    if (pathname === '/') {
      const script = `<script>window.COGNATE_APP = ${JSON.stringify(config())};</script>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html.replace('<!--CONFIG-->', script));
    } else if (pathname === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(bundle);
    } else if (pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
