import { describe, expect, it } from "vitest";
import { KEEP_PAGES, PAGE, PagedRows, type Fetched } from "./paged-rows.svelte";

/** Rows 0…n-1 named "r<i>", fetched from a counted, optionally held back source. */
function source(n: number) {
  const calls: number[] = [];
  let hold: Promise<void> | null = null;
  const fetch = async (offset: number, limit: number): Promise<Fetched<string>> => {
    calls.push(offset);
    if (hold) await hold;
    return { total: n, rows: Array.from({ length: Math.max(0, Math.min(limit, n - offset)) }, (_, i) => `r${offset + i}`) };
  };
  return {
    calls,
    fetch,
    holdBack() {
      let release: () => void = () => {};
      hold = new Promise<void>((r) => (release = r));
      return () => {
        hold = null;
        release();
      };
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("PagedRows", () => {
  it("holds only the pages near those drawn while a long list is scrolled through", async () => {
    const s = source(500_000);
    const rows = new PagedRows(s.fetch, (r) => r);
    for (let first = 0; first < 500_000; first += 7_919) {
      rows.need(first, first + 30);
      await settle();
      expect(rows.row(first)).toBe(`r${first}`);
      expect(rows.heldPages).toBeLessThanOrEqual(2 * KEEP_PAGES + 3);
    }
    // A key of a page let go keeps its position (the table's active row may
    // be there); its row is fetched again when drawn.
    expect(rows.indexOf("r0")).toBe(0);
    expect(rows.row(0)).toBeUndefined();
  });

  it("fetches a page once, and a row asked for while its page is on its way waits for it", async () => {
    const s = source(1_000);
    const rows = new PagedRows(s.fetch, (r) => r);
    const release = s.holdBack();
    rows.need(PAGE, PAGE + 20);
    const asked = rows.at(PAGE + 5);
    release();
    expect(await asked).toBe(`r${PAGE + 5}`);
    expect(s.calls.filter((o) => o === PAGE)).toHaveLength(1);
    expect(await rows.at(1_000)).toBeUndefined();
  });

  it("drops an answer to an older query, even one that comes last", async () => {
    let label = "old";
    const gates: (() => void)[] = [];
    const fetch = async (offset: number): Promise<Fetched<string>> => {
      const mine = label;
      await new Promise<void>((r) => gates.push(r));
      return { total: 10, rows: Array.from({ length: Math.max(0, 10 - offset) }, (_, i) => `${mine}${offset + i}`) };
    };
    const rows = new PagedRows(fetch, (r) => r);
    rows.need(0, 5);
    label = "new";
    rows.reset(false);
    // The old query's first page, then the new query's pages.
    expect(gates.length).toBeGreaterThanOrEqual(2);
    for (const open of gates.slice(1)) open();
    await settle();
    expect(rows.row(0)).toBe("new0");
    gates[0]!();
    await settle();
    expect(rows.row(0)).toBe("new0");
  });
});
