/**
 * Reading a packaged .vsix and judging whether it is right for its platform target: the manifest
 * names the target, esbuild's API and exactly one platform package ship, and every native binary in
 * the package is for the target's OS and CPU (and executable on Unix).
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yauzl from 'yauzl';

export interface VsixEntry {
  path: string;
  /** Unix mode from the zip's external attributes (0 when the archiver wrote none). */
  mode: number;
  /** The entry's first bytes (enough to tell an executable's format and CPU). */
  head: Buffer;
}

export interface VsixContents {
  entries: VsixEntry[];
  manifest: string;
}

const HEAD_BYTES = 4096;

/** Every entry of `file` with its mode and first bytes, plus extension.vsixmanifest's text. */
export function readVsix(file: string): Promise<VsixContents> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const entries: VsixEntry[] = [];
      let manifest = '';
      zip.on('error', reject);
      zip.on('end', () => resolve({ entries, manifest }));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          let size = 0;
          const whole = entry.fileName === 'extension.vsixmanifest';
          stream.on('data', (c: Buffer) => {
            if (whole || size < HEAD_BYTES) chunks.push(c);
            size += c.length;
          });
          stream.on('error', reject);
          stream.on('end', () => {
            const data = Buffer.concat(chunks);
            if (whole) manifest = data.toString('utf8');
            entries.push({
              path: entry.fileName,
              mode: (entry.externalFileAttributes >>> 16) & 0o7777,
              head: data.subarray(0, HEAD_BYTES),
            });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

export type NativeKind = `${'linux' | 'darwin' | 'win32'}-${'x64' | 'arm64'}` | 'native-unknown';

/** The OS and CPU an executable is built for, from its header; undefined when it is not one. */
export function nativeKind(head: Buffer): NativeKind | undefined {
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    const machine = head.readUInt16LE(18);
    return machine === 0x3e ? 'linux-x64' : machine === 0xb7 ? 'linux-arm64' : 'native-unknown';
  }
  if (head.length >= 8 && head.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = head.readUInt32LE(4);
    return cpu === 0x01000007 ? 'darwin-x64' : cpu === 0x0100000c ? 'darwin-arm64' : 'native-unknown';
  }
  if (head.length >= 0x40 && head.toString('latin1', 0, 2) === 'MZ') {
    const pe = head.readUInt32LE(0x3c);
    if (pe + 6 > head.length || head.toString('latin1', pe, pe + 4) !== 'PE\0\0') return 'native-unknown';
    const machine = head.readUInt16LE(pe + 4);
    return machine === 0x8664 ? 'win32-x64' : machine === 0xaa64 ? 'win32-arm64' : 'native-unknown';
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0xcafebabe) return 'native-unknown'; // fat Mach-O
  return undefined;
}

/** What is wrong with `vsix` as the package for `target` (empty when it is right). */
export function problemsFor(target: string, vsix: VsixContents): string[] {
  const problems: string[] = [];
  const platformPackage = `@esbuild/${target}`;
  const binaryPath = `extension/dist/node_modules/${platformPackage}/${target.startsWith('win32') ? 'esbuild.exe' : 'bin/esbuild'}`;

  if (!vsix.manifest.includes(`TargetPlatform="${target}"`)) {
    problems.push(`extension.vsixmanifest does not name TargetPlatform="${target}"`);
  }
  for (const required of [
    'extension/dist/extension.js',
    'extension/dist/node_modules/esbuild/lib/main.js',
    'extension/dist/node_modules/esbuild/package.json',
    `extension/dist/node_modules/${platformPackage}/package.json`,
  ]) {
    if (!vsix.entries.some((e) => e.path === required)) problems.push(`missing ${required}`);
  }

  const packages = new Set(
    vsix.entries
      .map((e) => /node_modules\/(@esbuild\/[^/]+)\//.exec(e.path)?.[1])
      .filter((p): p is string => p !== undefined),
  );
  for (const p of packages)
    if (p !== platformPackage) problems.push(`ships ${p}, a package of another platform`);

  const binary = vsix.entries.find((e) => e.path === binaryPath);
  if (!binary) problems.push(`missing the esbuild binary ${binaryPath}`);
  else if (!target.startsWith('win32') && (binary.mode & 0o111) === 0) {
    problems.push(`${binaryPath} is not executable (mode ${binary.mode.toString(8)})`);
  }
  for (const e of vsix.entries) {
    const kind = nativeKind(e.head);
    if (kind && kind !== target) problems.push(`${e.path} is a ${kind} executable`);
  }
  return problems;
}

/** Unpack the entries of `file` whose path starts with `prefix` into `dest`, keeping Unix modes. */
export function extractVsix(file: string, prefix: string, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.startsWith(prefix) || entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const target = join(dest, entry.fileName);
          mkdirSync(dirname(target), { recursive: true });
          const mode = (entry.externalFileAttributes >>> 16) & 0o7777;
          stream
            .pipe(createWriteStream(target, { mode: mode || 0o644 }))
            .on('error', reject)
            .on('finish', () => zip.readEntry());
        });
      });
      zip.readEntry();
    });
  });
}
