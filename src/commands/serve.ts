/**
 * `esco-init serve`: the search service over the ingested data (the `esco-search` service of
 * docker-compose.yml). Runs until SIGINT/SIGTERM, then closes the server and exits 0.
 */
import { type ConfigOverrides, loadConfig } from '../config/config.ts';
import { createLogger } from '../log.ts';
import { SearchQueries } from '../search/queries.ts';
import { buildServer, statusReadiness } from '../search/server.ts';
import { connect } from '../weaviate/client.ts';
import { DEFAULT_DATASET_KEY, WeaviateStatusStore } from '../weaviate/status-store.ts';
import type { Command } from './command.ts';
import { parseFlags } from './flags.ts';

const HELP = `Usage: esco-init serve [options]

Serves search over the ESCO data in Weaviate (hybrid search when the collections have vectors,
BM25 otherwise). Start it after 'esco-init init' exited 0.

  GET /search?q=<text>&type=skill|occupation&limit=<1-100>   (type: skill, limit: 10 by default)
  GET /occupations/<id>     an occupation with its essential and optional skills
  GET /skills/<id>          a skill with the occupations that need it
  GET /healthz              200 while the ingestion status is completed, else 503
  (<id>: the ESCO id at the end of the concept URI, or the whole URI, URL-encoded)

Options:
  --host <address>     address to listen on (default: config search.host)
  --port <n>           port to listen on (default: config search.port, 8000)
  --profile <name>     configuration profile
  --config <file>      configuration file`;

export const command: Command = {
  help: HELP,
  async run(argv, io) {
    const config = loadConfig(overrides(parse(argv)), io.env);
    const log = createLogger(config.log, io.stderr);
    const client = await connect(config.weaviate, log, io.signal);
    const app = buildServer({
      queries: new SearchQueries(client),
      readiness: statusReadiness(new WeaviateStatusStore(client), DEFAULT_DATASET_KEY),
      log,
    });
    try {
      const url = await app.listen({ host: config.search.host, port: config.search.port });
      log.info({ url }, `search service listening on ${url}`);
      await untilAborted(io.signal);
      log.info({ signal: io.signal.reason }, 'stopping the search service');
      return 0;
    } finally {
      await app.close();
      await client.close();
    }
  },
};

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function parse(argv: string[]) {
  return parseFlags('serve', argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    profile: { type: 'string' },
    config: { type: 'string' },
  });
}

function overrides(v: ReturnType<typeof parse>): ConfigOverrides {
  return { profile: v.profile, configFile: v.config, search: { host: v.host, port: v.port } };
}
