/**
 * One schema per command: every argument from the renderer is checked here, in main, before the
 * engine sees it. A renderer (or a page in a browser) is never trusted to send the right shape.
 */
import { z } from 'zod';
import { attributeKeyProblem } from '../config/attribute-keys.ts';
import type { CommandName } from './contract.ts';
import { savedDestinationSchema } from './schemas/destination-schema.ts';
import { jobState } from './schemas/job-state-schema.ts';
import { savedRuleSchema } from './schemas/rule-schema.ts';
import { aeTitle, flag, host, listenPort, maxAssociations, maxPdu, port, uid } from './schemas/values.ts';

const id = z.number().int().positive();
const limit = z.number().int().min(1).max(100_000).optional();
const path = z.string().min(1).max(4096);

const target = z.union([z.strictObject({ destination: z.string().min(1) }), z.strictObject({ aeTitle, host, port })]);

const fileRef = z.union([z.strictObject({ instanceId: id }), z.strictObject({ path })]);

// Tag keywords are checked against the full dictionary, as the config file's are.
const rule = savedRuleSchema(attributeKeyProblem);

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
  saveDestination: z.strictObject({ destination: savedDestinationSchema }),
  deleteDestination: z.strictObject({ name: z.string().min(1) }),
  listRules: none,
  saveRules: z.strictObject({ rules: z.array(rule) }),
  listJobs: z.strictObject({ state: jobState.optional(), destination: z.string().min(1).optional(), limit }),
  jobAttempts: z.strictObject({ jobId: id }),
  queueCounts: none,
  studiesAwaitingQuiet: none,
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
      aeTitle: aeTitle.optional(),
      port: listenPort.optional(),
      acceptUnknownSopClasses: flag.optional(),
      allowedCallingAes: z.array(aeTitle).optional(),
      maxAssociations: maxAssociations.optional(),
      maxPduLength: maxPdu.optional(),
    }),
  }),
  getTlsListener: none,
  saveTlsListener: z.strictObject({
    tls: z
      .strictObject({
        port: listenPort,
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
