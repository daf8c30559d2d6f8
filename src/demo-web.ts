/**
 * `npm run demo:web`: start the simulator on a free loopback port with the sample world, then the
 * page (`cloudcockpit-bulk serve`, the built CLI as a child process, client credentials and all)
 * against it, and print the link to open. Try it with the files in samples/. Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from './simulator/server.js';
import { sampleWorld } from './simulator/world.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLIENT_ID = 'demo-client';
const CLIENT_SECRET = 'demo-secret-not-a-real-one';

const sim = await startSimulator({
  world: sampleWorld(),
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  latencyMs: 150,
  jitterMs: 150,
});
console.log(`Simulator listening on ${sim.url}; the page's files go to demo-results/web/.`);
console.log(`Upload the files in ${path.join(root, 'samples')} to try it.\n`);
const page = spawn(
  process.execPath,
  [
    path.join(root, 'dist', 'bin.js'),
    'serve',
    '--data-dir',
    path.join(root, 'demo-results', 'web'),
    '--rate',
    '4',
  ],
  {
    env: {
      ...process.env,
      CLOUDCOCKPIT_TENANT: sim.options.tenant,
      CLOUDCOCKPIT_BASE_URL: sim.url,
      CLOUDCOCKPIT_TOKEN_URL: sim.tokenUrl,
      CLOUDCOCKPIT_CLIENT_ID: CLIENT_ID,
      CLOUDCOCKPIT_CLIENT_SECRET: CLIENT_SECRET,
      CLOUDCOCKPIT_TOKEN: '',
    },
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the page's process too (same terminal); a service manager's SIGTERM is passed on.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => page.kill('SIGTERM'));
const code = await new Promise<number | null>((resolve) => page.on('close', resolve));
await sim.close();
process.exitCode = code ?? 1;
