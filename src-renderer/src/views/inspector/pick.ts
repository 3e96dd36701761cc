/** One side of a comparison: a stored instance (any version) or a file from disk, with how to name it. */
import type { FileRef, InstanceSummary } from '../../../../src-main/api/contract.ts';
import { displayPath, formatBytes, shortName } from '../../lib/format.ts';

export interface Pick {
  ref: FileRef;
  /** Short name: the file name, or "Stored instance … v2". */
  title: string;
  /** The rest: full path, or class, size and arrival. */
  subtitle: string;
  /** Set for a stored instance (its digest chain can be shown). */
  instance?: InstanceSummary;
}

export function pickOfInstance(instance: InstanceSummary): Pick {
  return {
    ref: { instanceId: instance.instanceId },
    title: `Stored ${shortUid(instance.sopInstanceUid)} · version ${instance.version}`,
    subtitle: `${instance.sopClassName} · ${formatBytes(instance.bytes)} · from ${instance.callingAe ?? 'unknown sender'} · SOP Instance UID ${instance.sopInstanceUid}`,
    instance,
  };
}

export function pickOfPath(path: string): Pick {
  // An uploaded file's server-side path means nothing to the user: say where it came from instead.
  return { ref: { path }, title: shortName(path), subtitle: displayPath(path) === path ? path : 'uploaded from this browser' };
}

/** "1.2.840.…4711.3": the start and the distinctive end of a long UID. */
export function shortUid(uid: string, keep = 22): string {
  if (uid.length <= keep) return uid;
  const tail = Math.ceil((keep - 1) * 0.65);
  return `${uid.slice(0, keep - 1 - tail)}…${uid.slice(-tail)}`;
}
