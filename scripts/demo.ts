/**
 * The quick-start demo, on the default path: a weaviate-server with the text2vec-transformers
 * module and the project's inference service (the real all-MiniLM-L6-v2 model) started here for
 * the occasion (or WEAVIATE_URL, with whatever vectorizer it runs), `esco-init init` and `status`
 * on data/sample, then a search by meaning: a query that shares no word with the concepts it finds.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../src/log.ts';
import type { ConceptType } from '../src/search/concepts.ts';
import { PUBLISHED_NAMES, SearchQueries } from '../src/search/queries.ts';
import { connect } from '../src/weaviate/client.ts';
import { startInference } from './local/inference.ts';
import { startLocalWeaviate } from './local/weaviate-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'src/cli.ts');
const started = performance.now();
const external = process.env.WEAVIATE_URL;
const inference = external ? undefined : await startInference();
const server = external ? undefined : await startLocalWeaviate({ inferenceUrl: inference?.url });
const env = {
  ...process.env,
  ...(server && { WEAVIATE_URL: server.url, WEAVIATE_GRPC_PORT: String(server.grpcPort) }),
  ESCO_INIT_PROFILE: process.env.ESCO_INIT_PROFILE ?? 'local',
  ESCO_DATA: process.env.ESCO_DATA ?? path.join(root, 'data/sample'),
};
if (server) {
  console.log(`started weaviate-server v${server.version} at ${server.url} (gRPC ${server.grpcPort})`);
  console.log(`  with text2vec-transformers → the inference service at ${inference?.url} (all-MiniLM-L6-v2)`);
}

/** Queries by meaning on the sample: none shares a word with the labels of what it should find. */
const QUERIES: [ConceptType, string][] = [
  ['skill', 'honey bees hives'],
  ['skill', 'seaweed cultivation'],
  ['occupation', 'beekeeper'],
];

async function searchByMeaning(): Promise<void> {
  const settings = {
    url: env.WEAVIATE_URL ?? '',
    grpcPort: Number(env.WEAVIATE_GRPC_PORT ?? 50051),
    startupTimeoutSeconds: 30,
  };
  const client = await connect(settings, silentLogger());
  try {
    const queries = new SearchQueries(client);
    for (const [type, q] of QUERIES) {
      if (!(await queries.hasVectors(PUBLISHED_NAMES, type)))
        return console.log('\n(no vectors in this Weaviate: no search by meaning)');
      const hits = await queries.search(PUBLISHED_NAMES, {
        type,
        q,
        limit: 3,
        ranking: { mode: 'vector' },
        filters: {},
      });
      console.log(`\nsearch by meaning (mode=vector), ${type}s for "${q}":`);
      for (const hit of hits) console.log(`  ${hit.label}  (distance ${Number(hit.distance).toFixed(3)})`);
    }
  } finally {
    await client.close();
  }
}

let exitCode = 0;
try {
  for (const args of [['init', ...process.argv.slice(2)], ['status']]) {
    console.log(`\n$ esco-init ${args.join(' ')}`);
    execFileSync(process.execPath, [cli, ...args], { env, stdio: 'inherit' });
  }
  await searchByMeaning();
  console.log(`\ndemo done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  exitCode = (error as { status?: number }).status ?? 1;
  if (exitCode === 1 && !(error as { status?: number }).status) console.error(error);
} finally {
  await server?.stop();
  await inference?.stop();
}
process.exit(exitCode);
