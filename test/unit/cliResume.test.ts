/**
 * `genlab train --resume`: a run stopped after 4 steps and resumed for 4 more writes the same
 * metrics.jsonl as a run of 8 steps straight through, keeps its checkpoint (and the previous
 * one) in its folder, and refuses a checkpoint of another model file.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFailure, main } from '../../src/cli/main';

/** Runs `genlab` in this process; returns the exit status and its stderr lines. */
async function genlab(args: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr), out = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((c: string | Uint8Array) => (chunks.push(String(c)), true)) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return { code: await main(args), stderr: chunks.join('') };
  } catch (e) {
    return { code: describeFailure(e).code, stderr: chunks.join('') + describeFailure(e).line };
  } finally {
    process.stderr.write = write;
    process.stdout.write = out;
  }
}

/** The per-step rows of a metrics.jsonl: step and loss terms. */
const stepRows = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => !('heldout' in r) && !('metrics' in r));

describe('genlab train --resume', () => {
  let tmp: string, file: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'genlab-resume-'));
    file = join(tmp, 'ring.genlab.json');
    writeFileSync(file, JSON.stringify({ family: 'gan', data: 'ring', training: { batchSize: 64, discriminatorSteps: 2 } }));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('continues a run exactly where it stopped: the same step count and the same curves', async () => {
    const whole = join(tmp, 'whole'), part = join(tmp, 'part');
    assert.equal((await genlab(['train', file, '--steps', '8', '--out', whole])).code, 0);
    assert.equal((await genlab(['train', file, '--steps', '4', '--out', part])).code, 0);
    const r = await genlab(['train', file, '--resume', part, '--steps', '4']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /resuming .* from step 4/);
    assert.match(r.stderr, /4 steps in .*now at step 8/);
    assert.deepEqual(stepRows(part), stepRows(whole));
    assert.equal(stepRows(part).length, 8);
    const state = JSON.parse(readFileSync(join(part, 'checkpoint', 'state.json'), 'utf8')) as { trainer: { step: number } };
    assert.equal(state.trainer.step, 8);
    assert.ok(existsSync(join(part, 'checkpoint-previous', 'generator', 'model.json')));
  });

  it('refuses to resume with another model file, or without a checkpoint', async () => {
    const part = join(tmp, 'other');
    assert.equal((await genlab(['train', file, '--steps', '2', '--out', part])).code, 0);
    const changed = join(tmp, 'changed.genlab.json');
    writeFileSync(changed, JSON.stringify({ family: 'gan', data: 'ring', latentDim: 3, training: { batchSize: 64 } }));
    const r = await genlab(['train', changed, '--resume', part, '--steps', '2']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no checkpoint in .* can be restored: .*different model file/);
    const empty = mkdtempSync(join(tmp, 'empty-'));
    assert.match((await genlab(['train', file, '--resume', empty, '--steps', '2'])).stderr, /no checkpoint to resume from/);
  });
});
