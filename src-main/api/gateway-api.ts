/**
 * The engine's side of the UI contract: every command, validated by its schema, run against the
 * Gateway, with failures turned into words a radiographer can act on (and the technical detail
 * kept for the PACS admin). Both transports (Electron IPC, WebSocket) serve this one host.
 */
import type { z } from 'zod';
import type { PeerAddress } from '../dicom/peer-address.ts';
import { collectSendableFiles } from '../dicom/sendable-files.ts';
import { sopClassName } from '../dicom/sop-class-names.ts';
import { GatewayError } from '../gateway-error.ts';
import { ListenError, type Gateway } from '../gateway.ts';
import { readByteRange } from '../inspect/byte-range-reader.ts';
import { compareFiles } from '../inspect/compare-files.ts';
import { instanceElements } from '../inspect/instance-elements.ts';
import { packageVersion } from '../package-info.ts';
import type { ApiHost } from './api-host.ts';
import { CommandError, GENERIC_FAILURE } from './command-failure.ts';
import { problemsFromIssues } from '../config/config-issues.ts';
import { ChosenPaths } from './chosen-paths.ts';
import { keptTlsFiles } from './tls-listener-files.ts';
import { TlsConfigError } from '../tls/tls-config-error.ts';
import { COMMAND_SCHEMAS } from './command-schemas.ts';
import { ENGINE_EVENT_NAMES, type CommandName, type Destination, type FileRef, type GatewayCommands, type SendTarget } from './contract.ts';

type Handlers = {
  [C in CommandName]: (args: GatewayCommands[C]['args']) => Promise<GatewayCommands[C]['result']> | GatewayCommands[C]['result'];
};

export function createApiHost(gateway: Gateway, opts: { uploadDir: string }): ApiHost {
  const chosen = new ChosenPaths([opts.uploadDir]);
  const handlers = commandHandlers(gateway, chosen, opts.uploadDir);
  return {
    uploadDir: opts.uploadDir,
    allowPaths: (paths) => chosen.allow(paths),
    async dispatch(command, args) {
      if (!Object.hasOwn(COMMAND_SCHEMAS, command)) {
        throw new CommandError('The app asked the gateway for something it does not know.', `unknown command "${command}"`);
      }
      const name = command as CommandName;
      const parsed = COMMAND_SCHEMAS[name].safeParse(args ?? undefined);
      if (!parsed.success) {
        throw new CommandError('The request was not valid.', `${name}: ${requestProblems(parsed.error, COMMAND_SCHEMAS[name])}`);
      }
      try {
        return await (handlers[name] as (a: unknown) => unknown)(parsed.data);
      } catch (err) {
        throw toCommandError(name, err);
      }
    },
    subscribe(listener) {
      const unsubscribes = ENGINE_EVENT_NAMES.map((name) => gateway.events.on(name, (payload) => listener(name, payload)));
      return () => unsubscribes.forEach((off) => off());
    },
  };
}

function commandHandlers(g: Gateway, chosen: ChosenPaths, uploadDir: string): Handlers {
  // A stored instance is named by id; any other file must be one the user chose.
  const fileRefPath = (command: string, ref: FileRef) => {
    if ('instanceId' in ref) return g.instancePath(ref.instanceId);
    chosen.check(command, [ref.path]);
    return ref.path;
  };
  return {
    getStatus: () => {
      const listener = g.listener;
      return {
        aeTitle: g.config.aeTitle,
        host: listener.state === 'listening' ? listener.host : (g.config.host ?? ''),
        port: listener.port,
        storage: g.config.storage,
        version: packageVersion(),
        listening: listener.state === 'listening',
        listenError: listener.state === 'stopped' ? listener.reason : null,
        storeReadOnly: g.store.readOnlyReason ?? null,
      };
    },
    listStudies: ({ limit }) => g.browse.studies(limit),
    listInstances: (filter) => g.browse.instances(filter),
    listAssociations: ({ limit }) => g.browse.associations(limit),
    scanPaths: async ({ paths }) => {
      chosen.check('scanPaths', paths);
      const collected = await collectSendableFiles(paths);
      return {
        files: collected.files.map((f) => ({
          path: f.file,
          sopClassUid: f.sopClassUid,
          sopClassName: sopClassName(f.sopClassUid),
          sopInstanceUid: f.sopInstanceUid,
          transferSyntaxUid: f.transferSyntaxUid,
          bytes: f.datasetOffset + f.datasetLength,
        })),
        skipped: collected.skipped.map((s) => ({ path: s.file, reason: s.reason })),
        missing: collected.missing,
      };
    },
    sendFiles: async ({ paths, target }) => {
      chosen.check('sendFiles', paths);
      const { peer, callingAe } = resolveTarget(g, target);
      const { files } = await collectSendableFiles(paths);
      if (files.length === 0)
        throw new CommandError('None of these files can be sent: none is a DICOM file.', `no DICOM file among ${paths.length} path(s)`);
      return { sendId: g.startSend(files, peer, callingAe).sendId };
    },
    cancelSend: ({ sendId }) => ({ cancelled: g.cancelSend(sendId) }),
    forwardStudies: ({ studyInstanceUids, destination }) => ({
      queued: studyInstanceUids.reduce((n, study) => n + g.forwardStudy(study, destination), 0),
    }),
    forwardInstances: ({ instanceIds, destination }) => ({ queued: g.forwardInstances(instanceIds, destination) }),
    echo: ({ target }) => {
      const { peer, callingAe } = resolveTarget(g, target);
      return g.echo(peer, callingAe);
    },
    listDestinations: () => shownDestinations(g),
    saveDestination: ({ destination }) => {
      g.saveDestination(withKeptSecrets(g, { ...destination, callingAe: destination.callingAe ?? undefined }));
      return shownDestinations(g);
    },
    deleteDestination: ({ name }) => {
      if (!g.deleteDestination(name))
        throw new CommandError(`There is no destination named "${name}".`, `deleteDestination: unknown "${name}"`);
      return shownDestinations(g);
    },
    listRules: () => g.rules(),
    saveRules: ({ rules }) => {
      g.saveRules(rules.map((r) => ({ ...r, studyQuietSeconds: r.studyQuietSeconds ?? undefined })));
      return g.rules();
    },
    listJobs: (filter) => g.jobs(filter),
    jobAttempts: ({ jobId }) => g.jobAttempts(jobId),
    queueCounts: () => g.queueCounts(),
    studiesAwaitingQuiet: () => g.studiesAwaitingQuiet(),
    retryJob: ({ jobId }) => ({ retried: g.retryJob(jobId) }),
    retryDeadJobs: ({ destination }) => ({ retried: g.retryDeadJobs(destination) }),
    retryDeadPreview: ({ destination }) => g.retryDeadPreview(destination),
    retryDestinationNow: ({ destination }) => ({ retried: g.retryDestinationNow(destination) }),
    retryDead: ({ destination, evenIfPermanent }) => g.retryDead(destination, evenIfPermanent),
    cancelJob: ({ jobId }) => ({ cancelled: g.cancelJob(jobId) }),
    compareFiles: ({ a, b }) => compareFiles(fileRefPath('compareFiles', a), fileRefPath('compareFiles', b)),
    readByteRange: async ({ file, offset, length }) => {
      const range = await readByteRange(fileRefPath('readByteRange', file), offset, length);
      return { offset: range.offset, hex: range.bytes.toString('hex'), fileSize: range.fileSize, spans: range.spans };
    },
    digestChain: ({ instanceId }) => g.digestChain(instanceId),
    getSettings: () => g.settings(),
    saveSettings: ({ settings }) => g.applySettings(settings),
    getTlsListener: () => g.tlsListenerStatus(),
    saveTlsListener: async ({ tls }) =>
      g.applyTlsListener(tls && (await keptTlsFiles(tls, { chosen, uploadDir, storage: g.config.storage, current: g.config.tls }))),
    searchStudies: (filter) => g.studies.search(filter),
    listSeries: ({ studyInstanceUid }) => g.studies.series(studyInstanceUid),
    storageUsage: () => g.housekeeping.usage(),
    instanceElements: ({ instanceId }) => instanceElements(g.instancePath(instanceId)),
    renderFrame: ({ instanceId, ...request }) => g.previews.render(g.instancePath(instanceId), request),
    deleteStudy: ({ studyInstanceUid }) => g.housekeeping.deleteStudy(studyInstanceUid),
    getRetention: () => g.housekeeping.retention(),
    saveRetention: ({ days }) => g.housekeeping.saveRetention(days),
    runRetention: () => g.housekeeping.runRetention(),
    searchAudit: (filter) => g.housekeeping.audit.search(filter),
    exportAuditCsv: (filter) => g.housekeeping.audit.csv(filter),
    chooseStorageFolder: () => {
      throw new CommandError(
        'The storage folder is chosen when the gateway starts: start `dicom-gateway serve` with --storage FOLDER (or `storage:` in its config file).',
        'chooseStorageFolder: only the desktop app can change the storage folder while running',
      );
    },
  };
}

function resolveTarget(g: Gateway, target: SendTarget): { peer: PeerAddress; callingAe: string } {
  if (!('destination' in target)) return { peer: target, callingAe: g.config.aeTitle };
  const destination = g.destinations().find((d) => d.name === target.destination);
  if (!destination)
    throw new CommandError(`There is no destination named "${target.destination}".`, `unknown destination "${target.destination}"`);
  return {
    peer: { aeTitle: destination.aeTitle, host: destination.host, port: destination.port },
    callingAe: destination.callingAe ?? g.config.aeTitle,
  };
}

/** Each refused argument as "field: message", in the words the config file and the CLI use for the same value. */
function requestProblems(error: z.ZodError, schema: z.ZodType): string {
  return problemsFromIssues(error.issues, schema)
    .map((p) => (p.field === '' ? p.message : `${p.field}: ${p.message}`))
    .join('; ');
}

/** Plain words first; what a PACS admin needs (the engine's own message) as the detail. */
function toCommandError(command: CommandName, err: unknown): CommandError {
  if (err instanceof CommandError) return err;
  if (err instanceof TlsConfigError)
    return new CommandError(`The TLS listener was not changed: ${err.message}.`, `${command}: ${err.name}: ${err.message}`);
  if (err instanceof ListenError)
    return new CommandError(err.message, `${command}: ${err.code ?? 'listen failed'}: ${(err.cause as Error)?.message ?? err.message}`);
  if (err instanceof GatewayError) return new CommandError(err.words, `${command}: ${err.message}`);
  const detail = `${command}: ${(err as Error)?.message ?? String(err)}`;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new CommandError('The file or folder could not be found. It may have been moved or deleted.', detail);
  if (code === 'EACCES' || code === 'EPERM') return new CommandError('The gateway is not allowed to read that file or folder.', detail);
  if (code === 'EADDRINUSE') return new CommandError('That port is already used by another program. Choose another port.', detail);
  if (command === 'saveRules') return new CommandError('The rules were not saved: one of them is not valid.', detail);
  return new CommandError(GENERIC_FAILURE, detail);
}

/** Destinations as the UI sees them: a TLS key's passphrase never leaves the engine. */
function shownDestinations(g: Gateway): Destination[] {
  return g.destinations().map((d) => (d.tls?.passphrase === undefined ? d : { ...d, tls: { ...d.tls, passphrase: undefined } }));
}

/** A destination saved from the UI keeps the passphrase the UI was never shown. */
function withKeptSecrets(g: Gateway, d: Destination): Destination {
  if (!d.tls || d.tls.passphrase !== undefined) return d;
  const passphrase = g.destinations().find((old) => old.name === d.name)?.tls?.passphrase;
  return passphrase === undefined ? d : { ...d, tls: { ...d.tls, passphrase } };
}
