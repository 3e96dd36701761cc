/**
 * The instance the Instance view shows. Any view that lists instances calls openInstance(), which
 * sets it and moves the person there; the Instance view follows it.
 */
import type { Navigation } from './navigation.ts';

export interface FocusedInstance {
  instanceId: number;
  /** Words naming it: patient, series, instance number. */
  label: string;
}

export const instanceFocus = $state<{ current: FocusedInstance | undefined; tab: 'image' | 'elements' }>({
  current: undefined,
  tab: 'image',
});

export function openInstance(navigation: Navigation, instance: FocusedInstance, tab: 'image' | 'elements' = 'image'): void {
  instanceFocus.current = { ...instance };
  instanceFocus.tab = tab;
  navigation.go('instance');
}
