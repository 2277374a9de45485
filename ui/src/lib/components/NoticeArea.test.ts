import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { flushSync } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import { clearNotices, notices, notify } from "../notices.svelte";
import NoticeArea from "./NoticeArea.svelte";

describe("NoticeArea", () => {
  afterEach(() => clearNotices());

  it("announces errors as alerts and the rest as status", () => {
    render(NoticeArea);
    notify("error", "The vault could not be opened.");
    notify("success", "3 files imported.");
    flushSync();
    expect(within(screen.getByRole("alert")).getByText("The vault could not be opened.")).toBeInTheDocument();
    expect(within(screen.getByRole("status")).getByText("3 files imported.")).toBeInTheDocument();
    expect(within(screen.getByRole("status")).queryByText("The vault could not be opened.")).toBeNull();
  });

  it("dismisses a notice", async () => {
    const user = userEvent.setup();
    render(NoticeArea);
    notify("error", "Disk full.");
    flushSync();
    await user.click(screen.getByRole("button", { name: "Dismiss: Disk full." }));
    expect(notices.items).toHaveLength(0);
    expect(screen.queryByText("Disk full.")).toBeNull();
  });
});
