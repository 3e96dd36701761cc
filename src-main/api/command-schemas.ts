/**
 * One schema per command: every argument from the renderer is checked here, in main, before the
 * engine sees it. A renderer (or a page in a browser) is never trusted to send the right shape.
 */
import { z } from 'zod';
import type { CommandName } from './contract.ts';

const uid = z.string().regex(/^[0-9.]{1,64}$/, 'must be a DICOM UID');
const ae = z
  .string()
  .trim()
  .min(1)
  .max(16)
  .regex(/^[^\\\p{Cc}]+$/u, 'must be an AE title without backslash or control characters');
const id = z.number().int().positive();
const limit = z.number().int().min(1).max(100_000).optional();
const port = z.number().int().min(1).max(65535);
const path = z.string().min(1).max(4096);

const target = z.union([
  z.strictObject({ destination: z.string().min(1) }),
  z.strictObject({ aeTitle: ae, host: z.string().min(1).max(255), port }),
]);

const fileRef = z.union([z.strictObject({ instanceId: id }), z.strictObject({ path })]);

const destination = z.strictObject({
  name: z.string().trim().min(1).max(64),
  aeTitle: ae,
  host: z.string().trim().min(1).max(255),
  port,
  callingAe: ae.optional(),
  maxPduLength: z.number().int().min(4096).max(0xffffffff),
  connectTimeoutMs: z.number().int().min(1).max(2_147_483_647),
  dimseTimeoutMs: z.number().int().min(1).max(2_147_483_647),
  maxAssociations: z.number().int().min(1).max(64),
  enabled: z.boolean(),
  allowTranscoding: z.boolean(),
  // Paths only: the passphrase never crosses to the renderer, and one left out is kept (gateway-api.ts).
  tls: z
    .strictObject({
      ca: path.optional(),
      cert: path.optional(),
      key: path.optional(),
      passphrase: z.string().optional(),
      verifyServer: z.boolean(),
    })
    .optional(),
});

const matcher = z.union([
  z.string(),
  z.array(z.string()).min(1),
  z.strictObject({ glob: z.string() }),
  z.strictObject({ regex: z.string() }),
]);

const rule = z.strictObject({
  name: z.string().trim().min(1).max(64),
  enabled: z.boolean(),
  match: z.strictObject({
    callingAe: matcher.optional(),
    calledAe: matcher.optional(),
    peerAddress: matcher.optional(),
    sopClass: z.union([z.literal('any'), z.literal('images'), z.array(uid).min(1)]).optional(),
    modality: matcher.optional(),
    tags: z.record(z.string(), matcher).optional(),
  }),
  forward: z.array(z.string().min(1)).min(1),
  studyQuietSeconds: z.number().positive().max(2_147_483).optional(),
});

const jobState = z.enum(['queued', 'sending', 'sent', 'retry-wait', 'dead', 'cancelled']);

const none = z.undefined().or(z.strictObject({}));

// Empty means "no bound": a cleared date field sends "".
const date = z.string().regex(/^(\d{8}|\d{4}-\d{2}-\d{2})?$/, 'must be a date as YYYY-MM-DD or YYYYMMDD');
const auditSearch = z.strictObject({
  text: z.string().max(128).optional(),
  action: z.enum(['received', 'forwarded', 'sent', 'deleted']).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  limit,
});

export const COMMAND_SCHEMAS = {
  getStatus: none,
  listStudies: z.strictObject({ limit }),
  listInstances: z.strictObject({ studyInstanceUid: uid.optional(), sopInstanceUid: z.string().min(1).max(64).optional(), limit }),
  listAssociations: z.strictObject({ limit }),
  scanPaths: z.strictObject({ paths: z.array(path).min(1).max(100_000) }),
  sendFiles: z.strictObject({ paths: z.array(path).min(1).max(100_000), target }),
  cancelSend: z.strictObject({ sendId: id }),
  forwardStudies: z.strictObject({ studyInstanceUids: z.array(uid).min(1), destination: z.string().min(1) }),
  forwardInstances: z.strictObject({ instanceIds: z.array(id).min(1).max(100_000), destination: z.string().min(1) }),
  echo: z.strictObject({ target }),
  listDestinations: none,
  saveDestination: z.strictObject({ destination }),
  deleteDestination: z.strictObject({ name: z.string().min(1) }),
  listRules: none,
  saveRules: z.strictObject({ rules: z.array(rule) }),
  listJobs: z.strictObject({ state: jobState.optional(), destination: z.string().min(1).optional(), limit }),
  jobAttempts: z.strictObject({ jobId: id }),
  queueCounts: none,
  retryJob: z.strictObject({ jobId: id }),
  retryDeadJobs: z.strictObject({ destination: z.string().min(1) }),
  retryDeadPreview: z.strictObject({ destination: z.string().min(1) }),
  retryDestinationNow: z.strictObject({ destination: z.string().min(1) }),
  retryDead: z.strictObject({ destination: z.string().min(1), evenIfPermanent: z.boolean().optional() }),
  cancelJob: z.strictObject({ jobId: id }),
  compareFiles: z.strictObject({ a: fileRef, b: fileRef }),
  readByteRange: z.strictObject({
    file: fileRef,
    offset: z.number().int().min(0),
    length: z
      .number()
      .int()
      .min(0)
      .max(1024 * 1024),
  }),
  digestChain: z.strictObject({ instanceId: id }),
  getSettings: none,
  saveSettings: z.strictObject({
    settings: z.strictObject({
      aeTitle: ae.optional(),
      port: z.number().int().min(0).max(65535).optional(),
      acceptUnknownSopClasses: z.boolean().optional(),
      allowedCallingAes: z.array(ae).optional(),
      maxAssociations: z.number().int().min(1).max(1000).optional(),
      maxPduLength: z.number().int().min(4096).max(0xffffffff).optional(),
    }),
  }),
  getTlsListener: none,
  saveTlsListener: z.strictObject({
    tls: z
      .strictObject({
        port: z.number().int().min(0).max(65535),
        cert: z.string().min(1),
        key: z.string().min(1),
        ca: z.string().min(1).nullable(),
        requireClientCert: z.boolean(),
        passphrase: z.string().max(1024).optional(),
      })
      .nullable(),
  }),
  searchStudies: z.strictObject({
    patient: z.string().max(128).optional(),
    dateFrom: date.optional(),
    dateTo: date.optional(),
    modality: z.string().max(16).optional(),
    accession: z.string().max(64).optional(),
    callingAe: z.string().max(16).optional(),
    limit,
  }),
  listSeries: z.strictObject({ studyInstanceUid: uid }),
  storageUsage: none,
  instanceElements: z.strictObject({ instanceId: id }),
  renderFrame: z.strictObject({
    instanceId: id,
    frame: z.number().int().min(0).optional(),
    window: z.strictObject({ center: z.number().finite(), width: z.number().finite().positive() }).optional(),
    maxSize: z.number().int().min(16).max(4096).optional(),
  }),
  deleteStudy: z.strictObject({ studyInstanceUid: uid }),
  getRetention: none,
  saveRetention: z.strictObject({ days: z.number().int().min(0).max(36_500).nullable() }),
  runRetention: none,
  searchAudit: auditSearch,
  exportAuditCsv: auditSearch,
  chooseStorageFolder: none,
} satisfies Record<CommandName, z.ZodType>;
