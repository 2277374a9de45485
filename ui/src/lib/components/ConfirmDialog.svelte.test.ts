import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearNotices, notices } from "../notices.svelte";
import ConfirmDialog from "./ConfirmDialog.svelte";

function setup(extra: Record<string, unknown> = {}) {
  const props = $state({
    open: true,
    title: "Remove exhibit?",
    message: "EX-0007 will be marked as withdrawn.",
    confirmLabel: "Remove",
    onConfirm: vi.fn(),
    onCancel: vi.fn(),
    ...extra,
  });
  render(ConfirmDialog, { props });
  return props;
}

describe("ConfirmDialog", () => {
  afterEach(() => clearNotices());

  it("asks the question as an alert dialog", () => {
    setup();
    const dialog = screen.getByRole("alertdialog", { name: "Remove exhibit?" });
    expect(dialog).toHaveAccessibleDescription("EX-0007 will be marked as withdrawn.");
    expect(screen.getByRole("button", { name: "Remove" })).toHaveFocus();
  });

  it("focuses Cancel first for destructive actions", () => {
    setup({ danger: true });
    expect(screen.getByRole("button", { name: "Cancel" })).toHaveFocus();
    expect(screen.getByRole("button", { name: "Remove" })).toHaveClass("btn-danger");
  });

  it("confirms and closes", async () => {
    const user = userEvent.setup();
    const props = setup();
    await user.click(screen.getByRole("button", { name: "Remove" }));
    expect(props.onConfirm).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(props.open).toBe(false));
    expect(props.onCancel).not.toHaveBeenCalled();
  });

  it("waits for an async action and stays open when it fails", async () => {
    const user = userEvent.setup();
    let fail: (e: Error) => void = () => {};
    const onConfirm = vi.fn(
      () =>
        new Promise<void>((_, reject) => {
          fail = reject;
        }),
    );
    const props = setup({ onConfirm });
    await user.click(screen.getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Remove" })).toBeDisabled());
    fail(new Error("The vault is read-only."));
    await waitFor(() => expect(screen.getByRole("button", { name: "Remove" })).toBeEnabled());
    expect(props.open).toBe(true);
    expect(notices.items.map((n) => n.message)).toEqual(["The vault is read-only."]);
  });

  it("cancels with the button or Escape", async () => {
    const user = userEvent.setup();
    const props = setup();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(props.open).toBe(false);
    expect(props.onCancel).toHaveBeenCalledTimes(1);

    props.open = true;
    await waitFor(() => expect(screen.getByRole("alertdialog")).toBeInTheDocument());
    await user.keyboard("{Escape}");
    expect(props.open).toBe(false);
    expect(props.onCancel).toHaveBeenCalledTimes(2);
    expect(props.onConfirm).not.toHaveBeenCalled();
  });
});
