/**
 * pdf.js, loaded on first use. The legacy build is used because it carries
 * the polyfills that older WebKit engines need; Vite bundles its worker as a
 * file of the app's own origin (the Content-Security-Policy allows workers
 * from 'self' only).
 */
import type { DocumentInitParameters, PDFDocumentLoadingTask } from "pdfjs-dist/types/src/display/api";

type Pdfjs = typeof import("pdfjs-dist/legacy/build/pdf.mjs");

let pdfjs: Promise<Pdfjs> | null = null;

export function loadPdfjs(): Promise<Pdfjs> {
  pdfjs ??= Promise.all([
    import("pdfjs-dist/legacy/build/pdf.mjs"),
    import("pdfjs-dist/legacy/build/pdf.worker.mjs?worker&url"),
  ]).then(([lib, worker]) => {
    lib.GlobalWorkerOptions.workerSrc = worker.default;
    return lib;
  });
  pdfjs.catch(() => {
    pdfjs = null;
  });
  return pdfjs;
}

/**
 * Options for every document: nothing is evaluated as code and no
 * WebAssembly is compiled, as the Content-Security-Policy forbids both.
 * JPEG 2000 images are decoded by pdf.js's plain JavaScript decoder, served
 * from `pdfjs/wasm/` (see vite.config.ts).
 */
export function documentOptions(url: string): DocumentInitParameters {
  return {
    url,
    isEvalSupported: false,
    useWasm: false,
    wasmUrl: new URL("pdfjs/wasm/", document.baseURI).href,
    enableXfa: false,
    stopAtErrors: false,
  };
}

/** Starts loading the PDF at `url`; destroy the task when done with it. */
export async function openPdf(url: string): Promise<PDFDocumentLoadingTask> {
  const lib = await loadPdfjs();
  return lib.getDocument(documentOptions(url));
}
