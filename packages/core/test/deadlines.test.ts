// Job deadlines on one shared timer: order, removal, and a deadline earlier than the armed one.
import { describe, expect, it } from "vitest";
import { Deadlines } from "../src/jobs/deadlines.js";

const firing = (deadlines: Deadlines, ms: number, fired: number[]) =>
  new Promise<void>((resolve) =>
    deadlines.add(ms, () => {
      fired.push(ms);
      resolve();
    }),
  );

describe("Deadlines", () => {
  it("fires each deadline once, in deadline order, whatever the order they were added in", async () => {
    const deadlines = new Deadlines();
    const fired: number[] = [];
    await Promise.all([firing(deadlines, 60, fired), firing(deadlines, 20, fired), firing(deadlines, 40, fired)]);
    expect(fired).toEqual([20, 40, 60]);
  });

  it("a removed deadline never fires; the others still do", async () => {
    const deadlines = new Deadlines();
    const fired: number[] = [];
    const removed = deadlines.add(10, () => fired.push(10));
    const later = firing(deadlines, 40, fired);
    deadlines.remove(removed);
    await later;
    expect(fired).toEqual([40]);
  });

  it("a deadline earlier than the armed one re-arms the timer (it does not wait for the later one)", async () => {
    const deadlines = new Deadlines();
    const fired: number[] = [];
    const late = deadlines.add(60_000, () => fired.push(60_000));
    await firing(deadlines, 10, fired);
    expect(fired).toEqual([10]);
    deadlines.remove(late);
  });

  it("keeps serving deadlines after the timer found nothing due", async () => {
    const deadlines = new Deadlines();
    const fired: number[] = [];
    deadlines.remove(deadlines.add(5, () => fired.push(5)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await firing(deadlines, 10, fired);
    expect(fired).toEqual([10]);
  });
});
