/** The local inference service (scripts/local/inference.ts), as the tests start it. */
export * from '../../scripts/local/inference.ts';
