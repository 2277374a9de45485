import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { Designation, VaultSummary } from "../lib/bindings";
import { MOCK_MATTER, createMockBackend, mockExhibit, type MockState } from "../lib/mock-backend";
import { clearNotices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Exhibit from "./Exhibit.svelte";
import { exhibitList, forgetExhibitList } from "./exhibits/list.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });

function install(init: Partial<MockState> = {}) {
  const mock = createMockBackend({ open: vault(), ...init });
  setBackend(mock);
  return mock;
}

const card = () => screen.getByRole("region", { name: "Designations for productions" });
const current = () => screen.getByTestId("designation-current");
const timelineRows = () => within(screen.getByTestId("custody-timeline")).getAllByRole("row").slice(1);
const WITHHELD: Designation = {
  privilege: "work_product",
  withheld: true,
  log_description: "Pricing analysis prepared for counsel",
  confidentiality: "HIGHLY CONFIDENTIAL – ATTORNEYS' EYES ONLY",
};

beforeEach(() => {
  forgetExhibitList();
  reset("exhibit", { id: "EX-0001" });
  session.vault = vault();
  session.info = null;
  session.drops = [];
  session.job = null;
  clearNotices();
});

afterEach(() => setBackend(null));

describe("Exhibit: designations for productions", () => {
  it("shows none at first, then withholds the exhibit: badges by its name and the change in the custody history", async () => {
    const mock = install();
    const designate = vi.spyOn(mock, "designateExhibit");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    expect(current()).toHaveTextContent("None claimed");
    expect(current()).toHaveTextContent("Produced");
    expect(screen.queryByTestId("designation-badges")).not.toBeInTheDocument();
    expect(within(card()).queryByRole("button", { name: "Clear designations…" })).not.toBeInTheDocument();

    await user.click(within(card()).getByRole("button", { name: "Change designations…" }));
    const privilege = screen.getByLabelText("Privilege claimed");
    expect(privilege).toHaveFocus();
    expect(screen.getByRole("button", { name: "Save designations" })).toBeDisabled();
    await user.selectOptions(privilege, "Attorney-client privilege");
    expect(screen.getByText(/Not withheld, the document is produced/)).toBeInTheDocument();
    await user.click(screen.getByLabelText("Withhold from productions (a slip sheet takes its place; listed on the privilege log)"));
    expect(screen.queryByText(/Not withheld, the document is produced/)).not.toBeInTheDocument();
    await user.type(screen.getByLabelText("Privilege log description"), "E-mail to outside counsel requesting advice on the agreement");
    expect(screen.getByText(/never its privileged content/)).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Confidentiality"), "CONFIDENTIAL");
    await user.click(screen.getByRole("button", { name: "Save designations" }));

    expect(designate).toHaveBeenCalledWith("EX-0001", {
      privilege: "attorney_client",
      withheld: true,
      log_description: "E-mail to outside counsel requesting advice on the agreement",
      confidentiality: "CONFIDENTIAL",
    });
    expect(await within(card()).findByRole("status")).toHaveTextContent("Designations saved. The change is recorded in the custody log.");
    expect(screen.queryByLabelText("Privilege claimed")).not.toBeInTheDocument();
    expect(within(card()).getByRole("button", { name: "Change designations…" })).toHaveFocus();
    expect(current()).toHaveTextContent("Attorney-client privilege");
    expect(current()).toHaveTextContent("Withheld: a slip sheet takes its place; listed on the privilege log");
    expect(current()).toHaveTextContent("E-mail to outside counsel requesting advice on the agreement");
    expect(current()).toHaveTextContent("CONFIDENTIAL");
    const badges = screen.getByTestId("designation-badges");
    expect(within(badges).getByText("Withheld — privileged")).toBeInTheDocument();
    expect(within(badges).getByText("CONFIDENTIAL")).toBeInTheDocument();

    await waitFor(() => expect(timelineRows()).toHaveLength(2));
    expect(timelineRows()[1]).toHaveTextContent("Metadata edited");
    expect(timelineRows()[1]).toHaveTextContent(
      "Designated: Attorney-client privilege claimed; withheld from productions (privilege log); confidentiality “CONFIDENTIAL”; log description “E-mail to outside counsel requesting advice on the agreement”",
    );
    expect(await mock.privilegeLog()).toHaveLength(1);
  });

  it("says what is missing before sending, as the vault would refuse it, and marks the fields", async () => {
    const mock = install();
    const designate = vi.spyOn(mock, "designateExhibit");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    await user.click(screen.getByRole("button", { name: "Change designations…" }));
    await user.click(screen.getByLabelText(/^Withhold from productions/));
    // Nothing shown before Save is pressed.
    expect(within(card()).queryByRole("alert")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save designations" }));

    const alert = within(card()).getByRole("alert");
    expect(alert).toHaveTextContent("A withheld document needs the privilege claimed for it (attorney-client, work product or common interest).");
    expect(alert).toHaveTextContent("A withheld document needs a description for the privilege log (what it is, never its privileged content).");
    expect(screen.getByLabelText("Privilege claimed")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Privilege log description")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Privilege log description").getAttribute("aria-describedby")).toContain("designation-problems");
    expect(designate).not.toHaveBeenCalled();

    // Fixed as typed: the problems go as they are solved.
    await user.selectOptions(screen.getByLabelText("Privilege claimed"), "Common-interest privilege");
    expect(screen.getByLabelText("Privilege claimed")).toHaveAttribute("aria-invalid", "false");
    expect(within(card()).getByRole("alert")).not.toHaveTextContent("privilege claimed for it");
    await user.type(screen.getByLabelText("Privilege log description"), "Memo among co-defendants' counsel");
    expect(within(card()).queryByRole("alert")).not.toBeInTheDocument();

    // A level typed in: needed once chosen.
    await user.selectOptions(screen.getByLabelText("Confidentiality"), "Another level…");
    await user.click(screen.getByRole("button", { name: "Save designations" }));
    expect(within(card()).getByRole("alert")).toHaveTextContent("Type the confidentiality level, or choose none.");
    const other = screen.getByLabelText("Level, as the protective order words it");
    expect(other).toHaveAttribute("aria-invalid", "true");
    await user.type(other, "  RESTRICTED – OUTSIDE COUNSEL ONLY ");
    await user.click(screen.getByRole("button", { name: "Save designations" }));
    expect(designate).toHaveBeenCalledWith("EX-0001", {
      privilege: "common_interest",
      withheld: true,
      log_description: "Memo among co-defendants' counsel",
      confidentiality: "RESTRICTED – OUTSIDE COUNSEL ONLY",
    });
    expect(await within(screen.getByTestId("designation-badges")).findByText("RESTRICTED – OUTSIDE COUNSEL ONLY")).toBeInTheDocument();
  });

  it("keeps the form open with the vault's reason when it refuses", async () => {
    const mock = install();
    mock.designateExhibit = async () => {
      throw new BackendError("invalid_input", "a confidentiality level is 1 to 100 characters, with no control characters");
    };
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    await user.click(screen.getByRole("button", { name: "Change designations…" }));
    await user.selectOptions(screen.getByLabelText("Confidentiality"), "CONFIDENTIAL");
    await user.click(screen.getByRole("button", { name: "Save designations" }));
    expect(await within(card()).findByRole("alert")).toHaveTextContent(
      "The designations were not changed: A confidentiality level is 1 to 100 characters, with no control characters.",
    );
    expect(screen.getByLabelText("Confidentiality")).toHaveValue("CONFIDENTIAL");
    expect(screen.queryByTestId("designation-badges")).not.toBeInTheDocument();
  });

  it("opens the form with the designations as they stand, and cancels without a change", async () => {
    const mock = install({ designations: new Map([["EX-0001", { ...WITHHELD }]]) });
    const designate = vi.spyOn(mock, "designateExhibit");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    await user.click(screen.getByRole("button", { name: "Change designations…" }));
    expect(screen.getByLabelText("Privilege claimed")).toHaveValue("work_product");
    expect(screen.getByLabelText(/^Withhold from productions/)).toBeChecked();
    expect(screen.getByLabelText("Privilege log description")).toHaveValue("Pricing analysis prepared for counsel");
    expect(screen.getByLabelText("Confidentiality")).toHaveValue("HIGHLY CONFIDENTIAL – ATTORNEYS' EYES ONLY");
    expect(screen.getByRole("button", { name: "Save designations" })).toBeDisabled();
    await user.clear(screen.getByLabelText("Privilege log description"));
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(designate).not.toHaveBeenCalled();
    expect(current()).toHaveTextContent("Pricing analysis prepared for counsel");
  });

  it("clears the designations only after a confirmation, and logs it", async () => {
    const mock = install({ designations: new Map([["EX-0001", { ...WITHHELD }]]) });
    const designate = vi.spyOn(mock, "designateExhibit");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    const badges = screen.getByTestId("designation-badges");
    expect(badges).toHaveTextContent("Withheld — privileged");
    expect(badges).toHaveTextContent("HIGHLY CONFIDENTIAL – ATTORNEYS' EYES ONLY");

    await user.click(screen.getByRole("button", { name: "Clear designations…" }));
    let dialog = screen.getByRole("alertdialog", { name: "Clear the designations?" });
    expect(dialog).toHaveTextContent("no longer be withheld from productions nor listed on the privilege log");
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(designate).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Clear designations…" }));
    dialog = screen.getByRole("alertdialog", { name: "Clear the designations?" });
    await user.click(within(dialog).getByRole("button", { name: "Clear designations" }));
    expect(designate).toHaveBeenCalledWith("EX-0001", { privilege: null, withheld: false, log_description: "", confidentiality: null });
    await waitFor(() => expect(screen.queryByTestId("designation-badges")).not.toBeInTheDocument());
    expect(within(card()).getByRole("status")).toHaveTextContent("Designations cleared.");
    expect(current()).toHaveTextContent("None claimed");
    expect(screen.queryByRole("button", { name: "Clear designations…" })).not.toBeInTheDocument();
    await waitFor(() => expect(timelineRows().at(-1)).toHaveTextContent("Designations cleared"));
    expect(await mock.privilegeLog()).toEqual([]);
  });

  it("does not step to another exhibit while the designations are being changed", async () => {
    install({ exhibits: Array.from({ length: 3 }, (_, i) => mockExhibit(i + 1)), log: [] });
    const list = exhibitList();
    list.reload();
    await waitFor(() => expect(list.matching).toBe(3));
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0002", at: "1" });
    await screen.findByTestId("sha256");
    const nextButton = screen.getByRole("button", { name: "Next →" });
    await user.click(screen.getByRole("button", { name: "Change designations…" }));
    expect(nextButton).toBeDisabled();
    expect(nextButton).toHaveAttribute("title", "Save or cancel the designations first");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(nextButton).toBeEnabled();
  });

  it("goes back to the export screen when opened from its privilege log", async () => {
    install();
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001", from: "export" });
    await screen.findByTestId("sha256");
    await user.click(screen.getByRole("button", { name: "← Export" }));
    expect(router.screen).toBe("export");
  });
});
