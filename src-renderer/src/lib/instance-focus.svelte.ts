/**
 * The instance the Instance view shows. Any view that lists instances calls openInstance(), which
 * sets it and moves the person there; the Instance view follows it.
 */
import type { GatewayBridge, InstanceSummary } from '../../../src-main/api/contract.ts';
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

/** "CT Image Storage · series 2 · instance 14", after whose it is when that is known. */
export function instanceLabel(
  instance: Pick<InstanceSummary, 'instanceId' | 'sopClassName' | 'seriesNumber' | 'instanceNumber'>,
  whose?: string,
): string {
  const parts = [
    whose,
    instance.sopClassName,
    `series ${instance.seriesNumber ?? '–'}`,
    `instance ${instance.instanceNumber ?? instance.instanceId}`,
  ];
  return parts.filter(Boolean).join(' · ');
}

/**
 * Opens a stored instance known by its SOP Instance UID and version (what the receive log has):
 * its id is read from the index first. Says why when it is no longer stored.
 */
export async function openStoredInstance(
  bridge: GatewayBridge,
  navigation: Navigation,
  sopInstanceUid: string,
  version: number | null,
): Promise<void> {
  const versions = await bridge.invoke('listInstances', { sopInstanceUid });
  const found = versions.find((i) => version === null || i.version === version) ?? versions.at(-1);
  if (!found) throw new Error(`Instance ${sopInstanceUid} is no longer stored (deleted from the gateway).`);
  openInstance(navigation, { instanceId: found.instanceId, label: instanceLabel(found) });
}
