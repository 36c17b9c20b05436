// Min/max decimation of a drawn curve (DOM-free): a live curve that passes its point budget is
// halved, keeping the first and last point and each bucket's lowest and highest y, so spikes stay
// visible while the number of drawn points stays bounded however long the run.

/**
 * Indices to keep of `ys` (numbers or null): all when there are at most `target`, else the first,
 * the last, and the min and max of each of `target / 2` equal buckets (a null, a gap, counts as a
 * spike and is kept).
 */
export function keepIndices(ys, target) {
  const n = ys.length;
  if (n <= target) return ys.map((_, i) => i);
  const buckets = Math.max(1, Math.floor(target / 2));
  const keep = new Set([0, n - 1]);
  for (let b = 0; b < buckets; b += 1) {
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.floor(((b + 1) * n) / buckets);
    let min = -1;
    let max = -1;
    for (let i = lo; i < hi; i += 1) {
      if (ys[i] === null) { keep.add(i); continue; } // a gap (non-finite loss) is kept
      if (min < 0 || ys[i] < ys[min]) min = i;
      if (max < 0 || ys[i] > ys[max]) max = i;
    }
    if (min >= 0) { keep.add(min); keep.add(max); }
  }
  return [...keep].sort((a, b) => a - b);
}

/** `{x, y}` of a curve reduced to about `target` points with `keepIndices`. */
export function decimate(xs, ys, target) {
  const idx = keepIndices(ys, target);
  return { x: idx.map((i) => xs[i]), y: idx.map((i) => ys[i]) };
}
