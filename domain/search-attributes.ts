// The custom search attributes every Ballast workflow may set; the dev-server launcher registers them.
export const SEARCH_ATTRIBUTES = {
  Asset: 'Keyword',
  Venue: 'Keyword',
  Operation: 'Keyword',
  AmountUsd: 'Double',
  Requester: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;
