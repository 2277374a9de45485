import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../../lib/backend";
import type { Designation, VaultSummary } from "../../lib/bindings";
import { MOCK_MATTER, createMockBackend, mockFamily, mockExhibit, type MockState } from "../../lib/mock-backend";
import { clearNotices, notices } from "../../lib/notices.svelte";
import { reset, router } from "../../lib/router.svelte";
import { session } from "../../lib/session.svelte";
import PrivilegeLog from "./PrivilegeLog.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });

function install(init: Partial<MockState> = {}) {
  const mock = createMockBackend({ open: vault(), ...init });
  setBackend(mock);
  return mock;
}

const withheld = (privilege: Designation["privilege"], log_description: string): Designation => ({ privilege, withheld: true, log_description, confidentiality: null });

/** A family (an e-mail, processed, and its attachments) with the e-mail and one attachment withheld, and a document produced with a privilege claimed. */
async function withholding() {
  const mock = install({ exhibits: [...mockFamily(1), mockExhibit(5)] });
  await mock.processExhibits({ exhibits: ["EX-0001"], ocr: false }, () => {});
  await mock.designateExhibit("EX-0001", withheld("attorney_client", "E-mail to outside counsel requesting advice on pricing"));
  await mock.designateExhibit("EX-0002", withheld("work_product", "Pricing analysis prepared at counsel's request"));
  await mock.designateExhibit("EX-0005", { privilege: "attorney_client", withheld: false, log_description: "", confidentiality: "CONFIDENTIAL" });
  return mock;
}

const rows = () => within(screen.getByTestId("privilege-log")).getAllByRole("row").slice(1);

beforeEach(() => {
  reset("export");
  session.vault = vault();
  clearNotices();
});

afterEach(() => setBackend(null));

describe("the privilege log", () => {
  it("says how to withhold a document when none is withheld, and offers nothing to save", async () => {
    install();
    render(PrivilegeLog);
    const empty = await screen.findByTestId("privilege-log-empty");
    expect(empty).toHaveTextContent("No document is withheld.");
    expect(empty).toHaveTextContent("open it from Exhibits");
    expect(empty).toHaveTextContent("“Designations for productions”");
    expect(empty).toHaveTextContent("“Withhold from productions”");
    expect(screen.queryByRole("button", { name: "Save as CSV…" })).not.toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Withheld documents and the privilege log" })).toBeInTheDocument();
  });

  it("lists every withheld exhibit with its row of the log, and opens an exhibit", async () => {
    await withholding();
    const user = userEvent.setup();
    render(PrivilegeLog);
    await screen.findByTestId("privilege-log");
    expect(screen.getByRole("status")).toHaveTextContent("2 documents withheld.");
    const headers = within(screen.getByTestId("privilege-log")).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Exhibit", "Date", "Type", "Author", "Recipients", "Privilege", "Description"]);
    const [mail, attachment] = rows();
    expect(rows()).toHaveLength(2);
    for (const text of [
      "EX-0001",
      "2026-05-14 21:04:00Z",
      "E-mail",
      "Erik Brandt <erik@example.com>",
      "e.brandt@example.net",
      "Attorney-client privilege",
      "E-mail to outside counsel requesting advice on pricing",
    ])
      expect(mail).toHaveTextContent(text);
    expect(mail).not.toHaveTextContent("in the family of");
    expect(attachment).toHaveTextContent("EX-0002");
    expect(attachment).toHaveTextContent("in the family of EX-0001");
    expect(attachment).toHaveTextContent("Attorney work product");
    expect(attachment).toHaveTextContent("2026-03-02 09:15:00Z");
    expect(attachment).toHaveTextContent("PDF document");
    // A PDF has no recipients.
    expect(within(attachment!).getAllByText("—")).toHaveLength(1);
    // Claimed but produced: not on the log.
    expect(screen.queryByText("EX-0005")).not.toBeInTheDocument();

    await user.click(within(attachment!).getByRole("button", { name: "EX-0002" }));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0002", from: "export" });
  });

  it("saves the log as CSV or PDF where the user chooses, and says nothing when the dialog is cancelled", async () => {
    const mock = await withholding();
    const save = vi.spyOn(mock, "savePrivilegeLog");
    const user = userEvent.setup();
    render(PrivilegeLog);
    await screen.findByTestId("privilege-log");
    await user.click(screen.getByRole("button", { name: "Save as CSV…" }));
    expect(save).toHaveBeenCalledWith("csv");
    await waitFor(() => expect(notices.items.map((n) => n.message)).toContain("Privilege log saved to /home/dana/privilege-log.csv (2 documents withheld)."));
    await user.click(screen.getByRole("button", { name: "Save as PDF…" }));
    expect(save).toHaveBeenLastCalledWith("pdf");
    await waitFor(() => expect(notices.items.map((n) => n.message)).toContain("Privilege log saved to /home/dana/privilege-log.pdf (2 documents withheld)."));

    clearNotices();
    mock.savePrivilegeLog = async () => null;
    await user.click(screen.getByRole("button", { name: "Save as CSV…" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Save as CSV…" })).toBeEnabled());
    expect(notices.items).toHaveLength(0);

    mock.savePrivilegeLog = async () => {
      throw new BackendError("io", "the disk is full");
    };
    await user.click(screen.getByRole("button", { name: "Save as PDF…" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The PDF was not saved: The disk is full.");
  });

  it("names a problem reading the log and tries again", async () => {
    const mock = await withholding();
    const real = mock.privilegeLog;
    mock.privilegeLog = async () => {
      throw new BackendError("locked", "the vault is locked; unlock it with its passphrase");
    };
    const user = userEvent.setup();
    render(PrivilegeLog);
    expect(await screen.findByRole("alert")).toHaveTextContent("The privilege log could not be read: The vault is locked; unlock it with its passphrase.");
    mock.privilegeLog = real;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await screen.findByTestId("privilege-log");
    expect(rows()).toHaveLength(2);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
