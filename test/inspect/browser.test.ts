// The inspector page in a real browser (Debian's chromium driven by playwright-core). Skipped,
// with a message, only when /usr/bin/chromium is absent; CI installs it. Screenshots of a failing
// test are kept under tmp/inspect-screenshots/ (git-ignored).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { process as defineProcess } from '../../src/index.js';
import { workflowStepChannel, workerTaskChannel } from '../../src/engine/channels.js';
import { inspected } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'tmp', 'inspect-screenshots');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const available = existsSync(CHROMIUM);
if (!available) console.warn(`inspector browser tests skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);

const tick = () => new Promise((r) => setTimeout(r, 3));

describe.skipIf(!available)('the inspector page in Chromium', () => {
  let context: import('playwright-core').BrowserContext;
  let page: import('playwright-core').Page;
  let t: Awaited<ReturnType<typeof inspected>>;
  let profile: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    profile = mkdtempSync(join(tmpdir(), 'theus-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1360, height: 860 } });
    page = context.pages()[0] ?? (await context.newPage());
    t = await inspected({ domain: { n: 0, profile: { name: 'ada', plan: 'free' }, orders: [] } });
    t.engine.register(
      defineProcess({ name: 'increment', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx: any) => {
        const v = ctx.domain.n;
        await tick();
        ctx.domain.n = v + 1;
      }),
    );
    t.engine.register(
      defineProcess({ name: 'rename', inputs: [], outputs: ['domain.profile'] }, (ctx: any, name: string) => {
        ctx.domain.profile.name = name;
      }),
    );
    t.engine.register(
      defineProcess({ name: 'charge', inputs: ['domain.profile'], outputs: ['domain.profile'], errors: ['RangeError'] }, (_ctx: any, amount: number) => {
        if (amount < 0) throw new RangeError(`amount must be positive, got ${amount}`);
      }),
    );
    t.engine.register(
      defineProcess({ name: 'placeOrder', inputs: ['domain.orders'], outputs: ['domain.orders', 'signal.order_placed'] }, (ctx: any, id: string) => {
        ctx.domain.orders.push({ id, total: 42, items: ['book', 'pen'] });
        ctx.signal.order_placed = { id };
      }),
    );
  }, 60_000);

  afterEach(async (test) => {
    if (test.task.result?.state === 'fail' && page) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, `${test.task.name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => undefined);
    }
  });

  afterAll(async () => {
    await context?.close();
    await t?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const shot = async (name: string) => {
    if (process.env.INSPECT_SCREENSHOTS !== '1') return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  };

  it('loads, and shows a live commit as it happens', async () => {
    await page.goto(t.insp.url);
    await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
    await expect(page.getByText('Select an event').isVisible()).resolves.toBe(true);
    await t.engine.execute('rename', 'grace');
    const row = page.getByTestId('timeline').locator('li[data-kind="commit"]').first();
    await row.waitFor();
    expect(await row.textContent()).toContain('v1');
    expect(await row.textContent()).toContain('rename');
    await row.click();
    const detail = page.getByTestId('commit-detail');
    await detail.waitFor();
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('domain.profile.name');
    expect(text).toContain('"ada"');
    expect(text).toContain('"grace"');
    await shot('commit');
  });

  it('explains a conflict: base version, winning commit, contested paths, retry', async () => {
    await Promise.all([t.engine.execute('increment'), t.engine.execute('increment'), t.engine.execute('placeOrder', 'o-17')]);
    const conflictRow = page.getByTestId('timeline').locator('li[data-kind="conflict"]').first();
    await conflictRow.waitFor();
    await conflictRow.click();
    const card = page.getByTestId('conflict').first();
    await card.waitFor();
    const text = (await card.textContent()) ?? '';
    expect(text).toMatch(/base version v\d+/);
    expect(text).toContain('domain.n');
    expect(text).toMatch(/Winning commit v\d+ by increment/);
    expect(text).toContain('Retried as attempt 2');
    await shot('conflict');
  });

  it('filters failed executions and shows the error with its stack', async () => {
    await t.engine.execute('charge', -5).catch(() => undefined);
    await page.goto(`${t.insp.url}#/`);
    await page.getByLabel('failed').check();
    const row = page.getByTestId('timeline').locator('li[data-kind="failure"]').first();
    await row.waitFor();
    expect(await page.getByTestId('timeline').locator('li[data-kind="commit"]').count()).toBe(0);
    await row.click();
    const detail = page.getByTestId('execution-detail');
    await detail.locator('.stack').waitFor();
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('RangeError');
    expect(text).toContain('amount must be positive, got -5');
    await shot('failure');
    await page.getByLabel('failed').uncheck();
  });

  it('travels to an old version', async () => {
    await page.goto(`${t.insp.url}#/state`);
    await page.getByTestId('state-view').waitFor();
    const head = t.engine.state.version;
    await page.getByTestId('state-version').filter({ hasText: `v${head}` }).waitFor();
    await page.getByLabel('version', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Go' }).click();
    await page.getByTestId('state-version').filter({ hasText: 'v0' }).waitFor();
    const tree = page.locator('.tree');
    await tree.filter({ hasText: '"ada"' }).waitFor();
    expect(await tree.textContent()).not.toContain('grace');
    await page.getByRole('button', { name: 'next version' }).click();
    await page.getByTestId('state-version').filter({ hasText: 'v1' }).waitFor();
    await tree.filter({ hasText: '"grace"' }).waitFor();
    await shot('state');
  });

  it('shows a workflow graph with its current step, and the other views', async () => {
    const engineId = t.insp.recorder.engineId!;
    const step = (step: string, status: 'start' | 'done' | 'failed') =>
      workflowStepChannel.publish({ engineId, workflow: 'checkout', kind: 'workflow', step, status, version: t.engine.state.version });
    for (const s of ['validate', 'reserve', 'charge']) {
      step(s, 'start');
      step(s, 'done');
    }
    step('validate', 'start');
    step('validate', 'done');
    step('reserve', 'start');
    step('reserve', 'failed');
    step('validate', 'start');
    step('validate', 'done');
    step('ship', 'start');
    await page.goto(`${t.insp.url}#/graphs`);
    const graph = page.getByTestId('graph').first();
    await graph.waitFor();
    const current = graph.locator('g[data-state="current"]');
    await current.waitFor();
    expect(await current.getAttribute('data-step')).toBe('ship');
    expect(await graph.locator('g[data-state="failed"]').getAttribute('data-step')).toBe('reserve');
    expect(await graph.locator('g[data-step="validate"]').textContent()).toContain('3× run');
    await shot('graphs');

    for (let w = 0; w < 2; w++) {
      workerTaskChannel.publish({ pool: 'default', worker: w, task: `band-${w}`, status: 'start' });
      workerTaskChannel.publish({ pool: 'default', worker: w, task: `band-${w}`, status: 'done', durationMs: 4 });
    }
    await page.goto(`${t.insp.url}#/workers`);
    await page.locator('.bar-done').first().waitFor();
    expect(await page.locator('.lane').count()).toBe(2);
    await page.goto(`${t.insp.url}#/signals`);
    await page.getByTestId('signals-view').getByText('order_placed').first().waitFor();
    await page.goto(`${t.insp.url}#/diff/0/${t.engine.state.version}`);
    await page.getByTestId('diff-view').getByText('domain.profile.name').waitFor();
    await shot('diff');
    await page.goto(`${t.insp.url}#/path/domain.n`);
    await page.getByTestId('path-history').locator('tbody tr').first().waitFor();
    expect(await page.getByTestId('path-history').locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
  });
});
