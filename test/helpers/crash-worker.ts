// `baton worker` that SIGKILLs itself at one point of one handoff step (CRASH_AT=<step>:<first-save|after-call>),
// through the runtime's onStepPoint hook: production code carries no crash switch. Spawned by spawnCrashingWorker.
import { runProcess } from '../../src/cli/run-process.js';

const [stepId, point] = (process.env.CRASH_AT ?? '').split(':');
if (!stepId || (point !== 'first-save' && point !== 'after-call')) throw new Error(`CRASH_AT must be <step>:first-save|after-call, not ${process.env.CRASH_AT}`);

await runProcess('worker', {
  prepare: (rt) => {
    rt.jobDeps.onStepPoint = (at) => {
      if (at.stepId === stepId && at.point === point) process.kill(process.pid, 'SIGKILL');
    };
  },
});
