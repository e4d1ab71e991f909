/** Loads data for a page and reloads it on demand: `{ data, error, reload }`. */
import { useCallback, useEffect, useState } from 'react';

export function useAsync<T>(load: () => Promise<T>, deps: unknown[] = []): { data: T | undefined; error: unknown; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const stable = useCallback(load, deps);
  useEffect(() => {
    let current = true;
    stable().then((d) => current && (setData(d), setError(undefined)), (e: unknown) => current && setError(e));
    return () => {
      current = false;
    };
  }, [stable, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}
