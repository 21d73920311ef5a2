/**
 * The search defaults live in one place: `search.mode` / `search.alpha` of the configuration,
 * overridden by ESCO_SEARCH_MODE / ESCO_SEARCH_ALPHA.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';

describe('search.mode and search.alpha', () => {
  it('are hybrid and 0.6 in every profile', () => {
    for (const profile of ['default', 'local', 'test']) {
      expect(loadConfig({ profile }, {}).search).toMatchObject({ mode: 'hybrid', alpha: 0.6 });
    }
  });

  it('are overridden by ESCO_SEARCH_MODE and ESCO_SEARCH_ALPHA', () => {
    const env = { ESCO_SEARCH_MODE: 'vector', ESCO_SEARCH_ALPHA: '0.75' };
    expect(loadConfig({}, env).search).toMatchObject({ mode: 'vector', alpha: 0.75 });
    expect(loadConfig({}, { ESCO_SEARCH_ALPHA: '0' }).search.alpha).toBe(0);
  });

  it('an empty ESCO_SEARCH_ALPHA is unset, not 0', () => {
    expect(loadConfig({}, { ESCO_SEARCH_ALPHA: '' }).search.alpha).toBe(0.6);
  });

  it.each([
    ['ESCO_SEARCH_MODE', 'semantic', 'search.mode'],
    ['ESCO_SEARCH_ALPHA', '1.5', 'search.alpha'],
    ['ESCO_SEARCH_ALPHA', 'half', 'search.alpha'],
  ])('%s=%s is refused naming %s', (variable, value, setting) => {
    expect(() => loadConfig({}, { [variable]: value })).toThrow(setting);
  });
});
