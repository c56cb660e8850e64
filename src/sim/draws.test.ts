import { describe, expect, test } from "bun:test";
import { dayOfWeek } from "./demand.ts";
import { plannedDraws } from "./draws.ts";
import { siteOfKind } from "./site-kinds.ts";

const spec = siteOfKind(6, "switch-1gal", 0);
const day0 = Date.UTC(2026, 2, 2) / 86_400_000;
const gallons = (events: { duration: number; gpm: number }[]) => events.reduce((g, e) => g + (e.duration / 60) * e.gpm, 0);

describe("planned draws", () => {
  test("irrigation runs only from its first day, on its weekdays", () => {
    const irrigation = { fromDay: day0 + 7, days: [1, 3, 5], startMinute: 330, minutes: 30, gpm: 5 };
    for (let d = day0; d < day0 + 21; d++) {
      const runs = plannedDraws(spec, { irrigation }, 1, d, false).length > 0;
      expect(runs).toBe(d >= day0 + 7 && [1, 3, 5].includes(dayOfWeek(d)));
    }
  });

  test("a pool fill is one long draw on its day", () => {
    const fill = { day: day0 + 3, startMinute: 480, minutes: 480, gpm: 8 };
    expect(gallons(plannedDraws(spec, { poolFills: [fill] }, 1, day0 + 3, false))).toBeCloseTo(3840);
    expect(plannedDraws(spec, { poolFills: [fill] }, 1, day0 + 4, false)).toEqual([]);
  });

  test("a waterer refills its daily gallons, some at night; hoses stop while away", () => {
    const stock = plannedDraws(spec, { livestockGallonsPerDay: 60 }, 1, day0, false);
    expect(gallons(stock)).toBeCloseTo(60);
    let night = 0;
    for (let d = day0; d < day0 + 10; d++) night += plannedDraws(spec, { livestockGallonsPerDay: 60 }, 1, d, false).filter((e) => e.start < 6 * 3600 || e.start >= 20 * 3600).length;
    expect(night).toBeGreaterThan(10);
    let home = 0;
    let away = 0;
    for (let d = day0; d < day0 + 28; d++) {
      home += plannedDraws(spec, { hosePerWeek: 4 }, 1, d, false).length;
      away += plannedDraws(spec, { hosePerWeek: 4 }, 1, d, true).length;
    }
    expect(home).toBeWithin(6, 30);
    expect(away).toBe(0);
  });
});
