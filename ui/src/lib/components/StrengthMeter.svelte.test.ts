import { render, screen, waitFor } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { describe, expect, it } from "vitest";
import type { Score } from "../strength";
import StrengthMeter from "./StrengthMeter.svelte";

const slow = { timeout: 10_000 };

function setup(value: string, userInputs: string[] = []) {
  const props = $state({ value, score: 0 as Score, userInputs });
  render(StrengthMeter, { props });
  return { props, meter: screen.getByRole("meter", { name: "Passphrase strength" }) };
}

describe("StrengthMeter", () => {
  it("rates a common password as very weak", async () => {
    const { meter, props } = setup("password");
    await screen.findByText("Very weak", {}, slow);
    expect(meter).toHaveAttribute("aria-valuenow", "0");
    expect(meter).toHaveAttribute("aria-valuetext", "Very weak");
    expect(props.score).toBe(0);
    expect(screen.getByText(/Time to crack offline: less than a second/)).toBeInTheDocument();
    expect(meter.querySelectorAll(".segment.filled")).toHaveLength(1);
  });

  it("rates a long random passphrase as very strong", async () => {
    const { meter, props } = setup("vXq7!mR2#tL9-pw4Zk8@Jd3e");
    await screen.findByText("Very strong", {}, slow);
    expect(meter).toHaveAttribute("aria-valuenow", "4");
    expect(props.score).toBe(4);
    expect(screen.getByText(/Time to crack offline: centuries/)).toBeInTheDocument();
    expect(meter.querySelectorAll(".segment.filled")).toHaveLength(5);
  });

  it("follows the value as it changes and resets when cleared", async () => {
    const { meter, props } = setup("password");
    await screen.findByText("Very weak", {}, slow);

    props.value = "correct horse battery staple orbit lantern";
    flushSync();
    await waitFor(() => expect(props.score).toBeGreaterThanOrEqual(3), slow);
    expect(Number(meter.getAttribute("aria-valuenow"))).toBeGreaterThanOrEqual(3);

    props.value = "";
    flushSync();
    await waitFor(() => expect(meter).toHaveAttribute("aria-valuetext", "No passphrase entered"));
    expect(props.score).toBe(0);
    expect(screen.queryByText(/Time to crack/)).toBeNull();
  });

  it("penalises passphrases built from the user's own words", async () => {
    const { props } = setup("hendersonlogistics");
    await screen.findByText(/Time to crack/, {}, slow);
    expect(props.score).toBeGreaterThanOrEqual(3);

    props.userInputs = ["Henderson", "Logistics"];
    flushSync();
    await waitFor(() => expect(props.score).toBeLessThanOrEqual(1), slow);
  });
});
