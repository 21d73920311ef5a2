import { settingNote } from '../config/settings-doc.ts';

/** The help text of `esco-init serve`: every route it answers (defaults: src/config/settings.ts). */
export const SERVE_ABOUT = `Serves search over the ESCO data in Weaviate. Start it after 'esco-init init' exited 0.

  GET /search?q=<text>      search skills (default) or occupations; the answer says which mode
                            ran ("mode", and "alpha" for hybrid) and which filters applied
      type=skill|occupation           default skill
      limit=<1-100>                   default 10
      mode=hybrid|vector|bm25         bm25: keywords; vector: meaning (the text's embedding);
                                      hybrid: both, weighed by alpha. Default: the setting
                                      ${settingNote('search.mode')};
                                      always bm25 when the collections have no vectors (vectorizer
                                      none), where vector and hybrid are a 400
      alpha=<0-1>                     hybrid only: 0 = keywords only, 1 = vectors only. Default:
                                      the setting ${settingNote('search.alpha')}
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
  GET /metrics              Prometheus metrics: runs, ingest duration, objects written, lease,
                            published generation, search latency, inference errors

  Operator API (only with admin keys: ESCO_ADMIN_KEYS or ESCO_ADMIN_KEYS_FILE):
  POST /admin/ingest        body {"force": true|false}, optional header Idempotency-Key: starts
                            an init run in this service. 202 + Location /admin/runs/<id> (the
                            run's record exists, state queued); 409 naming the active run while
                            one is queued here or any process holds the ingestion lease; 503 +
                            Retry-After while Weaviate or the inference service is not ready
  GET /admin/runs?limit=<1-100>   the newest run records (default 20)
  GET /admin/runs/<id>      one run: passes with timings, counts, error, live progress

  API keys (Authorization: Bearer <key>), by role: reader (search routes), monitor (/metrics),
  admin (everything). A role's routes are open until a key of that role is configured;
  /healthz is always open. 401: no or unknown key; 403: the key lacks the role; 429: more than
  search.rateLimitPerMinute search requests a minute from one key (or address).
  Every answer names the generation it was read from: "generation" (null for collections
  written before generations or by 'esco-init ingest') and the dataset's "fingerprint" (short)
  in the JSON, and the headers ESCO-Generation and ESCO-Fingerprint. A request reads one
  generation throughout, even while 'init' switches the aliases.
  (<id>: the ESCO id at the end of the concept URI, or the whole URI, URL-encoded)`;
