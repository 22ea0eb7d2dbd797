import type { TransactionModelName } from '../types.ts';
import { bgNbd } from './bgNbd.ts';
import { mbgNbd } from './mbgNbd.ts';
import type { TransactionModel } from './model.ts';
import { paretoNbd } from './paretoNbd.ts';

export const TRANSACTION_MODEL_REGISTRY: Readonly<Record<TransactionModelName, TransactionModel>> = {
  pareto_nbd: paretoNbd,
  bg_nbd: bgNbd,
  mbg_nbd: mbgNbd,
};

export type { TransactionModel } from './model.ts';
