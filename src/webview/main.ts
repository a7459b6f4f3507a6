/** The playground webview's entry: waits for the host's init message, then trains and draws. */
import * as tf from '@tensorflow/tfjs-core';
import { splitData, type DataSet } from '../core/data/dataset';
import { vaeSpec } from '../core/families/vaeConfig';
import type { ModelSpec, OptimizerSpec } from '../core/modelfile/types';
import type { HostMessage, VaeHyperparameters } from '../shared/protocol';
import { format, type WebviewString } from '../shared/strings';
import { startBackend, type BackendChoice } from './backend';
import { ContextWatch } from './contextLoss';
import { readNumber, type TextField } from './controls';
import { TrainingDriver, type DriverEvents, type DriverStatus } from './driver';
import { onHostMessage, postToHost } from './host';
import { buildLayout, type Layout } from './layout';
import { Renderer } from './render';
import { nearestPoint } from './views/scatter';
import { onThemeChange } from './views/theme';
import { clearCannotTrain, showCannotTrain } from './problems';
import { RunPersistence } from './persistence';
import { addExportButton } from './exportButton';
import { fromWire } from '../shared/checkpointWire';

type Init = Extract<HostMessage, { type: 'init' }>;
type Translate = (s: WebviewString) => string;

/** Handlers for host messages that arrive once training is set up. */
let live: { restart(spec: ModelSpec): void; setOptimizer(spec: OptimizerSpec): void; saved(step: number, run: string, error?: string): void } | undefined;
let started = false;

onHostMessage((msg) => {
  if (msg.type === 'init' && !started) {
    started = true;
    clearCannotTrain();
    void start(msg);
  } else if (msg.type === 'cannotTrain') {
    showCannotTrain(msg, started);
  } else if (msg.type === 'restart') {
    document.title = msg.title;
    clearCannotTrain();
    live?.restart(msg.spec);
  } else if (msg.type === 'setOptimizer') {
    clearCannotTrain();
    live?.setOptimizer(msg.optimizer);
  } else if (msg.type === 'checkpointSaved') {
    live?.saved(msg.step, msg.run, msg.error);
  }
});
postToHost({ type: 'ready' });

function readHyperparameters(layout: Layout, t: Translate): VaeHyperparameters | string {
  const h = layout.hyper;
  const checks: Array<[keyof VaeHyperparameters, WebviewString, number, number, boolean]> = [
    ['latentDim', 'Latent size', 1, 64, true],
    ['hiddenUnits', 'Hidden units', 1, 4096, true],
    ['batchSize', 'Batch size', 1, 1024, true],
    ['learningRate', 'Learning rate', 1e-7, 1, false],
    ['beta', 'β (KL weight)', 0, 100, false],
  ];
  const out: Partial<VaeHyperparameters> = {};
  for (const [key, label, min, max, integer] of checks) {
    const v = readNumber(h[key], min, max, integer);
    if (v === undefined) return format(t('Invalid value for {0}: {1}'), t(label), h[key].value);
    out[key] = v;
  }
  return out as VaeHyperparameters;
}

async function start(init: Init): Promise<void> {
  const t: Translate = (s) => init.strings[s] ?? s;
  const root = document.getElementById('app') as HTMLElement;
  root.textContent = format(t('Starting the {0} backend…'), 'TensorFlow.js');
  let backend: BackendChoice;
  try {
    backend = await startBackend(init.disabledBackends, init.wasmBase);
  } catch (e) {
    const message = format(t('No TensorFlow.js backend could start: {0}'), e instanceof Error ? e.message : String(e));
    root.textContent = message;
    postToHost({ type: 'error', message });
    return;
  }
  const set: DataSet = { ...init.dataset };
  let fileSpec = init.spec;
  const { train, heldout } = splitData(set, fileSpec?.data.heldout ?? 0.1);

  let driver: TrainingDriver;
  let focus = 0;
  const persistence = new RunPersistence(init.panelState, init.checkpointEverySeconds);
  /** Builds a fresh model; `fresh` (not a resumed run) starts a new run folder. */
  const restart = async (spec: ModelSpec, fresh = true) => {
    layout.learningRate.value = String(spec.optimizer.learningRate);
    await driver.reset(spec);
    if (fresh) persistence.runStarted(spec);
  };
  /** Pauses, then sends a checkpoint of where training stopped. */
  const pauseAndSave = async () => {
    await driver.pause();
    if (driver.step === 0) return;
    const checkpoint = await driver.checkpoint();
    if (checkpoint) persistence.send(checkpoint, 'pause');
  };
  const layout = buildLayout(root, t, init.hyperparameters, {
    onStartPause: () => {
      if (driver.isRunning) void pauseAndSave();
      else driver.start();
    },
    onStep: () => void driver.stepOnce(),
    onReset: () => {
      if (fileSpec) {
        void restart(fileSpec);
        return;
      }
      const hp = readHyperparameters(layout, t);
      if (typeof hp === 'string') {
        layout.message.textContent = hp;
        return;
      }
      layout.message.textContent = '';
      void restart(vaeSpec(hp, driver.shape));
    },
    onLearningRate: (field: TextField) => {
      const lr = readNumber(field, 1e-7, 1);
      if (lr === undefined) {
        layout.message.textContent = format(t('Invalid value for {0}: {1}'), t('Learning rate'), field.value);
        return;
      }
      layout.message.textContent = '';
      driver.setLearningRate(lr);
    },
  });
  layout.hyperBox.hidden = fileSpec !== undefined;
  const renderer = new Renderer(layout, t, (id, card) => {
    addExportButton(id, card.caption, card.canvas, t('Save PNG'), () => driver.step);
    if (id !== 'latent') return;
    if (driver.family === 'vae') card.caption.append(Object.assign(document.createElement('span'), { className: 'hint', textContent: ` ${t('Click a point to choose it; the point chosen before it is the other end of the interpolation.')}` }));
    card.canvas.addEventListener('click', (e) => {
      const i = nearestPoint(card.canvas, e.clientX, e.clientY);
      if (i >= 0) {
        focus = i;
        void driver.setFocus(i);
      }
    });
  }, (id, value) => void driver.setInput(id, value));

  if (backend.precision?.bits === 16) {
    layout.notice.textContent = format(t('This GPU cannot render 32-bit floats ({0}), so training runs in 16-bit floats: a little less precise, still finite.'), backend.precision.reason);
    layout.notice.hidden = false;
  }
  if (backend.software) {
    layout.notice.textContent = format(t('WebGL is drawn in software here ({0}, no GPU), so training runs on wasm, which is faster on this CPU. To use WebGL anyway, add "wasm" to the genlab.disabledBackends setting.'), backend.software);
    layout.notice.hidden = false;
    postToHost({ type: 'backendFallback', backend: backend.backend, reason: `webgl: drawn in software (${backend.software}); wasm went first` });
  } else if (backend.backend !== 'webgl') {
    const reason = backend.skipped.join('; ');
    layout.notice.textContent = format(t('WebGL is not available here ({0}). Training runs on {1} instead, which is slower.'), reason, backend.backend);
    layout.notice.hidden = false;
    postToHost({ type: 'backendFallback', backend: backend.backend, reason });
  }

  const watch = new ContextWatch();
  if (backend.backend === 'webgl') watch.attach();
  const setHyperEnabled = (enabled: boolean) => Object.values(layout.hyper).forEach((f) => { f.disabled = !enabled; });
  let lastStatus: DriverStatus | undefined;
  const driverEvents: DriverEvents = {
    onModel: (model, spec) => renderer.configure(model, spec.views),
    onSteps: (rows) => {
      renderer.addSteps(rows);
      persistence.addSteps(rows);
    },
    onEpoch: (row) => {
      renderer.addEpoch(row);
      persistence.addEpoch(row);
    },
    onCheckpoint: (checkpoint) => {
      if (persistence.due) persistence.send(checkpoint, 'timer');
    },
    onViews: (views) => renderer.setViews(views, focus),
    onStatus: (s) => {
      lastStatus = s;
      const st = layout.stats;
      st.dataset.step = String(s.step);
      st.dataset.epoch = s.epoch.toFixed(2);
      st.dataset.backend = backend.backend;
      st.dataset.precision = String(backend.precision?.bits ?? '');
      st.dataset.running = String(s.running);
      st.dataset.tensors = String(tf.memory().numTensors);
      st.dataset.bytes = String(tf.memory().numBytes);
      st.dataset.learningRate = String(driver.learningRate);
      const saved = persistence.savedStep === undefined ? '' : ` · ${format(t('saved at step {0}'), persistence.savedStep)}`;
      st.textContent = `${t('Step')} ${s.step} · ${t('Epoch')} ${s.epoch.toFixed(2)} · ${Math.round(s.samplesPerSec)} ${t('samples/s')} · ${t('Backend')}: ${backend.backend}${backend.precision?.bits === 16 ? ' (float16)' : ''} · ${s.running ? t('running') : t('paused')}${saved}`;
      persistence.setRunning(s.running);
      layout.startPause.textContent = s.running ? t('Pause') : s.step === 0 ? t('Start') : t('Resume');
      layout.stepOnce.disabled = s.running;
      setHyperEnabled(s.step === 0 && !s.running);
      postToHost({ type: 'status', step: s.step, epoch: s.epoch, samplesPerSec: s.samplesPerSec, backend: backend.backend, running: s.running });
    },
    onDiverged: (d, restore) => {
      document.getElementById('divergence')?.remove();
      const box = Object.assign(document.createElement('div'), { id: 'divergence', className: 'warning' });
      box.setAttribute('role', 'alert');
      const text = document.createElement('span');
      text.textContent = `${format(t('Training diverged: {0} became {1} at step {2}. Training is paused.'), d.term, String(d.value), d.step)} `;
      const button = Object.assign(document.createElement('button'), { id: 'btn-recover', textContent: format(t('Restore step {0} with learning rate {1}'), restore.step, Number(restore.learningRate.toPrecision(2))) });
      button.addEventListener('click', () => void (async () => {
        button.disabled = true;
        layout.learningRate.value = String(await driver.recover());
        box.remove();
        driver.start();
      })());
      box.append(text, button);
      layout.notice.after(box);
      postToHost({ type: 'error', message: text.textContent.trim() });
    },
    onError: (e) => {
      const message = format(t('Training stopped with an error: {0}'), e.message);
      layout.message.textContent = message;
      postToHost({ type: 'error', message });
    },
    onContextLost: () => void recoverContext(),
  };
  driver = new TrainingDriver({ train, heldout }, driverEvents, backend.backend === 'webgl' ? 5 : 1, watch);
  if (init.checkpointEverySeconds > 0) driver.checkpointMs = init.checkpointEverySeconds * 1000;

  /** Restarts the backend after a lost WebGL context and goes on from the last checkpoint, saying so. */
  async function recoverContext(): Promise<void> {
    const reason = watch.lostReason ?? 'unknown';
    layout.notice.textContent = format(t('The GPU context was lost ({0}). Restarting the backend…'), reason);
    layout.notice.hidden = false;
    try {
      const step = await driver.recoverContext(async () => {
        tf.engine().reset(); // forgets every tensor of the lost context; the next backend starts clean
        backend = await startBackend(init.disabledBackends, init.wasmBase);
        if (backend.backend === 'webgl') watch.attach();
      });
      const message = format(t('The GPU context was lost ({0}). GenLab restarted the {1} backend and went on from step {2}, its last checkpoint.'), reason, backend.backend, step);
      layout.notice.textContent = message;
      postToHost({ type: 'backendFallback', backend: backend.backend, reason: message });
      driver.start();
    } catch (e) {
      const message = format(t('Training stopped with an error: {0}'), e instanceof Error ? e.message : String(e));
      layout.notice.textContent = message;
      postToHost({ type: 'error', message });
    }
  }

  new ResizeObserver(() => renderer.redraw()).observe(root);
  onThemeChange(() => renderer.redraw());

  live = {
    restart: (spec) => {
      fileSpec = spec;
      void restart(spec).then(() => driver.start());
    },
    saved: (step, run, error) => {
      if (error) {
        layout.message.textContent = error;
        return;
      }
      persistence.saved(step, run);
      layout.stats.dataset.savedStep = String(step);
      if (lastStatus) driverEvents.onStatus(lastStatus);
    },
    setOptimizer: (optimizer) => {
      try {
        driver.setOptimizer(optimizer);
        if (fileSpec) fileSpec = { ...fileSpec, optimizer };
        layout.learningRate.value = String(optimizer.learningRate);
      } catch (e) {
        postToHost({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    },
  };
  await restart(fileSpec ?? vaeSpec(init.hyperparameters, driver.shape), !init.resume);
  let resumedAt: string | undefined;
  if (init.resume) {
    try {
      const { steps, epochs } = init.resume;
      await driver.restore(fromWire(init.resume.checkpoint), () => {
        renderer.addSteps(steps);
        epochs.forEach((row) => renderer.addEpoch(row));
      });
      persistence.savedStep = driver.step;
      layout.stats.dataset.resumedStep = String(driver.step);
      resumedAt = format(t('Went on from the checkpoint at step {0}.'), driver.step);
    } catch (e) {
      await restart(fileSpec ?? vaeSpec(init.hyperparameters, driver.shape));
      resumedAt = format(t('The saved run could not be restored ({0}); training starts afresh.'), e instanceof Error ? e.message : String(e));
      postToHost({ type: 'error', message: resumedAt });
    }
  }
  const mb = (driver.dataBytes / 1e6).toFixed(1);
  const dataLine = set.kind === 'points' ? t('Data: {0} training and {1} held-out points ({2} MB on the backend)')
    : set.kind === 'text' ? t('Data: {0} training and {1} held-out characters ({2} MB on the backend)')
      : t('Data: {0} training and {1} held-out images ({2} MB on the backend)');
  layout.message.textContent = [format(dataLine, train.count, heldout.count, mb), resumedAt].filter(Boolean).join(' ');
  if (init.autostart) driver.start();
}
