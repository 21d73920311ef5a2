/**
 * The quick-start demo: `esco-init init` on data/sample against WEAVIATE_URL, or against a
 * weaviate-server started here for the occasion (test/support/weaviate-server.ts).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalWeaviate } from '../test/support/weaviate-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'src/cli.ts');
const external = process.env.WEAVIATE_URL;
const server = external ? undefined : await startLocalWeaviate();
const env = {
  ...process.env,
  ...(server && { WEAVIATE_URL: server.url, WEAVIATE_GRPC_PORT: String(server.grpcPort) }),
  ESCO_INIT_PROFILE: process.env.ESCO_INIT_PROFILE ?? 'local',
  ESCO_DATA: process.env.ESCO_DATA ?? path.join(root, 'data/sample'),
};
if (server) console.log(`started weaviate-server v${server.version} at ${server.url} (gRPC ${server.grpcPort})`);

let exitCode = 0;
try {
  for (const args of [['init', ...process.argv.slice(2)], ['status']]) {
    console.log(`\n$ esco-init ${args.join(' ')}`);
    execFileSync(process.execPath, [cli, ...args], { env, stdio: 'inherit' });
  }
} catch (error) {
  exitCode = (error as { status?: number }).status ?? 1;
} finally {
  await server?.stop();
}
process.exit(exitCode);
