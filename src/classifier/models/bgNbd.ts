/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"). Parameters r, alpha
 * (purchase rate), a, b (dropout probability after each repeat purchase). A one-time buyer has
 * P(alive) = 1 forever, which makes it a poor churn signal where most customers buy once.
 */
import { betaGeometricModel } from './betaGeometric.ts';

export const bgNbd = betaGeometricModel('bg_nbd', 0);
