/**
 * Store-time routing: for every newly stored instance, the rules decide which destinations get a
 * job. It runs inside the transaction that indexes the instance, so an instance is never stored
 * without the jobs its rules call for (a crash cannot fall between the two).
 */
import type { IndexFields } from '../dicom/index-fields.ts';
import type { Logger } from '../log/logger.ts';
import type { JobStateMachine } from './job-state-machine.ts';
import { compileRules, type CompiledRules } from './rule-matcher.ts';
import type { RoutingRepository } from './routing-repository.ts';

export interface ArrivalContext {
  callingAe: string;
  calledAe: string;
  peerAddress: string;
}

export interface RoutedInstance {
  /** Jobs queued now. */
  queued: number;
  /** Destinations that wait for the study to go quiet. */
  waiting: number;
}

export class Router {
  private readonly routing: RoutingRepository;
  private readonly jobs: JobStateMachine;
  private readonly logger: Logger;
  private compiled!: CompiledRules;
  private destinationNames = new Set<string>();

  constructor(routing: RoutingRepository, jobs: JobStateMachine, logger: Logger) {
    this.routing = routing;
    this.jobs = jobs;
    this.logger = logger;
    this.reload();
  }

  /** Re-reads rules and destinations after a change; throws (naming the rule) if a rule is invalid. */
  reload(): void {
    this.compiled = compileRules(this.routing.rules());
    this.destinationNames = new Set(this.routing.destinations().map((d) => d.name));
  }

  /** Elements the rules read beyond the built-in index fields; the store reads them at store time. */
  get tagsNeeded(): readonly number[] {
    return this.compiled.tagsNeeded;
  }

  route(instanceId: number, sopClassUid: string, fields: IndexFields, arrival: ArrivalContext, now: number): RoutedInstance {
    const routed: RoutedInstance = { queued: 0, waiting: 0 };
    const matches = this.compiled.route({
      callingAe: arrival.callingAe,
      calledAe: arrival.calledAe,
      peerAddress: arrival.peerAddress,
      sopClassUid,
      modality: fields.modality,
      tags: fields.extra ?? {},
    });
    for (const { rule, destinations } of matches) {
      for (const destination of destinations) {
        if (!this.destinationNames.has(destination)) {
          this.logger.warn('rule.unknown-destination', { rule: rule.name, destination, instance: instanceId });
          continue;
        }
        if (rule.studyQuietSeconds !== undefined && fields.studyInstanceUid) {
          this.jobs.waitForQuietStudy(fields.studyInstanceUid, rule.name, destination, now, rule.studyQuietSeconds * 1000);
          routed.waiting++;
        } else if (this.jobs.routed(instanceId, destination, rule.name, fields.studyInstanceUid ?? null, now)) {
          routed.queued++;
        }
      }
    }
    return routed;
  }
}
