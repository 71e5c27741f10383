/**
 * Simulated stdin and readline for in-process nodes. A line the host writes is delivered at once,
 * synchronously, to every consumer the program set up: `'data'` listeners (Buffer, or string after
 * `setEncoding`), `'readable'` + `read()`, readline `'line'` listeners, and `for await` over a
 * readline interface.
 */
import { EventEmitter } from 'node:events';

/** Lines queued for a `for await` consumer before it asks; bounded so a stalled loop is visible. */
const MAX_QUEUED_LINES = 100_000;

/**
 * @example
 * const stdin = new SimStdin(); stdin.on('data', (b) => {}); stdin.pushLine('{"src":"c1"}');
 */
export class SimStdin extends EventEmitter {
  readonly fd = 0;
  readonly isTTY = false;
  readable = true;
  private encoding: string | undefined;
  private buffered = '';
  private readonly lineConsumers: Array<(line: string) => void> = [];

  setEncoding(enc: string): this {
    this.encoding = enc;
    return this;
  }

  resume(): this {
    return this;
  }

  pause(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  read(): string | Buffer | null {
    if (this.buffered === '') return null;
    const out = this.buffered;
    this.buffered = '';
    return this.encoding ? out : Buffer.from(out);
  }

  /** Registers a readline interface. */
  addLineConsumer(fn: (line: string) => void): void {
    this.lineConsumers.push(fn);
  }

  removeLineConsumer(fn: (line: string) => void): void {
    const i = this.lineConsumers.indexOf(fn);
    if (i >= 0) this.lineConsumers.splice(i, 1);
  }

  /** Delivers one line (the newline is added) to every consumer. */
  pushLine(line: string): void {
    const data = `${line}\n`;
    if (this.listenerCount('readable') > 0) {
      this.buffered += data;
      this.emit('readable');
    }
    if (this.listenerCount('data') > 0) this.emit('data', this.encoding ? data : Buffer.from(data));
    for (const c of this.lineConsumers.slice()) c(line);
  }
}

/**
 * A readline Interface over SimStdin.
 *
 * @example
 * new SimReadline(stdin, { input: stdin }).on('line', (l) => {});
 */
export class SimReadline extends EventEmitter {
  terminal = false;
  private closed = false;
  private paused = false;
  private readonly held: string[] = [];
  private readonly queue: string[] = [];
  private waiter: ((r: IteratorResult<string>) => void) | undefined;
  private readonly input: SimStdin;
  private readonly output: { write?: (s: string) => unknown } | undefined;
  private readonly consumer = (line: string) => this.onLine(line);

  constructor(stdin: SimStdin, opts: unknown, output?: unknown) {
    super();
    const o = (opts ?? {}) as { input?: unknown; output?: unknown };
    const input = o.input ?? opts;
    if (!(input instanceof SimStdin)) throw new Error('in-process nodes can only read lines from process.stdin');
    this.input = stdin;
    this.output = (o.output ?? output) as typeof this.output;
    stdin.addLineConsumer(this.consumer);
  }

  private onLine(line: string): void {
    if (this.closed) return;
    if (this.paused) {
      this.held.push(line);
      return;
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: line, done: false });
    } else if (this.listenerCount('line') === 0 && this.iterating) {
      if (this.queue.length >= MAX_QUEUED_LINES) throw new Error(`more than ${MAX_QUEUED_LINES} stdin lines queued unread`);
      this.queue.push(line);
    }
    this.emit('line', line);
  }

  private iterating = false;

  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    this.iterating = true;
    const it: AsyncIterableIterator<string> = {
      next: () => {
        if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((r) => (this.waiter = r));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    this.paused = false;
    for (const l of this.held.splice(0)) this.onLine(l);
    return this;
  }

  setPrompt(): void {}
  prompt(): void {}

  write(s: string): void {
    this.output?.write?.(s);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.removeLineConsumer(this.consumer);
    this.emit('close');
  }
}
