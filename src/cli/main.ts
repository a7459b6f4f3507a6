/**
 * The `genlab` command line: checks model files the way the editor does, and trains them
 * in Node on the wasm (or cpu) backend of TensorFlow.js, writing pictures, metrics and weights.
 */
// Naming an export keeps the cpu backend in a bundle even where a bundler resolves tfjs's Node entry,
// which its package.json marks side-effect free (esbuild then drops a bare import of it).
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { parseArgs, UsageError, CliError } from './args';
import { runCheck } from './check';
import { DOWNLOAD_OPTIONS, runDownload } from './download';
import { packageVersion } from './root';
import { runTrain, TRAIN_OPTIONS } from './train';

/** The text `genlab --help` prints. */
export const USAGE = `genlab — check and train GenLab model files (*.genlab.json)

Usage:
  genlab check FILE…          check model files; prints file:line:col: severity: message
                              and exits 1 when any file has an error
  genlab train FILE [options] check, then train a model file and write what it learned
  genlab download NAME [--dir DIR] [--mirror URL]
                              download and verify mnist-full or fashion-mnist (the four
                              IDX .gz files, SHA-256 checked); prints the folder
  genlab help                 show this help
  genlab --version            show the version

Options of train:
  --steps N            train N steps (batches)
  --epochs N           train N passes over the data (default: training.epochs of the file)
  --out DIR            where to write (default: the run folder .genlab/runs/<name>-<timestamp> of
                       the workspace, which the GenLab view in VS Code lists)
  --backend wasm|cpu   TensorFlow.js backend (default: wasm)
  --seed S             random seed, overriding training.seed
  --data-dir DIR       where downloaded data sets are (default: as download --dir)
  --max-data-mb N      refuse data that takes more than N MB on the backend (default: 1024)
  --checkpoint-every S save a checkpoint every S seconds (default: 60; 0: only at the end)
  --resume DIR         continue the run in DIR from its checkpoint: same step count, same curves,
                       same optimizer moments; --steps N then trains N more steps

Data paths in a model file are relative to it and must lie inside the workspace: the current
folder when the model file is inside it, else the model file's own folder.

train writes to DIR: checkpoint/ (every network as model.json + weights.bin, the optimizer
state, the step and random state; the one before is kept as checkpoint-previous/), samples.png, reconstructions.png, traversal.png, latent.png (and
samples-step<N>.png after each epoch), metrics.jsonl (one JSON object a line: per-step loss
terms, per-epoch held-out loss terms), <network>/model.json + weights.bin for each network
(TensorFlow.js format, for tf.loadLayersModel) and model.genlab.json, the model file as trained.
It prints DIR on stdout, progress on stderr. Ctrl-C stops training early and still writes
everything (exit status 130); a second Ctrl-C quits at once. GENLAB_DEBUG=1 shows stack traces.

Options of download:
  --dir DIR            the cache folder; the set goes into DIR/NAME (default: $GENLAB_DATA_DIR,
                       else $XDG_CACHE_HOME/genlab/datasets, else ~/.cache/genlab/datasets)
  --mirror URL         fetch from URL/NAME/FILE instead of the published mirrors
Files already there and verified are not fetched again; a file is kept only once its SHA-256
matches the published one. Ctrl-C cancels (exit status 130) and keeps nothing half-written.
`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** Runs the command line `argv` (without node and the script); returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      err(USAGE);
      return 2;
    case 'help': case '--help': case '-h':
      out(USAGE.trimEnd());
      return 0;
    case 'version': case '--version': case '-v':
      out(`genlab ${packageVersion()} (TensorFlow.js ${version_cpu}, Node ${process.version})`);
      return 0;
    case 'check': {
      const args = parseArgs(rest, {});
      if (args.positional.length === 0) throw new UsageError('check needs at least one model file, e.g. genlab check examples/*.genlab.json');
      return runCheck(args.positional, out, err);
    }
    case 'train':
      return runTrain(parseArgs(rest, TRAIN_OPTIONS), out, err);
    case 'download':
      return runDownload(parseArgs(rest, DOWNLOAD_OPTIONS), out, err);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** One line saying what went wrong, never a stack trace (unless GENLAB_DEBUG=1). */
export function describeFailure(e: unknown): { line: string; code: number } {
  if (e instanceof UsageError) return { line: `genlab: ${e.message} (see genlab --help)`, code: 2 };
  const message = e instanceof Error ? e.message : typeof e === 'object' && e && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  const first = message.split('\n').map((l) => l.trim()).find((l) => l) ?? 'failed';
  return { line: `genlab: ${first}`, code: e instanceof CliError ? e.code : 1 };
}

/** Runs `argv` and sets process.exitCode; what bin/genlab.js and `node dist/cli.js` call. */
export function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  return main(argv).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      const { line, code } = describeFailure(e);
      err(line);
      if (process.env.GENLAB_DEBUG === '1' && e instanceof Error && e.stack) err(e.stack);
      process.exitCode = code;
    },
  );
}

if (require.main === module) void run();
