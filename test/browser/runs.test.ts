/**
 * The panel's run through the stand-in host: metric rows and checkpoints go to the host (on the
 * timer and on pause), and a page given the checkpoint back (as the host does after a window
 * reload) goes on from the same step with the same curves and the same next loss.
 */
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { closeAfterTest, openPlayground, pageCheckpoint, TEST_RUN, waitForSteps, type PlaygroundPage } from './harness';
import type { StepRow } from '../../src/core/loop';

type Sent = { type: string; [k: string]: unknown };
const stat = (page: Page) => page.evaluate(() => ({ ...(document.getElementById('stats') as HTMLElement).dataset }));
const sentRows = (sent: Sent[]): StepRow[] => sent.filter((m) => m.type === 'metrics').flatMap((m) => m.steps as StepRow[]);
const pause = async (page: Page) => {
  await page.click('#btn-start');
  await page.waitForFunction(() => document.getElementById('stats')?.dataset.running === 'false');
};
/** Steps once while paused and returns the new step's row, as sent to the host. */
async function stepOnce(p: PlaygroundPage): Promise<StepRow> {
  const before = Number((await stat(p.page)).step);
  await p.page.click('#btn-step');
  await waitForSteps(p.page, before + 1, 60000);
  await p.page.waitForTimeout(1500); // the metrics go out once a second
  const row = sentRows(await p.toHost()).find((r) => r.step === before + 1);
  assert.ok(row, `no metrics row for step ${before + 1}`);
  return row;
}

describe('panel runs in Chromium: checkpoints and metrics to the host, resume from a checkpoint', () => {
  let p: PlaygroundPage | undefined;
  afterEach(async function () {
    await closeAfterTest(p, this.currentTest);
    p = undefined;
  });

  it('sends every step\'s metrics, checkpoints on the timer and on pause, and a resumed page goes on exactly', async () => {
    const hyperparameters = { hiddenUnits: 64, batchSize: 32 };
    p = await openPlayground({ hyperparameters, checkpointEverySeconds: 2 });
    await waitForSteps(p.page, 10, 120000);
    await p.page.waitForFunction(() => (window as unknown as { __toHost: Array<{ type: string; reason?: string }> }).__toHost.some((m) => m.type === 'checkpoint' && m.reason === 'timer'), null, { timeout: 60000, polling: 250 });
    await pause(p.page);
    await p.page.waitForFunction(() => (window as unknown as { __toHost: Array<{ type: string; reason?: string }> }).__toHost.some((m) => m.type === 'checkpoint' && m.reason === 'pause'), null, { timeout: 30000, polling: 250 });
    const pausedAt = Number((await stat(p.page)).step);
    const sent = await p.toHost();
    const onPause = sent.filter((m) => m.type === 'checkpoint' && m.reason === 'pause').pop();
    assert.equal(onPause?.step, pausedAt, 'the pause checkpoint holds the step training stopped at');
    assert.equal(sent.filter((m) => m.type === 'runStarted').length, 1, 'one run started');
    await p.page.waitForFunction((n) => document.getElementById('stats')?.dataset.savedStep === String(n), pausedAt, { timeout: 10000 });
    assert.match(await p.page.locator('#stats').innerText(), new RegExp(`saved at step ${pausedAt}`));
    const state = await p.page.evaluate(() => (window as unknown as { __state: unknown }).__state);
    assert.deepEqual(state, { source: 'builtin', run: TEST_RUN, running: false }, 'the saved state says which run, and that it is paused');
    const checkpoint = await pageCheckpoint(p.page);
    assert.equal(checkpoint.state.trainer.step, pausedAt);
    await p.page.waitForTimeout(1500);
    const rows = sentRows(await p.toHost());
    assert.deepEqual(rows.map((r) => r.step), Array.from({ length: pausedAt }, (_, i) => i + 1), 'every step reached the host once, in order');
    const next = await stepOnce(p);
    await p.close();

    // The host hands the checkpoint and the curves back, as after a window reload.
    p = await openPlayground({ hyperparameters, autostart: false, resume: { checkpoint, steps: rows, epochs: [] } });
    await p.page.waitForFunction((n) => document.getElementById('stats')?.dataset.resumedStep === String(n), pausedAt, { timeout: 120000 });
    assert.equal(Number((await stat(p.page)).step), pausedAt);
    assert.match(await p.page.locator('#message').innerText(), new RegExp(`Went on from the checkpoint at step ${pausedAt}`));
    assert.equal((await p.toHost()).some((m) => m.type === 'runStarted'), false, 'a resumed run keeps its folder');
    const again = await stepOnce(p);
    for (const [term, value] of Object.entries(next.values)) {
      const got = again.values[term];
      assert.ok(Math.abs(got - value) <= 1e-4 * Math.max(1, Math.abs(value)), `${term} at step ${pausedAt + 1}: ${got} after resuming, ${value} straight on`);
    }
  });

  it('starts afresh, saying why, when the checkpoint does not fit the model', async () => {
    p = await openPlayground({ hyperparameters: { hiddenUnits: 64, batchSize: 32 } });
    await waitForSteps(p.page, 3, 120000);
    await pause(p.page);
    await p.page.waitForFunction(() => (window as unknown as { __checkpoints: unknown[] }).__checkpoints.length > 0, null, { timeout: 30000 });
    const checkpoint = await pageCheckpoint(p.page);
    await p.close();
    p = await openPlayground({ hyperparameters: { hiddenUnits: 32, batchSize: 32 }, resume: { checkpoint, steps: [], epochs: [] } });
    await waitForSteps(p.page, 2, 120000);
    assert.match(await p.page.locator('#message').innerText(), /could not be restored .*training starts afresh/);
    const sent = await p.toHost();
    assert.ok(sent.some((m) => m.type === 'error' && /could not be restored/.test(String(m.message))), 'the host is told');
    assert.ok(sent.some((m) => m.type === 'runStarted'), 'a fresh run gets a new folder');
  });
});
