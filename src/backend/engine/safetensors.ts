// Minimal safetensors reader/writer (F32 only): 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets}} plus optional __metadata__, then the raw tensor bytes. The
// same layout as PEFT's adapter_model.safetensors, so adapters are inspectable with common tools.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export function encodeSafetensors(
  tensors: Record<string, NamedTensor>,
  metadata: Record<string, string> = {},
) {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name] as NamedTensor;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad the header so the data starts 8-byte aligned, as the format recommends.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name] as NamedTensor;
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, pos);
    pos += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(buf: Buffer): {
  tensors: Record<string, NamedTensor>;
  metadata: Record<string, string>;
} {
  if (buf.length < 8) throw new Error('not a safetensors file (too short)');
  const len = Number(buf.readBigUInt64LE(0));
  if (8 + len > buf.length) throw new Error('not a safetensors file (bad header length)');
  const header = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) as Record<string, unknown>;
  const base = 8 + len;
  const tensors: Record<string, NamedTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = v as Record<string, string>;
      continue;
    }
    const info = v as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (info.dtype !== 'F32') throw new Error(`unsupported dtype ${info.dtype} for ${name}`);
    const [from, to] = info.data_offsets;
    // Copy: the Buffer may not be 4-byte aligned for a Float32Array view.
    const data = new Float32Array(buf.buffer.slice(buf.byteOffset + base + from, buf.byteOffset + base + to));
    tensors[name] = { shape: info.shape, data };
  }
  return { tensors, metadata };
}

/** Write-then-rename, so a crash never leaves a half-written file behind. */
export function writeFileAtomic(file: string, data: string | Buffer, mode?: number): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
  renameSync(tmp, file);
}

export function readSafetensors(file: string) {
  return decodeSafetensors(readFileSync(file));
}
