import { describe, expect, it } from 'vitest';
import { Gate } from '../../src/ingest/gate.ts';
import { observed } from '../../src/ingest/observed.ts';

describe('Gate', () => {
  it('resolves a wait once its name is opened, before or after the wait began', async () => {
    const gate = new Gate();
    gate.open('Skill');
    const later = gate.wait('Occupation');
    gate.open('Occupation');
    await expect(gate.wait('Skill')).resolves.toBeUndefined();
    await expect(later).resolves.toBeUndefined();
  });

  it('rejects waits, pending and future, with the failure', async () => {
    const gate = new Gate();
    const pending = gate.wait('Skill');
    const error = new Error('write failed');
    gate.fail(error);
    await expect(pending).rejects.toBe(error);
    await expect(gate.wait('Occupation')).rejects.toBe(error);
  });
});

describe('observed', () => {
  it('returns the same promise, whose rejection a later await still sees', async () => {
    const error = new Error('later');
    const promise = Promise.reject(error);
    expect(observed(promise)).toBe(promise);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await expect(promise).rejects.toBe(error);
  });
});
