// A StepProgress kept in memory that records every save: a fresh one models a crash before the step recorded
// anything; one built from an earlier `saved` models the retry after it.
import type { StepProgress } from '../../src/handoff/ports.js';

export interface RecordingProgress extends StepProgress {
  saves: Record<string, unknown>[];
}

export function recordingProgress(saved: Record<string, unknown> = {}): RecordingProgress {
  const p: RecordingProgress = {
    saved: structuredClone(saved),
    saves: [],
    save: async (ids) => {
      p.saves.push(structuredClone(ids));
      Object.assign(p.saved, structuredClone(ids));
    },
  };
  return p;
}
