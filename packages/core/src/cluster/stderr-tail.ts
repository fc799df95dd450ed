/** Keeps the last `max` lines written to a stream (a worker's stderr), for failure reports. */
export class StderrTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly max = 20) {}

  /** Adds a chunk of output. */
  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const l of parts) this.add(l);
    if (this.partial.length > 4096) {
      this.add(this.partial);
      this.partial = '';
    }
  }

  /** The last lines (the unfinished one included). */
  get(): string[] {
    return this.partial ? [...this.lines, this.partial].slice(-this.max) : [...this.lines];
  }

  private add(line: string): void {
    this.lines.push(line.length > 2000 ? line.slice(0, 2000) + '…' : line);
    if (this.lines.length > this.max) this.lines.shift();
  }
}
