/**
 * Files from a drop. In Electron every dropped item, folders included, resolves to a path, so the
 * dropped File objects go to the bridge as they are. In a browser a folder's File has no bytes:
 * its files are collected through the entries API (recursively) so each one can be uploaded.
 * Entries must be taken during the drop event itself; the DataTransfer is emptied afterwards.
 */

export interface DropSnapshot {
  files: File[];
  /** Present only when a folder was dropped and the entries API is available. */
  entries: FileSystemEntry[] | undefined;
}

export function snapshotDrop(dataTransfer: DataTransfer): DropSnapshot {
  const files = Array.from(dataTransfer.files);
  const items = Array.from(dataTransfer.items ?? []).filter((item) => item.kind === 'file');
  if (items.length === 0 || typeof items[0]!.webkitGetAsEntry !== 'function') return { files, entries: undefined };
  const entries = items.map((item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  return { files, entries: entries.some((e) => e.isDirectory) ? entries : undefined };
}

export async function filesFromDrop(snapshot: DropSnapshot, expandFolders: boolean): Promise<File[]> {
  if (!expandFolders || !snapshot.entries) return snapshot.files;
  const out: File[] = [];
  for (const entry of snapshot.entries) await collect(entry, out);
  return out;
}

async function collect(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (entry.isFile) {
    const file = await fileOf(entry as FileSystemFileEntry);
    // Like a file chosen with a folder input: keep where it was in the dropped folder, so files
    // with equal names in different series stay apart when uploaded and listed.
    Object.defineProperty(file, 'webkitRelativePath', { value: entry.fullPath.replace(/^\//, '') });
    out.push(file);
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in chunks (about 100 in Chromium) until it answers with none.
  for (;;) {
    const chunk = await readChunk(reader);
    if (chunk.length === 0) return;
    for (const child of chunk) await collect(child, out);
  }
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function readChunk(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}
