// Array payloads of the protocol, decoded for drawing. A payload is {shape, dims, vmin, vmax, encoding,
// data}; `data` is base64 text of the entries in row-major order:
//   encoding "float32": IEEE-754 single precision, little-endian, 4 bytes an entry (exact);
//   encoding "uint8":   8-bit codes, entry ≈ vmin + code * (vmax - vmin) / 255.
// Views read arrays only through these functions, never `payload.data` itself.

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function bytesOf(text) {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** 8-bit codes of a `uint8` array payload as values: vmin + code * (vmax - vmin) / 255. */
export function decodeQuantized(payload) {
  const bytes = bytesOf(payload.data);
  const out = new Float32Array(bytes.length);
  const lo = payload.vmin ?? 0;
  const step = ((payload.vmax ?? lo) - lo) / 255;
  for (let i = 0; i < bytes.length; i += 1) out[i] = lo + bytes[i] * step;
  return out;
}

/** The little-endian float32 entries of a `float32` array payload, as sent (NaN and ±Infinity too). */
export function decodeFloat32(payload) {
  const bytes = bytesOf(payload.data);
  const n = bytes.length >> 2;
  if (LITTLE_ENDIAN) return new Float32Array(bytes.buffer, 0, n);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 1) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Every entry of a payload of either encoding, flat in row-major order. */
export function decodeFlat(payload) {
  if (payload.encoding === 'uint8') return decodeQuantized(payload);
  if (payload.encoding === 'float32') return decodeFloat32(payload);
  throw new Error(`unknown array encoding ${payload.encoding}`);
}

/**
 * A payload of any rank as nested arrays of its `shape` (a 1-D payload: one array of numbers).
 * Non-finite entries become null, which Plotly draws as gaps. `round` rounds every entry to an integer
 * (class ids, which the 8-bit encoding gives back exactly that way).
 */
export function payloadNested(payload, { round = false } = {}) {
  const flat = decodeFlat(payload);
  const shape = payload.shape;
  const leaf = (start, n) => {
    const out = new Array(n);
    for (let i = 0; i < n; i += 1) {
      const v = flat[start + i];
      out[i] = Number.isFinite(v) ? (round ? Math.round(v) : v) : null;
    }
    return out;
  };
  const build = (axis, start) => {
    if (axis === shape.length - 1) return leaf(start, shape[axis]);
    const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[axis] }, (_, i) => build(axis + 1, start + i * stride));
  };
  return shape.length ? build(0, 0) : [];
}

/** A 2-D payload (rows, cols) as an array of row arrays, from either encoding. */
export function payloadRows(payload, options = {}) {
  return payloadNested(payload, options);
}
