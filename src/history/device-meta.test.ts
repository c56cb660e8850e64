import { expect, test } from "bun:test";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import { frameMetaOf } from "./device-history.ts";
import { customerAndSite, deviceMetaOf } from "./device-meta.ts";

function attributes(values: Record<string, string | number>): DeviceSnapshot["attributes"] {
  return Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { ts: 0, value }]));
}

test.each([
  [{}, {}],
  [{ CustomerInfo: "Dan Gorman", SiteInfo: "Ranch", Location: "Bozeman" }, { customer: "Dan Gorman", site: "Ranch" }],
  [{ CustomerInfo: "Dan Gorman", Location: "Bozeman" }, { customer: "Dan Gorman", site: "Bozeman" }],
  [{ CustomerInfo: "", SiteInfo: "" }, {}],
  [{ CustomerInfo: "   ", SiteInfo: " \t", Location: "Bozeman" }, { site: "Bozeman" }],
  [{ CustomerInfo: "  Dan Gorman ", SiteInfo: " Ranch " }, { customer: "Dan Gorman", site: "Ranch" }],
  [{ CustomerInfo: 42, Location: 7 }, { customer: "42", site: "7" }],
])("customerAndSite(%o) = %o", (values, expected) => {
  expect(customerAndSite(attributes(values))).toEqual(expected);
});

test("fetch-history's device metadata and the frames of train, score, report and the warm-up follow the one rule", () => {
  const cases: Record<string, string>[] = [{ CustomerInfo: " ", SiteInfo: "", Location: "Bozeman" }, { CustomerInfo: "Dan Gorman ", SiteInfo: "Ranch" }, {}];
  for (const values of cases) {
    const snapshot: DeviceSnapshot = { id: "d", name: "n", type: "t", userLabel: "dgorman", telemetry: {}, attributes: attributes(values) };
    const expected = customerAndSite(snapshot.attributes);
    const meta = deviceMetaOf(snapshot);
    const frame = frameMetaOf(snapshot);
    expect({ customer: meta.customer, site: meta.site }).toEqual({ customer: expected.customer, site: expected.site });
    expect({ customer: frame.customer, site: frame.site }).toEqual({ customer: expected.customer, site: expected.site });
    expect("customer" in frame).toBe(expected.customer !== undefined);
  }
});
