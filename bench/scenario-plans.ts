/**
 * What each scenario compares: its sides (run once each per round, in this order) and the time
 * ratios reported between them, with the targets of issue 8 where there is one.
 */
import type { Scenario } from './bench-args.ts';

export type SideKey =
  'dcmtk' | 'dcmtk-fork' | 'gateway' | 'orthanc' | 'gateway-tls' | 'gateway-transcode' | 'bare-node-scp' | 'bare-node-scu';

export interface SidePlan {
  key: SideKey;
  label: string;
}

export interface RatioPlan {
  of: SideKey;
  over: SideKey;
  /** The ratio the gateway is meant to stay within; undefined = shown for context only. */
  target?: number;
  /** Also report the difference of the two sides per instance, in ms (the cost of TLS or of transcoding). */
  perInstance?: boolean;
}

export interface ScenarioPlan {
  sides: SidePlan[];
  ratios: RatioPlan[];
}

/** Parallel clients in the concurrent scenario, each sending its own study. */
export const CONCURRENT_CLIENTS = 4;

export const SCENARIO_PLANS: Record<Scenario, ScenarioPlan> = {
  receive: {
    sides: [
      { key: 'dcmtk', label: 'storescu -> storescp +B' },
      { key: 'gateway', label: 'storescu -> gateway serve' },
      // What any durable receiver in Node costs here: what bounds the gateway's ratio (bench/bare-durable-scp.ts).
      { key: 'bare-node-scp', label: 'storescu -> bare Node SCP (one O_DSYNC write per instance)' },
    ],
    ratios: [
      { of: 'gateway', over: 'dcmtk', target: 1 },
      { of: 'bare-node-scp', over: 'dcmtk' },
      { of: 'gateway', over: 'bare-node-scp' },
    ],
  },
  send: {
    sides: [
      { key: 'dcmtk', label: 'storescu -> storescp +B' },
      { key: 'gateway', label: 'gateway send -> storescp +B' },
      // What a sender in Node costs here with nothing on top (bench/bare-scu.ts).
      { key: 'bare-node-scu', label: 'bare Node SCU -> storescp +B' },
    ],
    ratios: [
      { of: 'gateway', over: 'dcmtk', target: 1 },
      { of: 'bare-node-scu', over: 'dcmtk' },
      { of: 'gateway', over: 'bare-node-scu' },
    ],
  },
  relay: {
    sides: [
      { key: 'dcmtk', label: 'storescu -> storescp +B (direct)' },
      { key: 'gateway', label: 'storescu -> gateway serve (rule) -> storescp +B' },
      { key: 'orthanc', label: 'storescu -> Orthanc (Lua SendToModality) -> storescp +B' },
    ],
    ratios: [
      { of: 'gateway', over: 'dcmtk', target: 1.5 },
      { of: 'gateway', over: 'orthanc', target: 0.1 },
      { of: 'orthanc', over: 'dcmtk' },
    ],
  },
  concurrent: {
    sides: [
      { key: 'dcmtk', label: `${CONCURRENT_CLIENTS} x storescu -> storescp +B` },
      { key: 'dcmtk-fork', label: `${CONCURRENT_CLIENTS} x storescu -> storescp +B --fork` },
      { key: 'gateway', label: `${CONCURRENT_CLIENTS} x storescu -> gateway serve` },
    ],
    ratios: [
      { of: 'gateway', over: 'dcmtk-fork', target: 1 },
      { of: 'gateway', over: 'dcmtk' },
    ],
  },
  'tls-relay': {
    sides: [
      { key: 'gateway', label: 'storescu -> gateway serve (rule) -> storescp +B' },
      { key: 'gateway-tls', label: 'storescu +tls -> gateway serve TLS (rule) -> TLS -> storescp +B +tls' },
    ],
    ratios: [{ of: 'gateway-tls', over: 'gateway', perInstance: true }],
  },
  transcode: {
    sides: [
      { key: 'gateway', label: 'gateway send JPEG lossless -> storescp +B +xa (as is)' },
      { key: 'gateway-transcode', label: 'gateway send --allow-transcoding JPEG lossless -> storescp +B +xi (decoded)' },
    ],
    ratios: [{ of: 'gateway-transcode', over: 'gateway', perInstance: true }],
  },
};

const SIDE_NAMES: Record<SideKey, string> = {
  dcmtk: 'DCMTK',
  'dcmtk-fork': 'DCMTK --fork',
  gateway: 'gateway',
  orthanc: 'Orthanc',
  'gateway-tls': 'gateway TLS',
  'gateway-transcode': 'gateway transcoding',
  'bare-node-scp': 'bare Node SCP',
  'bare-node-scu': 'bare Node SCU',
};

export function sideName(key: SideKey): string {
  return SIDE_NAMES[key];
}

/** The plan without the sides that cannot run here (e.g. Orthanc not installed), and their ratios. */
export function planWithout(plan: ScenarioPlan, missing: readonly SideKey[]): ScenarioPlan {
  return {
    sides: plan.sides.filter((s) => !missing.includes(s.key)),
    ratios: plan.ratios.filter((r) => !missing.includes(r.of) && !missing.includes(r.over)),
  };
}
