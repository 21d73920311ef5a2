/**
 * Regenerates the README's configuration table from src/config/settings.ts (`--write`), or says
 * whether it is current (exit 1 when not). Usage: scripts/node.sh node scripts/settings-table.ts [--write]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config/config.ts';
import { withSettingsTable } from '../src/config/settings-doc.ts';

const readmeFile = path.join(PROJECT_ROOT, 'README.md');
const readme = readFileSync(readmeFile, 'utf8');
const generated = withSettingsTable(readme);
if (generated === readme) {
  console.log('README.md: the configuration table is current');
} else if (process.argv.includes('--write')) {
  writeFileSync(readmeFile, generated);
  console.log('README.md: configuration table regenerated from src/config/settings.ts');
} else {
  console.error('README.md: the configuration table differs from src/config/settings.ts; run npm run settings:table');
  process.exitCode = 1;
}
