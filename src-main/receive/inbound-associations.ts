/**
 * The records of inbound associations: an index row each, a log line, and the UI's events. The row
 * and the events keep the peer as recorded (rules match on it); log lines show it as people read
 * an address, an IPv6 one in brackets.
 */
import type { IndexRepository } from '../db/index-repository.ts';
import { displayedSocketPeer } from '../dicom/peer-address.ts';
import type { AssociationObserver, InboundAssociation } from '../dicom/scp-connection.ts';
import type { ConnectionEnd } from '../dicom/ul/ul-connection.ts';
import type { GatewayEventBus } from '../events.ts';
import type { Logger } from '../log/logger.ts';

export interface InboundAssociationServices {
  repo: IndexRepository;
  events: GatewayEventBus;
  logger: Logger;
}

export class InboundAssociations implements AssociationObserver {
  private readonly services: InboundAssociationServices;

  constructor(services: InboundAssociationServices) {
    this.services = services;
  }

  opened(a: InboundAssociation): number | null {
    const id = this.services.repo.openAssociation({
      direction: 'inbound',
      callingAe: a.callingAe,
      calledAe: a.calledAe,
      peer: a.peer,
      startedAt: a.openedAt,
    });
    this.services.logger.info('association.opened', {
      association: id,
      callingAe: a.callingAe,
      calledAe: a.calledAe,
      peer: displayedSocketPeer(a.peer),
    });
    this.services.events.emit('association-opened', describe(id, a));
    return id;
  }

  rejected(a: InboundAssociation, reason: string): void {
    this.services.logger.warn('association.rejected', {
      callingAe: a.callingAe,
      calledAe: a.calledAe,
      peer: displayedSocketPeer(a.peer),
      reason,
    });
  }

  tlsRefused(peer: string, reason: string): void {
    this.services.logger.warn('association.tls-refused', { peer: displayedSocketPeer(peer), reason });
  }

  /**
   * A connection that never became an association. One that only connected and closed (a port
   * check, a load balancer's probe) is routine; one that sent something that is not DICOM or fell
   * silent is worth an administrator's look (a misconfigured device, a browser on the DICOM port).
   */
  endedUnassociated(peer: string, end: ConnectionEnd): void {
    const fields = { peer: displayedSocketPeer(peer), reason: end.message };
    if (end.kind === 'closed') this.services.logger.debug('association.not-requested', fields);
    else this.services.logger.warn('association.not-requested', fields);
  }

  closed(id: number | null, a: InboundAssociation, summary: { instances: number; bytes: number; result: string }): void {
    if (id !== null) this.services.repo.closeAssociation(id, new Date().toISOString(), summary.instances, summary.bytes, summary.result);
    this.services.logger.info('association.closed', { association: id, callingAe: a.callingAe, ...summary });
    this.services.events.emit('association-closed', { ...describe(id, a), ...summary });
  }
}

function describe(id: number | null, a: InboundAssociation) {
  return {
    associationId: id ?? 0,
    direction: 'inbound' as const,
    callingAe: a.callingAe,
    calledAe: a.calledAe,
    peer: a.peer,
    time: a.openedAt,
  };
}
