/**
 * The settings table (settings.ts) as text: the README's configuration table and the pieces of
 * `--help` that name a setting's variables and default.
 */
import { SETTINGS, type Setting, type SettingPath, settingAt } from './settings.ts';

/** The README's markers around the generated table. */
export const TABLE_BEGIN = '<!-- settings table: generated from src/config/settings.ts; npm run settings:table -->';
export const TABLE_END = '<!-- end of settings table -->';

/** The markdown table of every setting, one row each. */
export function settingsTable(): string {
  const rows = SETTINGS.map((s) => {
    const envs = s.env.map((e) => [envName(e.name, e.secret), e.note].filter(Boolean).join(' '));
    const cells = [
      `\`${s.path}\``,
      envs.join(', ') || '-',
      s.flag ? `\`--${s.flag.name}\`` : '-',
      shownDefault(s),
      s.help,
    ];
    return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  });
  return [
    '| setting | environment | flag | default profile | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** `readme` with the text between the markers replaced by the generated table. */
export function withSettingsTable(readme: string): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`README.md lacks the markers ${TABLE_BEGIN} … ${TABLE_END}`);
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n${settingsTable()}\n${readme.slice(end)}`;
}

/** The default in markdown: the table's words for it, else its value. */
export function shownDefault(setting: Setting): string {
  if (setting.shown !== undefined) return setting.shown;
  const value = setting.default;
  if (value === undefined) return 'none';
  return Array.isArray(value) ? value.map((v) => `\`${v}\``).join(', ') : `\`${String(value)}\``;
}

/** `(search.alpha, env ESCO_SEARCH_ALPHA; default: 0.6)`: what `--help` adds to a setting's line. */
export function settingNote(path: SettingPath): string {
  const setting = settingAt(path);
  const where = [path.includes('.') ? path : '', ...setting.env.map((e) => `env ${e.name}`)].filter(Boolean);
  return `(${where.join(', ')}; default: ${plain(shownDefault(setting))})`;
}

/** Markdown as a terminal shows it: without backticks. */
export function plain(markdown: string): string {
  return markdown.replaceAll('`', '');
}

function envName(name: string, secret: boolean | undefined): string {
  return secret ? `\`${name}\` or \`${name}_FILE\`` : `\`${name}\``;
}
