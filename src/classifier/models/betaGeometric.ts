/**
 * BG/NBD and MBG/NBD share one likelihood. MBG/NBD is BG/NBD with b + x replaced by b + x + 1 in the
 * beta terms (a customer may also drop out right after the first purchase), and with the "died after
 * the last purchase" term present for one-time buyers too. `shift` is 0 for BG/NBD, 1 for MBG/NBD:
 *
 *   LL = log Γ(r+x) − log Γ(r) + r log α + log B(a, b+x+k) − log B(a, b)
 *        + log( (α+T)^−(r+x) + [x > 0 or k = 1] · a/(b+x−1+k) · (α+t_x)^−(r+x) ).
 *
 * The conditional expectation's time profile uses Euler's transformation so its series converges
 * quickly for any x and never overflows: y^(r+x) 2F1(r+x, b+x+k; a+b+x−1+k; z) =
 * y^(a−1) 2F1(a+b−1+k−r, a−1; a+b+x−1+k; z), with y = (α+T)/(α+T+t), z = 1 − y (docs/model.md).
 */
import { digamma, gammaln, logAddExp, sigmoid } from '../math.ts';
import { hyp2f1 } from '../special.ts';
import type { TransactionModelName } from '../types.ts';
import type { FitData } from './fitData.ts';
import { timeScale, type TransactionModel } from './model.ts';

/** a = 1 is a removable singularity of (1 - y^(a-1) F) / (a - 1); step just off it. */
function awayFromOne(a: number): number {
  const gap = 1e-7;
  if (Math.abs(a - 1) >= gap) return a;
  return a >= 1 ? 1 + gap : 1 - gap;
}

export function betaGeometricModel(name: TransactionModelName, shift: 0 | 1): TransactionModel {
  /** log of a/(b+x-1+k) (α+t_x)^-(r+x) relative to the alive term's scale, or -Infinity when absent. */
  const hasDiedTerm = (x: number) => x > 0 || shift === 1;
  const logOddsDead = (p: ArrayLike<number>, x: number, tx: number, T: number): number => {
    const [r, alpha, a, b] = [p[0], p[1], p[2], p[3]];
    if (!hasDiedTerm(x)) return -Infinity;
    return Math.log(a) - Math.log(b + x - 1 + shift) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  };

  return {
    name,
    paramNames: ['r', 'alpha', 'a', 'b'],

    logLikelihood(p, x, tx, T) {
      const [r, alpha, a, b] = [p[0], p[1], p[2], p[3]];
      const a1 = gammaln(r + x) - gammaln(r) + r * Math.log(alpha);
      const a2 = gammaln(a + b) + gammaln(b + x + shift) - gammaln(b) - gammaln(a + b + x + shift);
      const alive = -(r + x) * Math.log(alpha + T);
      return a1 + a2 + alive + logAddExp(logOddsDead(p, x, tx, T), 0);
    },

    totalLogLikelihood(p, data: FitData, grad) {
      const [r, alpha, a, b] = [p[0], p[1], p[2], p[3]];
      const withGrad = grad !== undefined;
      const nx = data.xValues.length;
      const perX = new Float64Array(nx); // A1 + A2 without r log α
      const logAOverB = new Float64Array(nx);
      const invB = new Float64Array(nx);
      const dr = new Float64Array(nx);
      const da = new Float64Array(nx);
      const db = new Float64Array(nx);
      const lgr = gammaln(r);
      const lgab = gammaln(a + b);
      const lgb = gammaln(b);
      const psi = withGrad ? { r: digamma(r), ab: digamma(a + b), b: digamma(b) } : { r: 0, ab: 0, b: 0 };
      for (let k = 0; k < nx; k++) {
        const x = data.xValues[k];
        perX[k] = gammaln(r + x) - lgr + lgab + gammaln(b + x + shift) - lgb - gammaln(a + b + x + shift);
        logAOverB[k] = hasDiedTerm(x) ? Math.log(a) - Math.log(b + x - 1 + shift) : -Infinity;
        invB[k] = hasDiedTerm(x) ? 1 / (b + x - 1 + shift) : 0;
        if (withGrad) {
          const psiABX = digamma(a + b + x + shift);
          dr[k] = digamma(r + x) - psi.r;
          da[k] = psi.ab - psiABX;
          db[k] = psi.ab + digamma(b + x + shift) - psi.b - psiABX;
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
        const alive = -(r + x) * lT;
        const died = logAOverB[xi] - (r + x) * lt; // -Infinity when absent
        const L = logAddExp(alive, died);
        total += w * (perX[xi] + L);
        if (!withGrad) continue;
        const wAlive = Math.exp(alive - L);
        const wDied = died === -Infinity ? 0 : Math.exp(died - L);
        gr += w * (dr[xi] - wAlive * lT - wDied * lt);
        ga += w * (-(r + x) * (wAlive / (alpha + data.T[i]) + wDied / (alpha + data.tx[i])));
        gA += w * (da[xi] + wDied / a);
        gB += w * (db[xi] - wDied * invB[xi]);
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
        out.scale = (a + b + x - 1 + shift) * out.pAlive;
      };
    },

    timeProfile(p, x, T, t) {
      if (t <= 0) return 0;
      const [r, alpha, b] = [p[0], p[1], p[3]];
      const a = awayFromOne(p[2]);
      const y = (alpha + T) / (alpha + T + t);
      const f = hyp2f1(a + b - 1 + shift - r, a - 1, a + b + x - 1 + shift, 1 - y);
      // Divided by (a - 1) here so that scale * profile is the expectation.
      return (1 - Math.exp((a - 1) * Math.log(y)) * f) / (a - 1);
    },

    initialParams(data) {
      return [1, timeScale(data), 1, 1];
    },
  };
}
