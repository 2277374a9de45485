import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { Preview, VaultSummary } from "../lib/bindings";
import { MOCK_MATTER, createMockBackend, mockEvent, mockExhibit, mockFamily, type MockState } from "../lib/mock-backend";
import { clearNotices } from "../lib/notices.svelte";
import { back, go, replace, reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Exhibit from "./Exhibit.svelte";
import { exhibitList, forgetExhibitList } from "./exhibits/list.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });

function install(init: Partial<MockState> = {}) {
  const mock = createMockBackend({ open: vault(), ...init });
  setBackend(mock);
  return mock;
}

const timeline = () => screen.getByTestId("custody-timeline");
const timelineRows = () => within(timeline()).getAllByRole("row").slice(1);

beforeEach(() => {
  forgetExhibitList();
  reset("exhibit", { id: "EX-0001" });
  session.vault = vault();
  session.info = null;
  session.drops = [];
  clearNotices();
});

afterEach(() => setBackend(null));

describe("Exhibit", () => {
  it("shows every recorded fact, the full hashes and the sources", async () => {
    const mock = install();
    const ex = mock.state.exhibits[0]!;
    render(Exhibit, { id: "EX-0001" });
    const sha = await screen.findByTestId("sha256");
    expect(sha.textContent).toBe(ex.sha256);
    expect(sha.textContent).toHaveLength(64);
    expect(screen.getByTestId("md5").textContent).toBe(ex.md5);
    expect(screen.queryByTestId("sha1")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy SHA-256" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy MD5" })).toBeInTheDocument();

    const h1 = screen.getByRole("heading", { level: 1 });
    expect(h1).toHaveTextContent("EX-0001");
    expect(h1).toHaveTextContent("Lodestar spec v3.pdf");
    expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);

    const record = screen.getByRole("region", { name: "Record" });
    expect(record).toHaveTextContent(ex.path);
    expect(record).toHaveTextContent("application/pdf");
    expect(record).toHaveTextContent("1.0 kB");
    expect(record).toHaveTextContent("1,001 bytes");
    expect(record).toHaveTextContent("Erik Brandt");
    expect(record).toHaveTextContent("Laptop HX-2231");
    expect(record).toHaveTextContent("Dana Whitfield");
    expect(record).toHaveTextContent("2026-06-02 10:00:00 UTC");
    expect(screen.getByTestId("object").textContent).toBe("a".repeat(64));

    const sources = screen.getByRole("region", { name: /Sources/ });
    const row = within(sources).getAllByRole("row")[1]!;
    expect(row).toHaveTextContent(ex.path);
    expect(row).toHaveTextContent("Logical copy");
    expect(row).toHaveTextContent("Litigation hold");
    expect(row).toHaveTextContent("2026-05-14 21:04:00 UTC");
    expect(screen.queryByRole("region", { name: "Received in production" })).not.toBeInTheDocument();

    const events = timelineRows();
    expect(events).toHaveLength(1);
    expect(events[0]).toHaveTextContent("Collected");
    expect(events[0]).toHaveTextContent("✓");
    expect(events[0]).toHaveTextContent("SHA-256 match");
  });

  it("shows SHA-1 when it was computed, and productions the content was received in", async () => {
    const mock = install({ exhibits: [mockExhibit(1, { sha1: "f".repeat(40) })] });
    const base = mock.exhibitDetail;
    mock.exhibitDetail = async (id) => {
      const v = await base(id);
      v.detail.received = [
        {
          bates: "HDB-000123",
          bundle_sha256: "b".repeat(64),
          sender_identity: "Keller & Roth LLP",
          sender_fingerprint: "SHA256:abcdefghijklmnop",
          sender_exhibit_id: "KR-0042",
          sender_events: 3,
          received_at: "2026-06-03T12:00:00Z",
        },
      ];
      return v;
    };
    render(Exhibit, { id: "EX-0001" });
    expect((await screen.findByTestId("sha1")).textContent).toBe("f".repeat(40));
    const received = screen.getByRole("region", { name: "Received in production" });
    for (const text of ["HDB-000123", "b".repeat(64), "Keller & Roth LLP", "SHA256:abcdefghijklmnop", "KR-0042"]) {
      expect(received).toHaveTextContent(text);
    }
  });

  it("saves the description and shows the new custody event", async () => {
    const mock = install();
    const edit = vi.spyOn(mock, "editExhibit");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    expect(screen.getByText("Each change is recorded in the custody log.")).toBeInTheDocument();
    const save = screen.getByRole("button", { name: "Save description" });
    expect(save).toBeDisabled();

    await user.type(screen.getByLabelText("Description"), "Signed copy, Bates 7");
    await user.click(save);
    expect(edit).toHaveBeenCalledWith({ id: "EX-0001", description: "Signed copy, Bates 7", add_tags: [], remove_tags: [] });
    expect(await screen.findByText(/Description saved/)).toBeInTheDocument();
    await waitFor(() => expect(timelineRows()).toHaveLength(2));
    expect(timelineRows()[1]).toHaveTextContent("Metadata edited");
    // The details in words (the mock's stand-in for the vault's sentence).
    expect(timelineRows()[1]).toHaveTextContent("Description set to “Signed copy, Bates 7”");
    expect(screen.getByLabelText("Description")).toHaveValue("Signed copy, Bates 7");
    expect(save).toBeDisabled();
  });

  it("adds and removes tags, each a logged change", async () => {
    const mock = install();
    const edit = vi.spyOn(mock, "editExhibit");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");

    await user.click(screen.getByRole("button", { name: "Remove tag hot" }));
    expect(edit).toHaveBeenLastCalledWith({ id: "EX-0001", description: null, add_tags: [], remove_tags: ["hot"] });
    await waitFor(() => expect(screen.queryByRole("button", { name: "Remove tag hot" })).not.toBeInTheDocument());
    expect(screen.getByText("No tags.")).toBeInTheDocument();

    await user.type(screen.getByLabelText("New tag"), "privileged{Enter}");
    expect(edit).toHaveBeenLastCalledWith({ id: "EX-0001", description: null, add_tags: ["privileged"], remove_tags: [] });
    expect(await screen.findByRole("button", { name: "Remove tag privileged" })).toBeInTheDocument();
    expect(screen.getByLabelText("New tag")).toHaveValue("");
    expect(timelineRows().map((r) => r.textContent)).toEqual([
      expect.stringContaining("Collected"),
      expect.stringContaining("Tag “hot” removed"),
      expect.stringContaining("Tag “privileged” added"),
    ]);
  });

  it("names the problem when a change is refused", async () => {
    const mock = install();
    mock.editExhibit = async () => {
      throw new BackendError("locked", "the vault is locked; unlock it with its passphrase");
    };
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    await user.type(screen.getByLabelText("Description"), "x");
    await user.click(screen.getByRole("button", { name: "Save description" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("the vault is locked; unlock it with its passphrase");
    expect(screen.getByLabelText("Description")).toHaveValue("x");
  });

  it("previews text on request, as text, and the viewing appears in the history", async () => {
    const mock = install();
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0003" });
    await screen.findByTestId("sha256");
    expect(screen.getByText("Viewing is recorded in the custody log.")).toBeInTheDocument();
    expect(mock.state.calls).not.toContain("previewExhibit");
    expect(screen.queryByTestId("preview")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Show preview" }));
    const preview = await screen.findByTestId("preview");
    expect(preview.querySelector("pre")).toHaveTextContent("Contents of docsys-audit-2026-05.csv");
    await waitFor(() => expect(timelineRows().at(-1)).toHaveTextContent("Viewed"));
    expect(mock.state.calls.slice(-2)).toEqual(["previewExhibit", "exhibitDetail"]);

    await user.click(screen.getByRole("button", { name: "Hide preview" }));
    expect(screen.queryByTestId("preview")).not.toBeInTheDocument();
  });

  it("shows previewed markup as text and says when text was cut short", async () => {
    const mock = install();
    const markup = '<b id="bold">x</b><img src=x onerror=alert(1)><script>alert(2)</script>';
    mock.previewExhibit = async (): Promise<Preview> => ({
      kind: "text",
      mime: "text/plain",
      url: null,
      text: markup,
      truncated: true,
      email: null,
      reason: null,
    });
    const user = userEvent.setup();
    const { container } = render(Exhibit, { id: "EX-0003" });
    await screen.findByTestId("sha256");
    await user.click(screen.getByRole("button", { name: "Show preview" }));
    const pre = (await screen.findByTestId("preview")).querySelector("pre")!;
    expect(pre.textContent).toBe(markup);
    expect(container.querySelector("img, script, #bold")).toBeNull();
    expect(screen.getByText(/Only the beginning of the file is shown/)).toBeInTheDocument();
  });

  it("previews an e-mail as headers and a text body", async () => {
    install();
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0002" });
    await screen.findByTestId("sha256");
    await user.click(screen.getByRole("button", { name: "Show preview" }));
    const preview = await screen.findByTestId("preview");
    const headers = within(preview).getByRole("table");
    const value = (name: string) => within(headers).getByRole("rowheader", { name }).nextElementSibling?.textContent;
    expect(value("From")).toBe("Erik Brandt <erik@example.com>");
    expect(value("To")).toBe("e.brandt@example.net");
    expect(value("Cc")).toBe("—");
    expect(value("Date")).toBe("2026-05-14T21:04:00Z");
    expect(value("Subject")).toBe("specs");
    expect(value("Attachments")).toBe("spec.pdf");
    expect(preview.querySelector("pre")).toHaveTextContent("See attached.");
  });

  it("says why there is no preview", async () => {
    install();
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    await user.click(screen.getByRole("button", { name: "Show preview" }));
    expect(await screen.findByTestId("preview")).toHaveTextContent("No preview for application/pdf files.");
  });

  it("shows HTML as source text, never as a page", async () => {
    install({ exhibits: [mockExhibit(1, { name: "newsletter.html", mime: "text/html" })] });
    const user = userEvent.setup();
    const { container } = render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    await user.click(screen.getByRole("button", { name: "Show preview" }));
    const preview = await screen.findByTestId("preview");
    expect(container.querySelector("iframe")).toBeNull();
    expect(container.querySelector("script")).toBeNull();
    expect(preview.querySelector("pre")).toHaveTextContent("<p>Newsletter</p><script>parent.pwned = 1</script>");
    expect(preview).toHaveTextContent("nothing in it runs or loads");
  });

  it("shows an image preview in an image element", async () => {
    install({ exhibits: [mockExhibit(1, { name: "scan.png", mime: "image/png" })] });
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    await user.click(screen.getByRole("button", { name: "Show preview" }));
    const img = await screen.findByRole("img", { name: "Preview of EX-0001, scan.png" });
    expect(img).toHaveAttribute("src", `custos-preview://localhost/${"0".repeat(64)}/EX-0001`);
  });

  it("renders a hostile exhibit name as text", async () => {
    const name = "<img src=x onerror=alert(1)>";
    install({ exhibits: [mockExhibit(1, { name })] });
    const { container } = render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent(name);
    expect(container.querySelector("img")).toBeNull();
  });

  it("says when the exhibit does not exist", async () => {
    install();
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-9999" });
    expect(await screen.findByRole("heading", { level: 1, name: "Exhibit not found" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("no exhibit EX-9999 in this vault");
    await user.click(screen.getByRole("button", { name: "← Exhibits" }));
    expect(router.screen).toBe("exhibits");
  });

  it("names other problems and can try again", async () => {
    const mock = install();
    const base = mock.exhibitDetail;
    let fail = true;
    mock.exhibitDetail = async (id) => {
      if (fail) throw new BackendError("damaged_database", "the vault database is damaged");
      return base(id);
    };
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    expect(await screen.findByRole("alert")).toHaveTextContent("the vault database is damaged");
    fail = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("sha256")).toBeInTheDocument();
  });

  it("says in words when there is no custody history", async () => {
    install({ log: [mockEvent(1, { action: "vault_created" })] });
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    expect(screen.getByText("No custody events are recorded for this exhibit.")).toBeInTheDocument();
  });

  it("goes back to the list and on to the custody log of this exhibit", async () => {
    install();
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0002" });
    await screen.findByTestId("sha256");
    await user.click(screen.getByRole("button", { name: "Open in custody log" }));
    expect(router.screen).toBe("log");
    expect(router.params).toEqual({ exhibit: "EX-0002" });
    await user.click(screen.getByRole("button", { name: "← Exhibits" }));
    expect(router.screen).toBe("exhibits");
  });

  it("steps to the previous and next exhibit of the list it was opened from, as filtered and sorted", async () => {
    const exhibits = Array.from({ length: 450 }, (_, i) => mockExhibit(i + 1, { custodian: i % 3 === 0 ? "IT Department" : "Erik Brandt" }));
    const mock = install({ exhibits, log: [] });
    // The list as left: IT Department's exhibits, highest number first.
    const list = exhibitList();
    list.custodian = "=IT Department";
    list.sortKey = "id";
    list.sortDirection = "descending";
    list.reload();
    await waitFor(() => expect(list.matching).toBe(150));
    reset("exhibits");
    go("exhibit", { id: "EX-0448", at: "0" });
    const user = userEvent.setup();
    const view = render(Exhibit, { id: router.params.id!, at: router.params.at });
    await screen.findByTestId("sha256");
    expect(screen.getByTestId("list-position")).toHaveTextContent("1 of 150 (filtered)");
    expect(screen.getByRole("button", { name: "← Previous" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Next →" }));
    await waitFor(() => expect(router.params).toEqual({ id: "EX-0445", at: "1" }));
    expect(list.activeKey).toBe("EX-0445");
    expect(list.revealIndex).toBe(1);
    // Past the first window of the list (200 rows): fetched on the way.
    replace("exhibit", { id: "EX-0004", at: "148" });
    await view.rerender({ id: router.params.id!, at: router.params.at });
    await user.click(await screen.findByRole("button", { name: "Next →" }));
    await waitFor(() => expect(router.params).toEqual({ id: "EX-0001", at: "149" }));
    await view.rerender({ id: router.params.id!, at: router.params.at });
    await waitFor(() => expect(screen.getByTestId("list-position")).toHaveTextContent("150 of 150"));
    expect(screen.getByRole("button", { name: "Next →" })).toBeDisabled();
    expect(mock.state.calls).toContain("exhibitWindow");

    // Stepping replaces the screen: back returns to the list, not the exhibit before.
    back();
    expect(router.screen).toBe("exhibits");
  });

  it("steps through the rows of a list with families grouped, into an open family and out of it", async () => {
    // EX-0001 heads EX-0002 … EX-0004; EX-0005 is on its own.
    install({ exhibits: [...mockFamily(1), mockExhibit(5)] });
    const list = exhibitList();
    list.vaultExhibits = 5;
    list.reload();
    await waitFor(() => expect(list.matching).toBe(2));
    await list.openFamily("EX-0001");
    reset("exhibits");
    go("exhibit", { id: "EX-0001", at: "0" });
    const user = userEvent.setup();
    const view = render(Exhibit, { id: router.params.id!, at: router.params.at });
    await screen.findByTestId("sha256");
    expect(screen.getByTestId("list-position")).toHaveTextContent("1 of 5 (families grouped)");
    await user.click(screen.getByRole("button", { name: "Next →" }));
    await waitFor(() => expect(router.params).toEqual({ id: "EX-0002", at: "1" }));
    replace("exhibit", { id: "EX-0004", at: "3" });
    await view.rerender({ id: router.params.id!, at: router.params.at });
    await user.click(await screen.findByRole("button", { name: "Next →" }));
    await waitFor(() => expect(router.params).toEqual({ id: "EX-0005", at: "4" }));
  });

  it("does not step away from an unsaved description, nor while a change is saved", async () => {
    const exhibits = Array.from({ length: 5 }, (_, i) => mockExhibit(i + 1));
    const mock = install({ exhibits, log: [] });
    const list = exhibitList();
    list.reload();
    await waitFor(() => expect(list.matching).toBe(5));
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0002", at: "1" });
    await screen.findByTestId("sha256");
    const nextButton = screen.getByRole("button", { name: "Next →" });
    expect(nextButton).toBeEnabled();
    await user.type(screen.getByLabelText("Description"), "draft");
    expect(nextButton).toBeDisabled();
    expect(nextButton).toHaveAttribute("title", "Save or discard the description first");
    // Saving: still not, until the answer is in.
    let release: () => void = () => {};
    const edit = mock.editExhibit;
    mock.editExhibit = async (req) => {
      await new Promise<void>((r) => (release = r));
      return edit(req);
    };
    await user.click(screen.getByRole("button", { name: "Save description" }));
    expect(nextButton).toBeDisabled();
    release();
    await waitFor(() => expect(nextButton).toBeEnabled());
  });

  it("offers no stepping when opened from outside the list", async () => {
    install();
    render(Exhibit, { id: "EX-0002" });
    await screen.findByTestId("sha256");
    expect(screen.queryByRole("navigation", { name: "Exhibits in the list" })).not.toBeInTheDocument();
  });
});
