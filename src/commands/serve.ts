/**
 * `esco-init serve`: the search service over the ingested data (the `esco-search` service of
 * docker-compose.yml). Runs until SIGINT/SIGTERM, then closes the server and exits 0.
 */
import { GenerationPin } from '../search/generation-pin.ts';
import { SearchQueries } from '../search/queries.ts';
import { buildServer, pinReadiness } from '../http/server.ts';
import { DEFAULT_DATASET_KEY } from '../state/status-store.ts';
import { WeaviateStatusStore } from '../weaviate/metadata-status-store.ts';
import { defineCommand } from './command.ts';
import { CONFIG_FILE, PROFILE } from './flags.ts';

export const command = defineCommand({
  name: 'serve',
  usage: 'esco-init serve [options]',
  about: `Serves search over the ESCO data in Weaviate. Start it after 'esco-init init' exited 0.

  GET /search?q=<text>      search skills (default) or occupations; the answer says which mode
                            ran ("mode", and "alpha" for hybrid) and which filters applied
      type=skill|occupation           default skill
      limit=<1-100>                   default 10
      mode=hybrid|vector|bm25         bm25: keywords; vector: meaning (the text's embedding);
                                      hybrid: both, weighed by alpha. Default: config search.mode
                                      (ESCO_SEARCH_MODE, hybrid); always bm25 when the collections
                                      have no vectors (vectorizer none), where vector and hybrid
                                      are a 400
      alpha=<0-1>                     hybrid only: 0 = keywords only, 1 = vectors only. Default:
                                      config search.alpha (ESCO_SEARCH_ALPHA, 0.5)
      skillType=knowledge|skill/competence                                  (type=skill only)
      reuseLevel=transversal|cross-sector|sector-specific|occupation-specific (type=skill only)
      collection=<key>[,<key>…]       members of ANY of these ESCO collections (repeatable); the
                                      keys the data holds, named after its collection files (v1.1.1:
                                      digitalSkills, digCompSkills, greenSkills, languageSkills,
                                      researchSkills, transversalSkills, researchOccupations)
      isco=<1-4 digits>               type=occupation only: ISCO-08 group code starting with these
                                      digits (isco=25: ICT professionals)
    Filters apply in every mode and must all hold. A filter for the other type, an unknown
    collection or an unknown parameter is a 400 naming the parameter.
  GET /occupations/<id>     an occupation with its essential and optional skills
  GET /skills/<id>          a skill with the occupations that need it
  GET /occupations/<id>/similar?limit=<1-100>   the occupation's nearest occupations by vector,
  GET /skills/<id>/similar?limit=<1-100>        or the skill's nearest skills, with their cosine
                            distance (default limit 10; the concept itself left out). 404 when
                            there is no such concept; 409 when the collection has no vectors
  GET /healthz              200 once a generation is published (or, for data from before
                            generations, while the ingestion status is completed), else 503
  Every answer names the generation it was read from: "generation" (null for collections
  written before generations or by 'esco-init ingest') and the dataset's "fingerprint" (short)
  in the JSON, and the headers ESCO-Generation and ESCO-Fingerprint. A request reads one
  generation throughout, even while 'init' switches the aliases.
  (<id>: the ESCO id at the end of the concept URI, or the whole URI, URL-encoded)`,
  flags: {
    host: {
      type: 'string',
      value: '<address>',
      help: 'address to listen on (default: config search.host)',
      config: 'search.host',
    },
    port: {
      type: 'string',
      value: '<n>',
      help: 'port to listen on (default: config search.port, 8000)',
      config: 'search.port',
    },
    profile: PROFILE,
    config: CONFIG_FILE,
  },
  async run({ config, io, withClient }) {
    return withClient(async (client, log) => {
      const status = new WeaviateStatusStore(client);
      const pin = new GenerationPin(() => status.readStatus(DEFAULT_DATASET_KEY));
      const app = buildServer({
        queries: new SearchQueries(client),
        defaults: { mode: config.search.mode, alpha: config.search.alpha },
        pin,
        readiness: pinReadiness(pin, DEFAULT_DATASET_KEY),
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
      }
    });
  },
});

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
