import {
  type JobRows,
  packStrings,
  rowFlags,
  type StringColumn,
  statusCode,
  stringAt,
} from '../../src/jobRows';
import type { JobSummary } from '../../src/protocol';

/**
 * What a search keystroke and a layout read of every job, kept in columns: each job's lower-cased
 * label and id (all jobs' in one string per field), its status code and its row flags (as the host
 * packed them: a row's height and whether it expands).
 *
 * Why: a keystroke over 10,000 jobs used to call a function per job (a lookup, a comparison, a getter
 * per field) and make an object per shown row, 10-20 ms on a 2-core machine the first time through,
 * before the code was optimized. Here a search is one native `indexOf` per match over two strings,
 * and the layout reads flags from a typed array. Built from the packed list as it arrives (a few
 * native calls, no object per job) and updated in place by live updates.
 */
export class JobIndex {
  private count: number;
  /** Lower-cased labels and ids of jobs 0 to `searchable - 1`, as the list arrived. */
  private readonly labels: StringColumn;
  private readonly ids: StringColumn;
  private readonly searchable: number;
  /** Ids as sent (case kept): a row's key names its job by id. */
  private readonly idColumn: StringColumn;
  /**
   * Jobs whose label changed since the list arrived, or that came later (a live update of a new job):
   * their lower-cased label and id, matched one by one. Usually empty.
   */
  private readonly changed = new Map<number, [label: string, id: string]>();
  /** Ids of jobs added after the list arrived. */
  private readonly addedIds = new Map<string, number>();
  /** Ids looked up lately (ids keep their place in a list: a found index stays true). */
  private readonly found = new Map<string, number>();
  private statusCodes: Uint16Array;
  private readonly statusNames: string[];
  private flagBits: Uint8Array;

  /** The index of a list as it crossed `postMessage` (the Jobs view's snapshot). */
  constructor(rows: JobRows) {
    this.count = rows.count;
    this.searchable = rows.count;
    this.idColumn = rows.id;
    this.labels = lowerCased(rows.label);
    this.ids = lowerCased(rows.id);
    // Copies: live updates change them, and the listed jobs read the message's own.
    this.statusNames = rows.statusNames.slice();
    this.statusCodes = rows.status.slice();
    this.flagBits = rows.flags.slice();
  }

  /** Job i's row flags (jobRows' TALL, EXPANDABLE). */
  flags(i: number): number {
    return this.flagBits[i]!;
  }

  status(i: number): string {
    return this.statusNames[this.statusCodes[i]!]!;
  }

  /**
   * Records that job `i` is now `job` (a live update replaced it, with the same id), or that `job`
   * was added at the end (`i` is the current size).
   */
  set(i: number, job: JobSummary): void {
    if (i === this.count) {
      this.grow();
      this.addedIds.set(job.id, i);
      this.found.delete(job.id); // remembered as not found
      this.changed.set(i, searchText(job));
    } else if (i >= this.searchable || this.changed.has(i) || job.label.toLowerCase() !== this.label(i)) {
      this.changed.set(i, searchText(job));
    }
    this.statusCodes[i] = statusCode(this.statusNames, job.status);
    this.flagBits[i] = rowFlags(job);
  }

  /** Per status, how many jobs have it. */
  counts(): Record<string, number> {
    const perCode = new Uint32Array(this.statusNames.length);
    for (let i = 0; i < this.count; i++) perCode[this.statusCodes[i]!]!++;
    const counts: Record<string, number> = {};
    this.statusNames.forEach((name, code) => {
      if (perCode[code]) counts[name] = perCode[code]!;
    });
    return counts;
  }

  /**
   * The jobs that pass the search box (`query` already trimmed and lower-cased: a substring of the
   * label or of the id, never spanning both) and the status chip (`'all'` or a status), in order.
   */
  match(query: string, status: string): Int32Array {
    const n = this.count;
    const code = status === 'all' ? -1 : this.statusNames.indexOf(status);
    const out = new Int32Array(n);
    let k = 0;
    if (status !== 'all' && code === -1) return out.subarray(0, 0);
    if (query === '') {
      for (let i = 0; i < n; i++) if (code === -1 || this.statusCodes[i] === code) out[k++] = i;
      return out.subarray(0, k);
    }
    const hits = new Uint8Array(n);
    findIn(this.labels, query, hits);
    findIn(this.ids, query, hits);
    for (const [i, [label, id]] of this.changed)
      hits[i] = label.includes(query) || id.includes(query) ? 1 : 0;
    for (let i = 0; i < n; i++) if (hits[i] && (code === -1 || this.statusCodes[i] === code)) out[k++] = i;
    return out.subarray(0, k);
  }

  /** Whether job i passes the search box and the status chip (match() for one job). */
  matches(i: number, query: string, status: string): boolean {
    if (status !== 'all' && this.status(i) !== status) return false;
    if (query === '') return true;
    const [label, id] = this.changed.get(i) ?? [this.label(i), stringAt(this.ids, i)];
    return label.includes(query) || id.includes(query);
  }

  /**
   * Index of the job with this id, or -1. A native search of the ids (no map of 10,000 entries),
   * remembered for the ids asked for again and again: the selected row's, a running job's.
   */
  find(id: string): number {
    let j = this.found.get(id) ?? this.addedIds.get(id);
    if (j === undefined) {
      j = this.search(id);
      if (this.found.size >= 256) this.found.clear();
      this.found.set(id, j);
    }
    return j;
  }

  private search(id: string): number {
    const { text, ends } = this.idColumn;
    if (id === '') return -1;
    for (let from = 0; ; ) {
      const at = text.indexOf(id, from);
      if (at === -1) return -1;
      const j = jobAt(ends, at, this.searchable);
      const start = j === 0 ? 0 : ends[j - 1]!;
      if (at === start && ends[j] === at + id.length) return j;
      from = at + 1;
    }
  }

  private label(i: number): string {
    return stringAt(this.labels, i);
  }

  private grow(): void {
    const capacity = this.flagBits.length;
    if (this.count === capacity) {
      const next = Math.max(16, capacity * 2);
      const codes = new Uint16Array(next);
      codes.set(this.statusCodes);
      this.statusCodes = codes;
      const flags = new Uint8Array(next);
      flags.set(this.flagBits);
      this.flagBits = flags;
    }
    this.count++;
  }
}

function searchText(job: JobSummary): [label: string, id: string] {
  return [job.label.toLowerCase(), job.id.toLowerCase()];
}

/** The column lower-cased in one native call; per string in the rare case that changes lengths. */
function lowerCased(column: StringColumn): StringColumn {
  const text = column.text.toLowerCase();
  if (text.length === column.text.length) return { text, ends: column.ends };
  const values: string[] = [];
  for (let i = 0; i < column.ends.length; i++) values.push(stringAt(column, i).toLowerCase());
  return packStrings(values);
}

/** Index of the string of `ends` that holds character `at` (binary search). */
function jobAt(ends: Uint32Array, at: number, count: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid]! > at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Sets hits[i] for every string i of the column that contains `query` (not spanning two strings). */
function findIn({ text, ends }: StringColumn, query: string, hits: Uint8Array): void {
  let j = 0;
  for (let from = 0; ; ) {
    const at = text.indexOf(query, from);
    if (at === -1) return;
    while (ends[j]! <= at) j++;
    if (at + query.length <= ends[j]!) hits[j] = 1;
    // The next match to look for starts in a later string (one inside string j was found or spans).
    from = ends[j]!;
  }
}
