import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

type Message = { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: { message: string } };
type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Waiter = Pending & { method: string; accept: (params: unknown) => boolean };

/**
 * A minimal Language Server Protocol client over a child's stdio: JSON-RPC messages framed by
 * Content-Length headers. Every wait has a time limit and a server that dies fails every wait at
 * once, so a misbehaving server fails a test instead of hanging it.
 */
export class LspClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, (params: unknown) => unknown>();
  private waiters: Waiter[] = [];
  private stderr = '';
  private exit: { code: number | null; signal: string | null } | undefined;
  private readonly exited: Promise<{ code: number | null; signal: string | null }>;

  constructor(command: string, args: string[], private readonly timeoutMs: number) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    // Writing to a server that has died fails; the exit below reports that better.
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      const gone = (code: number | null, signal: string | null) => {
        if (this.exit) return;
        this.exit = { code, signal };
        const error = new Error(`the server exited (${signal ?? code}) ${this.stderr}`);
        for (const waiting of [...this.pending.values(), ...this.waiters]) waiting.reject(error);
        this.pending.clear();
        this.waiters = [];
        resolve(this.exit);
      };
      this.child.once('exit', gone);
      this.child.once('error', (error) => {
        this.stderr += String(error);
        gone(null, null);
      });
    });
  }

  /** Answers the server's requests of this method; others get null, as from a client that has nothing to say. */
  onRequest(method: string, handler: (params: unknown) => unknown): void {
    this.handlers.set(method, handler);
  }

  request<T>(method: string, params: unknown): Promise<T> {
    if (this.exit) return Promise.reject(new Error(`the server has exited; cannot send ${method}`));
    const id = this.nextId++;
    const answered = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject }));
    this.send({ id, method, params });
    return this.within(answered, `no answer to ${method}`, () => this.pending.delete(id));
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** The params of the next notification of this method that `accept` takes. Call it before causing the notification. */
  nextNotification<T>(method: string, accept: (params: T) => boolean = () => true): Promise<T> {
    let waiter!: Waiter;
    const arrived = new Promise<T>((resolve, reject) => {
      waiter = { method, accept: accept as (params: unknown) => boolean, resolve: resolve as (value: unknown) => void, reject };
      this.waiters.push(waiter);
    });
    return this.within(arrived, `no ${method} notification`, () => (this.waiters = this.waiters.filter((w) => w !== waiter)));
  }

  /** `promise`, or an error naming `what` once the time limit has passed. */
  within<T>(promise: Promise<T>, what: string, onTimeout?: () => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout?.();
        reject(new Error(`${what} within ${this.timeoutMs} ms ${this.stderr}`));
      }, this.timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  /** The protocol's shutdown then exit, resolving with how the process ended; it is killed if it does not end in time. */
  async close(): Promise<{ code: number | null; signal: string | null }> {
    if (!this.exit) {
      try {
        await this.request('shutdown', null);
        this.notify('exit', null);
        await this.within(this.exited, 'the server did not exit');
      } catch {
        this.child.kill('SIGKILL');
      }
    }
    return this.exited;
  }

  private send(message: Message): void {
    if (this.exit) return;
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    this.child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
      const start = headerEnd + 4;
      if (this.buffer.length < start + length) return;
      const body = this.buffer.subarray(start, start + length).toString('utf8');
      this.buffer = this.buffer.subarray(start + length);
      let message: Message;
      try {
        message = JSON.parse(body) as Message;
      } catch {
        // A server that breaks the framing cannot be understood any more: end it, which fails every wait.
        this.stderr += `\nunreadable message: ${body.slice(0, 200)}`;
        this.child.kill('SIGKILL');
        return;
      }
      this.dispatch(message);
    }
  }

  private dispatch(message: Message): void {
    if (message.method && message.id !== undefined) {
      const handler = this.handlers.get(message.method);
      this.send({ id: message.id, result: handler ? handler(message.params) : null });
    } else if (message.method) {
      const waiter = this.waiters.find((w) => w.method === message.method && w.accept(message.params));
      if (!waiter) return;
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(message.params);
    } else if (typeof message.id === 'number') {
      const call = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) call?.reject(new Error(message.error.message));
      else call?.resolve(message.result);
    }
  }
}
