import { expect, it } from 'vitest';
import { joinJsonObjects } from '../src/json.ts';

it('joins JSON object texts, empty ones included', () => {
  expect(joinJsonObjects('{"a":1}', '{"b":2}')).toBe('{"a":1,"b":2}');
  expect(joinJsonObjects('{}', '{"b":2}')).toBe('{"b":2}');
  expect(joinJsonObjects('{"a":1}', '{}')).toBe('{"a":1}');
  expect(joinJsonObjects('{}', '{}')).toBe('{}');
});
