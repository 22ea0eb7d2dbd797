/**
 * MBG/NBD (Batislam, Denizel & Filiztekin 2007; Wagner & Hoppe 2008 erratum). Like BG/NBD but a customer
 * may also drop out right after the first purchase, so one-time buyers age into churn as well.
 */
import { digamma, gammaln, logAddExp, sigmoid } from '../math.ts';
import { betaGeometricTimeProfile } from './betaGeometric.ts';
import type { FitData } from './fitData.ts';
import { timeScale, type TransactionModel } from './model.ts';

function logOddsDead(p: ArrayLike<number>, x: number, tx: number, T: number): number {
  const [r, alpha, a, b] = [p[0], p[1], p[2], p[3]];
  return Math.log(a) - Math.log(b + x) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
}

export const mbgNbd: TransactionModel = {
  name: 'mbg_nbd',
  paramNames: ['r', 'alpha', 'a', 'b'],

  logLikelihood(p, x, tx, T) {
    const [r, alpha, a, b] = [p[0], p[1], p[2], p[3]];
    const a1 = gammaln(r + x) - gammaln(r) + r * Math.log(alpha);
    const a2 = gammaln(a + b) + gammaln(b + x + 1) - gammaln(b) - gammaln(a + b + x + 1);
    const a3 = -(r + x) * Math.log(alpha + T);
    return a1 + a2 + a3 + logAddExp(logOddsDead(p, x, tx, T), 0);
  },

  totalLogLikelihood(p, data: FitData, grad) {
    const [r, alpha, a, b] = [p[0], p[1], p[2], p[3]];
    const withGrad = grad !== undefined;
    const nx = data.xValues.length;
    const perX = new Float64Array(nx);
    const logAOverBx = new Float64Array(nx);
    const dr = new Float64Array(nx);
    const da = new Float64Array(nx);
    const db = new Float64Array(nx);
    const lgr = gammaln(r);
    const lgab = gammaln(a + b);
    const lgb = gammaln(b);
    const psi = withGrad ? { r: digamma(r), ab: digamma(a + b), b: digamma(b) } : { r: 0, ab: 0, b: 0 };
    for (let k = 0; k < nx; k++) {
      const x = data.xValues[k];
      perX[k] = gammaln(r + x) - lgr + lgab + gammaln(b + x + 1) - lgb - gammaln(a + b + x + 1);
      logAOverBx[k] = Math.log(a) - Math.log(b + x);
      if (withGrad) {
        const psiABX = digamma(a + b + x + 1);
        dr[k] = digamma(r + x) - psi.r;
        da[k] = psi.ab - psiABX;
        db[k] = psi.ab + digamma(b + x + 1) - psi.b - psiABX;
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
      const a4 = logAOverBx[xi] + (r + x) * (lT - lt);
      total += w * (perX[xi] - (r + x) * lT + logAddExp(a4, 0));
      if (!withGrad) continue;
      const sig = sigmoid(a4);
      const invAT = 1 / (alpha + data.T[i]);
      const invAt = 1 / (alpha + data.tx[i]);
      gr += w * (dr[xi] - lT + sig * (lT - lt));
      ga += w * (-(r + x) * invAT + sig * (r + x) * (invAT - invAt));
      gA += w * (da[xi] + sig / a);
      gB += w * (db[xi] - sig / (b + x));
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
    const [a, b] = [p[2], p[3]];
    return (x, tx, T, out) => {
      out.pAlive = sigmoid(-logOddsDead(p, x, tx, T));
      out.scale = (a + b + x) * out.pAlive;
    };
  },

  timeProfile(p, x, T, t) {
    return betaGeometricTimeProfile(p[0], p[1], p[2], p[3], x, T, t, 1);
  },

  initialParams(data) {
    return [1, timeScale(data), 1, 1];
  },
};
