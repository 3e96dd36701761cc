/** The engine events the Live view listens to, tagged so one batch can carry all of them in arrival order. */
import type { AssociationClosed, AssociationOpened, InstanceFailed, InstanceReceived } from '../../../../src-main/api/contract.ts';

export type LiveEvent =
  | { kind: 'stored'; payload: InstanceReceived }
  | { kind: 'duplicate'; payload: InstanceReceived }
  | { kind: 'failed'; payload: InstanceFailed }
  | { kind: 'opened'; payload: AssociationOpened }
  | { kind: 'closed'; payload: AssociationClosed };
