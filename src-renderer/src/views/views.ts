/**
 * The views shown in the navigation, in order: the n-th is also Ctrl+n (Cmd+n on macOS).
 * Each view is mounted the first time it is shown and then kept (hidden, not destroyed), so the
 * receive log and a running send keep their state while another view is open. The shell renders
 * the view's <h1> (its label); a view's own headings start at <h2>. Every view receives
 * `active: boolean` (true while it is the one shown).
 */
import type { Component } from 'svelte';
import LiveView from './LiveView.svelte';
import SendView from './SendView.svelte';
import InspectorView from './InspectorView.svelte';
import DestinationsView from './DestinationsView.svelte';
import RulesView from './RulesView.svelte';
import QueueView from './QueueView.svelte';
import SettingsView from './SettingsView.svelte';
import StudiesView from './StudiesView.svelte';
import InstanceView from './InstanceView.svelte';
import HousekeepingView from './HousekeepingView.svelte';

export interface ViewProps {
  active: boolean;
}

export interface ViewEntry {
  /** Stable id, used by navigation (lib/navigation.ts). */
  id: string;
  /** Name in the navigation and the view's <h1>. */
  label: string;
  component: Component<ViewProps>;
}

export const views: ViewEntry[] = [
  { id: 'live', label: 'Live', component: LiveView },
  { id: 'send', label: 'Send', component: SendView },
  { id: 'inspector', label: 'Inspector', component: InspectorView },
  { id: 'destinations', label: 'Destinations', component: DestinationsView },
  { id: 'rules', label: 'Rules', component: RulesView },
  { id: 'queue', label: 'Queue', component: QueueView },
  { id: 'settings', label: 'Settings', component: SettingsView },
  { id: 'studies', label: 'Studies', component: StudiesView },
  { id: 'instance', label: 'Instance', component: InstanceView },
  { id: 'housekeeping', label: 'Housekeeping', component: HousekeepingView },
];
