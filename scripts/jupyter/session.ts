/**
 * A client session with one running kernel over ZeroMQ: DEALER sockets on shell and control, a SUBSCRIBER on iopub.
 * Replies and iopub messages are routed to whoever sent the request they answer (by the parent header's msg_id).
 * Every received message's signature is verified; a message that fails is dropped and reported.
 */
import { randomUUID } from "node:crypto";
import * as zmq from "zeromq";
import { endpoint, type ConnectionInfo } from "./connection";
import {
  createMessage,
  type ExecuteReplyContent,
  type JupyterMessage,
  type StatusContent,
} from "./messages";
import { decodeMessage, encodeMessage } from "./wire";

/** After kernel_info_reply, how long to wait for its iopub status before asking again (PUB/SUB joins late). */
const IOPUB_JOIN_WAIT_MS = 300;
/**
 * After execute_reply, how long iopub may stay silent before the runner stops waiting for the "idle" that follows the
 * last output (nbclient waits a fixed 3 s; here any output for the request restarts the wait, so a flood still in
 * flight is waited for). A missing idle is reported: the cell's outputs may be incomplete.
 */
const IOPUB_QUIET_AFTER_REPLY_MS = 3000;
/** Receiving never holds the event loop longer than this: timers (cell timeout) and signal handlers must run. */
const RECEIVE_SLICE_MS = 20;

export type MessageListener = (message: JupyterMessage) => void;

export interface ExecutionOutcome {
  reply: JupyterMessage<ExecuteReplyContent>;
  /** False when iopub's "idle" for this request never came: outputs may have been lost on the way. */
  idleSeen: boolean;
}

export interface ExecutionHandle {
  msgId: string;
  /** Resolves once the execute_reply has arrived and iopub has gone idle for this request (or stayed silent). */
  done: Promise<ExecutionOutcome>;
}

export interface SessionOptions {
  /** Called for each received message that was refused (bad signature, malformed). */
  onRefusedMessage?: (reason: string) => void;
}

/** Serializes sends: a zeromq v6 socket refuses a send while another is in flight. */
class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly socket: zmq.Dealer) {}
  send(frames: Buffer[]): Promise<void> {
    const next = this.tail.then(() => this.socket.send(frames));
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class KernelSession {
  private readonly sessionId = randomUUID();
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly control = new zmq.Dealer({ linger: 0 });
  // No receive limit: ZeroMQ's I/O thread then drains the kernel's PUB queue (whose limit drops messages silently)
  // as fast as the network allows, however slowly the runner handles them.
  private readonly iopub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 });
  private readonly shellQueue = new SendQueue(this.shell);
  private readonly controlQueue = new SendQueue(this.control);
  private readonly replyWaiters = new Map<string, MessageListener>();
  private readonly iopubListeners = new Map<string, MessageListener>();
  /** Rejects a pending request (and clears its timer) when the session closes, so nothing waits on a dead kernel. */
  private readonly pendingCancels = new Set<(reason: string) => void>();
  private closed = false;

  private constructor(
    private readonly info: ConnectionInfo,
    private readonly options: SessionOptions,
  ) {}

  /** Connect the sockets; the kernel may still be starting (ZeroMQ connects when it binds). */
  static connect(info: ConnectionInfo, options: SessionOptions = {}): KernelSession {
    const session = new KernelSession(info, options);
    session.shell.connect(endpoint(info, info.shell_port));
    session.control.connect(endpoint(info, info.control_port));
    session.iopub.connect(endpoint(info, info.iopub_port));
    session.iopub.subscribe();
    void session.receive(session.shell, (message) => session.routeReply(message));
    void session.receive(session.control, (message) => session.routeReply(message));
    void session.receive(session.iopub, (message) => session.routeIopub(message));
    return session;
  }

  /** Ask kernel_info until the kernel answers and its iopub messages reach us; then cells can run. */
  async waitForReady(timeoutMs: number): Promise<JupyterMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.closed) {
      let iopubSeen = false;
      const request = createMessage("kernel_info_request", this.sessionId, {});
      const msgId = request.header.msg_id;
      this.iopubListeners.set(msgId, () => (iopubSeen = true));
      try {
        const reply = await this.sendAndWait(this.shellQueue, request, deadline - Date.now());
        const joinDeadline = Date.now() + IOPUB_JOIN_WAIT_MS;
        while (!iopubSeen && Date.now() < joinDeadline) await sleep(20);
        if (iopubSeen) return reply;
      } catch (error) {
        // A reply timeout ends the loop below; a failed send or a closed session ends it here.
        if (Date.now() < deadline) throw error;
      } finally {
        this.iopubListeners.delete(msgId);
      }
    }
    throw new Error(`the kernel did not answer kernel_info_request within ${Math.round(timeoutMs / 1000)} s`);
  }

  /** Send one execute_request; `onIopub` gets every iopub message that belongs to it, in order. */
  execute(code: string, onIopub: MessageListener): ExecutionHandle {
    const request = createMessage("execute_request", this.sessionId, {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    });
    const msgId = request.header.msg_id;
    let markIdle: () => void = () => undefined;
    let idleSeen = false;
    let lastIopubAt = Date.now();
    const idle = new Promise<void>((resolve) => (markIdle = resolve));
    this.iopubListeners.set(msgId, (message) => {
      lastIopubAt = Date.now();
      onIopub(message);
      if (message.header.msg_type === "status" && (message.content as unknown as StatusContent).execution_state === "idle") {
        idleSeen = true;
        markIdle();
      }
    });
    const done = (async () => {
      try {
        const reply = await this.sendAndWait(this.shellQueue, request, Infinity);
        lastIopubAt = Math.max(lastIopubAt, Date.now());
        while (!idleSeen && !this.closed) {
          const quietFor = Date.now() - lastIopubAt;
          if (quietFor >= IOPUB_QUIET_AFTER_REPLY_MS) break;
          await waitAtMost(idle, IOPUB_QUIET_AFTER_REPLY_MS - quietFor);
        }
        return { reply: reply as unknown as JupyterMessage<ExecuteReplyContent>, idleSeen };
      } finally {
        this.iopubListeners.delete(msgId);
      }
    })();
    return { msgId, done };
  }

  /** interrupt_request on the control channel (kernels with interrupt_mode "message"; tslab also needs SIGINT). */
  async interrupt(): Promise<void> {
    await this.send(this.controlQueue, createMessage("interrupt_request", this.sessionId, {}));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cancel of [...this.pendingCancels]) cancel("the session was closed");
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
  }

  private async send(queue: SendQueue, message: JupyterMessage<unknown>): Promise<void> {
    if (this.closed) throw new Error("the kernel session is closed");
    await queue.send(encodeMessage(message, this.info.key));
  }

  private async sendAndWait(queue: SendQueue, message: JupyterMessage<unknown>, timeoutMs: number): Promise<JupyterMessage> {
    const msgId = message.header.msg_id;
    const reply = new Promise<JupyterMessage>((resolve, reject) => {
      const finish = () => {
        if (timer) clearTimeout(timer);
        this.replyWaiters.delete(msgId);
        this.pendingCancels.delete(cancel);
      };
      const cancel = (reason: string) => {
        finish();
        reject(new Error(`${message.header.msg_type}: ${reason}`));
      };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => cancel(`no reply within ${Math.round(timeoutMs)} ms`), Math.max(0, timeoutMs))
        : null;
      this.pendingCancels.add(cancel);
      this.replyWaiters.set(msgId, (answer) => {
        finish();
        resolve(answer);
      });
    });
    await this.send(queue, message);
    return reply;
  }

  private routeReply(message: JupyterMessage): void {
    const parentId = message.parent_header.msg_id;
    if (parentId !== undefined) this.replyWaiters.get(parentId)?.(message);
  }

  private routeIopub(message: JupyterMessage): void {
    const parentId = message.parent_header.msg_id;
    if (parentId !== undefined) this.iopubListeners.get(parentId)?.(message);
  }

  private async receive(socket: zmq.Dealer | zmq.Subscriber, route: MessageListener): Promise<void> {
    let sliceStart = Date.now();
    try {
      for await (const frames of socket) {
        // A socket with queued messages resolves receive() at once, which would starve timers and signals.
        if (Date.now() - sliceStart > RECEIVE_SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = Date.now();
        }
        let message: JupyterMessage;
        try {
          message = decodeMessage(frames, this.info.key);
        } catch (error) {
          this.options.onRefusedMessage?.(String((error as Error).message ?? error));
          continue;
        }
        route(message);
      }
    } catch (error) {
      if (!this.closed) this.options.onRefusedMessage?.(`socket receive failed: ${String(error)}`);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wait for `promise`, but no longer than `ms`; the timer does not outlive the wait. */
async function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
