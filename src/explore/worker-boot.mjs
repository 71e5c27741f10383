// Worker threads start plain JavaScript: register tsx here, then hand piscina the TypeScript task.
import { workerData } from 'piscina';
import { register } from 'tsx/esm/api';

register();
const mod = await import(workerData.entry);
export default mod.default;
