import { render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import ProgressBar from "./ProgressBar.svelte";

describe("ProgressBar", () => {
  it("is a labelled progress bar with its value", () => {
    render(ProgressBar, { value: 30, max: 120, label: "Hashing files" });
    const bar = screen.getByRole("progressbar", { name: "Hashing files" });
    expect(bar).toBeInstanceOf(HTMLProgressElement);
    expect((bar as HTMLProgressElement).value).toBe(30);
    expect((bar as HTMLProgressElement).max).toBe(120);
    expect(screen.getByText("25%")).toBeInTheDocument();
  });

  it("clamps values outside the range", () => {
    render(ProgressBar, { value: 500, max: 100, label: "Copying" });
    expect((screen.getByRole("progressbar") as HTMLProgressElement).value).toBe(100);
    expect(screen.getByText("100%")).toBeInTheDocument();
  });

  it("shows custom value text to people and assistive technology", () => {
    render(ProgressBar, { value: 12, max: 40, label: "Importing", valueText: "12 of 40 files" });
    expect(screen.getByText("12 of 40 files")).toBeInTheDocument();
    expect(screen.getByRole("progressbar")).toHaveAttribute("aria-valuetext", "12 of 40 files");
  });

  it("is indeterminate without a value", () => {
    render(ProgressBar, { label: "Preparing" });
    const bar = screen.getByRole("progressbar", { name: "Preparing" });
    expect(bar).not.toHaveAttribute("value");
    expect((bar as HTMLProgressElement).position).toBe(-1);
  });
});
