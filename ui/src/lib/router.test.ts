import { beforeEach, describe, expect, it } from "vitest";
import { back, go, reset, router } from "./router.svelte";

describe("router", () => {
  beforeEach(() => reset());

  it("starts on the start screen", () => {
    expect(router.screen).toBe("start");
    expect(router.params).toEqual({});
  });

  it("moves between screens with parameters", () => {
    go("exhibits");
    expect(router.screen).toBe("exhibits");
    go("exhibit", { id: "EX-0007" });
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0007" });
  });

  it("copies parameters so later changes by the caller do not leak in", () => {
    const params = { id: "EX-1" };
    go("exhibit", params);
    params.id = "EX-2";
    expect(router.params.id).toBe("EX-1");
  });

  it("goes back through history", () => {
    go("exhibits");
    go("exhibit", { id: "EX-1" });
    go("exhibit", { id: "EX-2" });
    expect(back()).toBe(true);
    expect(router.params).toEqual({ id: "EX-1" });
    expect(back()).toBe(true);
    expect(router.screen).toBe("exhibits");
    expect(back()).toBe(true);
    expect(router.screen).toBe("start");
    expect(back()).toBe(false);
  });

  it("does not record the same screen twice", () => {
    go("log");
    go("log");
    expect(back()).toBe(true);
    expect(router.screen).toBe("start");
  });

  it("reset forgets history", () => {
    go("dashboard");
    go("settings");
    reset();
    expect(router.screen).toBe("start");
    expect(back()).toBe(false);
  });
});
