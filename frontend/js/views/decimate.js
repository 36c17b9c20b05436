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

// Scatter points drawn of a `data_points` message, train and test together: Plotly draws each marker
// as an SVG node, restyled at every boundary frame, so 20,000 points cost seconds per redraw, and a
// plot of a few hundred pixels shows no more than this.
export const MAX_DRAWN_POINTS = 2000;

/** How many of each part's points to draw: all when the parts hold MAX_DRAWN_POINTS or fewer together,
 * else the budget shared in proportion (train 16,000 and test 4,000 of 20,000: 1,600 and 400). */
export function drawBudget(sizes, max = MAX_DRAWN_POINTS) {
  const total = sizes.reduce((a, b) => a + b, 0);
  return total <= max ? sizes : sizes.map((n) => Math.min(n, Math.max(1, Math.round((max * n) / total))));
}

/**
 * A point set (`{x1, x2, label, target}`, parallel lists of length N) with at most `max` of its points:
 * every one when N <= max, else `max` evenly spaced ones (index floor(i * N / max), the first included).
 * The split's order is shuffled, so every class keeps about its share. Lists of another length (an
 * empty `x2` of 1-D data, a null `target`) stay as they are.
 */
export function thinPointSet(set, max) {
  const n = set?.x1?.length ?? 0;
  if (n <= max) return set;
  const pick = Array.from({ length: max }, (_, i) => Math.floor((i * n) / max));
  const out = {};
  for (const [key, values] of Object.entries(set)) {
    out[key] = Array.isArray(values) && values.length === n ? pick.map((i) => values[i]) : values;
  }
  return out;
}
