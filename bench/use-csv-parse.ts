/**
 * Preloaded by bench/read.ts (`node --import ./bench/use-csv-parse.ts`): every import of
 * src/esco/csv.ts, the scan's included, resolves to bench/csv-parse-reader.ts instead, so the
 * same reader code runs over csv-parse. That file itself still gets the real csv.ts (for the
 * CsvProblem class and the record limit).
 */
import { registerHooks } from 'node:module';

const OURS = new URL('../src/esco/csv.ts', import.meta.url).href;
const CSV_PARSE = new URL('./csv-parse-reader.ts', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    return resolved.url === OURS && context.parentURL !== CSV_PARSE ? { ...resolved, url: CSV_PARSE } : resolved;
  },
});
