import * as vscode from 'vscode';
import { formatLogText, type LogLine, logTypeOf, parseJobEventData } from '../core';
import type { ArkorSession } from './session';

export const LOG_SCHEME = 'arkor-log';

/** One log line as the panel and the full log show it: local time, event type, message. */
export function formatLogLine(line: Pick<LogLine, 'time' | 'type' | 'text'>): string {
  const time = new Date(line.time).toLocaleTimeString('en-GB', { hour12: false });
  return `${time}  ${line.type.padEnd(18)} ${line.text}`;
}

/**
 * "Open full log": a read-only document with every event of the job. The panel keeps the last 500
 * lines; this asks the backend for the job's whole event history (`GET /v1/jobs/:id` returns it)
 * and falls back to the store's tail when the backend does not include events.
 */
export class JobLogDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly session: ArkorSession) {}

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
    } catch {
      // Fall through to what the store holds.
    }
    const snap = connection.store.snapshot(jobId);
    return `${header}# last ${snap.log.length} of ${snap.logTotal} events\n\n${snap.log.map(formatLogLine).join('\n')}\n`;
  }
}
