/**
 * MBG/NBD (Batislam, Denizel & Filiztekin 2007; Wagner & Hoppe 2008 erratum). Like BG/NBD but a
 * customer may also drop out right after the first purchase, so one-time buyers age into churn too.
 */
import { betaGeometricModel } from './betaGeometric.ts';

export const mbgNbd = betaGeometricModel('mbg_nbd', 1);
