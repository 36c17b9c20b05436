// node --test: the covariance ellipses and responsibility colours of the clustering view
// (frontend/js/views/clusterSteps.js). Oracle for the ellipse: every drawn point p satisfies
// (p - mean)^T cov^-1 (p - mean) = nsd^2, and the ellipse's extent along x is nsd * sqrt(cov_xx).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ellipsePoints, mixColor } from '../../frontend/js/views/clusterSteps.js';

function mahalanobis2([x, y], mean, [[a, b], [, d]]) {
  const det = a * d - b * b;
  const dx = x - mean[0];
  const dy = y - mean[1];
  return (d * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
}

for (const cov of [[[2, 0.8], [0.8, 1]], [[0.3, -0.25], [-0.25, 0.5]], [[1, 0], [0, 4]], [[4, 0], [0, 1]]]) {
  test(`2-sd ellipse of ${JSON.stringify(cov)} lies on the Mahalanobis contour`, () => {
    const mean = [1.5, -0.5];
    const { x, y } = ellipsePoints(mean, cov, 2, 64);
    assert.equal(x.length, 65);
    x.forEach((xi, i) => assert.ok(Math.abs(mahalanobis2([xi, y[i]], mean, cov) - 4) < 1e-9, `point ${i}`));
    const halfWidth = (Math.max(...x) - Math.min(...x)) / 2; // the extent along x is nsd * sd of x
    assert.ok(Math.abs(halfWidth - 2 * Math.sqrt(cov[0][0])) < 0.02 * halfWidth, `${halfWidth}`);
  });
}

test('responsibilities mix the component colours; a sure point has its component colour', () => {
  const colors = ['#ff0000', '#0000ff'];
  assert.equal(mixColor([1, 0], colors), 'rgb(255, 0, 0)');
  assert.equal(mixColor([0.5, 0.5], colors), 'rgb(128, 0, 128)');
});
