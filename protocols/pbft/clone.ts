/** A deep copy of plain data (states and snapshots are JSON data by construction). */
export function clonePlainData<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
