// Every committed history under test/histories/ must replay against the current workflow code.
// A non-deterministic change (a new activity call, a reordered step) makes this fail.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replayHistories } from '../../temporal/history';
import { workflowBundlePath } from './helpers';

const dir = join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replay of committed histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const json: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const [outcome] = await replayHistories({ workflowBundle: { codePath: workflowBundlePath() } }, [{ workflowId: file, json }]);
    expect(outcome?.error).toBeUndefined();
    expect(outcome?.deterministic).toBe(true);
  });
});
