// The interrupt-chain recorder's store under reverse execution's checkpoints
// (src/vm/provenance/chain-store.ts): a capture copies only the chunks of the ring and the hop pool
// written since the capture before and shares the others with it; restoring any capture, in any
// order, gives back exactly the chains, hops, counts and strings it saw.
import * as assert from 'assert';
import { ChainStore, O_HANDLED } from '../../src/vm/provenance/chain-store';
import { captureGraph, restoreGraph } from '../../src/vm/snapshot';

/** Everything a reader of the store can see: each live chain with its hops, the counters, the strings. */
function view(st: ChainStore): unknown {
  const chains: unknown[] = [];
  for (let id = Math.max(1, st.nextId - st.capacity); id < st.nextId; id++) {
    const s = st.slot(id);
    if (s < 0) continue;
    const hops: number[][] = [];
    for (let h = st.firstHopOf(s); h >= 0; h = st.nextHop(h)) {
      hops.push([st.hopCycleAt(h), st.hopVcpu(h), st.hopLayer(h), st.hopForm(h), ...[0, 1, 2, 3, 4, 5].map((i) => st.hopArg(h, i))]);
    }
    chains.push({
      id, gsi: st.gsiAt(s), vector: st.vectorAt(s), apic: st.apicAt(s), outcome: st.outcomeAt(s), kind: st.sourceKindAt(s),
      form: st.sourceForm(s), args: [0, 1, 2].map((i) => st.sourceArg(s, i)), taken: st.takenAtOf(s), handler: st.handlerPcOf(s),
      lost: st.lostWhileMaskedAt(s), lostBy: st.lostByAt(s), first: st.firstHopOf(s), last: st.lastHopOf(s), hops,
    });
  }
  return { chains, total: st.total, dropped: Array.from(st.droppedCounts), strings: [...st.strings] };
}

/** `n` chains of `hops` hops each, their cycles past 2³² (a cycle is stored as two halves). */
function traffic(st: ChainStore, n: number, hops: number, base: number): void {
  for (let i = 0; i < n; i++) {
    const c = st.open(4, 2, i, 0, 0, -1, 0x40);
    for (let k = 0; k < hops; k++) st.hop(c, base + 10 * i + k, 0, 2, 5 + k, i, k, -1, 0x7fff_ffff);
    st.setOutcomeAt(st.slot(c), O_HANDLED);
  }
}

describe('vm/provenance: the chain store under checkpoints', () => {
  it('copies only the chunks written since the last capture, and restores each capture exactly, in any order', () => {
    const st = new ChainStore(256);
    const a = st.open(0, 3, st.intern('nic'), st.intern('00:03.0'), 0, 19, -1);
    st.hop(a, 5e9, -1, 0, 1, 7, 8, 9);
    const s1 = captureGraph(st), v1 = view(st);
    // Other chains move the pool's cursor and the ring far from a's records (a stays in the ring).
    traffic(st, 200, 5, 6e9);
    const s2 = captureGraph(st), v2 = view(st);
    // One hop for a: its record goes where the cursor is, its link into a's first hop far back in
    // the pool, its last hop into a's record in the ring's first chunk. Nothing else changes.
    st.hop(a, 7e9, 0, 3, 2, 0x31);
    const s3 = captureGraph(st), v3 = view(st);
    // An edge lost while masked, and the write that had masked it.
    st.setLostWhileMasked(st.slot(a), { cycle: 4e9, pc: 0x8000_0040, vcpu: 0 });
    const s3b = captureGraph(st), v3b = view(st);
    assert.ok(s1.bytes > 64 * 1024, `the first capture copies the whole store (${s1.bytes} bytes)`);
    assert.ok(s3.bytes < 4 * 4096, `one hop later a capture copies a few chunks (${s3.bytes} bytes)`);
    // Then a's handler, more chains (the ring wraps: chains are dropped and counted), a new string.
    const sa = st.slot(a);
    st.setTakenAt(sa, 7e9 + 150);
    st.setHandlerPc(sa, 0x8000_0100);
    st.setVector(sa, 0x31);
    st.setApic(sa, 0);
    traffic(st, 300, 4, 8e9);
    st.intern('a string interned later');
    const v4 = view(st);
    assert.notDeepStrictEqual(v4, v3);

    restoreGraph(s3b);
    assert.deepStrictEqual(view(st), v3b, 'back to the capture after the lost edge');
    restoreGraph(s3);
    assert.deepStrictEqual(view(st), v3, 'back to the third capture');
    restoreGraph(s2);
    assert.deepStrictEqual(view(st), v2, 'back to the second');
    restoreGraph(s1);
    assert.deepStrictEqual(view(st), v1, 'back to the first');
    restoreGraph(s3);
    assert.deepStrictEqual(view(st), v3, 'forward to the third again');
    // Recording goes on from a restored capture as it went from the original: the same strings, the same records.
    traffic(st, 10, 3, 9e9);
    const again = view(st);
    restoreGraph(s3);
    traffic(st, 10, 3, 9e9);
    assert.deepStrictEqual(view(st), again);
    assert.strictEqual(st.intern('a string interned later'), (v3 as { strings: string[] }).strings.length, 'a string interned after the capture is new again');
  });

  it('restores captures taken before and after the pool grew', () => {
    const st = new ChainStore(16);
    traffic(st, 16, 4, 1e9);
    const small = captureGraph(st), v = view(st);
    traffic(st, 16, 20, 2e9); // 16 live chains of 20 hops: more than the pool's 128 records
    const grown1 = captureGraph(st), g1 = view(st);
    traffic(st, 8, 3, 3e9);
    restoreGraph(grown1);
    assert.deepStrictEqual(view(st), g1);
    restoreGraph(small);
    assert.deepStrictEqual(view(st), v);
    restoreGraph(grown1);
    assert.deepStrictEqual(view(st), g1, 'forward again, to the grown pool');
    restoreGraph(small);
    traffic(st, 16, 20, 2e9);
    const grown = view(st);
    restoreGraph(small);
    traffic(st, 16, 20, 2e9);
    assert.deepStrictEqual(view(st), grown);
  });
});
