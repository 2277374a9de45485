import { afterEach, describe, expect, it } from "vitest";
import { BackendError, setBackend } from "../../lib/backend";
import { MIN_PASSPHRASE_CHARS } from "../../lib/bindings";
import { MOCK_MATTER, createMockBackend } from "../../lib/mock-backend";
import { router } from "../../lib/router.svelte";
import { session } from "../../lib/session.svelte";
import {
  StartState,
  WRONG_PASSPHRASE,
  badPrefix,
  badRecovery,
  copyHere,
  createBlocker,
  createRequest,
  enter,
  joinBlocker,
  joinRequest,
  lastOpened,
  matterChanges,
  matterCreated,
  mismatch,
  passphraseLength,
  unlockFailure,
  wireTarget,
  type CreateForm,
  type Target,
} from "./state.svelte";

const STRONG = "vXq7!mR2#tL9-pw4Zk8@Jd3e";

const form = (over: Partial<CreateForm> = {}): CreateForm => ({
  matter: "Okafor v. Lindqvist Freight",
  matterNumber: "",
  examiner: "Dana Whitfield",
  prefix: "EX-",
  passphrase: STRONG,
  confirmation: STRONG,
  recovery: "",
  ...over,
});

afterEach(() => {
  setBackend(null);
  session.info = null;
  session.vault = null;
});

describe("the create form", () => {
  it("is complete with a matter, an examiner, a folder and a strong passphrase typed twice", () => {
    expect(createBlocker(form(), true, 3)).toBeNull();
    expect(createBlocker(form(), true, 4)).toBeNull();
  });

  it("names the first thing missing or wrong", () => {
    expect(createBlocker(form({ matter: " " }), true, 4)).toBe("Enter the matter name.");
    expect(createBlocker(form({ examiner: "" }), true, 4)).toBe("Enter the examiner's name.");
    expect(createBlocker(form(), false, 4)).toBe("Choose a folder for the vault.");
    expect(createBlocker(form({ passphrase: "short" }), true, 4)).toBe(
      `The passphrase must be at least ${MIN_PASSPHRASE_CHARS} characters (5 so far).`,
    );
    expect(createBlocker(form({ passphrase: "short" }), true, 4)).toMatch(/at least 12 characters/);
    expect(createBlocker(form(), true, 2)).toBe("The passphrase is too weak: it must be rated at least “Strong”.");
    expect(createBlocker(form({ confirmation: "" }), true, 4)).toBe("Type the passphrase again under “Confirm passphrase”.");
    expect(createBlocker(form({ confirmation: `${STRONG}x` }), true, 4)).toBe("The passphrases do not match.");
    expect(createBlocker(form({ prefix: "EX 1" }), true, 4)).toBe("The exhibit number prefix must be 1 to 16 letters, digits, “-” or “_”.");
    expect(createBlocker(form({ recovery: "ssh-ed25519 AAAA" }), true, 4)).toBe("A recovery key starts with “age1”.");
  });

  it("counts the passphrase in characters, as the backend does", () => {
    expect(passphraseLength("abc")).toBe(3);
    expect(passphraseLength("🔑🔑🔑")).toBe(3);
    const emoji = "🔑".repeat(MIN_PASSPHRASE_CHARS - 1);
    expect(createBlocker(form({ passphrase: emoji, confirmation: emoji }), true, 4)).toMatch(/\(11 so far\)/);
  });

  it("checks the prefix, the recovery key and the confirmation only once typed", () => {
    expect([badPrefix(""), badPrefix(" OLF- "), badPrefix("A_b-9"), badPrefix("EX/"), badPrefix("X".repeat(17))]).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect([badRecovery(""), badRecovery("  age1qyqs  "), badRecovery("AGE1qyqs")]).toEqual([false, false, true]);
    expect([mismatch({ passphrase: "a", confirmation: "" }), mismatch({ passphrase: "a", confirmation: "b" })]).toEqual([false, true]);
  });

  it("sends the fields trimmed, an empty optional one as null, the passphrase as typed", () => {
    expect(
      createRequest(
        form({ matter: "  Okafor  ", matterNumber: " ", examiner: " Sam ", prefix: " OLF- ", passphrase: ` ${STRONG} `, recovery: "  age1qyqs  " }),
        "sel-1",
      ),
    ).toEqual({
      folder: "sel-1",
      matter: "Okafor",
      matter_number: null,
      examiner: "Sam",
      passphrase: ` ${STRONG} `,
      recovery_recipient: "age1qyqs",
      exhibit_prefix: "OLF-",
    });
    expect(createRequest(form({ prefix: "" }), "sel-1").exhibit_prefix).toBeNull();
  });
});

describe("unlocking", () => {
  it("names a recent vault by id, a typed path and a chosen folder by a selection", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    expect(await wireTarget({ kind: "recent", vaultId: "v-1", path: "/v" })).toEqual({ kind: "recent", vault_id: "v-1" });
    const typed = await wireTarget({ kind: "typed", path: "/srv/vaults/brandt" });
    expect(typed?.kind === "selection" && typed.token).toMatch(/^sel-/);
    expect(await wireTarget({ kind: "picked", token: "sel-9", path: "/v" })).toEqual({ kind: "selection", token: "sel-9" });
  });

  it("asks for a used folder again, and gives up when that dialog is cancelled", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    const used: Target = { kind: "picked", token: null, path: "/old" };
    const again = await wireTarget(used);
    expect(again?.kind === "selection" && again.token).toMatch(/^sel-/);
    expect(used.path).toBe("/evidence/folder");
    expect(mock.state.calls).toContain("pickPaths:open_vault");
    mock.pickPaths = async () => null;
    expect(await wireTarget({ kind: "picked", token: null, path: "/old" })).toBeNull();
  });

  it("says a wrong passphrase plainly, other failures in the backend's words", () => {
    expect(unlockFailure(new BackendError("wrong_passphrase", "wrong passphrase"))).toEqual({ message: WRONG_PASSPHRASE, wrongPassphrase: true });
    expect(unlockFailure(new BackendError("vault_in_use", "another Custos process has the vault open"))).toEqual({
      message: "Another Custos process has the vault open.",
      wrongPassphrase: false,
    });
  });

  it("shows when a recent vault was last opened, or the stored text when it is not a time", () => {
    const r = { vault_id: "v", path: "/v", available: true };
    expect(lastOpened({ ...r, last_opened: "2026-06-02T08:00:00Z" })).toMatch(/^2026-06-02/);
    expect(lastOpened({ ...r, last_opened: "yesterday" })).toBe("yesterday");
  });

  it("enters the vault's dashboard", () => {
    enter({ matter: { ...MOCK_MATTER }, path: "/v", demo: false, examiner: "Dana Whitfield", firm: null });
    expect(router.screen).toBe("dashboard");
    expect(session.vault?.path).toBe("/v");
  });
});

describe("firm matters", () => {
  const matter = { vault_id: "9b2e7d40-0000-4000-8000-000000000002", created: "2026-05-20T14:03:11Z", changes: 7 };

  it("shows when a matter was made in the firm database in local time, and how many changes it holds", () => {
    expect(matterCreated(matter)).toMatch(/^2026-05-2\d \d{2}:\d{2}:11 [+−]\d{2}:\d{2}$/);
    expect(matterCreated({ ...matter, created: "last spring" })).toBe("last spring");
    expect([matterChanges(matter), matterChanges({ ...matter, changes: 1 }), matterChanges({ ...matter, changes: 12_500 })]).toEqual([
      "7 changes",
      "1 change",
      "12,500 changes",
    ]);
  });

  it("finds the copy of a matter already on this computer by its vault id", () => {
    const here = { vault_id: matter.vault_id, path: "/home/dana/Matters/Okafor", last_opened: "2026-06-02T08:00:00Z", available: true };
    const other = { ...here, vault_id: "6f0c3c1e-0000-4000-8000-000000000001", path: "/home/dana/Matters/Halvorsen" };
    expect(copyHere(matter, [other, here])).toBe(here);
    expect(copyHere(matter, [other])).toBeNull();
    expect(copyHere(matter, [])).toBeNull();
  });

  it("asks for a folder, then the passphrase, before joining", () => {
    expect(joinBlocker(false, "")).toBe("Choose an empty folder for this computer's copy.");
    expect(joinBlocker(false, "secret")).toBe("Choose an empty folder for this computer's copy.");
    expect(joinBlocker(true, "")).toBe("Enter your passphrase to the matter.");
    expect(joinBlocker(true, " ")).toBeNull();
  });

  it("sends the config, the matter, the folder and the passphrase as given", () => {
    expect(joinRequest("sel-1", matter.vault_id, "sel-2", ` ${STRONG} `)).toEqual({
      config: "sel-1",
      vault_id: matter.vault_id,
      folder: "sel-2",
      passphrase: ` ${STRONG} `,
    });
  });
});

describe("StartState", () => {
  it("reads the app info, and says why it could not only when there is none", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    const start = new StartState();
    await start.readInfo();
    expect(session.info?.version).toBe("0.1.0");
    expect(start.infoError).toBeNull();

    mock.appInfo = async () => {
      throw new BackendError("io", "the settings folder is not readable");
    };
    await start.readInfo();
    expect(start.infoError).toBeNull();
    session.info = null;
    await start.readInfo();
    expect(start.infoError).toBe("The settings folder is not readable.");
  });
});
