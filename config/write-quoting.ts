// Writes per-venue quoting overrides (`venues[].quoting`, from `npm run tune`) into a config file,
// keeping its comments and layout, and refuses a result that the config schema would not load.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { VenueQuoting } from '../domain/config.schema';
import { parseConfig } from './load';

/** The new text of the config with `overrides` set on the venues they name (others untouched). */
export function withVenueQuoting(text: string, overrides: Record<string, VenueQuoting>, source = 'config'): string {
  const doc = parseDocument(text);
  const venues = doc.get('venues', true) as { items: { get(k: string): unknown; set(k: string, v: unknown): void }[] } | undefined;
  if (!venues || !Array.isArray(venues.items)) throw new Error(`${source}: no venues list`);
  const seen = new Set<string>();
  for (const item of venues.items) {
    const id = item.get('id');
    if (typeof id !== 'string' || !(id in overrides)) continue;
    seen.add(id);
    // Decimals stay quoted strings; the node is a flow map so each venue keeps one readable line.
    const node = doc.createNode(overrides[id]);
    (node as { flow?: boolean }).flow = true;
    item.set('quoting', node);
  }
  const missing = Object.keys(overrides).filter((id) => !seen.has(id));
  if (missing.length > 0) throw new Error(`${source}: no venue with id ${missing.join(', ')}`);
  const out = doc.toString({ lineWidth: 0 });
  parseConfig(doc.toJS(), source); // throws ConfigError naming the field if the tuner wrote something invalid
  return out;
}

export function writeVenueQuoting(path: string, overrides: Record<string, VenueQuoting>): void {
  writeFileSync(path, withVenueQuoting(readFileSync(path, 'utf8'), overrides, path));
}
