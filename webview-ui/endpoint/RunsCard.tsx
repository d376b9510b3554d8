import type { EndpointRunSummary, EndpointSummary } from '../../src/protocol';
import { relativeTime } from '../jobsView/format';

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
    <section class="card" aria-labelledby="runs-heading" data-testid="runs-card">
      <div class="card-title">
        <h2 id="runs-heading">Recent requests</h2>
        <span class="muted small">{endpoint.retentionText}</span>
      </div>
      {notStored ? (
        <p class="muted">Requests are not stored. Choose a run retention above to see them here.</p>
      ) : !runs ? (
        <p class="muted">This backend does not report the endpoint's requests.</p>
      ) : runs.length === 0 ? (
        <p class="muted" data-testid="no-runs">
          No requests yet.
        </p>
      ) : (
        <table class="data-table" data-testid="runs">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Status</th>
              <th scope="col">Latency</th>
              <th scope="col">Tokens (in / out)</th>
              <th scope="col">Preview</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} data-testid="run-row">
                <td title={new Date(r.time).toLocaleString()}>{relativeTime(r.time, now)}</td>
                <td>{r.status}</td>
                <td class="num">{r.latencyMs !== undefined ? `${Math.round(r.latencyMs)} ms` : '—'}</td>
                <td class="num">
                  {r.promptTokens ?? '—'} / {r.completionTokens ?? '—'}
                </td>
                <td class="preview" title={r.preview}>
                  {r.preview}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
