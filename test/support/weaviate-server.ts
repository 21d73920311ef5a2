/** A local weaviate-server process (scripts/local/weaviate-server.ts), as the tests start it. */
export * from '../../scripts/local/weaviate-server.ts';
