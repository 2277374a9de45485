import { beforeEach, describe, expect, it } from "vitest";
import { mockExhibit } from "../../lib/mock-backend";
import { reset, router } from "../../lib/router.svelte";
import { exportPicked, exportSearch, pickedIds, pickedParams, searchParams, takeHandedRows } from "./handoff";

beforeEach(() => reset("search"));

describe("opening the export wizard from another screen", () => {
  it("names the exhibits picked, and hands their listings along once", () => {
    expect(pickedParams(["EX-0002", "EX-0003"])).toEqual({ picked: "EX-0002,EX-0003" });
    expect(pickedIds(" EX-0002, ,EX-0003,EX-0002")).toEqual(["EX-0002", "EX-0003"]);
    exportPicked(["EX-0002"], [mockExhibit(2), mockExhibit(3)]);
    expect(router).toMatchObject({ screen: "export", params: { picked: "EX-0002" } });
    expect(takeHandedRows(["EX-0002"]).map((r) => r.id)).toEqual(["EX-0002"]);
    expect(takeHandedRows(["EX-0002"])).toEqual([]);
  });

  it("names a search by its query, and by its saved name when it is a saved search", () => {
    expect(searchParams("falcon pre/3 price")).toEqual({ search: "falcon pre/3 price" });
    expect(searchParams("falcon", "Falcon documents")).toEqual({ search: "falcon", search_name: "Falcon documents" });
    exportSearch('custodian:"Erik Brandt"', "Brandt");
    expect(router).toMatchObject({ screen: "export", params: { search: 'custodian:"Erik Brandt"', search_name: "Brandt" } });
  });
});
