/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"). Parameters r, alpha
 * (purchase rate), a, b (dropout probability after each purchase). A one-time buyer has P(alive) = 1.
 */
import { digamma, gammaln, logAddExp, sigmoid } from '../math.ts';
import { betaGeometricTimeProfile } from './betaGeometric.ts';
import type { FitData } from './fitData.ts';
import { timeScale, type TransactionModel } from './model.ts';

function parts(p: ArrayLike<number>, x: number, tx: number, T: number) {
  const [r, alpha, a, b] = [p[0], p[1], p[2], p[3]];
  const a1 = gammaln(r + x) - gammaln(r) + r * Math.log(alpha);
  const a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x);
  const a3 = -(r + x) * Math.log(alpha + T);
  const a4 = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return { a1, a2, a3, a4 };
}

export const bgNbd: TransactionModel = {
  name: 'bg_nbd',
  paramNames: ['r', 'alpha', 'a', 'b'],

  logLikelihood(p, x, tx, T) {
    const { a1, a2, a3, a4 } = parts(p, x, tx, T);
    return a1 + a2 + logAddExp(a3, a4);
  },

  totalLogLikelihood(p, data: FitData, grad) {
    const [r, alpha, a, b] = [p[0], p[1], p[2], p[3]];
    const withGrad = grad !== undefined;
    const nx = data.xValues.length;
    const perX = new Float64Array(nx); // A1 + A2 without r ln(alpha)
    const logAOverBx = new Float64Array(nx);
    const dr = new Float64Array(nx);
    const da = new Float64Array(nx);
    const db = new Float64Array(nx);
    const invBx = new Float64Array(nx);
    const lgr = gammaln(r);
    const lgab = gammaln(a + b);
    const lgb = gammaln(b);
    const psi = withGrad ? { r: digamma(r), ab: digamma(a + b), b: digamma(b) } : { r: 0, ab: 0, b: 0 };
    for (let k = 0; k < nx; k++) {
      const x = data.xValues[k];
      perX[k] = gammaln(r + x) - lgr + lgab + gammaln(b + x) - lgb - gammaln(a + b + x);
      logAOverBx[k] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : -Infinity;
      invBx[k] = x > 0 ? 1 / (b + x - 1) : 0;
      if (withGrad) {
        const psiABX = digamma(a + b + x);
        dr[k] = digamma(r + x) - psi.r;
        da[k] = psi.ab - psiABX;
        db[k] = psi.ab + digamma(b + x) - psi.b - psiABX;
      }
    }
    const laT = Float64Array.from(data.TValues, (T) => Math.log(alpha + T));
    const laTx = Float64Array.from(data.txValues, (t) => Math.log(alpha + t));
    const lnAlpha = Math.log(alpha);
    let total = 0;
    let gr = 0;
    let ga = 0;
    let gA = 0;
    let gB = 0;
    for (let i = 0; i < data.size; i++) {
      const x = data.x[i];
      const w = data.weight[i];
      const xi = data.xIndex[i];
      const lT = laT[data.TIndex[i]];
      const lt = laTx[data.txIndex[i]];
      const a3 = -(r + x) * lT;
      const a4 = x > 0 ? logAOverBx[xi] - (r + x) * lt : -Infinity;
      const L = logAddExp(a3, a4);
      total += w * (perX[xi] + L);
      if (!withGrad) continue;
      const w3 = Math.exp(a3 - L);
      const w4 = x > 0 ? Math.exp(a4 - L) : 0;
      gr += w * (dr[xi] - w3 * lT - w4 * lt);
      ga += w * (-(r + x) * (w3 / (alpha + data.T[i]) + w4 / (alpha + data.tx[i])));
      gA += w * (da[xi] + w4 / a);
      gB += w * (db[xi] - w4 * invBx[xi]);
    }
    const W = data.totalWeight;
    total += W * r * lnAlpha;
    if (grad) {
      grad[0] = r * (gr + W * lnAlpha);
      grad[1] = alpha * (ga + (W * r) / alpha);
      grad[2] = a * gA;
      grad[3] = b * gB;
    }
    return total;
  },

  conditionalFor(p) {
    const [r, alpha, a, b] = [p[0], p[1], p[2], p[3]];
    return (x, tx, T, out) => {
      const logOdds = x > 0 ? Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx)) : -Infinity;
      out.pAlive = sigmoid(-logOdds);
      out.scale = (a + b + x - 1) * out.pAlive;
    };
  },

  timeProfile(p, x, T, t) {
    return betaGeometricTimeProfile(p[0], p[1], p[2], p[3], x, T, t, 0);
  },

  initialParams(data) {
    return [1, timeScale(data), 1, 1];
  },
};
