// Minimal Hardhat 2 config: only the local JSON-RPC node (`hardhat node`) is used, to run the real
// Uniswap contracts from their npm builds. Nothing is compiled by Hardhat (that would download a
// compiler); our own token is compiled with solc-js by sim/evm/compile-token.ts.
/** @type {import('hardhat/config').HardhatUserConfig} */
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      // Blocks are mined per transaction (automine), so a receipt means the state is final. With
      // automine off (tests that put two transactions in one block) the mempool orders by tip.
      mining: { auto: true, mempool: { order: 'priority' } },
    },
  },
  paths: {
    // Keep Hardhat away from every .sol file in the repository.
    sources: './sim/evm/contracts/.hardhat-none',
    cache: './data/hardhat-cache',
    artifacts: './data/hardhat-artifacts',
  },
};
