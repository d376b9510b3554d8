import type { EndpointRunSummary, EndpointSummary } from '../../src/protocol';
import { localDateTime, relativeTime } from '../jobsView/format';
import { Card } from '../shared/Card';
import { DataTable } from '../shared/DataTable';

const RUN_COLUMNS = ['Time', 'Status', 'Latency', 'Tokens (in / out)', 'Preview'];

/** The endpoint's recent requests, while its runs are retained. */
export function RunsCard({
  endpoint,
  runs,
}: {
  endpoint: EndpointSummary;
  runs: EndpointRunSummary[] | undefined;
}) {
  const notStored = endpoint.retention?.mode === 'disabled';
  const now = Date.now();
  return (
    <Card
      id="runs"
      title="Recent requests"
      testId="runs-card"
      aside={<span class="muted small">{endpoint.retentionText}</span>}
    >
      {notStored ? (
        <p class="muted">Requests are not stored. Choose a run retention above to see them here.</p>
      ) : !runs ? (
        <p class="muted">This backend does not report the endpoint's requests.</p>
      ) : (
        <DataTable testId="runs" columns={RUN_COLUMNS} rows={runs} empty="No requests yet.">
          {(r) => (
            <tr key={r.id} data-testid="run-row">
              <td title={localDateTime(new Date(r.time))}>{relativeTime(r.time, now)}</td>
              <td>{r.status}</td>
              <td class="num">{r.latencyMs !== undefined ? `${Math.round(r.latencyMs)} ms` : '—'}</td>
              <td class="num">
                {r.promptTokens ?? '—'} / {r.completionTokens ?? '—'}
              </td>
              <td class="preview" title={r.preview}>
                {r.preview}
              </td>
            </tr>
          )}
        </DataTable>
      )}
    </Card>
  );
}
