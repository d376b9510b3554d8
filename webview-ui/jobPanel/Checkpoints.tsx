import type { JobDetail } from '../../src/protocol';
import { Card } from '../shared/Card';
import { type ColumnHeading, DataTable } from '../shared/DataTable';
import { Button } from '../shared/toolkit';
import type { ChartController } from './chartController';
import { formatTimestamp } from './RunHeader';
import { useFrameTick } from './useFrameTick';

/**
 * The best checkpoint: lowest eval loss among those with one, else (no eval at all) lowest train
 * loss; the earliest on a tie. -1 when no checkpoint has either.
 */
export function bestCheckpoint(
  rows: readonly { loss?: number | undefined; evalLoss?: number | undefined }[],
): {
  index: number;
  by: 'eval loss' | 'train loss';
} {
  const byEval = rows.some((r) => r.evalLoss != null);
  const key = (r: (typeof rows)[number]) => (byEval ? r.evalLoss : r.loss);
  let index = -1;
  rows.forEach((r, i) => {
    const v = key(r);
    if (v != null && Number.isFinite(v) && (index === -1 || v < key(rows[index]!)!)) index = i;
  });
  return { index, by: byEval ? 'eval loss' : 'train loss' };
}

const CHECKPOINT_COLUMNS: ColumnHeading[] = [
  'Step',
  'Saved',
  'Loss',
  {
    label: 'Eval loss',
    title: "The eval loss logged at the checkpoint's step or the nearest step before it",
  },
  { label: 'Actions', visuallyHidden: true },
];

export function CheckpointList({
  job,
  controller,
  loading,
  onTry,
  onDeploy,
}: {
  job: JobDetail;
  controller: ChartController;
  /** The store holds an overview, whose nearest rows are not a checkpoint's: its losses wait. */
  loading: boolean;
  onTry: (step: number) => void;
  onDeploy: (step: number) => void;
}) {
  useFrameTick(controller);
  if (job.checkpoints.length === 0) return null;
  const store = loading ? undefined : controller.store;
  const rows = job.checkpoints.map((c) => ({
    ...c,
    loss: c.loss ?? store?.lossAt(c.step),
    evalLoss: store?.evalLossAt(c.step),
  }));
  const best = bestCheckpoint(rows);
  return (
    <Card id="ckpt" title="Checkpoints">
      <DataTable class="checkpoints" testId="checkpoints" columns={CHECKPOINT_COLUMNS} rows={rows}>
        {(c, i) => (
          <tr key={c.step} data-best={i === best.index ? 'true' : undefined}>
            <td class="num">
              {c.step}
              {i === best.index && (
                <span
                  class="best-badge"
                  title={`Lowest ${best.by} of the checkpoints`}
                  data-testid="best-checkpoint"
                >
                  best
                </span>
              )}
            </td>
            <td>{formatTimestamp(c.savedAt)}</td>
            <td class="num">{c.loss != null ? c.loss.toFixed(4) : '—'}</td>
            <td class="num">{c.evalLoss != null ? c.evalLoss.toFixed(4) : '—'}</td>
            <td class="actions">
              <Button appearance="secondary" onClick={() => onTry(c.step)} data-step={String(c.step)}>
                Try in Playground
              </Button>{' '}
              <Button
                appearance="secondary"
                onClick={() => onDeploy(c.step)}
                data-testid="deploy-checkpoint"
                data-deploy-step={String(c.step)}
              >
                Deploy…
              </Button>
            </td>
          </tr>
        )}
      </DataTable>
    </Card>
  );
}
