import { describe, expect, it } from 'vitest';
import { describeMachine, machine } from '../../bench/machine.ts';

const X86 = `processor\t: 0
model name\t: AMD EPYC 7B12
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi2 avx512f avx512bw avx512_vnni
processor\t: 1
model name\t: AMD EPYC 7B12
`;
const ARM = `processor\t: 0
Features\t: fp asimd evtstrm aes pmull asimddp sve i8mm
CPU part\t: 0xd0c
`;

describe('machine (the CPU beside every figure)', () => {
  it('names an x86 CPU and the vector sets that decide inference speed', () => {
    const m = machine(X86);
    expect(m.cpu).toBe('AMD EPYC 7B12');
    expect(m.vector).toEqual(['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512_vnni']);
    expect(describeMachine(m)).toMatch(
      /^\d+× AMD EPYC 7B12 \(\w+; sse4_2 avx avx2 fma avx512f avx512bw avx512_vnni\), \d+ GiB$/,
    );
  });

  it('reads arm Features, and says so when no set is listed', () => {
    expect(machine(ARM).vector).toEqual(['asimd', 'asimddp', 'i8mm', 'sve']);
    expect(describeMachine({ ...machine(''), cpu: 'x' })).toContain('no vector sets listed');
  });
});
