import { fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearNotices, notices } from "../notices.svelte";
import CopyButton from "./CopyButton.svelte";

const SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

function mockClipboard(writeText: (text: string) => Promise<void>) {
  const clipboard = { writeText: vi.fn(writeText) };
  Object.defineProperty(navigator, "clipboard", { value: clipboard, configurable: true });
  return clipboard;
}

describe("CopyButton", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    clearNotices();
    Reflect.deleteProperty(navigator, "clipboard");
  });

  it("copies the text and says so briefly", async () => {
    const clipboard = mockClipboard(() => Promise.resolve());
    render(CopyButton, { text: SHA, label: "Copy SHA-256" });
    const button = screen.getByRole("button", { name: "Copy SHA-256" });
    expect(button).toHaveTextContent("Copy");

    await fireEvent.click(button);
    await vi.waitFor(() => expect(button).toHaveTextContent("Copied"));
    expect(clipboard.writeText).toHaveBeenCalledWith(SHA);
    expect(screen.getByRole("status")).toHaveTextContent("Copied");

    await vi.advanceTimersByTimeAsync(1500);
    expect(button).toHaveTextContent(/^\s*Copy\s*$/);
    expect(screen.getByRole("status")).toHaveTextContent("");
  });

  it("reports a refused clipboard as an error notice", async () => {
    mockClipboard(() => Promise.reject(new DOMException("denied", "NotAllowedError")));
    render(CopyButton, { text: SHA, label: "Copy SHA-256" });
    await fireEvent.click(screen.getByRole("button", { name: "Copy SHA-256" }));
    await vi.waitFor(() => expect(notices.items).toHaveLength(1));
    expect(notices.items[0]).toMatchObject({ kind: "error", message: "Could not copy to the clipboard." });
    expect(screen.getByRole("button", { name: "Copy SHA-256" })).toHaveTextContent(/^\s*Copy\s*$/);
  });
});
