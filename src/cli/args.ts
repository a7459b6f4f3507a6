/** Command-line parsing for `genlab`: positional arguments and `--flag value` / `--flag=value` options. */

/** A mistake in how the command was called; main prints its message and the usage hint. */
export class UsageError extends Error {}

/** A failure with a one-line reason for the user (missing file, unreadable data…). */
export class CliError extends Error {
  /** `code` is the exit status to use. */
  constructor(message: string, readonly code = 1) {
    super(message);
  }
}

/** Parsed arguments: positional ones in order, options by name (without the dashes). */
export interface ParsedArgs {
  positional: string[];
  options: Record<string, string | true>;
}

/** Parses `argv`; `spec` says which options exist and whether each takes a value. */
export function parseArgs(argv: readonly string[], spec: Record<string, 'value' | 'flag'>): ParsedArgs {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1] ?? arg;
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option ${arg.split('=')[0]}`);
    if (kind === 'flag') {
      if (m?.[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
    } else if (m?.[2] !== undefined) {
      options[name] = m[2];
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      options[name] = argv[++i];
    } else {
      throw new UsageError(`--${name} needs a value`);
    }
  }
  return { positional, options };
}

/** The whole number in option `name`, at least `min`, or undefined when the option is absent. */
export function intOption(options: ParsedArgs['options'], name: string, min: number): number | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got "${String(v)}"`);
  return n;
}

/** The value of option `name` when it is one of `allowed`, `fallback` when absent. */
export function choiceOption<T extends string>(options: ParsedArgs['options'], name: string, allowed: readonly T[], fallback: T): T {
  const v = options[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${String(v)}"`);
  return v as T;
}
