/**
 * Lets a view move the person to another view (e.g. "open in Inspector") without knowing the shell.
 * The shell provides it; a view outside the shell (a component test) gets a no-op.
 */
import { getContext, setContext } from 'svelte';

export interface Navigation {
  /** Shows the view with this id (from views.ts); unknown ids are ignored. */
  go(viewId: string): void;
}

const NAVIGATION_KEY = Symbol('navigation');

export function provideNavigation(navigation: Navigation): void {
  setContext(NAVIGATION_KEY, navigation);
}

export function useNavigation(): Navigation {
  return getContext<Navigation | undefined>(NAVIGATION_KEY) ?? { go: () => {} };
}
