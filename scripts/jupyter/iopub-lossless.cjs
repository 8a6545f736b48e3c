/*
 * Preloaded into the tslab kernels this project starts (NODE_OPTIONS=--require, by the runner and by the kernelspec).
 *
 * tslab publishes every write of a cell as its own iopub message and calls the socket's send() without waiting.
 * zeromq 6 sends at most ~512 messages synchronously per event-loop turn; until the pending one completes, every
 * further send() throws EBUSY — and Node's console swallows errors thrown by a stream's write(). A cell printing
 * 20,000 lines in a loop stored 510 of them, and the kernel's closing "idle" status was lost as well.
 *
 * Here a Publisher's send() that would throw EBUSY is queued instead and sent, in order, as soon as the socket can
 * take it; sends that go through at once are untouched. The PUB queue's drop limit (1,000 messages per subscriber)
 * is lifted too, so a slow subscriber makes the kernel buffer rather than drop.
 * Plain CommonJS: it runs inside the kernel before tslab, without a TypeScript loader.
 */
"use strict";
const Module = require("module");

const PATCHED = Symbol.for("cnn-notebooks.iopub-lossless");
/** Per socket: messages waiting, whether the pump runs, the last send's promise (sockets are sealed objects). */
const states = new WeakMap();

function patchPublisher(Publisher) {
  const prototype = Publisher.prototype;
  const send = prototype.send;
  const bind = prototype.bind;
  // zeromq marks its methods read-only; own properties on the subclass prototype can still be defined.
  Object.defineProperty(prototype, "bind", {
    configurable: true,
    value: function bindWithoutDropping(...args) {
      this.sendHighWaterMark = 0; // applies to the pipes made when binding, so set it first
      return bind.apply(this, args);
    },
  });
  Object.defineProperty(prototype, "send", {
    configurable: true,
    value: function sendInOrder(message) {
      let state = states.get(this);
      if (state === undefined) {
        state = { queue: [], pumping: false, last: Promise.resolve() };
        states.set(this, state);
      }
      if (!state.pumping && state.queue.length === 0) {
        try {
          state.last = send.call(this, message);
          return state.last;
        } catch (error) {
          if (!error || error.code !== "EBUSY") throw error;
        }
      }
      return new Promise((resolve, reject) => {
        state.queue.push({ message, resolve, reject });
        if (!state.pumping) pump(this, state);
      });
    },
  });

  async function pump(socket, state) {
    state.pumping = true;
    try {
      while (state.queue.length > 0) {
        await state.last.catch(() => undefined);
        const item = state.queue[0];
        try {
          state.last = send.call(socket, item.message);
        } catch (error) {
          if (error && error.code === "EBUSY") {
            await new Promise((resolve) => setImmediate(resolve));
            continue;
          }
          state.queue.shift();
          item.reject(error);
          continue;
        }
        state.queue.shift();
        item.resolve(state.last);
      }
    } finally {
      state.pumping = false;
    }
  }
}

const originalLoad = Module._load;
Module._load = function load(request) {
  const loaded = originalLoad.apply(this, arguments);
  if (request === "zeromq" && loaded && typeof loaded.Publisher === "function" && !loaded.Publisher[PATCHED]) {
    patchPublisher(loaded.Publisher);
    loaded.Publisher[PATCHED] = true;
  }
  return loaded;
};
