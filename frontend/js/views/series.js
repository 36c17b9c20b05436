// The ALL half of the stream views' interface (panels.js): `push(msg)` for each message of a batch,
// then `flush()`, for a view that draws a batch at once (`drawAll(list)`). DOM-free.

/** {push, flush} over `drawAll(messages)`: flush hands it what was pushed since the last flush, if any. */
export function batched(drawAll) {
  let pending = [];
  return {
    push(msg) {
      pending.push(msg);
    },
    flush() {
      if (!pending.length) return;
      const list = pending;
      pending = [];
      drawAll(list);
    },
  };
}
