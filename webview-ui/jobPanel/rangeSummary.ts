/**
 * What the loss chart needs to know about a range of one column, and an index that answers it for
 * any range of a long column without reading every row.
 *
 * Drawing a million-point run decimated (decimate.ts) asks, per pixel column and series, for the
 * first, last, minimum and maximum point and the first gap, and for the smoothed line the mean; the
 * log axis asks for the smallest positive value. Scanning every row for that on every redraw is
 * O(rows) per frame, tens of ms at 1M points, all of it repeated for rows that did not change. The
 * RangeIndex keeps those summaries for blocks of rows, and for blocks of blocks, so a range costs its
 * two partial blocks at each end plus a few block summaries; new rows only extend the last blocks.
 * Summaries combine left to right with the same tie rules as a scan (the first index of the minimum
 * and of the maximum), so a query returns exactly the indices a scan of the range would. Sums are
 * added block by block instead of value by value: a mean can differ from a scan's in its last bits.
 */

/**
 * A column's RangeIndex, when there is one that holds exactly its values (the store's columns; see
 * MetricStore.summaryOf), else undefined: the rows are then read directly, with the same result.
 */
export type SummaryOf = (column: ArrayLike<number | null>) => RangeIndex | undefined;

/** The summary of a range of a column: indices are rows, -1 when the range has none. */
export class RangeSummary {
  /** First and last row holding a value (not NaN / null). */
  first = -1;
  last = -1;
  /** First row of the smallest and of the largest value. */
  minI = -1;
  maxI = -1;
  minV = 0;
  maxV = 0;
  /** First row without a value (a gap in a line drawn with gaps). */
  gap = -1;
  /** Finite values and their sum (for the bucket mean). */
  count = 0;
  sum = 0;
  /** Smallest value > 0 (the log axis floor), +Infinity when none. */
  minPos = Number.POSITIVE_INFINITY;

  reset(): this {
    this.first = this.last = this.minI = this.maxI = this.gap = -1;
    this.minV = this.maxV = 0;
    this.count = 0;
    this.sum = 0;
    this.minPos = Number.POSITIVE_INFINITY;
    return this;
  }
}

/** Adds rows `[start, end)` of `values` to `acc`, in order (what every summary is made of). */
export function scanInto(
  acc: RangeSummary,
  values: ArrayLike<number | null>,
  start: number,
  end: number,
): void {
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (v == null || Number.isNaN(v)) {
      if (acc.gap === -1) acc.gap = i;
      continue;
    }
    if (acc.first === -1) {
      acc.first = acc.minI = acc.maxI = i;
      acc.minV = acc.maxV = v;
    } else if (v < acc.minV) {
      acc.minV = v;
      acc.minI = i;
    } else if (v > acc.maxV) {
      acc.maxV = v;
      acc.maxI = i;
    }
    acc.last = i;
    if (Number.isFinite(v)) {
      acc.count++;
      acc.sum += v;
    }
    if (v > 0 && v < acc.minPos) acc.minPos = v;
  }
}

/** Rows per summary at the lowest level: a range reads at most this many rows directly at each end. */
export const BLOCK = 64;
/** Blocks of one level per block of the next. */
const FAN_OUT = 16;

// A block's summary: its row indices in an Int32Array (stride 6), its sum, smallest positive, minimum
// and maximum values in a Float64Array (stride 4). 56 bytes per 64 rows, plus 1/15 of that for the
// levels above: under 1 byte per row (a Float32 column holds 4), 0.9 MB per indexed column of a
// million rows. Memory is time here: a large fresh allocation is paid again in page faults when first
// written. The values are kept although the column has them at the summary's rows: reading them there
// is a cache miss per block, which made a query over a million rows six times slower.
const FIRST = 0;
const LAST = 1;
const MIN_I = 2;
const MAX_I = 3;
const GAP = 4;
const COUNT = 5;
const INTS = 6;
const SUM = 0;
const MIN_POS = 1;
const MIN_V = 2;
const MAX_V = 3;
const FLOATS = 4;

/** One level's block summaries, grown by doubling as the column grows. */
interface Level {
  ints: Int32Array;
  floats: Float64Array;
  /** Blocks in use. */
  blocks: number;
}

/** Adds block `j` of `level` (rows after everything in `acc`) to `acc`. */
function addBlock(acc: RangeSummary, level: Level, j: number): void {
  const ints = level.ints;
  const floats = level.floats;
  const o = j * INTS;
  const f = j * FLOATS;
  const first = ints[o + FIRST]!;
  if (first !== -1) {
    const minI = ints[o + MIN_I]!;
    const maxI = ints[o + MAX_I]!;
    const minV = floats[f + MIN_V]!;
    const maxV = floats[f + MAX_V]!;
    if (acc.first === -1) {
      acc.first = first;
      acc.minI = minI;
      acc.maxI = maxI;
      acc.minV = minV;
      acc.maxV = maxV;
    } else {
      // Strict comparisons: on a tie the earlier row stays, as in scanInto.
      if (minV < acc.minV) {
        acc.minV = minV;
        acc.minI = minI;
      }
      if (maxV > acc.maxV) {
        acc.maxV = maxV;
        acc.maxI = maxI;
      }
    }
    acc.last = ints[o + LAST]!;
  }
  if (acc.gap === -1) acc.gap = ints[o + GAP]!;
  acc.count += ints[o + COUNT]!;
  acc.sum += floats[f + SUM]!;
  if (floats[f + MIN_POS]! < acc.minPos) acc.minPos = floats[f + MIN_POS]!;
}

function storeBlock(acc: RangeSummary, level: Level, j: number): void {
  const o = j * INTS;
  level.ints[o + FIRST] = acc.first;
  level.ints[o + LAST] = acc.last;
  level.ints[o + MIN_I] = acc.minI;
  level.ints[o + MAX_I] = acc.maxI;
  level.ints[o + GAP] = acc.gap;
  level.ints[o + COUNT] = acc.count;
  const f = j * FLOATS;
  level.floats[f + SUM] = acc.sum;
  level.floats[f + MIN_POS] = acc.minPos;
  level.floats[f + MIN_V] = acc.minV;
  level.floats[f + MAX_V] = acc.maxV;
}

/**
 * Block summaries of one growing column: level k summarises blocks of BLOCK·FAN_OUT^k rows. Its
 * owner says which rows changed (`invalidateFrom`); `ensure(rows)` brings the levels up to date from
 * there (appended rows cost their own blocks, not the column), and `query` answers any range within.
 */
export class RangeIndex {
  /** Rows whose blocks are summarised exactly; rows from here on are (re)read by `ensure`. */
  private valid = 0;
  private rows = 0;
  private readonly levels: Level[] = [];
  private readonly scratch = new RangeSummary();

  /** `values` returns the column as it is now (its owner may replace the array as it grows). */
  constructor(private readonly values: () => ArrayLike<number | null>) {}

  /** Rows from `row` on changed (or were removed): their blocks are recomputed by the next `ensure`. */
  invalidateFrom(row: number): void {
    if (row < this.valid) this.valid = Math.max(0, row);
  }

  /** Summarises the column's first `rows` rows (everything up to `rows` that changed or is new). */
  ensure(rows: number): void {
    if (this.valid === rows && this.rows === rows) return;
    const from = Math.min(this.valid, rows);
    const values = this.values();
    const acc = this.scratch;
    let size = BLOCK;
    let blocks = Math.ceil(rows / BLOCK);
    for (let k = 0; ; k++) {
      const level = this.reserve(k, blocks);
      const below = this.levels[k - 1];
      for (let j = Math.floor(from / size); j < blocks; j++) {
        acc.reset();
        if (below) {
          const end = Math.min(below.blocks, (j + 1) * FAN_OUT);
          for (let c = j * FAN_OUT; c < end; c++) addBlock(acc, below, c);
        } else {
          scanInto(acc, values, j * BLOCK, Math.min(rows, (j + 1) * BLOCK));
        }
        storeBlock(acc, level, j);
      }
      level.blocks = blocks;
      if (blocks <= 1) {
        this.levels.length = k + 1;
        break;
      }
      size *= FAN_OUT;
      blocks = Math.ceil(blocks / FAN_OUT);
    }
    this.valid = this.rows = rows;
  }

  /**
   * Summary of rows `[start, end)` (within the rows last `ensure`d) into `acc`: the partial blocks
   * at the ends are read row by row, the rest from the largest whole blocks that fit.
   */
  query(start: number, end: number, acc: RangeSummary = new RangeSummary()): RangeSummary {
    acc.reset();
    const values = this.values();
    const head = Math.min(end, Math.ceil(start / BLOCK) * BLOCK);
    scanInto(acc, values, start, head);
    let i = head;
    let k = 0;
    let size = BLOCK;
    const top = this.levels.length - 1;
    // Up: blocks of this level until the next level's block starts here and fits, then climb.
    while (i + size <= end) {
      if (k < top && i % (size * FAN_OUT) === 0 && i + size * FAN_OUT <= end) {
        k++;
        size *= FAN_OUT;
        continue;
      }
      addBlock(acc, this.levels[k]!, i / size);
      i += size;
    }
    // Down: what is left is shorter than this level's block; fill it from the levels below.
    while (k > 0) {
      k--;
      size /= FAN_OUT;
      while (i + size <= end) {
        addBlock(acc, this.levels[k]!, i / size);
        i += size;
      }
    }
    scanInto(acc, values, i, end);
    return acc;
  }

  /** Level k with room for `blocks` blocks (grown by doubling, keeping what it holds). */
  private reserve(k: number, blocks: number): Level {
    const have = this.levels[k];
    if (have && have.ints.length >= blocks * INTS) return have;
    const capacity = Math.max(blocks, 2 * (have ? have.ints.length / INTS : 0), 16);
    const level: Level = {
      ints: new Int32Array(capacity * INTS),
      floats: new Float64Array(capacity * FLOATS),
      blocks: have?.blocks ?? 0,
    };
    if (have) {
      level.ints.set(have.ints);
      level.floats.set(have.floats);
    }
    this.levels[k] = level;
    return level;
  }
}
