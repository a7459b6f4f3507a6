/** `genlab train`: checks a model file, trains it on the Node backend and writes what it learned. */
import { basename, dirname, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { shapeOfData, splitData } from '../core/data/dataset';
import { uploadSplit } from '../core/data/deviceData';
import { createModel } from '../core/families';
import { Trainer } from '../core/loop';
import { captureCheckpoint, checkpointProblem, restoreCheckpoint, specHash, type Checkpoint } from '../core/checkpoint';
import { loadCheckpoint, saveCheckpoint } from '../node/checkpointStore';
import { useNodeBackend, type NodeBackend } from '../node/backend';
import { DataError, inspectData, prepareModel, type PreparedModel } from '../node/modelFile';
import type { DataEnvironment } from '../node/loadData';
import { choiceOption, CliError, intOption, UsageError, type ParsedArgs } from './args';
import { checkText, cliDataEnvironment, formatProblem, readModelFile } from './check';
import { defaultOutputDir, makeOutputDir, MetricsFile, writeModelFile, writeNetworks, writeViews } from './output';
import { formatDuration, Progress } from './progress';
import { packageRoot, packageVersion } from './root';

/** Options `genlab train` takes. */
export const TRAIN_OPTIONS = { steps: 'value', epochs: 'value', out: 'value', backend: 'value', seed: 'value', 'data-dir': 'value', 'max-data-mb': 'value', resume: 'value', 'checkpoint-every': 'value' } as const;

/** The default of --checkpoint-every, in seconds. */
export const DEFAULT_CHECKPOINT_SECONDS = 60;

/** The default of --max-data-mb, as the editor's setting genlab.dataMemoryLimitMB. */
export const DEFAULT_MAX_DATA_MB = 1024;

/** Starts `name`, pointing the wasm backend at the binaries the build copies to dist/wasm and lending it the cpu kernels it lacks. */
export async function startBackend(name: NodeBackend, root: string): Promise<string> {
  const wasmDir = join(root, 'dist', 'wasm');
  if (name === 'wasm' && existsSync(join(wasmDir, 'tfjs-backend-wasm.wasm'))) setWasmPaths(`${wasmDir}/`);
  const used = await useNodeBackend(name);
  // The cpu backend greets Node users once, on its first tensor, suggesting tfjs-node; GenLab does not use it.
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  if (typeof backend.firstUse === 'boolean') backend.firstUse = false;
  return used;
}

/** The model file's spec and data, as the editor prepares them; data errors become one-line CLI errors. */
function prepare(text: string, file: string, root: string, seed: number | undefined, env: DataEnvironment): PreparedModel {
  try {
    return prepareModel(text, dirname(resolve(file)), root, basename(file).replace(/\.genlab\.json$/, ''), { seed }, env);
  } catch (e) {
    if (e instanceof DataError) throw new CliError(`cannot read the data: ${e.message}`);
    throw e;
  }
}

/** Runs `genlab train`; returns the exit status. Problems go to `err`, the output folder to `out`. */
export async function runTrain(args: ParsedArgs, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (args.positional.length !== 1) throw new UsageError(args.positional.length ? 'train takes one model file' : 'train needs a model file, e.g. genlab train examples/vae-mnist.genlab.json');
  const file = args.positional[0];
  const steps = intOption(args.options, 'steps', 1), epochs = intOption(args.options, 'epochs', 1), seed = intOption(args.options, 'seed', 0);
  if (steps !== undefined && epochs !== undefined) throw new UsageError('give --steps or --epochs, not both');
  const backendName = choiceOption(args.options, 'backend', ['wasm', 'cpu'] as const, 'wasm');
  if (args.options.out === '') throw new UsageError('--out needs a folder');
  const resume = typeof args.options.resume === 'string' ? args.options.resume : undefined;
  if (args.options.resume === '' ) throw new UsageError('--resume needs the folder of a run');
  if (resume !== undefined && typeof args.options.out === 'string') throw new UsageError('--resume continues the run in its own folder: leave out --out');
  if (resume !== undefined && !existsSync(resume)) throw new CliError(`${resume}: no such run folder`);
  const checkpointSeconds = intOption(args.options, 'checkpoint-every', 0) ?? DEFAULT_CHECKPOINT_SECONDS;

  const maxDataMb = intOption(args.options, 'max-data-mb', 1) ?? DEFAULT_MAX_DATA_MB;
  if (args.options['data-dir'] === '') throw new UsageError('--data-dir needs a folder');
  const env = cliDataEnvironment(file, typeof args.options['data-dir'] === 'string' ? args.options['data-dir'] : undefined);
  const text = readModelFile(file);
  const data = inspectData(text, dirname(resolve(file)), env);
  if (data.error) throw new CliError(`cannot read the data: ${data.error}`);
  const problems = checkText(file, text, env);
  problems.forEach((p) => err(formatProblem(file, p)));
  const errors = problems.filter((p) => p.severity === 'error').length;
  if (errors) {
    err(`genlab: ${file} has ${errors} error${errors === 1 ? '' : 's'}; fix ${errors === 1 ? 'it' : 'them'} and train again`);
    return 1;
  }
  if (data.bytes !== undefined && data.bytes > maxDataMb * 2 ** 20) {
    throw new CliError(`the data takes about ${Math.round(data.bytes / 2 ** 20)} MB on the backend, more than --max-data-mb ${maxDataMb}: pass a larger --max-data-mb to load it anyway`);
  }
  const root = packageRoot();
  const backend = await startBackend(backendName, root);
  const { spec, data: set } = prepare(text, file, root, seed, env);
  const shape = shapeOfData(set);
  const { train, heldout } = splitData(set, spec.data.heldout);
  const batchSize = spec.training.batchSize;
  if (batchSize > train.count) throw new CliError(`the batch size (${batchSize}) is larger than the training data (${train.count} examples)`);
  const perEpoch = Math.floor(train.count / batchSize);
  const outDir = resume ?? makeOutputDir(typeof args.options.out === 'string' ? args.options.out : defaultOutputDir(spec.name, new Date(), env.workspaceRoot));
  // Which model file the run trains, for the GenLab view's Open and Resume.
  if (!existsSync(join(outDir, 'run.json'))) writeFileSync(join(outDir, 'run.json'), `${JSON.stringify({ source: pathToFileURL(resolve(file)).href }, null, 1)}\n`);

  let model;
  try {
    model = createModel(spec, shape);
    model.setTrainingSet?.(train);
  } catch (e) {
    throw new CliError(`cannot build the model: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const trainData = uploadSplit(train, 'train', spec.transformer.context), heldoutData = uploadSplit(heldout, 'heldout', spec.transformer.context);
  const hash = specHash(spec);
  let resumed: Checkpoint | undefined;
  if (resume !== undefined) {
    try {
      resumed = loadCheckpoint(resume, (c) => checkpointProblem(model, c, hash))?.checkpoint;
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
    if (!resumed) throw new CliError(`${resume}: no checkpoint to resume from`);
  }
  const metrics = new MetricsFile(join(outDir, 'metrics.jsonl'), resumed?.state.trainer.step);
  let lastLoss: number | undefined, lastHeldout: Record<string, number> | undefined, lastEval = -1;
  const trainer = new Trainer(model, trainData, heldoutData, { batchSize, readEvery: 1e9, seed: spec.training.seed }, {
    onSteps: (rows) => {
      metrics.steps(rows);
      lastLoss = rows[rows.length - 1]?.values[model.lossTerms[0]];
    },
    onEpoch: (row) => {
      metrics.heldout(row);
      lastHeldout = row.heldout;
      lastEval = row.step;
    },
  });
  if (resumed) {
    await restoreCheckpoint(model, trainer, resumed, hash);
    err(`genlab: resuming ${outDir} from step ${trainer.step}`);
  }
  // --steps counts the steps of this session; epochs count from the start of the run.
  const total = steps !== undefined ? trainer.step + steps : (epochs ?? spec.training.epochs) * perEpoch;
  if (trainer.step >= total) throw new CliError(`the run is already at step ${trainer.step} of ${total}: give --steps N to train N more`);
  const progress = new Progress(total, batchSize);
  const startStep = (progress.startStep = trainer.step);
  let lastSave = Date.now();
  const checkpoint = async () => {
    saveCheckpoint(outDir, await captureCheckpoint(model, trainer, hash), `genlab ${packageVersion(root)}`);
    lastSave = Date.now();
  };
  err(`genlab: training ${spec.name} (${spec.family}, ${model.parameterCount.toLocaleString('en-US')} parameters) on ${backend} for ${total} steps of ${batchSize} (${(total / perEpoch).toFixed(2)} epochs of ${train.count} examples; ${heldout.count} held out)`);
  let chunk = 1; // steps between progress updates: about two a second
  let snapshotEpoch = 0, interrupted = false;
  const onInterrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress.log('genlab: stopping after this step and writing what was learned (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onInterrupt);
  try {
    while (trainer.step < total && !interrupted) {
      await trainer.runSteps(Math.min(chunk, total - trainer.step));
      await trainer.flush();
      progress.update(trainer.step, lastLoss);
      if (checkpointSeconds > 0 && Date.now() - lastSave > checkpointSeconds * 1000) await checkpoint();
      await new Promise((r) => setImmediate(r)); // wasm reads resolve as microtasks: let signals (Ctrl-C) in
      chunk = Math.max(1, Math.min(50, Math.round((0.5 * trainer.step) / Math.max(1e-3, progress.elapsed))));
      if (trainer.epoch > snapshotEpoch && trainer.step < total) {
        snapshotEpoch = trainer.epoch;
        const snapshot = await model.views(heldoutData, { focusIndex: 0 });
        metrics.metrics(trainer.step, snapshot);
        writeViews(outDir, snapshot, `-step${trainer.step}`, ['samples', 'classes', 'plane']);
      }
    }
    progress.done();
    await checkpoint();
    const seconds = progress.elapsed;
    if (lastEval !== trainer.step) {
      lastHeldout = await trainer.evaluate(heldoutData);
      metrics.heldout({ step: trainer.step, epoch: Number(trainer.epochProgress.toFixed(4)), heldout: lastHeldout });
    }
    const views = await model.views(heldoutData, { focusIndex: 0 });
    metrics.metrics(trainer.step, views);
    const pictures = writeViews(outDir, views);
    const networks = await writeNetworks(outDir, model);
    writeModelFile(outDir, spec, dirname(resolve(file)), `${spec.name}, trained by genlab ${packageVersion(root)} on ${backend}: ${trainer.step} steps of ${batchSize} (${trainer.epochProgress.toFixed(2)} epochs), seed ${spec.training.seed}.\nEvery default is filled in; train it again with: genlab train model.genlab.json`);
    const summary = lastHeldout ? Object.entries(lastHeldout).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ') : '';
    err(`genlab: ${trainer.step - startStep} steps in ${formatDuration(seconds)} (${Math.round(((trainer.step - startStep) * batchSize) / seconds)} samples/s), now at step ${trainer.step}; held-out ${summary}`);
    err(`genlab: wrote ${pictures.join(', ')}, metrics.jsonl, ${networks.map((n) => `${n}/model.json`).join(', ')} and model.genlab.json to ${outDir}`);
    out(outDir);
    return interrupted ? 130 : 0;
  } finally {
    process.off('SIGINT', onInterrupt);
    metrics.close();
    trainer.dispose();
    model.dispose();
    trainData.dispose();
    heldoutData.dispose();
  }
}
