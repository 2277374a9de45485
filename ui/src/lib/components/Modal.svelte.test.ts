import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { createRawSnippet, flushSync } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import Modal from "./Modal.svelte";

const form = createRawSnippet(() => ({
  render: () => `<div><label>Name <input type="text" /></label><button type="button">Save</button></div>`,
}));

function withOpener() {
  const opener = document.createElement("button");
  opener.textContent = "Open";
  document.body.append(opener);
  opener.focus();
  return opener;
}

describe("Modal", () => {
  afterEach(() => {
    document.body.innerHTML = "";
  });

  it("is a labelled modal dialog that takes focus", () => {
    withOpener();
    render(Modal, { open: true, title: "Edit exhibit", children: form });
    const dialog = screen.getByRole("dialog", { name: "Edit exhibit" });
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(screen.getByRole("textbox", { name: "Name" })).toHaveFocus();
  });

  it("renders nothing while closed", () => {
    render(Modal, { open: false, title: "Hidden", children: form });
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("keeps Tab and Shift+Tab inside the dialog", async () => {
    const user = userEvent.setup();
    withOpener();
    render(Modal, { open: true, title: "Edit exhibit", children: form });
    const input = screen.getByRole("textbox", { name: "Name" });
    const save = screen.getByRole("button", { name: "Save" });
    const close = screen.getByRole("button", { name: "Close" });

    expect(input).toHaveFocus();
    await user.tab();
    expect(save).toHaveFocus();
    // The Close button comes first in the dialog, so Tab from Save (the last item) wraps to it.
    await user.tab();
    expect(close).toHaveFocus();
    await user.tab({ shift: true });
    expect(save).toHaveFocus();
    await user.tab({ shift: true });
    expect(input).toHaveFocus();
    await user.tab({ shift: true });
    expect(close).toHaveFocus();
    await user.tab({ shift: true });
    expect(save).toHaveFocus();
  });

  it("brings focus back if it escapes", () => {
    const opener = withOpener();
    render(Modal, { open: true, title: "Edit exhibit", children: form });
    opener.focus();
    expect(opener).not.toHaveFocus();
    expect(screen.getByRole("dialog").contains(document.activeElement)).toBe(true);
  });

  it("closes on Escape, reports it and returns focus to the opener", async () => {
    const user = userEvent.setup();
    const opener = withOpener();
    const onClose = vi.fn();
    const props = $state({ open: true, title: "Edit exhibit", children: form, onClose });
    render(Modal, { props });
    await user.keyboard("{Escape}");
    flushSync();
    expect(props.open).toBe(false);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(opener).toHaveFocus();
  });

  it("stays open on Escape when it is not dismissible", async () => {
    const user = userEvent.setup();
    render(Modal, { open: true, title: "Working", children: form, dismissible: false });
    await user.keyboard("{Escape}");
    expect(screen.getByRole("dialog")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Close" })).toBeNull();
  });
});
