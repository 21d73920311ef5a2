import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TtyProgress } from '../../src/orchestration/tty-progress.ts';

function terminal() {
  const writes: string[] = [];
  const target = new Writable({
    write(chunk, _encoding, callback) {
      writes.push(String(chunk));
      callback();
    },
  });
  return { writes, target };
}

describe('TtyProgress', () => {
  it('erases the progress line before a log line and draws it again after', async () => {
    const { writes, target } = terminal();
    const progress = new TtyProgress(target);
    progress.update({ pass: 'objects', collection: 'Skill', done: 500, total: 2000 });
    await new Promise<void>((resolve) => progress.stream.write('a log line\n', () => resolve()));
    progress.done();
    expect(writes).toEqual([
      '  objects Skill 500/2000 25%',
      '\r\x1b[K',
      'a log line\n',
      '  objects Skill 500/2000 25%',
      '\r\x1b[K',
    ]);
  });

  it('writes nothing of its own when there is no progress to show', async () => {
    const { writes, target } = terminal();
    const progress = new TtyProgress(target);
    await new Promise<void>((resolve) => progress.stream.write('only logs\n', () => resolve()));
    progress.done();
    expect(writes).toEqual(['only logs\n']);
  });
});
