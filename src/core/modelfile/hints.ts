/**
 * Wording shared by the checker and the schema messages: "did you mean" hints, ordinals, and
 * how a JSON path is named in a message ("units" of the encoder's 2nd layer).
 */

/** Activations a layer may name (the same list as the schema's "activation" enum). */
export const ACTIVATIONS: readonly string[] = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'gelu_new'];

/** Initializers a layer may name, e.g. for "kernelInitializer". */
export const INITIALIZERS: readonly string[] = ['constant', 'glorotNormal', 'glorotUniform', 'heNormal', 'heUniform', 'identity', 'leCunNormal', 'leCunUniform', 'ones', 'orthogonal', 'randomNormal', 'randomUniform', 'truncatedNormal', 'varianceScaling', 'zeros'];

/** Edit distance between `a` and `b`, an adjacent transposition counting as one edit. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidate `word` is most likely a typo of, if any: a case or separator slip, or a few edits. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_\s-]/g, '');
  const w = norm(word);
  const same = candidates.find((c) => norm(c) === w);
  if (same !== undefined || w.length === 0 || w.length > 40) return same;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(w, norm(c));
    if (dist < bestDistance) [best, bestDistance] = [c, dist];
  }
  return bestDistance <= (w.length <= 3 ? 1 : w.length <= 6 ? 2 : 3) ? best : undefined;
}

/** `; did you mean "x"?` when `word` looks like a typo of a candidate, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c !== undefined && c !== word ? `; did you mean "${c}"?` : '';
}

/** 1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, … 21st. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** A model file's data as the user named it, for messages: "mnist", "ring", or the path of their own files. */
export function dataName(data: unknown): string {
  if (typeof data === 'string') return data;
  const d = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  return typeof d.dataset === 'string' ? d.dataset : typeof d.path === 'string' ? d.path : 'mnist';
}

/** A count of values in words: "1 value", "784 values". */
export const values = (n: number): string => `${n} value${n === 1 ? '' : 's'}`;

/** A shape as written in messages: [28, 28, 1]. */
export const formatShape = (shape: readonly unknown[]): string => `[${shape.join(', ')}]`;

/** A network as named in messages: `the encoder`, `the "my net" network`. */
export function networkName(name: string): string {
  return /^[A-Za-z]\w*$/.test(name) ? `the ${name}` : `the "${name}" network`;
}

/** A layer as named in messages: `the encoder's 3rd layer (conv2d)`. */
export function layerName(network: string, index: number, type?: unknown): string {
  return `${networkName(network)}'s ${ordinal(index + 1)} layer${typeof type === 'string' ? ` (${type})` : ''}`;
}

/** What a JSON path points at, in words: `"training.batchSize"`, `"units" of the encoder's 1st layer`. */
export function describePath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return 'the model file';
  if (path[0] === 'networks' && path.length >= 2) {
    const net = String(path[1]);
    if (path.length === 2) return `the "${net}" network`;
    const layer = typeof path[2] === 'number' ? layerName(net, path[2]) : `${networkName(net)}'s "${path[2]}"`;
    return path.length === 3 ? layer : `"${path.slice(3).join('.')}" of ${layer}`;
  }
  if (path[0] === 'views' && typeof path[1] === 'number' && path.length === 2) return `the ${ordinal(path[1] + 1)} view`;
  return `"${path.join('.')}"`;
}

/** A JSON value as quoted in messages, shortened. */
export function showValue(value: unknown): string {
  const s = typeof value === 'string' ? `the text ${JSON.stringify(value)}` : JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
