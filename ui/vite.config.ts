import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig, type Plugin } from "vitest/config";

const require = createRequire(import.meta.url);

// WebKitGTK (Linux) and WKWebView (macOS) are the oldest engines the app runs in.
const target = ["es2021", "safari15"];

/**
 * pdf.js decodes JPEG 2000 images with a plain JavaScript module that it
 * imports by name from `wasmUrl` when WebAssembly is not used (the
 * Content-Security-Policy does not allow compiling WebAssembly). Serve that
 * one file at a fixed path, `pdfjs/wasm/`, from the app's own origin.
 */
function pdfjsDecoders(): Plugin {
  const name = "openjpeg_nowasm_fallback.js";
  const source = () => readFileSync(require.resolve(`pdfjs-dist/wasm/${name}`), "utf8");
  return {
    name: "custos-pdfjs-decoders",
    configureServer(server) {
      server.middlewares.use(`/pdfjs/wasm/${name}`, (_req, res) => {
        res.setHeader("Content-Type", "text/javascript");
        res.end(source());
      });
    },
    generateBundle() {
      this.emitFile({ type: "asset", fileName: `pdfjs/wasm/${name}`, source: source() });
    },
  };
}

export default defineConfig({
  base: "./",
  plugins: [svelte(), svelteTesting(), pdfjsDecoders()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target,
    sourcemap: false,
    // The polyfill would fetch() modules, and connect-src does not allow 'self'.
    modulePreload: { polyfill: false },
    // pdf.js is large by nature; it is loaded on demand in its own chunk.
    chunkSizeWarningLimit: 2048,
  },
  worker: {
    format: "es",
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test-setup.ts"],
    include: ["src/**/*.test.ts"],
  },
});
