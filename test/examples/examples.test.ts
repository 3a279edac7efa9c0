import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The examples import the built package (../dist), as users do; `npm test` builds before Vitest.
const root = fileURLToPath(new URL('../../', import.meta.url));
const run = (file: string) => execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('runnable examples', () => {
  it("the README's quick start prints what its comments say", () => {
    const out = run('examples/quickstart.mjs').trim().split('\n');
    expect(out[0]).toBe("1 { alice: 95, bob: 5 }");
    expect(out[1]).toBe('1 1');
  });

  it('the bank demo keeps the total, rolls a failed transfer back and prints the delta log', () => {
    const out = run('examples/bank/transfer.mjs');
    expect(out).toContain('total 150 (always 150)');
    expect(out).toMatch(/same state object: true/);
    expect(out).toContain('{"op":"replace","path":["domain","accounts","alice"],"value":');
    expect(out).toContain('{"op":"remove","path":["domain","accounts","carol"]}');
  });

  it('the parallel example sums the matrix in worker bands and matches the sequential check', () => {
    const out = run('examples/parallel/main.mjs');
    expect(out).toMatch(/check\s+\S+\s+\(matches\)/);
    expect(out).toMatch(/2 heavy arrays/);
  });
});
