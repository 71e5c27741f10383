/**
 * The model registry: sequential specifications by name.
 *
 * @example
 * const m = getModel('cas-register', { initial: 0 });
 */
import type { Model } from './model.ts';
import { counterModel } from './counter.ts';
import { kvModel } from './kv.ts';
import { logModel } from './log.ts';
import { mutexModel } from './mutex.ts';
import { queueModel } from './queue.ts';
import { registerModel } from './register.ts';
import { setModel } from './set.ts';
import { bagModel } from './bag.ts';
import { powersetModel } from './nondeterministic.ts';

export type { Model } from './model.ts';
export { ModelInputError } from './model.ts';
export { registerModel } from './register.ts';
export { kvModel } from './kv.ts';
export { queueModel } from './queue.ts';
export { setModel } from './set.ts';
export { counterModel } from './counter.ts';
export { mutexModel } from './mutex.ts';
export { logModel } from './log.ts';
export { bagModel } from './bag.ts';
export { powersetModel, type NondeterministicModel, type StateSet } from './nondeterministic.ts';
export { hashValue, equalValue, showValue, valueKey, hashString, extendStringHash, mix } from './value.ts';

export interface ModelOptions {
  /** Initial value (register, cas-register, counter) or value of a missing key (kv). */
  initial?: unknown;
}

const factories: Record<string, (o: ModelOptions) => Model<any, any, any>> = {
  register: (o) => registerModel({ initial: o.initial }),
  'cas-register': (o) => registerModel({ initial: o.initial, cas: true }),
  kv: (o) => kvModel({ initial: o.initial }),
  queue: () => queueModel(),
  set: () => setModel(),
  counter: (o) => counterModel({ initial: o.initial }),
  mutex: () => mutexModel(),
  log: () => logModel(),
  bag: () => powersetModel(bagModel()),
};

/** Every registered model name. */
export const modelNames: string[] = Object.keys(factories);

/**
 * A fresh model by name; throws an Error listing the valid names for an unknown one.
 *
 * @example
 * getModel('kv', { initial: '' }).name; // 'kv'
 */
export function getModel(name: string, options: ModelOptions = {}): Model {
  const make = Object.prototype.hasOwnProperty.call(factories, name) ? factories[name] : undefined;
  if (!make) throw new Error(`unknown model "${name}" (valid models: ${modelNames.join(', ')})`);
  return make(options) as Model;
}
