/**
 * Lines for a terminal or a pipe, written together a few times a second instead of one write
 * each. `send` prints a line per file as its answer comes; written one by one, each line is a
 * write(2) and a wake-up of whoever reads the terminal or pipe, made between one file's answer and
 * the next file's request, on the path a one-at-a-time send waits on. Gathered, they go out on a
 * timer, off that path, and whatever is left is written by `flush()` at the end.
 */
export class BatchedLines {
  private readonly write: (text: string) => void;
  /** How long a line may wait: short enough that a person watching sees the send move. */
  private readonly delayMs: number;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(write: (text: string) => void, delayMs = 100) {
    this.write = write;
    this.delayMs = delayMs;
  }

  /** Queues `line` (without its newline) for the next write. */
  add(line: string): void {
    this.pending.push(line);
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Writes every queued line now, in one write. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    this.write(text);
  }
}
