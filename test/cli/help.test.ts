import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

const cwd = os.tmpdir();

describe('--help of every command', () => {
  it.each([
    [['init', '--help'], 'Usage: theus init [options] <name>', ['--template <template>', '--force', 'Templates:', 'minimal', 'agent', 'Dependencies are not installed']],
    [['run', '--help'], 'Usage: theus run [options] <workflow>', ['--processes <dir>', '--context <file>', '--no-context', '--recipe <file>', '--no-recipe', '--watch', '--json', 'Exit codes:']],
    [['audit', '--help'], 'Usage: theus audit [options] [command]', ['gen-spec [options] [dir]', 'inspect [options] <process>']],
    [['audit', 'gen-spec', '--help'], 'Usage: theus audit gen-spec [options] [dir]', ['--out <file>', 'specs/audit_recipe.yaml', '--force', '--json', 'Exit codes:']],
    [['audit', 'inspect', '--help'], 'Usage: theus audit inspect [options] <process>', ['--recipe <file>', '--json']],
    [['schema', '--help'], 'Usage: theus schema [options] [command]', ['gen [options]', 'code [options]']],
    [['schema', 'gen', '--help'], 'Usage: theus schema gen [options]', ['--from <source>', 'module.mjs#export', '--out <file>', 'specs/context_schema.yaml', 'Examples:']],
    [['schema', 'code', '--help'], 'Usage: theus schema code [options]', ['--schema-file <file>', '--out <file>', '--name <TypeName>', 'AppContext', 'src/context.d.ts']],
    [['inspect', '--help'], 'Usage: theus inspect [options] <command...>', ['--port <port>', '--host <host>', '--keep', 'theus inspect -- node app.js']],
  ])('%j documents its usage and options, exit 0', async (argv, usage, mentions) => {
    const result = await run(argv, { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(usage);
    for (const text of mentions) expect(result.stdout).toContain(text);
  });

  it('the program help lists every command', async () => {
    const result = await run(['--help'], { cwd });
    for (const command of ['init [options] <name>', 'check [options] [path]', 'run [options] <workflow>', 'audit', 'schema', 'inspect [options] <command...>']) expect(result.stdout).toContain(command);
  });

  it('unknown subcommands and options exit 2 with a theus: message', async () => {
    const sub = await run(['audit', 'gen-spce'], { cwd });
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("theus: unknown command 'gen-spce'");
    const option = await run(['run', 'x.yaml', '--wacth'], { cwd });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("theus: unknown option '--wacth'");
    const extra = await run(['schema', 'gen', 'extra'], { cwd });
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('theus: too many arguments');
    const noProgram = await run(['inspect'], { cwd });
    expect(noProgram.code).toBe(2);
    expect(noProgram.stderr).toContain("theus: missing required argument 'command'");
    const badPort = await run(['inspect', '--port', '99999', '--', 'node', 'app.js'], { cwd });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('theus: --port must be an integer from 0 to 65535.');
  });
});
