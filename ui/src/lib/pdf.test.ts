import { describe, expect, it, vi } from "vitest";

const getDocument = vi.fn((options: unknown) => ({ options }));
const GlobalWorkerOptions = { workerSrc: "" };

vi.mock("pdfjs-dist/legacy/build/pdf.mjs", () => ({ getDocument, GlobalWorkerOptions }));
vi.mock("pdfjs-dist/legacy/build/pdf.worker.mjs?worker&url", () => ({ default: "/assets/pdf.worker-abc123.js" }));

import { documentOptions, loadPdfjs, openPdf } from "./pdf";

describe("pdf", () => {
  it("never lets pdf.js evaluate code or compile WebAssembly", () => {
    const options = documentOptions("custos-preview://exhibit/EX-1");
    expect(options).toMatchObject({
      url: "custos-preview://exhibit/EX-1",
      isEvalSupported: false,
      useWasm: false,
      enableXfa: false,
    });
    expect(options.wasmUrl).toMatch(/\/pdfjs\/wasm\/$/);
  });

  it("loads pdf.js once, with its worker served from the app", async () => {
    const [a, b] = await Promise.all([loadPdfjs(), loadPdfjs()]);
    expect(a).toBe(b);
    expect(GlobalWorkerOptions.workerSrc).toBe("/assets/pdf.worker-abc123.js");
  });

  it("opens documents with the safe options", async () => {
    await openPdf("custos-preview://exhibit/EX-2");
    expect(getDocument).toHaveBeenCalledWith(
      expect.objectContaining({ url: "custos-preview://exhibit/EX-2", isEvalSupported: false, useWasm: false }),
    );
  });
});
