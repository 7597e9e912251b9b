// Every committed history under test/histories/ must replay against the current workflow code.
// A non-deterministic change (a new activity call, a reordered step) makes this fail.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKFLOW_IDS_MANIFEST, readWorkflowIds, replayHistories } from '../../temporal/history';
import * as workflows from '../../workflows';
import { workflowBundlePath } from './helpers';

const dir = join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== WORKFLOW_IDS_MANIFEST);
const ids = readWorkflowIds(dir, (p) => readFileSync(p, 'utf8'));

describe('replay of committed histories', () => {
  it('has a history of every workflow type the worker registers', () => {
    const types = new Set(
      files.map((f) => {
        const h = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[] };
        return h.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
      }),
    );
    expect([...types].sort()).toEqual(Object.keys(workflows).sort());
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const json: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const [outcome] = await replayHistories({ workflowBundle: { codePath: workflowBundlePath() } }, [{ workflowId: ids[file] ?? file, json }]);
    expect(outcome?.error).toBeUndefined();
    expect(outcome?.deterministic).toBe(true);
  });
});
