import * as vscode from 'vscode';
import { formatLogText, logTypeOf, parseJobEventData } from '../core';
import { errorText } from './log';
import type { ArkorSession } from './session';
import { formatLogLine } from './viewModels';

export const LOG_SCHEME = 'arkor-log';

export { formatLogLine };

/**
 * "Open full log": a read-only document with every event of the job. The panel keeps the last 500
 * lines; this asks the backend for the job's whole event history (`GET /v1/jobs/:id` returns it)
 * and falls back to the store's tail when the backend does not include events.
 */
export class JobLogDocuments implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly session: ArkorSession,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  static uri(jobId: string, name: string): vscode.Uri {
    return vscode.Uri.from({
      scheme: LOG_SCHEME,
      path: `/${name.replace(/[^\w.-]+/g, '_')}.log`,
      query: jobId,
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const jobId = uri.query;
    const connection = await this.session.connect();
    const header = `# Arkor job ${jobId}\n`;
    try {
      const { job, events } = await connection.client.getJob(connection.scope, jobId);
      if (Array.isArray(events) && events.length > 0) {
        const lines = events.map((raw) => {
          // The same lenient parsing as the live stream: unknown types and odd frames still show.
          const { event } = parseJobEventData(JSON.stringify(raw) ?? '', { jobId, now: () => 0 });
          return formatLogLine({
            time: 'timestamp' in event ? Date.parse(event.timestamp) || 0 : 0,
            type: logTypeOf(event),
            text: formatLogText(event),
          });
        });
        return `${header}# ${job.name} · ${job.status} · ${lines.length} events\n\n${lines.join('\n')}\n`;
      }
    } catch (error) {
      // Fall through to what the store holds.
      this.log.warn(
        `Could not fetch the event history of job ${jobId}; showing the log tail: ${errorText(error)}`,
      );
    }
    const tail = connection.store.log(jobId);
    return `${header}# last ${tail.lines.length} of ${tail.total} events\n\n${tail.lines.map(formatLogLine).join('\n')}\n`;
  }
}
