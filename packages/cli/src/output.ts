import { loadControl } from './core-loader';
import { formatMs } from './parse';

/** Text without secrets (core's `redactText`, loaded only when something is printed). */
function safe(text: string): string {
  return loadControl().redactText(text);
}

/** Where a command writes: a JSON document for scripts, or text with a live progress line on a TTY. */
export class Output {
  private lastPlain = '';
  private lineOpen = false;
  readonly tty: boolean;

  constructor(
    readonly json: boolean,
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly err: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = !json && err.isTTY === true;
  }

  /**
   * A progress update (`state, elapsed / deadline`): rewrites one line on a TTY, prints a plain line
   * when the text changed otherwise; silent with `--json`. Goes to stderr.
   */
  progress(what: string, state: string, elapsedMs: number, deadlineMs?: number): void {
    if (this.json) return;
    const time = deadlineMs !== undefined ? `${formatMs(elapsedMs)} / ${formatMs(deadlineMs)}` : formatMs(elapsedMs);
    if (this.tty) {
      this.err.write(`\r\x1b[K${what}: ${state}  ${time}`);
      this.lineOpen = true;
      return;
    }
    const plain = `${what}: ${state}`;
    if (plain === this.lastPlain) return;
    this.lastPlain = plain;
    this.err.write(`${plain} (${time})\n`);
  }

  /** Ends a progress line. */
  endProgress(): void {
    if (this.lineOpen) this.err.write('\n');
    this.lineOpen = false;
    this.lastPlain = '';
  }

  /** A human note on stderr (never in `--json` output); secrets redacted. */
  note(text: string): void {
    if (this.json) return;
    this.endProgress();
    this.err.write(safe(text) + '\n');
  }

  /** The command's result: JSON on stdout with `--json`, else the human text. */
  result(value: unknown, human: () => string): void {
    this.endProgress();
    this.out.write(this.json ? JSON.stringify(value, null, 2) + '\n' : human() + '\n');
  }

  /**
   * An error: `zerodown: message` on stderr; with `--json` also `{ ok: false, error }` on stdout. URL
   * credentials and query strings and `Bearer` credentials in the message are redacted.
   */
  error(error: unknown, exitCode: number): void {
    this.endProgress();
    const e = error as { message?: unknown; code?: unknown; reason?: unknown };
    // core's messages may already start with `zerodown: ` (trust, config): say it once
    const message = safe(typeof e?.message === 'string' ? e.message : String(error)).replace(/^zerodown: /, '');
    this.err.write(`zerodown: ${message}\n`);
    if (this.json) this.out.write(JSON.stringify({ ok: false, exitCode, error: { code: typeof e?.code === 'string' ? e.code : undefined, reason: typeof e?.reason === 'string' ? e.reason : undefined, message } }, null, 2) + '\n');
  }
}
