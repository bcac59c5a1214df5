// Messages between the supervisor and a worker, over the IPC channel Node's child_process opens (stdio "ipc"), which
// Deno and Bun both provide: JSON values, framed and ordered by the runtime. On it, calls answered by id (a reload,
// the metrics) and one-way notes (ready, analytics lines). Everything received is checked with zod.
import { z } from "zod";

/** One end of an IPC channel: a worker's `process`, or the supervisor's ChildProcess of a worker. */
export interface IpcEnd {
  send(message: unknown, callback?: (err: Error | null) => void): boolean;
  on(event: "message", listener: (message: unknown) => void): unknown;
}

const messageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("call"), id: z.number(), method: z.string(), params: z.unknown() }),
  z.object({ kind: z.literal("result"), id: z.number(), value: z.unknown(), error: z.string().optional() }),
  z.object({ kind: z.literal("note"), method: z.string(), params: z.unknown() }),
]);

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** Calls and notes over one IPC channel. */
export class Channel {
  readonly #end: IpcEnd;
  readonly #onBadMessage: (err: Error) => void;
  readonly #pending = new Map<number, Pending>();
  readonly #calls = new Map<string, (params: unknown) => unknown>();
  readonly #notes = new Map<string, (params: unknown) => void>();
  #nextId = 1;
  #closed: Error | undefined;

  /** `onBadMessage`: told of a message that is not one of ours, or a note or call nobody handles. */
  constructor(end: IpcEnd, onBadMessage: (err: Error) => void) {
    this.#end = end;
    this.#onBadMessage = onBadMessage;
    end.on("message", (raw) => this.#receive(raw));
  }

  /** Answers calls of `method`: `params` are checked with `schema`; a throw or rejection is sent back as the error. */
  answer<P>(method: string, schema: z.ZodType<P>, fn: (params: P) => unknown): void {
    this.#calls.set(method, (raw) => fn(schema.parse(raw)));
  }

  /** Handles notes of `method`, their params checked with `schema`. */
  onNote<P>(method: string, schema: z.ZodType<P>, fn: (params: P) => void): void {
    this.#notes.set(method, (raw) => fn(schema.parse(raw)));
  }

  /** Calls `method` on the other end; its answer is checked with `result`. Rejects when the channel closes first. */
  call<R>(method: string, params: unknown, result: z.ZodType<R>): Promise<R> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#send({ kind: "call", id, method, params }).catch((err) => {
        this.#pending.delete(id);
        reject(err);
      });
    }).then((value) => result.parse(value));
  }

  /** Sends a one-way note; resolves once it has been handed to the channel. */
  note(method: string, params: unknown): Promise<void> {
    return this.#closed ? Promise.reject(this.#closed) : this.#send({ kind: "note", method, params });
  }

  /** The other end is gone: pending and later calls fail with `reason`. */
  close(reason: Error): void {
    this.#closed ??= reason;
    for (const p of this.#pending.values()) p.reject(reason);
    this.#pending.clear();
  }

  #send(message: z.input<typeof messageSchema>): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.#end.send(message, (err) => (err ? reject(err) : resolve()));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  #receive(raw: unknown): void {
    const parsed = messageSchema.safeParse(raw);
    if (!parsed.success) return this.#onBadMessage(new Error(`not a supervisor message: ${parsed.error.message}`));
    const m = parsed.data;
    try {
      if (m.kind === "result") {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.value);
      } else if (m.kind === "note") {
        const handle = this.#notes.get(m.method);
        if (!handle) throw new Error(`no handler for note ${m.method}`);
        handle(m.params);
      } else {
        const handle = this.#calls.get(m.method);
        const answered = handle
          ? Promise.resolve().then(() => handle(m.params))
          : Promise.reject(new Error(`no handler for call ${m.method}`));
        answered.then(
          (value) => this.#send({ kind: "result", id: m.id, value }),
          (err: unknown) =>
            this.#send({ kind: "result", id: m.id, value: null, error: String((err as Error)?.message ?? err) }),
        ).catch(() => {
          // The caller is gone; nobody is waiting for this answer.
        });
      }
    } catch (err) {
      this.#onBadMessage(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
