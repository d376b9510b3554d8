import * as vscode from 'vscode';

/** A hold on a project's progress notification: update its message, release it when done. */
export interface ProgressHold {
  report(message: string): void;
  release(): void;
}

interface Slot {
  holders: number;
  message: string;
  report: (message: string) => void;
  close: () => void;
}

/**
 * One progress notification per project at a time. A second build or run of a project while the
 * first is still building or starting updates the same notification instead of stacking another; it
 * closes when the last holder releases it.
 */
export class ProjectProgress {
  private readonly slots = new Map<string, Slot>();

  hold(key: string, title: string, message: string): ProgressHold {
    let slot = this.slots.get(key);
    if (slot) {
      slot.report(message);
    } else {
      let close = () => {};
      const closed = new Promise<void>((resolve) => {
        close = resolve;
      });
      const created: Slot = {
        holders: 0,
        message,
        // Until VS Code hands over the progress object, remember the latest message.
        report: (m) => {
          created.message = m;
        },
        close,
      };
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title },
        (progress) => {
          created.report = (m) => {
            created.message = m;
            progress.report({ message: m });
          };
          progress.report({ message: created.message });
          return closed;
        },
      );
      this.slots.set(key, created);
      slot = created;
    }
    const held = slot;
    held.holders++;
    let released = false;
    return {
      report: (m) => !released && held.report(m),
      release: () => {
        if (released) return;
        released = true;
        if (--held.holders > 0) return;
        if (this.slots.get(key) === held) this.slots.delete(key);
        held.close();
      },
    };
  }

  /** Closes every notification (the extension is going away). */
  dispose(): void {
    for (const slot of this.slots.values()) slot.close();
    this.slots.clear();
  }
}
