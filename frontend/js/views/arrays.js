// Array payloads of the protocol, decoded for drawing. A payload is {shape, dims, vmin, vmax, data}:
// `data` is nested lists, or, with `encoding: "uint8"`, base64 text of 8-bit codes in row-major order
// (entry ≈ vmin + code * (vmax - vmin) / 255).

/** 8-bit codes of a `uint8` array payload as values: vmin + code * (vmax - vmin) / 255. */
export function decodeQuantized(payload) {
  const bin = atob(payload.data);
  const out = new Float32Array(bin.length);
  const lo = payload.vmin ?? 0;
  const step = ((payload.vmax ?? lo) - lo) / 255;
  for (let i = 0; i < bin.length; i += 1) out[i] = lo + bin.charCodeAt(i) * step;
  return out;
}

/**
 * A 2-D payload (rows, cols) as an array of row arrays, from either encoding. `round` rounds decoded
 * codes to integers (class ids, which the 8-bit encoding gives back exactly that way).
 */
export function payloadRows(payload, { round = false } = {}) {
  if (payload.encoding !== 'uint8') return payload.data;
  const flat = decodeQuantized(payload);
  const [rows, cols] = payload.shape;
  const out = new Array(rows);
  for (let i = 0; i < rows; i += 1) {
    const row = Array.from(flat.subarray(i * cols, (i + 1) * cols));
    out[i] = round ? row.map(Math.round) : row;
  }
  return out;
}
