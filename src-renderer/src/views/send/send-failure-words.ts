/**
 * Why files of a send failed, in one plain sentence for the summary (the Destinations wording),
 * and SOP class and syntax UIDs in engine messages given their names.
 */
import { connectionProblemWords } from '../../lib/connection-words.ts';
import { sopClassName, transferSyntaxName } from '../../../../src-main/api/contract.ts';
import { plural } from '../../lib/format.ts';

export interface FailedFile {
  error: string | null;
  statusHex: string | null;
  meaning: string | null;
}

/** The cause of one failed file, in words. */
export function sendFailureWords(file: FailedFile): string {
  const connection = connectionProblemWords(file.error);
  if (connection) return connection;
  if (/does not accept SOP class/i.test(file.error ?? '')) return 'The destination does not take this kind of image (its SOP class).';
  if (/does not accept .*syntax|transfer syntax/i.test(file.error ?? ''))
    return 'The destination does not take the file’s encoding (transfer syntax); the gateway never re-encodes.';
  if (file.statusHex) return `The destination refused to store it: ${file.statusHex} (${file.meaning ?? 'failure'}).`;
  return 'The destination did not confirm that it stored the file.';
}

/** The most frequent cause among the failed files, with how many it covers: "300 of 300 files: …". */
export function mainFailureCause(files: readonly FailedFile[]): string | undefined {
  if (files.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const file of files) {
    const words = sendFailureWords(file);
    counts.set(words, (counts.get(words) ?? 0) + 1);
  }
  const [words, count] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  return count === files.length ? words : `${plural(count, 'file')} of ${files.length} failed: ${words}`;
}

/** A standard UID, unless in parentheses: the engine's messages name most UIDs already, "Name (UID)". */
const UID = /(?<!\()\b1\.2\.840\.10008\.[0-9.]*[0-9]\b/g;

/**
 * "does not accept SOP class 1.2.840.10008.5.1.4.1.1.2" → "… CT Image Storage (1.2.840.10008.5.1.4.1.1.2)";
 * "JPEG Baseline (Process 1) (1.2.840.10008.1.2.4.50)" stays as it is.
 */
export function nameUids(text: string): string {
  return text.replace(UID, (uid) => {
    const name = sopClassName(uid) !== uid ? sopClassName(uid) : transferSyntaxName(uid);
    return name !== uid ? `${name} (${uid})` : uid;
  });
}
