import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Column } from "./lib/components/table";

// The desktop shell freezes Object.prototype (tauri.conf.json,
// "freezePrototype"); code that assigns over inherited properties then throws.
// This file runs in its own worker, so the freeze does not leak into others.

interface Row {
  id: string;
}

describe("with a frozen Object.prototype", () => {
  it("runs the shell, the table and the strength meter", async () => {
    Object.freeze(Object.prototype);
    const { default: App } = await import("./App.svelte");
    const { setBackend } = await import("./lib/backend");
    const { createMockBackend, MOCK_MATTER } = await import("./lib/mock-backend");
    setBackend(createMockBackend({ open: { matter: MOCK_MATTER, path: "/v", demo: false, examiner: "Dana Whitfield", firm: null } }));
    const { default: VirtualTable } = await import("./lib/components/VirtualTable.svelte");
    const { default: StrengthMeter } = await import("./lib/components/StrengthMeter.svelte");
    const user = userEvent.setup();

    render(App);
    await user.click(await screen.findByRole("button", { name: "Verify" }));
    expect(screen.getByRole("button", { name: "Verify" })).toHaveAttribute("aria-current", "page");

    const columns: Column<Row>[] = [
      { key: "id", label: "Id", render: (r) => r.id, sort: (a, b) => a.id.localeCompare(b.id) },
    ];
    render(VirtualTable<Row>, { rows: [{ id: "b" }, { id: "a" }], columns, rowKey: (r) => r.id, label: "T" });
    await user.click(screen.getByRole("button", { name: "Id" }));
    expect(screen.getByRole("columnheader", { name: "Id" })).toHaveAttribute("aria-sort", "ascending");
    await user.click(screen.getByRole("checkbox", { name: "Select all rows" }));
    expect(screen.getByRole("checkbox", { name: "Select a" })).toBeChecked();

    render(StrengthMeter, { value: "password" });
    expect(await screen.findByText("Very weak", {}, { timeout: 10_000 })).toBeInTheDocument();
  });
});
