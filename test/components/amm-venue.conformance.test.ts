// AmmVenue (ethers v6 against real Uniswap V2 contracts on a local Hardhat node) passes the shared
// venue conformance suite: market, implied book, balances, health, idempotent withdrawals.
import { startLocalAmm, type LocalAmm } from '../../sim/evm/local-amm';
import { hardhatAccountKey } from '../../sim/evm/local-chain';
import { AmmVenue } from '../../venues/amm/amm-venue';
import { describeVenueConformance } from '../conformance/venue-conformance';

jest.setTimeout(180_000);

describeVenueConformance('AmmVenue (Uniswap V2 on a local EVM)', async () => {
  const amm: LocalAmm = await startLocalAmm({
    reserves: { base: '4000000', quote: '2000000' },
    fund: [{ address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', base: '100000', quote: '100000' }],
  });
  const venue = new AmmVenue({ id: 'uniswap', ...amm.venueOptions, wallet: { privateKey: hardhatAccountKey(1) } });
  return {
    adapter: venue,
    settle: async () => undefined, // Hardhat automines: every transaction is final on return
    withdrawTo: { address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', asset: 'BLST', amount: '10', network: 'evm-local' },
    teardown: async () => {
      await venue.close();
      await amm.stop();
    },
  };
});
