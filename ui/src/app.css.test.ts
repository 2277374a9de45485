import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const css = readFileSync(join(import.meta.dirname, "app.css"), "utf8");

/** The custom properties declared in the :root block. */
function rootColors(): Map<string, string> {
  const root = /:root\s*{([^}]*)}/.exec(css)?.[1] ?? "";
  const colors = new Map<string, string>();
  for (const [, name, value] of root.matchAll(/(--[\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)) {
    if (name && value) colors.set(name, value);
  }
  return colors;
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const colors = rootColors();
const color = (name: string) => {
  if (name.startsWith("#")) return name;
  const value = colors.get(name);
  if (!value) throw new Error(`${name} is not declared in :root`);
  return value;
};

/** Text on background: WCAG 2.1 AA, 4.5:1. */
const TEXT: [string, string][] = [
  ...["--bg", "--surface", "--surface-sunken", "--surface-hover", "--accent-soft"].flatMap(
    (bg): [string, string][] => [
      ["--ink", bg],
      ["--ink-muted", bg],
      ["--accent", bg],
    ],
  ),
  ["--ink-subtle", "--surface"],
  ["--ink-subtle", "--bg"],
  ["--accent-ink", "--accent"],
  ["--accent-ink", "--accent-hover"],
  ["#ffffff", "--danger"],
  ["#ffffff", "--danger-hover"],
  ["--ok", "--ok-soft"],
  ["--ok", "--surface"],
  ["--warn", "--warn-soft"],
  ["--warn", "--surface"],
  ["--danger", "--danger-soft"],
  ["--danger", "--surface"],
  ["--ink", "--danger-soft"],
  ["--ink-muted", "--danger-soft"],
  ["--ink", "--ok-soft"],
  ["--ink", "--warn-soft"],
  ["--rail-ink", "--rail-bg"],
  ["--rail-ink", "--rail-active"],
  ["--rail-ink-muted", "--rail-bg"],
];

/** Control borders, focus rings and meter fills: WCAG 2.1 AA, 3:1. */
const NON_TEXT: [string, string][] = [
  ["--border-strong", "--surface"],
  ["--border-strong", "--bg"],
  ["--border-strong", "--surface-sunken"],
  ["--focus", "--surface"],
  ["--focus", "--bg"],
  ["--focus", "--accent-soft"],
  ["--rail-focus", "--rail-bg"],
  ["--rail-focus", "--rail-active"],
  ["--danger", "--surface-sunken"],
  ["--warn-strong", "--surface-sunken"],
  ["--ok", "--surface-sunken"],
  ["--accent", "--surface-sunken"],
];

describe("design system colours", () => {
  it("declares the palette", () => {
    expect(colors.size).toBeGreaterThan(20);
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
  });

  it.each(TEXT)("text %s on %s meets 4.5:1", (fg, bg) => {
    expect(contrast(color(fg), color(bg))).toBeGreaterThanOrEqual(4.5);
  });

  it.each(NON_TEXT)("%s against %s meets 3:1", (fg, bg) => {
    expect(contrast(color(fg), color(bg))).toBeGreaterThanOrEqual(3);
  });

  it("gives every interactive element a visible focus ring", () => {
    expect(css).toMatch(/:focus-visible\s*{\s*outline:\s*2px solid var\(--focus\);\s*outline-offset:\s*2px;/);
  });

  it("loads nothing from outside the app", () => {
    expect(css).not.toMatch(/@import|url\(|https?:/);
  });
});
