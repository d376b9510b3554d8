import { useEffect, useReducer } from 'preact/hooks';
import type { ChartController } from './chartController';

/** Re-renders the calling component once per chart frame. */
export function useFrameTick(controller: ChartController): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => controller.subscribe(() => bump(undefined)), [controller]);
}
