/**
 * Entry point of the dataset reader: `openDataset(paths, options)` finds the ESCO files among the
 * given folders/zips/CSVs; the returned dataset streams records (`scan`) or hashes bytes
 * (`fingerprint`). Nothing is read until one of them is called.
 */
import type { DatasetReport, EscoDataset, ReadOptions, RecordHandlers } from './dataset.ts';
import { type DatasetSource, discover } from './discovery.ts';
import { fingerprintSources } from './fingerprint.ts';
import { scanSources } from './scan.ts';

export const DEFAULT_READ_OPTIONS: ReadOptions = { language: 'en', policy: 'strict', maxRejected: 100 };

export async function openDataset(paths: readonly string[], options: ReadOptions): Promise<EscoDataset> {
  const found = await discover(paths, options.language);
  return new Dataset(found.files, found.missingOptional, found.ignored, options);
}

class Dataset implements EscoDataset {
  readonly language: string;
  readonly files: readonly DatasetSource[];
  readonly missingOptional: readonly string[];
  readonly ignored: readonly string[];
  private readonly options: ReadOptions;

  constructor(files: DatasetSource[], missingOptional: string[], ignored: string[], options: ReadOptions) {
    this.language = options.language;
    this.files = files;
    this.missingOptional = missingOptional;
    this.ignored = ignored;
    this.options = options;
  }

  scan(handlers: RecordHandlers): Promise<DatasetReport> {
    return scanSources(this.files, this.missingOptional, this.options, handlers);
  }

  fingerprint(): Promise<string> {
    return fingerprintSources(this.files);
  }
}
