import { render, screen, waitFor } from "@testing-library/svelte";
import type { PDFDocumentLoadingTask } from "pdfjs-dist";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../pdf", () => ({ openPdf: vi.fn() }));

import { openPdf } from "../pdf";
import PdfPreview from "./PdfPreview.svelte";

const openPdfMock = vi.mocked(openPdf);

function fakePage() {
  return {
    getViewport: ({ scale }: { scale: number }) => ({ width: 612 * scale, height: 792 * scale }),
    render: vi.fn(() => ({ promise: Promise.resolve(), cancel: vi.fn() })),
  };
}

function fakeTask(numPages: number, failure?: unknown) {
  const pages = new Map<number, ReturnType<typeof fakePage>>();
  const doc = {
    numPages,
    getPage: vi.fn(async (n: number) => {
      if (n < 1 || n > numPages) throw new Error(`no page ${n}`);
      const page = pages.get(n) ?? fakePage();
      pages.set(n, page);
      return page;
    }),
  };
  const task = {
    promise: failure === undefined ? Promise.resolve(doc) : Promise.reject(failure),
    destroy: vi.fn(() => Promise.resolve()),
  };
  task.promise.catch(() => {});
  return { doc, pages, task: task as unknown as PDFDocumentLoadingTask & typeof task };
}

/** An IntersectionObserver that tests trigger by hand. */
class FakeObserver {
  static instances: FakeObserver[] = [];
  targets: Element[] = [];
  constructor(private callback: IntersectionObserverCallback) {
    FakeObserver.instances.push(this);
  }
  observe(el: Element) {
    this.targets.push(el);
  }
  disconnect() {
    this.targets = [];
  }
  unobserve() {}
  takeRecords() {
    return [];
  }
  show() {
    const entries = this.targets.map((target) => ({ target, isIntersecting: true }) as IntersectionObserverEntry);
    this.callback(entries, this as unknown as IntersectionObserver);
  }
}

describe("PdfPreview", () => {
  beforeEach(() => {
    vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockImplementation(
      () => ({}) as unknown as CanvasRenderingContext2D,
    );
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    openPdfMock.mockReset();
    FakeObserver.instances = [];
  });

  it("draws at most 20 pages and says when there are more", async () => {
    const { doc, pages, task } = fakeTask(25);
    openPdfMock.mockResolvedValue(task);
    render(PdfPreview, { url: "custos-preview://exhibit/EX-0001" });

    expect(await screen.findByText("Showing the first 20 of 25 pages.")).toBeInTheDocument();
    expect(openPdfMock).toHaveBeenCalledWith("custos-preview://exhibit/EX-0001");
    expect(screen.getAllByRole("figure")).toHaveLength(20);
    expect(screen.getByRole("figure", { name: "Page 20 of 25" })).toBeInTheDocument();
    await waitFor(() => expect(doc.getPage).toHaveBeenCalledTimes(20));
    expect(doc.getPage).not.toHaveBeenCalledWith(21);
    await waitFor(() => expect(pages.get(1)?.render).toHaveBeenCalledTimes(1));
    const firstRender = pages.get(1)?.render.mock.calls[0] as unknown as [{ canvas: HTMLCanvasElement }];
    expect(firstRender[0].canvas).toBe(screen.getByRole("figure", { name: "Page 1 of 25" }).querySelector("canvas"));
  });

  it("has no note for short documents", async () => {
    const { task } = fakeTask(3);
    openPdfMock.mockResolvedValue(task);
    render(PdfPreview, { url: "custos-preview://a" });
    await waitFor(() => expect(screen.getAllByRole("figure")).toHaveLength(3));
    expect(screen.queryByText(/Showing the first/)).toBeNull();
  });

  it("renders pages only when they scroll into view", async () => {
    vi.stubGlobal("IntersectionObserver", FakeObserver);
    const { doc, task } = fakeTask(5);
    openPdfMock.mockResolvedValue(task);
    render(PdfPreview, { url: "custos-preview://a" });
    await waitFor(() => expect(FakeObserver.instances).toHaveLength(5));
    expect(doc.getPage).not.toHaveBeenCalled();

    FakeObserver.instances[2]?.show();
    await waitFor(() => expect(doc.getPage).toHaveBeenCalledWith(3));
    expect(doc.getPage).toHaveBeenCalledTimes(1);
  });

  it("shows load errors as text", async () => {
    const failure = Object.assign(new Error("Invalid PDF structure."), { name: "InvalidPDFException" });
    openPdfMock.mockResolvedValue(fakeTask(0, failure).task);
    render(PdfPreview, { url: "custos-preview://broken" });
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The preview could not be shown: the file is not a valid PDF.",
    );
  });

  it("explains password-protected files", async () => {
    const failure = Object.assign(new Error("No password given"), { name: "PasswordException" });
    openPdfMock.mockResolvedValue(fakeTask(0, failure).task);
    render(PdfPreview, { url: "custos-preview://locked" });
    expect(await screen.findByRole("alert")).toHaveTextContent("protected by a password");
  });

  it("shows a page that fails to draw as text", async () => {
    const { doc, task } = fakeTask(2);
    doc.getPage.mockImplementation(async (n: number) => {
      if (n === 2) throw new Error("bad content stream");
      return fakePage();
    });
    openPdfMock.mockResolvedValue(task);
    render(PdfPreview, { url: "custos-preview://a" });
    expect(await screen.findByText("Page 2 could not be shown: bad content stream")).toBeInTheDocument();
  });

  it("releases the document when the URL changes and when closed", async () => {
    const first = fakeTask(1);
    const second = fakeTask(2);
    openPdfMock.mockResolvedValueOnce(first.task).mockResolvedValueOnce(second.task);
    const view = render(PdfPreview, { url: "custos-preview://one" });
    await waitFor(() => expect(screen.getAllByRole("figure")).toHaveLength(1));

    await view.rerender({ url: "custos-preview://two" });
    await waitFor(() => expect(screen.getAllByRole("figure")).toHaveLength(2));
    expect(first.task.destroy).toHaveBeenCalledTimes(1);
    expect(openPdfMock).toHaveBeenLastCalledWith("custos-preview://two");

    view.unmount();
    expect(second.task.destroy).toHaveBeenCalledTimes(1);
  });
});
