import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./fixtures/close-exits.mjs', import.meta.url));

describe('closing the pool', () => {
  it('leaves no handles: a process that used and closed a pool exits by itself', async () => {
    // The child would hang past the kill timeout if a worker or message port stayed referenced.
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [SCRIPT], { timeout: 15_000, killSignal: 'SIGKILL' }, (_error, out, err) => {
        resolve({ code: child.exitCode, stdout: out, stderr: err });
      });
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { results: number[]; crashed: string; resources: string[] };
    expect(report.results).toEqual([3, 7]);
    expect(report.crashed).toBe('WORKER_CRASHED');
    expect(report.resources.filter((r) => /Worker|MessagePort|Timeout/.test(r))).toEqual([]);
  });
});
