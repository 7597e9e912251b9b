// ccxt's CommonJS build requires ESM-only packages (@noble/*, @scure/*) that jest's module registry
// cannot load; Node 20.19+ can (require(esm)). Hand those modules to jest from Node's own loader.
// process.getBuiltinModule bypasses jest's own module registry (importing node:module would not).
const nodeModule = (process as unknown as { getBuiltinModule(id: string): typeof import('node:module') }).getBuiltinModule('node:module');
const nodeRequire = nodeModule.createRequire(__filename);
const ESM_ONLY = [
  '@noble/hashes/sha2.js',
  '@noble/hashes/sha3.js',
  '@noble/hashes/legacy.js',
  '@noble/hashes/hmac.js',
  '@noble/hashes/utils.js',
  '@noble/curves/secp256k1.js',
  '@noble/curves/ed25519.js',
  '@noble/curves/utils.js',
  '@noble/curves/nist.js',
  '@noble/curves/abstract/poseidon.js',
  '@scure/base',
  '@scure/starknet',
];
for (const m of ESM_ONLY) jest.mock(m, () => nodeRequire(m) as unknown);
